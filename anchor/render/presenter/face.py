"""Where the face, eyes and mouth are in a presenter photo.

OpenCV's Haar cascades find the face and the eyes; the mouth is searched in the
lower third of the face for lip-coloured pixels. Hints from the avatar's TOML
win over detection (a drawn face has no Haar signature). Detection costs tens of
milliseconds, a render calls this once per clip, and a batch renders many clips of
the same presenter, so results are cached as JSON keyed by the image's sha256.

Eye boxes are tight around the visible eye opening (lids to lids), and the mouth
box is tight around the lips: the presenter animation draws eyelids and opens the
mouth inside exactly these boxes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from anchor.core.cache import atomic_write_text
from anchor.core.errors import InputError
from anchor.core.paths import assets_root, cache_dir
from anchor.core.values import Avatar, Box

if TYPE_CHECKING:
    from .landmarks import Landmarks

__all__ = [
    "FaceRegions",
    "detect_regions",
    "find_face",
    "read_rgb",
    "scale_regions",
    "with_landmarks",
]

log = logging.getLogger(__name__)

# Bump when the detection logic changes so stale cache entries are ignored.
_CACHE_VERSION = 2
# Detection runs on a copy no larger than this: Haar cascades gain nothing from
# more pixels, and a 4000-px phone photo would take seconds.
_DETECT_MAX_SIDE = 800


@dataclass(frozen=True, slots=True)
class FaceRegions:
    """Face, eye-opening and lip boxes in the pixels of one image."""

    face: Box
    eyes: tuple[Box, ...]  # 0..2 boxes, left to right in the image
    mouth: Box
    source: str  # "hints", "detected" or "hints+detected"
    landmarks: Landmarks | None = None  # set by the presenter; moved with the boxes


def read_rgb(path: Path) -> np.ndarray:
    """An image file as RGB uint8 (H, W, 3); InputError when unreadable."""
    data = np.fromfile(str(path), dtype=np.uint8) if path.is_file() else None
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data is not None and data.size else None
    if bgr is None:
        raise InputError(f"cannot read image {path}", hint="use a PNG or JPEG file")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def scale_regions(regions: FaceRegions, sx: float, sy: float, dx: float = 0.0,
                  dy: float = 0.0) -> FaceRegions:
    """Map regions through ``p' = p * s + d`` (resize then crop into an output box)."""

    def m(b: Box) -> Box:
        x0, y0 = b.x * sx + dx, b.y * sy + dy
        x1, y1 = (b.x + b.w) * sx + dx, (b.y + b.h) * sy + dy
        return Box(round(x0), round(y0), max(1, round(x1 - x0)), max(1, round(y1 - y0)))

    lm = regions.landmarks.moved(sx, sy, dx, dy) if regions.landmarks is not None else None
    return FaceRegions(m(regions.face), tuple(m(e) for e in regions.eyes), m(regions.mouth),
                       regions.source, lm)


def with_landmarks(regions: FaceRegions, lm: Landmarks | None) -> FaceRegions:
    return replace(regions, landmarks=lm)


# ----------------------------------------------------------------------------- detection


def _cascade(name: str) -> cv2.CascadeClassifier:
    clf = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / name))  # type: ignore[attr-defined]
    if clf.empty():  # opencv 5.x ships no cascade files (see models.md)
        raise InputError(f"OpenCV has no {name}",
                         hint="install opencv-python-headless==4.13.0.92 (ships Haar cascades)")
    return clf


def _detect_face(gray: np.ndarray) -> Box | None:
    """Largest frontal face, trying the default cascade then alt2 (fewer misses on photos)."""
    h, w = gray.shape
    scale = min(1.0, _DETECT_MAX_SIDE / max(h, w))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1.0 else gray
    small = cv2.equalizeHist(small)
    min_side = max(24, int(0.08 * min(small.shape)))
    for name in ("haarcascade_frontalface_default.xml", "haarcascade_frontalface_alt2.xml"):
        found = _cascade(name).detectMultiScale(small, scaleFactor=1.1, minNeighbors=5,
                                                minSize=(min_side, min_side))
        if len(found):
            x, y, fw, fh = max(found, key=lambda r: int(r[2]) * int(r[3]))
            return Box(round(x / scale), round(y / scale), round(fw / scale), round(fh / scale))
    return None


def _geometric_eyes(face: Box) -> tuple[Box, Box]:
    """Eye openings where they sit on an average frontal face (used when Haar misses)."""
    w, h = round(0.2 * face.w), max(2, round(0.09 * face.h))
    y = round(face.y + 0.38 * face.h - h / 2)
    return (Box(round(face.x + 0.31 * face.w - w / 2), y, w, h),
            Box(round(face.x + 0.69 * face.w - w / 2), y, w, h))


