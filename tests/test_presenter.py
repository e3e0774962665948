"""The animated presenter: blinks, determinism, patch contract, no seams, speed, memory."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from render_helpers import pcm16_wav

from anchor.assets.avatars import load_avatar
from anchor.core.timing import frame_count
from anchor.core.values import Box
from anchor.render.presenter.face import find_face, read_rgb
from anchor.render.presenter.lipsync import CLOSED
from anchor.render.presenter.track import (
    BLINK_MS,
    LID_LEVELS,
    PresenterTrack,
    blink_starts,
    fit_to_box,
    lid_track,
)

FPS = 30
RATE = 16000


def write_wav(path: Path, ms: int, bursts: tuple[tuple[int, int], ...] = ()) -> Path:
    """Silence with loud vowel-like bursts at (start_ms, end_ms)."""
    x = np.zeros(RATE * ms // 1000)
    t = np.arange(len(x)) / RATE
    tone = 0.3 * (np.sin(2 * np.pi * 200 * t) + 0.6 * np.sin(2 * np.pi * 800 * t)
                  + 0.3 * np.sin(2 * np.pi * 1400 * t))
    for a, b in bursts:
        x[a * RATE // 1000:b * RATE // 1000] = tone[a * RATE // 1000:b * RATE // 1000]
    return pcm16_wav(path, x, RATE)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANCHOR_HOME", str(tmp_path / "home"))


@pytest.fixture()
def talk(tmp_path: Path) -> Path:
    bursts = tuple((s, s + 300) for s in range(400, 10000, 700))
    return write_wav(tmp_path / "talk.wav", 10000, bursts)


def track(name: str, wav: Path, seed: int = 0, ms: int = 10000,
          size: tuple[int, int] = (360, 480)) -> PresenterTrack:
    return PresenterTrack(load_avatar(name), Box(1500, 0, *size), FPS, ms, wav, seed)


def test_blinks_within_ten_seconds_for_seed_0() -> None:
    starts = blink_starts(10000, 0)
    assert starts and starts[0] < 10000
    gaps = np.diff(starts)
    assert ((gaps >= 2000) | (gaps < 600)).all()  # 2–6 s apart, or a quick double blink
    lids = lid_track(frame_count(10000, FPS), FPS, starts)
    assert lids.max() == LID_LEVELS  # at least one frame fully shut
    shut = np.flatnonzero(lids)
    run = np.split(shut, np.flatnonzero(np.diff(shut) > 1) + 1)[0]
    assert len(run) * 1000 / FPS <= BLINK_MS + 2000 / FPS  # one blink: a handful of frames


@pytest.mark.parametrize("name", ["astra", "lin"])
def test_blinks_show_in_patches(name: str, talk: Path) -> None:
    t = track(name, talk)
    f = int(np.argmax(t.lids == LID_LEVELS))
    assert t.lids[f] == LID_LEVELS and f < frame_count(10000, FPS)
    eye = t.regions.eyes[0]
    d = t.dirty
    sl = (slice(eye.y - d.y, eye.y - d.y + eye.h), slice(eye.x - d.x, eye.x - d.x + eye.w))
    open_eye = t.patch(f - 10 if t.lids[f - 10] == 0 else f + 10)[sl].astype(int)
    shut_eye = t.patch(f)[sl].astype(int)
    assert np.abs(open_eye - shut_eye).mean() > 8  # iris and white are covered by skin


def test_deterministic_for_a_seed(talk: Path) -> None:
    a, b, c = track("lin", talk, 7), track("lin", talk, 7), track("lin", talk, 8)
    assert np.array_equal(a.lids, b.lids) and np.array_equal(a.shapes, b.shapes)
    for f in range(0, a.n_frames, 13):
        assert np.array_equal(a.patch(f), b.patch(f))
    assert not np.array_equal(a.lids, c.lids)


@pytest.mark.parametrize("name", ["astra", "lin"])
@pytest.mark.parametrize("size", [(360, 480), (640, 360), (540, 960)])
def test_patch_contract_and_no_seam(name: str, size: tuple[int, int], talk: Path) -> None:
    t = track(name, talk, size=size)
    w, h = size
    assert t.static.shape == (h, w, 3) and t.static.dtype == np.uint8
    d = t.dirty
    assert d.x >= 0 and d.y >= 0 and d.x + d.w <= w and d.y + d.h <= h
    under = t.static[d.y:d.y + d.h, d.x:d.x + d.w].astype(int)
    ring = np.ones((d.h, d.w), bool)
    ring[3:-3, 3:-3] = False
    seen = set()
    for f in range(t.n_frames):
        p = t.patch(f)
        assert p.shape == (d.h, d.w, 3) and p.dtype == np.uint8
        s = t.state(f)
        seen.add((s.shape != CLOSED, s.lid > 0, s.dy != 0))
        assert np.abs(p.astype(int) - under)[ring].max() <= 2, f  # the renderer's seam
    # The loop above covered talking, blinking and breathing frames.
    assert (True, True, True) in seen or {(True, False, True), (False, True, True)} <= seen


def test_breathing_is_subtle_and_periodic(talk: Path) -> None:
    t = track("astra", talk)
    dys = np.array([t.state(f).dy for f in range(t.n_frames)])
    assert 0.4 <= np.abs(dys).max() <= 1.5  # breathing and small nods
    # It moves, but never by more than a sub-pixel step between frames.
    assert np.abs(np.diff(dys)).max() <= 0.34
    assert len(set(dys.tolist())) >= 4  # several sub-pixel steps, not a jump


def test_patch_is_fast(talk: Path) -> None:
    t = track("astra", talk, size=(820, 1080))  # a 1080p 16:9 presenter box
    assert t.dirty.w * t.dirty.h >= 200 * 200
    times = []
    for f in range(t.n_frames):
        t0 = time.perf_counter()
        t.patch(f)
        times.append(time.perf_counter() - t0)
    assert float(np.median(times)) < 0.003


def test_memory_does_not_grow_with_duration(tmp_path: Path) -> None:
    short = write_wav(tmp_path / "short.wav", 5000, ((500, 900),))
    long = write_wav(tmp_path / "long.wav", 60000, ((500, 900),))
    a = track("lin", short, ms=5000)
    b = track("lin", long, ms=60000)

    def held(t: PresenterTrack) -> int:
        return sum(v.nbytes for v in vars(t).values() if isinstance(v, np.ndarray))

    per_frame = b.n_frames - a.n_frames  # pose, lids, gaze, brows, nod, tilt: a byte each
    assert held(b) - held(a) <= 6 * per_frame


def test_frames_past_the_end_repeat_the_last(talk: Path) -> None:
    t = track("lin", talk)
    assert np.array_equal(t.patch(t.n_frames + 50), t.patch(t.n_frames - 1))
    assert np.array_equal(t.frame(0)[t.dirty.y:t.dirty.y + t.dirty.h,
                                     t.dirty.x:t.dirty.x + t.dirty.w], t.patch(0))


def test_fit_keeps_the_face_in_a_narrow_box() -> None:
    avatar = load_avatar("astra")
    rgb = read_rgb(avatar.image)
    img, regions = fit_to_box(rgb, find_face(avatar, rgb), 300, 900)
    f = regions.face
    assert img.shape == (900, 300, 3)
    assert f.x >= 0 and f.x + f.w <= 300 and f.y >= 0 and f.y + f.h <= 900


def test_without_mediapipe_or_toml_landmarks_the_boxes_drive_the_mouth(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, talk: Path) -> None:
    import shutil

    from anchor.render.presenter import landmarks

    root = tmp_path / "assets"
    (root / "avatars").mkdir(parents=True)
    shutil.copy(Path(__file__).resolve().parent.parent / "avatars" / "astra.png",
                root / "avatars" / "plain.png")
    (root / "avatars" / "plain.toml").write_text('name = "plain"\n', encoding="utf-8")
    monkeypatch.setenv("ANCHOR_ASSETS", str(root))
    monkeypatch.setattr(landmarks, "mediapipe_available", lambda: False)
    t = track("plain", talk)
    assert t.landmarks.source == "boxes"
    open_ = [f for f in range(t.n_frames) if t.state(f).shape_name in ("half", "open")]
    assert open_
    d = t.dirty
    rest = t.static[d.y:d.y + d.h, d.x:d.x + d.w].astype(int)
    assert np.abs(t.patch(open_[0]).astype(int) - rest).max() > 30


def test_glances_brows_and_nods_follow_the_words(tmp_path: Path) -> None:
    from anchor.core.values import Span

    words = tuple(Span(s, s + 300, w) for s, w in zip(
        range(400, 12000, 700), ["we", "bring", "news", "today", "from", "the", "city",
                                 "of", "hope", "and", "more", "words", "to", "say", "now",
                                 "at", "last"], strict=False))
    wav = write_wav(tmp_path / "w.wav", 12500, tuple((w.start_ms, w.end_ms) for w in words))
    t = PresenterTrack(load_avatar("lin"), Box(0, 0, 360, 480), FPS, 12500, wav, 3,
                       words=words, language="en")
    assert t.lip_source == "phonemes"
    assert (t.gazes > 0).any() and (t.gazes == 0).mean() > 0.6  # glances, mostly at camera
    assert t.stress_ms and (t.brows > 0).any()
    dy = np.array([t.state(f).dy for f in range(t.n_frames)])
    first = t.phrase_ms[0] * FPS // 1000
    assert dy[first:first + 15].max() - dy[max(0, first - 10):first].min() >= 0.5  # a nod
    f = int(np.argmax(t.gazes > 0))
    eye = t._eye_boxes[0]
    a = t.patch(f)[eye.y:eye.y + eye.h, eye.x:eye.x + eye.w].astype(int)
    b = t.patch(f - 1 if t.gazes[f - 1] == 0 else 0)[eye.y:eye.y + eye.h,
                                                     eye.x:eye.x + eye.w].astype(int)
    assert np.abs(a - b).max() > 20  # the iris moved


def test_the_head_tilts_at_phrase_starts_level_on_average(tmp_path: Path) -> None:
    """Tilts (roll): eased in at phrase starts, a degree or so, to both sides, never past
    the widest; and drawn: the eyes' line tilts while the patch keeps its still edge."""
    from anchor.core.values import Span
    from anchor.render.presenter.track import TILT_DEG, roll_track

    words = tuple(Span(s, s + 300, "word") for s in
                  (*range(400, 3400, 500), *range(4000, 7000, 500), *range(7600, 11000, 500),
                   *range(11600, 15000, 500)))
    wav = write_wav(tmp_path / "w.wav", 15500, tuple((w.start_ms, w.end_ms) for w in words))
    t = PresenterTrack(load_avatar("lin"), Box(0, 0, 820, 1080), FPS, 15500, wav, 5,
                       words=words, language="en")
    assert 0.5 <= t.tilt_deg <= TILT_DEG
    roll = np.array([t.state(f).roll for f in range(t.n_frames)])
    assert np.abs(roll).max() <= t.tilt_deg + 1e-9
    assert roll.max() > 0.4 * t.tilt_deg and roll.min() < -0.4 * t.tilt_deg  # both ways
    assert abs(float(roll.mean())) < 0.25 * t.tilt_deg  # level on average
    assert np.abs(np.diff(roll)).max() < 0.15  # eased: no jumps between frames
    for ms in t.phrase_ms:  # leaning within half a second of each phrase start...
        f = ms * FPS // 1000
        if ms > 2000:
            assert np.abs(roll[f:f + 15]).max() > 0.3 * t.tilt_deg, ms
    assert (roll == 0).mean() > 0.1  # ...and upright between leans
    # Deterministic, and another seed leans the other way first.
    again = roll_track(t.n_frames, FPS, t.phrase_ms, 5, t.tilt_deg)
    assert np.allclose(again, roll, atol=t.tilt_deg / 100)
    # Drawn: at the widest lean one side of the face is lower than the other.
    f = int(np.argmax(np.abs(roll)))
    s = t.state(f)
    levels = t.column_levels(s)
    d = t.dirty
    eye_cols = [round(b.x + b.w / 2) for b in t._eye_boxes]
    dys = [float(t._offsets[levels[c]]) for c in eye_cols]
    assert abs(dys[0] - dys[1]) > 1.0  # px between the two eyes' heights
    assert np.sign(dys[1] - dys[0]) == np.sign((eye_cols[1] - eye_cols[0]) * s.roll)
    p = t.patch(f).astype(int)
    under = t.static[d.y:d.y + d.h, d.x:d.x + d.w].astype(int)
    ring = np.ones((d.h, d.w), bool)
    ring[3:-3, 3:-3] = False
    assert np.abs(p - under)[ring].max() <= 2  # the renderer's seam
    upright = t.patch(int(np.argmin(np.abs(roll) + (t.shapes != t.shapes[f]) * 9)))
    assert np.abs(p - upright.astype(int)).max() > 30  # it shows
