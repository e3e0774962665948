"""The frame when nothing moves: studio, presenter at rest, lower third, logo bug,
and the ticker's band (its text moves: anchor.render.graphics.ticker).

Built once per clip with numpy and Pillow. It is kept as layers because the
presenter's moving patch goes *under* the lower third and the logo: the renderers
paste the patch onto ``under`` and lay ``overlay`` on top wherever the two meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from anchor.core.errors import InputError
from anchor.core.values import Box, Branding, RenderSpec

from .layout import Layout
from .lettering import font, hex_rgb, ink_on, line_height, wrap
from .ticker import draw_band

__all__ = ["StaticLayers", "alpha_over", "build_static", "overlay_layer", "static_layers", "studio"]


@dataclass(frozen=True, slots=True, eq=False)
class StaticLayers:
    under: np.ndarray  # RGB: studio + presenter at rest (where the moving patch goes)
    overlay: np.ndarray  # RGBA, straight alpha: lower third + logo bug
    frame: np.ndarray  # RGB: ``overlay`` laid over ``under`` — the still frame


def alpha_over(dst: np.ndarray, rgba: np.ndarray) -> np.ndarray:
    """``rgba`` (straight alpha) laid over the RGB ``dst`` of the same size, rounded."""
    a = rgba[..., 3:4].astype(np.uint16)
    out = rgba[..., :3].astype(np.uint16) * a + dst.astype(np.uint16) * (255 - a) + 128
    # exact division by 255 of values < 2**16 (Blinn's trick), without a float pass
    out = (out + (out >> 8)) >> 8
    return out.astype(np.uint8)


def _smooth(low: np.ndarray, w: int, h: int) -> np.ndarray:
    return cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)


def studio(
    width: int, height: int, branding: Branding, presenter: Box, seed: int = 0
) -> np.ndarray:
    """A dark studio: vertical gradient of the branding colours, a soft light behind
    the presenter, faint LED-wall panels at the sides, a vignette; RGB uint8."""
    top = np.array(hex_rgb(branding.background_top), np.float32)
    bottom = np.array(hex_rgb(branding.background_bottom), np.float32)
    accent = np.array(hex_rgb(branding.accent), np.float32)

    # light maps are smooth, so compute them small and scale up: 4K costs no more
    s = max(1, min(width, height) // 270)
    lw, lh = max(8, width // s), max(8, height // s)
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    xn, yn = (xx + 0.5) / lw, (yy + 0.5) / lh

    t = yn ** 1.3
    img = top * (1 - t[..., None]) + bottom * t[..., None]

    # LED-wall panels: rounded columns of slightly lighter colour with a dot grid,
    # strongest far from the presenter so the face keeps the eye
    px0, px1 = presenter.x / width, (presenter.x + presenter.w) / width
    panels: np.ndarray = np.zeros((lh, lw), np.float32)
    if width >= height:
        rows, cols = (0.10, 0.70), [(0.035 + i * 0.155, 0.170 + i * 0.155) for i in range(6)]
    else:  # portrait: the presenter fills the top; the wall shows below the lower third
        rows, cols = (0.66, 0.97), [(0.04, 0.34), (0.36, 0.64), (0.66, 0.96)]
    for c0, c1 in cols:
        if c1 > px0 - 0.01 and c0 < px1 + 0.01 and presenter.y + presenter.h > rows[0] * height:
            continue  # hidden behind the presenter anyway
        panels[(xn >= c0) & (xn < c1) & (yn > rows[0]) & (yn < rows[1])] = 1.0
    panels = cv2.GaussianBlur(panels, (0, 0), max(1.0, lw / 300))
    img += panels[..., None] * 0.10 * (255 - img)

    # soft key light behind the presenter's head, tinted with the accent colour
    cx, cy = (presenter.x + presenter.w / 2) / width, (presenter.y + 0.35 * presenter.h) / height
    aspect = width / height
    d2 = ((xn - cx) * aspect) ** 2 + (yn - cy) ** 2
    glow = np.exp(-d2 / (2 * 0.22**2))[..., None]
    img += glow * 0.22 * (0.8 * (255 - img) + 0.2 * (accent - img))

    # vignette: darker corners, the way a lens and studio lighting fall off
    r2 = ((xn - 0.5) * aspect / max(aspect, 1)) ** 2 + (yn - 0.5) ** 2
    img *= (1 - 0.55 * np.clip(r2, 0, 1))[..., None]

    full = _smooth(img, width, height)
    # fine dot grid of the LED wall, only where the panels are
    grid_mask = _smooth(panels, width, height)
    step = max(4, height // 90)
    dots = np.zeros((height, width), np.float32)
    dots[step // 2 :: step, step // 2 :: step] = 1.0
    full += (dots * grid_mask * 14.0)[..., None]
    # dither before rounding so the gradient does not band after encoding
    rng = np.random.default_rng(seed)
    full += rng.uniform(-0.5, 0.5, size=(height, width, 1)).astype(np.float32)
    return np.clip(full + 0.5, 0, 255).astype(np.uint8)


def _drop_shadow(img: np.ndarray, box: Box) -> None:
    """Darken a soft halo round ``box`` in place so the photo sits in the set."""
    h, w = img.shape[:2]
    s = max(1, min(w, h) // 270)
    mask = np.zeros((max(8, h // s), max(8, w // s)), np.float32)
    x0, y0 = box.x // s, box.y // s
    x1, y1 = (box.x + box.w) // s, (box.y + box.h) // s
    mask[y0:y1, x0:x1] = 1.0
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, mask.shape[0] / 60))
    shade = 1 - 0.5 * _smooth(mask, w, h)
    img[:] = (img * shade[..., None]).astype(np.uint8)


def _logo_image(path: Path, box: Box) -> Image.Image:
    try:
        logo = Image.open(path).convert("RGBA")
    except OSError as exc:
        raise InputError(f"cannot read the logo {path}: {exc}", hint="use a PNG") from exc
    scale = min(box.h / logo.height, box.w / logo.width)
    size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    return logo.resize(size, Image.Resampling.LANCZOS)


def _shadow(img: Image.Image, pic: Image.Image, at: tuple[int, int], radius: int) -> None:
    """A soft dark halo under ``pic`` (a logo): it then reads on a light photo (the
    portrait layout puts the bug over the presenter's picture) as on the dark studio."""
    x, y = at
    pad = 2 * radius
    mask = Image.new("L", (pic.width + 2 * pad, pic.height + 2 * pad), 0)
    mask.paste(pic.getchannel("A"), (pad, pad))
    mask = mask.filter(ImageFilter.GaussianBlur(radius)).point(lambda a: round(0.6 * a))
    halo = Image.new("RGBA", mask.size, (0, 0, 0, 0))
    halo.putalpha(mask)
    x0, y0 = x - pad, y - pad
    # paste only what lies inside the frame
    crop = (max(0, -x0), max(0, -y0), min(halo.width, img.width - x0),
            min(halo.height, img.height - y0))
    img.alpha_composite(halo.crop(crop), (max(0, x0), max(0, y0)))


def _bold_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int,
               font_file: Path, fill: tuple[int, ...], anchor: str = "ls") -> None:
    # Only the Regular weight ships; a thin stroke of the same colour reads as bold.
    draw.text(xy, text, font=font(font_file, size), fill=fill, anchor=anchor,
              stroke_width=max(0, round(size / 36)), stroke_fill=fill)


