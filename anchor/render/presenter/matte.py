"""The presenter cut out of the photo, and laid on the set without a halo.

The matte: the photo's own alpha channel when it has one (a drawn presenter shipped as a
transparent PNG), else MediaPipe selfie segmentation (model 0, inside the mediapipe
0.10.21 wheel, Apache-2.0), cached per photo by its sha256 like the landmarks. The
model's mask is coarse (256 px) and soft, so it is refined on the photo itself:

1. a guided filter (He et al.) with the photo as guide snaps the edge to the hair and
   shoulder lines, then a smoothstep makes it firm;
2. the colours of the edge band are *decontaminated*: the old backdrop's colour there
   is estimated from the backdrop nearby (normalised convolution outside the person) and
   taken out of each pixel, F = (I − (1 − α)·B) / α, so no rim of it comes along;
3. on the set: a soft shadow (the matte blurred, shifted down and right) darkens the set
   behind the person, and a light wrap lets the set's light bleed a little over the
   person's edge, as a real key light and a lens do.

Without mediapipe (Python 3.13 has no wheel) there is no matte: ``photo_matte`` returns
None and the caller keeps the photo's own backdrop, with one warning.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from anchor.core.paths import cache_dir

__all__ = [
    "composite_on_set",
    "guided_filter",
    "photo_matte",
    "read_alpha",
    "read_matte",
    "refine_matte",
    "segment_person",
    "shadowed",
]

log = logging.getLogger(__name__)

_CACHE_VERSION = 1


def read_alpha(path: Path) -> np.ndarray | None:
    """The image's own alpha channel as float32 0..1, or None when it has none (or it is
    fully opaque: then it says nothing about where the person is)."""
    data = np.fromfile(str(path), dtype=np.uint8) if path.is_file() else None
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data is not None and data.size else None
    if img is None or img.ndim != 3 or img.shape[2] != 4:
        return None
    a = img[..., 3]
    if int(a.min()) == 255:
        return None
    return a.astype(np.float32) / 255.0


def segment_person(rgb: np.ndarray) -> np.ndarray | None:
    """MediaPipe's person mask (float32 0..1, the photo's size), cached; None without
    mediapipe."""
    h = hashlib.sha256(f"{rgb.shape}".encode() + np.ascontiguousarray(rgb).tobytes())
    path = cache_dir() / "matte" / f"{h.hexdigest()}-v{_CACHE_VERSION}.png"
    if path.is_file():
        cached = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        if cached is not None and cached.shape[:2] == rgb.shape[:2]:
            return cached.astype(np.float32) / 65535.0
    try:
        from mediapipe.python.solutions import selfie_segmentation
    except ImportError:
        return None
    with selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        mask = seg.process(np.ascontiguousarray(rgb)).segmentation_mask
    if mask is None:
        return None
    mask = np.clip(mask.astype(np.float32), 0.0, 1.0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".png")
        os.close(fd)
        cv2.imwrite(tmp, (mask * 65535 + 0.5).astype(np.uint16))
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache costs speed, not correctness
        log.warning("cannot cache the matte in %s: %s", path.parent, exc)
    return mask


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He, Sun and Tang's guided filter (grey guide, box means): ``src`` smoothed, its
    edges following the edges of ``guide`` (both float32 0..1, same size)."""
    k = (2 * radius + 1, 2 * radius + 1)

    def mean(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, k, borderType=cv2.BORDER_REFLECT)

    mi, mp = mean(guide), mean(src)
    cov = mean(guide * src) - mi * mp
    var = mean(guide * guide) - mi * mi
    a = cov / (var + eps)
    b = mp - a * mi
    return np.asarray(mean(a) * guide + mean(b), dtype=np.float32)


