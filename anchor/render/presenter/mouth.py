"""The mouth drawn open: a landmark-driven warp of the lower face plus a shaded inside.

One ``MouthModel`` per clip reads the geometry off the landmarks once (lip contours,
where the lips part, the face outline, the lips' colour, whether the photo shows
teeth). ``draw`` then makes the lower face for one ``Pose``:

- the jaw drops: everything below the parting (lower lip, chin, the jaw line)
  moves down together, fully in the middle of the face and fading out towards the
  ears and below the chin, so the chin's outline moves over the neck;
- the upper lip lifts a little, the lips narrow for o/u and widen for i/e, and a
  smile's corners relax while speaking;
- the gap is painted, not cut: a dark, soft gradient deeper in, upper teeth under
  the upper lip (unless the photo already shows them: then the photo's own teeth
  move with the upper lip, never a second set, and get tips in their own colour
  below where the lower lip hid them), lower teeth when the jaw is well down, and a
  hint of tongue behind them; on f/v the upper teeth rest on the lower lip instead.

The warp is a backward map (for each output pixel, where to read the photo), solved
by fixed-point iteration because the jaw's pull depends on where a pixel came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from anchor.core.values import Box

from .landmarks import Landmarks

__all__ = ["JAW_MAX", "MouthModel", "Pose"]

JAW_MAX = 0.06  # jaw drop of a loud, open "a", as a share of the face height (hairline–chin)


@dataclass(frozen=True, slots=True)
class Pose:
    jaw: float = 0.0  # 0..~1.1 of JAW_MAX
    width: float = 0.0  # -1 rounded .. +1 spread
    fv: bool = False  # lower lip under the upper teeth
    relax: float = 0.0  # 0 the photo's smile .. 1 corners relaxed for speech
    shut: bool = False  # lips pressed together, even where the photo shows them parted


def _smoothstep(e0: float | np.ndarray, e1: float | np.ndarray, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _curve(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(points[:, 0], kind="stable")
    return points[order, 0].astype(np.float64), points[order, 1].astype(np.float64)


class MouthModel:
    """Geometry of one presenter's mouth (image pixels) and the drawing of its poses."""

    def __init__(self, img: np.ndarray, lm: Landmarks) -> None:
        self.fh = max(lm.face_height, 20.0)
        ou, ol = lm["lips_outer_upper"], lm["lips_outer_lower"]
        iu, il = lm["lips_inner_upper"], lm["lips_inner_lower"]
        left, right = ou[0], ou[-1]
        self.cx = float((left[0] + right[0]) / 2)
        self.half = float(max(4.0, (right[0] - left[0]) / 2))
        # Where the lips part from each other: the inner corners. On a smile they sit well
        # inside the outer ones, and an opening must close there, not at the skin's fold.
        self.half_in = float(min(self.half, max(3.0, (iu[-1][0] - iu[0][0]) / 2)))
        self.corner_y = float((left[1] + right[1]) / 2)
        self._ou, self._ol = _curve(ou), _curve(ol)
        self._iu, self._il = _curve(iu), _curve(il)
        self.seam_c = float(self.lower_inner(np.array([self.cx]))[0])
        top_c = float(self.upper_inner(np.array([self.cx]))[0])
        self.gap_c = max(0.0, self.seam_c - top_c)  # the photo's own parting at the centre
        self.upper_lip = max(2.0, top_c - float(np.interp(self.cx, *self._ou)))
        self.lower_lip = max(2.0, float(np.interp(self.cx, *self._ol)) - self.seam_c)
        self.lip_bottom = float(np.interp(self.cx, *self._ol))
        self.smile = max(0.0, self.seam_c - self.corner_y)  # corners above the parting
        self.chin = lm.chin.astype(np.float64)
        nose = lm["nose"]
        self.nose_base = float(nose[1][1])
        # Where nothing may move (the line every displacement fades to): under the nose
        # just below its base; beside the nose higher up the cheeks, so that the smile's
        # corners can relax without squeezing all their travel into the few rows between
        # the corners and the nose (a squeezed warp folds over and draws the photo's
        # smile folds as jagged lines). Clear of the eyes' tiles below the eyes.
        self._nose_half = float(max(abs(nose[2][0] - self.cx), abs(nose[3][0] - self.cx),
                                    0.05 * self.fh))
        self._still_nose = self.nose_base + 0.2 * (self.seam_c - self.upper_lip
                                                   - self.nose_base)
        eyes = [lm.box(f"eye_{s}_upper", f"eye_{s}_lower") for s in ("r", "l")]
        eye_floor = max(e.y + 1.9 * e.h + 4.0 for e in eyes)
        self._still_cheek = min(self._still_nose, max(self.nose_base - 0.08 * self.fh,
                                                       eye_floor))
        oval = lm["face_oval"]
        # Face half-width at the mouth's height: the jaw moves inside it.
        rows = oval[np.abs(oval[:, 1] - self.seam_c) < 0.12 * self.fh]
        self.jaw_half = (float(np.max(np.abs(rows[:, 0] - self.cx))) if len(rows)
                         else 1.6 * self.half)
        self._oval = oval
        # The photo's teeth: a parting wider than a tenth of the mouth, bright inside.
        self.teeth = False
        if self.gap_c > 0.08 * self.half:
            y0, y1 = round(top_c), round(self.seam_c)
            x0, x1 = round(self.cx - 0.3 * self.half), round(self.cx + 0.3 * self.half)
            inside = img[max(0, y0):max(y0 + 1, y1), max(0, x0):max(x0 + 1, x1)]
            skin = img[round(self.nose_base):round(top_c - self.upper_lip), x0:x1]
            if inside.size and skin.size:
                self.teeth = float(inside.mean()) > 0.9 * float(skin.mean())
        # Median lip colour, from between the outer contours minus the parting.
        mask = np.zeros(img.shape[:2], np.uint8)
        cv2.fillPoly(mask, [np.round(np.concatenate([ou, ol[::-1]])).astype(np.int32)], 1)
        cv2.fillPoly(mask, [np.round(np.concatenate([iu, il[::-1]])).astype(np.int32)], 0)
        lips = img[mask.astype(bool)]
        self.lip_rgb = (np.median(lips, axis=0) if len(lips) >= 8
                        else np.array([170.0, 90.0, 90.0])).astype(np.float32)
        # The photo's grain on the lips (a drawing has none): painted parts get as much.
        hp = img.astype(np.float32) - cv2.GaussianBlur(img, (0, 0), 1.2).astype(np.float32)
        self.grain = float(np.median(np.abs(hp[mask.astype(bool)]))) if len(lips) >= 8 else 0.0
        self.region = self._region(img.shape[1], img.shape[0])
        self._field_key: tuple[int, int, int, int] | None = None
        self._field: np.ndarray | None = None
        self._env_key: tuple[int, int, int, int] | None = None
        self._env: np.ndarray | None = None

    # --- geometry helpers (image coordinates)

    def upper_inner(self, x: np.ndarray) -> np.ndarray:
        return np.interp(x, *self._iu)

    def lower_inner(self, x: np.ndarray) -> np.ndarray:
        return np.interp(x, *self._il)

    def still_line(self, x: np.ndarray) -> np.ndarray:
        """Per column, the row above which no pose moves anything (image coordinates)."""
        n = self._nose_half
        t = _smoothstep(1.1 * n, 1.6 * n, np.abs(x - self.cx))
        return self._still_nose + (self._still_cheek - self._still_nose) * t

    def _region(self, w: int, h: int) -> Box:
        """Everything a pose may change: under the nose to under the chin, cheek to cheek."""
        jaw = JAW_MAX * 1.2 * self.fh
        x0 = math.floor(self.cx - 1.15 * self.jaw_half)
        x1 = math.ceil(self.cx + 1.15 * self.jaw_half)
        y0 = math.floor(self._still_cheek)
        y1 = math.ceil(self.chin[1] + jaw + 0.1 * self.fh)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        return Box(x0, y0, max(1, x1 - x0), max(1, y1 - y0))

    def max_jaw_px(self) -> float:
        return JAW_MAX * self.fh

    # --- drawing

    def draw(self, img: np.ndarray, region: Box, pose: Pose) -> np.ndarray:
        """``region`` of ``img`` with the mouth in ``pose`` (uint8, region-sized).

        ``region`` may be any window: outside ``self.region`` nothing moves, so a tile
        cut from it at ``self.region`` meets the untouched photo without a seam.
        """
        y0, x0 = region.y, region.x
        src = img[y0:y0 + region.h, x0:x0 + region.w]
        map_x, map_y, g = self._maps(region, pose)
        warped = cv2.remap(img, map_x, map_y, cv2.INTER_CUBIC,
                           borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        ys, u, top, bottom, seam = g["ys"], g["u"], g["top"], g["bottom"], g["seam"]
        # A soft inner lip edge (1.5 px), not a cut-out.
        inside = np.clip(np.minimum(ys - top, bottom - ys) / 1.5 + 0.5, 0.0, 1.0)
        inside *= np.clip(1.6 * (bottom - top) - 0.6, 0.0, 1.0)  # under a pixel: a line
        jaw = max(0.0, pose.jaw) * JAW_MAX * self.fh
        if jaw > 0 or (pose.fv and not self.teeth):
            # Only the rows that hold the opening (and f/v's teeth) are painted.
            reach = float(np.max(bottom - seam)) + self.lower_lip
            r0 = max(0, math.floor(float(np.min(top)) - y0 - 6))  # + the photo's teeth
            r1 = min(region.h, math.ceil(float(np.max(seam)) + reach - y0 + 3))
            if r1 > r0:
                b = slice(r0, r1)
                warped[b] = self._paint(warped[b], ys[b], u[b], top[b], bottom[b], inside[b],
                                        pose, seam[b])
        del src  # (the warp is the identity wherever it meets the photo: nothing to feather)
        return np.clip(warped + 0.5, 0, 255).astype(np.uint8)

    def warp_maps(self, region: Box, pose: Pose
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The backward map of ``pose`` over ``region``: for each output pixel, where it
        reads the photo (float32 x and y, image coordinates), and where the opening is
        (bool: the one place the map may step, since it is painted over)."""
        map_x, map_y, g = self._maps(region, pose)
        opening = (g["ys"] >= g["top"] - 0.5) & (g["ys"] < g["bottom"] + 0.5)
        return map_x, map_y, opening | g["closing"]

    def _maps(self, region: Box, pose: Pose
              ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Backward map plus the opening's geometry (per pixel of ``region``).

        Every displacement is continuous and fades to zero at ``still_line`` (above)
        and at the sides and bottom of ``self.region``; only the opening itself is a
        step, and it is painted over.
        """
        y0, x0 = region.y, region.x
        ys, xs = np.mgrid[y0:y0 + region.h, x0:x0 + region.w].astype(np.float32)
        still = self.still_line(xs)
        jaw = max(0.0, pose.jaw) * JAW_MAX * self.fh
        rnd, spr = max(0.0, -pose.width), max(0.0, pose.width)
        # Width: round lips pull in by up to a fifth, spread ones widen a little.
        scale = 1.0 - 0.27 * rnd + 0.05 * spr
        lip_mid = 0.5 * (self.seam_c - self.upper_lip + self.lip_bottom)
        lip_half_h = 0.5 * (self.lip_bottom - (self.seam_c - self.upper_lip))
        rel = xs - self.cx
        # Inside the corners the lips scale about the middle; beyond them the pull on
        # the cheeks fades out over at least 2.5× the corner's travel, so the map's
        # slope stays above 0.4 (a steeper fade folds the cheek over itself).
        k = 1.0 / scale - 1.0
        fade = max(0.6, 2.5 * abs(k)) * self.half
        shift = k * np.clip(rel, -self.half, self.half) * (
            1.0 - _smoothstep(self.half, self.half + fade, np.abs(rel)))
        gy = 1.0 - _smoothstep(lip_half_h, lip_half_h + 0.9 * self.half, np.abs(ys - lip_mid))
        gy *= _smoothstep(still, np.maximum(still + 1.0, lip_mid - lip_half_h), ys)
        map_x = xs + shift * gy
        map_y = ys.copy()
        # A smile's corners relax: pull them down and in a little while speaking. The
        # skin above a corner stretches over the rows up to the still line; the drop is
        # at most 0.4 of them (the warp's slope stays under 0.6: it never folds over).
        drop_c = np.zeros_like(xs)
        if pose.relax > 0 and self.smile > 0.5:
            r = 0.28 * 2 * self.half
            rise = _smoothstep(still, np.maximum(still + 1.0, self.corner_y), ys)
            amp = np.minimum(pose.relax * 0.55 * self.smile,
                             0.4 * np.maximum(self.corner_y - still, 0.0))
            for side in (-1.0, 1.0):
                ccx = self.cx + side * self.half
                g = np.exp(-((xs - ccx) ** 2 + (ys - self.corner_y) ** 2) / (2 * r * r))
                g *= rise
                drop_c += amp * g
                map_x += side * pose.relax * 0.04 * self.half * g
            map_y -= drop_c
        closing = np.zeros(xs.shape, bool)
        if pose.shut and self.gap_c > 1.0:
            map_y = self._shut(map_x, ys - drop_c, still)  # in the relaxed face's rows
            # where the lips meet, the teeth between them are skipped: the map steps
            meet = 0.5 * (self.upper_inner(map_x) + self.lower_inner(map_x))
            closing = np.abs(ys - drop_c - meet) < 1.0
        # Opening profile across the mouth: full in the middle, shut at the corners.
        u = np.clip((map_x - self.cx) / self.half_in, -1.0, 1.0)
        prof = np.sqrt(np.clip(1.0 - u * u, 0.0, 1.0)) ** (1.2 if rnd > 0.5 else 0.9)
        # ...closing at the corners at a finite slope: an elliptic end is vertical there,
        # and the lip's lift and the jaw's pull would shear the cheek along a line
        # running up and down from each corner.
        prof = np.minimum(prof, 2.0 * (1.0 - np.abs(u)))
        seam = self.lower_inner(map_x) + drop_c  # where the parting shows after the relax
        up = (0.16 * jaw + 0.012 * self.fh * spr * min(1.0, pose.jaw * 3)) * prof
        if pose.fv and not self.teeth:
            up = up + 0.25 * self.upper_lip * prof
        top = seam - up  # the cavity spans [top, bottom) in output rows
        bottom = seam + jaw * prof

        # Upper part: moves up, rigid over the lip (and the photo's teeth), fading to the
        # still line under the nose.
        fade_up = np.clip((ys - still) / np.maximum(1.0, top - still), 0.0, 1.0)
        above = ys < top
        map_y = np.where(above, map_y + up * _smoothstep(0.0, 0.7, fade_up), map_y)
        # Lower part: solve y_out = y_src + D(y_src) for y_src, D the jaw's pull.
        face = self._face_field(region)
        below = ys >= bottom
        y_src = ys - jaw * prof
        # The jaw turns down *and back*: its slanted outline drops without moving
        # outwards, so the lower face also narrows by about the drop at its sides.
        rel = map_x - self.cx
        narrow = np.sign(rel) * np.clip(np.abs(rel) / (0.85 * self.jaw_half), 0.0, 1.0) ** 2
        x_src = map_x
        for _ in range(3 if jaw > 0 else 0):
            d = self._pull(x_src, y_src, jaw, prof, face, region)
            y_src = ys - d
            x_src = map_x + 0.8 * narrow * d
        map_y = np.where(below, map_y + (y_src - ys), map_y)
        map_x = np.where(below, x_src, map_x)
        # Nothing moves at the region's edges: the tile meets the still photo there.
        env = self._envelope(region)
        map_x = xs + env * (map_x - xs)
        map_y = ys + env * (map_y - ys)
        geo = {"ys": ys, "u": u, "top": top, "bottom": bottom, "seam": seam,
               "closing": closing}
        return map_x.astype(np.float32), map_y.astype(np.float32), geo

    def _envelope(self, region: Box) -> np.ndarray:
        """1 where a pose may move pixels, easing to 0 at the still line and at the
        sides and bottom of ``self.region`` (and 0 outside it); made once per window."""
        key = (region.x, region.y, region.w, region.h)
        if self._env_key == key and self._env is not None:
            return self._env
        r = self.region
        ys, xs = np.mgrid[region.y:region.y + region.h,
                          region.x:region.x + region.w].astype(np.float32)
        still = self.still_line(xs)
        side, low, high = max(3.0, 0.05 * self.fh), max(3.0, 0.06 * self.fh), 2.0
        x_last, y_last = float(r.x + r.w - 1), float(r.y + r.h - 1)
        env = (_smoothstep(float(r.x), r.x + side, xs) * _smoothstep(x_last, x_last - side, xs)
               * _smoothstep(still, still + high, ys) * _smoothstep(y_last, y_last - low, ys))
        self._env_key, self._env = key, env.astype(np.float32)
        return self._env

    def _shut(self, x: np.ndarray, ys: np.ndarray, still: np.ndarray) -> np.ndarray:
        """Close a parted photo's lips (m, b, p): each lip slides half the parting towards
        the other, hiding the teeth, and the skin above and below stretches to follow."""
        iu, il = self.upper_inner(x), self.lower_inner(x)
        half_gap = np.maximum(il - iu, 0.0) / 2
        ul_top, ll_bot = iu - self.upper_lip, il + self.lower_lip
        # The stretch starts above the upper lip (well under the nose) and ends under
        # the lower one.
        a = np.maximum(ul_top - 0.5 * self.upper_lip - 0.05 * self.half,
                       self.nose_base + 0.4 * (ul_top - self.nose_base))
        # never above the still line, and leaving the stretch at least a few rows
        a = np.minimum(np.maximum(a, still + 1.0), ul_top - 2.0)
        b = ll_bot + 0.6 * self.lower_lip + 0.1 * self.half
        mid = iu + half_gap
        out = ys
        # Skin above the upper lip: [a, ul_top] stretched over [a, ul_top + half_gap).
        k = (ys >= a) & (ys < ul_top + half_gap)
        out = np.where(k, a + (ys - a) * (ul_top - a) / np.maximum(ul_top + half_gap - a, 1e-3),
                       out)
        k = (ys >= ul_top + half_gap) & (ys < mid)  # the upper lip, moved down
        out = np.where(k, ys - half_gap, out)
        k = (ys >= mid) & (ys < ll_bot - half_gap)  # the lower lip, moved up
        out = np.where(k, ys + half_gap, out)
        k = (ys >= ll_bot - half_gap) & (ys < b)  # skin under it, stretched
        out = np.where(k, ll_bot + (ys - (ll_bot - half_gap)) * (b - ll_bot)
                       / np.maximum(b - ll_bot + half_gap, 1e-3), out)
        return out

    def _face_field(self, region: Box) -> np.ndarray:
        """1 inside the face outline, fading out around it over about the widest jaw drop
        (the same for every pose, so it is made once per region)."""
        key = (region.x, region.y, region.w, region.h)
        if self._field_key == key and self._field is not None:
            return self._field
        jaw = JAW_MAX * 1.2 * self.fh
        m: np.ndarray = np.zeros((region.h, region.w), np.float32)
        pts = np.round(self._oval - [region.x, region.y]).astype(np.int32)
        cv2.fillPoly(m, [pts], 1.0)
        grow = max(2, round(max(2.0 * jaw, 0.03 * self.fh)))
        m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
        sigma = max(1.0, max(1.2 * jaw, 0.02 * self.fh))
        self._field_key, self._field = key, cv2.GaussianBlur(m, (0, 0), sigma)
        return self._field

    def _pull(self, x: np.ndarray, y: np.ndarray, jaw: float, prof: np.ndarray,
              face: np.ndarray, region: Box) -> np.ndarray:
        """How far the jaw moves the photo's point (x, y) down (y below the parting)."""
        # The lower lip follows the opening profile; lower down the jaw moves as a whole.
        lip_end = self.lip_bottom + 0.5 * (self.chin[1] - self.lip_bottom)
        a = 1.0 - _smoothstep(self.lip_bottom, lip_end, y)
        # Lower down the jaw turns about the ears: the chin moves most, the jaw's
        # angle least, the cheeks beside the mouth a little (their skin stretches).
        turn = np.clip((y - self.nose_base) / max(1.0, self.chin[1] - self.nose_base), 0.0, 1.0)
        side = np.clip(np.abs(x - self.cx) / max(1.0, self.jaw_half), 0.0, 1.2)
        whole = turn ** 1.3 * (1.0 - 0.45 * side * side)
        inside = cv2.remap(face, (x - region.x).astype(np.float32),
                           (y - region.y).astype(np.float32), cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
        return jaw * (a * prof + (1.0 - a) * whole) * inside

    def _paint(self, warped: np.ndarray, ys: np.ndarray, u: np.ndarray, top: np.ndarray,
               bottom: np.ndarray, inside: np.ndarray, pose: Pose, seam: np.ndarray
               ) -> np.ndarray:
        """The inside of the mouth over the warped photo, where ``inside`` > 0.

        Everything is in the mouth's shade: light comes in from the front and falls off
        towards the corners and the throat, so nothing painted is brighter than the lips'
        highlights, and the photo's own grain is added so paint does not look smooth.
        """
        h = np.maximum(bottom - top, 1e-3)
        t = np.clip((ys - top) / h, 0.0, 1.0)  # 0 under the upper lip, 1 at the lower
        lip = self.lip_rgb
        light = np.clip(1.0 - 0.9 * u * u, 0.1, 1.0)[..., None]  # front lit, corners dark
        dark = lip * np.array([0.2, 0.09, 0.09], np.float32) + 7.0
        mid = lip * np.array([0.34, 0.15, 0.15], np.float32) + 6.0
        colour = dark + (mid - dark) * (_smoothstep(0.2, 1.0, t) * 0.7)[..., None] * light
        # Tongue: a soft, muted mound low in the middle, its back in shadow.
        tongue = lip * np.array([0.62, 0.36, 0.37], np.float32) + 8.0
        tu = u / 0.6
        mound = bottom - 0.5 * h * np.sqrt(np.clip(1.0 - tu * tu, 0.0, 1.0))
        soft = np.maximum(1.0, 0.25 * h)  # no second band: the tongue rises out of the dark
        tw = _smoothstep(-soft, soft, ys - mound) * np.clip(pose.jaw * 1.6, 0.0, 0.9)
        tw *= 0.45 + 0.55 * t
        colour = colour + (tongue * light - colour) * tw[..., None]
        enamel = np.array([228.0, 218.0, 198.0], np.float32)
        # Tooth edges across the mouth (perspective squeezes the side teeth): a faint
        # darker line between teeth, and each tooth's lower edge a little rounded.
        edges = np.array([0.0, 0.34, 0.6, 0.8])
        du = np.min(np.abs(np.abs(u)[..., None] - edges), axis=-1) * self.half
        between = 1.0 - 0.22 * np.exp(-(du * du) / 0.5)
        rounded = 1.0 - 0.35 * np.exp(-(du * du) / (0.02 * self.half) ** 2)
        # A photo that shows its teeth lends them its colour (per column, from just
        # above the cut): painted teeth in a stock white next to real ones read as a
        # second set.
        own, reach = self._own_teeth(warped, ys, u, top) if self.teeth else (None, None)
        # Lower teeth: a row over the lower lip once the jaw is well down, narrower than
        # the upper one, edges scalloped, lit at the edge and shaded at the root; in the
        # photo's own colour where it shows teeth.
        if pose.jaw > 0.5 and not pose.fv:
            base = own if own is not None else enamel * 0.8
            low_edges = np.array([0.0, 0.19, 0.37, 0.54])
            ldu = np.min(np.abs(np.abs(u)[..., None] - low_edges), axis=-1) * self.half
            scallop = 1.0 - 0.2 * np.exp(-(ldu * ldu) / (0.04 * self.half) ** 2)
            lth = np.minimum(0.3 * h, 0.1 * self.half) * scallop
            lth = lth * np.sqrt(np.clip(1 - (u / 0.62) ** 2, 0, 1))
            lw = np.clip((ys - (bottom - lth)) / 1.2 + 0.5, 0.0, 1.0) * (lth > 0.5)
            rise = np.clip((ys - (bottom - lth)) / np.maximum(lth, 1.0), 0.0, 1.0)
            tc = base * (light * (1.0 - 0.25 * rise[..., None]))
            colour = colour + (tc - colour) * (0.8 * lw)[..., None]
        if own is not None:
            # The photo's upper teeth end where its lower lip hid them: draw on their
            # tips (each a little rounded) so the cut is not a straight hard edge with
            # the dark straight under it, and go over the seam's last rows, where the
            # photo blends teeth with lip.
            # (No drawn gaps between teeth here: the photo's own continue down the columns.)
            tip = np.minimum(0.3 * h, 0.07 * self.half)
            if pose.fv:  # the upper teeth rest on the lower lip
                tip = h + 1.0
            tip = tip * np.clip(1.0 - (u / 0.85) ** 2, 0.0, 1.0) ** 0.5
            edge = np.clip((top + tip - ys) / 1.2 + 0.5, 0.0, 1.0)
            depth = np.clip((ys - top) / np.maximum(tip, 1.0), 0.0, 1.0)
            tc = own * (1.0 - 0.15 * depth * depth)[..., None]
            colour = colour + (tc - colour) * edge[..., None]
            over = _smoothstep(0.0, 1.5, ys - (top - reach - 1.5)) * (ys < top)
            inside = np.maximum(inside, over * edge * (np.abs(u) < 0.9))
            # Likewise the photo's lower lip starts with a row or two of teeth blurred
            # into it: moved down with the jaw, a pale line along the opening's floor.
            lip_px, low = self._lip_below(warped, ys, bottom)
            on_lip = np.clip((ys - bottom) + 0.5, 0.0, 1.0)
            colour = colour + (lip_px - colour) * on_lip[..., None]
            cover = on_lip * (1.0 - _smoothstep(low, low + 1.5, ys - bottom))
            inside = np.maximum(inside, cover * (np.abs(u) < 0.95))
        # Upper teeth under the upper lip, unless the photo's own teeth are there.
        if not self.teeth:
            th = np.minimum(0.36 * h, 0.12 * self.half * (1.0 + 0.3 * max(0.0, pose.width)))
            if pose.fv:
                th = (seam + 0.35 * self.lower_lip) - top  # resting on the lower lip
            th = th * np.clip(1.0 - (u / 0.82) ** 2, 0.0, 1.0) ** 0.5 * rounded
            edge = np.clip((top + th - ys) / 1.2 + 0.5, 0.0, 1.0)  # a soft biting edge
            tw_ = edge * (np.abs(u) < 0.82) * (th > 0.4)
            # Shaded: under the lip's shadow at the top, lit in front, dark at the sides.
            depth = np.clip((ys - top) / np.maximum(th, 1.0), 0.0, 1.0)
            shade = light[..., 0] * (0.62 + 0.3 * _smoothstep(0.0, 0.45, depth)) * between
            tc = enamel * shade[..., None]
            colour = colour + (tc - colour) * (0.95 * tw_)[..., None]
            if pose.fv:  # the teeth cover the top of the lower lip, outside ``inside``
                over = np.clip(top + th - ys + 0.5, 0.0, 1.0) * (ys >= top) * (np.abs(u) < 0.8)
                inside = np.maximum(inside, over * np.clip(1 - (u / 0.8) ** 2, 0, 1) ** 0.3)
        colour = colour + self._grain(ys.shape)
        a = inside[..., None]
        return warped + a * (colour - warped)

    def _own_teeth(self, warped: np.ndarray, ys: np.ndarray, u: np.ndarray, top: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
        """Per column, the colour of the photo's teeth just above the cut (``warped``
        rows, ``top`` where the opening starts), and how many rows over the cut the
        photo blends them with the lower lip (painted over with that colour)."""
        # One colour per column (the cut's row half-way down the painted rows): sampled
        # per pixel, the rounding of a slanting cut shows as stripes.
        mid = warped.shape[0] // 2
        x = self.cx + u[mid] * self.half_in
        gap = np.maximum(self.lower_inner(x) - self.upper_inner(x), 1.0)
        cols = np.arange(warped.shape[1])
        reach = np.minimum(3.5, 0.3 * gap)  # a tooth's bottom, blurred with the lip below
        acc = np.zeros((warped.shape[1], 3), np.float32)
        last = warped.shape[0] - 1
        for off in (0.0, 1.0, 2.0):
            r = np.clip(top[mid] - np.minimum(reach + off, 0.6 * gap) - ys[0, 0], 0.0, last)
            r0 = np.floor(r).astype(np.intp)
            f = (r - r0)[:, None]
            acc += (1 - f) * warped[r0, cols] + f * warped[np.minimum(r0 + 1, last), cols]
        return (acc / 3.0)[None], reach[None].astype(np.float32)

    def _lip_below(self, warped: np.ndarray, ys: np.ndarray, bottom: np.ndarray
                   ) -> tuple[np.ndarray, float]:
        """Per column, the lower lip's colour just clear of the opening's floor
        (``bottom``), and how many rows under the floor it is painted with."""
        mid = warped.shape[0] // 2
        low = min(2.5, 0.3 * self.lower_lip)
        cols = np.arange(warped.shape[1])
        last = warped.shape[0] - 1
        acc = np.zeros((warped.shape[1], 3), np.float32)
        for off in (0.5, 1.5):
            r = np.clip(bottom[mid] + low + off - ys[0, 0], 0.0, last)
            r0 = np.floor(r).astype(np.intp)
            f = (r - r0)[:, None]
            acc += (1 - f) * warped[r0, cols] + f * warped[np.minimum(r0 + 1, last), cols]
        return (acc / 2.0)[None], low

    def _grain(self, shape: tuple[int, ...]) -> np.ndarray:
        """Fixed noise at the photo's own grain level (zero on a clean drawing)."""
        if self.grain <= 0.2:
            return np.zeros((*shape, 1), np.float32)
        rng = np.random.default_rng(7)
        noise = cv2.GaussianBlur(rng.normal(0.0, 1.0, shape).astype(np.float32), (0, 0), 0.7)
        return (noise / max(float(noise.std()), 1e-6) * self.grain)[..., None]
