"""The first drawn presenter, Lin Hao (``avatars/lin.png``), as it was drawn: kept so
that ``scripts/make_avatar.py --presenter lin`` redraws the same picture. The default
presenter (xia) is drawn in make_avatar.py itself.

A presenter whose every pixel we own: no likeness of a real person, no licence to
track. It is drawn with numpy masks at 3x and scaled down, so edges are smooth, and it
keeps a photo's layout (head and shoulders, plain background) so the same animation code
drives it. Haar cascades do not see drawn faces, so the TOML carries the face, eye and
mouth boxes, computed here from the drawing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 768
SS = 3  # supersampling factor

Colour = tuple[int, int, int]

BG_TOP: Colour = (226, 232, 240)
BG_BOTTOM: Colour = (188, 200, 216)
SKIN: Colour = (236, 196, 166)
SKIN_SHADOW: Colour = (214, 166, 136)
HAIR: Colour = (34, 30, 32)
SUIT: Colour = (30, 45, 78)
SUIT_DARK: Colour = (20, 30, 55)
SHIRT: Colour = (244, 244, 240)
TIE: Colour = (168, 38, 54)
LIP_UPPER: Colour = (178, 100, 100)
LIP_LOWER: Colour = (196, 118, 114)
LIP_LINE: Colour = (110, 50, 56)
SCLERA: Colour = (246, 243, 238)
IRIS: Colour = (92, 60, 40)
BROW: Colour = (48, 38, 36)

# Layout in output pixels (768x768).
HEAD_C, HEAD_R = (384.0, 300.0), (124.0, 160.0)
EYE_Y, EYE_DX, EYE_W, EYE_H = 292.0, 50.0, 50.0, 20.0
MOUTH_C, MOUTH_W = (384.0, 410.0), 70.0


class Canvas:
    """A float RGB image at SS x the output size, painted with soft masks."""

    def __init__(self) -> None:
        n = SIZE * SS
        self.y, self.x = np.mgrid[0:n, 0:n].astype(np.float32) / SS  # output-pixel coordinates
        t = (self.y / SIZE)[..., None]
        self.img = np.array(BG_TOP, np.float32) * (1 - t) + np.array(BG_BOTTOM, np.float32) * t
        # Soft light behind the head, as a studio portrait has.
        glow = np.exp(-(((self.x - 384) / 300) ** 2 + ((self.y - 280) / 260) ** 2))
        self.img += 14 * glow[..., None]

    def paint(self, mask: np.ndarray, colour: Colour | np.ndarray, alpha: float = 1.0) -> None:
        c = np.asarray(colour, np.float32)
        m = np.clip(mask, 0.0, 1.0)[..., None] * alpha
        self.img = self.img * (1 - m) + c * m

    def ellipse(self, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
        """Anti-aliased filled ellipse (half a pixel of ramp at SS x)."""
        d = np.sqrt(((self.x - cx) / rx) ** 2 + ((self.y - cy) / ry) ** 2)
        return np.clip((1.0 - d) * min(rx, ry) * SS + 0.5, 0.0, 1.0)

    def below(self, f: np.ndarray) -> np.ndarray:
        """Pixels under the curve y = f(x) (f evaluated on self.x), anti-aliased."""
        return np.clip((self.y - f) * SS + 0.5, 0.0, 1.0)

    def save(self, path: Path) -> None:
        out = np.clip(self.img + 0.5, 0, 255).astype(np.uint8)
        Image.fromarray(out).resize((SIZE, SIZE), Image.LANCZOS).save(path, optimize=True)


def draw() -> tuple[Canvas, dict[str, list[int] | list[list[int]]]]:
    c = Canvas()
    x, y = c.x, c.y
    hx, hy = HEAD_C
    rx, ry = HEAD_R

    # Shoulders and suit: a sloping shoulder line, rounded where it meets the arms.
    ax = np.abs(x - hx)
    shoulder_line = 548 + 0.0009 * ax ** 2 + 90 * np.clip((ax - 290) / 60, 0, 1) ** 2
    suit = c.below(shoulder_line) * np.clip((350 - ax) * SS / 2, 0, 1)
    c.paint(suit, SUIT)
    # Neck, with the jaw's shadow on it.
    neck = np.clip((46 - ax) * SS, 0, 1) * c.below(np.full_like(x, 400)) * \
        (1 - c.below(np.full_like(x, 600)))
    c.paint(neck, SKIN_SHADOW)
    c.paint(c.ellipse(hx, 462, 60, 24) * neck, (190, 140, 112), 0.7)
    # Shirt: a V opening between the lapels, the tie in the middle, collar points.
    v_depth = 700 - 1.7 * ax
    shirt = c.below(np.full_like(x, 528)) * (1 - c.below(v_depth)) * np.clip((56 - ax) * SS, 0, 1)
    c.paint(shirt, SHIRT)
    # Collar band hugging the neck.
    band = c.below(518 - 0.08 * ax) * (1 - c.below(np.full_like(x, 540))) * \
        np.clip((54 - ax) * SS, 0, 1)
    c.paint(band, (236, 236, 232))
    for side in (-1, 1):
        # Collar point: a triangle from the neck down towards the tie.
        px = x - hx
        tri = c.below(np.full_like(x, 526)) * (1 - c.below(526 + 1.6 * (side * px - 6))) * \
            (1 - c.below(np.full_like(x, 585))) * np.clip((side * px - 4) * SS, 0, 1) * \
            np.clip((52 - side * px) * SS, 0, 1)
        c.paint(tri, (250, 250, 247))
        edge = np.clip((1.2 - np.abs(y - (526 + 1.6 * (side * px - 6)))) * SS / 2, 0, 1) * \
            np.clip((side * px - 4) * SS, 0, 1) * np.clip((40 - side * px) * SS, 0, 1)
        c.paint(edge, (200, 200, 196), 0.8)
    tie = np.clip((11 - ax + (y - 548) * 0.05) * SS, 0, 1) * c.below(np.full_like(x, 548)) * \
        (1 - c.below(np.full_like(x, 768)))
    c.paint(tie, TIE)
    c.paint(np.clip((12 - ax) * SS, 0, 1) * c.below(np.full_like(x, 528))
            * (1 - c.below(548 - 0.1 * ax)), (150, 30, 46))  # knot
    # Lapels: darker bands just outside the V, a light edge where they fold.
    v_edge = (700 - y) / 1.7
    open_v = c.below(np.full_like(x, 528))
    lapel = np.clip((ax - v_edge) * SS, 0, 1) * np.clip((v_edge + 24 - ax) * SS / 2, 0, 1) * open_v
    c.paint(lapel * suit * (1 - c.below(np.full_like(x, 690))), SUIT_DARK, 0.6)
    fold = np.clip((1.2 - np.abs(ax - v_edge - 1)) * SS / 2, 0, 1) * open_v * (y < 690)
    c.paint(fold * suit, (70, 88, 120), 0.6)
    c.paint(np.clip((ax - 250) / 100, 0, 1) * suit, SUIT_DARK, 0.35)

    # Ears, then the face over them.
    for side in (-1, 1):
        c.paint(c.ellipse(hx + side * (rx - 4), 318, 16, 30), SKIN_SHADOW)
        c.paint(c.ellipse(hx + side * (rx - 2), 318, 8, 18), (204, 150, 124), 0.5)
    # Face: an ellipse with a narrower jaw (the lower half squeezed towards the chin).
    squeeze = 1.0 - 0.18 * np.clip((y - hy) / ry, 0, 1) ** 1.5
    d = np.sqrt(((x - hx) / (rx * squeeze)) ** 2 + ((y - hy) / ry) ** 2)
    face = np.clip((1.0 - d) * rx * SS + 0.5, 0, 1)
    # Shading: rounder towards the edges, a little light from the upper left.
    shade = 1.0 - 0.10 * np.clip(d, 0, 1) ** 3 + 0.03 * np.clip((hx - x) / rx, -1, 1)
    skin = np.array(SKIN, np.float32)[None, None, :] * shade[..., None]
    c.paint(face, np.zeros(3))  # placeholder colour, replaced by the shaded skin below
    c.img += face[..., None] * skin
    # Cheeks.
    for side in (-1, 1):
        blush = np.exp(-(((x - (hx + side * 62)) / 26) ** 2 + ((y - 370) / 16) ** 2))
        c.paint(blush * face, (226, 150, 140), 0.22)

    # Hair: a cap above a fringe line, wider than the head at the temples.
    crown = c.ellipse(hx, hy - 14, rx + 12, ry + 6)
    fringe = 214 + 0.0025 * (x - hx + 30) ** 2 + 7 * np.sin((x - hx) / 18)
    side_edge = rx - 16 + 0.25 * np.clip(y - 250, 0, None)  # sideburns narrow downwards
    hair = crown * (1 - c.below(fringe)) + crown * c.below(fringe) * \
        np.clip((np.abs(x - hx) - side_edge) * SS / 2, 0, 1) * (1 - c.below(np.full_like(x, 306)))
    c.paint(hair, HAIR)
    sheen = np.exp(-(((x - (hx - 40)) / 50) ** 2 + ((y - 175) / 20) ** 2)) * hair
    c.paint(sheen, (90, 84, 86), 0.35)

    # Brows.
    for side in (-1, 1):
        ex = hx + side * EYE_DX
        arc = EYE_Y - 32 - 7 * np.cos(np.clip((x - ex) / 30, -1.5, 1.5)) + side * (x - ex) * 0.04
        brow = np.clip((3.8 - np.abs(y - arc)) * SS / 2, 0, 1) * \
            np.clip((30 - np.abs(x - ex)) * SS / 4, 0, 1)
        c.paint(brow, BROW, 0.92)

    # Eyes: an almond between two arcs; sclera, iris, pupil, highlight, lash line.
    eye_boxes = []
    for side in (-1, 1):
        ex = hx + side * EYE_DX
        u = np.clip((x - ex) / (EYE_W / 2), -1, 1)
        prof = np.sqrt(np.clip(1 - u * u, 0, 1))
        top = EYE_Y - EYE_H * 0.55 * prof
        bottom = EYE_Y + EYE_H * 0.45 * prof ** 1.3
        opening = c.below(top) * (1 - c.below(bottom)) * (np.abs(x - ex) < EYE_W / 2)
        c.paint(opening, SCLERA)
        iris = c.ellipse(ex, EYE_Y - 1, 9.5, 9.5) * opening
        c.paint(iris, IRIS)
        c.paint(c.ellipse(ex, EYE_Y - 1, 9.5, 9.5) * (1 - c.ellipse(ex, EYE_Y - 1, 7.5, 7.5))
                * opening, (60, 38, 26), 0.7)
        c.paint(c.ellipse(ex, EYE_Y - 1, 4.5, 4.5) * opening, (15, 12, 12))
        c.paint(c.ellipse(ex + 3, EYE_Y - 4, 2.2, 2.2) * opening, (255, 255, 255), 0.9)
        near = np.abs(x - ex)
        lash = np.clip((2.0 - np.abs(y - top + 0.8)) * SS / 2, 0, 1) * (near < EYE_W / 2 + 2)
        c.paint(lash, (36, 28, 28), 0.95)
        low = np.clip((1.0 - np.abs(y - bottom)) * SS / 2, 0, 1) * (near < EYE_W / 2 - 3)
        c.paint(low, (150, 105, 90), 0.5)
        # The lid crease, well clear of the lashes (the blink samples skin between them).
        crease = np.clip((1.0 - np.abs(y - (top - 10))) * SS / 2, 0, 1) * (near < EYE_W / 2 - 6)
        c.paint(crease, SKIN_SHADOW, 0.5)
        eye_boxes.append([round(ex - EYE_W / 2), round(EYE_Y - EYE_H * 0.55),
                          round(EYE_W), round(EYE_H)])

    # Nose: a soft shadow down one side and two nostrils.
    ridge = np.exp(-(((x - (hx + 10)) / 5) ** 2)) * np.clip((y - 300) / 60, 0, 1) * \
        np.clip((375 - y) / 10, 0, 1)
    c.paint(ridge, SKIN_SHADOW, 0.45)
    c.paint(c.ellipse(hx, 372, 18, 9) * (1 - c.ellipse(hx, 368, 14, 8)), SKIN_SHADOW, 0.6)
    for side in (-1, 1):
        c.paint(c.ellipse(hx + side * 9, 374, 4.5, 2.6), (150, 96, 84), 0.8)

    # Mouth: closed lips, a cupid's bow on the upper one, a dark parting line.
    mx, my = MOUTH_C
    half = MOUTH_W / 2
    u = np.clip((x - mx) / half, -1, 1)
    inside = np.abs(x - mx) < half
    prof = np.sqrt(np.clip(1 - u * u, 0, 1))
    seam = my + 2.5 * (1 - prof)  # corners a touch lower: calm, not grinning
    upper_top = my - 10 * prof ** 0.7 + 3.0 * np.exp(-(((x - mx) / 5) ** 2)) * prof
    lower_bottom = my + 13 * prof ** 0.8
    c.paint(c.below(upper_top) * (1 - c.below(seam)) * inside, LIP_UPPER)
    c.paint(c.below(seam) * (1 - c.below(lower_bottom)) * inside, LIP_LOWER)
    c.paint(np.exp(-(((x - mx) / 12) ** 2 + ((y - (my + 6)) / 3) ** 2)) * inside,
            (226, 160, 156), 0.45)  # highlight on the lower lip
    line = np.clip((1.3 - np.abs(y - seam)) * SS / 2, 0, 1) * (np.abs(x - mx) < half + 1)
    c.paint(line, LIP_LINE, 0.9)
    c.paint(c.ellipse(mx, my + 24, 22, 5), SKIN_SHADOW, 0.35)  # under the lower lip

    # Face box as Haar cascades draw one: cheek to cheek, mid-forehead to chin.
    face_box = [round(hx - rx + 8), round(EYE_Y - 56), round(2 * rx - 16),
                round(hy + ry - (EYE_Y - 56))]
    mouth_box = [round(mx - half), round(my - 11), round(MOUTH_W), 26]
    regions: dict[str, list[int] | list[list[int]]] = {
        "face": face_box, "eyes": eye_boxes, "mouth": mouth_box}
    return c, regions


TOML = """\
# Lin Hao: an illustrated presenter drawn by scripts/make_avatar.py (no real person).
name = "lin"
display_name = "Lin Hao"
title = "News Anchor"
image = "lin.png"
licence = "Apache-2.0 (drawn by scripts/make_avatar.py in this repository)"
voice_zh = "zh-male"
voice_en = "en-male"

[names]
zh = "林浩"
en = "Lin Hao"

# Drawn faces have no Haar signature: the boxes come from the drawing itself.
[regions]
face = {face}
eyes = {eyes}
mouth = {mouth}
"""
