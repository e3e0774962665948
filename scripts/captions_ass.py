"""Captions as an ASS subtitle file, styled like the burned-in ones: the bench's helper.

The renderers burn captions with Pillow (see anchor/render/text.py: a caption is
converted once per cue, where libass would blend it into every frame). scripts/bench
writes this file to time the other route, ffmpeg's ``subtitles=filename=PATH:fontsdir=DIR``
filter; the product does not use it, so it lives next to the bench. PlayResX/PlayResY
equal the video size, so positions and sizes are in video pixels, as libass needs to
draw them where the layout puts them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pysubs2

from anchor.core.values import Cue
from anchor.render.graphics.layout import Layout
from anchor.render.graphics.lettering import font

__all__ = ["FONT_FAMILY", "ass_text", "write_ass"]

FONT_FAMILY = "Noto Sans SC"
# ascent + descent of Noto Sans SC per em: libass sizes a font by that height,
# Pillow by the em, so ASS size = pixel size x this to get the same glyphs
_NOTO_LINE_PER_EM = 1.448


def _line_per_em(font_file: Path | None) -> float:
    if font_file is None or not font_file.is_file():
        return _NOTO_LINE_PER_EM
    ascent, descent = font(font_file, 1000).getmetrics()
    return (ascent + descent) / 1000


def _escape(line: str) -> str:
    # ASS reads {...} as override tags and backslash sequences as commands; news
    # text needs neither, so show look-alike full-width characters instead
    return line.replace("\\", "＼").replace("{", "｛").replace("}", "｝").strip()


def ass_text(
    cues: Sequence[Cue], layout: Layout, font_file: Path | None = None,
    family: str = FONT_FAMILY,
) -> str:
    """The ASS file for ``cues`` in ``layout``: white text on translucent dark boxes,
    one per line, bottom-centred in the caption area; cue lines joined with \\N."""
    subs = pysubs2.SSAFile()
    subs.info.update({
        "PlayResX": str(layout.width),
        "PlayResY": str(layout.height),
        "WrapStyle": "0",  # libass wraps a too-long line evenly instead of cutting it
        "ScaledBorderAndShadow": "yes",
        "YCbCr Matrix": "None",  # colours as written, no matrix guessing
    })
    area = layout.caption
    pad = max(1, round(0.25 * layout.caption_px))
    subs.styles = {
        "Default": pysubs2.SSAStyle(
            fontname=family,
            fontsize=round(layout.caption_px * _line_per_em(font_file)),
            primarycolor=pysubs2.Color(255, 255, 255, 0),
            secondarycolor=pysubs2.Color(255, 255, 255, 0),
            # BorderStyle 3 draws an opaque box per line in the outline colour;
            # alpha 87 of 255 transparent matches the burned captions' 168 opaque
            outlinecolor=pysubs2.Color(8, 12, 24, 87),
            backcolor=pysubs2.Color(0, 0, 0, 255),
            borderstyle=3,
            outline=pad,
            shadow=0,
            alignment=pysubs2.Alignment.BOTTOM_CENTER,
            marginl=area.x + pad,
            marginr=layout.width - (area.x + area.w) + pad,
            marginv=layout.height - (area.y + area.h) + pad,
        )
    }
    for cue in cues:
        lines = [_escape(line) for line in cue.lines if line.strip()]
        if lines and cue.end_ms > cue.start_ms:
            subs.append(pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms,
                                         text="\\N".join(lines), style="Default"))
    return subs.to_string("ass")


def write_ass(
    cues: Sequence[Cue], layout: Layout, path: Path, font_file: Path | None = None
) -> Path:
    """Write ``ass_text`` to ``path`` (UTF-8, via a temporary name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(ass_text(cues, layout, font_file), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
