"""Layout geometry: inside the frame and the title-safe area, nothing overlapping."""

from __future__ import annotations

import pytest

from anchor.core.values import Box
from anchor.render.graphics.layout import Layout, inside, intersects, layout_for

SIZES = [
    (1920, 1080), (1280, 720), (3840, 2160), (320, 180), (1440, 1080),
    (1080, 1920), (720, 1280), (2160, 3840), (360, 640), (1080, 1350),
    (1080, 1080), (720, 720), (180, 180),
]
TICKER = [False, True]


def _frame(lay: Layout) -> Box:
    return Box(0, 0, lay.width, lay.height)


def _boxes(lay: Layout) -> dict[str, Box]:
    return {"presenter": lay.presenter, "name_plate": lay.name_plate, "headline": lay.headline,
            "caption": lay.caption, "logo": lay.logo, "safe": lay.safe}


def _all_boxes(lay: Layout) -> dict[str, Box]:
    boxes = _boxes(lay)
    boxes.update({f"card_slot{i}": b for i, b in enumerate(lay.card_slots)})
    if lay.ticker is not None:
        boxes["ticker"] = lay.ticker
    if lay.cover is not None:
        boxes["cover"] = lay.cover
    return boxes


@pytest.mark.parametrize("ticker", TICKER)
@pytest.mark.parametrize("size", SIZES)
def test_everything_inside_the_frame_and_even(size: tuple[int, int], ticker: bool) -> None:
    lay = layout_for(*size, ticker=ticker)
    assert (lay.ticker is not None) == ticker
    for name, b in _all_boxes(lay).items():
        assert b.w > 0 and b.h > 0, name
        assert inside(b, _frame(lay)), name
        # yuv420p: chroma is one sample per 2x2 pixels
        assert b.x % 2 == b.y % 2 == b.w % 2 == b.h % 2 == 0, name


@pytest.mark.parametrize("ticker", TICKER)
@pytest.mark.parametrize("size", SIZES)
def test_text_stays_in_the_title_safe_area(size: tuple[int, int], ticker: bool) -> None:
    lay = layout_for(*size, ticker=ticker)
    w, h = size
    safe = lay.safe
    assert safe.x >= 0.05 * w and safe.y >= 0.05 * h
    assert safe.x + safe.w <= 0.95 * w and safe.y + safe.h <= 0.95 * h
    assert safe.w >= 0.9 * w - 4 and safe.h >= 0.9 * h - 4  # even rounding only
    for b in (*lay.text_boxes, *lay.card_slots):
        assert inside(b, safe), b
    if lay.ticker is not None:
        # the band bleeds to the frame's sides (its text scrolls through), but stays
        # inside the safe area's height
        assert lay.ticker.y >= safe.y and lay.ticker.y + lay.ticker.h <= safe.y + safe.h


@pytest.mark.parametrize("ticker", TICKER)
@pytest.mark.parametrize("size", SIZES)
def test_text_boxes_do_not_overlap(size: tuple[int, int], ticker: bool) -> None:
    lay = layout_for(*size, ticker=ticker)
    assert not intersects(lay.caption, lay.lower_third)
    for slot in lay.card_slots:  # a figure card never covers captions or the lower third
        assert not intersects(slot, lay.caption) and not intersects(slot, lay.lower_third)
        assert not intersects(slot, lay.logo)
    if lay.ticker is not None:
        for b in (lay.caption, lay.lower_third, lay.logo, *lay.card_slots):
            assert not intersects(b, lay.ticker), b
    assert not intersects(lay.caption, lay.logo)
    assert not intersects(lay.logo, lay.lower_third)
    assert not intersects(lay.name_plate, lay.headline)
    # the name tab sits right on top of the band
    assert lay.name_plate.y + lay.name_plate.h == lay.headline.y
    # captions come below the lower third
    assert lay.caption.y >= lay.headline.y + lay.headline.h


@pytest.mark.parametrize("ticker", TICKER)
@pytest.mark.parametrize("size", SIZES)
def test_lower_third_leaves_the_face_free(size: tuple[int, int], ticker: bool) -> None:
    """The face lies in the upper half of the presenter picture; the lower third
    and the captions start below it."""
    lay = layout_for(*size, ticker=ticker)
    p = lay.presenter
    assert lay.lower_third.y >= p.y + 0.55 * p.h
    assert lay.caption.y >= p.y + 0.55 * p.h


