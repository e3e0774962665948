"""A still portrait brought to life: mouth shapes from the voice, blinks, breathing.

The renderer pastes ``PresenterTrack.static`` once and then, per frame, only
``patch(i)`` at ``dirty`` (relative to the presenter box). Everything costly is
done once in the constructor:

- five mouth sprites, warped from the photo's own lips (the lower lip pulled
  down, the upper lip up a little, the gap filled with a dark mouth interior and,
  when the photo shows no teeth, a hint of upper teeth), each blended in with a
  feathered ellipse so no edge shows;
- eyelids at four closures, painted with the skin colour found above each eye;
- the head region shifted by a few sub-pixel steps (breathing), feathered into
  the unmoving neck and background.

Each of those is stored per sub-pixel step as a small tile, so ``patch`` is one
copy of the dirty region plus two or three tile assignments. Per-frame state is
two int8 arrays (mouth shape, lid closure; the breathing offset is a formula of
the frame index); nothing else grows with the clip.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..models import Avatar, Box
from ..timing import frame_at, frame_count, ms_at_frame
from .face import FaceRegions, find_face, read_rgb, scale_regions
from .lipsync import CLOSED, HALF, OPEN, ROUND, SHAPES, SLIGHT, analyse_wav

__all__ = [
    "BLINK_MS",
    "LID_LEVELS",
    "FrameState",
    "PresenterTrack",
    "blink_starts",
    "fit_to_box",
    "lid_track",
]

BLINK_MS = 150  # a relaxed human blink lasts 100–400 ms; short reads as alert, not sleepy
LID_LEVELS = 4  # lid closures drawn: 1/4, 2/4, 3/4, 4/4
_SUBSTEPS = 8  # breathing offsets are quantised to 1/8 px: finer is invisible
_BORDER = 2  # ring of the dirty region kept exactly equal to ``static``

# Per shape: mouth gap (as a share of _MouthGeometry.reach, about the lip width of a
# smiling photo) and how wide the mouth gets.
# Newsreaders articulate, but do not sing: "open" is about a third of a yawn.
_GAP = {CLOSED: 0.0, SLIGHT: 0.06, HALF: 0.11, OPEN: 0.18, ROUND: 0.14}
_WIDTH = {CLOSED: 1.0, SLIGHT: 1.0, HALF: 0.98, OPEN: 1.03, ROUND: 0.84}


@dataclass(frozen=True, slots=True)
class FrameState:
    """What frame ``i`` shows: mouth shape, lid closure and breathing offset."""

    shape: int  # index into lipsync.SHAPES
    lid: int  # 0 open .. LID_LEVELS closed
    level: int  # index of the sub-pixel vertical offset
    dy: float  # that offset in pixels (positive: down)

    @property
    def shape_name(self) -> str:
        return SHAPES[self.shape]


# ----------------------------------------------------------------------------- pure helpers


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


def lid_track(n_frames: int, fps: int, starts: list[int]) -> np.ndarray:
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


def _taper(t: np.ndarray, rigid: float | np.ndarray, length: float) -> np.ndarray:
    """1 up to ``rigid``, then a raised cosine down to 0 over ``length``."""
    u = np.clip((t - rigid) / max(length, 1e-6), 0.0, 1.0)
    return 0.5 * (1.0 + np.cos(np.pi * u))


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


# ----------------------------------------------------------------------------- mouth


@dataclass(frozen=True, slots=True)
class _MouthGeometry:
    cx: float
    seam: float  # row where the lips part, at the centre: top of the lower lip
    curve: tuple[float, float]  # seam(x) = seam + c1*(x-cx) + c2*(x-cx)**2 (a smile bends up)
    top: float  # top of the upper lip
    bottom: float  # bottom of the lower lip
    half_w: float  # half the lip width (corner to centre)
    teeth: bool  # the photo already shows upper teeth above the seam
    lip_rgb: np.ndarray  # median lip colour
    reach: float  # how far "fully open" opens, pixels per unit of _GAP

    def seam_at(self, x: np.ndarray) -> np.ndarray:
        d = x - self.cx
        return self.seam + self.curve[0] * d + self.curve[1] * d * d


def _mouth_geometry(img: np.ndarray, m: Box, face: Box) -> _MouthGeometry:
    """Where inside the lip box the lips part, and what the photo shows there.

    Per column, the parting is the top of the lowest run of lip-red pixels (below
    teeth or a dark gap), or the darkest row when the lips touch; a parabola
    through those follows a smile's curve.
    """
    lab = cv2.cvtColor(img[m.y:m.y + m.h, m.x:m.x + m.w], cv2.COLOR_RGB2LAB).astype(np.float32)
    lab = cv2.GaussianBlur(lab, (3, 3), 0)
    c0, c1 = round(0.3 * m.w), max(round(0.3 * m.w) + 1, round(0.7 * m.w))
    centre = lab[:, c0:c1]
    # Skin just above the lips is the reference for "red" (lip) and "bright" (teeth).
    above = img[max(0, m.y - max(2, m.h // 3)):m.y, m.x + c0:m.x + c1]
    skin = cv2.cvtColor(above, cv2.COLOR_RGB2LAB).astype(np.float32).reshape(-1, 3) \
        if above.size else centre.reshape(-1, 3)
    skin_l, skin_a = float(np.median(skin[:, 0])), float(np.median(skin[:, 1]))
    is_lip = lab[:, :, 1] > skin_a + 6
    lipness = is_lip[:, c0:c1].mean(axis=1)
    rows = np.flatnonzero(lipness >= 0.4)
    gap = np.zeros(0, dtype=np.int64)
    if rows.size >= 2:
        # A run of non-lip rows between lip rows: teeth, or a dark parting.
        inner = np.arange(rows[0], rows[-1] + 1)
        gap = inner[lipness[inner] < 0.4]
    teeth = bool(gap.size) and float(centre[gap, :, 0].mean()) > skin_l - 5
    cols, seams = [], []
    lo, hi = round(0.25 * m.h), max(round(0.25 * m.h) + 1, round(0.8 * m.h))
    for c in range(round(0.12 * m.w), round(0.88 * m.w)):
        if gap.size:
            col = is_lip[:, c]
            r = m.h - 1
            while r > 0 and not col[r]:
                r -= 1  # skip skin below the lower lip
            while r > 0 and col[r - 1]:
                r -= 1  # climb to the top of the lower lip
            if 0 < r < m.h - 1:
                cols.append(c)
                seams.append(r)
        else:
            cols.append(c)
            seams.append(lo + int(np.argmin(lab[lo:hi, c, 0])))
    cx = m.w / 2
    if len(cols) >= 5:
        x = np.asarray(cols, dtype=np.float64) - cx
        y = np.asarray(seams, dtype=np.float64)
        c2, c1_, c0_ = np.polyfit(x, y, 2)
        resid = np.abs(np.polyval((c2, c1_, c0_), x) - y)
        keep = resid <= max(1.5, float(np.percentile(resid, 75)))  # one refit without outliers
        if keep.sum() >= 5:
            c2, c1_, c0_ = np.polyfit(x[keep], y[keep], 2)
        c2 = float(np.clip(c2, -1.5 / m.w, 0.0))  # a parting bends up at the corners, mildly
        c1_ = float(np.clip(c1_, -0.15, 0.15))
        seam0 = float(np.clip(c0_, 0.2 * m.h, 0.85 * m.h))
    else:
        c2, c1_, seam0 = 0.0, 0.0, float(lo + int(np.argmin(centre[lo:hi, :, 0].mean(axis=1))))
    lips = img[m.y:m.y + m.h, m.x:m.x + m.w].reshape(-1, 3)
    red = lips[is_lip.reshape(-1)]
    lip_rgb = np.median(red if len(red) >= 4 else lips, axis=0).astype(np.float32)
    return _MouthGeometry(cx=m.x + cx, seam=m.y + seam0, curve=(c1_, c2), top=float(m.y),
                          bottom=float(m.y + m.h), half_w=m.w / 2, teeth=teeth,
                          lip_rgb=lip_rgb, reach=0.5 * m.w + 0.22 * face.h)


def _chin(m: Box, face: Box) -> float:
    """Row where the jaw's pull on the skin has faded out: just under the chin."""
    return max(face.y + 1.12 * face.h, m.y + m.h + 0.22 * face.h)


