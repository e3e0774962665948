"""Where everything sits in a frame: pure geometry, no pixels.

Three designs, chosen by the frame's shape:

* landscape (16:9 and anything clearly wider than tall): a broadcast studio shot.
  The presenter stands in the middle, cut by the bottom edge of the frame; the
  lower third (name tab over a full-width headline band) covers the chest;
  captions sit under the band at the bottom of the title-safe area; the logo bug
  is top-left; figure cards stand beside the presenter, on the right.
* portrait (9:16, phones): the presenter is larger and higher (full width, from
  the top edge), the lower third sits just under the face, and the captions sit
  under it but above the bottom fifth of the screen, where short-video apps draw
  their own description text and buttons; text also keeps clear of the column of
  buttons on the right. Figure cards go under the head, above the lower third.
* square (1:1, feeds): the landscape design scaled into a square, with a narrower
  presenter so that a figure card fits at either shoulder.

With a ticker, a band along the bottom of the title-safe area (above the app UI
in portrait), the lower third and captions move up to make room for it.

Every size is a fraction of the frame height (fonts, bars, the presenter), and
horizontal positions a fraction of the width, so 720p, 1080p and 4K get the same
picture. Boxes are snapped to even pixels because the renderer writes yuv420p, whose
chroma planes have one sample per 2x2 pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from anchor.core.values import Box

__all__ = ["Layout", "inside", "intersects", "layout_for", "studio_layout", "union"]

Orientation = Literal["landscape", "portrait", "square"]

# Title-safe area: the centre 90% of the frame (EBU R 95 / SMPTE RP 2046-1), where
# text must stay so that no screen or crop cuts it.
TITLE_SAFE = 0.90
# Short-video apps (Douyin, TikTok, Reels, Shorts) cover roughly the bottom fifth
# of a vertical video with the caption of the post and the buttons ...
PORTRAIT_UI_ZONE = 0.20
# ... a column of buttons (like, comment, share) on the right from about mid-height ...
PORTRAIT_UI_SIDE = 0.12
# ... and their tab bar across the top.
PORTRAIT_UI_TOP = 0.07
# Width / height from which a frame counts as square, and from which as landscape.
SQUARE_FROM, LANDSCAPE_FROM = 0.9, 1.2


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
    # The visible AI label's room (graphics.label_tab): top-right, beside the logo, clear
    # of captions, the lower third and the phone apps' tab bar; kept free by every design.
    label: Box
    label_left: Box  # its room when a brand puts it top-left: under the logo
    ui_zone: Box | None  # where phone apps draw their own UI (portrait only)
    pad: int  # inner padding of plates and caption boxes
    caption_px: int
    headline_px: int
    headline_lines: int
    name_px: int
    title_px: int
    logo_px: int
    # Where a figure card may go, best first; the scene takes the first that keeps
    # clear of the presenter's moving head (a card must not cover the face).
    card_slots: tuple[Box, ...] = ()
    card_min_h: int = 0  # a slot may lose its top to the head down to this height
    ticker: Box | None = None  # the ticker band, when the brand has a ticker
    ticker_px: int = 0
    cover: Box | None = None  # the thumbnail's headline block
    cover_px: int = 0
    ui_side: Box | None = None  # the app's button column (portrait only)
    # The studio package (studio_layout): where the visuals go and where the presenter
    # stands. None / 0 in the plain layout.
    ots: Box | None = None  # the box over the presenter's shoulder
    full: Box | None = None  # a full-screen visual (in portrait: the upper part)
    label_corner: Box | None = None  # top-right, kept free of visuals for the AI label
    strap: Box | None = None  # a name strap
    face_x: float = 0.5  # where the presenter's face centre stands, share of the width
    face_y: float = 0.4  # ... and down the height
    face_px: int = 0  # the face height (hairline to chin) a medium close-up wants
    presenter_bottom: int = 0  # where the presenter is cut (hidden under the lower third)
    # 9:16 and 1:1: the second framing, for the shots with a visual above her. ``inset``
    # is what it covers (the frame from the top down to the desk), the face is
    # ``inset_face_px`` tall with its top at ``inset_head_top``. None: one framing.
    inset: Box | None = None
    inset_face_px: int = 0
    inset_head_top: int = 0

    @property
    def lower_third(self) -> Box:
        """The name tab and the band together."""
        return union(self.name_plate, self.headline)

    @property
    def text_boxes(self) -> tuple[Box, ...]:
        return (self.name_plate, self.headline, self.caption, self.logo, self.label,
                self.label_left)


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


def layout_for(width: int, height: int, *, ticker: bool = False) -> Layout:
    """The layout of a ``width`` x ``height`` frame (both even, as yuv420p needs);
    ``ticker`` makes room for a ticker band."""
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise ValueError(f"frame size must be positive and even, got {width}x{height}")
    ratio = width / height
    if ratio >= LANDSCAPE_FROM:
        return _landscape(width, height, ticker)
    if ratio >= SQUARE_FROM:
        return _square(width, height, ticker)
    return _portrait(width, height, ticker)


def _safe(w: int, h: int) -> Box:
    # round the margins up to even pixels so the box never pokes out of the 90% area
    x0 = 2 * math.ceil(w * (1 - TITLE_SAFE) / 4)
    y0 = 2 * math.ceil(h * (1 - TITLE_SAFE) / 4)
    return Box(x0, y0, w - 2 * x0, h - 2 * y0)


def _beside(presenter: Box, safe: Box, top: int, bottom: int, w: int, h: int,
            min_w: float) -> tuple[Box, Box]:
    """Card slots right and left of the presenter, between ``top`` and ``bottom``.
    Where the gap beside the presenter is narrow (4:3, square) the slot reaches over
    the shoulder: the scene still keeps it off the moving head."""
    gap = _even(0.02 * w)
    col = max(safe.x + safe.w - (presenter.x + presenter.w) - gap, _even(min_w))
    col = min(col, _even(0.42 * h), safe.w // 2)
    ch = min(bottom - top, _even(1.15 * col))
    y = top + (bottom - top - ch) // 2
    right = _box(safe.x + safe.w - col, y, col, ch)
    left = _box(safe.x, y, col, ch)
    return right, left


def _label_rooms(w: int, h: int, safe: Box, logo: Box, bottom: int) -> tuple[Box, Box]:
    """The AI label's rooms: top-right from the logo's row to ``bottom``, beside the
    logo's widest room; top-left under the logo, as wide as the right one."""
    gap = _even(0.02 * min(w, h)) or 2
    x0 = logo.x + logo.w + gap
    bottom = _even(bottom)
    right = Box(x0, logo.y, safe.x + safe.w - x0, max(2, bottom - logo.y))
    top = logo.y + logo.h + gap
    left = Box(safe.x, top, right.w, max(2, bottom - top))
    return right, left


