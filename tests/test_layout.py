"""Layout geometry: inside the frame and the title-safe area, nothing overlapping."""

from __future__ import annotations

import pytest

from anchor.models import Box
from anchor.render.layout import Layout, inside, intersects, layout_for

SIZES = [
    (1920, 1080), (1280, 720), (3840, 2160), (320, 180), (1440, 1080),
    (1080, 1920), (720, 1280), (2160, 3840), (360, 640), (1080, 1350),
]


def _frame(lay: Layout) -> Box:
    return Box(0, 0, lay.width, lay.height)


def _boxes(lay: Layout) -> dict[str, Box]:
    return {"presenter": lay.presenter, "name_plate": lay.name_plate, "headline": lay.headline,
            "caption": lay.caption, "logo": lay.logo, "safe": lay.safe}


@pytest.mark.parametrize("size", SIZES)
def test_everything_inside_the_frame_and_even(size: tuple[int, int]) -> None:
    lay = layout_for(*size)
    for name, b in _boxes(lay).items():
        assert b.w > 0 and b.h > 0, name
        assert inside(b, _frame(lay)), name
        # yuv420p: chroma is one sample per 2x2 pixels
        assert b.x % 2 == b.y % 2 == b.w % 2 == b.h % 2 == 0, name


@pytest.mark.parametrize("size", SIZES)
def test_text_stays_in_the_title_safe_area(size: tuple[int, int]) -> None:
    lay = layout_for(*size)
    w, h = size
    safe = lay.safe
    assert safe.x >= 0.05 * w and safe.y >= 0.05 * h
    assert safe.x + safe.w <= 0.95 * w and safe.y + safe.h <= 0.95 * h
    assert safe.w >= 0.9 * w - 4 and safe.h >= 0.9 * h - 4  # even rounding only
    for b in lay.text_boxes:
        assert inside(b, safe), b


@pytest.mark.parametrize("size", SIZES)
def test_text_boxes_do_not_overlap(size: tuple[int, int]) -> None:
    lay = layout_for(*size)
    assert not intersects(lay.caption, lay.lower_third)
    assert not intersects(lay.caption, lay.logo)
    assert not intersects(lay.logo, lay.lower_third)
    assert not intersects(lay.name_plate, lay.headline)
    # the name tab sits right on top of the band
    assert lay.name_plate.y + lay.name_plate.h == lay.headline.y
    # captions come below the lower third
    assert lay.caption.y >= lay.headline.y + lay.headline.h


@pytest.mark.parametrize("size", SIZES)
def test_lower_third_leaves_the_face_free(size: tuple[int, int]) -> None:
    """The face lies in the upper half of the presenter picture; the lower third
    and the captions start below it."""
    lay = layout_for(*size)
    p = lay.presenter
    assert lay.lower_third.y >= p.y + 0.55 * p.h
    assert lay.caption.y >= p.y + 0.55 * p.h


@pytest.mark.parametrize("size", SIZES)
def test_room_for_two_caption_lines(size: tuple[int, int]) -> None:
    lay = layout_for(*size)
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
