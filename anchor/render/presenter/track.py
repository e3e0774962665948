"""A still portrait brought to life: a jaw and lips that say the words, blinks, glances,
brow raises, nods and tilts.

The renderer pastes ``PresenterTrack.static`` once and then, per frame, only
``patch(i)`` at ``dirty`` (relative to the presenter box). Everything costly is
done once in the constructor:

- the face's landmarks (anchor.render.presenter.landmarks: from the avatar's TOML, the
  per-photo cache, MediaPipe FaceMesh, or estimated from boxes);
- a palette of mouth poses (anchor.render.presenter.mouth: jaw drop levels × rounded /
  neutral / spread lips, closed with relaxed corners, f/v), each a tile of the
  lower face;
- per eye: lid closures × three gaze directions; per brow: three raise levels;
- the head region moved by a few sub-pixel steps (nods, breathing), feathered
  into the unmoving neck and background.

Each tile is stored per head offset, so ``patch`` is one copy of the dirty region
plus a few tile assignments. A tilt (roll) is a vertical shear about the face's
middle: each column of the head takes the offset its side of the face has (one side
a little up, the other down), so a tilted frame is the same copies done in a few
dozen column runs, each from its own offset; at a degree or so a shear and a rotation
differ by well under a pixel across the face, and the eyes' line tilts just the same.
Per-frame state is six int8 arrays (mouth pose, lid closure, gaze, brow, head offset,
tilt); nothing else grows with the clip. What the mouth does per frame comes from
anchor.render.presenter.visemes (phonemes timed on the words).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np

from anchor.core.errors import AnchorError
from anchor.core.timing import Fps, frame_at, frame_count, ms_at_frame
from anchor.core.values import Avatar, Box, Span

from .face import FaceRegions, find_face, read_rgb, scale_regions
from .landmarks import Landmarks, cached_landmarks, from_regions, landmarks_from_avatar
from .mouth import MouthModel, Pose
from .visemes import MouthTrack, mouth_track

__all__ = [
    "BLINK_MS",
    "LID_LEVELS",
    "POSES",
    "TILT_DEG",
    "FrameState",
    "PresenterTrack",
    "blink_starts",
    "fit_to_box",
    "landmarks_for",
    "lid_track",
    "pose_track",
    "roll_track",
]

log = logging.getLogger(__name__)

BLINK_MS = 150  # a relaxed human blink lasts 100–400 ms; short reads as alert, not sleepy
LID_LEVELS = 4  # lid closures drawn: 1/4, 2/4, 3/4, 4/4
_SUBSTEPS = 3  # head offsets are quantised to 1/3 px: finer is invisible at 2x
_MAX_STEPS = 24  # ...unless that makes more offsets than this each way (then 1/2 px)
_BORDER = 2  # ring of the dirty region kept exactly equal to ``static``

# ----------------------------------------------------------------------------- pure helpers


# The mouth palette: (name shown in contact sheets, Pose). Index 0 is the photo at rest.
_JAW_LEVELS = (0.18, 0.36, 0.56, 0.78, 1.0)
_WIDTHS = (("round", -1.0), ("", 0.2), ("spread", 0.9))
POSES: tuple[tuple[str, Pose], ...] = (
    ("closed", Pose()),
    ("closed", Pose(relax=0.5, shut=True)),
    ("closed", Pose(relax=1.0, shut=True)),
    ("round", Pose(jaw=0.06, width=-1.0, relax=1.0)),
    ("slight", Pose(jaw=0.04, width=0.9, relax=1.0)),
    ("fv", Pose(jaw=0.1, width=0.25, fv=True, relax=1.0)),
    *((name or ("slight", "half", "half", "open", "open")[k], Pose(jaw=j, width=w, relax=1.0))
      for k, j in enumerate(_JAW_LEVELS) for name, w in _WIDTHS),
)
_REST, _CLOSED_HALF, _CLOSED, _PUCKER, _TEETH, _FV = range(6)
_GAZE = (0.0, -1.0, 1.0)  # straight ahead, towards image left, towards image right
_BROW_LEVELS = 2
NOD_SHARE = 0.0045  # a nod dips the head by this share of the face height
TILT_DEG = 1.5  # the widest head tilt (roll), degrees; a phrase's tilt is 50–100 % of it
TILT_SHARE = 0.015  # ...but the head's side moves at most this share of the face height
_TILT_PX = 5.0  # ...and at most this many pixels: a third of a pixel is a head offset,
# and every offset is a copy of the head region (a 4K box leans less than a degree)
_ROLL_Q = 127  # per-frame tilt stored as int8: ±_ROLL_Q is ±the widest tilt


@dataclass(frozen=True, slots=True)
class FrameState:
    """What frame ``i`` shows: mouth pose, lids, gaze, brows and head offset."""

    shape: int  # index into POSES (0: the photo's own mouth)
    lid: int  # 0 open .. LID_LEVELS closed
    level: int  # index of the sub-pixel vertical offset
    dy: float  # that offset in pixels (positive: down)
    gaze: int = 0  # index into _GAZE
    brow: int = 0  # 0 .. _BROW_LEVELS
    roll: float = 0.0  # head tilt in degrees (positive: clockwise as seen, right side down)

    @property
    def shape_name(self) -> str:
        return POSES[self.shape][0]


def pose_track(m: MouthTrack) -> np.ndarray:
    """Per frame, the palette pose nearest to the mouth track (int8 into POSES)."""
    n = m.jaw.shape[0]
    out = np.zeros(n, dtype=np.int8)
    levels = np.asarray(_JAW_LEVELS)
    for i in range(n):
        if m.closed[i]:
            sp = float(m.speaking[i])
            out[i] = _CLOSED if sp > 0.6 else _CLOSED_HALF if sp > 0.2 else _REST
            continue
        if m.fv[i]:
            out[i] = _FV
            continue
        j, w = float(m.jaw[i]), float(m.width[i])
        wi = 0 if w < -0.35 else 2 if w > 0.5 else 1
        if j < 0.5 * levels[0]:
            out[i] = _PUCKER if wi == 0 else _TEETH if wi == 2 else _CLOSED
            continue
        k = int(np.argmin(np.abs(levels - j)))
        out[i] = 6 + 3 * k + wi
    return out


def gaze_track(n: int, fps: Fps, seed: int) -> np.ndarray:
    """Now and then a short glance aside (0.5–1.3 s every 4–9 s), then back to camera."""
    rng = np.random.default_rng([seed, 2])
    out = np.zeros(n, dtype=np.int8)
    t = int(rng.uniform(3000, 6000))
    total = ms_at_frame(n, fps)
    while t < total:
        length = int(rng.uniform(500, 1300))
        out[frame_at(t, fps):frame_at(t + length, fps)] = 1 + int(rng.random() < 0.5)
        t += length + int(rng.uniform(4000, 9000))
    return out


def brow_track(n: int, fps: Fps, stress_ms: Sequence[int]) -> np.ndarray:
    """Brows up on stressed words: rise in ~80 ms, hold ~300 ms, fall over ~250 ms."""
    out = np.zeros(n, dtype=np.int8)
    shape = ((0, 1), (80, 2), (380, 1), (560, 0))  # (ms after the word starts, level)
    for s in stress_ms:
        for (a, lv), (b, _) in zip(shape, (*shape[1:], (640, 0)), strict=True):
            lo, hi = frame_at(max(0, s - 60 + a), fps), frame_at(max(0, s - 60 + b), fps)
            seg = out[lo:min(n, hi)]
            np.maximum(seg, lv, out=seg)
    return out


def head_track(n: int, fps: Fps, phrase_ms: Sequence[int], seed: int, amp: float,
               breath: float) -> np.ndarray:
    """Head offset (px, down) per frame: a nod at each phrase start over slow breathing."""
    rng = np.random.default_rng([seed, 1])
    phase = rng.uniform(0, 2 * np.pi, 2)
    t = np.array([ms_at_frame(f, fps) for f in range(n)], dtype=np.float64) / 1000.0
    dy = breath * (0.75 * np.sin(2 * np.pi * t / 4.0 + phase[0])
                   + 0.25 * np.sin(2 * np.pi * t / 6.7 + phase[1]))
    last = -10.0
    for k, s in enumerate(phrase_ms):
        if s / 1000.0 - last < 1.2:
            continue  # nods that come too quickly look like pecking
        last = s / 1000.0
        sign = -0.6 if k % 4 == 3 else 1.0  # now and then the chin lifts instead
        u = (t - (s / 1000.0 - 0.08)) / 0.55
        dy += sign * amp * np.where((u > 0) & (u < 1), np.sin(np.pi * u) ** 2, 0.0)
    return dy


def roll_track(n: int, fps: Fps, phrase_ms: Sequence[int], seed: int, amp: float
               ) -> np.ndarray:
    """Head tilt (degrees, clockwise as seen) per frame: at a phrase start the head
    leans a little to one side (eased in over ~0.45 s), stays over the phrase, and
    eases back. Sides alternate, so the head is level on average and two tilts that
    overlap pull opposite ways: never past ``amp``."""
    rng = np.random.default_rng([seed, 3])
    t = np.array([ms_at_frame(f, fps) for f in range(n)], dtype=np.float64) / 1000.0
    roll = np.zeros(n)
    side = 1.0 if rng.random() < 0.5 else -1.0
    last = -10.0
    for s in phrase_ms:
        start = s / 1000.0 - 0.1  # the head moves just before the voice, like the nod
        if start - last < 1.6:
            continue  # one lean per phrase, not a wobble on every word
        last = start
        size = amp * rng.uniform(0.5, 1.0)
        rise, hold, fall = 0.45, rng.uniform(0.7, 1.4), 0.8
        ease_in = _smoothstep(start, start + rise, t)
        ease_out = 1.0 - _smoothstep(start + rise + hold, start + rise + hold + fall, t)
        roll += side * size * np.minimum(ease_in, ease_out)
        side = -side
    return roll


def blink_starts(duration_ms: int, seed: int) -> list[int]:
    """Blink start times (ms): intervals of 2–6 s, sometimes a quick double blink."""
    rng = np.random.default_rng(seed)
    starts: list[int] = []
    t = int(rng.uniform(600, 3000))  # the first one early: a still face reads as a photo
    while t < duration_ms:
        starts.append(t)
        if rng.random() < 0.12:  # people often blink twice in a row
            second = t + BLINK_MS + int(rng.uniform(80, 160))
            if second < duration_ms:
                starts.append(second)
            t = second
        t += int(rng.uniform(2000, 6000))
    return starts


def _closure(t_ms: float) -> float:
    """Lid closure 0..1 at ``t_ms`` into a blink: shut in 40% of it, open in the rest."""
    if t_ms < 0 or t_ms >= BLINK_MS:
        return 0.0
    down = 0.4 * BLINK_MS  # lids fall faster than they rise
    if t_ms < down:
        return t_ms / down
    return 1.0 - (t_ms - down) / (BLINK_MS - down)


def lid_track(n_frames: int, fps: Fps, starts: list[int]) -> np.ndarray:
    """Per frame: lid closure level 0 (open) .. LID_LEVELS (shut), int8."""
    lids = np.zeros(n_frames, dtype=np.int8)
    half_frame = 500.0 / fps
    for s in starts:
        for f in range(frame_at(s, fps), min(n_frames, frame_at(s + BLINK_MS, fps) + 1)):
            c = _closure(ms_at_frame(f, fps) + half_frame - s)  # at the frame's middle
            lids[f] = max(int(lids[f]), round(c * LID_LEVELS))
    return lids


def fit_to_box(rgb: np.ndarray, regions: FaceRegions, w: int, h: int
               ) -> tuple[np.ndarray, FaceRegions]:
    """Scale ``rgb`` to cover w×h and crop around the face; regions follow."""
    ih, iw = rgb.shape[:2]
    s = max(w / iw, h / ih)
    sw, sh = max(w, round(iw * s)), max(h, round(ih * s))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LANCZOS4
    scaled = cv2.resize(rgb, (sw, sh), interpolation=interp)
    f = scale_regions(regions, sw / iw, sh / ih)
    # Face centred across; down the box, the face centre at ~40% leaves head room.
    x0 = min(max(0, f.face.cx - w // 2), sw - w)
    y0 = min(max(0, round(f.face.cy - 0.4 * h)), sh - h)
    out = np.ascontiguousarray(scaled[y0:y0 + h, x0:x0 + w])
    return out, scale_regions(f, 1.0, 1.0, -x0, -y0)


def _smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _shift(img: np.ndarray, dy: float) -> np.ndarray:
    """``img`` moved down by ``dy`` pixels (sub-pixel, edges repeated)."""
    m = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, dy]], dtype=np.float32)
    return cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def _clip(b: Box, w: int, h: int) -> Box | None:
    x0, y0 = max(0, b.x), max(0, b.y)
    x1, y1 = min(w, b.x + b.w), min(h, b.y + b.h)
    return Box(x0, y0, x1 - x0, y1 - y0) if x1 > x0 and y1 > y0 else None


def _grow(b: Box, left: float, top: float, right: float, bottom: float) -> Box:
    x0, y0 = math.floor(b.x - left), math.floor(b.y - top)
    return Box(x0, y0, math.ceil(b.x + b.w + right) - x0, math.ceil(b.y + b.h + bottom) - y0)


# ----------------------------------------------------------------------------- eyes


def _eyelid(img: np.ndarray, e: Box, region: Box, closure: float) -> np.ndarray:
    """The region with the upper lid lowered by ``closure`` (0..1) over eye ``e``.

    The lid takes the colour of the skin just above the eye, column by column, with
    that skin's grain, darkening towards its edge, where a lash line is drawn. It
    covers only the eye opening and the photo's own lashes, and its upper boundary
    meets the very skin it was coloured from, so there is no edge to see.
    """
    y0, x0 = region.y, region.x
    ys, xs = np.mgrid[y0:y0 + region.h, x0:x0 + region.w].astype(np.float32)
    src = img[y0:y0 + region.h, x0:x0 + region.w].astype(np.float32)
    cx = e.x + e.w / 2
    corner_y = e.y + 0.55 * e.h  # eye corners sit a little below the middle
    u = np.clip((xs - cx) / (0.54 * e.w), -1.0, 1.0)
    prof = np.sqrt(1.0 - u * u)
    top = corner_y - (corner_y - e.y + 1.0) * prof  # upper lid line
    bottom = corner_y + (e.y + e.h - corner_y + 1.0) * prof ** 1.5  # lower lid, flatter
    edge = top + closure * (bottom - top)
    lashes = 0.2 * e.h + 1.0  # the photo's own lash line, hidden under the lid
    upper = top - lashes * prof  # where the lid meets the skin that stays
    # Colour: the skin right above that boundary (per column, de-grained), so the
    # lid continues it without an outline.
    smooth_src = cv2.GaussianBlur(img[y0:y0 + region.h, x0:x0 + region.w], (0, 0), 1.5)
    lx, ly = xs - x0, np.clip(upper - 1.5 - y0, 0, region.h - 1)
    skin = cv2.remap(smooth_src, lx, ly.astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    # Grain: smooth paint on a grainy photo looks like a sticker. Noise at the level
    # of the skin above the eye (zero on a drawing), fixed per eye so it does not
    # crawl from one closure to the next.
    band_h = max(2.0, 0.3 * e.h)
    b0, b1 = max(0, round(e.y - lashes - band_h) - y0), max(1, round(e.y - lashes) - y0)
    detail = src[b0:b1] - cv2.GaussianBlur(src, (0, 0), 1.5)[b0:b1]
    level = float(np.median(np.abs(detail))) if detail.size else 0.0  # a little under sigma
    noise: np.ndarray = np.random.default_rng([e.x, e.y, e.w]).normal(
        0.0, 1.0, (region.h, region.w, 1))
    noise = cv2.GaussianBlur(noise.astype(np.float32), (0, 0), 1.0)[..., None]  # upscaled grain
    grain = noise / max(float(noise.std()), 1e-6) * level
    # The lid darkens towards its edge (it curves away from the light).
    depth = np.clip((ys - upper) / np.maximum(edge - upper, 1.0), 0, 1)
    lid = skin * (1.0 - 0.12 * depth ** 2)[..., None] + grain
    lash = np.percentile(src.reshape(-1, 3), 4, axis=0)  # darkest pixels: lashes, pupil
    sigma = max(0.7, 0.07 * e.h)
    lash_w = np.exp(-(((ys - edge) / sigma) ** 2)) * (0.3 + 0.35 * closure)
    lash_w *= _smoothstep(0.0, 0.35, prof) * min(1.0, 4.0 * closure)
    lid = lid + (lash[None, None, :] - lid) * lash_w[..., None]
    # Cover: from just above the original lashes (feathered) down to the lid edge.
    cover = _smoothstep(upper - 2.0, upper, ys) * np.clip(edge - ys + 0.5, 0.0, 1.0)
    cover = np.maximum(cover, lash_w) * _smoothstep(0.0, 0.2, prof)
    out = src + cover[..., None] * (lid - src)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)




def _gaze(img: np.ndarray, lm: Landmarks, side: str, region: Box, shift: float) -> np.ndarray:
    """``region`` with the iris of eye ``side`` moved ``shift`` px sideways inside the
    eye opening (the white stretches on one side and folds on the other)."""
    y0, x0 = region.y, region.x
    src = img[y0:y0 + region.h, x0:x0 + region.w]
    if shift == 0:
        return src.copy()
    ys, xs = np.mgrid[y0:y0 + region.h, x0:x0 + region.w].astype(np.float32)
    contour = lm.eye(side)
    mask: np.ndarray = np.zeros((region.h, region.w), np.float32)
    cv2.fillPoly(mask, [np.round(contour - [x0, y0]).astype(np.int32)], 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), 0.8)
    iris = lm[f"iris_{side}"][0]
    half = max(2.0, float(contour[:, 0].max() - contour[:, 0].min()) / 2)
    w = np.clip(1.0 - ((xs - iris[0]) / (0.95 * half)) ** 2, 0.0, 1.0)
    map_x = xs - shift * w
    moved = cv2.remap(img, map_x, ys, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    out = src.astype(np.float32) + mask[..., None] * (moved.astype(np.float32) - src)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _brow(img: np.ndarray, brow: np.ndarray, region: Box, lift: float) -> np.ndarray:
    """``region`` with the brow lifted ``lift`` px, the skin above and below following."""
    y0, x0 = region.y, region.x
    src = img[y0:y0 + region.h, x0:x0 + region.w]
    if lift == 0:
        return src.copy()
    ys, xs = np.mgrid[y0:y0 + region.h, x0:x0 + region.w].astype(np.float32)
    bx0, bx1 = float(brow[:, 0].min()), float(brow[:, 0].max())
    by0, by1 = float(brow[:, 1].min()), float(brow[:, 1].max())
    cx, half = (bx0 + bx1) / 2, max(2.0, (bx1 - bx0) / 2)
    wx = 1.0 - _smoothstep(0.7 * half, 1.25 * half, np.abs(xs - cx))
    # Rigid over the brow, fading to nothing at the region's top and bottom rows.
    up = _smoothstep(float(y0), by0, ys)
    down = 1.0 - _smoothstep(by1, float(y0 + region.h - 1), ys)
    wy = np.minimum(up, down)
    map_y = ys + lift * wx * wy
    moved = cv2.remap(img, xs, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return moved


def landmarks_for(avatar: Avatar, rgb: np.ndarray, regions: FaceRegions) -> Landmarks:
    """The TOML's landmarks, else the photo's (cached FaceMesh), else estimated from boxes."""
    lm = landmarks_from_avatar(avatar.landmarks)
    if lm is not None:
        return lm
    try:
        lm = cached_landmarks(rgb, avatar.image.name)
    except AnchorError as exc:
        log.warning("%s: %s; the mouth moves on estimated landmarks", avatar.name, exc.message)
        lm = None
    if lm is None:
        return from_regions(regions.face, regions.eyes, regions.mouth)
    return lm


class PresenterTrack:
    """The animated presenter for one clip, as a static image plus per-frame patches."""

    def __init__(self, avatar: Avatar, box: Box, fps: Fps, duration_ms: int, audio: Path,
                 seed: int = 0, *, motion: bool = True, blinks: bool = True,
                 words: Sequence[Span] = (), language: str = "",
                 fitted: tuple[np.ndarray, FaceRegions] | None = None) -> None:
        """``fitted``: the picture to animate, already box-sized, with its face regions and
        landmarks in its pixels (the presenter laid on the studio set); else the avatar's
        photo is read and fitted to the box."""
        self.box = box
        self.fps = fps
        self.n_frames = n = frame_count(duration_ms, fps)
        if fitted is None:
            rgb = read_rgb(avatar.image)
            found = find_face(avatar, rgb)
            found = FaceRegions(found.face, found.eyes, found.mouth, found.source,
                                landmarks_for(avatar, rgb, found))
            self.static, self.regions = fit_to_box(rgb, found, box.w, box.h)
        else:
            self.static, self.regions = np.ascontiguousarray(fitted[0]), fitted[1]
        self.static.setflags(write=False)
        r = self.regions
        lm = r.landmarks
        assert lm is not None
        self.landmarks = lm
        self.mouth = MouthModel(self.static, lm)
        fh = self.mouth.fh

        # Per-frame state: five int8 arrays.
        self.lips = mouth_track(audio, fps, duration_ms, words, language)
        self.shapes = pose_track(self.lips)
        self.lids = lid_track(n, fps, blink_starts(duration_ms, seed)) if blinks \
            else np.zeros(n, dtype=np.int8)
        self.gazes = gaze_track(n, fps, seed) if motion else np.zeros(n, dtype=np.int8)
        self.brows = brow_track(n, fps, self.lips.stress_ms) if motion \
            else np.zeros(n, dtype=np.int8)
        # Dirty region: the head (face, hair) with a feathered ellipse, plus the
        # jaw's reach, plus room for the head's motion.
        f = r.face
        # An egg: tall above the eyes for hair, shorter below, ending under the chin.
        head_c = (f.x + f.w / 2, f.y + 0.42 * f.h)
        head_r = (0.82 * f.w, 1.0 * f.h)
        mouth_reg = self.mouth.region
        below_r = max(0.8 * f.h, (mouth_reg.y + mouth_reg.h - head_c[1]) / 0.8)
        hx0 = min(head_c[0] - head_r[0], mouth_reg.x)
        hx1 = max(head_c[0] + head_r[0], mouth_reg.x + mouth_reg.w)
        hy0 = head_c[1] - head_r[1]
        hy1 = max(head_c[1] + below_r, mouth_reg.y + mouth_reg.h)

        amp = float(np.clip(NOD_SHARE * fh, 0.7, 2.5)) if motion else 0.0
        breath = float(np.clip(0.002 * fh, 0.45, 0.7)) if motion else 0.0
        dy = head_track(n, fps, self.lips.phrase_ms, seed, amp, breath) if motion \
            else np.zeros(n)
        # The tilt, as a shear: a column ``x`` of the head moves down by
        # tan(roll) * (x - pivot). Its reach is capped in pixels (each pixel of it is
        # three more head offsets, and a tile per offset).
        self._pivot = head_c[0]
        self._reach = reach = max(head_c[0] - hx0, hx1 - head_c[0])
        side_px = min(TILT_SHARE * fh, _TILT_PX)
        tilt = min(TILT_DEG, math.degrees(math.atan(side_px / reach))) if motion else 0.0
        self.tilt_deg = tilt
        roll = roll_track(n, fps, self.lips.phrase_ms, seed, tilt) if tilt > 0 else np.zeros(n)
        self.rolls = np.clip(np.round(roll / max(tilt, 1e-9) * _ROLL_Q), -_ROLL_Q, _ROLL_Q
                             ).astype(np.int8)
        roll_px = math.tan(math.radians(tilt)) * reach
        # Every head offset is a copy of the head region: on a big box (a 4K clip), where
        # half a pixel is as fine as a third at 1080p, take half-pixel steps.
        reach_px = amp + breath + roll_px
        self._sub = sub = _SUBSTEPS if reach_px * _SUBSTEPS <= _MAX_STEPS else 2
        steps = math.ceil(reach_px * sub) if motion else 0
        self._offsets = np.arange(-steps, steps + 1) / sub  # level → dy
        self.levels = np.clip(np.round(dy * sub) + steps, 0, 2 * steps).astype(np.int8)
        # The mouth track's float arrays are not kept: memory stays flat per frame.
        self.stress_ms, self.phrase_ms = self.lips.stress_ms, self.lips.phrase_ms
        self.lip_source = self.lips.source
        del self.lips
        pad = _BORDER + 2 + steps // sub
        full = Box(math.floor(hx0) - pad, math.floor(hy0) - pad,
                   math.ceil(hx1 - hx0) + 2 * pad, math.ceil(hy1 - hy0) + 2 * pad)
        self.dirty = _clip(full, box.w, box.h) or Box(0, 0, box.w, box.h)
        d = self.dirty
        base = self.static[d.y:d.y + d.h, d.x:d.x + d.w]
        ys, xs = np.mgrid[d.y:d.y + d.h, d.x:d.x + d.w].astype(np.float32)
        ry = np.where(ys < head_c[1], head_r[1], below_r)
        rho = np.hypot((xs - head_c[0]) / head_r[0], (ys - head_c[1]) / ry)
        mask = _smoothstep(1.0, 0.8, rho)
        # Where the box cuts the head (a tight or wide box), fade the motion out
        # towards the cut too, and keep the outermost ring exactly still: the
        # renderer's paste edge must not show.
        ramp = max(6.0, 0.05 * f.h)
        to_edge = np.minimum(np.minimum(xs - d.x, d.x + d.w - 1 - xs),
                             np.minimum(ys - d.y, d.y + d.h - 1 - ys))
        mask *= _smoothstep(_BORDER - 0.5, _BORDER + ramp, to_edge)
        self._still = np.ascontiguousarray(base)
        self._weights = np.ascontiguousarray(mask, dtype=np.float32)  # for cv2.blendLinear
        self._bases = self._moved_levels(base)

        # Mouth tiles: (pose, level) → pixels of the lower face, already moved.
        self._mouth_box = _clip(Box(mouth_reg.x - d.x, mouth_reg.y - d.y, mouth_reg.w,
                                    mouth_reg.h), d.w, d.h)
        self._mouth_tiles: _Tiles | None = None
        if self._mouth_box is not None:
            used = sorted(set(self.shapes.tolist()) - {_REST})
            self._pose_slot = np.zeros(len(POSES), dtype=np.int16)
            for k, pose_i in enumerate(used):
                self._pose_slot[pose_i] = k
            model = self.mouth
            self._mouth_tiles = self._tiles(
                self._mouth_box,
                [_mouth_maker(model, POSES[i][1]) for i in used])
        # Eye tiles: (closure level × gaze, level) per eye; brow tiles: (raise, level).
        self._eye_boxes: list[Box] = []
        self._eye_tiles: list[_Tiles] = []
        self._brow_boxes: list[Box] = []
        self._brow_tiles: list[_Tiles] = []
        use_lm = lm.source != "boxes"
        eyes = [lm.box(f"eye_{s}_upper", f"eye_{s}_lower") for s in ("r", "l")] if use_lm \
            else list(r.eyes)
        gazes = _GAZE if (motion and use_lm) else _GAZE[:1]
        if not (motion and use_lm):
            self.gazes[:] = 0
        for side, e in zip(("r", "l"), eyes, strict=False):
            above = 0.8 * e.h + 5
            reg = _clip(_grow(e, 0.3 * e.w, above, 0.3 * e.w, 0.8 * e.h + 2), box.w, box.h)
            if reg is None:
                continue
            local = _clip(Box(reg.x - d.x, reg.y - d.y, reg.w, reg.h), d.w, d.h)
            if local is None or self._overlaps_mouth(local):
                continue
            if blinks or len(gazes) > 1:
                shift = 0.14 * e.w
                self._eye_boxes.append(local)
                self._eye_tiles.append(self._tiles(
                    local, [_eye_maker(lm, side, e, gz * shift, c / LID_LEVELS)
                            for gz in gazes for c in range(LID_LEVELS + 1)]))
            if motion and use_lm:
                brow = lm[f"brow_{side}"]
                bb = lm.box(f"brow_{side}")
                top = bb.y - 0.05 * fh
                bottom = reg.y  # the eye's tile starts there
                if bottom - top < 4:
                    continue
                breg = _clip(Box(round(bb.x - 0.35 * bb.w), math.floor(top),
                                 round(1.7 * bb.w), math.ceil(bottom - top)), box.w, box.h)
                blocal = breg and _clip(Box(breg.x - d.x, breg.y - d.y, breg.w, breg.h),
                                        d.w, d.h)
                if blocal is None or blocal.y + blocal.h > local.y:
                    continue
                lift = 0.012 * fh
                self._brow_boxes.append(blocal)
                self._brow_tiles.append(self._tiles(
                    blocal, [_brow_maker(brow, -lift * k / _BROW_LEVELS)
                             for k in range(_BROW_LEVELS + 1)]))
        self._lid_levels = LID_LEVELS + 1
        # Only needed while building tiles: a megabyte or more each at 1080p.
        del self._still, self._weights

    # -- precomputation

    def _overlaps_mouth(self, b: Box) -> bool:
        m = self._mouth_box
        return m is not None and not (b.x + b.w <= m.x or m.x + m.w <= b.x
                                      or b.y + b.h <= m.y or m.y + m.h <= b.y)

    def _level_steps(self) -> tuple[np.ndarray, np.ndarray]:
        """Per head level: the whole-pixel part of its offset and its sub-pixel phase."""
        whole = np.floor(self._offsets + 1e-9).astype(np.intp)
        return whole, np.round((self._offsets - whole) * self._sub).astype(np.intp)

    def _feather(self, moved: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
        """``moved`` (dirty-relative ``rows`` × ``cols``) inside the head mask, over the
        still image outside it."""
        m = self._weights[rows, cols]
        return cv2.blendLinear(np.ascontiguousarray(moved), self._still[rows, cols], m,
                               1.0 - m)

    def _moved_levels(self, head: np.ndarray) -> np.ndarray:
        """The dirty region at every head level: ``head`` moved down by the level's
        offset inside the feathered head mask (three sub-pixel shifts, then slices)."""
        whole, frac = self._level_steps()
        pad = 1 + int(np.abs(whole).max()) if len(whole) else 1
        padded = cv2.copyMakeBorder(head, pad, pad, 0, 0, cv2.BORDER_REPLICATE)
        phases = [_shift(padded, f / self._sub) for f in range(self._sub)]
        h = head.shape[0]
        everything = (slice(0, h), slice(0, head.shape[1]))
        return np.stack([self._feather(phases[f][pad - w:pad - w + h], *everything)
                         for w, f in zip(whole.tolist(), frac.tolist(), strict=True)])

    def _tiles(self, sub: Box, makers: list[_Maker]) -> _Tiles:
        """For each variant and head level: the pixels of ``sub`` in the frame.

        Each variant is drawn once with a margin and shifted once per sub-pixel phase;
        a level is then rows of its phase (the whole-pixel part of the offset), except
        the rows the head mask feathers, which are blended over the still image and
        kept per level. Most of a tile is inside the head, so it costs a few phases,
        not a copy per level (the tilt makes dozens of levels).
        """
        d = self.dirty
        whole, frac = self._level_steps()
        lo, hi = int(whole.min()), int(whole.max())
        margin = 2 + max(abs(lo), abs(hi))
        g = _clip(_grow(Box(sub.x + d.x, sub.y + d.y, sub.w, sub.h), 0, margin, 0, margin),
                  self.box.w, self.box.h)
        assert g is not None
        iy, ix = sub.y + d.y - g.y, sub.x + d.x - g.x  # the tile inside the drawn region
        sl = (slice(sub.y, sub.y + sub.h), slice(sub.x, sub.x + sub.w))
        feather = np.flatnonzero((self._weights[sl] < 1.0).any(axis=1))
        r0, r1 = (int(feather[0]), int(feather[-1]) + 1) if feather.size else (0, 0)
        # Phase rows: a level's tile starts at row ``hi - whole`` (rows past the drawn
        # region repeat its edge, where the box cuts it).
        rows = np.clip(np.arange(iy - hi, iy - lo + sub.h), 0, g.h - 1)
        phases = np.empty((len(makers), self._sub, len(rows), sub.w, 3), dtype=np.uint8)
        feathered = np.empty((len(makers), len(self._offsets), r1 - r0, sub.w, 3), np.uint8)
        for i, make in enumerate(makers):
            drawn = make(self.static, g)
            for f in range(self._sub):
                phases[i, f] = _shift(drawn, f / self._sub)[rows, ix:ix + sub.w]
            for k in range(len(self._offsets) if r1 > r0 else 0):
                top = hi - int(whole[k])
                feathered[i, k] = self._feather(phases[i, frac[k], top + r0:top + r1],
                                                slice(sub.y + r0, sub.y + r1), sl[1])
        return _Tiles(sub, phases, feathered, r0, r1, hi - whole, frac)

    # -- per frame

    def state(self, frame_index: int) -> FrameState:
        i = min(max(frame_index, 0), self.n_frames - 1) if self.n_frames else 0
        if i >= len(self.shapes):
            return FrameState(_REST, 0, len(self._offsets) // 2, 0.0)
        level = int(self.levels[i])
        return FrameState(int(self.shapes[i]), int(self.lids[i]), level,
                          float(self._offsets[level]), int(self.gazes[i]), int(self.brows[i]),
                          self.tilt_deg * int(self.rolls[i]) / _ROLL_Q)

    def column_levels(self, s: FrameState) -> np.ndarray:
        """Per column of ``dirty``, the head offset (index into the offsets) it shows:
        the nod's and breath's, plus the tilt's shear."""
        d = self.dirty
        dx = np.clip(np.arange(d.x, d.x + d.w) + 0.5 - self._pivot, -self._reach, self._reach)
        shear = np.round(math.tan(math.radians(s.roll)) * dx * self._sub).astype(np.intp)
        return np.clip(s.level + shear, 0, len(self._offsets) - 1)

    def _runs(self, s: FrameState) -> list[tuple[int, int, int]]:
        """(first column, end column, level) of each run of columns at one head offset."""
        if s.roll == 0:
            return [(0, self.dirty.w, s.level)]
        lv = self.column_levels(s)
        cuts = [0, *(np.flatnonzero(np.diff(lv)) + 1).tolist(), len(lv)]
        return [(a, b, int(lv[a])) for a, b in pairwise(cuts)]

    def patch(self, frame_index: int) -> np.ndarray:
        """RGB uint8 pixels of ``dirty`` for frame ``frame_index`` (a new array)."""
        s = self.state(frame_index)
        runs = self._runs(s)
        if len(runs) == 1:
            out = self._bases[s.level].copy()
        else:
            out = np.empty_like(self._bases[0])
            for a, b, lv in runs:
                out[:, a:b] = self._bases[lv][:, a:b]
        if self._mouth_tiles is not None and s.shape != _REST:
            self._mouth_tiles.put(out, int(self._pose_slot[s.shape]), runs)
        if s.lid or s.gaze:
            variant = s.gaze * self._lid_levels + s.lid
            for tiles in self._eye_tiles:
                tiles.put(out, variant, runs)
        if s.brow:
            for tiles in self._brow_tiles:
                tiles.put(out, s.brow, runs)
        return out

    def frame(self, frame_index: int) -> np.ndarray:
        """The whole presenter box for one frame (previews and tests; renderers use patch)."""
        img = self.static.copy()
        d = self.dirty
        img[d.y:d.y + d.h, d.x:d.x + d.w] = self.patch(frame_index)
        return img


