"""The edit as scene layers: each cut's visual over the presenter, dissolving in and out.

A cut's visual (a story picture moving slowly, a chart, a quote card) is a layer under
the lower third and the captions (``Scene.middle``), in its box: over the presenter's
shoulder (``Layout.ots``) or full screen (``Layout.full``). It dissolves in over
``DISSOLVE_MS`` centred on the cut, and out the same way, unless the next cut's visual
covers its box: then it stays until the next one is fully in, so two pictures cross-fade
instead of dipping to the presenter between them. A name strap comes in over the
presenter shot and leaves after ``STRAP_MS``.

The key of a layer changes only when its picture does (a moving picture every frame, a
chart while its bars grow, a fade per step), so the fast renderer redraws its box only
then; presenter-only stretches cost what they cost before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from anchor.core.timing import Fps, frame_count
from anchor.core.values import Box, Branding, Cut, RenderSpec
from anchor.render.graphics.background import alpha_over
from anchor.render.graphics.layout import Layout, inside
from anchor.render.graphics.lettering import Sprite, hex_rgb

from .graphics import chart_card, credit_strip, quote_card, strap_card
from .panzoom import PanZoom
from .picture import PictureError, load_picture

__all__ = ["DISSOLVE_MS", "GRAPHIC_IN_MS", "STRAP_MS", "VisualLayer", "inset_layers",
           "visual_layers"]

log = logging.getLogger(__name__)

DISSOLVE_MS = 400  # a short dissolve at each cut: the news-package convention
GRAPHIC_IN_MS = 900  # bars grow, a quote wipes in
STRAP_MS = 4500  # a name strap stays this long (or to its sentence's end)
_FADE_STEPS = 24  # alpha quantised: equal steps draw equal pictures

Content = Callable[[int], np.ndarray]  # frames into the cut → RGBA of the box


class VisualLayer:
    """One cut's visual as a scene Layer (anchor.render.scene.Layer)."""

    def __init__(self, box: Box, first: int, end: int, fade_in: int, fade_out: int,
                 content: Content, moving_until: int, origin: int,
                 state: Callable[[int], Hashable] | None = None) -> None:
        self.box = box
        self.first, self.end = first, end  # frames where it shows (fades included)
        self.fade_in, self.fade_out = fade_in, fade_out
        self.content = content
        self.moving_until = moving_until  # frames into the cut after which it stands
        self.origin = origin  # the cut's first frame: content time 0
        self.state = state  # what the content shows at t, when cheaper to tell than t
        self._memo: tuple[int, Sprite | None] | None = None
        self._drawn: tuple[Hashable, np.ndarray] | None = None  # the last content drawn

    def _alpha(self, frame: int) -> int:
        a = 1.0
        if self.fade_in and frame < self.first + self.fade_in:
            a = (frame - self.first + 1) / (self.fade_in + 1)
        if self.fade_out and frame >= self.end - self.fade_out:
            a = min(a, (self.end - frame) / (self.fade_out + 1))
        return max(0, min(_FADE_STEPS, round(a * _FADE_STEPS)))

    def _t(self, frame: int) -> int:
        return min(max(0, frame - self.origin), self.moving_until)

    def key(self, frame: int) -> Hashable | None:
        if not self.first <= frame < self.end:
            return None
        a = self._alpha(frame)
        t = self._t(frame)
        return None if a == 0 else (id(self), a, self.state(t) if self.state else t)

    def sprite(self, frame: int) -> Sprite | None:
        if self._memo is not None and self._memo[0] == frame:
            return self._memo[1]
        sp: Sprite | None = None
        a = self._alpha(frame) if self.first <= frame < self.end else 0
        if a:
            t = self._t(frame)
            ck = self.state(t) if self.state else t
            if self._drawn is None or self._drawn[0] != ck:  # a dissolve redraws nothing
                self._drawn = (ck, self.content(t))
            rgba = self._drawn[1]
            solid = rgba.shape[2] == 3 or bool(rgba[..., 3].min() == 255)
            if solid:  # an opaque picture: laid whole, or at one alpha while it dissolves
                sp = Sprite(self.box, rgba if rgba.shape[2] == 3 else rgba[..., :3],
                            opaque=a == _FADE_STEPS,
                            level=round(255 * a / _FADE_STEPS) / 255)
            else:
                if a < _FADE_STEPS:
                    rgba = rgba.copy()
                    rgba[..., 3] = (rgba[..., 3].astype(np.uint16) * a // _FADE_STEPS
                                    ).astype(np.uint8)
                sp = Sprite(self.box, rgba)
        self._memo = (frame, sp)
        return sp


