"""Lip-sync: audio made in the test (vowel-like bursts and silence) → mouth shapes."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from anchor.assets.avatars import load_avatar
from anchor.core.errors import InputError
from anchor.core.timing import frame_at
from anchor.core.values import Box
from anchor.render.presenter import lipsync
from anchor.render.presenter.lipsync import (
    CLOSED,
    OPEN,
    ROUND,
    LipParams,
    analyse_wav,
    frame_features,
    mouth_shapes,
    read_wav,
    shapes_from,
    smooth,
)
from anchor.render.presenter.track import PresenterTrack

RATE = 16000
FPS = 30


def vowel(ms: int, formants: tuple[float, ...], f0: float = 180.0, level: float = 0.3,
          rate: int = RATE) -> np.ndarray:
    """A vowel-ish burst: harmonics of f0 shaped by formant peaks, with soft edges."""
    t = np.arange(rate * ms // 1000) / rate
    x = np.zeros_like(t)
    for k in range(1, int(4000 / f0)):
        f = k * f0
        gain = sum(1.0 / (1.0 + ((f - fm) / 90.0) ** 2) for fm in formants)
        x += gain * np.sin(2 * np.pi * f * t)
    x *= level / max(1e-9, float(np.max(np.abs(x))))
    ramp = min(len(t) // 4, rate // 100)
    env = np.ones_like(t)
    env[:ramp] = np.linspace(0, 1, ramp)
    env[-ramp:] = np.linspace(1, 0, ramp)
    return x * env


def silence(ms: int, rate: int = RATE) -> np.ndarray:
    return np.zeros(rate * ms // 1000)


def write_wav(path: Path, x: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.repeat(pcm, 2)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


# Wide "a" (F1 800, F2 1300) and "i" (F1 300, F2 2300), round "u" (F1 300, F2 800),
# with pauses between. Round vowels are the minority in speech, as here.
SEGMENTS = [("sil", 500), ("a", 500), ("sil", 600), ("i", 400), ("sil", 400), ("u", 400),
            ("sil", 500)]
FORMANTS = {"a": (800.0, 1300.0), "i": (300.0, 2300.0), "u": (300.0, 800.0)}


def speech() -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    parts, spans, t = [], [], 0
    for kind, ms in SEGMENTS:
        if kind == "sil":
            parts.append(silence(ms))
        else:
            parts.append(vowel(ms, FORMANTS[kind]))
        spans.append((kind, t, t + ms))
        t += ms
    return np.concatenate(parts), spans


@pytest.fixture()
def speech_wav(tmp_path: Path) -> tuple[Path, list[tuple[str, int, int]], int]:
    x, spans = speech()
    return write_wav(tmp_path / "speech.wav", x), spans, len(x) * 1000 // RATE


def frames(start_ms: int, end_ms: int) -> range:
    return range(frame_at(start_ms, FPS), frame_at(end_ms, FPS))


def test_read_wav_mono_and_stereo(tmp_path: Path) -> None:
    x = vowel(200, (700.0,))
    mono, rate = read_wav(write_wav(tmp_path / "m.wav", x))
    stereo, _ = read_wav(write_wav(tmp_path / "s.wav", x, channels=2))
    assert rate == RATE and mono.dtype == np.float32
    assert np.allclose(mono, x, atol=1e-4)
    assert np.allclose(stereo, mono)


def test_not_a_wav_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav file at all")
    with pytest.raises(InputError):
        read_wav(bad)
    with pytest.raises(InputError):
        analyse_wav(tmp_path / "missing.wav", FPS, 1000)


def test_closed_in_silence_open_on_vowels(speech_wav: tuple[Path, list, int]) -> None:
    path, spans, duration = speech_wav
    shapes = analyse_wav(path, FPS, duration)
    assert shapes.dtype == np.int8 and len(shapes) == -(-duration * FPS // 1000)
    for kind, start, end in spans:
        if kind == "sil":
            # The jaw may still be closing just after a vowel; then it must be shut.
            quiet = shapes[list(frames(start + 150, end - 50))]
            assert (quiet == CLOSED).all(), (kind, start, quiet)
        else:
            loud = shapes[list(frames(start + 80, end - 80))]
            assert (loud != CLOSED).all(), (kind, start, loud)


def test_round_vowel_is_round_and_wide_vowels_are_not(speech_wav: tuple[Path, list, int]
                                                      ) -> None:
    path, spans, duration = speech_wav
    shapes = analyse_wav(path, FPS, duration)
    inside = {k: shapes[list(frames(s + 80, e - 80))] for k, s, e in spans if k != "sil"}
    assert not (inside["a"] == ROUND).any() and not (inside["i"] == ROUND).any()
    assert (inside["a"] == OPEN).mean() > 0.5
    assert (inside["u"] == ROUND).mean() > 0.5


def test_streamed_analysis_matches_whole_array(speech_wav: tuple[Path, list, int]) -> None:
    path, _, duration = speech_wav
    x, rate = read_wav(path)
    n = -(-duration * FPS // 1000)
    rms, centroid = frame_features(x, rate, FPS, n)
    assert np.array_equal(mouth_shapes(rms, centroid, FPS), analyse_wav(path, FPS, duration))


def test_audio_shorter_than_clip_is_silence_after_it(speech_wav: tuple[Path, list, int]) -> None:
    path, _, duration = speech_wav
    shapes = analyse_wav(path, FPS, duration + 2000)
    assert (shapes[frame_at(duration + 200, FPS):] == CLOSED).all()


def test_very_quiet_noise_is_not_speech() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 10 ** (-75 / 20), RATE * 2)  # -75 dBFS hiss
    rms, centroid = frame_features(x, RATE, FPS, 60)
    assert (mouth_shapes(rms, centroid, FPS) == CLOSED).all()


def test_smooth_attacks_fast_and_releases_slowly() -> None:
    step = np.r_[np.zeros(5), np.ones(10), np.zeros(10)]
    y = smooth(step, FPS, attack_ms=12.0, release_ms=60.0)
    assert y[5] > 0.9  # one frame after the onset it is almost fully open
    assert 0.3 < y[15] < 0.7  # one frame after the offset it is still half open
    assert y[-1] < 0.05


def test_shapes_step_through_an_in_between_frame_and_hold_on_a_threshold() -> None:
    p = LipParams()
    jump = np.r_[np.zeros(3), np.ones(5)]
    shapes = shapes_from(jump, np.zeros(8, bool), p)
    assert list(shapes[:5]) == [0, 0, 0, 2, 3]  # closed → half → open, not a cut
    # Jitter around the "half" threshold does not flicker between shapes.
    t = p.thresholds[1]
    wobble = np.r_[np.full(3, t + 0.1), t + np.tile([0.02, -0.02], 10)]
    shapes = shapes_from(wobble, np.zeros(len(wobble), bool), p)
    assert len(set(shapes[3:].tolist())) == 1


def test_presenter_mouth_moves_only_while_loud(tmp_path: Path,
                                               speech_wav: tuple[Path, list, int]) -> None:
    """The pixels: the mouth changes during vowels and is identical through a pause."""
    path, spans, duration = speech_wav
    track = PresenterTrack(load_avatar("lin"), Box(0, 0, 300, 400), FPS, duration, path, 0,
                           motion=False, blinks=False)
    g = track.regions.mouth
    d = track.dirty
    sl = (slice(g.y - d.y - 4, g.y - d.y + g.h + 8), slice(g.x - d.x - 4, g.x - d.x + g.w + 4))
    still = track.static[d.y:d.y + d.h, d.x:d.x + d.w][sl]
    for kind, start, end in spans:
        for f in frames(start + (150 if kind == "sil" else 80), end - 80):
            mouth = track.patch(f)[sl]
            if kind == "sil":
                assert np.array_equal(mouth, still), f
            else:
                assert np.abs(mouth.astype(int) - still).max() > 40, f


def test_shape_names_line_up() -> None:
    assert lipsync.SHAPES[CLOSED] == "closed" and lipsync.SHAPES[ROUND] == "round"
    assert len(lipsync.SHAPES) == 5
