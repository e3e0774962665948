"""Are the clips labelled, and may their presenter be shown? Read from the files, not
from what the render says it did:

- the implicit label: the ``AIGC`` metadata key of each MP4 (read with PyAV, as ffprobe
  shows it) and the thumbnail's ``AIGC`` text chunk, each a complete Annex E label, and
  the one the manifest recorded (a re-muxed file that lost or changed it fails);
- the visible label: the tab found in the decoded frames where the manifest says it is,
  on the first frame, the middle of its showing and its last frame: the tab is redrawn
  from the manifest's record and compared pixel for pixel with what the encoder kept;
  its recorded size and duration are held to the standard's minimums;
- the presenter: a real person without a consent record fails every clip.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from anchor.assets.consent import publishable
from anchor.core.ai_labels import AIGC_KEY, MIN_OPENING_MS, MIN_TEXT_SHARE, VisibleLabel, parse_aigc
from anchor.core.values import Box, Consent

__all__ = ["LabelCheck", "check_labels", "read_aigc", "read_png_aigc", "visible_label_found"]

log = logging.getLogger(__name__)

# Mean difference per channel (0–255) between the redrawn tab and the decoded frame,
# over the tab's solid pixels, under which the tab counts as there. Measured on the demo
# (1080p, x264 veryfast crf 20, 16:9 and 9:16): 1.3–2.0 where it is, 69–76 in the same
# place of a clip without it.
MAX_TAB_DIFF = 12.0


@dataclass(frozen=True, slots=True)
class LabelCheck:
    """One clip's labels as found in its file and frames."""

    label: str
    implicit: dict[str, str] | None  # the AIGC label read from the MP4
    visible: str  # what was found, in words
    problems: tuple[str, ...]
    warnings: tuple[str, ...]


def read_aigc(video: Path) -> dict[str, str] | None:
    """The MP4's implicit label (its ``AIGC`` metadata key), or None."""
    try:
        with av.open(str(video)) as c:
            return parse_aigc(c.metadata.get(AIGC_KEY))
    except (OSError, av.FFmpegError):
        return None


def read_png_aigc(path: Path) -> dict[str, str] | None:
    """A PNG's implicit label (its ``AIGC`` text chunk), or None."""
    try:
        with Image.open(path) as im:
            return parse_aigc(getattr(im, "text", {}).get(AIGC_KEY))
    except OSError:
        return None


def _frames(video: Path, wanted: list[int]) -> dict[int, tuple[float, np.ndarray]]:
    """The time (s) and RGB picture of ``video``'s frames at the given indices."""
    out: dict[int, tuple[float, np.ndarray]] = {}
    with av.open(str(video)) as c:
        stream = c.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        tb = stream.time_base
        if rate is None or tb is None:
            return out
        for index in sorted(set(wanted)):
            c.seek(int(index / rate / tb), stream=stream, backward=True, any_frame=False)
            for frame in c.decode(stream):
                if frame.pts is None:
                    continue
                t = float(frame.pts * tb)
                if round(t * float(rate)) >= index:
                    out[index] = (round(t, 2), frame.to_ndarray(format="rgb24"))
                    break
    return out