def _landscape(w: int, h: int, ticker: bool) -> Layout:
    safe = _safe(w, h)
    pad = _even(0.012 * h) or 2
    tick_h = _even(0.048 * h) if ticker else 0

    # The presenter: a 4:5 portrait frame, 88% of the height, standing on the
    # bottom edge so no lower border shows; the face ends up in the upper half,
    # well above the lower third.
    ph = _even(0.88 * h)
    pw = min(_even(0.8 * ph), _even(0.6 * w))
    presenter = _box((w - pw) / 2, h - ph, pw, ph)
    return _studio(w, h, safe, pad, tick_h, presenter, "landscape", min_card_w=0.30 * h,
                   caption_px=_px(0.041 * h), headline_px=_px(0.044 * h),
                   name_px=_px(0.027 * h), cover_px=_px(0.100 * h))


def _square(w: int, h: int, ticker: bool) -> Layout:
    safe = _safe(w, h)
    pad = _even(0.012 * h) or 2
    tick_h = _even(0.048 * h) if ticker else 0
    # A slimmer frame than 16:9's, so that a card at either shoulder leaves the
    # face free: 4:5, 86% of the height, standing on the bottom edge.
    ph = _even(0.86 * h)
    pw = _even(0.8 * ph)
    presenter = _box((w - pw) / 2, h - ph, pw, ph)
    return _studio(w, h, safe, pad, tick_h, presenter, "square", min_card_w=0.30 * w,
                   caption_px=_px(0.041 * h), headline_px=_px(0.044 * h),
                   name_px=_px(0.027 * h), cover_px=_px(0.072 * h))


