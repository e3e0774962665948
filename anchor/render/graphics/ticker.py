"""The scrolling ticker: a band at the bottom with a fixed label and moving text.

The band and its label are still, so they are drawn into the still overlay with
the lower third (``draw_band``). Only the text strip moves: its text is drawn once
as one long transparent image, and each frame is a window into it, moved an even
number of pixels (yuv420p's chroma is one sample per 2x2 pixels, so an odd step
would shift colour against luma). A frame costs a copy of that thin strip.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from anchor.core.timing import Fps
from anchor.core.values import Box, Branding

from .lettering import Sprite, font, hex_rgb, ink_on, line_height

__all__ = ["TickerLayer", "draw_band", "ticker_boxes"]

_GAP_EM = 3.0  # space between the end of the text and its next pass, in ems


def band_colour(branding: Branding) -> tuple[int, int, int]:
    """The band's fill: the primary colour darkened, opaque (so the moving strip can be
    drawn once on it, whatever the studio behind)."""
    return tuple(round(0.35 * c) for c in hex_rgb(branding.primary))  # type: ignore[return-value]


def _label_font_px(band: Box, px: int) -> int:
    return max(6, min(px, round(0.62 * band.h)))


def ticker_boxes(band: Box, branding: Branding, font_file: Path, px: int) -> tuple[Box, Box]:
    """(label box, text strip) inside the ticker ``band``; both even."""
    f = font(font_file, _label_font_px(band, px))
    label = branding.ticker_label.strip()
    lw = round(f.getlength(label)) + 2 * int(f.size) if label else 0  # size: the int we asked
    lw += lw % 2
    inset = 2 * max(1, band.h // 16)  # the strip stays inside the band's top and bottom rules
    strip = Box(band.x + lw, band.y + inset, band.w - lw, band.h - 2 * inset)
    return Box(band.x, band.y, lw, band.h), strip


def draw_band(draw: ImageDraw.ImageDraw, band: Box, branding: Branding, font_file: Path,
              px: int) -> None:
    """The still part of the ticker: an opaque dark band with an accent top rule and
    the label box, into an RGBA overlay."""
    draw.rectangle((band.x, band.y, band.x + band.w - 1, band.y + band.h - 1),
                   fill=(*band_colour(branding), 255))
    rule = max(1, band.h // 16)
    draw.rectangle((band.x, band.y, band.x + band.w - 1, band.y + rule - 1),
                   fill=(*hex_rgb(branding.accent), 255))
    label_box, _ = ticker_boxes(band, branding, font_file, px)
    if label_box.w:
        draw.rectangle((label_box.x, label_box.y, label_box.x + label_box.w - 1,
                        label_box.y + label_box.h - 1), fill=(*hex_rgb(branding.highlight), 255))
        f = font(font_file, _label_font_px(band, px))
        ink = ink_on(hex_rgb(branding.highlight))
        draw.text((label_box.x + label_box.w / 2, label_box.y + label_box.h / 2),
                  branding.ticker_label.strip(), font=f, fill=(*ink, 255), anchor="mm",
                  stroke_width=max(0, round(f.size / 36)), stroke_fill=(*ink, 255))


class TickerLayer:
    """The moving text of the ticker as a scene layer (see anchor.render.scene.Layer).

    It runs between ``first`` and ``end`` (the studio part of the clip: the bumpers
    cover the bottom anyway) at ``speed`` frame heights per second."""

    def __init__(self, text: str, strip: Box, branding: Branding, font_file: Path, px: int,
                 fps: Fps, first: int, end: int, frame_h: int) -> None:
        self.box = strip
        self.first, self.end = first, end
        step = branding.ticker_speed * frame_h / fps
        self.step = max(2, 2 * round(step / 2))
        f = font(font_file, max(6, min(px, round(0.80 * strip.h))))
        gap = round(_GAP_EM * f.size)
        text = " ".join(text.split())
        one = round(f.getlength(text)) + gap
        self.period = one + one % 2  # even, so every window starts on an even column
        # enough passes that any window of the strip's width lies inside the image
        passes = 2 + strip.w // self.period
        # the text on the band's own colour: the strip is opaque, and a frame's strip is
        # a copy of a window of it (no blending per frame)
        img = Image.new("RGBA", (self.period * passes, strip.h), (*band_colour(branding), 255))
        draw = ImageDraw.Draw(img)
        fg = (*hex_rgb(branding.text), 255)
        base = (strip.h + line_height(f)) // 2 - f.getmetrics()[1]
        for k in range(passes):
            # starts off the right edge: the first pass scrolls in rather than popping up
            draw.text((k * self.period, base), text, font=f, fill=fg, anchor="ls")
        self._strip = np.asarray(img, dtype=np.uint8)
        self._blank = np.empty((strip.h, 1, 4), np.uint8)  # a column of bare band
        self._blank[..., :3] = band_colour(branding)
        self._blank[..., 3] = 255
        self._lead = strip.w  # blank columns before the first pass

    def key(self, frame: int) -> Hashable | None:
        if not self.first <= frame < self.end:
            return None
        return (frame - self.first) * self.step

    def sprite(self, frame: int) -> Sprite | None:
        moved = self.key(frame)
        if moved is None:
            return None
        assert isinstance(moved, int)
        w = self.box.w
        if moved < self._lead:
            # still scrolling in: blank on the left, the text's start on the right
            out = np.repeat(self._blank, w, axis=1)
            if moved:
                out[:, w - moved :] = self._strip[:, :moved]
            return Sprite(self.box, out, opaque=True)
        off = (moved - self._lead) % self.period
        return Sprite(self.box, self._strip[:, off : off + w], opaque=True)
