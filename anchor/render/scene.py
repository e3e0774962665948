"""A clip as data: the still layers, the presenter track, and the timed layers
above them. Both renderers consume a Scene; neither knows how it was made, and
the scene knows nothing of encoders (manim's renderer / file-writer split).

A frame, bottom to top: the studio with the presenter at rest (``layers.under``),
the presenter's moving patch, the still overlay (lower third, logo, ticker band),
then the timed layers: ticker text, figure card, caption, the intro and outro
bumpers, and on top of everything the visible AI label (from the first frame). A
timed layer (``Layer``) says per frame a *key* that changes exactly when its picture
changes, and its picture as a Sprite; the fast renderer redraws
a layer's box only when its key changes, the reference composes every frame whole.

Frame timing uses anchor.core.timing only: a cue shows on every frame whose start time
lies in [start_ms, end_ms).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from anchor.core.errors import InputError, RenderError
from anchor.core.timing import frame_count, ms_at_frame
from anchor.core.values import Box, RenderResult, RenderSpec
from anchor.render.graphics.background import StaticLayers, alpha_over, static_layers
from anchor.render.graphics.bumper import bumper_layers
from anchor.render.graphics.card import CardLayer, place_card
from anchor.render.graphics.label_tab import (
    LabelLayer,
    LabelPlan,
    label_frames,
    label_plan,
    label_sprite,
)
from anchor.render.graphics.layout import Layout, inside, intersects, layout_for, studio_layout
from anchor.render.graphics.lettering import Sprite, caption_sprite, check_font
from anchor.render.graphics.ticker import TickerLayer, ticker_boxes
from anchor.render.presenter.studio import inset_track, studio_box, studio_set, studio_track
from anchor.render.presenter.track import PresenterTrack
from anchor.render.visuals.shots import VisualLayer, inset_layers, visual_layers

__all__ = ["Layer", "Scene", "Track", "TrackFactory", "build_scene", "presenter_track"]


class Track(Protocol):
    """The presenter animation (anchor.render.presenter.track.PresenterTrack)."""

    @property
    def static(self) -> np.ndarray:  # RGB uint8, box.h x box.w: the presenter at rest
        ...

    @property
    def dirty(self) -> Box:  # relative to the presenter box: the part that moves
        ...

    def patch(self, frame_index: int) -> np.ndarray:  # RGB uint8 of dirty's size
        ...


TrackFactory = Callable[[RenderSpec, Box], Track]


class Layer(Protocol):
    """A timed picture over the still frame (ticker text, card, caption, bumper)."""

    def key(self, frame: int) -> Hashable | None:
        """Equal keys on two frames mean equal pictures; None: nothing shown."""
        ...

    def sprite(self, frame: int) -> Sprite | None:
        """The picture and where it goes (None exactly when ``key`` is None). Boxes
        have even edges and lie inside the frame."""
        ...


class _Captions:
    """The captions as a Layer: the cue index is the key."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene

    def key(self, frame: int) -> Hashable | None:
        i = self.scene.cue_index(frame)
        return None if i is None or self.scene.caption(i) is None else i

    def sprite(self, frame: int) -> Sprite | None:
        return self.scene.caption(self.scene.cue_index(frame))


def presenter_track(spec: RenderSpec, box: Box) -> Track:
    """The real presenter animation for ``spec`` in ``box``."""
    return PresenterTrack(
        avatar=spec.avatar, box=box, fps=spec.fps, duration_ms=spec.duration_ms,
        audio=spec.audio, seed=spec.seed, words=spec.words, language=spec.voice_language,
    )


def _even_box(x0: int, y0: int, x1: int, y1: int, w: int, h: int) -> Box:
    """The smallest box with even edges holding [x0, x1) x [y0, y1), inside w x h."""
    ax0, ay0 = max(0, x0 - x0 % 2), max(0, y0 - y0 % 2)
    ax1, ay1 = min(w, x1 + x1 % 2), min(h, y1 + y1 % 2)
    return Box(ax0, ay0, max(0, ax1 - ax0), max(0, ay1 - ay0))


def _crop(img: np.ndarray, b: Box) -> np.ndarray:
    return img[b.y : b.y + b.h, b.x : b.x + b.w]


def _overlap(a: Box, b: Box) -> Box:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.x + a.w, b.x + b.w), min(a.y + a.h, b.y + b.h)
    return Box(x0, y0, max(0, x1 - x0), max(0, y1 - y0))


