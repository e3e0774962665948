"""The reference renderer: the same scene composed whole, every frame, by moviepy.

Slow on purpose and easy to read: a background image, the presenter's moving patch
as a VideoClip at its place, the edit's visuals (pictures, charts, quote cards) as
masked clips over it, the lower third and logo as a masked image on top, and
each timed layer (ticker text, figure cards, captions, bumpers) as clips of its
own: a still image for every stretch where it does not change, a masked VideoClip
where it moves. It shares the Scene (and so the pixels and the timing of every
layer) with the fast renderer, and its output options, so the two files must show
the same picture; tests compare them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from anchor.core.errors import RenderError
from anchor.core.ffmpeg import ffmpeg_exe
from anchor.core.timing import Fps
from anchor.core.values import Box, RenderResult, RenderSpec
from anchor.render.scene import Layer, Scene, TrackFactory, build_scene

from .fast import encode_args, part_path

__all__ = ["render_moviepy"]

log = logging.getLogger(__name__)


def _moviepy_params(spec: RenderSpec) -> list[str]:
    """encode_args minus what write_videofile sets itself (codecs, preset), plus the
    muxer, which moviepy would guess from the temporary ``.part`` name, and area
    scaling, so ffmpeg's rgb24 → yuv420p averages each 2x2 block for chroma as the
    fast renderer does (54 dB apart on test clips instead of 40)."""
    args = encode_args(spec)
    out: list[str] = []
    skip = {"-c:v", "-preset", "-c:a"}
    i = 0
    while i < len(args):
        if args[i] in skip:
            i += 2
            continue
        out.append(args[i])
        i += 1
    return [*out, "-f", "mp4", "-sws_flags", "area+accurate_rnd"]


def _runs(scene: Scene, layer: Layer) -> Iterator[tuple[int, int, Box, bool]]:
    """(first, end, box, still) for each stretch of frames where ``layer`` shows in one
    box; ``still``: one picture all along."""
    run: tuple[int, Box, object, bool] | None = None  # first, box, key, still
    for i in range(scene.n_frames + 1):
        sp = layer.sprite(i) if i < scene.n_frames else None
        key = layer.key(i) if sp is not None else None
        if run is not None and (sp is None or sp.box != run[1]):
            yield run[0], i, run[1], run[3]
            run = None
        if sp is None:
            continue
        if run is None:
            run = (i, sp.box, key, True)
        elif key != run[2]:
            run = (run[0], run[1], run[2], False)


def _layer_clips(scene: Scene, layer: Layer, fps: Fps) -> list[Any]:
    from moviepy import ImageClip, VideoClip

    clips = []
    for first, end, box, still in _runs(scene, layer):
        # start and end half a frame early: frame times i / fps then fall safely
        # inside [start, end) whatever the float rounding
        start, stop = max(0.0, (first - 0.5) / fps), (end - 0.5) / fps
        if still:
            sprite = layer.sprite(first)
            assert sprite is not None
            clip = ImageClip(np.array(sprite.with_alpha()), transparent=True)
        else:
            def frame_at(t: float, first: int = first, end: int = end) -> np.ndarray:
                # local time t of global frame i is (i - first + 0.5) / fps
                sprite = layer.sprite(min(end - 1, first + int(t * fps + 1e-6)))
                assert sprite is not None
                return sprite.with_alpha()

            clip = VideoClip(lambda t, f=frame_at: f(t)[..., :3], duration=stop - start)
            mask = VideoClip(lambda t, f=frame_at: f(t)[..., 3] / 255.0, is_mask=True,
                             duration=stop - start)
            clip = clip.with_mask(mask)
        clips.append(clip.with_position((box.x, box.y)).with_start(start).with_end(stop))
    return clips


def _use_our_ffmpeg() -> None:
    """moviepy binds its ffmpeg path at import; point it at the one Anchor chose, so both
    renderers encode with the same build."""
    import moviepy.audio.io.ffmpeg_audiowriter as audio_writer
    import moviepy.audio.io.readers as audio_reader
    import moviepy.video.io.ffmpeg_writer as video_writer

    for module in (audio_writer, audio_reader, video_writer):
        module.FFMPEG_BINARY = ffmpeg_exe()


def render_moviepy(
    spec: RenderSpec, out: Path, *, track_factory: TrackFactory | None = None
) -> RenderResult:
    """Render ``spec`` to ``out`` with moviepy; same picture as render_fast, ~15x slower."""
    # moviepy is imported here: it is slow to import and only this renderer needs it
    from moviepy import CompositeVideoClip, ImageClip, VideoClip

    _use_our_ffmpeg()

    t0 = time.perf_counter()
    scene = build_scene(spec, track_factory)
    fps = spec.fps
    # moviepy renders int(duration * fps) frames at t = i / fps; half a frame extra
    # makes that exactly n_frames without float rounding losing the last one
    duration = (scene.n_frames + 0.5) / fps

    def frame_index(t: float) -> int:
        return min(scene.n_frames - 1, round(t * fps))

    background = ImageClip(scene.layers.under).with_duration(duration)
    pb = scene.patch_box
    presenter = VideoClip(lambda t: scene.patch(frame_index(t)), duration=duration)
    presenter = presenter.with_position((pb.x, pb.y))
    overlay = ImageClip(scene.layers.overlay, transparent=True).with_duration(duration)
    # the edit's visuals go under the still overlay (lower third, logo), as in the scene
    mid = [clip for layer in scene.middle for clip in _layer_clips(scene, layer, fps)]
    timed = [clip for layer in scene.overlays[len(scene.middle):]
             for clip in _layer_clips(scene, layer, fps)]
    video = CompositeVideoClip([background, presenter, *mid, overlay, *timed],
                               size=(spec.width, spec.height)).with_duration(duration)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(out)
    try:
        video.write_videofile(
            str(tmp), fps=float(fps), codec="libx264", preset=spec.preset, audio=str(spec.audio),
            audio_codec="aac", ffmpeg_params=_moviepy_params(spec), logger=None,
        )
        os.replace(tmp, out)
    except OSError as exc:
        raise RenderError(f"moviepy render failed: {exc}",
                          hint="see the ffmpeg message above; try the fast renderer") from exc
    finally:
        video.close()
        tmp.unlink(missing_ok=True)
    seconds = time.perf_counter() - t0
    log.info("rendered %s with moviepy: %d frames in %.1f s", out.name, scene.n_frames, seconds)
    return scene.result(out, "moviepy", seconds)
