"""Integer-millisecond time, frame rates, and the one conversion to frame numbers.

A frame rate is an exact ``Fraction`` (30000/1001 for NTSC's 29.97), so frame times are
exact integer arithmetic on a rational time base: frame ``n`` of a 29.97 clip starts at
``n * 1001 / 30000`` s, never at an accumulated float.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["FRAME_RATES", "Fps", "fps_text", "frame_at", "frame_count", "ms_at_frame",
           "ms_to_samples", "parse_fps", "samples_to_ms"]

Fps = int | Fraction

# The broadcast rates: film, PAL and NTSC, at normal and double rate.
FRAME_RATES: tuple[Fraction, ...] = (
    Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
    Fraction(50), Fraction(60000, 1001), Fraction(60),
)
_DECIMAL_NAMES = {"23.976": Fraction(24000, 1001), "29.97": Fraction(30000, 1001),
                  "59.94": Fraction(60000, 1001)}


def parse_fps(raw: object) -> Fraction:
    """A supported frame rate from ``30``, ``"25"``, ``"29.97"``, ``29.97`` or
    ``"30000/1001"``; ValueError otherwise."""
    text = str(raw).strip()
    if text in _DECIMAL_NAMES:
        return _DECIMAL_NAMES[text]
    if isinstance(raw, float) or ("." in text and "/" not in text):
        # a decimal NTSC rate, however it was rounded (29.97, 29.970029...)
        value = float(text)
        near = [r for r in FRAME_RATES if abs(float(r) - value) < 0.006]
        if near:
            return near[0]
        raise ValueError(text)
    rate = Fraction(text)
    if rate not in FRAME_RATES:
        raise ValueError(text)
    return rate


def fps_text(fps: Fps) -> str:
    """How ffmpeg, the manifest and messages write a rate: ``30`` or ``30000/1001``."""
    return str(Fraction(fps))


def frame_at(ms: int, fps: Fps) -> int:
    """Index of the frame shown at time ``ms`` (floor)."""
    return int((ms * fps) // 1000)


def frame_count(duration_ms: int, fps: Fps) -> int:
    """Frames needed to cover ``duration_ms`` (ceil)."""
    return int(-(-duration_ms * fps // 1000))


def ms_at_frame(frame: int, fps: Fps) -> int:
    """Start time in ms of frame ``frame`` (floor)."""
    return int((frame * 1000) // fps)


def samples_to_ms(samples: int, sample_rate: int) -> int:
    return (samples * 1000) // sample_rate


def ms_to_samples(ms: int, sample_rate: int) -> int:
    return (ms * sample_rate) // 1000
