"""A story's picture moving slowly in its box: a pan and zoom whose crop never cuts a
face or the picture's salient part.

The picture is scaled once to cover its box with a little room to move (``ZOOM``). The
crop then travels, over the sentence, from the whole-cover view towards the part that
matters: the faces OpenCV finds (each kept wholly inside every crop along the way), else
the centre of the picture's detail (gradient energy). The path is eased, and each frame
is one affine warp straight into an RGBA sprite of the box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from anchor.core.values import Box

__all__ = ["ZOOM", "PanZoom", "salient_region"]

ZOOM = 1.10  # the crop narrows to 1/ZOOM of the covering view


def salient_region(rgb: np.ndarray) -> tuple[tuple[float, float], list[Box]]:
    """(centre of the picture's detail as shares of its size, faces found)."""
    h, w = rgb.shape[:2]
    s = min(1.0, 400 / max(h, w))
    small = cv2.resize(rgb, (max(8, round(w * s)), max(8, round(h * s))),
                       interpolation=cv2.INTER_AREA) if s < 1 else rgb
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    energy = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    energy = cv2.GaussianBlur(energy, (0, 0), max(2.0, small.shape[1] / 30))
    ys, xs = np.mgrid[0:energy.shape[0], 0:energy.shape[1]]
    total = float(energy.sum()) or 1.0
    cx = float((energy * xs).sum() / total + 0.5) / energy.shape[1]
    cy = float((energy * ys).sum() / total + 0.5) / energy.shape[0]
    faces: list[Box] = []
    try:
        cascade = cv2.CascadeClassifier(
            cv2.data.haarcascades + "haarcascade_frontalface_default.xml")  # type: ignore[attr-defined]
        if not cascade.empty():
            g8 = cv2.equalizeHist(grey.astype(np.uint8))
            side = max(20, int(0.06 * min(g8.shape)))
            for x, y, fw, fh in cascade.detectMultiScale(g8, 1.1, 6, minSize=(side, side)):
                faces.append(Box(round(x / s), round(y / s), round(fw / s), round(fh / s)))
    except (cv2.error, AttributeError):
        faces = []
    if faces:
        cx = sum(f.x + f.w / 2 for f in faces) / len(faces) / w
        cy = sum(f.y + f.h / 2 for f in faces) / len(faces) / h
    return (cx, cy), faces


def _ease(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * (3 - 2 * t)


@dataclass(eq=False)
class PanZoom:
    """The picture in ``box``-sized frames, from the whole view (t=0) to the close one
    (t=1); ``at(t)`` is RGBA uint8, alpha 255."""

    rgb: np.ndarray
    w: int
    h: int
    pan_only: bool = False  # full screen: whole-pixel steps of one slow pan, no zoom

    def __post_init__(self) -> None:
        ih, iw = self.rgb.shape[:2]
        k = max(self.w / iw, self.h / ih) * ZOOM
        if k < 1:  # a large original: reduced once (area), then each warp is about 1:1
            self.rgb = cv2.resize(self.rgb, (max(1, round(iw * k)), max(1, round(ih * k))),
                                  interpolation=cv2.INTER_AREA)
            ih, iw = self.rgb.shape[:2]
        # covering scale, and the source as RGBA once (the warp writes the sprite directly)
        self.cover = max(self.w / iw, self.h / ih)
        # the zoom warps an RGBA copy straight into the sprite; a pan needs none
        self.src = None if self.pan_only else cv2.cvtColor(np.ascontiguousarray(self.rgb),
                                                           cv2.COLOR_RGB2RGBA)
        (cx, cy), faces = salient_region(self.rgb)
        # crops in source pixels: (centre x, centre y, width); height follows the box
        w0 = self.w / self.cover
        start = (iw / 2, ih / 2, w0)
        zoom = ZOOM
        for _ in range(8):
            w1 = w0 / zoom
            end = self._clamp(cx * iw, cy * ih, w1)
            if all(self._holds(end, f) for f in faces):
                break
            zoom = 1 + (zoom - 1) / 2
        else:
            end = start
        # the whole path must keep the faces in: both ends do, and a crop between two
        # crops that hold a box holds it too (it only shrinks and slides between them)
        self.start, self.end = start, end
        self.faces = faces
        if self.pan_only:
            self._pan_setup(cx, cy)

    def _pan_setup(self, cx: float, cy: float) -> None:
        """A full-screen picture pans instead: the picture scaled once to cover the frame
        with ZOOM to spare, the crop sliding in whole pixels towards the detail (a whole-pixel
        move is a copy here and an exact motion vector for the encoder: a moving full frame
        then costs little more than a still one)."""
        ih, iw = self.rgb.shape[:2]
        s = self.cover * ZOOM
        big = cv2.resize(self.rgb, (max(self.w, round(iw * s)), max(self.h, round(ih * s))),
                         interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
        self.big = np.ascontiguousarray(big)  # RGB: an opaque picture needs no alpha
        bh, bw = self.big.shape[:2]
        room_x, room_y = bw - self.w, bh - self.h
        # from the side away from the detail towards it
        tx = min(max(cx * bw - self.w / 2, 0), room_x)
        ty = min(max(cy * bh - self.h / 2, 0), room_y)
        sx = room_x - tx if abs(room_x - 2 * tx) > 1 else 0.0
        sy = room_y / 2 if room_y else 0.0
        faces = [Box(round(f.x * s), round(f.y * s), round(f.w * s), round(f.h * s))
                 for f in self.faces]

        def holds(x: float, y: float) -> bool:
            return all(x <= f.x and f.x + f.w <= x + self.w and y <= f.y
                       and f.y + f.h <= y + self.h for f in faces)
        if not (holds(sx, sy) and holds(tx, ty)):
            sx, sy, tx, ty = tx, ty, tx, ty  # no room to move without cutting a face
        # slow, as a camera drifts over a still: at most half a pixel a frame
        self.pan = (sx, sy, tx, ty)

    def _clamp(self, cx: float, cy: float, cw: float) -> tuple[float, float, float]:
        ih, iw = self.rgb.shape[:2]
        ch = cw * self.h / self.w
        cx = min(max(cx, cw / 2), iw - cw / 2)
        cy = min(max(cy, ch / 2), ih - ch / 2)
        return cx, cy, cw

    def _holds(self, crop: tuple[float, float, float], f: Box) -> bool:
        cx, cy, cw = crop
        ch = cw * self.h / self.w
        return (cx - cw / 2 <= f.x and f.x + f.w <= cx + cw / 2
                and cy - ch / 2 <= f.y and f.y + f.h <= cy + ch / 2)

    def crop(self, t: float) -> tuple[float, float, float]:
        u = _ease(t)
        (a0, a1, a2), (b0, b1, b2) = self.start, self.end
        return a0 + (b0 - a0) * u, a1 + (b1 - a1) * u, a2 + (b2 - a2) * u

    def slow(self, frames: int, px_per_frame: float = 0.5) -> None:
        """Keep the pan to ``px_per_frame`` over ``frames``: a slow drift, and a frame in
        two the same as the one before (nothing to draw or encode)."""
        sx, sy, tx, ty = self.pan
        dist = max(abs(tx - sx), abs(ty - sy))
        most = px_per_frame * max(1, frames)
        if dist > most:
            k = most / dist
            self.pan = (tx - (tx - sx) * k, ty - (ty - sy) * k, tx, ty)

    def offset(self, t: float) -> tuple[int, int]:
        """The pan's crop corner at ``t`` in steps of two pixels (equal corners: equal
        frames). Two, because the frame's chroma has one sample per 2x2 pixels: a move by
        an even number of pixels shifts all three planes exactly, so x264 codes the moved
        frame as a motion vector and no residual; a one-pixel move changes every chroma
        sample. At half a pixel a frame, one frame in four changes."""
        sx, sy, tx, ty = self.pan
        u = _ease(t)
        bh, bw = self.big.shape[:2]
        x = min(2 * round((sx + (tx - sx) * u) / 2), (bw - self.w) // 2 * 2)
        y = min(2 * round((sy + (ty - sy) * u) / 2), (bh - self.h) // 2 * 2)
        return x, y

    def at(self, t: float) -> np.ndarray:
        """RGBA of the box at ``t`` (0..1); a pan gives an RGB view of the scaled picture."""
        if self.pan_only:
            x, y = self.offset(t)
            return self.big[y:y + self.h, x:x + self.w]
        cx, cy, cw = self.crop(t)
        s = self.w / cw
        m = np.array([[s, 0, self.w / 2 - cx * s], [0, s, self.h / 2 - cy * s]], np.float32)
        assert self.src is not None
        return cv2.warpAffine(self.src, m, (self.w, self.h), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)

    def moves(self) -> bool:
        if self.pan_only:
            return self.offset(0.0) != self.offset(1.0)
        return not all(math.isclose(a, b, abs_tol=0.05) for a, b in
                       zip(self.start, self.end, strict=True))
