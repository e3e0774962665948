"""One validator for a script a person edited, wherever it comes from.

``anchor render --script FILE`` reads a script.json (:func:`load_script`); the web's
review page sends one back as JSON (``web.service.script_from_edit``). Both go through
:func:`parse_script`, so a script the CLI takes is one the web takes, and the other way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError
from .values import SHOTS, VISUAL_KINDS, Script, Segment, from_dict

__all__ = [
    "MAX_SEGMENTS",
    "MAX_SENTENCE_CHARS",
    "MAX_TITLE_CHARS",
    "load_script",
    "parse_script",
    "validate_script",
]

MAX_SENTENCE_CHARS = 1_000  # one spoken sentence; longer is a paste accident, not a script
MAX_SEGMENTS = 30  # same bound as the `sentences` setting
MAX_TITLE_CHARS = 200  # a lower third holds a line or two

_LANG_NAMES = {"zh": "Mandarin", "en": "English"}


def load_script(path: Path) -> Script:
    """Read an edited script: a script.json written by Anchor, or a bare Script object."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read script {path}", hint="pass a script.json") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})",
                         hint="fix the JSON, or re-render without --script") from exc
    raw = data.get("script", data) if isinstance(data, dict) else data
    return parse_script(raw, where=str(path),
                        hint="start from the script.json of an earlier render")


def parse_script(raw: Any, *, where: str = "",
                 hint: str = "start from the script.json of an earlier render") -> Script:
    """A Script from its JSON form, validated by :func:`validate_script`. ``where`` (a
    file name) starts every message; ``hint`` says where a good script comes from."""
    prefix = f"{where}: " if where else ""
    try:
        script = from_dict(Script, raw)
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise InputError(f"{prefix}not an Anchor script ({exc})", hint=hint) from exc
    validate_script(script, where=where)
    return script


def validate_script(script: Script, *, where: str = "") -> None:
    """Raise InputError unless every sentence and both headlines are there, and within
    what a clip can carry. Text is judged without its surrounding spaces."""
    prefix = f"{where}: " if where else ""
    if not script.segments:
        raise InputError(f"{prefix}the script has no sentences", hint="keep at least one sentence")
    if len(script.segments) > MAX_SEGMENTS:
        raise InputError(f"{prefix}the script has {len(script.segments)} sentences",
                         hint=f"at most {MAX_SEGMENTS}")
    for i, seg in enumerate(script.segments):
        zh, en = seg.zh.strip(), seg.en.strip()
        if not zh or not en:
            raise InputError(f"{prefix}sentence {i + 1} is empty in {'zh' if not zh else 'en'}",
                             hint="every sentence needs both zh and en text; delete it instead")
        if len(zh) > MAX_SENTENCE_CHARS or len(en) > MAX_SENTENCE_CHARS:
            raise InputError(
                f"{prefix}sentence {i + 1} is longer than {MAX_SENTENCE_CHARS} characters",
                hint="split it: the presenter reads one sentence per caption")
        _validate_edit(seg, i, len(script.segments), prefix)
    title_zh, title_en = script.title_zh.strip(), script.title_en.strip()
    if not title_zh or not title_en:
        raise InputError(f"{prefix}the headline is empty in one language",
                         hint="give both titles")
    for lang, title in (("zh", title_zh), ("en", title_en)):
        if len(title) > MAX_TITLE_CHARS:
            # said, not cut: a shortened headline on air is the reporter's call
            raise InputError(f"{prefix}the {_LANG_NAMES[lang]} headline is {len(title):,} "
                             f"characters; the limit is {MAX_TITLE_CHARS}",
                             hint="shorten it: it runs in the lower third of the clip")


def _validate_edit(seg: Segment, i: int, n: int, prefix: str) -> None:
    """A segment's shot and visual (the edit list): known names, and a visual that can be
    drawn. Whether an image file decodes is judged at render time, where a bad one falls
    back to the presenter alone with a warning instead of failing the clip."""
    where = f"{prefix}sentence {i + 1}"
    if seg.shot and seg.shot not in SHOTS:
        raise InputError(f"{where}: unknown shot {seg.shot!r}",
                         hint=f"use one of {', '.join(SHOTS)} (or leave it out to choose)")
    v = seg.visual
    if v is None:
        if seg.shot in ("ots", "full"):
            raise InputError(f"{where}: shot {seg.shot!r} needs a visual",
                             hint='give "visual", or set "shot": "presenter"')
        return
    if v.kind not in VISUAL_KINDS:
        raise InputError(f"{where}: unknown visual kind {v.kind!r}",
                         hint=f"use one of {', '.join(VISUAL_KINDS)}")
    if v.kind == "image" and (v.image is None or not str(v.image).strip()):
        raise InputError(f"{where}: an image visual needs \"image\" (a file path)",
                         hint="name a JPEG or PNG of the story")
    if v.kind == "chart" and (not v.sentences or any(not 0 <= k < n for k in v.sentences)):
        raise InputError(f"{where}: a chart needs \"sentences\", indexes 0–{n - 1} of the "
                         "sentences whose figures it compares",
                         hint="the values are read from those sentences, never typed in")
    if v.kind == "strap" and not (v.name_zh.strip() or v.name_en.strip()):
        raise InputError(f"{where}: a name strap needs name_zh or name_en",
                         hint="the person's name as it should read on screen")
