"""Integer-millisecond time and the one conversion to frame numbers."""

from __future__ import annotations

__all__ = ["frame_at", "frame_count", "ms_at_frame", "ms_to_samples", "samples_to_ms"]


def frame_at(ms: int, fps: int) -> int:
    """Index of the frame shown at time ``ms`` (floor)."""
    return (ms * fps) // 1000


def frame_count(duration_ms: int, fps: int) -> int:
    """Frames needed to cover ``duration_ms`` (ceil)."""
    return -(-duration_ms * fps // 1000)


def ms_at_frame(frame: int, fps: int) -> int:
    """Start time in ms of frame ``frame`` (floor)."""
    return (frame * 1000) // fps


def samples_to_ms(samples: int, sample_rate: int) -> int:
    return (samples * 1000) // sample_rate


def ms_to_samples(ms: int, sample_rate: int) -> int:
    return (ms * sample_rate) // 1000