def _paste(dst: np.ndarray, rgba: np.ndarray, x: int, y: int) -> None:
    """``rgba`` laid over ``dst`` (RGB, or RGBA kept opaque) at (x, y), clipped."""
    h, w = rgba.shape[:2]
    H, W = dst.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    sub = rgba[y0 - y:y1 - y, x0 - x:x1 - x]
    region = dst[y0:y1, x0:x1]
    region[..., :3] = alpha_over(region[..., :3], sub)
    if dst.shape[2] == 4:
        region[..., 3] = np.maximum(region[..., 3], sub[..., 3])


def _frame_border(rgba: np.ndarray, colour: tuple[int, int, int], t: int) -> None:
    rgba[:t, :, :3] = colour
    rgba[-t:, :, :3] = colour
    rgba[:, :t, :3] = colour
    rgba[:, -t:, :3] = colour


def _backdrop(w: int, h: int, branding: Branding) -> np.ndarray:
    """The full-screen graphics' ground: the brand's colours, dark."""
    top = np.array(hex_rgb(branding.background_top), np.float32) * 0.8
    bottom = np.array(hex_rgb(branding.background_bottom), np.float32) * 0.6
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    rgb = top * (1 - t) + bottom * t
    out = np.empty((h, w, 4), np.uint8)
    out[..., :3] = np.broadcast_to(rgb, (h, w, 3)).astype(np.uint8)
    out[..., 3] = 255
    return out