def _studio(w: int, h: int, safe: Box, pad: int, tick_h: int, presenter: Box,
            orientation: Orientation, *, min_card_w: float, caption_px: int,
            headline_px: int, name_px: int, cover_px: int) -> Layout:
    """Landscape and square: lower third over the chest, captions under it."""
    band = _box(safe.x, 0.715 * h - tick_h, safe.w, 0.080 * h)
    plate_h = _even(0.050 * h)
    name_plate = _box(safe.x, band.y - plate_h, min(0.5 * w, safe.w), plate_h)

    cap_top = band.y + band.h + _even(0.012 * h)
    cap_bottom = safe.y + safe.h - tick_h - (_even(0.008 * h) if tick_h else 0)
    caption = Box(safe.x, cap_top, safe.w, cap_bottom - cap_top)
    tick = Box(0, safe.y + safe.h - tick_h, w, tick_h) if tick_h else None

    logo_h = _even(0.064 * h)
    logo = Box(safe.x, safe.y, min(_even(0.30 * w), _even(7 * logo_h)), logo_h)
    label, label_left = _label_rooms(w, h, safe, logo, safe.y + _even(0.40 * h))
    top = logo.y + logo.h + _even(0.04 * h)
    slots = _beside(presenter, safe, top, name_plate.y - _even(0.03 * h), w, h, min_card_w)
    return Layout(
        width=w,
        height=h,
        orientation=orientation,
        safe=safe,
        presenter=presenter,
        name_plate=name_plate,
        headline=band,
        caption=caption,
        logo=logo,
        label=label,
        label_left=label_left,
        ui_zone=None,
        pad=pad,
        caption_px=caption_px,
        headline_px=headline_px,
        headline_lines=1,
        name_px=name_px,
        title_px=_px(0.8 * name_px),
        logo_px=_px(0.030 * h),
        card_slots=slots,
        card_min_h=_even(0.30 * h),
        ticker=tick,
        ticker_px=_px(0.026 * h),
        cover=_box(safe.x, 0.50 * h, safe.w, safe.y + safe.h - 0.50 * h),
        cover_px=cover_px,
    )