def _detect_eyes(gray: np.ndarray, face: Box) -> tuple[Box, ...]:
    """Two eye openings inside ``face``: Haar eye boxes shrunk to the lids, or a guess."""
    x0, y0 = max(0, face.x), max(0, face.y)
    roi = gray[y0:face.y + int(0.6 * face.h), x0:face.x + face.w]
    if roi.size == 0:
        return _geometric_eyes(face)
    roi = cv2.equalizeHist(roi)
    min_side = max(8, face.w // 8)
    found = _cascade("haarcascade_eye.xml").detectMultiScale(
        roi, scaleFactor=1.05, minNeighbors=3, minSize=(min_side, min_side),
        maxSize=(face.w // 2, face.w // 2))
    # One candidate per half of the face, the largest; a Haar "eye" is a square
    # from brow to cheek, the opening is its middle third (measured on astra.png).
    mid = face.x + face.w / 2
    best: dict[bool, tuple[int, int, int, int]] = {}
    for (ex, ey, ew, eh) in found:
        ax, ay = int(ex) + x0, int(ey) + y0
        left = ax + ew / 2 < mid
        if left not in best or ew * eh > best[left][2] * best[left][3]:
            best[left] = (ax, ay, int(ew), int(eh))
    if len(best) < 2:
        return _geometric_eyes(face)
    eyes = tuple(Box(round(ax + 0.15 * ew), round(ay + 0.33 * eh), max(2, round(0.7 * ew)),
                     max(2, round(0.3 * eh)))
                 for ax, ay, ew, eh in (best[True], best[False]))
    if abs(eyes[0].cy - eyes[1].cy) > 0.12 * face.h:  # not a level pair: trust geometry
        return _geometric_eyes(face)
    return eyes


def _runs(flags: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """[start, end) runs of True in a 1-D mask, bridging gaps of up to ``max_gap``."""
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return []
    runs, start, prev = [], int(idx[0]), int(idx[0])
    for i in idx[1:]:
        if i - prev > max_gap + 1:
            runs.append((start, prev + 1))
            start = int(i)
        prev = int(i)
    runs.append((start, prev + 1))
    return runs


def _detect_mouth(rgb: np.ndarray, face: Box) -> Box:
    """Lips in the lower third of the face: pixels redder (Lab a*) or darker than the skin.

    Rows are scored by how many lip pixels they hold near the face's centre line
    (a nostril or a smile fold is lip-coloured too, but narrow and off-centre);
    the upper and lower lip are joined across teeth or a dark gap, then the
    columns of those rows give the width.
    """
    fallback = Box(round(face.x + 0.3 * face.w), round(face.y + 0.74 * face.h),
                   round(0.4 * face.w), max(2, round(0.14 * face.h)))
    x0, x1 = max(0, round(face.x + 0.2 * face.w)), min(rgb.shape[1], round(face.x + 0.8 * face.w))
    y0 = max(0, round(face.y + 0.62 * face.h))
    y1 = min(rgb.shape[0], round(face.y + 1.02 * face.h))
    if x1 - x0 < 8 or y1 - y0 < 6:
        return fallback
    lab: np.ndarray = cv2.cvtColor(rgb[y0:y1, x0:x1], cv2.COLOR_RGB2LAB).astype(np.float32)
    lab = cv2.GaussianBlur(lab, (3, 3), 0)
    # Skin reference: the cheeks beside the mouth band (outer columns), robust median.
    edge = max(2, (x1 - x0) // 6)
    cheeks = np.concatenate([lab[:, :edge].reshape(-1, 3), lab[:, -edge:].reshape(-1, 3)])
    skin_l, skin_a = float(np.median(cheeks[:, 0])), float(np.median(cheeks[:, 1]))
    spread_a = max(2.0, float(np.percentile(np.abs(cheeks[:, 1] - skin_a), 90)))
    lip = (lab[:, :, 1] > skin_a + 1.5 * spread_a + 3) | (lab[:, :, 0] < skin_l - 45)
    width = x1 - x0
    # Per row: length of the lip run through the face's centre line. A nostril or
    # a smile fold is lip-coloured too, but it does not cross the centre.
    mid = round(face.x + face.w / 2) - x0
    reach = max(1, round(0.04 * face.w))
    rows = np.zeros(lip.shape[0])
    for i, row in enumerate(lip):
        for a, b in _runs(row, 1):
            if a - reach <= mid < b + reach:
                rows[i] = max(rows[i], (b - a) / face.w)
    if rows.max() < 0.15:
        return fallback
    # Seed at the widest such row (the line through the mouth corners), grow up
    # through touching rows only (nothing but skin and nose lies above the upper
    # lip), and down across a gap as tall as teeth to reach the lower lip.
    seed = int(np.argmax(rows))
    r0 = seed
    while r0 > 0 and rows[r0 - 1] >= 0.1:
        r0 -= 1
    gap = max(2, round(0.07 * face.h))
    r1, i = seed + 1, seed + 1
    while i < len(rows) and i - r1 <= gap:
        if rows[i] >= 0.1:
            r1 = i + 1
        i += 1
    r0, r1 = max(0, r0 - 1), min(len(rows), r1 + 1)  # the blur shaved the lip edges
    if not 0.04 * face.h <= r1 - r0 <= 0.3 * face.h:
        return fallback
    cols = lip[r0:r1].mean(axis=0) > 0.12
    c_runs = [r for r in _runs(cols, max(2, round(0.05 * face.w)))
              if r[0] <= width / 2 <= r[1]]
    if not c_runs:
        return fallback
    c0, c1 = c_runs[0]
    if c1 - c0 < 0.2 * face.w:
        return fallback
    return Box(x0 + c0, y0 + r0, c1 - c0, r1 - r0)


def detect_regions(rgb: np.ndarray, *, face: Box | None = None, eyes: tuple[Box, ...] = (),
                   mouth: Box | None = None, name: str = "the image",
                   toml_name: str = "its TOML") -> FaceRegions:
    """Face, eyes and mouth of an RGB image; each hint given replaces its detection."""
    if face is not None and eyes and mouth is not None:
        return FaceRegions(face, tuple(sorted(eyes, key=lambda b: b.x)), mouth, "hints")
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    found = face if face is not None else _detect_face(gray)
    if found is None:
        raise InputError(f"no face found in {name}",
                         hint=f"set [regions] face/eyes/mouth in {toml_name}")
    got_eyes = tuple(sorted(eyes, key=lambda b: b.x)) if eyes else _detect_eyes(gray, found)
    got_mouth = mouth if mouth is not None else _detect_mouth(rgb, found)
    hinted = face is not None or bool(eyes) or mouth is not None
    return FaceRegions(found, got_eyes, got_mouth, "hints+detected" if hinted else "detected")


# ----------------------------------------------------------------------------- cache


def _to_json(r: FaceRegions) -> dict[str, object]:
    def b(x: Box) -> list[int]:
        return [x.x, x.y, x.w, x.h]

    return {"version": _CACHE_VERSION, "face": b(r.face), "eyes": [b(e) for e in r.eyes],
            "mouth": b(r.mouth), "source": r.source}


def _from_json(data: dict[str, object]) -> FaceRegions | None:
    try:
        if data.get("version") != _CACHE_VERSION:
            return None
        face, eyes, mouth = data["face"], data["eyes"], data["mouth"]
        if not (isinstance(face, list) and isinstance(eyes, list) and isinstance(mouth, list)):
            return None
        return FaceRegions(Box(*face), tuple(Box(*e) for e in eyes), Box(*mouth),
                           str(data["source"]))
    except (KeyError, TypeError, ValueError):
        return None


def _cache_file(rgb: np.ndarray, hints: str) -> Path:
    h = hashlib.sha256()
    h.update(f"{rgb.shape}".encode())
    h.update(np.ascontiguousarray(rgb).tobytes())
    sha = h.hexdigest()
    # The image hash alone is the key; a face hint changes where eyes and mouth are
    # searched, so it is part of the name when present.
    return cache_dir() / "faces" / (f"{sha}{hints}.json")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(assets_root().resolve()))
    except ValueError:
        return str(path)


def find_face(avatar: Avatar, rgb: np.ndarray | None = None) -> FaceRegions:
    """Regions of ``avatar``'s photo (``rgb`` if already loaded): hints, cache, or detection."""
    image = read_rgb(avatar.image) if rgb is None else rgb
    img_name = _relative(avatar.image)
    toml_name = _relative(avatar.image.with_suffix(".toml"))
    if avatar.face is not None and avatar.eyes and avatar.mouth is not None:
        return detect_regions(image, face=avatar.face, eyes=avatar.eyes, mouth=avatar.mouth)
    hint = "" if avatar.face is None else "-{}_{}_{}_{}".format(*_box_tuple(avatar.face))
    path = _cache_file(image, hint)
    cached: FaceRegions | None = None
    try:
        cached = _from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        cached = None
    if cached is None:
        cached = detect_regions(image, face=avatar.face, name=img_name, toml_name=toml_name)
        _write_atomic(path, json.dumps(_to_json(cached)))
        log.debug("face regions of %s cached in %s", img_name, path)
    # Eye and mouth hints are cheap to apply on top of a cached detection.
    if avatar.eyes or avatar.mouth is not None:
        cached = FaceRegions(cached.face,
                             tuple(sorted(avatar.eyes, key=lambda b: b.x)) or cached.eyes,
                             avatar.mouth or cached.mouth, "hints+detected")
    return cached


def _box_tuple(b: Box) -> tuple[int, int, int, int]:
    return (b.x, b.y, b.w, b.h)


def _write_atomic(path: Path, text: str) -> None:
    """Write then rename, so a crash or a parallel render never leaves half a JSON file."""
    try:
        atomic_write_text(path, text)
    except OSError as exc:  # a read-only cache costs speed, not correctness
        log.warning("cannot cache face regions in %s: %s", path.parent, exc)