class _Builder:
    def __init__(self, spec: RenderSpec, layout: Layout) -> None:
        self.spec, self.layout = spec, layout
        self.fps: Fps = spec.fps
        self.font: Path = spec.font_file
        self.lang = spec.lang or ("zh" if spec.language != "en" else "en")
        self.credits: list[tuple[Box, np.ndarray]] = []  # a full picture's credit line
        self.state: Callable[[int], Hashable] | None = None
        self.ground: tuple[Box, np.ndarray] | None = None  # a full graphic's still ground
        self.card: Box | None = None  # ... and the box its card is drawn in

    def box(self, cut: Cut) -> Box | None:
        if cut.visual is None:
            return None
        if cut.visual.kind == "strap":
            return self.layout.strap
        return self.layout.full if cut.shot == "full" else self.layout.ots \
            if cut.shot == "ots" else None

    def content(self, cut: Cut, box: Box, frames: int) -> tuple[Content, int] | None:
        """The visual's pictures by frame, and how many frames it moves; None when it
        cannot be drawn (a bad picture: one warning, the presenter stays)."""
        v = cut.visual
        assert v is not None
        b, fps = self.spec.branding, self.fps
        n_in = frame_count(GRAPHIC_IN_MS, fps)
        full = cut.shot == "full" and v.kind != "strap"
        if v.kind == "image":
            assert v.image is not None
            try:
                rgb = load_picture(Path(v.image), box.w, box.h)
            except PictureError as exc:
                log.warning("%s; its sentence stays on the presenter (%s)", exc.message,
                            exc.hint)
                return None
            # a slow pan in whole pixels, full screen or in a box: a frame in two is the
            # one before, the others an exact motion vector for x264 (a zoom changes
            # every pixel, and cost a third of the package's extra encoding)
            pz = PanZoom(rgb, box.w, box.h, pan_only=True)
            pz.slow(frames)
            lay = self.layout
            px = max(8, round((0.022 if lay.orientation != "portrait" else 0.016) * lay.height))
            # a full picture's credit stands at the right, clear of a phone's buttons
            right = lay.safe.x + lay.safe.w if lay.ui_side is None else lay.ui_side.x - lay.pad
            strip = credit_strip(box.w if not full else min(box.w // 2, right - lay.safe.x)
                                 if lay.orientation == "landscape" else right - lay.safe.x,
                                 v.caption, v.credit, self.lang, self.font, px)
            accent = hex_rgb(b.accent)
            border = max(2, round(0.003 * self.layout.height))
            span = max(1, frames)

            if full and strip is not None:  # above the lower third, at the right: still
                y = self.layout.name_plate.y - strip.shape[0] - self.layout.pad
                x = right - strip.shape[1]
                self.credits.append((Box(x - x % 2, y - y % 2, strip.shape[1], strip.shape[0]),
                                     strip))

            def picture(t: int) -> np.ndarray:
                rgba = pz.at(t / span)
                if full:
                    return rgba
                rgba = rgba.copy()  # a view of the scaled picture: never draw into it
                if strip is not None:
                    _paste(rgba, strip, border, box.h - strip.shape[0] - border)
                _frame_border(rgba, accent, border)
                return rgba
            self.state = lambda t: pz.offset(t / span)
            return picture, (span if pz.moves() else 0)
        if v.kind == "strap":
            name, role = v.name(self.lang), v.role(self.lang)
            if not name:
                return None
            return (lambda t: strap_card(box.w, box.h, name, role, b, self.font,
                                         t / max(1, n_in // 2))), n_in // 2
        ots = self.layout.ots
        assert ots is not None
        if full:
            lay = self.layout
            # under the logo row and the AI label (which may reach below the logo)
            top = lay.safe.y + lay.logo.h + lay.pad * 2
            if lay.label_corner is not None:
                top = max(top, lay.label_corner.y + lay.label_corner.h + lay.pad * 2)
            card = ots if lay.orientation != "landscape" else Box(
                lay.safe.x + lay.safe.w // 8, top, lay.safe.w * 3 // 4,
                lay.name_plate.y - top - lay.pad * 3)
            card = Box(card.x - card.x % 2, card.y - card.y % 2, card.w - card.w % 2,
                       card.h - card.h % 2)
            ground = _backdrop(box.w, box.h, b)
        else:
            card, ground = Box(box.x, box.y, box.w, box.h), None
        draw = self._graphic(cut)
        if draw is None:
            return None

        if ground is not None:
            # the ground is a still layer of its own and the card a layer over it: while
            # the bars grow only the card's box is drawn, not the whole frame
            self.ground = (box, ground[..., :3].copy())
            self.card = card
        return (lambda t: draw(card.w, card.h, t / max(1, n_in))), n_in

    def _graphic(self, cut: Cut) -> Callable[[int, int, float], np.ndarray] | None:
        v, b, lang, f = cut.visual, self.spec.branding, self.lang, self.font
        assert v is not None
        if v.kind == "chart":
            if len(cut.bars) < 2:
                return None
            return lambda w, h, p: chart_card(w, h, cut.bars, cut.unit, cut.title, v.source,
                                              lang, b, f, p)
        if v.kind == "quote":
            if not cut.text:
                return None
            return lambda w, h, p: quote_card(w, h, cut.text, v.name(lang), v.role(lang),
                                              lang, b, f, p)
        return None


def _still(picture: np.ndarray) -> Content:
    return lambda _t: picture


def visual_layers(spec: RenderSpec, layout: Layout, n_frames: int) -> list[VisualLayer]:
    """The layers of ``spec.cuts`` (in cut order: a later cut draws over an earlier one)."""
    if layout.ots is None or layout.full is None:
        return []
    build = _Builder(spec, layout)
    fps = spec.fps
    d = frame_count(DISSOLVE_MS, fps)
    cuts: Sequence[Cut] = spec.cuts
    spans = [(min(n_frames, frame_count(c.start_ms, fps)),
              min(n_frames, frame_count(c.end_ms, fps))) for c in cuts]
    boxes = [build.box(c) for c in cuts]
    layers: list[VisualLayer] = []
    for k, cut in enumerate(cuts):
        box = boxes[k]
        first, end = spans[k]
        if box is None or end <= first:
            continue
        if cut.visual is not None and cut.visual.kind == "strap":
            end = min(end, first + frame_count(STRAP_MS, fps))
        build.credits, build.state, build.ground, build.card = [], None, None, None
        made = build.content(cut, box, end - first)
        if made is None:
            continue
        content, moving = made
        start = max(0, first - d // 2)
        stop = min(n_frames, end + d // 2)
        fade_out = d
        nxt = boxes[k + 1] if k + 1 < len(cuts) else None
        nxt_visual = cuts[k + 1].visual if k + 1 < len(cuts) else None
        if nxt is not None and inside(box, nxt) and spans[k + 1][0] == end \
                and nxt_visual is not None and nxt_visual.kind != "strap":
            # the next visual covers this one: stay until it is fully in
            stop, fade_out = min(n_frames, end + d // 2 + 1), 0
        fade_in = d if start > 0 else 0
        if build.ground is not None:
            layers.append(VisualLayer(build.ground[0], start, stop, fade_in, fade_out,
                                      _still(build.ground[1]), 0, first))
        layers.append(VisualLayer(build.card or box, start, stop, fade_in, fade_out, content,
                                  moving, first, build.state))
        for cbox, strip in build.credits:  # the credit over the picture, fading with it
            layers.append(VisualLayer(cbox, start, stop, fade_in, fade_out,
                                      _still(strip), 0, first))
    return layers


class _Moving(Protocol):
    @property
    def dirty(self) -> Box: ...

    def patch(self, frame_index: int) -> np.ndarray: ...


def inset_layers(visuals: Sequence[VisualLayer], layout: Layout, still: np.ndarray,
                 box: Box, track: _Moving) -> list[VisualLayer]:
    """9:16 and 1:1: the presenter's second framing under the visuals above her. Over
    each run of visuals (a picture, a chart, a quote; not a strap), ``layout.inset``
    shows ``still`` (the set, and her at rest in ``box``) and her moving head from
    ``track``, fading in and out with the run. Two layers: the still one is drawn only
    while it fades, the head (a small box) every frame."""
    inset = layout.inset
    if inset is None:
        return []
    boxes = {layout.ots, layout.full}
    runs: list[list[int]] = []  # start, stop, fade in, fade out
    for v in sorted((v for v in visuals if v.box in boxes), key=lambda v: v.first):
        if runs and v.first <= runs[-1][1]:
            last = runs[-1]
            if v.end >= last[1]:
                last[1], last[3] = v.end, v.fade_out
        else:
            runs.append([v.first, v.end, v.fade_in, v.fade_out])
    if not runs:
        return []
    d = track.dirty
    head = _even_grow(Box(box.x + d.x, box.y + d.y, d.w, d.h), layout.width, layout.height)
    rel = (head.y - inset.y, head.x - inset.x)
    base = np.ascontiguousarray(still[rel[0]:rel[0] + head.h, rel[1]:rel[1] + head.w])
    at = (box.y + d.y - head.y, box.x + d.x - head.x)

    def moving(t: int) -> np.ndarray:
        out = base.copy()
        out[at[0]:at[0] + d.h, at[1]:at[1] + d.w] = track.patch(t)
        return out

    rest = _still(still)
    out: list[VisualLayer] = []
    for start, stop, fade_in, fade_out in runs:
        out.append(VisualLayer(inset, start, stop, fade_in, fade_out, rest, 0, start))
        out.append(VisualLayer(head, start, stop, fade_in, fade_out, moving, stop, 0))
    return out


def _even_grow(b: Box, w: int, h: int) -> Box:
    x0, y0 = max(0, b.x - b.x % 2), max(0, b.y - b.y % 2)
    x1, y1 = min(w, b.x + b.w + (b.x + b.w) % 2), min(h, b.y + b.h + (b.y + b.h) % 2)
    return Box(x0, y0, x1 - x0, y1 - y0)