# One tile variant: (frame, tile region) -> the region's pixels with the feature moved.
_Maker = Callable[[np.ndarray, Box], np.ndarray]


def _mouth_maker(model: MouthModel, pose: Pose) -> _Maker:
    return lambda img, region: model.draw(img, region, pose)


def _eye_maker(lm: Landmarks, side: str, e: Box, shift: float, closure: float) -> _Maker:
    return lambda img, region: _eye(img, lm, side, e, region, shift, closure)


def _brow_maker(brow: np.ndarray, lift: float) -> _Maker:
    return lambda img, region: _brow(img, brow, region, lift)


def _eye(img: np.ndarray, lm: Landmarks, side: str, e: Box, region: Box, shift: float,
         closure: float) -> np.ndarray:
    """One eye's region looking ``shift`` px aside with its lid ``closure`` down."""
    looked = _gaze(img, lm, side, region, shift)
    if closure <= 0:
        return looked
    return _eyelid(_paste(img, looked, region) if shift else img, e, region, closure)


@dataclass(frozen=True, slots=True, eq=False)
class _Tiles:
    """One region's variants (mouth poses, lid × gaze, brow levels) at every head offset,
    stored as sub-pixel phases plus the feathered rows per offset (see ``_tiles``)."""

    box: Box  # dirty-relative
    phases: np.ndarray  # (variant, phase, rows, w, 3)
    feathered: np.ndarray  # (variant, level, r1 - r0, w, 3)
    r0: int
    r1: int
    top: np.ndarray  # per level: the phase row where the tile starts
    phase: np.ndarray  # per level: which phase

    def put(self, out: np.ndarray, variant: int, runs: list[tuple[int, int, int]]) -> None:
        """Write variant ``variant`` into ``out``, each column run at its own offset."""
        b, r0, r1 = self.box, self.r0, self.r1
        for a, e, lv in runs:
            lo, hi = max(a, b.x), min(e, b.x + b.w)
            if lo >= hi:
                continue
            x0, x1 = lo - b.x, hi - b.x
            src = self.phases[variant, self.phase[lv]]
            y = int(self.top[lv])
            if r0 > 0:
                out[b.y:b.y + r0, lo:hi] = src[y:y + r0, x0:x1]
            if r1 > r0:
                out[b.y + r0:b.y + r1, lo:hi] = self.feathered[variant, lv, :, x0:x1]
            if r1 < b.h:
                out[b.y + r1:b.y + b.h, lo:hi] = src[y + r1:y + b.h, x0:x1]


def _paste(img: np.ndarray, pixels: np.ndarray, region: Box) -> np.ndarray:
    """A copy of ``img`` with ``pixels`` at ``region`` (for drawing one change on another)."""
    out = img.copy()
    out[region.y:region.y + region.h, region.x:region.x + region.w] = pixels
    return out