@pytest.mark.parametrize("ticker", TICKER)
@pytest.mark.parametrize("size", SIZES)
def test_room_for_two_caption_lines(size: tuple[int, int], ticker: bool) -> None:
    lay = layout_for(*size, ticker=ticker)
    # a caption line box is ~1.45 em of Noto Sans SC
    assert lay.caption.h >= 2 * 1.45 * lay.caption_px
    assert lay.headline.h >= 1.4 * lay.headline_px * lay.headline_lines or lay.height < 400


def test_landscape_design() -> None:
    lay = layout_for(1920, 1080)
    assert lay.orientation == "landscape" and lay.ui_zone is None
    assert lay.safe == Box(96, 54, 1728, 972)
    # presenter centred, standing on the bottom edge
    assert lay.presenter.cx == 960 and lay.presenter.y + lay.presenter.h == 1080
    assert lay.logo.x == lay.safe.x and lay.logo.y == lay.safe.y  # top-left bug
    assert 40 <= lay.caption_px <= 54 and lay.headline_lines == 1


def test_portrait_design_for_phones() -> None:
    lay = layout_for(1080, 1920)
    land = layout_for(1920, 1080)
    assert lay.orientation == "portrait" and lay.ui_zone is not None
    # presenter larger (share of the frame) and higher than in 16:9
    p, q = lay.presenter, land.presenter
    assert p.w * p.h / (1080 * 1920) > q.w * q.h / (1920 * 1080)
    assert p.cy / 1920 < q.cy / 1080
    # captions end above the zone where apps draw their buttons and text
    assert lay.caption.y + lay.caption.h <= lay.ui_zone.y
    assert lay.ui_zone.y <= 0.80 * 1920
    assert lay.headline_lines == 2


def test_portrait_keeps_text_off_the_app_buttons() -> None:
    lay = layout_for(1080, 1920, ticker=True)
    assert lay.ui_side is not None and lay.ui_zone is not None
    for b in (lay.caption, lay.lower_third, *lay.card_slots):
        assert not intersects(b, lay.ui_side) and not intersects(b, lay.ui_zone), b
    # the logo bug sits below the app's tab bar
    assert lay.logo.y >= 0.07 * 1920
    # figure cards go under the head (over the chest), not beside it
    (slot,) = lay.card_slots
    assert slot.y >= 0.25 * 1920 and slot.y + slot.h <= lay.name_plate.y


def test_square_design() -> None:
    lay = layout_for(1080, 1080)
    land = layout_for(1920, 1080)
    assert lay.orientation == "square" and lay.ui_zone is None
    p = lay.presenter
    assert abs(p.cx - 540) <= 2 and p.y + p.h == 1080  # centred, on the bottom edge
    assert p.w < land.presenter.w  # slimmer, so a card fits at the shoulder
    right, left = lay.card_slots
    assert right.x > p.cx and left.x + left.w < p.cx
    assert right.w >= 0.28 * 1080  # wide enough for a readable number


def test_landscape_cards_stand_beside_the_presenter() -> None:
    lay = layout_for(1920, 1080)
    right, left = lay.card_slots
    assert not intersects(right, lay.presenter) and not intersects(left, lay.presenter)
    assert right.w >= 400 and right.h >= 400


def test_sizes_scale_with_the_frame_height() -> None:
    hd, uhd = layout_for(1920, 1080), layout_for(3840, 2160)
    for name in ("caption_px", "headline_px", "name_px", "title_px", "logo_px"):
        assert abs(getattr(uhd, name) - 2 * getattr(hd, name)) <= 2, name
    for a, b in zip(_boxes(hd).values(), _boxes(uhd).values(), strict=True):
        assert abs(b.x - 2 * a.x) <= 2 and abs(b.h - 2 * a.h) <= 4


@pytest.mark.parametrize("size", [(0, 1080), (1921, 1080), (1920, 1081), (-2, 4)])
def test_bad_sizes(size: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        layout_for(*size)
