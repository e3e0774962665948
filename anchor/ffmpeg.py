"""Locate ffmpeg once and run it in one place that turns failures into RenderError."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence

from .errors import BackendUnavailable, RenderError

__all__ = ["ffmpeg_exe", "run_ffmpeg"]


@functools.cache
def ffmpeg_exe() -> str:
    """PATH ffmpeg first (the system's may have more codecs), else imageio-ffmpeg's."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise BackendUnavailable(
            "ffmpeg not found", hint="pip install imageio-ffmpeg, or install ffmpeg"
        ) from exc
    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: Sequence[str], what: str = "ffmpeg") -> None:
    """Run ffmpeg with ``args`` (without the executable); raise RenderError with stderr."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise RenderError(f"{what} failed: {tail}", hint="run with -v to see the ffmpeg command")
