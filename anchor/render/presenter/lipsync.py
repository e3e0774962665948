"""Mouth shapes from the voice track: one small integer per video frame.

No phoneme recogniser: loudness says how far the mouth is open, and a cheap
spectral cue (the centroid of 200–4000 Hz) says whether an open vowel is round
("o", "u", whose second formant is low) or wide ("a", "i", "e"). That is what
a viewer checks at broadcast size: the mouth moves with the syllables, is shut in
pauses, and does not flicker.

Everything here is a pure function on numpy arrays except ``read_wav`` and
``analyse_wav``, which read a WAV file a few seconds at a time so memory
stays flat however long the clip is.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anchor.core.errors import InputError
from anchor.core.timing import Fps, frame_count, ms_at_frame, ms_to_samples

__all__ = [
    "CLOSED",
    "HALF",
    "OPEN",
    "ROUND",
    "SHAPES",
    "SLIGHT",
    "LipParams",
    "analyse_features",
    "analyse_wav",
    "frame_features",
    "mouth_shapes",
    "openness",
    "read_wav",
    "shapes_from",
    "smooth",
]

SHAPES: tuple[str, ...] = ("closed", "slight", "half", "open", "round")
CLOSED, SLIGHT, HALF, OPEN, ROUND = range(5)
# How open each shape is, 0..3: used for step limits (ROUND sits with HALF).
_LEVEL = np.array([0, 1, 2, 3, 2], dtype=np.int8)


@dataclass(frozen=True, slots=True)
class LipParams:
    """Tuning of the audio → mouth mapping; the defaults were set by eye on speech."""

    window_ms: int = 50  # analysis window: two pitch periods of a low male voice and then some
    lead_ms: int = 20  # lips move a little before the sound (and late lips look worse than early)
    attack_ms: float = 12.0  # open fast on a syllable onset
    release_ms: float = 60.0  # close a bit slower, like a jaw does
    range_db: float = 20.0  # loudness span from "barely open" to "fully open"
    gate_db: float = 30.0  # quieter than the clip's loud speech by this much: silence
    floor_dbfs: float = -55.0  # absolute silence, whatever the clip's level
    thresholds: tuple[float, float, float] = (0.2, 0.45, 0.75)  # slight, half, open
    hysteresis: float = 0.04  # a shape holds until the openness is this far past its edge
    max_step: int = 2  # levels per frame: closed→open passes through one in-between frame
    round_below: float = 0.7  # spectral centroid under this share of the clip's median: round


# ----------------------------------------------------------------------------- audio in


def _decode(raw: bytes, width: int, channels: int) -> np.ndarray:
    """PCM bytes → float32 mono in [-1, 1]."""
    if width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 1 << 23, v - (1 << 24), v)).astype(np.float32) / float(1 << 23)
    elif width == 4:
        x = np.frombuffer(raw, dtype="<i4").astype(np.float32) / float(1 << 31)
    else:
        raise InputError(f"unsupported WAV sample width {width} bytes",
                         hint="write 16-bit PCM WAV")
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    return x


def _open_wav(path: Path) -> wave.Wave_read:
    try:
        return wave.open(str(path), "rb")
    except (OSError, EOFError, wave.Error) as exc:
        raise InputError(f"cannot read audio {path}: {exc}",
                         hint="the voice track must be a PCM WAV file (16-bit mono)") from exc


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A whole WAV file as float32 mono samples in [-1, 1] and its sample rate."""
    with _open_wav(path) as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        raw = w.readframes(w.getnframes())
    return _decode(raw, width, channels), rate


# ----------------------------------------------------------------------------- features