def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def refine_matte(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The segmentation's mask made to follow the photo's edges (float32 0..1)."""
    h, w = mask.shape
    guide = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    r = max(2, round(min(h, w) / 96))  # ~5 px on a 512 px photo
    refined = guided_filter(guide, mask.astype(np.float32), r, 1e-3)
    # a firm edge a pixel or two wide, no grey veil over the backdrop
    alpha = _smoothstep(0.30, 0.70, refined)
    # holes and specks of the model (a highlight on a jacket) closed
    firm = (alpha > 0.5).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(firm, connectivity=8)
    if n > 2:
        keep = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        alpha = np.where((labels == keep) | (labels == 0), alpha, 0.0)
    return np.asarray(alpha, dtype=np.float32)


def read_matte(path: Path) -> np.ndarray | None:
    """A presenter's matte file (8-bit grey, 255 = the presenter) as float32 0..1."""
    data = np.fromfile(str(path), dtype=np.uint8) if path.is_file() else None
    img = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data is not None and data.size else None
    return None if img is None else img.astype(np.float32) / 255.0


def photo_matte(path: Path, rgb: np.ndarray, matte: Path | None = None) -> np.ndarray | None:
    """The person's matte for the photo at ``path`` (pixels ``rgb``): the presenter's own
    matte file (``matte =`` in its TOML), else the image's alpha channel, else refined
    segmentation; None when none is to be had."""
    own = read_matte(matte) if matte is not None else None
    if own is None:
        own = read_alpha(path)
    if own is not None and own.shape == rgb.shape[:2]:
        return own
    mask = segment_person(rgb)
    return None if mask is None else refine_matte(rgb, mask)


def _backdrop_estimate(img: np.ndarray, alpha: np.ndarray, sigma: float) -> np.ndarray:
    """The old backdrop's colour behind every pixel: a normalised blur of the pixels
    that are surely backdrop (alpha < 0.05)."""
    weight = (alpha < 0.05).astype(np.float32)
    num = cv2.GaussianBlur(img * weight[..., None], (0, 0), sigma)
    den = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
    return np.asarray(num / np.maximum(den, 1e-4), dtype=np.float32)


def shadowed(back: np.ndarray, alpha: np.ndarray, strength: float = 0.35) -> np.ndarray:
    """The set darkened by the person's soft shadow (float32 RGB in and out)."""
    h, w = alpha.shape
    scale = max(1.0, min(h, w) / 300)
    shift = np.array([[1, 0, 6 * scale], [0, 1, 4 * scale]], np.float32)
    cast = cv2.warpAffine(alpha, shift, (w, h), borderMode=cv2.BORDER_REPLICATE)
    cast = cv2.GaussianBlur(cast, (0, 0), 10 * scale)
    return np.asarray(back * (1.0 - strength * cast)[..., None], np.float32)


def composite_on_set(rgb: np.ndarray, alpha: np.ndarray, set_rgb: np.ndarray, *,
                     shadow: float = 0.35, wrap: float = 0.35) -> np.ndarray:
    """The person of ``rgb`` over ``set_rgb`` (same size, RGB uint8) through ``alpha``:
    edge colours decontaminated, a soft shadow behind, a light wrap at the edge."""
    h, w = alpha.shape
    scale = max(1.0, min(h, w) / 300)
    img = rgb.astype(np.float32)
    back = set_rgb.astype(np.float32)
    a = alpha.astype(np.float32)
    # 2. the person's own colour at the edge, without the old backdrop mixed in
    old = _backdrop_estimate(img, a, 4.0 * scale)
    edge = (a > 0.02) & (a < 0.98)
    fg = img.copy()
    safe = np.maximum(a, 0.15)[..., None]
    fg[edge] = np.clip((img - (1.0 - a[..., None]) * old) / safe, 0, 255)[edge]
    # 3a. soft shadow: the matte blurred, a little down and to the right
    back = shadowed(back, a, shadow)
    # 3b. light wrap: the set's light, blurred, over the inner side of the edge
    glow = cv2.GaussianBlur(back, (0, 0), 6 * scale)
    inner = a * (1.0 - cv2.GaussianBlur(a, (0, 0), 2.5 * scale))
    wrap_w = np.clip(wrap * 2.0 * inner, 0, wrap)[..., None]
    fg = np.asarray(fg * (1.0 - wrap_w) + glow * wrap_w, np.float32)
    out = back * (1.0 - a[..., None]) + fg * a[..., None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
