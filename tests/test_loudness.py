"""Loudness normalisation: targets met, true peak under the ceiling, 24 kHz mono 16-bit out."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from anchor.speech.level import (
    Loudness,
    analysis_args,
    limit,
    measure,
    measure_samples,
    music_bed,
    music_bed_args,
    normalize,
    true_peak,
)

RATE = 24000


def write_wav(path: Path, x: np.ndarray, rate: int = RATE) -> Path:
    pcm = (np.clip(x, -1.0, 1.0) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int, int, int]:
    with wave.open(str(path), "rb") as r:
        pcm = np.frombuffer(r.readframes(r.getnframes()), "<i2")
        return pcm.astype(np.float32) / 32768, r.getframerate(), r.getnchannels(), r.getsampwidth()


def speechlike(seconds: float, level: float, seed: int = 0) -> np.ndarray:
    """A buzz with syllable-rate bursts and pauses: a crest factor like speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(RATE * seconds)) / RATE
    buzz = np.sin(2 * np.pi * 160 * t) + 0.5 * np.sin(2 * np.pi * 480 * t)
    buzz += 0.3 * rng.standard_normal(t.size)
    envelope = np.clip(np.sin(2 * np.pi * 3.5 * t), 0, None) ** 2
    envelope[(t % 1.5) > 1.2] = 0.0  # a pause every 1.5 s
    return level * buzz * envelope / 1.8


def noise(seconds: float, level: float, seed: int = 1) -> np.ndarray:
    return level * np.random.default_rng(seed).standard_normal(int(RATE * seconds))


@pytest.mark.parametrize("target", [-16.0, -23.0])
@pytest.mark.parametrize("kind", ["speechlike-quiet", "speechlike-hot", "noise", "tone"])
def test_normalize_meets_target_and_true_peak(tmp_path: Path, target: float, kind: str) -> None:
    signal = {
        "speechlike-quiet": lambda: speechlike(3.0, 0.05),  # ~-35 LUFS: needs a big lift
        "speechlike-hot": lambda: speechlike(3.0, 0.98),  # peaks at full scale
        "noise": lambda: noise(2.0, 0.05),
        "tone": lambda: 0.5 * np.sin(2 * np.pi * 1000 * np.arange(2 * RATE) / RATE),
    }[kind]()
    src = write_wav(tmp_path / "in.wav", signal)
    report = normalize(src, tmp_path / "out.wav", target_lufs=target, true_peak=-1.0)

    after = measure(tmp_path / "out.wav")
    assert abs(after.integrated_lufs - target) <= 1.0, (kind, report)
    assert after.true_peak_dbtp <= -1.0, (kind, report)
    assert abs(report.after.integrated_lufs - after.integrated_lufs) <= 0.3, (kind, report)
    assert report.mode in ("linear", "limited")
    x, rate, channels, width = read_wav(tmp_path / "out.wav")
    assert (rate, channels, width) == (RATE, 1, 2)  # loudnorm's 192 kHz resampled back
    assert abs(len(x) - len(signal)) <= RATE // 100  # same length within 10 ms


def test_measure_reads_known_levels(tmp_path: Path) -> None:
    # a full-scale 1 kHz sine reads -3.0 LUFS (EBU Tech 3341: K-weighting is ~0 dB at 1 kHz)
    t = np.arange(2 * RATE) / RATE
    loud = measure(write_wav(tmp_path / "sine.wav", 0.5 * np.sin(2 * np.pi * 1000 * t)))
    assert loud.integrated_lufs == pytest.approx(-9.0, abs=0.3)  # half scale: -6 dB lower
    assert loud.true_peak_dbtp == pytest.approx(-6.0, abs=0.3)
    assert not loud.silent