def visible_label_found(video: Path, record: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Times (s) where the recorded tab is in the frames (first frame, middle and last of
    its showing), and those where it is not."""
    # deferred: PIL fonts, OpenCV
    from anchor.render.graphics.label_tab import LabelPlan, label_sprite

    x, y, w, h = (int(v) for v in record["box"])
    label = VisibleLabel(text=str(record["text"]), position=str(record["position"]),
                         size=float(record["size"]), opening_ms=int(record["opening_ms"]),
                         throughout=bool(record["throughout"]),
                         background=str(record["background"]), colour=str(record["colour"]))
    plan = LabelPlan(box=Box(x, y, w, h), lines=tuple(record["lines"]),
                     px=int(record["font_px"]), text_px=int(record["text_px"]),
                     min_text_px=0, short_side=1)
    sprite = label_sprite(label, Path(record["font"]), plan)
    solid = sprite.rgba[..., 3] == 255
    want = sprite.rgba[..., :3].astype(np.float32)
    end = int(record["end_frame"])
    with av.open(str(video)) as c:
        total = c.streams.video[0].frames or end
    # -shortest may end the file a frame before the scene's last (its audio is done)
    last = max(0, min(end, total) - 1)
    frames = [0, max(0, end // 2), last]
    decoded = _frames(video, frames)
    found: list[float] = []
    missing: list[float] = []
    for index in frames:
        t, img = decoded.get(index, (index / 30, None))
        if img is None or img.shape[0] < y + h or img.shape[1] < x + w:
            missing.append(round(t, 2))
            continue
        diff = float(np.abs(img[y:y + h, x:x + w].astype(np.float32) - want)[solid].mean())
        log.debug("AI label at %.2f s: mean difference %.1f", t, diff)
        (found if diff <= MAX_TAB_DIFF else missing).append(t)
    return found, missing


def _visible(label: str, video: Path, rec: dict[str, Any] | None, duration_ms: int,
             require: bool) -> tuple[str, list[str], list[str]]:
    problems: list[str] = []
    warnings: list[str] = []
    if not rec or not rec.get("on"):
        why = (rec or {}).get("why", "no record of it in the manifest")
        (problems if require else warnings).append(f"no visible AI label ({why})")
        return "off", problems, warnings
    share = float(rec.get("text_share", 0))
    if share + 1e-9 < MIN_TEXT_SHARE:
        problems.append(f"the visible AI label's text is {share:.1%} of the frame's shorter "
                        f"side; at least {MIN_TEXT_SHARE:.0%} (GB 45438-2025)")
    until = int(rec.get("until_ms", 0))
    if until < min(MIN_OPENING_MS, duration_ms):
        problems.append(f"the visible AI label shows for {until} ms from the start; at least "
                        f"{MIN_OPENING_MS} ms (GB 45438-2025)")
    if not Path(str(rec.get("font", ""))).is_file():
        warnings.append("visible AI label not looked for in the frames: its font "
                        f"{rec.get('font')} is not on this machine")
        return "recorded (not looked for)", problems, warnings
    found, missing = visible_label_found(video, rec)
    if missing:
        problems.append("the visible AI label is not in the frames at "
                        + ", ".join(f"{t:g} s" for t in missing))
    where = ", ".join(f"{t:g} s" for t in found)
    return (f"found at {where}" if found else "missing"), problems, warnings


def check_labels(out_dir: Path, manifest: dict[str, Any], require_visible: bool = True
                 ) -> tuple[dict[str, LabelCheck], tuple[str, ...]]:
    """Every clip's labels (by clip), and the folder's own problems (the thumbnail)."""
    clips = manifest.get("clips") or {}
    presenter = manifest.get("presenter") or None
    consent_problem = ""
    if presenter is None:
        consent_problem = "no presenter consent on record in the manifest"
    else:
        c = Consent(real_person=presenter.get("real_person"),
                    person=str(presenter.get("person", "")),
                    agreed=bool(presenter.get("agreed")), date=str(presenter.get("date", "")),
                    record=str(presenter.get("record", "")),
                    tests_only=bool(presenter.get("tests_only")))
        if not publishable(c):
            consent_problem = (f"presenter {presenter.get('name')!r}: "
                               f"{presenter.get('status', 'no consent on record')}; "
                               "not for publication")
    out: dict[str, LabelCheck] = {}
    for label, entry in clips.items():
        video = out_dir / entry["video"]["path"]
        problems: list[str] = [consent_problem] if consent_problem else []
        implicit = read_aigc(video)
        recorded = ((entry.get("labels") or {}).get("implicit") or {}).get("value")
        if implicit is None:
            problems.append(f"no {AIGC_KEY} metadata label in {video.name} (GB 45438-2025 "
                            "asks for one in the file)")
        elif recorded and implicit.get("ProduceID") != recorded.get("ProduceID"):
            problems.append(f"{video.name}'s {AIGC_KEY} label names content "
                            f"{implicit.get('ProduceID')!r}, the manifest "
                            f"{recorded.get('ProduceID')!r}")
        visible, vp, vw = _visible(label, video, (entry.get("labels") or {}).get("visible"),
                                   int(entry.get("duration_ms") or 0), require_visible)
        out[label] = LabelCheck(label, implicit, visible, tuple(problems + vp), tuple(vw))
    folder: list[str] = []
    thumb = out_dir / "thumbnail.png"
    if thumb.is_file() and read_png_aigc(thumb) is None:
        folder.append(f"no {AIGC_KEY} label in thumbnail.png's metadata")
    return out, tuple(folder)
