"""Intro and outro bumpers: full-frame title cards with a short animated reveal.

The intro shows the logo, the headline (and, in the bilingual clip, the headline in
the other language), the date and the source; the outro the logo, the brand's
tagline and its disclosure line. Each is a still background drawn once plus a few
elements (rule, headline, date line, ...) that wipe or rise into place during the
first second. As scene layers the background changes the picture twice (on, off)
and each element only its own small box while it moves: the seconds the card holds
cost the renderer nothing but the presenter's box, hidden under it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anchor.core.timing import Fps, frame_count
from anchor.core.values import Box, Branding, RenderSpec

from .label_tab import label_plan
from .layout import Layout
from .lettering import Sprite, font, hex_rgb, ink_on, wrap, wrap_balanced

__all__ = ["Bumper", "BumperElement", "bumper_layers", "logo_image"]

REVEAL_MS = 500  # how long one element takes to come in


def _ease(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return 1 - (1 - t) ** 3


def _even_box(x: float, y: float, w: float, h: float, fw: int, fh: int) -> Box:
    x0, y0 = max(0, int(x) - int(x) % 2), max(0, int(y) - int(y) % 2)
    x1, y1 = min(fw, int(x + w + 1.999)), min(fh, int(y + h + 1.999))
    x1 += (x1 - x0) % 2
    y1 += (y1 - y0) % 2
    return Box(x0, y0, min(fw, x1) - x0, min(fh, y1) - y0)


class Bumper:
    """The card's background as a layer: on from ``first`` to ``end`` (frames)."""

    def __init__(self, image: np.ndarray, first: int, end: int) -> None:
        h, w = image.shape[:2]
        self.first, self.end = first, end
        rgba = np.empty((h, w, 4), np.uint8)
        rgba[..., :3] = image
        rgba[..., 3] = 255
        self._sprite = Sprite(Box(0, 0, w, h), rgba, opaque=True)

    def key(self, frame: int) -> Hashable | None:
        return "on" if self.first <= frame < self.end else None

    def sprite(self, frame: int) -> Sprite | None:
        return self._sprite if self.key(frame) is not None else None


@dataclass(eq=False)
class BumperElement:
    """One element of a card: ``image`` (RGBA) at ``at`` once in place; it comes in
    ``delay_ms`` after the card starts, by rising (``rise`` px, fading in) or by a
    wipe from the left."""

    image: np.ndarray
    at: tuple[int, int]
    first: int
    end: int
    fps: Fps
    delay_ms: int
    rise: int = 0
    wipe: bool = False

    def __post_init__(self) -> None:
        h, w = self.image.shape[:2]
        x, y = self.at
        fh, fw = self.frame_size
        self.box = _even_box(x, y, w, h + self.rise, fw, fh)
        self.steps = frame_count(self.delay_ms + REVEAL_MS, self.fps)
        self._cache: dict[int, Sprite] = {}

    frame_size: tuple[int, int] = (0, 0)  # (height, width) of the video

    def key(self, frame: int) -> Hashable | None:
        if not self.first <= frame < self.end:
            return None
        return min(frame - self.first, self.steps)

    def sprite(self, frame: int) -> Sprite | None:
        step = self.key(frame)
        if step is None:
            return None
        assert isinstance(step, int)
        if step not in self._cache:
            if len(self._cache) > 2:
                self._cache.clear()  # steps come in order: the last two are enough
            self._cache[step] = Sprite(self.box, self._draw(step))
        return self._cache[step]

    def _draw(self, step: int) -> np.ndarray:
        # float: easing is float maths (a Fraction here made numpy object arrays below)
        t = _ease((1000 * step / float(self.fps) - self.delay_ms) / REVEAL_MS)
        b = self.box
        out = np.zeros((b.h, b.w, 4), np.uint8)
        img = self.image
        h, w = img.shape[:2]
        dy = round((1 - t) * self.rise)
        x0, y0 = self.at[0] - b.x, self.at[1] - b.y + dy
        hh, ww = min(h, b.h - y0), min(w, b.w - x0)
        if t <= 0 or hh <= 0 or ww <= 0:
            return out
        out[y0 : y0 + hh, x0 : x0 + ww] = img[:hh, :ww]
        if self.wipe:
            cols = np.clip(t * b.w - np.arange(b.w, dtype=np.float32),
                           0, 1)
            out[..., 3] = (out[..., 3] * cols[None, :] + 0.5).astype(np.uint8)
        else:
            alpha = out[..., 3].astype(np.float32) * t
            out[..., 3] = (alpha + 0.5).astype(np.uint8)
        return out


# ----------------------------------------------------------------------------- drawing