def _mouth_region(m: Box, face: Box) -> Box:
    """Everything a mouth warp touches: lips, a margin, and the chin the jaw pulls."""
    return _grow(m, 0.45 * m.w, 0.8 * m.h, 0.45 * m.w, _chin(m, face) - (m.y + m.h))


def _mouth_sprite(img: np.ndarray, g: _MouthGeometry, region: Box, chin: float,
                  shape: int) -> np.ndarray:
    """The region with the mouth opened to ``shape``; equals ``img`` at its edges."""
    y0, x0 = region.y, region.x
    ys, xs = np.mgrid[y0:y0 + region.h, x0:x0 + region.w].astype(np.float32)
    width = 2 * g.half_w
    # A jaw drops by a share of the face, not of the lips: a small-lipped drawing
    # still opens its mouth visibly, a broad smile does not gape.
    gap = _GAP[shape] * g.reach
    up, down = 0.25 * gap, 0.75 * gap  # the jaw moves, the upper lip barely does
    # Narrow (round) or widen the mouth: sample further out or in, fading with
    # distance from the lips so cheeks do not move.
    rel = xs - g.cx
    gx = _taper(np.abs(rel), 0.55 * width, 0.4 * width)
    mid_y = 0.5 * (g.top + g.bottom)
    gy = _taper(np.abs(ys - mid_y), 0.5 * (g.bottom - g.top), 0.6 * (g.bottom - g.top) + 4)
    map_x = xs + rel * (1.0 / _WIDTH[shape] - 1.0) * gx * gy
    # Opening profile across the mouth: full in the middle, shut at the corners.
    u = np.clip(np.abs(map_x - g.cx) / g.half_w, 0.0, 1.0)
    prof = np.sqrt(1.0 - u * u) ** (0.8 if shape == ROUND else 0.6)
    seam = g.seam_at(map_x)
    top_edge = seam - up * prof  # cavity spans [top_edge, bottom_edge)
    bottom_edge = seam + down * prof
    # Upper part: moves up rigidly over the upper lip, fading towards the nose.
    w_up = _taper(top_edge - ys, np.maximum(seam - g.top, 1.0), 0.7 * (g.bottom - g.top) + 2)
    # Lower part: lower lip moves rigidly, the chin follows less, the neck not at all.
    w_dn = _taper(ys - bottom_edge, np.maximum(g.bottom - seam, 1.0), max(4.0, chin - g.bottom))
    map_y = np.where(ys < seam, ys + up * prof * w_up, ys - down * prof * w_dn)
    warped = cv2.remap(img, map_x, map_y.astype(np.float32), cv2.INTER_CUBIC,
                       borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    if gap > 0:
        warped = _paint_cavity(warped, g, ys, top_edge, bottom_edge, prof, shape)
    # Feathered ellipse: the warp has faded to nothing before the ellipse ends.
    ry, rx = region.h / 2, region.w / 2
    rho = np.sqrt(((xs - (x0 + rx)) / rx) ** 2 + ((ys - (y0 + ry)) / ry) ** 2)
    alpha = _smoothstep(1.0, 0.8, rho)[..., None]
    src = img[y0:y0 + region.h, x0:x0 + region.w].astype(np.float32)
    return np.clip(src + alpha * (warped - src) + 0.5, 0, 255).astype(np.uint8)


def _paint_cavity(warped: np.ndarray, g: _MouthGeometry, ys: np.ndarray, top: np.ndarray,
                  bottom: np.ndarray, prof: np.ndarray, shape: int) -> np.ndarray:
    """Fill the parted lips with a dark interior (and upper teeth when the photo has none)."""
    height = np.maximum(bottom - top, 1e-3)
    inside = np.clip(np.minimum(ys - top + 0.5, bottom - ys + 0.5), 0.0, 1.0)
    inside *= np.clip(height * 1.5, 0.0, 1.0)  # a sub-pixel gap is a line, not a hole
    depth = (ys - top) / height  # 0 at the upper lip, 1 at the lower
    dark = g.lip_rgb * np.array([0.3, 0.13, 0.13], dtype=np.float32)
    tongue = g.lip_rgb * np.array([0.62, 0.36, 0.36], dtype=np.float32)
    # Shadow under the upper lip, the tongue catching some light near the lower lip.
    colour = dark[None, None, :] + (tongue - dark)[None, None, :] * \
        (np.clip(depth - 0.45, 0.0, 1.0) / 0.55)[..., None] * min(1.0, _GAP[shape] / 0.15)
    if shape in (OPEN, HALF) and not g.teeth:
        band = np.clip(0.3 * height, 0.0, 0.07 * 2 * g.half_w)
        t = np.clip(band - (ys - top) + 0.5, 0.0, 1.0) * (prof > 0.25)
        teeth = np.array([236.0, 232.0, 222.0], dtype=np.float32) * 0.92
        colour = colour + (teeth[None, None, :] - colour) * (t * 0.9)[..., None]
    a = inside[..., None]
    return warped + a * (colour - warped)


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
    noise = np.random.default_rng([e.x, e.y, e.w]).normal(0.0, 1.0, (region.h, region.w, 1))
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


# ----------------------------------------------------------------------------- the track


class PresenterTrack:
    """The animated presenter for one clip, as a static image plus per-frame patches."""

    def __init__(self, avatar: Avatar, box: Box, fps: int, duration_ms: int, audio: Path,
                 seed: int = 0, *, motion: bool = True, blinks: bool = True) -> None:
        self.box = box
        self.fps = fps
        self.n_frames = frame_count(duration_ms, fps)
        rgb = read_rgb(avatar.image)
        self.static, self.regions = fit_to_box(rgb, find_face(avatar, rgb), box.w, box.h)
        self.static.setflags(write=False)
        r = self.regions
        # Per-frame state: two int8 arrays; the breathing offset is a formula.
        self.shapes = analyse_wav(audio, fps, duration_ms)
        self.lids = lid_track(self.n_frames, fps, blink_starts(duration_ms, seed)) if blinks \
            else np.zeros(self.n_frames, dtype=np.int8)
        rng = np.random.default_rng([seed, 1])
        self._phase = rng.uniform(0, 2 * np.pi, 2)
        self._amp = float(np.clip(0.006 * r.face.h, 0.5, 1.0)) if motion else 0.0
        steps = math.ceil(self._amp * _SUBSTEPS)
        self._offsets = np.arange(-steps, steps + 1) / _SUBSTEPS  # level → dy

        # Dirty region: the head (face, hair) with a feathered ellipse, plus the
        # mouth's chin reach, plus room for the sub-pixel motion.
        f = r.face
        # An egg: tall above the eyes for hair, shorter below, ending under the chin
        # (a smaller dirty region is less for the renderer to compose per frame).
        head_c = (f.x + f.w / 2, f.y + 0.42 * f.h)
        head_r = (0.82 * f.w, 1.0 * f.h)
        below_r = 0.8 * f.h
        mouth_reg = _mouth_region(r.mouth, f)
        hx0 = min(head_c[0] - head_r[0], mouth_reg.x)
        hx1 = max(head_c[0] + head_r[0], mouth_reg.x + mouth_reg.w)
        hy0 = head_c[1] - head_r[1]
        hy1 = max(head_c[1] + below_r, mouth_reg.y + mouth_reg.h)
        pad = _BORDER + 2
        full = Box(math.floor(hx0) - pad, math.floor(hy0) - pad,
                   math.ceil(hx1 - hx0) + 2 * pad, math.ceil(hy1 - hy0) + 2 * pad)
        self.dirty = _clip(full, box.w, box.h) or Box(0, 0, box.w, box.h)
        d = self.dirty
        base = self.static[d.y:d.y + d.h, d.x:d.x + d.w]
        ys, xs = np.mgrid[d.y:d.y + d.h, d.x:d.x + d.w].astype(np.float32)
        ry = np.where(ys < head_c[1], head_r[1], below_r)
        rho = np.hypot((xs - head_c[0]) / head_r[0], (ys - head_c[1]) / ry)
        mask = _smoothstep(1.0, 0.78, rho)
        # Where the box cuts the head (a tight or wide box), fade the motion out
        # towards the cut too, and keep the outermost ring exactly still: the
        # renderer's paste edge must not show.
        ramp = max(6.0, 0.05 * f.h)
        to_edge = np.minimum(np.minimum(xs - d.x, d.x + d.w - 1 - xs),
                             np.minimum(ys - d.y, d.y + d.h - 1 - ys))
        mask *= _smoothstep(_BORDER - 0.5, _BORDER + ramp, to_edge)
        self._mask = mask[..., None].astype(np.float32)
        self._base_f = base.astype(np.float32)
        self._bases = np.stack([self._moved(base, dy, Box(0, 0, d.w, d.h))
                                for dy in self._offsets])

        # Mouth tiles: (shape, level) → pixels of the mouth region, already moved.
        self._mouth_box = _clip(Box(mouth_reg.x - d.x, mouth_reg.y - d.y, mouth_reg.w,
                                    mouth_reg.h), d.w, d.h)
        self._mouth_tiles: np.ndarray | None = None
        if self._mouth_box is not None:
            geo = _mouth_geometry(self.static, r.mouth, f)
            chin = _chin(r.mouth, f)
            self._mouth_tiles = self._tiles(
                self._mouth_box,
                [lambda img, reg, s=s: _mouth_sprite(img, geo, reg, chin, s)
                 for s in range(len(SHAPES))])
        # Eye tiles: (eye, closure level) → pixels of that eye's region, moved.
        self._eye_boxes: list[Box] = []
        self._eye_tiles: list[np.ndarray] = []
        if blinks:
            for e in r.eyes:
                # Room above for the lid's feathered top and the skin it samples.
                above = max(1.0 * e.h, 0.2 * e.h + 6)
                reg = _clip(_grow(e, 0.3 * e.w, above, 0.3 * e.w, 0.8 * e.h + 2), box.w, box.h)
                local = reg and _clip(Box(reg.x - d.x, reg.y - d.y, reg.w, reg.h), d.w, d.h)
                if local is None or self._overlaps_mouth(local):
                    continue
                self._eye_boxes.append(local)
                self._eye_tiles.append(self._tiles(
                    local, [lambda img, rg, e=e, c=c: _eyelid(img, e, rg, c / LID_LEVELS)
                            for c in range(LID_LEVELS + 1)]))
        # Only needed while building tiles: a megabyte or more each at 1080p.
        del self._mask, self._base_f

    # -- precomputation

    def _overlaps_mouth(self, b: Box) -> bool:
        m = self._mouth_box
        return m is not None and not (b.x + b.w <= m.x or m.x + m.w <= b.x
                                      or b.y + b.h <= m.y or m.y + m.h <= b.y)

    def _moved(self, head: np.ndarray, dy: float, sub: Box) -> np.ndarray:
        """``head`` (pixels of dirty-relative ``sub`` as the still head shows them) moved
        down by ``dy`` inside the feathered head mask, over the unmoved static image."""
        moved = _shift(head, dy).astype(np.float32)
        sl = (slice(sub.y, sub.y + sub.h), slice(sub.x, sub.x + sub.w))
        still, m = self._base_f[sl], self._mask[sl]
        return np.clip(still + m * (moved - still) + 0.5, 0, 255).astype(np.uint8)

    def _tiles(self, sub: Box, makers: list[Callable[[np.ndarray, Box], np.ndarray]]
               ) -> np.ndarray:
        """For each variant and breathing level: the pixels of ``sub`` in the frame."""
        d = self.dirty
        # Draw on the still image with a margin, move, then crop: the shift reads
        # up to a pixel beyond the tile, which must show the same variant.
        g = _clip(_grow(Box(sub.x + d.x, sub.y + d.y, sub.w, sub.h), 0, 2, 0, 2),
                  self.box.w, self.box.h)
        assert g is not None
        inner = Box(sub.x + d.x - g.x, sub.y + d.y - g.y, sub.w, sub.h)
        grown_local = Box(g.x - d.x, g.y - d.y, g.w, g.h)
        out = np.empty((len(makers), len(self._offsets), sub.h, sub.w, 3), dtype=np.uint8)
        for i, make in enumerate(makers):
            drawn = make(self.static, g)
            for k, dy in enumerate(self._offsets):
                moved = self._moved_clipped(drawn, dy, grown_local)
                out[i, k] = moved[inner.y:inner.y + inner.h, inner.x:inner.x + inner.w]
        return out

    def _moved_clipped(self, pixels: np.ndarray, dy: float, sub: Box) -> np.ndarray:
        """Like ``_moved`` for a sub-box that may stick out of the dirty region."""
        d = self.dirty
        c = _clip(sub, d.w, d.h)
        moved = _shift(pixels, dy)
        if c is None:
            return moved
        ox, oy = c.x - sub.x, c.y - sub.y
        part = moved[oy:oy + c.h, ox:ox + c.w].astype(np.float32)
        sl = (slice(c.y, c.y + c.h), slice(c.x, c.x + c.w))
        still, m = self._base_f[sl], self._mask[sl]
        out = moved.copy()
        out[oy:oy + c.h, ox:ox + c.w] = np.clip(still + m * (part - still) + 0.5, 0,
                                                255).astype(np.uint8)
        return out

    # -- per frame

    def state(self, frame_index: int) -> FrameState:
        i = min(max(frame_index, 0), self.n_frames - 1) if self.n_frames else 0
        shape = int(self.shapes[i]) if i < len(self.shapes) else CLOSED
        lid = int(self.lids[i]) if i < len(self.lids) else 0
        t = ms_at_frame(i, self.fps) / 1000.0
        # Breathing (~4 s) with a slower sway on top, so it never looks mechanical.
        wave = 0.75 * math.sin(2 * math.pi * t / 4.0 + self._phase[0]) \
            + 0.25 * math.sin(2 * math.pi * t / 6.7 + self._phase[1])
        steps = len(self._offsets) // 2
        level = steps + round(wave * self._amp * _SUBSTEPS)
        level = min(max(level, 0), len(self._offsets) - 1)
        return FrameState(shape, lid, level, float(self._offsets[level]))

    def patch(self, frame_index: int) -> np.ndarray:
        """RGB uint8 pixels of ``dirty`` for frame ``frame_index`` (a new array)."""
        s = self.state(frame_index)
        out = self._bases[s.level].copy()
        if self._mouth_tiles is not None and s.shape != CLOSED:
            m = self._mouth_box
            assert m is not None
            out[m.y:m.y + m.h, m.x:m.x + m.w] = self._mouth_tiles[s.shape, s.level]
        if s.lid:
            for b, tiles in zip(self._eye_boxes, self._eye_tiles, strict=True):
                out[b.y:b.y + b.h, b.x:b.x + b.w] = tiles[s.lid, s.level]
        return out

    def frame(self, frame_index: int) -> np.ndarray:
        """The whole presenter box for one frame (previews and tests; renderers use patch)."""
        img = self.static.copy()
        d = self.dirty
        img[d.y:d.y + d.h, d.x:d.x + d.w] = self.patch(frame_index)
        return img