@dataclass(eq=False)
class Scene:
    spec: RenderSpec
    layout: Layout
    track: Track
    layers: StaticLayers
    patch_box: Box  # where the track's patch lands, in frame pixels
    dirty: Box  # patch_box grown to even edges: what changes from frame to frame
    n_frames: int
    cue_spans: tuple[tuple[int, int], ...]  # (first frame, end frame) of each cue
    below: tuple[Layer, ...] = ()  # timed layers under the captions: ticker text, cards
    above: tuple[Layer, ...] = ()  # and over them: the bumpers, which cover everything
    card_box: Box | None = None  # where figure cards may go (the tall/wide slot)
    label: LabelPlan | None = None  # the visible AI label's place and setting
    # the edit's visuals, under the still overlay (the lower third and logo stay on top)
    middle: tuple[Layer, ...] = ()
    overlays: tuple[Layer, ...] = ()  # every timed layer, bottom first (middle first)
    _starts: list[int] = field(default_factory=list)
    _overlay_on_dirty: np.ndarray | None = None
    _captions: dict[int, Sprite | None] = field(default_factory=dict)
    _n_middle: int = 0
    _overlay_boxes: tuple[Box, ...] = ()
    _premul: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def result(self, out: Path, renderer: str, seconds: float) -> RenderResult:
        """What a renderer made of this scene; both renderers report the same fields."""
        spec = self.spec
        labels: list[tuple[str, str]] = []
        if spec.aigc:
            labels.append(("aigc", spec.aigc))
        if self.label is not None and spec.ai_label is not None:
            labels.append(("ai_label", json.dumps(self._label_record(), ensure_ascii=False)))
        return RenderResult(
            language=spec.language, video=out, srt=None, vtt=None,
            duration_ms=spec.duration_ms, width=spec.width, height=spec.height,
            renderer=renderer, seconds=seconds,
            extra=(("frames", str(self.n_frames)), ("captions", "burned, Pillow"),
                   ("preset", spec.preset), ("crf", str(spec.crf)), *labels),
        )

    def _label_record(self) -> dict[str, object]:
        """The visible label as drawn: what the manifest keeps and ``anchor check`` finds."""
        plan, label, spec = self.label, self.spec.ai_label, self.spec
        assert plan is not None and label is not None
        end = label_frames(label, spec.fps, self.n_frames)
        return {"lines": list(plan.lines), "text": label.text, "position": label.position,
                "box": [plan.box.x, plan.box.y, plan.box.w, plan.box.h], "font_px": plan.px,
                "text_px": plan.text_px, "text_share": round(plan.share, 4),
                "size": label.size, "first_frame": 0, "end_frame": end,
                "until_ms": ms_at_frame(end, spec.fps), "throughout": label.throughout,
                "opening_ms": label.opening_ms, "background": label.background,
                "colour": label.colour, "font": str(spec.font_file)}

    def __post_init__(self) -> None:
        self._starts = [first for first, _ in self.cue_spans]
        over = _crop(self.layers.overlay, self.dirty)
        # most layouts keep the lower third off the face: then skip the blend
        self._overlay_on_dirty = over if over[..., 3].any() else None
        self.overlays = (*self.middle, *self.below, _Captions(self), *self.above)
        self._n_middle = len(self.middle)
        self._overlay_boxes = _alpha_boxes(self.layers.overlay)

    # ------------------------------------------------------------------ captions
    def cue_index(self, frame: int) -> int | None:
        """The cue shown on ``frame`` (the latest started one if cues overlap)."""
        i = bisect.bisect_right(self._starts, frame) - 1
        # cues are in start order; looking back three covers any sane overlap
        for j in range(i, max(-1, i - 3), -1):
            if frame < self.cue_spans[j][1]:
                return j
        return None

    def caption(self, index: int | None) -> Sprite | None:
        """The caption image of cue ``index``; a few are kept, so memory stays flat
        however long the clip."""
        if index is None:
            return None
        if index not in self._captions:
            if len(self._captions) >= 4:
                self._captions.pop(next(iter(self._captions)))
            cue = self.spec.cues[index]
            self._captions[index] = caption_sprite(cue.lines, self.layout, self.spec.font_file)
        return self._captions[index]

    # ------------------------------------------------------------------ pixels
    def patch(self, frame: int) -> np.ndarray:
        p = np.asarray(self.track.patch(frame))
        want = (self.track.dirty.h, self.track.dirty.w, 3)
        if p.shape != want or p.dtype != np.uint8:
            raise RenderError(
                f"presenter patch of frame {frame} is {p.dtype}{p.shape}, expected uint8{want}",
                hint="a bug in the presenter animation",
            )
        return p

    def region_rgb(self, frame: int, b: Box) -> np.ndarray:
        """RGB of box ``b`` (even edges) at ``frame``: rest image, moving patch, the
        edit's visuals, the still overlay, then every timed layer over it."""
        sprites = [layer.sprite(frame) for layer in self.overlays]
        # an opaque layer covering the whole box hides everything under it (a bumper
        # over the presenter, the ticker's strip, a full-screen picture): start there
        start = -1
        for k in range(len(sprites) - 1, -1, -1):
            sp = sprites[k]
            if sp is not None and sp.opaque and inside(b, sp.box):
                start = k
                break
        nm = self._n_middle
        if start >= 0:
            sp = sprites[start]
            assert sp is not None
            region = sp.rgba[b.y - sp.box.y : b.y - sp.box.y + b.h,
                             b.x - sp.box.x : b.x - sp.box.x + b.w, :3].copy()
            pending = start < nm  # an opaque visual: the overlay still goes over it
            start += 1
        elif any(sp is not None and intersects(sp.box, b) for sp in sprites[:nm]):
            region, pending, start = self._under_rgb(frame, b), True, 0
        else:
            region, pending, start = self._base_rgb(frame, b), False, nm
        for k in range(start, len(sprites)):
            if pending and k >= nm:
                self._lay_overlay(region, b)
                pending = False
            sp = sprites[k]
            if sp is None or not intersects(sp.box, b):
                continue
            o = _overlap(sp.box, b)
            sub = sp.rgba[o.y - sp.box.y : o.y - sp.box.y + o.h,
                          o.x - sp.box.x : o.x - sp.box.x + o.w]
            dst = region[o.y - b.y : o.y - b.y + o.h, o.x - b.x : o.x - b.x + o.w]
            if sp.opaque:
                dst[:] = sub[..., :3]
            elif sub.shape[2] == 3:  # one alpha for the whole picture: a dissolve
                dst[:] = cv2.addWeighted(np.ascontiguousarray(sub), sp.level, dst,
                                         1.0 - sp.level, 0.0)
            else:
                dst[:] = alpha_over(dst, sub)
        if pending:
            self._lay_overlay(region, b)
        return region

    def _lay_overlay(self, region: np.ndarray, b: Box) -> None:
        """The still overlay (lower third, logo) over ``region`` (box ``b``), only where it
        has ink: a full-screen picture under it does not pay for the empty rest. The
        overlay's premultiplied colour and inverse alpha are kept (as uint16): laying it is
        then one multiply-add per pixel, the same rounding as alpha_over."""
        for k, ob in enumerate(self._overlay_boxes):
            if not intersects(ob, b):
                continue
            o = _overlap(ob, b)
            premul, inv = self._premultiplied(k, ob)
            sl = (slice(o.y - ob.y, o.y - ob.y + o.h), slice(o.x - ob.x, o.x - ob.x + o.w))
            dst = region[o.y - b.y : o.y - b.y + o.h, o.x - b.x : o.x - b.x + o.w]
            out = premul[sl] + dst.astype(np.uint16) * inv[sl]
            dst[:] = ((out + (out >> 8)) >> 8).astype(np.uint8)

    def _premultiplied(self, k: int, ob: Box) -> tuple[np.ndarray, np.ndarray]:
        if k not in self._premul:
            sub = self.layers.overlay[ob.y : ob.y + ob.h, ob.x : ob.x + ob.w]
            a = sub[..., 3:4].astype(np.uint16)
            self._premul[k] = (sub[..., :3].astype(np.uint16) * a + 128,
                               np.repeat(255 - a, 3, axis=2))
        return self._premul[k]

    def _base_rgb(self, frame: int, b: Box) -> np.ndarray:
        """Box ``b`` without the timed layers: the still frame, with the moving patch
        (under the still overlay) where it lies in ``b``."""
        pb = self.patch_box
        if not intersects(b, pb):
            return _crop(self.layers.frame, b).copy()
        region = _crop(self.layers.under, b).copy()
        o = _overlap(b, pb)
        p = self.patch(frame)
        region[o.y - b.y : o.y - b.y + o.h, o.x - b.x : o.x - b.x + o.w] = p[
            o.y - pb.y : o.y - pb.y + o.h, o.x - pb.x : o.x - pb.x + o.w]
        if b == self.dirty:
            over = self._overlay_on_dirty
        else:
            over = _crop(self.layers.overlay, b)
            over = over if over[..., 3].any() else None
        return alpha_over(region, over) if over is not None else region

    def _under_rgb(self, frame: int, b: Box) -> np.ndarray:
        """Box ``b`` of the set and the presenter, without any overlay."""
        pb = self.patch_box
        region = _crop(self.layers.under, b).copy()
        if intersects(b, pb):
            o = _overlap(b, pb)
            p = self.patch(frame)
            region[o.y - b.y : o.y - b.y + o.h, o.x - b.x : o.x - b.x + o.w] = p[
                o.y - pb.y : o.y - pb.y + o.h, o.x - pb.x : o.x - pb.x + o.w]
        return region

    def hidden(self, frame: int, b: Box) -> bool:
        """True when an opaque layer (a full-screen picture, a bumper) covers all of ``b``."""
        return any(sp is not None and sp.opaque and inside(b, sp.box)
                   for sp in (layer.sprite(frame) for layer in self.overlays))

    def is_still(self, frame: int, b: Box) -> bool:
        """True when box ``b`` shows the still frame at ``frame``: no timed layer and
        no part of the moving patch in it."""
        if intersects(b, self.patch_box):
            return False
        return not any(sp is not None and intersects(sp.box, b)
                       for sp in (layer.sprite(frame) for layer in self.overlays))

    def frame_rgb(self, frame: int) -> np.ndarray:
        """One whole frame, composed in RGB (thumbnails, tests; not the fast path)."""
        return self.region_rgb(frame, Box(0, 0, self.spec.width, self.spec.height))

    def thumbnail_frame(self) -> int:
        """A frame mid-sentence with a caption showing, mouth open and eyes open.

        Candidates lie in the middle half of the first cue of at least a second.
        When the track tells its state per frame (PresenterTrack.state: mouth shape
        name and lid closure), the pick is a half-open mouth with open eyes; other
        tracks get the frame whose patch differs most from the rest image."""
        fps = self.spec.fps
        spans = [s for s in self.cue_spans if s[1] - s[0] >= fps] or list(self.cue_spans)
        if not spans:
            return self.n_frames // 2
        first, end = spans[0]
        lo, hi = first + (end - first) // 4, max(first + 1, end - (end - first) // 4)
        candidates = range(lo, hi)
        state = getattr(self.track, "state", None)
        if callable(state):
            # "half" reads as speech on a still; "open" can look like a shout
            for wanted in (("half",), ("open", "round", "slight")):
                for f in candidates:
                    st = state(f)
                    if getattr(st, "lid", 1) == 0 and getattr(st, "shape_name", "") in wanted:
                        return f
        rest = _crop(self.track.static, self.track.dirty).astype(np.int16)
        sampled = range(lo, hi, max(1, (hi - lo) // 12))
        return max(sampled, key=lambda f: int(np.abs(self.patch(f) - rest).sum()))


def _alpha_boxes(rgba: np.ndarray) -> tuple[Box, ...]:
    """Bounding boxes (even edges) of the bands of rows where ``rgba`` has any ink."""
    h, w = rgba.shape[:2]
    rows = np.asarray(rgba[..., 3].any(axis=1))
    out: list[Box] = []
    y = 0
    while y < h:
        if not rows[y]:
            y += 1
            continue
        y1 = y
        while y1 < h and rows[y1]:
            y1 += 1
        cols = np.flatnonzero(np.asarray(rgba[y:y1, :, 3].any(axis=0)))
        out.append(_even_box(int(cols[0]), y, int(cols[-1]) + 1, y1, w, h))
        y = y1
    return tuple(out)


def _validate(spec: RenderSpec) -> None:
    if spec.width <= 0 or spec.height <= 0 or spec.width % 2 or spec.height % 2:
        raise InputError(f"video size {spec.width}x{spec.height} must be positive and even",
                         hint="H.264 in yuv420p needs even sizes, e.g. 1920x1080")
    if spec.fps <= 0 or spec.duration_ms <= 0:
        raise InputError(f"bad fps {spec.fps} or duration {spec.duration_ms} ms")
    if not spec.audio.is_file():
        raise InputError(f"audio not found: {spec.audio}", hint="run the speak stage again")
    check_font(spec.font_file)


def _inset(spec: RenderSpec, layout: Layout, set_rgb: np.ndarray, visuals: list[VisualLayer],
           track_factory: TrackFactory | None) -> list[VisualLayer]:
    """The presenter's second framing under the visuals (9:16, 1:1): her own track, or a
    stand-in track's in a box under the visual."""
    inset = layout.inset
    assert inset is not None
    if track_factory is None:
        still, box, track = inset_track(spec, layout)
        return inset_layers(visuals, layout, still, box, track)
    top = layout.inset_head_top
    w = 2 * round(layout.width / 8)
    box = Box(2 * round((layout.width / 2 - w / 2) / 2), top, w,
              layout.presenter_bottom - top - (layout.presenter_bottom - top) % 2)
    stand_in = track_factory(spec, box)
    still = np.ascontiguousarray(_crop(set_rgb, inset))
    still[box.y - inset.y:box.y - inset.y + box.h, box.x - inset.x:box.x - inset.x + box.w] = \
        np.asarray(stand_in.static)
    return inset_layers(visuals, layout, still, box, stand_in)


def build_scene(spec: RenderSpec, track_factory: TrackFactory | None = None) -> Scene:
    """Everything per clip that does not change per frame, computed once."""
    _validate(spec)
    ticker_text = spec.branding.ticker.strip()
    set_rgb: np.ndarray | None = None
    matted = False
    track: Track
    # the AI label is placed first: the visual boxes of the studio keep clear of it
    plan = (label_plan(spec.ai_label, spec.font_file,
                       layout_for(spec.width, spec.height, ticker=bool(ticker_text)))
            if spec.ai_label is not None else None)
    if spec.studio:
        layout = studio_layout(spec.width, spec.height, ticker=bool(ticker_text),
                               label=plan.box if plan is not None else None)
        set_rgb = studio_set(spec.width, spec.height, spec.branding, layout, spec.seed)
        if track_factory is None:
            box, track, matted = studio_track(spec, layout, set_rgb)
        else:
            box = studio_box(layout)
            track = track_factory(spec, box)
        layout = replace(layout, presenter=box)
    else:
        layout = layout_for(spec.width, spec.height, ticker=bool(ticker_text))
        box = layout.presenter
        track = (track_factory or presenter_track)(spec, box)
    static = np.asarray(track.static)
    if static.shape != (box.h, box.w, 3):
        raise RenderError(f"presenter image is {static.shape}, expected {(box.h, box.w, 3)}",
                          hint="a bug in the presenter animation")
    d = track.dirty
    patch_box = Box(box.x + d.x, box.y + d.y, d.w, d.h)
    if not (d.x >= 0 and d.y >= 0 and d.x + d.w <= box.w and d.y + d.h <= box.h):
        raise RenderError(f"presenter dirty box {d} is outside the presenter box {box.w}x{box.h}")
    dirty = _even_box(patch_box.x, patch_box.y, patch_box.x + d.w, patch_box.y + d.h,
                      spec.width, spec.height)
    n = frame_count(spec.duration_ms, spec.fps)
    spans = tuple(
        (min(n, frame_count(c.start_ms, spec.fps)), min(n, frame_count(c.end_ms, spec.fps)))
        for c in spec.cues
    )
    starts = [first for first, _ in spans]
    if starts != sorted(starts):
        raise InputError("captions are not in time order", hint="sort the cues by start time")

    below: list[Layer] = []
    intro_end = min(n, frame_count(spec.intro_ms, spec.fps)) if spec.intro_ms > 0 else 0
    outro_first = max(intro_end, n - frame_count(spec.outro_ms, spec.fps)) \
        if spec.outro_ms > 0 else n
    if ticker_text and layout.ticker is not None:
        _, strip = ticker_boxes(layout.ticker, spec.branding, spec.font_file, layout.ticker_px)
        below.append(TickerLayer(ticker_text, strip, spec.branding, spec.font_file,
                                 layout.ticker_px, spec.fps, intro_end, outro_first,
                                 spec.height))
    above: list[Layer] = list(bumper_layers(spec, layout, n))
    if spec.ai_label is not None and plan is not None:
        above.append(LabelLayer(label_sprite(spec.ai_label, spec.font_file, plan),
                                label_frames(spec.ai_label, spec.fps, n)))
    middle: tuple[Layer, ...] = ()
    if spec.cuts:
        visuals = visual_layers(spec, layout, n)
        middle = tuple(visuals)
        if visuals and layout.inset is not None and set_rgb is not None:
            middle = (*_inset(spec, layout, set_rgb, visuals, track_factory), *middle)
    card_box = (place_card(layout, dirty, avoid=plan.box if plan else None)
                if spec.cards else None)
    if card_box is not None:
        below.append(CardLayer(spec.cards, card_box, spec.branding, spec.font_file,
                               spec.font_file, spec.fps, n))
    return Scene(
        spec=spec, layout=layout, track=track,
        layers=static_layers(spec, layout, static, set_rgb, shadow=not matted), middle=middle,
        patch_box=patch_box, dirty=dirty, n_frames=n, cue_spans=spans, below=tuple(below),
        above=tuple(above), card_box=card_box, label=plan,
    )
