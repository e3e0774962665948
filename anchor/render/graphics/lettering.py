"""Text drawn with Pillow: fonts, line wrapping for CJK and Latin, caption sprites.

Captions are drawn here rather than by libass in ffmpeg because a caption changes a
few times a minute while libass blends it into every frame: the fast renderer
converts a caption once per cue, and the reference renderer uses the very same
pixels, so the two can be compared frame for frame.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anchor.core.errors import RenderError
from anchor.core.values import Box
from anchor.language.text import HAN

from .layout import Layout

__all__ = [
    "ELLIPSIS",
    "Sprite",
    "caption_sprite",
    "check_font",
    "ellipsize",
    "fit_lines",
    "font",
    "hex_rgb",
    "ink_on",
    "line_height",
    "wrap",
    "wrap_balanced",
]

ELLIPSIS = "…"

# Break units: a run of spaces, one CJK character with any closing punctuation that
# must not start a line (kinsoku), an opening bracket glued to what follows, or a
# run of other non-space characters (a Latin word with its punctuation, a number).
_CJK = "\u2e80-\u2fff\u3040-\u30ff\u3100-\u31ff" + HAN  # radicals, kana, bopomofo, Han
_CLOSE = r"，。、；：！？）》」』】〕〉”’%％,.;:!?)\]}"
_OPEN = r"（《「『【〔〈“‘(\["
_UNIT = re.compile(
    rf"\s+|[{_OPEN}]*[{_CJK}\u3000-\u303f\uff00-\uffef][{_CLOSE}]*|[^\s{_CJK}\u3000-\u303f\uff00-\uffef]+"
)


@dataclass(frozen=True, slots=True, eq=False)
class Sprite:
    """An RGBA image (uint8, straight alpha) and where it goes in the frame.
    ``opaque``: every alpha is 255, so laying it over is a copy (bumpers, ticker)."""

    box: Box
    rgba: np.ndarray
    opaque: bool = False
    # An RGB picture laid at one alpha for all its pixels (a full-screen picture
    # dissolving): ``rgba`` may then be RGB, and laying it is one weighted sum.
    level: float = 1.0

    def with_alpha(self) -> np.ndarray:
        """The picture as straight-alpha RGBA, whatever form it is kept in."""
        if self.rgba.shape[2] == 4:
            return self.rgba
        a = np.full(self.rgba.shape[:2], round(255 * self.level), np.uint8)
        return np.dstack([self.rgba, a])


def check_font(path: Path) -> Path:
    """The font file, or a RenderError that says how to get it."""
    if not path.is_file():
        raise RenderError(
            f"font not found: {path}",
            hint="the CJK font comes from the font-cjk model: run `anchor models fetch`",
        )
    return path


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """A cached font at ``size`` pixels (em size)."""
    # one FreeType face per thread: the pipeline may render clips in threads, and a
    # FreeType face must not be used by two threads at once
    return _font(path, size, threading.get_ident())


@functools.lru_cache(maxsize=64)
def _font(path: Path, size: int, _thread: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(str(check_font(path)), size)
    except OSError as exc:
        raise RenderError(f"cannot load font {path}: {exc}", hint="re-fetch the font") from exc


def line_height(f: ImageFont.FreeTypeFont) -> int:
    ascent, descent = f.getmetrics()
    return ascent + descent


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """'#0B3D91' → (11, 61, 145); a RenderError names the bad branding colour."""
    c = colour.strip().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if len(c) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in c):
        raise RenderError(f"bad colour {colour!r}", hint="use #RRGGBB in the branding")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def ink_on(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """Text colour that reads on ``colour``: white on dark or saturated fills, a near
    black on light ones (a gold name tab, a yellow label)."""
    r, g, b = (c / 255 for c in colour)
    luma = 0.2126 * r + 0.7152 * g + 0.0722 * b  # BT.709 weights, on gamma values
    return (255, 255, 255) if luma < 0.58 else (28, 20, 18)


def _split_long(unit: str, f: ImageFont.FreeTypeFont, max_w: float) -> list[str]:
    """Break a unit wider than a line (a URL, a long number) between characters."""
    parts: list[str] = []
    cur = ""
    for ch in unit:
        if cur and f.getlength(cur + ch) > max_w:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


_TRIM = " ,.;:，、；："


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _cut(text: str, f: ImageFont.FreeTypeFont, max_w: float) -> str:
    """``text`` shortened until it plus an ellipsis fits, with the ellipsis; an English
    word is not cut in half when a whole one can end the line instead."""
    full = text
    while text and f.getlength(text.rstrip(_TRIM) + ELLIPSIS) > max_w:
        text = text[:-1]
    if 0 < len(text) < len(full) and _latin(text[-1]) and _latin(full[len(text)]):
        space = text.rfind(" ")
        if space >= len(text) // 2:
            text = text[:space]
    return text.rstrip(_TRIM) + ELLIPSIS


def ellipsize(text: str, f: ImageFont.FreeTypeFont, max_w: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``max_w``; unchanged if it fits."""
    text = text.rstrip()
    return text if f.getlength(text) <= max_w else _cut(text, f, max_w)


def wrap(text: str, f: ImageFont.FreeTypeFont, max_w: float, max_lines: int) -> list[str]:
    """Greedy line breaking for mixed Chinese/English; the last line gets an ellipsis
    when the text needs more than ``max_lines`` lines."""
    lines: list[str] = []
    cur = ""
    units = _UNIT.findall(" ".join(text.split()))
    for unit in units:
        if unit.isspace():
            cur += " " if cur else ""
            continue
        if f.getlength(cur + unit) <= max_w:
            cur += unit
            continue
        if cur.strip():
            lines.append(cur.rstrip())
        pieces = _split_long(unit, f, max_w) if f.getlength(unit) > max_w else [unit]
        lines.extend(pieces[:-1])
        cur = pieces[-1]
    if cur.strip():
        lines.append(cur.rstrip())
    if len(lines) > max_lines:
        # the text goes on beyond what we show: say so on the last line
        rest = lines[max_lines - 1] + " " + lines[max_lines]
        lines = [*lines[: max_lines - 1], _cut(rest, f, max_w)]
    return lines


