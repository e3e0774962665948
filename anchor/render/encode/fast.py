"""The fast renderer: the still frame once, then only the moving pixels per frame.

The still frame (studio, presenter at rest, lower third, logo, ticker band) is
converted to yuv420p once. Per frame the presenter's dirty box is composed in RGB,
converted with OpenCV and written into the Y/U/V planes; a timed layer (caption,
figure card, ticker text, bumper) is redrawn only in its own box and only on the
frames where its key changes: a caption when its cue starts, a card while it moves,
the ticker's thin strip every frame, a bumper when it comes and goes. The whole
yuv420p buffer then goes down ffmpeg's stdin: raw yuv420p is half the bytes of
rgb24 and spares ffmpeg a colour conversion per frame (rgb24 pipes measured +68%
time). Memory is one frame buffer plus a few captions and one card's pictures,
whatever the clip's length.

Colour: BT.601 matrix in limited range (cv2's RGB→I420 luma, and chroma from the
mean of each 2x2 block), as ffmpeg's swscale converts rgb24 → yuv420p in the
reference renderer; the stream is tagged so players decode it with that matrix.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import IO

import cv2
import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from anchor.core.ai_labels import AIGC_KEY
from anchor.core.errors import RenderError
from anchor.core.ffmpeg import MUX_ARGS, ffmpeg_exe
from anchor.core.timing import fps_text
from anchor.core.values import Box, RenderResult, RenderSpec
from anchor.render.graphics.cover import cover_image
from anchor.render.graphics.layout import inside, intersects
from anchor.render.scene import Scene, TrackFactory, build_scene

__all__ = [
    "AUDIO_BITRATE",
    "encode_args",
    "ffmpeg_args",
    "part_path",
    "render_fast",
    "thumbnail",
    "to_i420",
    "yuv_frames",
]

log = logging.getLogger(__name__)

AUDIO_BITRATE = "160k"
# Matrix and range of cv2's (and swscale's default) RGB→YUV; primaries and transfer
# are those of the sRGB images we compose, i.e. BT.709.
COLOUR_TAGS = ("-colorspace", "smpte170m", "-color_primaries", "bt709",
               "-color_trc", "bt709", "-color_range", "tv")
_F_SETPIPE_SZ = 1031  # Linux fcntl: a 1 MiB pipe takes a 1080p frame in 3 writes, not 48


# Pinned so the same input gives the same bytes on any machine: x264's output depends on
# its thread count (auto = per core count), and muxers stamp versions and times.
ENCODER_THREADS = 3  # what x264 picks by itself on 2 cores (1.5 x cores)
AUDIO_RATE = 48000  # what broadcast and the short-video platforms expect
PINNED = {"x264_threads": ENCODER_THREADS, "bitexact": True, "audio_rate": AUDIO_RATE}


def encode_args(spec: RenderSpec) -> list[str]:
    """Output options shared by both renderers, so their files differ only in pixels:
    the encoders, the muxer's, and the implicit AI label (the ``AIGC`` metadata key)."""
    label = ["-metadata", f"{AIGC_KEY}={spec.aigc}"] if spec.aigc else []
    return [
        "-c:v", "libx264", "-preset", spec.preset, "-crf", str(spec.crf),
        "-threads", str(ENCODER_THREADS),
        "-pix_fmt", "yuv420p", *COLOUR_TAGS,
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(AUDIO_RATE),
        *MUX_ARGS, *label,
    ]  # fmt: skip


def ffmpeg_args(spec: RenderSpec, out: Path) -> list[str]:
    """ffmpeg arguments (without the executable) that read raw yuv420p frames from
    stdin and the voice WAV, and write an MP4 to ``out`` (any name: the muxer is
    named, so a ``.part`` temporary works)."""
    return [
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{spec.width}x{spec.height}",
        "-r", fps_text(spec.fps), "-i", "-",
        "-i", str(spec.audio),
        "-map", "0:v:0", "-map", "1:a:0",
        *encode_args(spec),
        "-f", "mp4", str(out),
    ]  # fmt: skip


