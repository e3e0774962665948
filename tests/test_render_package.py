"""The package on screen: the presenter on the set, each cut's visual in its box,
dissolves at the cuts, and the two renderers drawing the same pictures."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from render_helpers import decode, fake_factory, psnr, tiny_spec

from anchor.core.values import Bar, Box, Cut, Visual
from anchor.render.encode.fast import render_fast
from anchor.render.encode.reference import render_moviepy
from anchor.render.graphics.layout import (
    PORTRAIT_UI_TOP,
    inside,
    intersects,
    layout_for,
    studio_layout,
)
from anchor.render.scene import build_scene


def _photo(path: Path, w: int = 900, h: int = 600) -> Path:
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.dstack([(xx * 255 // w), (yy * 255 // h), np.full_like(xx, 90)]).astype(np.uint8)
    Image.fromarray(rgb).save(path, quality=90)
    return path


def _spec(tmp: Path, size: tuple[int, int] = (320, 180), picture: Path | None = None):
    pic = picture or _photo(tmp / "p.jpg")
    cuts = (Cut(0, 500, "presenter"),
            Cut(500, 1200, "ots", Visual(kind="image", image=pic, credit="Test")),
            Cut(1200, 2000, "full", Visual(kind="chart", sentences=(0,)),
                bars=(Bar("2024", "31", 31.0), Bar("2025", "48", 48.0)), unit="%"),
            Cut(2000, 3000, "presenter"))
    spec = tiny_spec(tmp, *size, ms=3000)
    return dataclasses.replace(spec, studio=True, cuts=cuts, lang="en")


def test_studio_layouts_keep_the_label_corner_free() -> None:
    for size in ((1920, 1080), (1080, 1920), (1080, 1080)):
        lay = studio_layout(*size)
        assert lay.ots is not None and lay.label_corner is not None and lay.full is not None
        assert not intersects(lay.ots, lay.label_corner)
        assert not intersects(lay.ots, lay.logo)
        assert inside(lay.ots, lay.full)
        assert not intersects(lay.ots, lay.caption)  # captions clear of the visual
        if size[0] <= size[1]:  # the visual above the presenter's second framing
            assert lay.inset is not None and lay.ots.y + lay.ots.h < lay.inset_head_top
            assert lay.inset_head_top + 1.5 * lay.inset_face_px < lay.name_plate.y
            assert lay.inset == Box(0, 0, size[0], lay.presenter_bottom)
        else:
            assert lay.inset is None


@pytest.mark.parametrize("size", [(1080, 1920), (720, 1280)])
def test_vertical_news_framing(size: tuple[int, int]) -> None:
    w, h = size
    lay = studio_layout(w, h)
    plain = layout_for(w, h)
    assert lay.ui_zone is not None and lay.ui_side is not None
    # the text stays clear of the phone apps' bar, description zone and button column
    for b in (lay.caption, lay.headline, lay.name_plate, lay.logo):
        assert not intersects(b, lay.ui_zone) and b.y >= PORTRAIT_UI_TOP * h - 1
        assert not intersects(b, lay.ui_side)
    assert lay.label_corner is not None and not intersects(lay.headline, lay.label_corner)
    # captions larger than the plain layout's, with room for two lines at full size
    assert lay.caption_px >= 1.3 * plain.caption_px
    assert lay.caption.h >= 2 * 1.3 * lay.caption_px
    # a medium close-up: the face wanted twice the plain portrait's, centred
    assert lay.face_px >= 0.16 * h and lay.face_x == 0.5
    # the presenter's name tab sits on the desk line, not over her chest
    assert lay.name_plate.y < lay.presenter_bottom < lay.name_plate.y + lay.name_plate.h
    assert lay.headline.y + lay.headline.h < lay.ots.y


def test_the_visuals_show_in_their_cuts_and_the_presenter_between(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    scene = build_scene(spec, fake_factory)
    lay = scene.layout
    assert lay.ots is not None
    assert len(scene.middle) == 3  # the picture; the chart's ground and its card
    ots = scene.middle[0].sprite(25)  # mid-way through the picture's cut
    assert ots is not None and ots.box == lay.ots and ots.opaque
    full = scene.middle[1].sprite(48)
    assert full is not None and full.box == lay.full and full.opaque
    card = scene.middle[2]
    assert inside(card.sprite(48).box, lay.full) and card.sprite(48).box != lay.full
    # while the bars grow only the card changes; the ground keeps its key
    assert card.key(44) != card.key(45) and scene.middle[1].key(44) == scene.middle[1].key(45)
    assert scene.middle[0].key(5) is None and scene.middle[1].key(80) is None
    # a dissolve: half-way through the cut the picture is partly transparent
    first = scene.middle[0]
    fading = first.sprite(first.first + 2)
    assert fading is not None and 0 < int(fading.with_alpha()[..., 3].max()) < 255
    # the presenter is back after the last visual
    bare = build_scene(dataclasses.replace(spec, cuts=()), fake_factory)
    assert np.array_equal(scene.frame_rgb(85), bare.frame_rgb(85))
    assert not np.array_equal(scene.frame_rgb(25), bare.frame_rgb(25))
    assert scene.is_still(85, lay.ots)


def test_a_bad_picture_in_a_script_keeps_the_presenter(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with caplog.at_level(logging.WARNING):
        scene = build_scene(_spec(tmp_path, picture=broken), fake_factory)
    assert len(scene.middle) == 2  # the chart only (its ground and its card)
    assert [r.levelno for r in caplog.records].count(logging.WARNING) == 1
    assert "broken.jpg" in caplog.records[0].getMessage()


def test_no_studio_no_cuts_is_the_old_frame(tmp_path: Path) -> None:
    plain = tiny_spec(tmp_path, 320, 180)
    a = build_scene(plain, fake_factory).frame_rgb(10)
    b = build_scene(dataclasses.replace(plain, studio=False, cuts=()), fake_factory).frame_rgb(10)
    assert np.array_equal(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("size", [(320, 180), (180, 320)])
def test_fast_matches_moviepy_with_visuals(tmp_path: Path, size: tuple[int, int]) -> None:
    spec = _spec(tmp_path, size)
    fast = render_fast(spec, tmp_path / "fast.mp4", track_factory=fake_factory)
    ref = render_moviepy(spec, tmp_path / "ref.mp4", track_factory=fake_factory)
    fa, fb = decode(fast.video), decode(ref.video)
    assert len(fa) == len(fb) == 90
    # presenter, picture dissolving in and standing, chart growing, full chart, back
    for i in (5, 14, 18, 28, 36, 40, 50, 62, 70, 85):
        assert psnr(fa[i], fb[i]) >= 30, f"frame {i}: {psnr(fa[i], fb[i]):.1f} dB"
    # the picture's cut really shows the picture: its box differs from the presenter shot
    lay = build_scene(spec, fake_factory).layout
    assert lay.ots is not None
    o = lay.ots
    assert np.abs(fa[28][o.y:o.y + o.h, o.x:o.x + o.w].astype(int)
                  - fa[5][o.y:o.y + o.h, o.x:o.x + o.w].astype(int)).mean() > 20


@pytest.mark.parametrize("lang, credit, widths", [
    ("en", "Mikael Häggström (CC0)", (220, 300, 540)),
    ("en", "Jane Doe-Lindqvist / Riverside Science Festival Archive (CC BY 4.0)", (460, 540)),
    ("zh", "新华社记者 欧阳晓明 摄", (220, 300, 540)),
])
def test_a_credit_is_fitted_never_cut(lang: str, credit: str, widths: tuple[int, ...]) -> None:
    from anchor.compose.spec import font_file
    from anchor.render.visuals.graphics import CREDIT_MIN_SCALE, credit_lines, credit_strip

    f = font_file()
    for w in widths:  # a narrow box: a smaller type or two lines
        lines, size = credit_lines(w, "A photograph of the back of a healthy eye", credit,
                                   lang, f, 24)
        assert size >= round(24 * CREDIT_MIN_SCALE) and len(lines) <= 2
        shown = "".join(lines).replace(" ", "")
        assert credit.replace(" ", "") in shown and "…" not in shown, (w, lines)
        strip = credit_strip(w, "A photograph", credit, lang, f, 24)
        assert strip is not None and strip.shape[1] <= w + 1
    # room for both: the caption goes first, on one line with the credit
    lines, size = credit_lines(1600, "An eye scan", credit, lang, f, 24)
    assert len(lines) == 1 and lines[0].startswith("An eye scan") and size == 24


def test_vertical_visual_shots_show_the_second_framing(tmp_path: Path) -> None:
    spec = _spec(tmp_path, (360, 640))
    scene = build_scene(spec, fake_factory)
    lay = scene.layout
    assert lay.inset is not None and lay.ots is not None
    inset = [m for m in scene.middle if m.sprite(25) is not None and m.sprite(25).box == lay.inset]
    assert len(inset) == 1 and inset[0].sprite(25).opaque
    # the first framing is hidden while a visual is up, so the renderer skips its head
    assert scene.hidden(25, scene.dirty) and scene.hidden(48, scene.dirty)
    assert not scene.hidden(85, scene.dirty)  # the presenter shot: her, large
    # the inset stays up from the picture to the chart (no dip to the large framing)
    assert all(scene.hidden(f, scene.dirty) for f in range(22, 54))
    bare = build_scene(dataclasses.replace(spec, cuts=()), fake_factory)
    assert np.array_equal(scene.frame_rgb(85), bare.frame_rgb(85))


def test_the_second_framing_is_the_same_presenter_smaller_and_in_step(tmp_path: Path) -> None:
    from anchor.assets.avatars import load_avatar
    from anchor.render.presenter.studio import inset_track, studio_track

    spec = dataclasses.replace(_spec(tmp_path, (540, 960)), avatar=load_avatar("astra"))
    lay = studio_layout(540, 960)
    from anchor.render.presenter.studio import studio_set

    big_box, big, _matted = studio_track(spec, lay, studio_set(540, 960, spec.branding, lay))
    still, box, small = inset_track(spec, lay)
    assert lay.inset is not None and still.shape == (lay.inset.h, lay.inset.w, 3)
    assert lay.ots is not None and box.y >= lay.ots.y + lay.ots.h  # under the visual
    assert box.y + box.h <= lay.presenter_bottom
    assert small.regions.face.h < big.regions.face.h  # smaller
    # the same mouth, lids, eyes and brows on every frame, the head moving the same way
    # (by fewer pixels: the nod is a share of the face)
    for f in range(0, small.n_frames, 7):
        a, b = small.state(f), big.state(f)
        assert (a.shape, a.lid, a.gaze, a.brow) == (b.shape, b.lid, b.gaze, b.brow)
        assert np.sign(a.dy) == np.sign(b.dy) and abs(a.dy) <= abs(b.dy) + 1e-9
    assert big_box != box


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080)])
@pytest.mark.parametrize("text", ["AI合成主播", "AI-generated", "AI合成主播\nAI-generated"])
def test_the_ai_label_as_drawn_stays_clear_of_the_visuals(
        tmp_path: Path, size: tuple[int, int], text: str) -> None:
    """The label at the standard's size reaches below the logo row: the visual boxes, the
    name strap and the 9:16 headline are placed under it, not under a guess of its size."""
    from anchor.core.ai_labels import VisibleLabel

    spec = dataclasses.replace(_spec(tmp_path, size), ai_label=VisibleLabel(text))
    scene = build_scene(spec, fake_factory)
    assert scene.label is not None
    lay, label = scene.layout, scene.label.box
    assert lay.label_corner == label
    for box in (lay.ots, lay.strap):
        assert box is not None and not intersects(box, label), (box, label)
    if size[1] > size[0]:  # the headline runs across the top in 9:16
        assert not intersects(lay.headline, label)