def _block_height(n: int, f: ImageFont.FreeTypeFont) -> int:
    return n * _box_height(f) + (n - 1) * _gap(f)


def _box_height(f: ImageFont.FreeTypeFont) -> int:
    # Noto's ascent/descent leave room for accents; a slightly tighter box reads better
    return round(line_height(f) * 0.92) + 2 * max(1, round(0.06 * f.size))


def _gap(f: ImageFont.FreeTypeFont) -> int:
    return max(1, round(0.12 * f.size))


def _is_latin(line: str) -> bool:
    return not re.search(f"[{_CJK}]", line)


def _paragraphs(lines: Sequence[str]) -> list[str]:
    """Consecutive lines of one script joined: a cue's English lines become one
    paragraph to re-wrap, its Chinese lines another; the two never mix."""
    paras: list[str] = []
    prev_latin: bool | None = None
    for line in lines:
        latin = _is_latin(line)
        if paras and latin == prev_latin:
            glue = " " if _latin(paras[-1][-1]) or _latin(line[0]) or latin else ""
            paras[-1] = paras[-1] + glue + line
        else:
            paras.append(line)
        prev_latin = latin
    return paras


def _balanced(text: str, f: ImageFont.FreeTypeFont, max_w: float) -> list[str]:
    """Wrapped into as few lines as greedy wrapping needs, but of even lengths, so no
    lone word dangles on the last line."""
    lines = wrap(text, f, max_w, 99)
    if len(lines) < 2:
        return lines
    lo, hi = max_w / len(lines), max_w
    for _ in range(12):  # the narrowest width that still needs no extra line
        mid = (lo + hi) / 2
        if len(wrap(text, f, mid, 99)) > len(lines):
            lo = mid
        else:
            hi = mid
    return wrap(text, f, hi, 99)


def wrap_balanced(text: str, f: ImageFont.FreeTypeFont, max_w: float, max_lines: int
                  ) -> list[str]:
    """Like ``wrap``, but lines of even lengths when it needs more than one and no
    more than ``max_lines`` (a headline without one word dangling on its last line)."""
    lines = wrap(text, f, max_w, 99)
    if len(lines) > max_lines:
        return wrap(text, f, max_w, max_lines)
    return _balanced(text, f, max_w)


def fit_lines(
    lines: Sequence[str], font_file: Path, size: int, max_w: float, max_h: float
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The font and lines with which a caption fits the area. Preferred: the lines as
    given (the caption stage split them) at full size, else a little smaller (down to
    80%); then re-wrapped into even lines, one paragraph per script (a bilingual cue
    keeps its Chinese and English apart), down to 70%. Losing words is the last
    resort: the last line that fits then ends with an ellipsis."""
    def at(scale: float) -> ImageFont.FreeTypeFont:
        return font(font_file, max(6, round(size * scale)))

    for scale in (1.0, 0.95, 0.9, 0.85, 0.8):
        f = at(scale)
        fits_width = all(f.getlength(line) <= max_w for line in lines)
        if fits_width and _block_height(len(lines), f) <= max_h:
            return f, list(lines)
    paras = _paragraphs(lines)
    for scale in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7):
        f = at(scale)
        wrapped = [part for para in paras for part in _balanced(para, f, max_w)]
        if _block_height(len(wrapped), f) <= max_h:
            return f, wrapped
    fits = 1
    while _block_height(fits + 1, f) <= max_h:
        fits += 1
    kept = wrapped[:fits]
    if len(wrapped) > fits:
        kept[-1] = _cut(kept[-1] + " " + wrapped[fits], f, max_w)
    return f, kept


def caption_sprite(lines: Sequence[str], layout: Layout, font_file: Path) -> Sprite | None:
    """A cue's lines as white text on translucent dark boxes, one box per line
    (the look of broadcast captions), bottom-centred in ``layout.caption``."""
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return None
    area = layout.caption
    pad_x = max(2, round(0.35 * layout.caption_px))
    f, lines = fit_lines(lines, font_file, layout.caption_px, area.w - 2 * pad_x, area.h)
    ascent, descent = f.getmetrics()
    box_h, gap = _box_height(f), _gap(f)
    widths = [round(f.getlength(line)) + 2 * pad_x for line in lines]
    total_h = len(lines) * box_h + (len(lines) - 1) * gap
    w = min(area.w, max(widths))
    w += w % 2
    h = min(area.h, total_h)
    h += h % 2
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    radius = max(1, round(0.14 * f.size))
    y = h - total_h  # bottom-anchored: if it must be cut, the top line goes
    for line, lw in zip(lines, widths, strict=True):
        x = (w - lw) // 2
        draw.rounded_rectangle((x, y, x + lw - 1, y + box_h - 1), radius, fill=(8, 12, 24, 168))
        # centre the glyphs on the box using the font's own line metrics, so Chinese
        # and Latin lines sit at the same height and descenders are never cut
        ty = y + (box_h - (ascent + descent)) // 2
        draw.text((w // 2, ty + ascent), line, font=f, fill=(255, 255, 255, 255), anchor="ms")
        y += box_h + gap
    x0 = area.x + (area.w - w) // 2
    x0 -= x0 % 2
    box = Box(x0, area.y + area.h - h, w, h)
    return Sprite(box, np.asarray(img, dtype=np.uint8))
