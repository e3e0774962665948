#!/usr/bin/env python3
"""Draw the presenters that are no real person: ``avatars/xia.png`` (the default), its
alpha matte and its TOML with landmarks; ``--presenter lin`` redraws the first one.

Xia Yu (夏雨) is an illustration whose every pixel the project owns: no likeness of a
real person, no consent to collect, no licence to track. She is painted in numpy at 2x
and scaled down to 1280x1280: shaded skin (a key light from the upper left, the face's
planes, blush), eyes with irises, lids, lashes and catchlights, brows hair by hair, a
closed relaxed mouth, a side-parted bob of ~900 strands with a sheen and a cast shadow,
a navy jacket with notched lapels over a silk blouse, and a thin chain.

Written beside the picture:

- ``xia-matte.png``: her alpha matte (8-bit, white = the presenter: hair, face, neck,
  body), for compositing onto a studio set;
- ``xia.toml``: who she is, her consent table (no real person), the face, eye and mouth
  boxes, and her landmarks in FaceMesh's groups. The lips, lids, irises, brows and nose
  are the curves the drawing used (exact); the face oval is FaceMesh's own on the
  drawing when mediapipe is installed, because the animation's jaw and face-height scale
  were tuned on FaceMesh's oval (its top point sits below the hairline), else the
  drawing's.

    .venv/bin/python scripts/make_avatar.py                  # avatars/xia.*
    .venv/bin/python scripts/make_avatar.py --out /tmp       # somewhere else
    .venv/bin/python scripts/make_avatar.py --presenter lin  # avatars/lin.png + lin.toml
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

N = 1280  # output side
SS = 2  # supersampling
M = N * SS
CX = 640.0

Colour = tuple[float, float, float]


# ----------------------------------------------------------------------------- geometry

def catmull(points: list[tuple[float, float]] | np.ndarray, n: int = 24,
            closed: bool = False) -> np.ndarray:
    """A Catmull-Rom spline through ``points`` (n samples per segment)."""
    p = np.asarray(points, np.float64)
    if closed:
        p = np.vstack([p[-1], p, p[0], p[1]])
    else:
        p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = []
    t = np.linspace(0, 1, n, endpoint=False)[:, None]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        a = 2 * p1
        b = p2 - p0
        c = 2 * p0 - 5 * p1 + 4 * p2 - p3
        d = -p0 + 3 * p1 - 3 * p2 + p3
        out.append(0.5 * (a + b * t + c * t * t + d * t * t * t))
    if not closed:
        out.append(p[-2][None])
    return np.vstack(out)


def off(dx: float, dy: float) -> np.ndarray:
    """An offset to add to a point or a curve (numpy adds it to every point)."""
    return np.array([dx, dy], np.float64)


def mirror(right: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Right-half points (dx, y) from top to bottom → a closed outline, clockwise."""
    pts = [(CX + dx, y) for dx, y in right]
    back = [(CX - dx, y) for dx, y in reversed(right) if dx != 0]
    return pts + back


def resample(curve: np.ndarray, n: int) -> np.ndarray:
    """``n`` points evenly spaced by arc length along ``curve``."""
    seg = np.linalg.norm(np.diff(curve, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)])
    t = np.linspace(0, s[-1], n)
    return np.stack([np.interp(t, s, curve[:, 0]), np.interp(t, s, curve[:, 1])], 1)


# ----------------------------------------------------------------------------- canvas

class Canvas:
    def __init__(self) -> None:
        self.img = np.zeros((M, M, 3), np.float32)
        self.matte = np.zeros((M, M), np.float32)

    # masks at SS x, coordinates in output pixels
    @staticmethod
    def poly(points: np.ndarray) -> np.ndarray:
        m = np.zeros((M, M), np.uint8)
        pts = np.round(np.asarray(points) * SS * 16).astype(np.int32)
        cv2.fillPoly(m, [pts], 255, lineType=cv2.LINE_AA, shift=4)
        return m.astype(np.float32) / 255.0

    @staticmethod
    def line(points: np.ndarray, width: float) -> np.ndarray:
        m = np.zeros((M, M), np.uint8)
        pts = np.round(np.asarray(points) * SS * 16).astype(np.int32)
        cv2.polylines(m, [pts], False, 255, thickness=max(1, round(width * SS)),
                      lineType=cv2.LINE_AA, shift=4)
        return m.astype(np.float32) / 255.0

    @staticmethod
    def taper(points: np.ndarray, w0: float, w1: float, mid: float | None = None) -> np.ndarray:
        """Polygon of a stroke along ``points`` whose width goes w0 → (mid) → w1."""
        p = np.asarray(points, np.float64)
        d = np.gradient(p, axis=0)
        d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
        nrm = np.stack([-d[:, 1], d[:, 0]], 1)
        t = np.linspace(0, 1, len(p))[:, None]
        if mid is None:
            w = w0 + (w1 - w0) * t
        else:
            w = np.where(t < 0.5, w0 + (mid - w0) * t * 2, mid + (w1 - mid) * (t - 0.5) * 2)
        left, right = p + nrm * w / 2, p - nrm * w / 2
        return np.vstack([left, right[::-1]])

    @staticmethod
    def blur(mask: np.ndarray, sigma: float) -> np.ndarray:
        return cv2.GaussianBlur(mask, (0, 0), max(0.3, sigma * SS))

    @staticmethod
    def shift(mask: np.ndarray, dx: float, dy: float) -> np.ndarray:
        mat = np.array([[1, 0, dx * SS], [0, 1, dy * SS]], np.float32)
        return cv2.warpAffine(mask, mat, (M, M), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0)

    def paint(self, mask: np.ndarray, colour: Colour | np.ndarray, alpha: float = 1.0) -> None:
        m = np.clip(mask, 0, 1)[..., None] * alpha
        c = np.asarray(colour, np.float32)
        self.img += (c - self.img) * m

    def darken(self, mask: np.ndarray, amount: float, tint: Colour = (0, 0, 0)) -> None:
        """Multiply towards ``tint`` (a shadow keeps the colour it falls on)."""
        m = np.clip(mask, 0, 1)[..., None] * amount
        t = np.asarray(tint, np.float32) / 255.0
        self.img *= 1 - m * (1 - t)

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        y, x = np.mgrid[0:M, 0:M].astype(np.float32)
        return x / SS, y / SS

    def save(self, path: Path, matte_path: Path | None = None) -> None:
        small = cv2.resize(self.img, (N, N), interpolation=cv2.INTER_AREA)
        out = np.clip(small + 0.5, 0, 255).astype(np.uint8)
        Image.fromarray(out).save(path, optimize=True)
        if matte_path is not None:
            a = cv2.resize(self.matte, (N, N), interpolation=cv2.INTER_AREA)
            Image.fromarray(np.clip(a * 255 + 0.5, 0, 255).astype(np.uint8)).save(
                matte_path, optimize=True)


