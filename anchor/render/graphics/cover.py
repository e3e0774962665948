"""The thumbnail as a cover: the presenter mid-sentence, the headline large over a
dark fade, the logo and a kicker line (label and date) in the brand's colours.

A cover is read in a grid of thumbnails at a few hundred pixels wide, so the
headline is two to three times the lower third's size and nothing else competes
with it: no captions, no lower third, no card. The AI label stays, where the clip
shows it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anchor.core.values import Box
from anchor.render.scene import Scene

from .bumper import logo_image
from .label_tab import label_sprite
from .lettering import font, hex_rgb, wrap_balanced

__all__ = ["cover_image"]


def _fit_headline(text: str, path: Path, px: int, box: Box, max_lines: int
                  ) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size from ``px`` down to half of it at which the headline fits
    ``max_lines`` whole (no ellipsis) in the box."""
    size = px
    while True:
        f = font(path, size)
        lines = wrap_balanced(text, f, box.w, max_lines) or [""]
        block = len(lines) * round(1.22 * size)
        fits = block <= 0.8 * box.h and not lines[-1].endswith("…")
        if fits or size <= max(8, px // 2):
            return f, lines
        size = max(8, round(size * 0.92))


def cover_image(scene: Scene, frame: int) -> np.ndarray:
    """RGB cover of ``scene``: its presenter as at ``frame``, with the headline."""
    spec, lay = scene.spec, scene.layout
    b = spec.branding
    h = spec.height
    img = scene.layers.under.copy()
    pb = scene.patch_box
    img[pb.y : pb.y + pb.h, pb.x : pb.x + pb.w] = scene.patch(frame)[: pb.h, : pb.w]

    box = lay.cover or Box(lay.safe.x, h // 2, lay.safe.w, lay.safe.y + lay.safe.h - h // 2)
    # a dark fade from a little above the headline block to the bottom edge
    top = max(0, box.y - h // 10)
    ramp = np.clip((np.arange(h, dtype=np.float32) - top) / max(1, h - top), 0, 1) ** 0.8
    shade = 1 - 0.78 * ramp
    img = (img.astype(np.float32) * shade[:, None, None] + 0.5).astype(np.uint8)

    pil = Image.fromarray(img).convert("RGBA")
    draw = ImageDraw.Draw(pil, "RGBA")
    fg = (*hex_rgb(b.text), 255)
    hi = (*hex_rgb(b.highlight), 255)
    accent = (*hex_rgb(b.accent), 255)
    headline_font = b.headline_font or spec.font_file
    px = lay.cover_px or round(0.08 * h)
    max_lines = 3 if lay.orientation == "portrait" else 2
    bar = max(4, round(0.12 * px))
    x = box.x + bar + round(0.35 * px)
    text_box = Box(x, box.y, box.x + box.w - x, box.h)
    f, lines = _fit_headline(spec.headline, headline_font, px, text_box, max_lines)
    size = f.size
    step = round(1.22 * size)
    y_end = box.y + box.h
    # the headline sits on the bottom of its box, the kicker above it
    first_base = y_end - (len(lines) - 1) * step - round(0.28 * size)
    kicker = "  ·  ".join(p for p in (b.label, spec.dateline) if p.strip())
    kf = font(spec.font_file, max(8, round(0.36 * size)))
    k_base = first_base - size - round(0.25 * size)
    if kicker:
        draw.text((x, k_base), kicker, font=kf, fill=hi, anchor="ls",
                  stroke_width=max(0, round(kf.size / 36)), stroke_fill=hi)
    stroke = max(1, round(size / 30))
    for i, line in enumerate(lines):
        draw.text((x, first_base + i * step), line, font=f, fill=fg, anchor="ls",
                  stroke_width=stroke, stroke_fill=fg)
    bar_top = (k_base - kf.size) if kicker else first_base - size
    draw.rectangle((box.x, bar_top, box.x + bar - 1, y_end - round(0.1 * size)), fill=accent)

    logo = logo_image(b, max(8, round(1.25 * lay.logo.h)), spec.font_file)
    pic = Image.fromarray(logo)
    if pic.width > lay.logo.w * 1.4:
        scale = lay.logo.w * 1.4 / pic.width
        pic = pic.resize((max(1, round(pic.width * scale)), max(1, round(pic.height * scale))),
                         Image.Resampling.LANCZOS)
    pil.alpha_composite(pic, (lay.logo.x, lay.logo.y))
    if scene.label is not None and spec.ai_label is not None:
        # the cover is the clip's face in a feed: it carries the AI label too
        sprite = label_sprite(spec.ai_label, spec.font_file, scene.label)
        pil.alpha_composite(Image.fromarray(sprite.rgba), (sprite.box.x, sprite.box.y))
    return np.asarray(pil.convert("RGB"), dtype=np.uint8)
