"""What is in a media file: size, rate, codecs, stream lengths, faststart.

imageio-ffmpeg ships no ffprobe, so streams are read with PyAV; faststart (the
``moov`` index before the ``mdat`` media data, so players start before the whole
file has arrived) is read from the MP4's top-level boxes directly.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from anchor.core.errors import InputError

__all__ = ["MediaInfo", "mp4_top_level_boxes", "probe"]


@dataclass(frozen=True, slots=True)
class MediaInfo:
    path: Path
    width: int  # 0 when there is no video stream
    height: int
    fps: float  # average frame rate, 0.0 when unknown
    video_codec: str | None
    pix_fmt: str | None
    video_frames: int  # as the container counts them; 0 when unknown
    video_duration_ms: int | None
    audio_codec: str | None
    audio_sample_rate: int | None
    audio_channels: int | None
    audio_duration_ms: int | None
    duration_ms: int  # the container's
    faststart: bool


def mp4_top_level_boxes(path: Path) -> list[str]:
    """Types of the top-level boxes of an ISO-BMFF file, in file order."""
    kinds: list[str] = []
    size = path.stat().st_size
    with path.open("rb") as f:
        pos = 0
        while pos + 8 <= size:
            f.seek(pos)
            head = f.read(8)
            n, kind = struct.unpack(">I4s", head)
            if n == 1:  # 64-bit size follows the type
                n = struct.unpack(">Q", f.read(8))[0]
            elif n == 0:  # the box runs to the end of the file
                n = size - pos
            if n < 8:
                break  # not an MP4, or damaged: stop rather than loop
            kinds.append(kind.decode("latin-1"))
            pos += n
    return kinds


def _ms(duration: int | None, time_base: Fraction | None) -> int | None:
    if duration is None or time_base is None:
        return None
    return int(duration * time_base * 1000)


def probe(path: Path) -> MediaInfo:
    """Read ``path``'s streams; InputError when it is not a media file."""
    import av  # imported late: only probing and tests need it

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise InputError(f"cannot read media file {path}: {exc}") from exc
    with container:
        v = container.streams.video[0] if container.streams.video else None
        a = container.streams.audio[0] if container.streams.audio else None
        boxes = mp4_top_level_boxes(path)
        faststart = "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index(
            "mdat"
        )
        return MediaInfo(
            path=path,
            width=v.codec_context.width if v else 0,
            height=v.codec_context.height if v else 0,
            fps=float(v.average_rate) if v and v.average_rate else 0.0,
            video_codec=v.codec_context.name if v else None,
            pix_fmt=v.codec_context.pix_fmt if v else None,
            video_frames=v.frames if v else 0,
            video_duration_ms=_ms(v.duration, v.time_base) if v else None,
            audio_codec=a.codec_context.name if a else None,
            audio_sample_rate=a.codec_context.sample_rate if a else None,
            audio_channels=a.codec_context.channels if a else None,
            audio_duration_ms=_ms(a.duration, a.time_base) if a else None,
            duration_ms=int(container.duration * 1000 // av.time_base) if container.duration else 0,
            faststart=faststart,
        )
