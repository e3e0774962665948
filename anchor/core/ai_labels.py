"""AI-content labels: the mark viewers see on a clip, and the label inside its files.

China's Measures for Labelling AI-Generated Synthetic Content (人工智能生成合成内容标识办法,
in force since 2025-09-01) and the mandatory national standard GB 45438-2025 (网络安全技术
人工智能生成合成内容标识方法) ask two labels of a synthetic video:

- an **explicit** label that viewers can see: text with an AI element (AI, 人工智能) and a
  generation element (生成, 合成), at the start of the video and optionally at its end and
  in the middle (``VisibleLabel``);
- an **implicit** label in the file's metadata: a field named ``AIGC`` whose value is JSON
  with the content's generation label, the producer's name or code, a content ID, and the
  fields the distributing platform fills in (``aigc_label``).

The figures this module enforces, and where they come from. The standard's own text is
not among the sources this project could read; each figure below is as quoted by
secondary sources (compliance code and notes that cite the standard's clause 5.4 for
video and its Annex E), not checked against the standard itself:

- ``MIN_TEXT_SHARE``: the label's text at least 5 % of the frame's shorter side tall
  (GB 45438-2025, 5.4: "文字高度不应低于画面最短边长度的5%");
- ``MIN_OPENING_MS``: shown at least 2 s at normal speed from the first frame (5.4:
  "持续时间不应少于2s"); the Measures ask for it at the start ("起始画面") and allow it at
  the end and in the middle, which is why Anchor keeps it in a corner throughout;
- ``AIGC_FIELDS``: the seven JSON keys of Annex E, in its order; ``Label`` is "1" for
  content that is AI-generated (the value example implementations write; the meaning of
  the other values is not verified here).

"Text height" is measured as the ink height of the label's capital letters and Han
characters (the smaller of the two where both occur): every full-height glyph is at least
the minimum; lower-case letters are shorter, as in any typeface.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError

__all__ = [
    "AIGC_FIELDS",
    "AIGC_KEY",
    "DEFAULT_TEXT",
    "MIN_OPENING_MS",
    "MIN_TEXT_SHARE",
    "POSITIONS",
    "STANDARD",
    "VisibleLabel",
    "aigc_json",
    "aigc_label",
    "check_wording",
    "parse_aigc",
]

STANDARD = "GB 45438-2025; 人工智能生成合成内容标识办法 (2025-09-01)"
MIN_TEXT_SHARE = 0.05  # text height / the frame's shorter side (GB 45438-2025, 5.4)
MIN_OPENING_MS = 2000  # shown from the first frame for at least this long (5.4)
AIGC_KEY = "AIGC"  # the metadata field (Annex E)
AIGC_FIELDS = ("Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator",
               "PropagateID", "ReservedCode2")
AI_GENERATED = "1"
# short enough for one line each in a phone frame's corner, clear of the face; both
# carry the standard's two elements (AI, and its making: 合成 / generated)
DEFAULT_TEXT = {"zh": "AI合成主播", "en": "AI-generated"}
POSITIONS = ("top-right", "top-left")  # top-left: under the logo bug
_AI = re.compile(r"AI|人工智能", re.IGNORECASE)
_MADE = re.compile(r"生成|合成|generat|synthe", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class VisibleLabel:
    """The visible mark of one clip: its lines of text (one per language in a bilingual
    clip), where it goes, how big, and for how long."""

    text: str  # lines joined by "\n"
    position: str = "top-right"
    size: float = MIN_TEXT_SHARE  # text height / the frame's shorter side
    opening_ms: int = 3000  # from the first frame; at least MIN_OPENING_MS
    throughout: bool = True  # also in its corner for the rest of the clip
    background: str = "#0E131B"
    colour: str = "#FFFFFF"

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(line for line in self.text.split("\n") if line.strip())


def check_wording(text: str, where: str) -> None:
    """ConfigError unless ``text`` has an AI element and a generation element, as the
    standard asks of an explicit label."""
    if not _AI.search(text) or not _MADE.search(text):
        raise ConfigError(
            f"{where}: the AI label {text!r} must say that the content is AI-generated",
            hint='name AI (AI, 人工智能) and its making (生成, 合成, "generated"), e.g. '
                 '"AI合成主播" or "AI-generated presenter" (GB 45438-2025)')


def check_label(label: VisibleLabel, where: str) -> None:
    """The brand's or settings' label within the standard's minimums, or ConfigError."""
    for line in label.lines or (label.text,):
        check_wording(line, where)
    if label.position not in POSITIONS:
        raise ConfigError(f"{where}: AI label position {label.position!r}",
                          hint=f"use one of {', '.join(POSITIONS)}")
    if not MIN_TEXT_SHARE <= label.size <= 0.15:
        raise ConfigError(
            f"{where}: AI label size {label.size:g} is outside {MIN_TEXT_SHARE:g}–0.15",
            hint="the text must be at least 5 % of the frame's shorter side tall "
                 "(GB 45438-2025)")
    if label.opening_ms < MIN_OPENING_MS:
        raise ConfigError(
            f"{where}: AI label opening_ms {label.opening_ms} is under {MIN_OPENING_MS}",
            hint="the label shows from the first frame for at least 2 s (GB 45438-2025)")


def aigc_label(producer: str, content_id: str) -> dict[str, str]:
    """The implicit label (Annex E's seven fields, in order). The propagator's fields
    are left for the platform that distributes the clip to fill in."""
    return {"Label": AI_GENERATED, "ContentProducer": producer, "ProduceID": content_id,
            "ReservedCode1": "", "ContentPropagator": "", "PropagateID": "",
            "ReservedCode2": ""}


def aigc_json(label: dict[str, str]) -> str:
    """The label as the one-line JSON the metadata field holds."""
    return json.dumps(label, ensure_ascii=False, separators=(",", ":"))


def parse_aigc(raw: Any) -> dict[str, str] | None:
    """An ``AIGC`` value read back from a file: the label when it is one (JSON with the
    generation label set and every Annex E field present), else None."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or any(k not in data for k in AIGC_FIELDS):
        return None
    if str(data.get("Label")) != AI_GENERATED or not str(data.get("ProduceID", "")).strip():
        return None
    return {k: str(v) for k, v in data.items()}