def _background(w: int, h: int, b: Branding, seed: int) -> np.ndarray:
    """A deep gradient of the brand colours with one broad diagonal band of the
    primary colour and a thin accent stripe beside it (drawn small and scaled up:
    it is smooth), dithered so it does not band after encoding."""
    top = np.array(hex_rgb(b.background_top), np.float32)
    bottom = np.array(hex_rgb(b.background_bottom), np.float32)
    primary = np.array(hex_rgb(b.primary), np.float32)
    accent = np.array(hex_rgb(b.accent), np.float32)
    s = max(1, min(w, h) // 270)
    lw, lh = max(8, w // s), max(8, h // s)
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    xn, yn = (xx + 0.5) / lw, (yy + 0.5) / lh
    t = yn[..., None]
    img = top * (1 - t) + bottom * t
    # diagonal position: 0 at the top-left corner, 1 at the bottom-right
    aspect = w / h
    diag = (xn * aspect + (1 - yn)) / (aspect + 1)
    band = np.clip((0.13 - np.abs(diag - 0.74)) * 40, 0, 1)[..., None]
    img = img * (1 - 0.55 * band) + primary * 0.55 * band
    stripe = np.clip((0.012 - np.abs(diag - 0.60)) * 120, 0, 1)[..., None]
    img = img * (1 - 0.8 * stripe) + accent * 0.8 * stripe
    r2 = (xn - 0.3) ** 2 * aspect + (yn - 0.45) ** 2
    img += (np.exp(-r2 / 0.18) * 28)[..., None]
    full = cv2.resize(img, (w, h), interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(seed)
    full += rng.uniform(-0.5, 0.5, size=(h, w, 1)).astype(np.float32)
    return np.clip(full + 0.5, 0, 255).astype(np.uint8)


def _text_image(lines: list[str], f: ImageFont.FreeTypeFont, colour: tuple[int, ...],
                step: float, bold: bool, align: str = "left") -> np.ndarray:
    """Lines of text on a transparent image as tight as the lines."""
    ascent, descent = f.getmetrics()
    width = max(1, max(round(f.getlength(line)) for line in lines) + 4)
    height = round((len(lines) - 1) * step + ascent + descent) + 4
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    stroke = max(0, round(f.size / 36)) if bold else 0
    for i, line in enumerate(lines):
        x = 2 if align == "left" else (width - f.getlength(line)) / 2
        draw.text((x, 2 + ascent + i * step), line, font=f, fill=colour, anchor="ls",
                  stroke_width=stroke, stroke_fill=colour)
    return np.asarray(img, dtype=np.uint8)


def logo_image(b: Branding, height: int, font_file: Path) -> np.ndarray:
    """The logo image at ``height``, or the channel name on an accent tab."""
    if b.logo is not None:
        pic = Image.open(b.logo).convert("RGBA")
        scale = height / pic.height
        pic = pic.resize((max(1, round(pic.width * scale)), height), Image.Resampling.LANCZOS)
        return np.asarray(pic, dtype=np.uint8)
    f = font(font_file, max(6, round(0.46 * height)))
    name = b.channel.strip() or " "
    pad = round(0.30 * height)
    bar = max(2, height // 14)
    w = round(f.getlength(name)) + 3 * pad + bar
    img = Image.new("RGBA", (w, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, w - 1, height - 1), max(1, height // 6),
                           fill=(*hex_rgb(b.accent), 255))
    ink = (*ink_on(hex_rgb(b.accent)), 255)
    draw.rectangle((pad, height // 4, pad + bar - 1, 3 * height // 4), fill=ink)
    draw.text((2 * pad + bar, height / 2), name, font=f, fill=ink, anchor="lm",
              stroke_width=max(0, round(f.size / 36)), stroke_fill=ink)
    return np.asarray(img, dtype=np.uint8)


def _fit_width(img: np.ndarray, max_w: int) -> np.ndarray:
    """``img`` shrunk to ``max_w`` wide if it is wider (a long channel name)."""
    h, w = img.shape[:2]
    if w <= max_w:
        return img
    size = (max_w, max(1, round(h * max_w / w)))
    return np.asarray(Image.fromarray(img).resize(size, Image.Resampling.LANCZOS))


def _rule(w: int, h: int, colour: tuple[int, int, int]) -> np.ndarray:
    img = np.zeros((max(2, h), max(2, w), 4), np.uint8)
    img[..., :3] = colour
    img[..., 3] = 255
    return img


def _intro(spec: RenderSpec, layout: Layout, first: int, end: int) -> list[BumperElement]:
    b, w, h = spec.branding, spec.width, spec.height
    headline_font = b.headline_font or spec.font_file
    portrait = layout.orientation == "portrait"
    safe = layout.safe
    x = safe.x + (0 if portrait else round(0.03 * w))
    room = (safe.x + safe.w - x) - (round(0.10 * w) if layout.orientation == "landscape" else 0)
    fg = (*hex_rgb(b.text), 255)
    hi = (*hex_rgb(b.highlight), 255)

    logo = logo_image(b, round((0.048 if portrait else 0.10) * h), spec.font_file)
    logo = _fit_width(logo, safe.w)
    logo_y = layout.logo.y + (round(0.04 * h) if portrait else 0)

    size = round((0.044 if portrait else 0.072) * h)
    hf = font(headline_font, size)
    lines = wrap_balanced(spec.headline, hf, room,
                          2 if layout.orientation == "landscape" else 3)
    step = 1.3 * size
    head = _text_image(lines, hf, fg, step, bold=True)
    other = None
    if spec.headline_other.strip():
        of = font(spec.font_file, round(0.45 * size))
        other = _text_image(wrap(spec.headline_other, of, room, 2), of,
                            (*hex_rgb(b.text), 215), 1.3 * of.size, bold=False)
    date_line = "  ·  ".join(p for p in (spec.dateline, b.source or b.channel) if p.strip())
    df = font(spec.font_file, round((0.020 if portrait else 0.032) * h))
    while df.size > 8 and df.getlength(date_line) > room:
        df = font(spec.font_file, int(df.size) - 1)
    date = _text_image([date_line], df, hi, df.size, bold=True) if date_line else None
    rule = _rule(round((0.30 if portrait else 0.14) * w), round(0.008 * h), hex_rgb(b.accent))

    # the block (rule, headline, other headline, date) centred on the frame's height
    gap = round(0.03 * h)
    parts = [rule, head] + ([other] if other is not None else []) + (
        [date] if date is not None else [])
    total = sum(p.shape[0] for p in parts) + gap * (len(parts) - 1)
    y = max(round((0.45 if portrait else 0.52) * h - total / 2), _below_label(spec, layout))
    rise = round(0.03 * h)
    out = [_element(logo, (safe.x, logo_y), first, end, spec, 0, rise // 2, False)]
    for i, part in enumerate(parts):
        wipe = part is rule
        out.append(_element(part, (x, y), first, end, spec, 120 * i, 0 if wipe else rise, wipe))
        y += part.shape[0] + gap
    return out


def _outro(spec: RenderSpec, layout: Layout, first: int, end: int) -> list[BumperElement]:
    b, w, h = spec.branding, spec.width, spec.height
    portrait = layout.orientation == "portrait"
    fg = (*hex_rgb(b.text), 255)
    logo = _fit_width(logo_image(b, round((0.06 if portrait else 0.14) * h), spec.font_file),
                      layout.safe.w)
    parts: list[tuple[np.ndarray, bool]] = [(logo, False)]
    parts.append((_rule(round(0.16 * w), round(0.008 * h), hex_rgb(b.accent)), True))
    if b.tagline.strip():
        tf = font(b.headline_font or spec.font_file, round((0.026 if portrait else 0.046) * h))
        lines = wrap_balanced(b.tagline, tf, 0.86 * w, 2)
        parts.append((_text_image(lines, tf, fg, 1.3 * tf.size, bold=True, align="centre"),
                      False))
    gap = round(0.035 * h)
    total = sum(p.shape[0] for p, _ in parts) + gap * (len(parts) - 1)
    y = max(round(0.46 * h - total / 2), _below_label(spec, layout))
    rise = round(0.03 * h)
    out = []
    for i, (part, wipe) in enumerate(parts):
        x = (w - part.shape[1]) // 2
        out.append(_element(part, (x, y), first, end, spec, 150 * i, 0 if wipe else rise, wipe))
        y += part.shape[0] + gap
    if b.disclosure.strip():
        df = font(spec.font_file, round((0.016 if portrait else 0.026) * h))
        img = _text_image([b.disclosure], df, (*hex_rgb(b.text), 200), df.size, bold=False)
        bottom = layout.ui_zone.y if layout.ui_zone is not None else layout.safe.y + \
            layout.safe.h
        out.append(_element(img, ((w - img.shape[1]) // 2, bottom - img.shape[0] - gap // 2),
                            first, end, spec, 450, 0, False))
    return out


def _below_label(spec: RenderSpec, layout: Layout) -> int:
    """The first row a card's centred block may use: under the AI label, which stays on
    top of the bumpers (a tall bilingual label in a square frame reaches down to them)."""
    if spec.ai_label is None:
        return 0
    box = label_plan(spec.ai_label, spec.font_file, layout).box
    return box.y + box.h + round(0.03 * spec.height)


def _element(image: np.ndarray, at: tuple[int, int], first: int, end: int, spec: RenderSpec,
             delay_ms: int, rise: int, wipe: bool) -> BumperElement:
    x, y = at
    return BumperElement(image=image, at=(x - x % 2, y - y % 2), first=first, end=end,
                         fps=spec.fps, delay_ms=delay_ms, rise=rise - rise % 2, wipe=wipe,
                         frame_size=(spec.height, spec.width))


def bumper_layers(spec: RenderSpec, layout: Layout, n_frames: int
                  ) -> list[Bumper | BumperElement]:
    """The intro's and outro's layers (background, then its elements), bottom first."""
    layers: list[Bumper | BumperElement] = []
    if spec.intro_ms > 0:
        end = min(n_frames, frame_count(spec.intro_ms, spec.fps))
        if end > 0:
            bg = _background(spec.width, spec.height, spec.branding, spec.seed)
            layers.append(Bumper(bg, 0, end))
            layers.extend(_intro(spec, layout, 0, end))
    if spec.outro_ms > 0:
        first = max(0, n_frames - frame_count(spec.outro_ms, spec.fps))
        if first < n_frames:
            bg = _background(spec.width, spec.height, spec.branding, spec.seed + 1)
            layers.append(Bumper(bg, first, n_frames))
            layers.extend(_outro(spec, layout, first, n_frames))
    return layers