def noise(sigma: float, amp: float, shape: tuple[int, int] = (M, M), seed: int = 0) -> np.ndarray:
    r = np.random.default_rng(seed)
    n = r.normal(0, 1, (shape[0] // 4, shape[1] // 4)).astype(np.float32)
    n = cv2.GaussianBlur(n, (0, 0), max(0.3, sigma * SS / 4))
    n /= max(float(n.std()), 1e-6)
    return cv2.resize(n, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC) * amp


# ----------------------------------------------------------------------------- palette

BG_TOP: Colour = (214, 221, 230)
BG_BOTTOM: Colour = (172, 184, 200)
SKIN: Colour = (240, 203, 180)
SKIN_LIGHT: Colour = (250, 224, 206)
SKIN_SHADE: Colour = (206, 150, 126)
HAIR: Colour = (38, 27, 24)
HAIR_MID: Colour = (62, 44, 37)
HAIR_SHEEN: Colour = (128, 100, 88)
JACKET: Colour = (30, 52, 88)
JACKET_LIGHT: Colour = (58, 86, 128)
BLOUSE: Colour = (246, 242, 236)
LIP: Colour = (196, 104, 106)
LIP_DARK: Colour = (150, 66, 74)
LIP_LIGHT: Colour = (226, 146, 144)
IRIS: Colour = (86, 54, 36)
IRIS_LIGHT: Colour = (140, 94, 60)
BROW: Colour = (56, 40, 34)
SCLERA: Colour = (244, 240, 236)

# ----------------------------------------------------------------------------- the face

HAIRLINE_Y, CHIN_Y = 300.0, 700.0
EYE_Y, EYE_DX, EYE_W, EYE_H = 458.0, 70.0, 70.0, 28.0
BROW_Y = 414.0
NT = 562.0  # the tip of the nose
MOUTH_Y, MOUTH_HALF = 610.0, 56.0

FACE_RIGHT = [(0, 250), (96, 268), (142, 318), (158, 392), (162, 456), (160, 510),
              (152, 562), (136, 610), (112, 654), (76, 688), (34, 703), (0, 706)]


def face_outline() -> np.ndarray:
    return catmull(mirror(FACE_RIGHT), 16, closed=True)


def eye_curves(side: int) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower lid lines of one eye, image-left corner to image-right corner.
    ``side`` -1 is the image-left eye (the subject's right)."""
    ex = CX + side * EYE_DX
    outer = ex + side * EYE_W / 2
    inner = ex - side * EYE_W / 2
    left, right = (outer, inner) if side < 0 else (inner, outer)
    # the outer corner a little higher: an almond with a slight lift
    ly = EYE_Y + (-2.0 if left == outer else 3.0)
    ry = EYE_Y + (-2.0 if right == outer else 3.0)
    xs = np.linspace(left, right, 41)
    u = (xs - left) / (right - left)
    base = ly + (ry - ly) * u
    # the highest point of the upper lid a little towards the inner side... no: towards
    # the outer third, like an almond
    peak = 0.45 if side > 0 else 0.55
    upper = base - EYE_H * 0.62 * np.sin(np.pi * u) ** 0.9 * (1 - 0.25 * (u - peak) ** 2)
    lower = base + EYE_H * 0.38 * np.sin(np.pi * u) ** 1.2
    return np.stack([xs, upper], 1), np.stack([xs, lower], 1)


def lip_curves() -> dict[str, np.ndarray]:
    """The closed lips: the parting (seam), the upper lip's top and the lower lip's bottom."""
    xs = np.linspace(CX - MOUTH_HALF, CX + MOUTH_HALF, 81)
    u = (xs - CX) / MOUTH_HALF
    # the parting: the corners a touch up (a calm, friendly mouth), a small dip under the
    # upper lip's tubercle
    seam = MOUTH_Y - 2.4 * np.abs(u) ** 3 + 0.9 * np.exp(-(u / 0.16) ** 2)
    # the upper lip: thin at the corners, the cupid's bow's two peaks and the dip between
    bow = 2.4 * np.exp(-((np.abs(u) - 0.27) / 0.15) ** 2) - 1.4 * np.exp(-(u / 0.09) ** 2)
    upper = seam - (10.5 * (1 - u * u) ** 0.7 + bow * (1 - u * u))
    lower = seam + 15.5 * (1 - u * u) ** 0.85
    return {"seam": np.stack([xs, seam], 1), "upper": np.stack([xs, upper], 1),
            "lower": np.stack([xs, lower], 1)}


def gauss(x: np.ndarray, y: np.ndarray, cx: float, cy: float, rx: float, ry: float
          ) -> np.ndarray:
    return np.exp(-(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2))


def strands(c: Canvas, curves: list[np.ndarray], width: float) -> np.ndarray:
    """Every curve drawn into one mask (one OpenCV call: hundreds of hairs)."""
    m = np.zeros((M, M), np.uint8)
    pts = [np.round(cv * SS * 16).astype(np.int32) for cv in curves]
    cv2.polylines(m, pts, False, 255, thickness=max(1, round(width * SS)),
                  lineType=cv2.LINE_AA, shift=4)
    return m.astype(np.float32) / 255.0


HAIR_OUTER = [(0, 156), (42, 158), (84, 166), (124, 182), (160, 210), (188, 250),
              (204, 304), (212, 370), (216, 440), (220, 520), (216, 600), (210, 670),
              (202, 736), (190, 786), (170, 818), (146, 828), (118, 822)]
PART_X = CX - 54


def face_opening() -> np.ndarray:
    """What the hair leaves open: the fringe's edge sweeping from the parting to the
    image right above the brow, the side locks just over the face's edge (they hide
    the ears), and the neck between the locks."""
    right = [(PART_X - 4, 296), (CX - 10, 306), (CX + 46, 326), (CX + 96, 346),
             (CX + 132, 368), (CX + 150, 398), (CX + 156, 440), (CX + 157, 520),
             (CX + 148, 590), (CX + 136, 646), (CX + 122, 706), (CX + 116, 770),
             (CX + 118, 810), (CX + 106, 900)]
    left = [(CX - 106, 900), (CX - 120, 810), (CX - 118, 770), (CX - 126, 706), (CX - 142, 646),
            (CX - 154, 590), (CX - 159, 520), (CX - 156, 440), (CX - 148, 388),
            (CX - 130, 344), (CX - 104, 314), (PART_X - 20, 298)]
    return catmull(right + left, 12, closed=True)


def draw() -> tuple[Canvas, dict[str, np.ndarray]]:
    """The presenter, and her landmarks as drawn (FaceMesh's groups, image pixels)."""
    rng = np.random.default_rng(26)  # hair, brow hairs, flyaways: the same every time
    c = Canvas()
    x, y = c.grid()
    ax = np.abs(x - CX)

    # --- background: a soft studio grey-blue, lighter behind the head
    t = (y / N)[..., None]
    c.img[:] = np.array(BG_TOP, np.float32) * (1 - t) + np.array(BG_BOTTOM, np.float32) * t
    c.img += 18 * gauss(x, y, CX, 440, 440, 400)[..., None]

    # --- hair behind the head and neck (in shadow)
    outer = catmull(mirror(HAIR_OUTER), 12, closed=True)
    silhouette = c.poly(outer)
    c.paint(silhouette, (26, 18, 16))
    c.matte = np.maximum(c.matte, silhouette)

    # --- neck
    neck_pts = catmull([(CX - 74, 600), (CX - 76, 700), (CX - 82, 780), (CX - 100, 834),
                        (CX - 64, 890), (CX, 912), (CX + 64, 890), (CX + 100, 834),
                        (CX + 82, 780), (CX + 76, 700), (CX + 74, 600)], 12)
    neck = c.poly(neck_pts)
    c.matte = np.maximum(c.matte, neck)
    c.paint(neck, (232, 190, 166))
    cyl = np.clip((x - (CX - 24)) / 96, -1, 1)
    c.darken(neck * np.clip(cyl, 0, 1) ** 1.2, 0.26, (196, 112, 94))
    c.paint(neck * np.clip(-cyl - 0.2, 0, 1) ** 1.5, SKIN_LIGHT, 0.3)
    c.darken(c.blur(c.poly(face_outline() + off(10, 34)), 10) * neck, 0.42, (176, 96, 84))
    for side in (-1, 1):  # the neck's muscles, faintly
        band = c.blur(c.line(catmull([(CX + side * 50, 720), (CX + side * 36, 790),
                                      (CX + side * 14, 858)], 8), 5), 7)
        c.darken(band * neck, 0.07 if side < 0 else 0.12, (190, 110, 96))
    c.darken(gauss(x, y, CX, 862, 20, 9) * neck, 0.18, (180, 100, 90))

    # --- body: jacket over a blouse
    sh = [(0, 780), (80, 780), (122, 816), (200, 842), (290, 866), (356, 892), (398, 934),
          (420, 1000), (432, 1100), (442, 1200), (450, N + 20)]
    right = catmull([(CX + dx, yy) for dx, yy in sh], 10)
    left = right[::-1].copy()
    left[:, 0] = 2 * CX - left[:, 0]
    body_pts = np.vstack([right, [[CX + 450, N + 40], [CX - 450, N + 40]], left])
    body = c.poly(body_pts) * np.clip((y - 790) * SS, 0, 1)
    # the neck goes on down into the blouse's neckline: no jacket across it
    gap = catmull([(CX - 77, 770), (CX - 96, 834), (CX - 62, 880), (CX, 902), (CX + 62, 880),
                   (CX + 96, 834), (CX + 77, 770)], 10)
    body = body * (1 - c.poly(gap))
    c.matte = np.maximum(c.matte, body)
    c.paint(body, JACKET)
    # the blouse in the jacket's opening, its neckline a soft scoop
    opening_pts = catmull([(CX - 104, 838), (CX - 96, 960), (CX - 74, 1120), (CX - 56, N + 10),
                           (CX + 56, N + 10), (CX + 74, 1120), (CX + 96, 960), (CX + 104, 838),
                           (CX, 826)], 10, closed=True)
    blouse = c.poly(opening_pts) * body
    c.paint(blouse, BLOUSE)
    scoop = catmull([(CX - 100, 834), (CX - 64, 884), (CX, 906), (CX + 64, 884), (CX + 100, 834)],
                    10)
    skin_v = c.poly(np.vstack([scoop, [[CX + 100, 820], [CX - 100, 820]]])) * blouse
    c.paint(skin_v, (230, 188, 164))
    c.darken(skin_v * np.clip((x - CX + 10) / 90, 0, 1), 0.16, (196, 112, 94))
    c.paint(skin_v * np.clip((CX - 20 - x) / 80, 0, 1), SKIN_LIGHT, 0.2)
    hem = c.blur(c.line(scoop, 2.4), 1.4)
    c.darken(hem * body, 0.32, (150, 130, 128))
    c.darken(c.blur(c.line(scoop + off(0, 8), 6), 5) * blouse * (1 - skin_v), 0.10, (170, 160, 160))
    # silk folds falling from the neckline
    for x0, x1, a in ((CX - 58, CX - 36, 0.14), (CX + 52, CX + 30, 0.16), (CX + 8, CX + 14, 0.08)):
        fold = c.blur(c.line(np.array([[x0, 900], [x1, N]]), 4), 7)
        c.darken(fold * blouse * (1 - skin_v), a, (150, 140, 150))
    # a thin chain with a small pendant
    chain = catmull([(CX - 78, 842), (CX - 40, 886), (CX, 898), (CX + 40, 886), (CX + 78, 842)], 10)
    c.paint(c.blur(c.line(chain, 1.4), 0.5) * neck * (1 - body), (214, 184, 120), 0.8)
    c.paint(gauss(x, y, CX, 904, 4.5, 5.5) ** 0.6 * (gauss(x, y, CX, 904, 4.5, 5.5) > 0.15),
            (226, 196, 130), 0.95)
    c.paint(gauss(x, y, CX - 1.5, 902, 1.6, 1.6), (255, 246, 214), 0.9)
    # lapels: from behind the neck over the collarbone to the notch, then down to the
    # buttoning point; lit on the image left, their edges casting a shadow
    for s in (-1, 1):
        lapel = [(CX + s * 104, 838), (CX + s * 118, 812), (CX + s * 176, 838),
                 (CX + s * 236, 978), (CX + s * 206, 990), (CX + s * 190, 1020),
                 (CX + s * 120, 1190), (CX + s * 64, N + 10), (CX + s * 58, N + 10),
                 (CX + s * 76, 1120), (CX + s * 98, 960)]
        lap = c.poly(catmull(lapel, 8, closed=True)) * body
        cast = c.blur(c.shift(lap, s * 6, 7), 5) * body * (1 - lap)
        c.darken(cast, 0.45, (10, 16, 34))
        c.paint(lap, (40, 66, 104) if s < 0 else (32, 56, 92))
        roll = c.blur(c.line(catmull([(CX + s * 112, 830), (CX + s * 104, 960),
                                      (CX + s * 82, 1120), (CX + s * 62, N)], 10), 10), 10)
        c.paint(roll * lap, (70, 98, 140), 0.45 if s < 0 else 0.25)
        edge = c.line(catmull([(CX + s * 104, 838), (CX + s * 98, 960), (CX + s * 76, 1120),
                               (CX + s * 58, N + 10)], 10), 2.2)
        c.paint(c.blur(edge, 0.7) * body, (104, 132, 170), 0.55)
        outer_edge = c.line(catmull([(CX + s * 176, 838), (CX + s * 236, 978)], 10), 1.8)
        c.paint(c.blur(outer_edge, 0.7) * body, (84, 112, 152), 0.5)
        notch = c.poly(np.array([[CX + s * 236, 978], [CX + s * 206, 990],
                                 [CX + s * 222, 960]]))
        c.darken(c.blur(notch, 1.0) * body, 0.55)
        # the blouse under the lapel's edge: a soft shadow
        c.darken(c.blur(c.shift(lap, -s * 7, 3), 6) * blouse * (1 - lap), 0.38, (120, 110, 126))
    # jacket volume: light from the upper left; the chest's planes, the arm's roundness
    c.paint(body * gauss(x, y, CX - 300, 930, 150, 90), (66, 94, 136), 0.45)
    c.darken(body * np.clip((ax - 340) / 110, 0, 1) ** 1.2, 0.5, (12, 20, 44))
    c.darken(body * np.clip((x - CX - 60) / 380, 0, 1), 0.3, (12, 20, 44))
    for s in (-1, 1):
        seam = c.line(catmull([(CX + s * 318, 890), (CX + s * 336, 980), (CX + s * 346, 1120),
                               (CX + s * 352, N + 5)], 10), 1.8)
        c.darken(c.blur(seam, 1.0) * body, 0.4)
        c.paint(c.blur(c.shift(seam, -2, 0), 1.5) * body, (70, 96, 136), 0.25)
        fold = c.blur(c.line(catmull([(CX + s * 392, 1060), (CX + s * 404, 1160),
                                      (CX + s * 412, 1260)], 10), 5), 9)
        c.darken(fold * body, 0.35)
    # a thin light line along the top of the shoulders (back light)
    rim = body * (1 - c.shift(body, 0, -5)) * (ax > 140) * (y < 1100)
    c.paint(c.blur(rim, 1.2), (96, 120, 160), 0.5)
    # shadow of the head and hair on the shoulders and chest
    cast = c.blur(c.shift(silhouette, 22, 30), 22) * body * (1 - silhouette)
    c.darken(cast, 0.42, (14, 20, 44))
    c.darken(c.blur(c.shift(neck, 10, 20), 12) * body * (1 - neck), 0.25, (14, 20, 44))

    # --- the head
    outline = face_outline()
    face = c.poly(outline)
    c.matte = np.maximum(c.matte, face)
    c.paint(face, SKIN)
    # volume: edges fall off away from the key light (upper left)
    inner = c.blur(c.shift(face, -16, -12), 34)
    c.darken(np.clip(1 - inner * 1.3, 0, 1) * face, 0.5, (198, 114, 96))
    c.darken(face * np.clip((x - CX - 40) / 140, 0, 1) ** 1.5, 0.18, (196, 112, 96))
    # planes of the face: forehead, bridge, cheekbones, chin lit; temples, the cheek
    # under the cheekbone and the jaw in half shade
    for hx, hy, rx, ry, a in ((CX - 24, 348, 96, 50, 0.40), (CX - 5, 506, 12, 46, 0.30),
                              (CX - 72, 508, 42, 24, 0.45), (CX + 68, 512, 30, 18, 0.22),
                              (CX - 6, 684, 30, 12, 0.30), (CX - 2, MOUTH_Y - 20, 16, 6, 0.2)):
        c.paint(gauss(x, y, hx, hy, rx, ry) * face, SKIN_LIGHT, a)
    for side, a in ((-1, 0.10), (1, 0.22)):
        c.darken(gauss(x, y, CX + side * 126, 590, 30, 56) * face, a, (196, 112, 96))
        c.darken(gauss(x, y, CX + side * 142, 420, 22, 40) * face, a * 0.8, (196, 112, 96))
    # the jaw's underside turning away, strongest on the shadow side
    jaw = c.blur(c.shift(face, -6, -22), 10)
    c.darken(face * np.clip(1 - jaw, 0, 1) * np.clip((y - 600) / 60, 0, 1) *
             (0.55 + 0.45 * np.clip((x - CX) / 120, 0, 1)), 0.35, (190, 106, 92))
    for side, a in ((-1, 0.24), (1, 0.20)):  # blush
        c.paint(gauss(x, y, CX + side * 92, 548, 42, 26) * face, (236, 148, 140), a)

    # --- nose: drawn by light and shade, no outline: the bridge's lit strip, the side
    # plane in shade, a rounded tip, the wings as soft forms, two nostrils
    c.darken(c.blur(c.line(catmull([(CX + 16, 470), (CX + 19, 510), (CX + 23, NT - 10)], 8),
                           6), 7) * face, 0.20, (190, 108, 94))
    c.paint(c.blur(c.line(catmull([(CX - 4, 474), (CX - 4, 520), (CX - 3, NT - 12)], 8), 5), 4)
            * face, SKIN_LIGHT, 0.30)
    c.darken(gauss(x, y, CX - 42, 466, 12, 14) * face, 0.10, (190, 110, 100))
    c.darken(gauss(x, y, CX + 12, NT + 4, 20, 12) * face, 0.10, (186, 104, 92))
    c.paint(gauss(x, y, CX - 3, NT - 3, 12, 9) * face, SKIN_LIGHT, 0.40)
    c.paint(gauss(x, y, CX - 5, NT - 6, 4, 3) * face, (255, 240, 228), 0.55)
    c.darken(gauss(x, y, CX + 3, NT + 19, 20, 4) * face, 0.28, (176, 98, 86))
    for side, a in ((-1, 0.26), (1, 0.40)):
        crease = catmull([(CX + side * 25, NT - 4), (CX + side * 33, NT + 5),
                          (CX + side * 30, NT + 14)], 10)
        c.darken(c.blur(c.line(crease, 2.6), 2.4) * face, a, (164, 90, 80))
        c.paint(gauss(x, y, CX + side * 22, NT + 4, 7, 6) * face, SKIN_LIGHT, 0.22)
        c.darken(gauss(x, y, CX + side * 11, NT + 15, 6.5, 3.0) * face, 0.62, (110, 56, 52))
    c.paint(gauss(x, y, CX - 1, NT + 14, 3, 3) * face, SKIN_LIGHT, 0.3)  # columella
    # philtrum: a shallow groove between two soft ridges
    c.darken(gauss(x, y, CX, MOUTH_Y - 22, 4.5, 8) * face, 0.07, (190, 110, 96))
    for side in (-1, 1):
        c.paint(gauss(x, y, CX + side * 8, MOUTH_Y - 22, 3, 8) * face, SKIN_LIGHT, 0.2)

    # --- mouth: closed, relaxed, the corners a touch up
    lc = lip_curves()
    up_m = c.poly(np.vstack([lc["upper"], lc["seam"][::-1]]))
    lo_m = c.poly(np.vstack([lc["seam"], lc["lower"][::-1]]))
    lips = np.maximum(up_m, lo_m)
    # upper lip: deeper colour, lighter along its border; lower lip: fuller and lit
    seam_y = np.interp(x, lc["seam"][:, 0], lc["seam"][:, 1])
    top_y = np.interp(x, lc["upper"][:, 0], lc["upper"][:, 1])
    bot_y = np.interp(x, lc["lower"][:, 0], lc["lower"][:, 1])
    tu = np.clip((seam_y - y) / np.maximum(seam_y - top_y, 1), 0, 1)  # 0 at the seam
    tl = np.clip((y - seam_y) / np.maximum(bot_y - seam_y, 1), 0, 1)
    up_col = np.asarray(LIP_DARK, np.float32) + (np.asarray((196, 106, 108), np.float32) -
                                                  np.asarray(LIP_DARK, np.float32)) * \
        (tu ** 1.5)[..., None]
    c.img += (up_col - c.img) * (up_m * 0.95)[..., None]
    lo_m_soft = c.blur(lo_m, 0.9)
    lo_col = np.asarray(LIP, np.float32)[None, None] * (1.0 - 0.16 * np.abs(tl - 0.35)
                                                       [..., None] ** 1.2)
    c.img += (lo_col - c.img) * (lo_m_soft * 0.92)[..., None]
    c.paint(gauss(x, y, CX - 8, MOUTH_Y + 7, 24, 4.5) * lo_m, LIP_LIGHT, 0.55)
    c.paint(gauss(x, y, CX - 10, MOUTH_Y + 6, 8, 1.8) * lo_m, (246, 200, 196), 0.45)
    for side in (-1, 1):
        c.darken(gauss(x, y, CX + side * 46, MOUTH_Y + 2, 14, 9) * lips, 0.16, (140, 60, 66))
    ridge = c.blur(c.line(lc["upper"][10:-10] + off(0, 1.4), 1.4), 0.9)
    c.paint(ridge * face, (240, 184, 172), 0.5)
    seam = c.blur(c.line(lc["seam"][2:-2], 1.5), 0.7)
    c.paint(seam, (100, 38, 46), 0.85)
    for side in (-1, 1):
        c.darken(gauss(x, y, CX + side * (MOUTH_HALF + 1), MOUTH_Y - 3, 4.5, 3.5) * face, 0.35,
                 (150, 80, 76))
    c.darken(gauss(x, y, CX, MOUTH_Y + 27, 30, 5) * face, 0.24, (186, 104, 94))
    c.paint(gauss(x, y, CX - 4, MOUTH_Y + 44, 22, 10) * face, SKIN_LIGHT, 0.25)

    # --- eyes and brows
    landmarks: dict[str, np.ndarray] = {}
    for side in (-1, 1):
        name = "r" if side < 0 else "l"
        ex = CX + side * EYE_DX
        up, low = eye_curves(side)
        opening = c.poly(np.vstack([up, low[::-1]]))
        c.darken(gauss(x, y, ex, EYE_Y - 6, 48, 26) * face, 0.12, (190, 120, 110))
        c.darken(gauss(x, y, ex - side * 40, EYE_Y - 6, 10, 12) * face, 0.18, (180, 106, 96))
        c.paint(gauss(x, y, ex + side * 8, EYE_Y - 28, 26, 8) * face, SKIN_LIGHT, 0.25)
        # the lid crease, well clear of the lash line (the blink takes the lid's colour
        # from the skin just above the lashes), and a light warm eyeshadow
        c.darken(c.blur(c.line(up + off(0, -13), 2.4), 2.4) * face, 0.30, (164, 96, 86))
        lid = c.blur(c.poly(np.vstack([up + off(0, -12), up[::-1] + off(0, -2)])), 3) * face
        c.paint(lid, (206, 150, 138), 0.22)
        c.paint(opening, SCLERA)
        u = np.clip(np.abs(x - ex) / (EYE_W / 2), 0, 1)
        c.darken(opening * u ** 2, 0.28, (200, 168, 168))
        upper_y = np.interp(x, up[:, 0], up[:, 1])
        c.darken(opening * np.clip(1 - (y - upper_y) / 9, 0, 1), 0.38, (150, 118, 118))
        ir = 14.8
        icx, icy = ex + side * 1.0, EYE_Y - 1.0
        d = np.sqrt((x - icx) ** 2 + (y - icy) ** 2)
        iris = np.clip((ir - d) * SS + 0.5, 0, 1) * opening
        ang = np.arctan2(y - icy, x - icx)
        fibres = 0.5 + 0.5 * np.sin(ang * 29 + 2.5 * np.sin(ang * 7))
        lo_c, hi_c = np.asarray(IRIS, np.float32), np.asarray(IRIS_LIGHT, np.float32)
        mix = np.clip((y - icy) / ir * 0.5 + 0.35, 0, 1) * (0.55 + 0.45 * fibres)
        base = lo_c + (hi_c - lo_c) * mix[..., None]
        c.img += (base - c.img) * iris[..., None]
        c.darken(iris * np.clip((d - 0.70 * ir) / (0.30 * ir), 0, 1) ** 1.5, 0.6, (40, 24, 20))
        c.paint(np.clip((5.6 - d) * SS + 0.5, 0, 1) * opening, (16, 11, 10))
        c.darken(iris * np.clip(1 - (y - upper_y) / 8, 0, 1), 0.55, (30, 20, 20))
        for cx2, cy2, r, a in ((icx - 5, icy - 5.5, 2.8, 0.95), (icx + 5.5, icy + 4.5, 1.3, 0.5)):
            g = np.clip((r - np.sqrt((x - cx2) ** 2 + (y - cy2) ** 2)) * SS + 0.5, 0, 1)
            c.paint(g * opening, (255, 255, 255), a)
        # lash line: a tapered stroke thickest over the outer half, with a small wing
        outer_end = up[0] if side < 0 else up[-1]
        wing = outer_end + off(side * 10, -6)
        path = np.vstack([up, [wing]]) if side > 0 else np.vstack([[wing], up])
        w0, w1 = (1.0, 1.4) if side > 0 else (1.4, 1.0)
        c.paint(c.poly(c.taper(path + off(0, -1.0), w0, w1, mid=4.6)), (24, 16, 16), 0.96)
        # lashes: a soft dark band above the line, and a few short lashes at the corner
        lash_band = c.blur(c.poly(c.taper(path + off(0, -2.5), w0 * 1.5, w1 * 1.5, mid=7.0)), 1.4)
        c.paint(lash_band * (1 - opening), (30, 20, 20), 0.45)
        lash_curves = []
        for k in range(3):
            f = 0.84 + 0.05 * k
            i = int((f if side > 0 else 1 - f) * (len(up) - 1))
            p0 = up[i] + off(0, -2.0)
            tip = p0 + off(side * (4 + 1.5 * k), -4 - 0.8 * k)
            lash_curves.append(catmull([p0, p0 + off(side * 1.0, -2.5 - 0.5 * k), tip], 4))
        c.paint(strands(c, lash_curves, 1.2), (24, 16, 16), 0.8)
        c.paint(c.blur(c.line(low[5:-3] if side > 0 else low[3:-5], 1.3), 0.8) *
                (1 - opening), (150, 98, 92), 0.55)
        car = gauss(x, y, ex - side * (EYE_W / 2 - 6), EYE_Y + 1.5, 4, 3.5)
        c.paint(car * opening, (222, 150, 146), 0.7)
        idx9 = np.linspace(0, len(up) - 1, 9).round().astype(int)
        landmarks[f"eye_{name}_upper"] = up[idx9]
        landmarks[f"eye_{name}_lower"] = low[idx9]
        landmarks[f"iris_{name}"] = np.array([[icx, icy], [icx + ir, icy], [icx, icy - ir],
                                              [icx - ir, icy], [icx, icy + ir]])

        # brow: a soft tapered shape, then hairs along its flow
        tb = np.linspace(0, 1, 40)
        bx = ex - side * 42 + side * 90 * tb  # inner end → outer end
        by = BROW_Y + 8 - 17 * np.sin(np.pi * np.clip(tb / 1.3, 0, 1)) ** 1.1 + 8 * tb ** 2
        widths = 12 * (1 - tb) ** 0.8 + 2.0 * tb
        path = np.stack([bx, by], 1)
        shape = c.poly(c.taper(path, 12, 2.0, mid=9.5))
        c.paint(c.blur(shape, 1.6), BROW, 0.62)
        hairs = []
        for _ in range(120):
            f = rng.uniform(0, 1)
            p = np.array([np.interp(f, tb, bx), np.interp(f, tb, by)])
            w = float(np.interp(f, tb, widths))
            p = p + off(0, rng.uniform(-w / 2.4, w / 2.4))
            ang2 = -1.1 + 0.9 * min(1.0, f * 2.2) + rng.normal(0, 0.12)
            dv = np.array([side * math.cos(ang2), math.sin(ang2)])
            ln = rng.uniform(5, 9)
            hairs.append(np.array([p - dv * ln / 2, p + dv * ln / 2]))
        c.paint(strands(c, hairs, 0.8) * c.blur(shape, 1.0), (34, 24, 22), 0.55)
        bu = np.stack([bx, by - widths / 2], 1)
        bl = np.stack([bx, by + widths / 2], 1)
        idx5 = np.linspace(0, 39, 5).round().astype(int)
        order = slice(None) if side > 0 else slice(None, None, -1)
        landmarks[f"brow_{name}"] = np.vstack([bu[idx5][order], bl[idx5][order]])

    # --- hair in front
    hair = silhouette * (1 - c.poly(face_opening()))
    c.matte = np.maximum(c.matte, hair)
    cast = c.blur(c.shift(hair, 5, 9), 6) * face * (1 - hair)
    c.darken(cast, 0.5, (160, 90, 80))
    cast2 = c.blur(c.shift(hair, 4, 6), 6) * neck * (1 - hair)
    c.darken(cast2, 0.35, (160, 90, 80))
    c.paint(hair, HAIR)
    # volume: the crown towards the light, locks rounding away at the sides
    c.paint(hair * gauss(x, y, CX - 60, 250, 190, 110), HAIR_MID, 0.85)
    c.darken(hair * np.clip((ax - 150) / 80, 0, 1) * np.clip((y - 330) / 100, 0, 1), 0.3)
    c.darken(hair * np.clip((y - 640) / 160, 0, 1), 0.35)

    # strands following the bob: from the parting, over the crown, down each side; the
    # fringe sweeps across the forehead to the image right
    groups: dict[str, list[np.ndarray]] = {"dark": [], "mid": [], "light": []}
    for k in range(900):
        f = rng.uniform(0, 1)
        j = rng.normal(0, 1, 6)
        if k % 3 == 0:  # image-left side, swept back from the parting
            x0 = PART_X + rng.uniform(-6, 6)
            pts = [(x0, 172 + f * 4), (x0 - 60 - 70 * f + 4 * j[0], 188 + 20 * f),
                   (CX - 168 - 44 * f + 5 * j[1], 262 + 36 * f),
                   (CX - 192 - 32 * f + 5 * j[2], 420 + 10 * j[5]),
                   (CX - 178 - 40 * f + 6 * j[3], 600), (CX - 150 - 44 * f + 8 * j[4], 836)]
        elif k % 3 == 1:  # the fringe, across the forehead and down the image right
            x0 = PART_X + rng.uniform(-2, 12)
            pts = [(x0, 174), (CX + 4 + 6 * j[0], 232 + 56 * f),
                   (CX + 96 + 6 * j[1], 292 + 48 * f), (CX + 160 + 5 * j[2], 380 + 40 * f),
                   (CX + 176 + 8 * j[3], 540 + 60 * f), (CX + 160 + 34 * f + 8 * j[4], 836)]
        else:  # the long side: over the crown and down the image right
            x0 = PART_X + rng.uniform(0, 14)
            pts = [(x0, 170), (CX + 40 + 90 * f + 5 * j[0], 174 + 18 * f),
                   (CX + 160 + 44 * f + 5 * j[1], 252 + 30 * f),
                   (CX + 210 + 8 * f + 5 * j[2], 420), (CX + 206 + 6 * j[3], 590),
                   (CX + 176 + 30 * f + 8 * j[4], 836)]
        curve = catmull(pts, 10)
        cut = rng.uniform(0.9, 1.0)  # strands end at different lengths
        curve = curve[: max(4, int(len(curve) * cut))]
        r = rng.uniform(0, 1)
        groups["dark" if r < 0.4 else "mid" if r < 0.85 else "light"].append(curve)
    # locks: broad soft bands along the flow, darker grooves and lighter crests
    locks_dark = [g[:: max(1, len(g) // 12)] for g in groups["dark"][::9]]
    locks_light = [g[:: max(1, len(g) // 12)] for g in groups["mid"][::11]]
    c.darken(c.blur(strands(c, locks_dark, 7), 4) * hair, 0.35)
    c.paint(c.blur(strands(c, locks_light, 6), 4) * hair, (74, 54, 46), 0.25)
    c.paint(strands(c, groups["dark"], 1.6) * hair, (16, 11, 10), 0.45)
    c.paint(strands(c, groups["mid"], 1.2) * hair, (70, 50, 42), 0.35)
    # the sheen: a band of light round the crown, carried by the light strands
    ring = np.sqrt(((x - (CX - 12)) / 1.0) ** 2 + ((y - 440) * 1.18) ** 2)
    sheen = gauss(ring, 0 * y, 250, 0, 18, 1) * gauss(x, 0 * y, CX - 70, 0, 190, 1)
    light = strands(c, groups["light"], 1.1)
    c.paint(hair * sheen, (108, 84, 72), 0.6)
    c.paint(light * hair * (0.3 + 0.7 * sheen), HAIR_SHEEN, 0.55)
    c.paint(light * hair * sheen, (184, 154, 136), 0.5)
    c.paint(c.blur(c.line(catmull([(PART_X - 2, 168), (PART_X, 182), (PART_X + 3, 200)], 6),
                          1.8), 1.2) * hair, (112, 78, 66), 0.45)
    # flyaways at the outline, so the edge is not a cut-out
    fly = []
    for k in range(24):
        side = -1 if k % 2 else 1
        yy = rng.uniform(200, 760)
        row = outer[(outer[:, 0] - CX) * side > 0]
        order = np.argsort(row[:, 1])
        xx = float(np.interp(yy, row[order, 1], row[order, 0]))
        p0 = np.array([xx - side * 6, yy])
        fly.append(catmull([p0, p0 + off(side * rng.uniform(3, 8), rng.uniform(16, 30)),
                            p0 + off(side * rng.uniform(4, 12), rng.uniform(40, 70))], 8))
    flym = strands(c, fly, 0.7)
    c.paint(flym * (1 - face), (54, 38, 32), 0.25)
    c.matte = np.maximum(c.matte, flym * 0.25)

    # a faint grain, so the skin is paint and not plastic
    c.img += (noise(0.8, 1.4, seed=3) * np.maximum(face, neck))[..., None]
    c.img += (noise(1.2, 1.2, seed=4) * body)[..., None]

    # --- landmarks of the drawing
    idx11 = np.linspace(0, len(lc["seam"]) - 1, 11).round().astype(int)
    landmarks["lips_outer_upper"] = lc["upper"][idx11]
    landmarks["lips_outer_lower"] = lc["lower"][idx11]
    inner_x = CX + (lc["seam"][idx11, 0] - CX) * 0.94
    inner_y = np.interp(inner_x, lc["seam"][:, 0], lc["seam"][:, 1])
    landmarks["lips_inner_upper"] = np.stack([inner_x, inner_y - 0.3], 1)
    landmarks["lips_inner_lower"] = np.stack([inner_x, inner_y + 0.3], 1)
    landmarks["nose"] = np.array([[CX - 3, NT], [CX, NT + 16], [CX - 33, NT + 6],
                                  [CX + 33, NT + 6], [CX, EYE_Y]])
    landmarks["face_oval"] = face_oval()
    return c, landmarks


def face_oval() -> np.ndarray:
    """36 points as FaceMesh's oval: the hairline at the top (10), clockwise in the image,
    the chin (152) at index 18."""
    right = catmull([(CX, HAIRLINE_Y), (CX + 80, HAIRLINE_Y + 12), (CX + 132, 352),
                     (CX + 151, 420)] + [(CX + dx, yy) for dx, yy in FACE_RIGHT if yy > 430],
                    30)
    half = resample(right, 19)
    left = half[1:-1][::-1].copy()
    left[:, 0] = 2 * CX - left[:, 0]
    return np.vstack([half, left])


def regions(lm: dict[str, np.ndarray]) -> dict[str, list[int] | list[list[int]]]:
    """Face, eye and mouth boxes (image pixels) from the landmarks: the TOML's hints."""
    def box(*names: str, pad: float = 0.0) -> list[int]:
        pts = np.concatenate([lm[n] for n in names])
        x0, y0 = pts.min(axis=0) - pad
        x1, y1 = pts.max(axis=0) + pad
        return [round(x0), round(y0), round(x1 - x0), round(y1 - y0)]

    return {"face": box("face_oval"),
            "eyes": [box("eye_r_upper", "eye_r_lower"), box("eye_l_upper", "eye_l_lower")],
            "mouth": box("lips_outer_upper", "lips_outer_lower", pad=1)}


TOML = """\
# Xia Yu: the default presenter, drawn by scripts/make_avatar.py: no real person.
name = "xia"
display_name = "Xia Yu"
title = "News Anchor"
image = "xia.png"
matte = "xia-matte.png"
licence = "Apache-2.0 (drawn by scripts/make_avatar.py in this repository)"
voice_zh = "zh-female"
voice_en = "en-female"

[titles]
zh = "新闻主播"
en = "News Anchor"

[names]
zh = "夏雨"
en = "Xia Yu"

# No one's face: a drawing, so no one's consent is needed (anchor.assets.consent).
[consent]
real_person = false
note = "drawn by scripts/make_avatar.py"

# Drawn faces have no Haar signature: the boxes come from the drawing's landmarks.
[regions]
face = {face}
eyes = {eyes}
mouth = {mouth}

# Landmarks: the drawing's own curves (lips, lids, irises, brows, nose);
# {oval_source}. Redraw with scripts/make_avatar.py rather than edit by hand.
"""


def landmarks_table(lm: dict[str, np.ndarray], source: str) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from anchor.render.presenter.landmarks import Landmarks, landmarks_to_toml

    return landmarks_to_toml(Landmarks({k: v.astype(np.float32) for k, v in lm.items()},
                                       source))


def facemesh_oval(path: Path) -> np.ndarray | None:
    """FaceMesh's face oval on the drawing, or None without mediapipe."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from anchor.render.presenter.face import read_rgb
    from anchor.render.presenter.landmarks import detect_faces, mediapipe_available

    if not mediapipe_available():
        return None
    faces = detect_faces(read_rgb(path), max_faces=1)
    return np.round(faces[0]["face_oval"], 1) if faces else None


def write_xia(out: Path) -> None:
    canvas, lm = draw()
    png = out / "xia.png"
    canvas.save(png, out / "xia-matte.png")
    oval = facemesh_oval(png)
    if oval is not None:
        lm["face_oval"] = oval
        oval_source = "the face oval is FaceMesh's on the drawing"
    else:
        oval_source = "the face oval is the drawing's (mediapipe was not installed)"
    text = TOML.format(**regions(lm), oval_source=oval_source)
    (out / "xia.toml").write_text(text + "\n" + landmarks_table(lm, "drawing"),
                                  encoding="utf-8")
    print(f"wrote {png}, xia-matte.png and xia.toml ({oval_source})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parent.parent / "avatars")
    ap.add_argument("--presenter", choices=("xia", "lin"), default="xia")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.presenter == "lin":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import avatar_lin

        lin, boxes = avatar_lin.draw()
        lin.save(args.out / "lin.png")
        (args.out / "lin.toml").write_text(avatar_lin.TOML.format(**boxes), encoding="utf-8")
        print(f"wrote {args.out / 'lin.png'} and lin.toml: {boxes}")
        return
    write_xia(args.out)


if __name__ == "__main__":
    main()