def overlay_layer(spec: RenderSpec, layout: Layout) -> np.ndarray:
    """Lower third (name tab + headline band), logo bug and ticker band as a
    full-frame RGBA. The brand's ``lower_third`` style "label" puts a box with its
    ``label`` ("要闻", "NEWS") at the band's left instead of the plain accent block."""
    b = spec.branding
    primary, accent, fg = hex_rgb(b.primary), hex_rgb(b.accent), hex_rgb(b.text)
    headline_font = b.headline_font or spec.font_file
    img = Image.new("RGBA", (layout.width, layout.height), (0, 0, 0, 0))
    # "RGBA" mode blends translucent ink onto what is drawn below (the separator
    # on the name tab) instead of punching a hole in the layer
    draw = ImageDraw.Draw(img, "RGBA")
    pad = layout.pad

    # --- headline band: primary colour with a slight top-to-bottom sheen, an accent
    # rule on top and an accent block at the left edge
    band = layout.headline
    sheen = np.linspace(1.10, 0.86, band.h, dtype=np.float32)[:, None, None]
    band_rgb = np.clip(np.array(primary, np.float32) * sheen, 0, 255)
    band_rgba = np.dstack([np.broadcast_to(band_rgb, (band.h, band.w, 3)),
                           np.full((band.h, band.w, 1), 240, np.float32)]).astype(np.uint8)
    img.paste(Image.fromarray(band_rgba), (band.x, band.y))
    rule = max(2, round(0.05 * band.h))
    draw.rectangle((band.x, band.y, band.x + band.w - 1, band.y + rule - 1), fill=(*accent, 255))
    block = max(2, round(0.12 * band.h))
    label = b.label.strip() if b.lower_third == "label" else ""
    if label:
        # the label box: accent colour, dark ink, as wide as the word needs
        lf = font(spec.font_file, max(6, round(0.9 * layout.headline_px)))
        block = round(lf.getlength(label)) + 4 * pad
        draw.rectangle((band.x, band.y, band.x + block - 1, band.y + band.h - 1),
                       fill=(*accent, 255))
        ink = ink_on(accent)
        draw.text((band.x + block / 2, band.y + rule + (band.h - rule) / 2), label, font=lf,
                  fill=(*ink, 255), anchor="mm", stroke_width=max(0, round(lf.size / 36)),
                  stroke_fill=(*ink, 255))
    else:
        draw.rectangle((band.x, band.y, band.x + block - 1, band.y + band.h - 1),
                       fill=(*accent, 255))

    text_x = band.x + block + 2 * pad
    room = band.x + band.w - 2 * pad - text_x
    # a long headline (an English one in a square frame) is set a little smaller
    # before it loses words to an ellipsis
    for scale in (1.0, 0.94, 0.88, 0.82):
        px = max(6, round(scale * layout.headline_px))
        hf = font(headline_font, px)
        lines = wrap(spec.headline, hf, room, layout.headline_lines)
        if not lines or not lines[-1].endswith("…"):
            break
    step = round(1.28 * px)
    ascent, descent = hf.getmetrics()
    # centre the block of lines on the band, below the rule
    block_h = (len(lines) - 1) * step + ascent + descent
    y = band.y + rule + (band.h - rule - block_h) // 2 + ascent
    for line in lines:
        _bold_text(draw, (text_x, y), line, px, headline_font, (*fg, 255))
        y += step

    # --- name tab: presenter name (bold) | title, in the accent colour, sitting on
    # the band's rule
    plate = layout.name_plate
    nf, tf = font(spec.font_file, layout.name_px), font(spec.font_file, layout.title_px)
    name, title = spec.presenter.strip(), spec.presenter_title.strip()
    sep = 2 * pad
    room = plate.w - 4 * pad
    name = wrap(name, nf, room, 1)[0] if name else ""
    name_w = round(nf.getlength(name))
    if title:
        title_room = room - name_w - 2 * sep
        title = wrap(title, tf, title_room, 1)[0] if title_room > tf.size * 2 else ""
    width = 4 * pad + name_w + (2 * sep + round(tf.getlength(title)) if title else 0)
    if name or title:
        draw.rectangle((plate.x, plate.y, plate.x + width - 1, plate.y + plate.h - 1),
                       fill=(*accent, 255))
        base = plate.y + (plate.h + line_height(nf)) // 2 - nf.getmetrics()[1]
        on_tab = ink_on(accent)
        _bold_text(draw, (plate.x + 2 * pad, base), name, layout.name_px, spec.font_file,
                   (*on_tab, 255))
        if title:
            x = plate.x + 2 * pad + name_w + sep
            draw.line((x, plate.y + plate.h // 4, x, plate.y + 3 * plate.h // 4),
                      fill=(*on_tab, 160), width=max(1, pad // 4))
            draw.text((x + sep, base), title, font=tf, fill=(*on_tab, 230), anchor="ls")

    # --- logo bug, top-left: the branding logo, or the channel name on an accent tab
    logo = layout.logo
    if b.logo is not None:
        pic = _logo_image(b.logo, logo)
        at = (logo.x, logo.y + (logo.h - pic.height) // 2)
        _shadow(img, pic, at, max(2, logo.h // 8))
        img.alpha_composite(pic, at)
    elif b.channel.strip():
        lf = font(spec.font_file, layout.logo_px)
        channel = wrap(b.channel.strip(), lf, logo.w - 3 * pad, 1)[0]
        cw = round(lf.getlength(channel)) + 3 * pad
        radius = max(1, logo.h // 6)
        draw.rounded_rectangle((logo.x, logo.y, logo.x + cw - 1, logo.y + logo.h - 1), radius,
                               fill=(*accent, 255))
        # a white bar on the tab's left edge, the way station bugs are drawn
        bar = max(2, logo.h // 14)
        draw.rectangle((logo.x + pad, logo.y + logo.h // 4, logo.x + pad + bar - 1,
                        logo.y + 3 * logo.h // 4), fill=(*ink_on(accent), 255))
        _bold_text(draw, (logo.x + pad + bar + pad, logo.y + logo.h // 2), channel,
                   layout.logo_px, spec.font_file, (*ink_on(accent), 255), anchor="lm")

    # --- ticker band and label (the text scrolls on it: anchor.render.graphics.ticker)
    if layout.ticker is not None and b.ticker.strip():
        draw_band(draw, layout.ticker, b, spec.font_file, layout.ticker_px)
    return np.asarray(img, dtype=np.uint8)


def static_layers(spec: RenderSpec, layout: Layout, presenter_static: np.ndarray,
                  set_rgb: np.ndarray | None = None, *, shadow: bool = True) -> StaticLayers:
    """The still frame's layers, with the presenter's rest image pasted in its box: on
    ``set_rgb`` (the package's studio set, the presenter already matted onto it) or on the
    plain studio backdrop. ``shadow``: a soft shadow round the box (a photo in a box)."""
    box = layout.presenter
    if presenter_static.shape != (box.h, box.w, 3):
        raise ValueError(f"presenter image is {presenter_static.shape}, box is {box.h}x{box.w}")
    if set_rgb is not None:
        under = set_rgb.copy()
    else:
        under = studio(layout.width, layout.height, spec.branding, box, spec.seed)
    if shadow:
        _drop_shadow(under, box)
    under[box.y : box.y + box.h, box.x : box.x + box.w] = presenter_static
    over = overlay_layer(spec, layout)
    return StaticLayers(under=under, overlay=over, frame=alpha_over(under, over))


def build_static(spec: RenderSpec, layout: Layout, presenter_static: np.ndarray) -> np.ndarray:
    """The still frame as RGB uint8 (height x width x 3)."""
    return static_layers(spec, layout, presenter_static).frame
