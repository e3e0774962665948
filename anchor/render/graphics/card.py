"""Figure cards as pictures: a panel that unrolls, a number that counts up, and for
percentages a ring chart that sweeps round.

Drawn with Pillow (text) and numpy (the ring, anti-aliased from its distance field),
once per animation step of the card that is showing: a card is a small box beside
or under the presenter, so the fast renderer redraws that box only while it moves
(about a second in and a quarter out) and not at all while it stands.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anchor.compose.figure_cards import split_figure
from anchor.core.timing import Fps, frame_count
from anchor.core.values import Box, Branding, FigureCard

from .layout import Layout, intersects
from .lettering import Sprite, font, hex_rgb, wrap

__all__ = ["CARD_IN_MS", "CARD_OUT_MS", "CHART_MS", "CardLayer", "card_art", "place_card"]

CARD_IN_MS = 450  # the panel unrolls
CHART_MS = 1000  # the ring sweeps and the number counts up (ease-out: most of it early)
CARD_OUT_MS = 250  # fades out before its sentence ends


def _ease(t: float) -> float:
    """Cubic ease-out on [0, 1]: fast start, gentle landing (how broadcast graphics move)."""
    t = min(1.0, max(0.0, t))
    return 1 - (1 - t) ** 3


def _shape(slot: Box) -> Box:
    """The card inside ``slot``: a tall card in a column, a wide one in a band (at the
    band's bottom, nearest the lower third and furthest from the face)."""
    if slot.w > 1.3 * slot.h:
        h = min(slot.h, 2 * round(0.19 * slot.w))
        return Box(slot.x, slot.y + slot.h - h, slot.w, h)
    return slot


def place_card(layout: Layout, head: Box, avoid: Box | None = None) -> Box | None:
    """The card's box: the first slot clear of the presenter's moving ``head``; a slot
    under the head may give up its top to it down to ``layout.card_min_h``. Failing
    that, the candidate that covers least of the head (the card is drawn over it), a
    shorter card under the chin before a taller one over it. A slot that reaches under
    ``avoid`` (the AI label) first gives up its top to it."""
    if not layout.card_slots:
        return None
    candidates: list[Box] = []
    for slot in (_below(s, avoid, layout.pad) for s in layout.card_slots):
        box = _shape(slot)
        if not intersects(box, head):
            return box
        top = head.y + head.h + max(2, layout.pad // 2)
        top += top % 2
        bottom = box.y + box.h
        if top < bottom:
            trimmed = _shape(Box(slot.x, top, slot.w, bottom - top))
            if trimmed.h >= layout.card_min_h:
                return trimmed
            if trimmed.h >= layout.card_min_h // 2:
                candidates.append(trimmed)
        candidates.append(box)

    def cover(b: Box) -> int:
        w = min(b.x + b.w, head.x + head.w) - max(b.x, head.x)
        h = min(b.y + b.h, head.y + head.h) - max(b.y, head.y)
        return max(0, w) * max(0, h)

    return min(candidates, key=cover)


def _below(slot: Box, avoid: Box | None, pad: int) -> Box:
    """``slot`` with its top moved under ``avoid`` where the two meet."""
    if avoid is None or not intersects(slot, avoid):
        return slot
    top = avoid.y + avoid.h + max(2, pad)
    top += top % 2
    return Box(slot.x, top, slot.w, max(2, slot.y + slot.h - top))


def _count_text(figure: str, progress: float | Fraction) -> str:
    """The figure part-way through counting up, written the way the figure is
    ("1,260" keeps its comma, "3.5%" its decimal); dates and such do not count."""
    pre, value, post = split_figure(figure)
    if value is None or post not in ("", "%") or progress >= 1:
        return figure
    digits = re.search(r"[\d,.]+", figure)
    raw = digits.group(0) if digits else ""
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    v = value * progress
    text = f"{v:,.{decimals}f}" if "," in raw else f"{v:.{decimals}f}"
    return f"{pre}{text}{post}"


class _Art:
    """One card's pictures: the panel and label once, the moving parts per step.

    ``slot`` is the most room the card may take; a tall card is as high as its
    content needs and sits in the middle of the slot, a wide one (a band under the
    head) fills it."""

    def __init__(self, card: FigureCard, slot: Box, branding: Branding, font_file: Path,
                 number_font: Path) -> None:
        self.card = card
        self.wide = slot.w > 1.3 * slot.h
        self.primary = hex_rgb(branding.primary)
        self.accent = hex_rgb(branding.accent)
        self.fg = hex_rgb(branding.text)
        self.hi = hex_rgb(branding.highlight)
        self.font_file, self.number_font = font_file, number_font
        self.w = slot.w
        self.pad = max(2, round(0.09 * slot.h if self.wide else 0.065 * slot.w))
        self.rule = max(2, round(0.018 * (slot.h if self.wide else slot.w)))
        self.ring: tuple[float, float, float, float] | None = None  # cx, cy, r_out, r_in
        self.h = self._lay_out(slot.h)
        y = slot.y + slot.h - self.h if self.wide else slot.y + (slot.h - self.h) // 2
        self.box = Box(slot.x, y - y % 2, self.w, self.h)
        self.panel = self._panel()
        if self.ring is not None:
            # the ring's pixels only (its bounding box): the arc is all that moves
            cx, cy, r_out, r_in = self.ring
            x0, y0 = max(0, int(cx - r_out - 2)), max(0, int(cy - r_out - 2))
            x1, y1 = min(self.w, int(cx + r_out + 3)), min(self.h, int(cy + r_out + 3))
            self._ring_box: tuple[int, int, int, int] = (x0, y0, x1, y1)
            ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            d = np.hypot(xs - cx, ys - cy)
            self._band: np.ndarray = np.clip(r_out - d + 0.5, 0, 1) * np.clip(d - r_in + 0.5, 0, 1)
            # angle clockwise from twelve o'clock, 0..2π, times the radius: arc length
            self._arc_at: np.ndarray = (np.mod(np.arctan2(xs - cx, cy - ys), 2 * np.pi)
                                        * np.maximum(d, 1))
            self._arc_r: np.ndarray = np.maximum(d, 1)
            # the faint track never changes: into the panel once
            self._lay(self.panel, self._band * 0.22, (255, 255, 255))

    # ------------------------------------------------------------------ geometry
    def _fit(self, text: str, path: Path, size: int, max_w: float) -> ImageFont.FreeTypeFont:
        f = font(path, max(6, size))
        while size > 6 and f.getlength(text) > max_w:
            size = max(6, int(size * 0.92))
            f = font(path, size)
        return f

    def _unit_font(self) -> ImageFont.FreeTypeFont:
        return font(self.number_font, max(6, round(0.42 * self.num_font.size)))

    def _number_width(self) -> float:
        """The final number and its unit, side by side."""
        unit = 0.0
        if self.card.unit:
            uf = self._unit_font()
            unit = uf.getlength(self.card.unit) + 0.1 * uf.size
        return self.num_font.getlength(self.card.figure) + unit

    def _number(self, size: int, max_w: float) -> None:
        """The number's font: ``size`` or smaller, so that it and its unit fit."""
        self.num_font = font(self.number_font, max(6, size))
        while self.num_font.size > 6 and self._number_width() > max_w:
            self.num_font = font(self.number_font, max(6, int(self.num_font.size * 0.92)))

    def _labels(self, size: int, max_w: float) -> None:
        self.label_font = font(self.font_file, max(6, size))
        text = self.card.label.strip()
        self.lines = wrap(text, self.label_font, max_w, 2) if text and max_w > 8 else []
        self.step = round(1.28 * self.label_font.size)

    def _label_height(self) -> int:
        return (len(self.lines) - 1) * self.step + round(1.1 * self.label_font.size) \
            if self.lines else 0

    def _lay_out(self, max_h: int) -> int:
        """Place the ring or number and the label; the card's height."""
        c, w, pad = self.card, self.w, self.pad
        top = self.rule + pad
        if self.wide:
            h = max_h
            inner = h - top - pad
            if c.percent is not None:
                self.ring = (pad + inner / 2, top + inner / 2, inner / 2, inner / 2 * 0.80)
                self.num_font = self._fit(c.figure, self.number_font, round(0.30 * inner),
                                          0.62 * inner)
                self.num_xy, self.num_anchor = (pad + inner / 2, top + inner / 2), "mm"
                text_x = pad + inner + 1.4 * pad
            else:
                self._number(round(0.50 * inner), 0.55 * w)
                # baseline so that the digits (cap height ~0.72 em) sit centred
                self.num_xy = (pad, top + inner / 2 + 0.36 * self.num_font.size)
                self.num_anchor = "ls"
                text_x = pad + self._number_width() + 1.6 * pad
            self._labels(round(0.24 * inner), w - pad - text_x)
            lh = self._label_height()
            self.label_at = (text_x, top + (inner - lh) / 2)
            self.label_centre = False
            return h - h % 2
        if c.percent is not None:
            d = min(0.64 * w, 0.56 * max_h)
            self.ring = (w / 2, top + d / 2, d / 2, d / 2 * 0.80)
            self.num_font = self._fit(c.figure, self.number_font, round(0.30 * d), 0.62 * d)
            self.num_xy, self.num_anchor = (w / 2, top + d / 2), "mm"
            label_top = top + d + 0.9 * pad
        else:
            self._number(round(min(0.30 * w, 0.26 * max_h)), w - 2 * pad)
            ascent, descent = self.num_font.getmetrics()
            self.num_xy = ((w - self._number_width()) / 2, top + ascent)
            self.num_anchor = "ls"
            label_top = top + ascent + descent + 0.9 * pad
        self._labels(round(0.085 * w), w - 2 * pad)
        self.label_at = (w / 2, label_top)
        self.label_centre = True
        h = round(label_top + self._label_height() + (1.2 * pad if self.lines else 0.3 * pad))
        h = min(max_h, h)
        return h - h % 2

    # ------------------------------------------------------------------ pixels
    def _panel(self) -> np.ndarray:
        """Panel, accent rule and label: everything that does not move."""
        w, h = self.w, self.h
        shade = np.linspace(1.12, 0.85, h, dtype=np.float32)[:, None, None]
        rgb = np.clip(np.array(self.primary, np.float32) * shade, 0, 255)
        img = Image.fromarray(np.broadcast_to(rgb, (h, w, 3)).astype(np.uint8)).convert("RGBA")
        draw = ImageDraw.Draw(img, "RGBA")
        draw.rectangle((0, 0, w - 1, self.rule - 1), fill=(*self.accent, 255))
        f = self.label_font
        ascent = f.getmetrics()[0]
        x, y = self.label_at
        for i, line in enumerate(self.lines):
            # baseline: the top of the line box plus the glyphs' ascent above it
            base = y + i * self.step + ascent - 0.12 * f.size
            if self.label_centre:
                draw.text((x, base), line, font=f, fill=(*self.fg, 255), anchor="ms")
            else:
                draw.text((x, base), line, font=f, fill=(*self.fg, 255), anchor="ls")
        if self.label_centre and self.card.percent is None and self.lines:
            # a short accent rule between the number and its label
            rw, ry = round(0.2 * w), round(y - 0.5 * self.pad)
            draw.rectangle((round((w - rw) / 2), ry, round((w + rw) / 2),
                            ry + max(1, self.rule // 2)), fill=(*self.accent, 255))
        # rounded corners, drawn at 4x and reduced (Pillow's are not anti-aliased);
        # the panel itself a little translucent, as broadcast graphics are
        r = max(2, round(0.05 * min(w, h)))
        big = Image.new("L", (4 * w, 4 * h), 0)
        ImageDraw.Draw(big).rounded_rectangle((0, 0, 4 * w - 1, 4 * h - 1), 4 * r, fill=255)
        mask = np.asarray(big.resize((w, h), Image.Resampling.BOX), np.float32) / 255
        out = np.asarray(img, dtype=np.uint8).copy()
        solid = np.where(out[..., 3] == 255, 1.0, 0.0)  # the rule and the text
        out[..., 3] = (mask * (236 + 19 * solid) + 0.5).astype(np.uint8)
        return out

    def _lay(self, img: np.ndarray, cover: np.ndarray, colour: tuple[int, int, int]) -> None:
        """``colour`` laid over the ring's box of ``img`` with per-pixel ``cover``."""
        x0, y0, x1, y1 = self._ring_box
        sub = img[y0:y1, x0:x1]
        c = cover[..., None]
        rgb = sub[..., :3].astype(np.float32) * (1 - c) + np.array(colour, np.float32) * c
        sub[..., :3] = (rgb + 0.5).astype(np.uint8)
        sub[..., 3] = np.maximum(sub[..., 3], (self._band * 255 + 0.5).astype(np.uint8))

    def _ring(self, img: np.ndarray, sweep: float) -> None:
        """The arc up to ``sweep`` radians, its ends anti-aliased along the arc."""
        if sweep <= 0:
            return
        arc = self._band * np.clip(sweep * self._arc_r - self._arc_at + 0.5, 0, 1)
        self._lay(img, arc, self.hi)

    def frame(self, t_ms: float, fade: float) -> np.ndarray:
        """The card ``t_ms`` after it started, faded to ``fade`` (1 = fully shown)."""
        img = self.panel.copy()
        progress = _ease(t_ms / CHART_MS)
        if self.ring is not None and self.card.percent is not None:
            self._ring(img, 2 * math.pi * self.card.percent / 100 * progress)
        pil = Image.fromarray(img)
        draw = ImageDraw.Draw(pil, "RGBA")
        final = self.card.figure
        x, y = self.num_xy
        ink = (*self.hi, 255)
        stroke = max(0, round(self.num_font.size / 40))  # only Regular ships: stroke = bold
        # counting digits change width: left-aligned where the final number starts, so
        # the number does not wobble (centred inside the ring, where it cannot jump far)
        draw.text((x, y), _count_text(final, progress), font=self.num_font, fill=ink,
                  anchor=self.num_anchor, stroke_width=stroke, stroke_fill=ink)
        if self.card.unit and self.num_anchor == "ls":
            uf = self._unit_font()
            ux = x + self.num_font.getlength(final) + 0.1 * uf.size
            draw.text((ux, y), self.card.unit, font=uf, fill=ink, anchor="ls",
                      stroke_width=max(0, round(uf.size / 40)), stroke_fill=ink)
        out = np.asarray(pil, dtype=np.uint8).copy()
        # the panel unrolls from its accent rule down, with a soft edge
        shown = _ease(t_ms / CARD_IN_MS) * self.h
        rows = np.clip(shown - np.arange(self.h, dtype=np.float32), 0, 1)
        alpha = out[..., 3].astype(np.float32) * rows[:, None] * max(0.0, min(1.0, fade))
        out[..., 3] = (alpha + 0.5).astype(np.uint8)
        return out


def card_art(card: FigureCard, slot: Box, branding: Branding, font_file: Path,
             number_font: Path, t_ms: float = CHART_MS, fade: float = 1.0) -> Sprite:
    """One picture of ``card`` placed in ``slot``: for tests and previews."""
    art = _Art(card, slot, branding, font_file, number_font)
    return Sprite(art.box, art.frame(t_ms, fade))


_CardKey = tuple[int, str, int]  # (card, "in" or "out", frames into that phase)


class CardLayer:
    """The figure cards of a clip as a scene layer (see anchor.render.scene.Layer)."""

    def __init__(self, cards: Sequence[FigureCard], box: Box, branding: Branding,
                 font_file: Path, number_font: Path, fps: Fps, n_frames: int) -> None:
        self.cards = tuple(cards)
        self.box = box
        self.branding, self.font_file, self.number_font = branding, font_file, number_font
        self.fps = fps
        self.spans = [(min(n_frames, frame_count(c.start_ms, fps)),
                       min(n_frames, frame_count(c.end_ms, fps))) for c in self.cards]
        self._starts = [a for a, _ in self.spans]
        self.n_in = frame_count(CHART_MS, fps)
        self.n_out = frame_count(CARD_OUT_MS, fps)
        self._art: tuple[int, _Art] | None = None
        self._sprites: dict[_CardKey, Sprite] = {}

    def _index(self, frame: int) -> int | None:
        i = bisect.bisect_right(self._starts, frame) - 1
        if i >= 0 and frame < self.spans[i][1]:
            return i
        return None

    def key(self, frame: int) -> _CardKey | None:
        i = self._index(frame)
        if i is None:
            return None
        first, end = self.spans[i]
        out_at = end - self.n_out
        if frame >= out_at and out_at - first >= self.n_in // 2:
            return (i, "out", frame - out_at)
        return (i, "in", min(frame - first, self.n_in))

    def sprite(self, frame: int) -> Sprite | None:
        k = self.key(frame)
        if k is None:
            return None
        if k not in self._sprites:
            i, phase, step = k
            if self._art is None or self._art[0] != i:
                # a new card: its pictures replace the last card's (memory stays flat)
                self._art = (i, _Art(self.cards[i], self.box, self.branding, self.font_file,
                                     self.number_font))
                self._sprites.clear()
            art = self._art[1]
            if phase == "in":
                rgba = art.frame(1000 * step / float(self.fps), 1.0)  # float maths
            else:
                rgba = art.frame(CHART_MS, 1 - _ease((step + 1) / self.n_out))
            self._sprites[k] = Sprite(art.box, rgba)
        return self._sprites[k]
