"""Reading a story's picture safely: a bad one fails alone, with one line saying why.

Checked from the header before any pixels are decoded: the file exists and is an image
Pillow reads (PNG, JPEG, WebP, a still GIF, BMP, TIFF), not an SVG, not animated, not CMYK
(its colours need the press profile to come out right: save it as sRGB), at most
``MAX_PIXELS`` (a 50-megapixel camera file or a decompression bomb is refused before it
is unpacked), and big enough for the box it goes in (``MAX_UPSCALE``). Decoding is then
reduced on the fly (JPEG draft mode) to what the box needs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from anchor.core.errors import InputError

__all__ = ["MAX_PIXELS", "MAX_UPSCALE", "PictureError", "PictureInfo", "check_picture",
           "fits", "load_picture"]

MAX_PIXELS = 40_000_000  # a 50 MP original is refused: resize it first (it costs seconds)
MAX_UPSCALE = 1.5  # a picture may be enlarged this much to fill its box, no more
MIN_SIDE = 64


class PictureError(InputError):
    """A picture that cannot go on screen; its sentence falls back to the presenter."""


@dataclass(frozen=True, slots=True)
class PictureInfo:
    path: Path
    width: int
    height: int
    format: str


def check_picture(path: Path) -> PictureInfo:
    """The picture's size and format from its header, or PictureError saying why not."""
    name = path.name
    if not path.is_file():
        raise PictureError(f"picture {name} not found", hint=f"put it at {path}")
    head = path.read_bytes()[:512].lstrip()
    if head[:5] in (b"<?xml", b"<svg ") or b"<svg" in head[:256]:
        raise PictureError(f"picture {name} is an SVG drawing",
                           hint="export it as PNG or JPEG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                fmt = im.format or "?"
                mode = im.mode
                frames = getattr(im, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PictureError(f"picture {name} is too large to unpack safely ({exc})",
                           hint="resize it to a few megapixels") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise PictureError(f"picture {name} cannot be read ({type(exc).__name__})",
                           hint="save it again as JPEG or PNG") from None
    if frames > 1:
        raise PictureError(f"picture {name} is animated ({frames} frames)",
                           hint="use a still frame of it as JPEG or PNG")
    if mode in ("CMYK", "YCCK"):
        raise PictureError(f"picture {name} is CMYK (print colours)",
                           hint="convert it to sRGB and save it again")
    if w * h > MAX_PIXELS:
        raise PictureError(f"picture {name} is {w * h / 1e6:.0f} megapixels",
                           hint=f"resize it to at most {MAX_PIXELS // 1_000_000} megapixels")
    if min(w, h) < MIN_SIDE:
        raise PictureError(f"picture {name} is only {w}x{h} pixels",
                           hint="use the original, not a thumbnail")
    return PictureInfo(path, w, h, fmt)


def fits(info: PictureInfo, w: int, h: int) -> bool:
    """True when the picture covers a w x h box enlarged no more than MAX_UPSCALE."""
    return max(w / info.width, h / info.height) <= MAX_UPSCALE + 1e-9


def load_picture(path: Path, box_w: int = 0, box_h: int = 0) -> np.ndarray:
    """RGB uint8 pixels, upright (EXIF orientation applied), reduced while decoding to
    about twice what a ``box_w`` x ``box_h`` box needs; PictureError on a bad file."""
    info = check_picture(path)
    if box_w and box_h and not fits(info, box_w, box_h):
        raise PictureError(
            f"picture {path.name} is {info.width}x{info.height}, smaller than its "
            f"{box_w}x{box_h} box", hint="use a larger original")
    try:
        with Image.open(path) as im:
            if box_w and box_h and im.format == "JPEG":
                im.draft("RGB", (2 * box_w, 2 * box_h))
            im = ImageOps.exif_transpose(im)
            if im.mode in ("RGBA", "LA", "P"):
                im = im.convert("RGBA")
                flat = Image.new("RGB", im.size, (0, 0, 0))
                flat.paste(im, mask=im.getchannel("A"))
                im = flat
            return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PictureError(f"picture {path.name} cannot be decoded ({exc})",
                           hint="save it again as JPEG or PNG") from None