def _window_starts(first: int, count: int, fps: Fps, sample_rate: int,
                   p: LipParams) -> np.ndarray:
    """Sample index where each frame's analysis window starts (may be negative)."""
    frames = np.arange(first, first + count + 1)
    edges = np.array([ms_at_frame(int(f), fps) for f in frames])
    centres = (edges[:-1] + edges[1:]) // 2 + p.lead_ms
    # Floor division makes ms_to_samples right for the negative times of frame 0 too.
    return np.array([ms_to_samples(int(c) - p.window_ms // 2, sample_rate) for c in centres],
                    dtype=np.int64)


def _centroid(windows: np.ndarray, sample_rate: int) -> np.ndarray:
    """Spectral centroid (Hz) of each window within 200–4000 Hz, where the formants are.

    Round vowels ("o", "u") have a low second formant and put almost no energy
    above 1 kHz, so their centroid sits far below that of "a", "e" and "i".
    """
    n = windows.shape[1]
    nfft = 1 << max(6, int(np.ceil(np.log2(n))))
    spec = np.abs(np.fft.rfft(windows * np.hanning(n).astype(np.float32), n=nfft, axis=1)) ** 2
    freqs = np.fft.rfftfreq(nfft, 1.0 / sample_rate)
    band = (freqs >= 200) & (freqs < 4000)
    power = spec[:, band]
    return (power @ freqs[band]) / (power.sum(axis=1) + 1e-12)


def frame_features(samples: np.ndarray, sample_rate: int, fps: Fps, n_frames: int,
                   params: LipParams | None = None, *, first_frame: int = 0,
                   offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: RMS level and spectral centroid (Hz) of the audio around it.

    ``samples`` may be a slice of a longer track that starts at sample ``offset``;
    windows reaching outside it read as silence.
    """
    p = params or LipParams()
    length = max(1, ms_to_samples(p.window_ms, sample_rate))
    starts = _window_starts(first_frame, n_frames, fps, sample_rate, p) - offset
    idx = starts[:, None] + np.arange(length)[None, :]
    valid = (idx >= 0) & (idx < samples.shape[0])
    windows = np.where(valid, samples[np.clip(idx, 0, max(0, samples.shape[0] - 1))]
                       if samples.size else 0.0, 0.0).astype(np.float32)
    rms = np.sqrt(np.mean(windows.astype(np.float64) ** 2, axis=1))
    return rms, _centroid(windows, sample_rate)


def analyse_wav(path: Path, fps: Fps, duration_ms: int,
                params: LipParams | None = None) -> np.ndarray:
    """Mouth shape per frame for a WAV file, reading it a few seconds at a time."""
    p = params or LipParams()
    return mouth_shapes(*analyse_features(path, fps, duration_ms, p), fps, p)


def analyse_features(path: Path, fps: Fps, duration_ms: int,
                     params: LipParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per frame RMS and spectral centroid of a WAV file, read a few seconds at a time."""
    p = params or LipParams()
    n = frame_count(duration_ms, fps)
    rms = np.zeros(n)
    centroid = np.zeros(n)
    block = int(10 * fps)  # frames per read: ~10 s of audio in memory at a time
    with _open_wav(path) as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        total = w.getnframes()
        pad = ms_to_samples(p.window_ms + abs(p.lead_ms), rate) + 1
        for first in range(0, n, block):
            count = min(block, n - first)
            lo = max(0, ms_to_samples(ms_at_frame(first, fps), rate) - pad)
            hi = min(total, ms_to_samples(ms_at_frame(first + count, fps), rate) + pad)
            if lo >= hi:
                continue  # past the end of the audio: silence (already zeros)
            w.setpos(lo)
            chunk = _decode(w.readframes(hi - lo), width, channels)
            rms[first:first + count], centroid[first:first + count] = frame_features(
                chunk, rate, fps, count, p, first_frame=first, offset=lo)
    return rms, centroid


# ----------------------------------------------------------------------------- mapping


def openness(rms: np.ndarray, fps: Fps, params: LipParams | None = None) -> np.ndarray:
    """How open the mouth is per frame, 0..1: normalised per clip, gated, smoothed."""
    p = params or LipParams()
    db = 20.0 * np.log10(np.maximum(rms, 1e-9))
    voiced = db[db > p.floor_dbfs]
    if voiced.size == 0:
        return np.zeros_like(db)
    # Loud speech of this clip, not its single loudest frame: TTS level varies by voice.
    ref = float(np.percentile(voiced, 95))
    o = np.clip((db - (ref - p.range_db)) / p.range_db, 0.0, 1.0)
    o[db < max(p.floor_dbfs, ref - p.gate_db)] = 0.0
    return smooth(o, fps, p.attack_ms, p.release_ms)


def smooth(x: np.ndarray, fps: Fps, attack_ms: float, release_ms: float) -> np.ndarray:
    """One-pole follower that rises with ``attack_ms`` and falls with ``release_ms``."""
    frame_ms = 1000.0 / fps
    up = 1.0 - np.exp(-frame_ms / max(attack_ms, 1e-3))
    down = 1.0 - np.exp(-frame_ms / max(release_ms, 1e-3))
    out = np.empty_like(x, dtype=np.float64)
    y = 0.0
    for i, v in enumerate(x.tolist()):
        y += (up if v > y else down) * (v - y)
        out[i] = y
    return out


def shapes_from(open_: np.ndarray, round_: np.ndarray,
                params: LipParams | None = None) -> np.ndarray:
    """Discrete shapes from openness (0..1) and a round-vowel flag, per frame.

    Hysteresis keeps a shape until the openness is clearly past its edge (no
    flicker on a level that sits on a threshold), and the level moves at most
    ``max_step`` per frame so a jump from closed to open shows one in-between frame.
    """
    p = params or LipParams()
    t = p.thresholds
    out = np.zeros(open_.shape[0], dtype=np.int8)
    level = 0
    for i, o in enumerate(open_.tolist()):
        target = level
        while target < 3 and o > t[target] + p.hysteresis:
            target += 1
        while target > 0 and o < t[target - 1] - p.hysteresis:
            target -= 1
        if o <= 1e-3:
            target = 0  # gated silence closes, whatever the hysteresis says
        level += int(np.clip(target - level, -p.max_step, p.max_step))
        shape = level
        if level >= HALF and round_[i]:
            shape = ROUND
        out[i] = shape
    return out


def _round_flags(centroid: np.ndarray, open_: np.ndarray, p: LipParams) -> np.ndarray:
    """Frames whose spectrum is darker than this speaker's usual, by majority over 3 frames."""
    voiced = open_ > p.thresholds[1]
    if voiced.sum() < 3:
        return np.zeros(centroid.shape[0], dtype=bool)
    # Relative to the clip's own median: a female voice's formants sit higher than a
    # male one's by more than "o" and "a" of one speaker differ.
    base = float(np.median(centroid[voiced]))
    flag = (centroid < base * p.round_below).astype(np.int8)
    padded = np.pad(flag, 1, mode="edge")
    return (padded[:-2] + padded[1:-1] + padded[2:]) >= 2  # majority of 3: no 1-frame blips


def mouth_shapes(rms: np.ndarray, centroid: np.ndarray, fps: Fps,
                 params: LipParams | None = None) -> np.ndarray:
    """The whole mapping: per-frame RMS and spectral centroid → shape (int8, see SHAPES)."""
    p = params or LipParams()
    o = openness(rms, fps, p)
    return shapes_from(o, _round_flags(centroid, o, p), p)
