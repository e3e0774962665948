"""The reference renderer: the same scene composed whole, every frame, by moviepy.

Slow on purpose and easy to read: a background image, the presenter's moving patch
as a VideoClip at its place, the lower third and logo as a masked image on top, and
one timed image per caption. It shares the Scene (and so the caption pixels and
the cue timing) with the fast renderer, and its output options, so the two files
must show the same picture; tests compare them.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np

from ..errors import RenderError
from ..models import RenderResult, RenderSpec
from .fast import encode_args, part_path
from .scene import TrackFactory, build_scene

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


def render_moviepy(
    spec: RenderSpec, out: Path, *, track_factory: TrackFactory | None = None
) -> RenderResult:
    """Render ``spec`` to ``out`` with moviepy; same picture as render_fast, ~15x slower."""
    # moviepy is imported here: it is slow to import and only this renderer needs it
    from moviepy import CompositeVideoClip, ImageClip, VideoClip

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
    captions = []
    for i, (first, end) in enumerate(scene.cue_spans):
        sprite = scene.caption(i)
        if sprite is None or end <= first:
            continue
        # start and end half a frame early: frame times i / fps then fall safely
        # inside [start, end) whatever the float rounding
        start = max(0.0, (first - 0.5) / fps)
        clip = ImageClip(np.array(sprite.rgba), transparent=True)
        clip = clip.with_position((sprite.box.x, sprite.box.y)).with_start(start)
        captions.append(clip.with_end((end - 0.5) / fps))
    video = CompositeVideoClip([background, presenter, overlay, *captions],
                               size=(spec.width, spec.height)).with_duration(duration)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(out)
    try:
        video.write_videofile(
            str(tmp), fps=fps, codec="libx264", preset=spec.preset, audio=str(spec.audio),
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
    return RenderResult(
        language=spec.language, video=out, srt=None, vtt=None, duration_ms=spec.duration_ms,
        width=spec.width, height=spec.height, renderer="moviepy", seconds=seconds,
        extra=(("frames", str(scene.n_frames)), ("captions", "burned, Pillow"),
               ("preset", spec.preset), ("crf", str(spec.crf))),
    )
