"""SubRip and WebVTT files, written and read through pysubs2."""

from __future__ import annotations

import re
from pathlib import Path

from ..cache import atomic_path
from ..models import Captions, Cue, Lang
from ..text import HAN

__all__ = ["parse_srt", "to_srt", "to_vtt", "write_captions"]


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def to_srt(c: Captions) -> str:
    """SubRip text: numbered cues, HH:MM:SS,mmm times, a blank line after each."""
    blocks = [
        f"{i}\n{_stamp(cue.start_ms, ',')} --> {_stamp(cue.end_ms, ',')}\n{cue.text}\n"
        for i, cue in enumerate(c.cues, 1)
    ]
    return "\n".join(blocks)


def to_vtt(c: Captions) -> str:
    """WebVTT text: header, HH:MM:SS.mmm times; &, < and > escaped as VTT requires."""
    blocks = ["WEBVTT\n"]
    for cue in c.cues:
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{_stamp(cue.start_ms, '.')} --> {_stamp(cue.end_ms, '.')}\n{text}\n")
    return "\n".join(blocks)


def _write_atomic(path: Path, text: str) -> None:
    with atomic_path(path, ".tmp") as tmp, tmp.open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_captions(c: Captions, srt_path: Path | None, vtt_path: Path | None) -> None:
    """Write SRT and/or VTT files; each appears whole or not at all (temp + rename)."""
    if srt_path is not None:
        _write_atomic(Path(srt_path), to_srt(c))
    if vtt_path is not None:
        _write_atomic(Path(vtt_path), to_vtt(c))


_SRT_TIME = r"(\d+):(\d{2}):(\d{2})[,.](\d{3})"
_SRT_CUE_RE = re.compile(rf"^\s*(?:\d+\s*\n)?\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}[^\n]*\n(.*)", re.S)


def parse_srt(text: str, language: Lang | None = None) -> Captions:
    """Read SubRip text back into Captions (tests and round trips).

    The language is guessed from the text (any Han character → zh) when not given.
    """
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").lstrip("\ufeff")):
        m = _SRT_CUE_RE.match(block)
        if not m:
            continue
        g = [int(x) for x in m.groups()[:8]]
        start = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
        end = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
        lines = tuple(line for line in m.group(9).strip("\n").split("\n") if line.strip())
        cues.append(Cue(start, end, lines))
    if language is None:
        language = "zh" if re.search(f"[{HAN}]", text) else "en"
    return Captions(language=language, cues=tuple(cues))