def test_silence_is_copied_not_scaled(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    src = write_wav(tmp_path / "silent.wav", np.zeros(RATE))
    report = normalize(src, tmp_path / "out.wav")
    assert report.mode == "none"
    assert report.before.silent and report.after.silent
    assert "silent" in caplog.text
    assert report.before == Loudness(float("-inf"), float("-inf"), 0.0, float("-inf"))
    x, rate, _, _ = read_wav(tmp_path / "out.wav")
    assert rate == RATE and not x.any()
    # -inf is not JSON: the report's dict form says null
    json.dumps(report.as_dict(), allow_nan=False)
    assert report.as_dict()["after"]["integrated_lufs"] is None


def test_normalize_in_place_replaces_atomically(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "voice.wav", speechlike(2.0, 0.1))
    normalize(src, src, target_lufs=-16.0)
    assert abs(measure(src).integrated_lufs + 16.0) <= 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["voice.wav"]  # no temp file left


def test_normalize_resamples_other_rates_to_24k(tmp_path: Path) -> None:
    t = np.arange(44100 * 2) / 44100
    src = write_wav(tmp_path / "cd.wav", 0.2 * np.sin(2 * np.pi * 440 * t), rate=44100)
    normalize(src, tmp_path / "out.wav", target_lufs=-23.0)
    _, rate, channels, _ = read_wav(tmp_path / "out.wav")
    assert (rate, channels) == (RATE, 1)


def test_argument_builders(tmp_path: Path) -> None:
    a = analysis_args(Path("in.wav"))
    assert a[-3:] == ["-f", "null", "-"]
    assert "print_format=json" in a[a.index("-af") + 1]
    bed = music_bed_args(Path("v.wav"), Path("o.wav"), 5000)
    graph = bed[bed.index("-filter_complex") + 1]
    assert "sidechaincompress" in graph and "aevalsrc" in " ".join(bed)
    assert "atrim=duration=5.000" in graph


def test_music_bed_is_quiet_ducked_and_keeps_the_length(tmp_path: Path) -> None:
    # voice: a burst, 1.5 s of silence, a burst
    v = speechlike(1.0, 0.3)
    voice = np.concatenate([v, np.zeros(int(1.5 * RATE)), v])
    src = write_wav(tmp_path / "voice.wav", voice)
    out = music_bed(src, tmp_path / "mixed.wav")
    x, rate, _, _ = read_wav(out)
    assert rate == RATE and abs(len(x) - len(voice)) <= RATE // 100

    def db(seg: np.ndarray) -> float:
        return float(20 * np.log10(np.sqrt(np.mean(seg**2)) + 1e-12))

    gap = x[int(1.9 * RATE): int(2.4 * RATE)]  # late in the pause: the bed has come back up
    assert -50 < db(gap) < -25  # audible, well under the voice
    bed_under_voice = x[: RATE] - voice[: RATE]
    assert db(bed_under_voice) < db(gap)  # ducked while the voice speaks


@pytest.mark.slow
def test_real_tts_track_reaches_online_and_broadcast_targets(tmp_path: Path) -> None:
    from anchor.speech import speak
    from anchor.speech.voices import load_voice

    speech = speak(["The digital reporter reads the news in two languages."], "en",
                   load_voice("en-female"), backend="offline", out_wav=tmp_path / "en.wav",
                   cache_dir=tmp_path / "cache")
    for target in (-16.0, -23.0):
        report = normalize(speech.audio, tmp_path / f"en{target:g}.wav", target_lufs=target)
        assert abs(report.after.integrated_lufs - target) <= 1.0, report
        assert report.after.true_peak_dbtp <= -1.0, report


@pytest.mark.parametrize("target", [-16.0, -23.0])
def test_normalize_keeps_timing(tmp_path: Path, target: float) -> None:
    """Captions and lip sync are timed on the voice track: no delay, no length change."""
    x = np.zeros(4 * RATE)
    burst = speechlike(2.0, 0.2)
    x[RATE: RATE + burst.size] = burst  # speech starts at exactly 1 s
    src = write_wav(tmp_path / "in.wav", x)
    normalize(src, tmp_path / "out.wav", target_lufs=target)
    y, _, _, _ = read_wav(tmp_path / "out.wav")
    assert len(y) == len(x)
    onset = int(np.flatnonzero(np.abs(y) > 0.01 * np.abs(y).max())[0])
    expected = int(np.flatnonzero(np.abs(x) > 0.01 * np.abs(x).max())[0])
    assert abs(onset - expected) <= RATE // 500  # within 2 ms


@pytest.mark.parametrize("kind", ["speechlike", "noise", "tone-100Hz", "tone-5kHz"])
def test_in_memory_measurement_agrees_with_ffmpeg(tmp_path: Path, kind: str) -> None:
    """normalize measures in numpy; ffmpeg's loudnorm is the referee."""
    t = np.arange(3 * RATE) / RATE
    x = {"speechlike": lambda: speechlike(3.0, 0.3),
         "noise": lambda: noise(3.0, 0.1),
         "tone-100Hz": lambda: 0.3 * np.sin(2 * np.pi * 100 * t),  # on the K-filter's slope
         "tone-5kHz": lambda: 0.3 * np.sin(2 * np.pi * 5000 * t)}[kind]()  # on its shelf
    path = write_wav(tmp_path / "x.wav", x)
    ours, ffmpeg = measure_samples(read_wav(path)[0], RATE), measure(path)
    assert ours.integrated_lufs == pytest.approx(ffmpeg.integrated_lufs, abs=0.15)
    assert ours.true_peak_dbtp == pytest.approx(ffmpeg.true_peak_dbtp, abs=0.3)


def test_limiter_holds_the_ceiling_and_leaves_the_rest() -> None:
    x = speechlike(3.0, 0.3).astype(np.float32)
    burst = int(0.64 * RATE)  # inside a syllable
    x[burst: burst + 240] *= 5.0  # one hot burst of 10 ms
    assert true_peak(x, RATE) > 1.2
    ceiling = 10 ** (-1.3 / 20)
    y = limit(x, RATE, ceiling)
    assert true_peak(y, RATE) <= ceiling * 1.01
    far = np.r_[0: int(0.3 * RATE), int(1.5 * RATE): 3 * RATE]  # away from the burst
    assert np.array_equal(y[far], x[far])
    near = slice(burst - 480, burst + 1200)
    loud = np.abs(x[near]) > 0.05
    gain = y[near][loud] / x[near][loud]
    assert gain.min() < 0.7 and np.abs(np.diff(gain)).max() < 0.1  # limited, without steps
