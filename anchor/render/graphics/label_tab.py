"""The visible AI label as a render layer: "AI合成主播" / "AI-generated" in a
solid tab in the layout's label room (``Layout.label``, top-right; ``label_left`` under
the logo), drawn over everything, bumpers included, from the first frame.

The text is sized by the standard's minimum (anchor.core.ai_labels): the ink height of its
capitals and Han characters at least ``label.size`` of the frame's shorter side. A line
too wide for the room wraps at spaces; one that cannot fit is an error, never a smaller
label. The tab is opaque so that it reads on any picture, and so that ``anchor check``
can find its exact pixels in the encoded frames (``label_found``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anchor.core.ai_labels import VisibleLabel
from anchor.core.errors import InputError
from anchor.core.timing import Fps, frame_count
from anchor.core.values import Box
from anchor.language.text import HAN

from .layout import Layout
from .lettering import Sprite, font, hex_rgb, wrap

__all__ = ["LabelLayer", "LabelPlan", "label_frames", "label_plan", "label_sprite",
           "text_height"]

_MAX_LINES = 4


def text_height(f: ImageFont.FreeTypeFont, text: str) -> int:
    """The label's text height in pixels as the standard measures it here: the ink
    height of its capital letters (as "H") and of its Han characters (as "国"), the
    smaller where both occur."""
    heights = []
    if any(ch.isascii() and (ch.isupper() or ch.isdigit()) for ch in text):
        heights.append(_ink(f, "H"))
    if any("\u4e00" <= ch <= "\u9fff" or ch in HAN for ch in text):
        heights.append(_ink(f, "国"))
    return min(heights) if heights else _ink(f, text)


def _ink(f: ImageFont.FreeTypeFont, text: str) -> int:
    _, top, _, bottom = f.getbbox(text, anchor="ls")
    return int(bottom - top)


@dataclass(frozen=True, slots=True)
class LabelPlan:
    """Where the label goes and how it is set: what the renderers draw, the manifest
    records and the check looks for."""

    box: Box  # the tab, frame pixels, even edges
    lines: tuple[str, ...]
    px: int  # font size (em)
    text_px: int  # measured text height (text_height)
    min_text_px: int  # what the label's size asks at this frame size (≥ the standard's)
    short_side: int  # the frame's shorter side

    @property
    def share(self) -> float:
        """The text height as a share of the frame's shorter side."""
        return self.text_px / self.short_side


def _even_up(v: float) -> int:
    return 2 * math.ceil(v / 2)


def label_plan(label: VisibleLabel, font_file: Path, layout: Layout) -> LabelPlan:
    """Size and place ``label`` in ``layout``; InputError when it cannot fit its room."""
    short = min(layout.width, layout.height)
    need = math.ceil(label.size * short)
    px = max(6, need)
    sample = " ".join(label.lines) or label.text
    # the smallest em size whose capitals (or Han) are at least ``need`` tall
    while text_height(font(font_file, px), sample) < need:
        px += 1
    f = font(font_file, px)
    room = layout.label if label.position == "top-right" else layout.label_left
    pad_x, pad_y = max(2, round(0.40 * px)), max(2, round(0.16 * px))
    lines: list[str] = []
    for line in label.lines:
        wrapped = wrap(line, f, room.w - 2 * pad_x, _MAX_LINES)
        # a label breaks between words (or Han characters), never inside a word
        whole = all(any(word in part for part in wrapped) for word in line.split())
        if not wrapped or not whole or wrapped[-1].endswith("…") or any(
                f.getlength(w) > room.w - 2 * pad_x for w in wrapped):
            raise InputError(
                f"the AI label {line!r} does not fit its corner of a "
                f"{layout.width}x{layout.height} frame at the standard's text size",
                hint="shorten [ai_label] text in the brand (the size may not go below "
                     "5 % of the frame's shorter side: GB 45438-2025)")
        lines.extend(wrapped)
    step = round(1.20 * px)
    ascent, descent = f.getmetrics()
    w = _even_up(max(f.getlength(line) for line in lines) + 2 * pad_x)
    h = _even_up((len(lines) - 1) * step + ascent + descent + 2 * pad_y - round(0.18 * px))
    if w > room.w or h > room.h:
        raise InputError(
            f"the AI label needs {w}x{h} px, its room in a {layout.width}x{layout.height} "
            f"frame is {room.w}x{room.h}",
            hint="shorten [ai_label] text in the brand, or give it fewer lines")
    x = room.x + room.w - w if label.position == "top-right" else room.x
    return LabelPlan(box=Box(x - x % 2, room.y, w, h), lines=tuple(lines), px=px,
                     text_px=text_height(f, sample), min_text_px=need, short_side=short)


def label_sprite(label: VisibleLabel, font_file: Path, plan: LabelPlan) -> Sprite:
    """The tab: a rounded box in the label's background colour, the lines centred."""
    b = plan.box
    scale = 4  # the corners drawn large and scaled down: smooth at any size
    bg = (*hex_rgb(label.background), 255)
    corner = Image.new("L", (b.w * scale, b.h * scale), 0)
    ImageDraw.Draw(corner).rounded_rectangle(
        (0, 0, b.w * scale - 1, b.h * scale - 1), radius=max(2, round(0.28 * plan.px)) * scale,
        fill=255)
    alpha = corner.resize((b.w, b.h), Image.Resampling.LANCZOS)
    img = Image.new("RGBA", (b.w, b.h), bg)
    img.putalpha(alpha)
    draw = ImageDraw.Draw(img)
    f = font(font_file, plan.px)
    ink = (*hex_rgb(label.colour), 255)
    step = round(1.20 * plan.px)
    ascent, descent = f.getmetrics()
    block = (len(plan.lines) - 1) * step + ascent + descent - round(0.18 * plan.px)
    y = (b.h - block) / 2 + ascent - round(0.09 * plan.px)
    for line in plan.lines:
        # the Regular weight with a thin stroke of its own colour reads as bold
        draw.text((b.w / 2, y), line, font=f, fill=ink, anchor="ms",
                  stroke_width=max(0, round(plan.px / 40)), stroke_fill=ink)
        y += step
    return Sprite(b, np.asarray(img, dtype=np.uint8))


def label_frames(label: VisibleLabel, fps: Fps, n_frames: int) -> int:
    """How many frames from the first show the label: all of them when it stays in its
    corner, else its opening (at least the standard's 2 s, or the whole clip)."""
    if label.throughout:
        return n_frames
    return min(n_frames, frame_count(label.opening_ms, fps))


class LabelLayer:
    """The label as a timed layer: one picture, on from frame 0 to ``end``."""

    def __init__(self, sprite: Sprite, end: int) -> None:
        self._sprite, self.end = sprite, end

    def key(self, frame: int) -> Hashable | None:
        return "on" if 0 <= frame < self.end else None

    def sprite(self, frame: int) -> Sprite | None:
        return self._sprite if 0 <= frame < self.end else None
