"""Where everything sits in a frame: pure geometry, no pixels.

Two designs, chosen by the frame's shape:

* landscape (16:9 and anything wider than tall): a broadcast studio shot. The
  presenter stands in the middle, cut by the bottom edge of the frame; the lower
  third (name tab over a full-width headline band) covers the chest; captions sit
  under the band at the bottom of the title-safe area; the logo bug is top-left.
* portrait (9:16, phones): the presenter is larger and higher (full width, from
  the top edge), the lower third sits just under the face, and the captions
  sit under it but above the bottom fifth of the screen, where short-video apps
  draw their own description text and buttons.

Every size is a fraction of the frame height (fonts, bars, the presenter), and
horizontal positions a fraction of the width, so 720p, 1080p and 4K get the same
picture. Boxes are snapped to even pixels because the renderer writes yuv420p, whose
chroma planes have one sample per 2x2 pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..models import Box

__all__ = ["Layout", "inside", "intersects", "layout_for", "union"]

Orientation = Literal["landscape", "portrait"]

# Title-safe area: the centre 90% of the frame (EBU R 95 / SMPTE RP 2046-1), where
# text must stay so that no screen or crop cuts it.
TITLE_SAFE = 0.90
# Short-video apps (Douyin, TikTok, Reels, Shorts) cover roughly the bottom fifth
# of a vertical video with the caption of the post and the buttons.
PORTRAIT_UI_ZONE = 0.20


@dataclass(frozen=True, slots=True)
class Layout:
    """Boxes and font sizes (pixels) for one frame size."""

    width: int
    height: int
    orientation: Orientation
    safe: Box  # title-safe area: every text box lies inside it
    presenter: Box  # the presenter's picture (PresenterTrack draws into it)
    name_plate: Box  # tab with the presenter's name and title, above the band
    headline: Box  # the lower-third band that carries the headline
    caption: Box  # captions are bottom-centred inside this area
    logo: Box  # the most room the logo bug may take, top-left
    ui_zone: Box | None  # where phone apps draw their own UI (portrait only)
    pad: int  # inner padding of plates and caption boxes
    caption_px: int
    headline_px: int
    headline_lines: int
    name_px: int
    title_px: int
    logo_px: int

    @property
    def lower_third(self) -> Box:
        """The name tab and the band together."""
        return union(self.name_plate, self.headline)

    @property
    def text_boxes(self) -> tuple[Box, ...]:
        return (self.name_plate, self.headline, self.caption, self.logo)


def _even(v: float) -> int:
    """Nearest even integer: yuv420p needs even offsets and sizes."""
    return 2 * round(v / 2)


def _box(x: float, y: float, w: float, h: float) -> Box:
    return Box(_even(x), _even(y), max(2, _even(w)), max(2, _even(h)))


def _px(v: float) -> int:
    # tiny test frames still get legible-in-principle fonts rather than size 0
    return max(6, round(v))


def union(a: Box, b: Box) -> Box:
    x0, y0 = min(a.x, b.x), min(a.y, b.y)
    x1, y1 = max(a.x + a.w, b.x + b.w), max(a.y + a.h, b.y + b.h)
    return Box(x0, y0, x1 - x0, y1 - y0)


def intersects(a: Box, b: Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def inside(inner: Box, outer: Box) -> bool:
    return (
        inner.x >= outer.x
        and inner.y >= outer.y
        and inner.x + inner.w <= outer.x + outer.w
        and inner.y + inner.h <= outer.y + outer.h
    )


def layout_for(width: int, height: int) -> Layout:
    """The layout of a ``width`` x ``height`` frame (both even, as yuv420p needs)."""
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise ValueError(f"frame size must be positive and even, got {width}x{height}")
    return _landscape(width, height) if width >= height else _portrait(width, height)


def _safe(w: int, h: int) -> Box:
    # round the margins up to even pixels so the box never pokes out of the 90% area
    x0 = 2 * math.ceil(w * (1 - TITLE_SAFE) / 4)
    y0 = 2 * math.ceil(h * (1 - TITLE_SAFE) / 4)
    return Box(x0, y0, w - 2 * x0, h - 2 * y0)


def _landscape(w: int, h: int) -> Layout:
    safe = _safe(w, h)
    pad = _even(0.012 * h) or 2

    # The presenter: a 4:5 portrait frame, 88% of the height, standing on the
    # bottom edge so no lower border shows; the face ends up in the upper half,
    # well above the lower third.
    ph = _even(0.88 * h)
    pw = min(_even(0.8 * ph), _even(0.6 * w))
    presenter = _box((w - pw) / 2, h - ph, pw, ph)

    headline_px = _px(0.044 * h)
    band = _box(safe.x, 0.715 * h, safe.w, 0.080 * h)
    name_px = _px(0.027 * h)
    plate_h = _even(0.050 * h)
    name_plate = _box(safe.x, band.y - plate_h, min(0.5 * w, safe.w), plate_h)

    caption_px = _px(0.041 * h)
    cap_top = band.y + band.h + _even(0.012 * h)
    caption = Box(safe.x, cap_top, safe.w, safe.y + safe.h - cap_top)

    logo_h = _even(0.064 * h)
    logo = Box(safe.x, safe.y, min(_even(0.30 * w), _even(7 * logo_h)), logo_h)
    return Layout(
        width=w,
        height=h,
        orientation="landscape",
        safe=safe,
        presenter=presenter,
        name_plate=name_plate,
        headline=band,
        caption=caption,
        logo=logo,
        ui_zone=None,
        pad=pad,
        caption_px=caption_px,
        headline_px=headline_px,
        headline_lines=1,
        name_px=name_px,
        title_px=_px(0.8 * name_px),
        logo_px=_px(0.030 * h),
    )


def _portrait(w: int, h: int) -> Layout:
    safe = _safe(w, h)
    pad = _even(0.008 * h) or 2
    ui_top = _even((1 - PORTRAIT_UI_ZONE) * h)
    ui_zone = Box(0, ui_top, w, h - ui_top)

    # The presenter: the full width, from the top edge down under the lower third,
    # so no edge of the photo shows; the face lands in the upper third of the screen.
    presenter = _box(0, 0, w, 0.62 * h)

    name_px = _px(0.019 * h)
    headline_px = _px(0.025 * h)
    band = _box(safe.x, 0.600 * h, safe.w, 0.080 * h)
    plate_h = _even(0.032 * h)
    name_plate = _box(safe.x, band.y - plate_h, safe.w, plate_h)

    # Captions: under the band, ending where the platform UI starts, and narrower
    # than the safe area so the right-hand button column does not cover them.
    caption_px = _px(0.025 * h)
    cap_top = band.y + band.h + _even(0.010 * h)
    cap_x = _even(0.08 * w)
    caption = Box(cap_x, cap_top, w - 2 * cap_x, ui_top - cap_top)

    logo_h = _even(0.036 * h)
    logo = Box(safe.x, safe.y, min(_even(0.55 * w), _even(7 * logo_h)), logo_h)
    return Layout(
        width=w,
        height=h,
        orientation="portrait",
        safe=safe,
        presenter=presenter,
        name_plate=name_plate,
        headline=band,
        caption=caption,
        logo=logo,
        ui_zone=ui_zone,
        pad=pad,
        caption_px=caption_px,
        headline_px=headline_px,
        headline_lines=2,
        name_px=name_px,
        title_px=_px(0.8 * name_px),
        logo_px=_px(0.017 * h),
    )