def _portrait(w: int, h: int, ticker: bool) -> Layout:
    safe = _safe(w, h)
    pad = _even(0.008 * h) or 2
    ui_top = _even((1 - PORTRAIT_UI_ZONE) * h)
    ui_zone = Box(0, ui_top, w, h - ui_top)
    side_x = _even((1 - PORTRAIT_UI_SIDE) * w)
    ui_side = Box(side_x, _even(0.45 * h), w - side_x, ui_top - _even(0.45 * h))
    tick_h = _even(0.030 * h) if ticker else 0

    # The presenter: the full width, from the top edge down under the lower third,
    # so no edge of the photo shows; the face lands in the upper third of the screen.
    presenter = _box(0, 0, w, 0.62 * h)

    # The lower third stops short of the button column, so no headline goes under it.
    name_px = _px(0.019 * h)
    headline_px = _px(0.025 * h)
    band = _box(safe.x, 0.600 * h - tick_h // 2, side_x - safe.x, 0.080 * h)
    plate_h = _even(0.032 * h)
    name_plate = _box(safe.x, band.y - plate_h, band.w, plate_h)

    # Captions: under the band, ending where the platform UI (or the ticker above it)
    # starts, centred, and narrow enough that the button column does not cover them.
    caption_px = _px(0.025 * h)
    cap_top = band.y + band.h + _even(0.010 * h)
    cap_x = w - side_x
    cap_bottom = ui_top - tick_h - (_even(0.006 * h) if tick_h else 0)
    caption = Box(cap_x, cap_top, w - 2 * cap_x, cap_bottom - cap_top)
    tick = Box(0, ui_top - tick_h, w, tick_h) if tick_h else None

    # The logo bug below the app's tab bar.
    logo_h = _even(0.036 * h)
    logo_y = max(safe.y, 2 * math.ceil(PORTRAIT_UI_TOP * h / 2))
    # (at most 40 % of the width: the AI label's room beside it takes "AI-generated" on one
    # line at the standard's size, so a bilingual label is two lines, above the face)
    logo = Box(safe.x, logo_y, min(_even(0.40 * w), _even(7 * logo_h)), logo_h)
    label, label_left = _label_rooms(w, h, safe, logo, _even(0.36 * h))
    # A card under the head: over the chest, above the name tab, clear of the buttons.
    card_bottom = name_plate.y - _even(0.014 * h)
    card_top = _even(0.30 * h)
    under_head = _box(safe.x, card_top, side_x - safe.x, card_bottom - card_top)
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
        label=label,
        label_left=label_left,
        ui_zone=ui_zone,
        pad=pad,
        caption_px=caption_px,
        headline_px=headline_px,
        headline_lines=2,
        name_px=name_px,
        title_px=_px(0.8 * name_px),
        logo_px=_px(0.017 * h),
        card_slots=(under_head,),
        card_min_h=_even(0.12 * h),
        ticker=tick,
        ticker_px=_px(0.016 * h),
        cover=_box(safe.x, 0.44 * h, side_x - safe.x, ui_top - 0.44 * h - 0.02 * h),
        cover_px=_px(0.046 * h),
        ui_side=ui_side,
    )


def studio_layout(width: int, height: int, *, ticker: bool = False,
                  label: Box | None = None) -> Layout:
    """The package's layout: the presenter cut out and standing on one third of the set
    (16:9), or large in the middle (9:16, 1:1); a box over her shoulder (16:9) or above
    her (9:16, 1:1) for a visual, the whole frame for a full-screen one. The top-right
    corner, mirroring the logo bug, stays free: the AI-generated label goes there. The
    presenter is cut at the desk, under the lower third (16:9, 1:1) or at the name tab
    (9:16). ``label``: where the clip's AI label is drawn (anchor.render.graphics.label_tab), which
    the visual boxes keep clear of; without it, a corner the logo's size is kept."""
    base = layout_for(width, height, ticker=ticker)
    w, h = width, height
    safe, logo = base.safe, base.logo
    if label is None:
        lw = min(logo.w, _even(safe.w / 2 - 0.02 * w))
        label = Box(safe.x + safe.w - lw, logo.y, lw, logo.h)
    top = label.y + label.h + _even(0.03 * h)
    cut = base.headline.y + base.headline.h - 2
    if base.orientation == "landscape":
        ow = _even(0.44 * w)
        top = max(top, _even(0.14 * h))
        oh = min(_even(ow * 9 / 16), base.name_plate.y - top - _even(0.03 * h))
        ots = Box(safe.x + safe.w - ow, top, ow, oh)
        strap = _box(ots.x, base.name_plate.y - 0.13 * h, ow, 0.095 * h)
        return replace(base, ots=ots, full=Box(0, 0, w, h), label_corner=label, strap=strap,
                       face_x=0.27, face_y=0.35, face_px=_even(0.20 * h),
                       presenter_bottom=cut, card_slots=(ots,))
    if base.orientation == "portrait":
        return _studio_portrait(base, label)
    # 1:1 (feeds, no app UI): the landscape lower third; a large presenter in the
    # presenter shots, the visual on the upper half with her smaller under it otherwise
    vis_w = _even(0.62 * w)
    vis_h = _even(vis_w * 9 / 16)
    ots = Box(_even((w - vis_w) / 2), top, vis_w, vis_h)
    full = Box(0, 0, w, base.name_plate.y - _even(0.01 * h))
    head_top = ots.y + ots.h + _even(0.02 * h)
    # the small framing: head and shoulders between the visual and the name tab
    inset_face = _even((base.name_plate.y - head_top) / 1.9)
    strap = _box(safe.x, base.name_plate.y - 0.12 * h, min(safe.w, 0.62 * w), 0.085 * h)
    slot = Box(safe.x, top, safe.w, base.name_plate.y - _even(0.02 * h) - top)
    return replace(base, ots=ots, full=full, label_corner=label, strap=strap, face_x=0.5,
                   face_y=0.36, face_px=_even(0.22 * h), presenter_bottom=cut,
                   card_slots=(slot,), card_min_h=_even(0.22 * h),
                   inset=Box(0, 0, w, cut), inset_face_px=inset_face,
                   inset_head_top=head_top)


