"""SubRip and WebVTT files, written and read through pysubs2."""

from __future__ import annotations

import re
from pathlib import Path

import pysubs2

from anchor.core.cache import atomic_path
from anchor.core.values import Captions, Cue, Lang
from anchor.language.text import HAN

__all__ = ["parse_srt", "to_srt", "to_vtt", "write_captions"]


def _subs(c: Captions, escape: bool = False) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in c.cues:
        lines = [_vtt_escape(line) if escape else line for line in cue.lines]
        subs.events.append(pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms,
                                            text=r"\N".join(lines)))
    return subs


def _vtt_escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _to_string(subs: pysubs2.SSAFile, format_: str) -> str:
    # keep_ssa_tags: the text is ours, not ASS markup, so pysubs2 must not read "{...}"
    # as override tags (it would drop them); it still turns \N into a line break.
    text = str(subs.to_string(format_, keep_ssa_tags=True))
    # pysubs2 ends the last cue with a blank line; Anchor's files have always ended on
    # the cue's last line, so earlier renders and their checksums stay comparable.
    return text[:-1] if text.endswith("\n\n") else text


def to_srt(c: Captions) -> str:
    """SubRip text: numbered cues, HH:MM:SS,mmm times, a blank line between cues."""
    return _to_string(_subs(c), "srt")


def to_vtt(c: Captions) -> str:
    """WebVTT text: header, numbered cues, HH:MM:SS.mmm times; &, < and > escaped as
    VTT requires."""
    return _to_string(_subs(c, escape=True), "vtt")


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
