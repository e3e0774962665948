"""The fast renderer: argument list, frame buffers, and a real tiny clip."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from render_helpers import CUES, decode, fake_factory, tiny_spec

from anchor.core.errors import InputError, RenderError
from anchor.render import RENDERERS, render
from anchor.render.encode.fast import (
    ffmpeg_args,
    part_path,
    render_fast,
    thumbnail,
    to_i420,
    yuv_frames,
)
from anchor.render.encode.probe import probe
from anchor.render.scene import build_scene


def _crop(img: np.ndarray, b) -> np.ndarray:
    return img[b.y : b.y + b.h, b.x : b.x + b.w]


def test_ffmpeg_args_pipe_raw_yuv_and_encode_h264_aac(tmp_path: Path) -> None:
    spec = tiny_spec(tmp_path)
    out = tmp_path / "x.mp4.part"
    args = ffmpeg_args(spec, out)
    joined = " ".join(args)
    assert "-f rawvideo -pix_fmt yuv420p -s 320x180 -r 30 -i -" in joined
    assert f"-i {spec.audio}" in joined
    assert "-c:v libx264 -preset veryfast -crf 20 -threads 3 -pix_fmt yuv420p" in joined
    assert "-c:a aac -b:a 160k -ar 48000" in joined
    assert "-fflags +bitexact" in joined  # reproducible bytes: no version/time stamps
    assert "-movflags +faststart" in joined and "-shortest" in args
    # the muxer is named because the temporary file's suffix is .part
    assert args[-3:] == ["-f", "mp4", str(out)]
    assert part_path(Path("a/zh.mp4")) == Path("a/zh.mp4.part")


def test_frame_buffers_equal_whole_frame_conversion(tmp_path: Path) -> None:
    """Patching only the dirty and caption boxes gives the very bytes a whole-frame
    composite and conversion would: the even alignment loses nothing."""
    spec = tiny_spec(tmp_path, cues=CUES)
    scene = build_scene(spec, fake_factory)
    assert scene.dirty.x % 2 == 0 and scene.dirty.w % 2 == 0
    for i, buf in enumerate(yuv_frames(scene)):
        if i in (0, 1, 29, 30, 31, 41, 42, 59):
            want = to_i420(scene.frame_rgb(i)).reshape(-1)
            assert np.array_equal(np.frombuffer(buf, np.uint8), want), f"frame {i}"
    assert i == scene.n_frames - 1 == 59


def test_cue_timing_follows_frame_starts(tmp_path: Path) -> None:
    scene = build_scene(tiny_spec(tmp_path, cues=CUES), fake_factory)
    # 30 fps: frame 30 starts at 1000 ms (second cue), frame 42 at 1400 ms (none)
    assert [scene.cue_index(i) for i in (0, 29, 30, 41, 42)] == [0, 0, 1, 1, None]


def test_render_fast_tiny_clip(tmp_path: Path) -> None:
    spec = tiny_spec(tmp_path)
    out = tmp_path / "out" / "clip.mp4"
    result = render_fast(spec, out, track_factory=fake_factory)
    assert result.video == out and out.is_file() and not part_path(out).exists()
    assert result.renderer == "fast" and (result.width, result.height) == (320, 180)

    info = probe(out)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height, info.pix_fmt) == (320, 180, "yuv420p")
    assert info.fps == pytest.approx(30.0)
    assert info.faststart
    assert info.video_frames == 60
    assert info.video_duration_ms is not None and info.audio_duration_ms is not None
    assert abs(info.video_duration_ms - info.audio_duration_ms) <= 1000 / spec.fps + 1

    frames = decode(out)
    assert len(frames) == 60
    scene = build_scene(spec, fake_factory)
    cap = scene.caption(0)
    assert cap is not None
    still = scene.layers.frame
    # caption region: text at 0.5 s (frame 15), back to the still background at 1.5 s
    during = _crop(frames[15], cap.box).astype(int)
    after = _crop(frames[45], cap.box).astype(int)
    base = _crop(still, cap.box).astype(int)
    assert np.abs(during - base).mean() > 20
    assert np.abs(after - base).mean() < 4
    assert during.max() > 200  # white glyphs

    # the dirty box flips colour every frame ...
    d = scene.patch_box
    inner = lambda f: _crop(f, d)[2:-2, 2:-2].astype(int)  # noqa: E731
    assert np.abs(inner(frames[40]) - inner(frames[41])).mean() > 50
    # ... while everything away from it stays the same, frame to frame (up to the
    # encoder's noise near the moving block)
    mask = np.ones(still.shape[:2], bool)
    mask[max(0, d.y - 16) : d.y + d.h + 16, max(0, d.x - 16) : d.x + d.w + 16] = False
    diff = np.abs(frames[40].astype(int) - frames[41].astype(int)).max(axis=2)
    assert diff[mask].mean() < 0.5 and diff[mask].max() <= 4


def test_only_the_dirty_box_changes_in_the_pipe(tmp_path: Path) -> None:
    spec = tiny_spec(tmp_path)
    scene = build_scene(spec, fake_factory)
    w, h, d = spec.width, spec.height, scene.dirty
    ys = [np.frombuffer(buf, np.uint8)[: w * h].reshape(h, w).copy()
          for i, buf in zip(range(42), yuv_frames(scene), strict=False) if i >= 40]
    changed = np.argwhere(ys[0] != ys[1])
    assert len(changed)
    assert changed[:, 0].min() >= d.y and changed[:, 0].max() < d.y + d.h
    assert changed[:, 1].min() >= d.x and changed[:, 1].max() < d.x + d.w


def test_render_failure_leaves_nothing(tmp_path: Path) -> None:
    spec = tiny_spec(tmp_path)
    bad = tmp_path / "noise.wav"
    bad.write_bytes(b"this is not audio" * 100)
    out = tmp_path / "clip.mp4"
    with pytest.raises(RenderError) as err:
        render_fast(dataclasses.replace(spec, audio=bad), out, track_factory=fake_factory)
    assert "ffmpeg failed" in str(err.value)
    assert not out.exists() and not part_path(out).exists()


def test_bad_spec_is_an_input_error(tmp_path: Path) -> None:
    spec = tiny_spec(tmp_path)
    with pytest.raises(InputError):
        render_fast(dataclasses.replace(spec, width=321), tmp_path / "x.mp4",
                    track_factory=fake_factory)
    with pytest.raises(InputError):
        render_fast(dataclasses.replace(spec, audio=tmp_path / "missing.wav"),
                    tmp_path / "x.mp4", track_factory=fake_factory)


def test_thumbnail_is_a_cover_frame_mid_sentence(tmp_path: Path) -> None:
    from anchor.render.graphics.cover import cover_image

    spec = tiny_spec(tmp_path, width=360, height=640)
    png = thumbnail(spec, tmp_path / "thumb.png", track_factory=fake_factory)
    img = np.asarray(Image.open(png).convert("RGB"))
    assert img.shape == (640, 360, 3)
    scene = build_scene(spec, fake_factory)
    frame = scene.thumbnail_frame()
    assert scene.cue_index(frame) == 0  # the presenter as while speaking the first cue
    assert np.array_equal(img, cover_image(scene, frame))


def test_render_dispatch(tmp_path: Path) -> None:
    assert set(RENDERERS) == {"fast", "moviepy"}
    with pytest.raises(InputError):
        render(tiny_spec(tmp_path), tmp_path / "x.mp4", renderer="nope")


def test_probe_tells_a_file_without_faststart(tmp_path: Path) -> None:
    from anchor.core.ffmpeg import run_ffmpeg

    out = tmp_path / "plain.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=blue:s=64x48:r=25:d=0.4",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)])
    info = probe(out)
    assert not info.faststart and info.audio_codec is None
    assert (info.width, info.height, info.video_frames) == (64, 48, 10)
    with pytest.raises(InputError):
        probe(tmp_path / "missing.mp4")