def part_path(out: Path) -> Path:
    """Where a file is written before it is complete and renamed to ``out``."""
    return out.with_name(out.name + ".part")


# BT.601 limited-range chroma rows (those of swscale and of cv2's luma): U, V from RGB
_UV_MATRIX = np.array(
    [[-37.797 / 255, -74.203 / 255, 112.0 / 255, 128.0],
     [112.0 / 255, -93.786 / 255, -18.214 / 255, 128.0]], np.float32
)


def to_i420(rgb: np.ndarray) -> np.ndarray:
    """RGB (even height and width) → planar I420 laid out as cv2 does: (h*3/2, w).

    Luma comes from cv2. Chroma is recomputed from the mean colour of each 2x2 block:
    cv2 takes the top-left pixel's instead, which frays coloured edges of text and
    differs from ffmpeg's conversion in the reference renderer.
    """
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    out = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    # uint8 all the way (INTER_AREA halves to the rounded 2x2 mean; transform rounds
    # and saturates): twice as fast as float, at most 1 level off in chroma
    mean = cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    uv = cv2.transform(mean, _UV_MATRIX)
    flat = out.reshape(-1)
    n = w * h
    flat[n : n + n // 4] = uv[..., 0].reshape(-1)
    flat[n + n // 4 :] = uv[..., 1].reshape(-1)
    return out


def _planes(buf: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    flat = buf.reshape(-1)
    n = w * h
    y = flat[:n].reshape(h, w)
    u = flat[n : n + n // 4].reshape(h // 2, w // 2)
    v = flat[n + n // 4 : n + n // 2].reshape(h // 2, w // 2)
    return y, u, v


def _put(dst: tuple[np.ndarray, ...], box: Box, i420: np.ndarray) -> None:
    """Write a box's I420 pixels (cv2 layout) into the frame's planes; even box."""
    y, u, v = _planes(i420, box.w, box.h)
    x0, y0, cx, cy = box.x, box.y, box.x // 2, box.y // 2
    dst[0][y0 : y0 + box.h, x0 : x0 + box.w] = y
    dst[1][cy : cy + box.h // 2, cx : cx + box.w // 2] = u
    dst[2][cy : cy + box.h // 2, cx : cx + box.w // 2] = v


def _copy(dst: tuple[np.ndarray, ...], src: tuple[np.ndarray, ...], box: Box) -> None:
    x0, y0, cx, cy = box.x, box.y, box.x // 2, box.y // 2
    dst[0][y0 : y0 + box.h, x0 : x0 + box.w] = src[0][y0 : y0 + box.h, x0 : x0 + box.w]
    for k in (1, 2):
        dst[k][cy : cy + box.h // 2, cx : cx + box.w // 2] = src[k][
            cy : cy + box.h // 2, cx : cx + box.w // 2
        ]


def _damage(scene: Scene, frame: int, keys: list[Hashable | None],
            boxes: list[Box | None]) -> list[Box]:
    """Boxes whose picture may differ from the previous frame's because a timed layer
    changed there (its old box and its new one); ``keys``/``boxes`` are updated."""
    out: list[Box] = []
    for k, layer in enumerate(scene.overlays):
        key = layer.key(frame)
        if key == keys[k]:
            continue
        sp = layer.sprite(frame) if key is not None else None
        new = sp.box if sp is not None else None
        for b in (boxes[k], new):
            if b is not None and b.w and b.h and b not in out:
                out.append(b)
        keys[k], boxes[k] = key, new
    full = Box(0, 0, scene.spec.width, scene.spec.height)
    return [full] if full in out else out


def yuv_frames(scene: Scene) -> Iterator[memoryview]:
    """Every frame as raw yuv420p bytes. The same buffer is rewritten in place for
    each frame: consume (write) it before asking for the next."""
    w, h = scene.spec.width, scene.spec.height
    still = to_i420(scene.layers.frame)
    buf = still.copy()
    planes, still_planes = _planes(buf, w, h), _planes(still, w, h)
    d = scene.dirty
    keys: list[Hashable | None] = [None] * len(scene.overlays)
    boxes: list[Box | None] = [None] * len(scene.overlays)
    for i in range(scene.n_frames):
        damage = _damage(scene, i, keys, boxes)
        for b in damage:
            if scene.is_still(i, b):  # e.g. a caption gone: the still frame is back
                _copy(planes, still_planes, b)
            else:
                _put(planes, b, to_i420(scene.region_rgb(i, b)))
        # last: it holds the layers over it too; skipped where a full-screen visual hides
        # the presenter and nothing over it changed (or it was just drawn with a damage box)
        if d.w and d.h and not (scene.hidden(i, d) and (
                not any(intersects(b, d) for b in damage)
                or any(inside(d, b) for b in damage))):
            _put(planes, d, to_i420(scene.region_rgb(i, d)))
        yield buf.data.cast("B")  # the array's own buffer, as bytes


def _grow_pipe(stream: IO[bytes]) -> None:
    with contextlib.suppress(OSError, ValueError):
        fcntl.fcntl(stream.fileno(), _F_SETPIPE_SZ, 1 << 20)


def _stderr_tail(f: IO[bytes], lines: int = 6) -> str:
    f.seek(0)
    text = f.read().decode("utf-8", "replace").strip().splitlines()
    return " | ".join(text[-lines:]) or "no message"


def encode_frames(
    frames: Iterator[memoryview],
    args: list[str],
    total: int,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Pipe ``frames`` into ffmpeg run with ``args``; RenderError with ffmpeg's own
    words when it fails. The caller owns the output file."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    log.debug("ffmpeg: %s", shlex.join(cmd))
    # stderr goes to a file, not a pipe nobody reads while we write frames
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=err)
        assert proc.stdin is not None
        broken = False
        try:
            _grow_pipe(proc.stdin)
            step = max(1, total // 100)
            for n, frame in enumerate(frames, 1):
                proc.stdin.write(frame)
                if progress is not None and (n % step == 0 or n == total):
                    progress(n, total)
            proc.stdin.close()
        except BrokenPipeError:
            broken = True  # ffmpeg died; its stderr says why
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
        rc = proc.wait()
        if rc != 0 or broken:
            raise RenderError(f"ffmpeg failed (exit {rc}): {_stderr_tail(err)}",
                              hint="run with -v to see the ffmpeg command")


def render_fast(
    spec: RenderSpec,
    out: Path,
    *,
    track_factory: TrackFactory | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RenderResult:
    """Render ``spec`` to the MP4 ``out``; nothing is left at ``out`` on failure."""
    t0 = time.perf_counter()
    scene = build_scene(spec, track_factory)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(out)
    try:
        encode_frames(yuv_frames(scene), ffmpeg_args(spec, tmp), scene.n_frames, progress)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    seconds = time.perf_counter() - t0
    log.info("rendered %s: %d frames in %.1f s", out.name, scene.n_frames, seconds)
    return scene.result(out, "fast", seconds)


def thumbnail(spec: RenderSpec, out_png: Path, *,
              track_factory: TrackFactory | None = None) -> Path:
    """A cover image as PNG: the presenter mid-sentence (mouth open) with the headline
    large over it (anchor.render.graphics.cover), the AI label on it and in its ``AIGC`` text
    chunk."""
    scene = build_scene(spec, track_factory)
    img = Image.fromarray(cover_image(scene, scene.thumbnail_frame()))
    info = PngInfo()
    if spec.aigc:  # the implicit label, as an iTXt chunk (UTF-8: the producer may be Chinese)
        info.add_itxt(AIGC_KEY, spec.aigc)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(out_png)
    try:
        img.save(tmp, format="PNG", pnginfo=info)
        os.replace(tmp, out_png)
    finally:
        tmp.unlink(missing_ok=True)
    return out_png
