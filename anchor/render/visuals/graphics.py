"""Graphics of the package, in the brand's fonts and colours, in the clip's language:
a bar chart of the story's figures, a quote card, a name strap, and the frame round a
story picture (its credit line). Each is drawn with Pillow at a progress 0..1 of its
animation (bars grow, text wipes in) and is still after that.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from anchor.core.values import Bar, Branding
from anchor.render.graphics.lettering import font, hex_rgb, ink_on, wrap, wrap_balanced

__all__ = ["chart_card", "credit_strip", "quote_card", "strap_card"]


def _ease(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return 1 - (1 - t) ** 3


def _panel(w: int, h: int, branding: Branding, alpha: int = 236) -> Image.Image:
    primary = np.array(hex_rgb(branding.primary), np.float32)
    shade = np.linspace(1.15, 0.80, h, dtype=np.float32)[:, None, None]
    rgb = np.clip(primary * shade * 0.85, 0, 255)
    rgba = np.dstack([np.broadcast_to(rgb, (h, w, 3)),
                      np.full((h, w, 1), alpha, np.float32)]).astype(np.uint8)
    img = Image.fromarray(rgba)
    d = ImageDraw.Draw(img)
    rule = max(2, round(0.012 * h))
    d.rectangle((0, 0, w - 1, rule - 1), fill=(*hex_rgb(branding.accent), 255))
    return img


def _bold(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, path: Path,
          size: int, fill: tuple[int, ...], anchor: str = "ls") -> None:
    draw.text(xy, text, font=font(path, size), fill=fill, anchor=anchor,
              stroke_width=max(0, round(size / 36)), stroke_fill=fill)


def chart_card(w: int, h: int, bars: tuple[Bar, ...], unit: str, title: str, source: str,
               lang: str, branding: Branding, font_file: Path, progress: float) -> np.ndarray:
    """A bar chart: bars grow in over the animation (progress 0..1), values over them,
    labels under them, the unit in the title, the source at the foot."""
    img = _panel(w, h, branding)
    d = ImageDraw.Draw(img, "RGBA")
    fg = (*hex_rgb(branding.text), 255)
    hi = (*hex_rgb(branding.highlight), 255)
    head = branding.headline_font or font_file
    pad = round(0.06 * min(w, h) + 0.02 * w)
    title_px = max(8, round(0.075 * h))
    heading = title or ""
    if unit and unit != "%":
        heading = f"{heading} ({unit})" if heading else (f"单位：{unit}" if lang == "zh"
                                                         else unit.capitalize())
    elif unit == "%" and heading:
        heading = f"{heading} (%)"
    if heading:
        line = wrap(heading, font(head, title_px), w - 2 * pad, 1)[0]
        _bold(d, (pad, pad + title_px), line, head, title_px, fg)
    src_px = max(7, round(0.042 * h))
    src = (f"来源：{source}" if source else "数据来源：报道") if lang == "zh" else \
        (f"Source: {source}" if source else "Source: figures in the report")
    d.text((pad, h - pad * 0.6), wrap(src, font(font_file, src_px), w - 2 * pad, 1)[0],
           font=font(font_file, src_px), fill=(*fg[:3], 200), anchor="ls")
    # plot area
    top = pad + title_px * 2.2 + 0.06 * h
    label_px = max(8, round(0.055 * h))
    base_y = h - pad - src_px - label_px * 1.9
    n = len(bars)
    slot = (w - 2 * pad) / max(1, n)
    bw = slot * 0.56
    vmax = max((b.value for b in bars), default=1.0) or 1.0
    grow = _ease(progress)
    value_px = max(8, round(0.07 * h))
    d.line((pad, base_y, w - pad, base_y), fill=(*fg[:3], 140), width=max(1, round(h / 300)))
    for k, b in enumerate(bars):
        x0 = pad + k * slot + (slot - bw) / 2
        full = (base_y - top - value_px * 1.4) * max(0.0, b.value) / vmax
        y0 = base_y - full * grow
        colour = hi if k == n - 1 else (*hex_rgb(branding.accent), 255)
        if base_y - y0 >= 1:
            d.rounded_rectangle((x0, y0, x0 + bw, base_y), radius=max(1, round(bw * 0.06)),
                                fill=colour)
        if grow > 0.02:
            a = min(255, round(255 * grow * 1.3))
            _bold(d, (x0 + bw / 2, y0 - value_px * 0.35), b.shown, font_file, value_px,
                  (*fg[:3], a), anchor="ms")
        lab = wrap(b.label, font(font_file, label_px), slot * 0.96, 1)[0]
        d.text((x0 + bw / 2, base_y + label_px * 1.25), lab, font=font(font_file, label_px),
               fill=fg, anchor="ms")
    return _rounded(img)


def quote_card(w: int, h: int, quote: str, name: str, role: str, lang: str,
               branding: Branding, font_file: Path, progress: float) -> np.ndarray:
    """The quoted words large, with who said them; the text wipes in."""
    img = _panel(w, h, branding)
    d = ImageDraw.Draw(img, "RGBA")
    fg = hex_rgb(branding.text)
    accent = hex_rgb(branding.accent)
    head = branding.headline_font or font_file
    pad = round(0.07 * min(w, h) + 0.02 * w)
    mark_px = round(0.30 * h)
    d.text((pad * 0.7, pad * 0.4 + mark_px * 0.85), "“", font=font(head, mark_px),
           fill=(*accent, 255), anchor="ls")
    size = round(0.13 * h)
    lines: list[str] = []
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6):
        px = max(8, round(size * scale))
        lines = wrap_balanced(quote, font(head, px), w - 2.4 * pad, 4)
        if not lines[-1].endswith("…"):
            break
    step = round(px * 1.32)
    y = pad + mark_px * 0.55
    shown = _ease(progress)
    a = round(255 * shown)
    for line in lines:
        _bold(d, (pad * 1.2, y + px), line, head, px, (*fg, a))
        y += step
    who = name if not role else (f"{role}{name}" if lang == "zh" else f"{name}, {role}")
    if who:
        who_px = max(8, round(0.062 * h))
        who = wrap(("——" if lang == "zh" else "— ") + who, font(font_file, who_px),
                   w - 2.4 * pad, 1)[0]
        d.text((pad * 1.2, h - pad * 0.9), who, font=font(font_file, who_px),
               fill=(*accent, a), anchor="ls")
    return _rounded(img)


def strap_card(w: int, h: int, name: str, role: str, branding: Branding, font_file: Path,
               progress: float) -> np.ndarray:
    """A name strap: the name on an accent tab, the role on a band; wipes in from the left."""
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img, "RGBA")
    accent, primary = hex_rgb(branding.accent), hex_rgb(branding.primary)
    name_px, role_px = round(0.36 * h), round(0.26 * h)
    nf = font(font_file, name_px)
    tab_h = round(0.55 * h)
    nw = min(w, round(nf.getlength(name) + 0.8 * name_px))
    d.rectangle((0, 0, nw, tab_h), fill=(*accent, 255))
    _bold(d, (0.4 * name_px, tab_h / 2), name, font_file, name_px, (*ink_on(accent), 255),
          anchor="lm")
    if role:
        rf = font(font_file, role_px)
        role = wrap(role, rf, w - 0.8 * role_px, 1)[0]
        rw = min(w, round(rf.getlength(role) + 0.8 * role_px))
        d.rectangle((0, tab_h, rw, h - 1), fill=(*primary, 240))
        d.text((0.4 * role_px, (tab_h + h) / 2), role, font=rf,
               fill=(*hex_rgb(branding.text), 255), anchor="lm")
    out = np.asarray(img, dtype=np.uint8).copy()
    shown = _ease(progress) * w
    cols = np.clip(shown - np.arange(w, dtype=np.float32), 0, 1)
    out[..., 3] = (out[..., 3] * cols[None, :]).astype(np.uint8)
    return out


CREDIT_MIN_SCALE = 0.75  # a long credit gets a smaller type, down to this, before two lines


def credit_lines(w: int, caption: str, credit: str, lang: str, font_file: Path, px: int
                 ) -> tuple[list[str], int]:
    """The credit strip's lines and type size: the credit is never cut. The caption goes
    before it when both fit on one line; else the credit alone, in a smaller type if
    need be (down to CREDIT_MIN_SCALE), else on two lines; only a credit too long even
    for two lines of the smallest type loses its end."""
    label = ("图：" if lang == "zh" else "Photo: ") + credit if credit else ""
    f = font(font_file, px)
    room = w - px
    if caption and label and f.getlength(f"{caption}  ·  {label}") <= room:
        return [f"{caption}  ·  {label}"], px
    if not label:
        return wrap(caption, f, room, 1), px
    size = px
    while size > max(6, round(px * CREDIT_MIN_SCALE)) and \
            font(font_file, size).getlength(label) > w - size:
        size -= 1
    f = font(font_file, size)
    if f.getlength(label) <= w - size:
        return [label], size
    return wrap(label, f, w - size, 2), size


def credit_strip(w: int, caption: str, credit: str, lang: str, font_file: Path,
                 px: int) -> np.ndarray | None:
    """The "Photo: …" line (with the caption before it when there is room), white on a
    dark translucent strip, ``w`` wide at most; None when there is nothing to say."""
    credit = credit.strip()
    caption = caption.strip()
    if not credit and not caption:
        return None
    lines, size = credit_lines(w, caption, credit, lang, font_file, px)
    f = font(font_file, size)
    line_h = round(size * 1.3)
    tw = min(w, round(max(f.getlength(t) for t in lines) + size))
    th = round(size * 1.6) + line_h * (len(lines) - 1)
    tw += tw % 2
    th += th % 2
    img = Image.new("RGBA", (tw, th), (6, 10, 20, 170))
    d = ImageDraw.Draw(img)
    top = (th - line_h * (len(lines) - 1)) / 2
    for k, text in enumerate(lines):
        d.text((size / 2, top + k * line_h), text, font=f, fill=(255, 255, 255, 255),
               anchor="lm")
    return np.asarray(img, dtype=np.uint8).copy()


@functools.lru_cache(maxsize=8)
def _corner_mask(w: int, h: int) -> np.ndarray:
    """Anti-aliased rounded corners (drawn at 4x and reduced): once per card size."""
    r = max(2, round(0.03 * min(w, h)))
    big = Image.new("L", (4 * w, 4 * h), 0)
    ImageDraw.Draw(big).rounded_rectangle((0, 0, 4 * w - 1, 4 * h - 1), 4 * r, fill=255)
    return np.asarray(big.resize((w, h), Image.Resampling.BOX), np.float32) / 255


def _rounded(img: Image.Image) -> np.ndarray:
    w, h = img.size
    mask = _corner_mask(w, h)
    out = np.asarray(img, dtype=np.uint8).copy()
    out[..., 3] = (out[..., 3].astype(np.float32) * mask + 0.5).astype(np.uint8)
    return out