def _studio_portrait(base: Layout, label: Box) -> Layout:
    """9:16 as short-video news is cut: the headline across the top under the logo row,
    the presenter large in the middle (a medium close-up that fills the width when her
    photo has the detail), cut at a desk; her name tab on the desk line and large
    captions under it, all clear of the app's bar, description zone and buttons. With a
    visual, it goes on the upper half (a 16:9 box under the headline) and she stands
    under it, smaller."""
    w, h, safe, logo = base.width, base.height, base.safe, base.logo
    assert base.ui_zone is not None and base.ui_side is not None
    ui_top, side_x = base.ui_zone.y, base.ui_side.x
    tick_h = base.ticker.h if base.ticker is not None else 0
    pad = base.pad
    headline_px = _px(0.027 * h)
    # the headline runs under the logo row, and under the AI label when it reaches lower
    row_bottom = max(logo.y + logo.h, label.y + label.h)
    band = Box(safe.x, row_bottom + _even(0.012 * h), safe.w, _even(0.074 * h))
    vis_w = _even(0.88 * w)
    vis_h = _even(vis_w * 9 / 16)
    ots = Box(_even((w - vis_w) / 2), band.y + band.h + _even(0.012 * h), vis_w, vis_h)
    # captions: big, centred clear of the button column, ending above the app's zone
    # (or the ticker above it); the name tab sits on the desk line above them
    caption_px = _px(0.033 * h)
    plate_h = _even(0.030 * h)
    cap_bottom = ui_top - tick_h - _even(0.006 * h)
    cap_h = _even(3.1 * caption_px + 0.02 * h)  # two lines at full size, three a bit smaller
    cap_top = cap_bottom - cap_h
    cut = _even(cap_top - 0.008 * h - plate_h / 2)
    plate = Box(safe.x, _even(cut - plate_h / 2), min(_even(0.62 * w), side_x - safe.x),
                plate_h)
    caption = Box(w - side_x, cap_top, 2 * side_x - w, cap_h)
    head_top = ots.y + ots.h + _even(0.012 * h)
    inset_face = _even((plate.y - head_top) / 2.3)
    full = Box(0, 0, w, plate.y - pad)
    strap = _box(safe.x, plate.y - 0.085 * h, min(safe.w, side_x - safe.x), 0.07 * h)
    slot = Box(safe.x, ots.y, side_x - safe.x, plate.y - _even(0.015 * h) - ots.y)
    return replace(
        base, headline=band, headline_px=headline_px, headline_lines=2, name_plate=plate,
        name_px=_px(0.020 * h), title_px=_px(0.016 * h), caption=caption,
        caption_px=caption_px, ots=ots, full=full, label_corner=label, strap=strap,
        face_x=0.5, face_y=0.33, face_px=_even(0.17 * h), presenter_bottom=cut,
        card_slots=(slot,), card_min_h=_even(0.14 * h), inset=Box(0, 0, w, cut),
        inset_face_px=inset_face, inset_head_top=head_top)
