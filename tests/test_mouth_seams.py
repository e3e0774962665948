"""The mouth's warp meets the still photo without a seam and never folds over.

A displacement that is not zero where a tile meets unwarped pixels, or a warp that
folds (the photo's smile folds drawn twice), shows at 2x as lines on the cheeks.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from anchor.assets.avatars import load_avatar
from anchor.core.values import Box
from anchor.render.presenter.face import FaceRegions, find_face, read_rgb
from anchor.render.presenter.mouth import MouthModel
from anchor.render.presenter.track import POSES, PresenterTrack, fit_to_box, landmarks_for
from tests.test_presenter import write_wav


def _model(name: str, w: int, h: int) -> MouthModel:
    return _model_and_photo(name, w, h)[0]


def _model_and_photo(name: str, w: int, h: int) -> tuple[MouthModel, np.ndarray]:
    av = load_avatar(name)
    rgb = read_rgb(av.image)
    found = find_face(av, rgb)
    found = FaceRegions(found.face, found.eyes, found.mouth, found.source,
                        landmarks_for(av, rgb, found))
    static, regions = fit_to_box(rgb, found, w, h)
    assert regions.landmarks is not None
    return MouthModel(static, regions.landmarks), static


@pytest.mark.parametrize("name", ["astra", "lin"])
@pytest.mark.parametrize("size", [(760, 950), (1080, 1420)])
def test_warp_is_still_at_the_region_edge_and_never_folds(name: str,
                                                          size: tuple[int, int]) -> None:
    m = _model(name, *size)
    r = m.region
    pad = 6  # a window larger than the region, as the presenter draws its tiles
    win = Box(r.x - pad, r.y - pad, r.w + 2 * pad, r.h + 2 * pad)
    ys, xs = np.mgrid[win.y:win.y + win.h, win.x:win.x + win.w].astype(np.float32)
    outside = np.ones(xs.shape, bool)
    outside[pad + 1:-pad - 1, pad + 1:-pad - 1] = False  # the region's edge and beyond
    above = ys < m.still_line(xs)
    for _, pose in POSES:
        mx, my, opening = m.warp_maps(win, pose)
        dx, dy = mx - xs, my - ys
        moved = np.hypot(dx, dy)
        assert moved[outside].max() < 0.02, pose  # a seam where the tile meets the photo
        assert moved[above].max() < 0.02, pose  # nothing moves under the nose
        near = cv2.dilate(opening.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        # Jacobian of the backward map: positive everywhere but at the painted opening
        # (a fold draws the photo's creases as jagged lines).
        det = (np.gradient(mx, axis=1) * np.gradient(my, axis=0)
               - np.gradient(mx, axis=0) * np.gradient(my, axis=1))
        assert det[~near].min() > 0.1, pose
        # and no step: neighbours move alike (a shear line shows as a crease)
        for f in (dx, dy):
            for axis in (0, 1):
                step = np.abs(np.diff(f, axis=axis))
                hit = np.diff(near.astype(np.int8), axis=axis) != 0
                far = ~(np.take(near, range(1, near.shape[axis]), axis=axis) | hit)
                assert step[far].max() < 2.0, pose


@pytest.mark.parametrize("name", ["astra", "lin"])
def test_speaking_frames_show_no_tile_outline(name: str, tmp_path: Path) -> None:
    bursts = tuple((s, s + 300) for s in range(300, 4000, 500))
    wav = write_wav(tmp_path / "talk.wav", 4000, bursts)
    t = PresenterTrack(load_avatar(name), Box(580, 130, 760, 950), 30, 4000, wav, 0)
    mb = t._mouth_box
    assert mb is not None
    # The tile's outermost pixels and 3 px around it: the same as the resting face
    # (inside, the warp eases in from zero; a seam is a jump right at the edge).
    ring = np.zeros((t.dirty.h, t.dirty.w), bool)
    ring[mb.y - 3:mb.y + mb.h + 3, mb.x - 3:mb.x + mb.w + 3] = True
    ring[mb.y + 1:mb.y + mb.h - 1, mb.x + 1:mb.x + mb.w - 1] = False
    spoken = 0
    for f in range(t.n_frames):
        s = t.state(f)
        if s.shape == 0 or s.lid or s.gaze or s.brow:
            continue
        spoken += 1
        still = np.empty_like(t._bases[0])  # the same head offsets, mouth at rest
        for a, b, level in t._runs(s):  # (one per column run while the head tilts)
            still[:, a:b] = t._bases[level][:, a:b]
        still = still.astype(int)
        assert np.abs(t.patch(f).astype(int) - still)[ring].max() <= 2, f
    assert spoken > 20


@pytest.mark.parametrize("jaw", [0.36, 0.56, 1.0])
def test_a_photo_s_own_teeth_continue_into_the_opening(jaw: float) -> None:
    """Astra smiles with her teeth showing. Opened, her upper teeth must end in tips
    below where her lower lip hid them, not at a straight cut with a dark band right
    under it; and no darker line may cross them at that cut (a second set)."""
    from anchor.render.presenter.mouth import JAW_MAX, Pose

    m, photo = _model_and_photo("astra", 820, 1080)
    assert m.teeth
    r = m.region
    out = m.draw(photo, r, Pose(jaw=jaw, relax=1.0, width=0.2)).astype(np.float32)
    lum = out @ np.array([0.3, 0.59, 0.11], np.float32)
    x = round(m.cx) - r.x
    cut = m.seam_c - 0.16 * jaw * JAW_MAX * m.fh - r.y  # where the photo's teeth end now
    teeth = lum[round(cut) - 8:round(cut) - 4, x].mean()  # the photo's teeth above the cut
    assert teeth > 180
    below = lum[round(cut) + 1, x]  # just under the cut: still tooth, in the tip's shade
    assert below > 0.75 * teeth, (below, teeth)
    column = lum[round(cut) - 8:round(cut) + 1, x]
    assert column.min() > 0.85 * teeth, column  # no line across the teeth at the cut
    gap = lum[round(cut) + 1:round(cut + jaw * JAW_MAX * m.fh), x]
    assert gap.min() < 0.45 * teeth  # and the mouth is open behind them
