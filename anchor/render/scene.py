"""A clip as data: the still layers, the presenter track, and which caption shows
on which frame. Both renderers consume a Scene; neither knows how it was made, and
the scene knows nothing of encoders (manim's renderer / file-writer split).

Frame timing uses anchor.timing only: a cue shows on every frame whose start time
lies in [start_ms, end_ms).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..errors import BackendUnavailable, InputError, RenderError
from ..models import Box, RenderSpec
from ..timing import frame_count
from .background import StaticLayers, alpha_over, static_layers
from .layout import Layout, intersects, layout_for
from .text import Sprite, caption_sprite, check_font

__all__ = ["Scene", "Track", "TrackFactory", "build_scene", "presenter_track"]


class Track(Protocol):
    """The presenter animation (anchor.render.presenter.PresenterTrack)."""

    @property
    def static(self) -> np.ndarray:  # RGB uint8, box.h x box.w: the presenter at rest
        ...

    @property
    def dirty(self) -> Box:  # relative to the presenter box: the part that moves
        ...

    def patch(self, frame_index: int) -> np.ndarray:  # RGB uint8 of dirty's size
        ...


TrackFactory = Callable[[RenderSpec, Box], Track]


def presenter_track(spec: RenderSpec, box: Box) -> Track:
    """The real presenter animation for ``spec`` in ``box``."""
    try:
        from .presenter import PresenterTrack
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.presenter":
            raise
        raise BackendUnavailable(
            "the presenter animation (anchor.render.presenter) is not installed",
            hint="update Anchor; renderers also accept a track_factory",
        ) from exc
    return PresenterTrack(
        avatar=spec.avatar, box=box, fps=spec.fps, duration_ms=spec.duration_ms,
        audio=spec.audio, seed=spec.seed,
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
    _starts: list[int] = field(default_factory=list)
    _overlay_on_dirty: np.ndarray | None = None
    _captions: dict[int, Sprite | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._starts = [first for first, _ in self.cue_spans]
        over = _crop(self.layers.overlay, self.dirty)
        # most layouts keep the lower third off the face: then skip the blend
        self._overlay_on_dirty = over if over[..., 3].any() else None

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

    def dirty_rgb(self, frame: int, caption: Sprite | None) -> np.ndarray:
        """RGB of the ``dirty`` box at ``frame``: rest image, moving patch, then the
        lower third and the caption wherever they lie over it."""
        region = _crop(self.layers.under, self.dirty).copy()
        pb, d = self.patch_box, self.dirty
        p = self.patch(frame)
        region[pb.y - d.y : pb.y - d.y + pb.h, pb.x - d.x : pb.x - d.x + pb.w] = p[: pb.h, : pb.w]
        if self._overlay_on_dirty is not None:
            region = alpha_over(region, self._overlay_on_dirty)
        if caption is not None and intersects(caption.box, d):
            o = _overlap(caption.box, d)
            sub = caption.rgba[o.y - caption.box.y : o.y - caption.box.y + o.h,
                               o.x - caption.box.x : o.x - caption.box.x + o.w]
            dst = region[o.y - d.y : o.y - d.y + o.h, o.x - d.x : o.x - d.x + o.w]
            dst[:] = alpha_over(dst, sub)
        return region

    def caption_rgb(self, caption: Sprite) -> np.ndarray:
        """RGB of the caption's box: the still frame with the caption laid on it."""
        return alpha_over(_crop(self.layers.frame, caption.box), caption.rgba)

    def frame_rgb(self, frame: int) -> np.ndarray:
        """One whole frame, composed in RGB (thumbnails, tests; not the fast path)."""
        img = self.layers.frame.copy()
        cap = self.caption(self.cue_index(frame))
        if cap is not None:
            b = cap.box
            img[b.y : b.y + b.h, b.x : b.x + b.w] = self.caption_rgb(cap)
        d = self.dirty
        img[d.y : d.y + d.h, d.x : d.x + d.w] = self.dirty_rgb(frame, cap)
        return img

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


def _validate(spec: RenderSpec) -> None:
    if spec.width <= 0 or spec.height <= 0 or spec.width % 2 or spec.height % 2:
        raise InputError(f"video size {spec.width}x{spec.height} must be positive and even",
                         hint="H.264 in yuv420p needs even sizes, e.g. 1920x1080")
    if spec.fps <= 0 or spec.duration_ms <= 0:
        raise InputError(f"bad fps {spec.fps} or duration {spec.duration_ms} ms")
    if not spec.audio.is_file():
        raise InputError(f"audio not found: {spec.audio}", hint="run the speak stage again")
    check_font(spec.font_file)


def build_scene(spec: RenderSpec, track_factory: TrackFactory | None = None) -> Scene:
    """Everything per clip that does not change per frame, computed once."""
    _validate(spec)
    layout = layout_for(spec.width, spec.height)
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
    return Scene(
        spec=spec, layout=layout, track=track, layers=static_layers(spec, layout, static),
        patch_box=patch_box, dirty=dirty, n_frames=n, cue_spans=spans,
    )
