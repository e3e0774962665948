"""edge-tts: Microsoft's neural voices over the internet (the best voices, when online).

The service streams mp3 and, when asked with ``boundary="WordBoundary"``, the time of every
word in 100-ns ticks. We retry a failed sentence a few times with a growing wait, then raise
BackendUnavailable; ``speak`` turns that into one warning and reads the track offline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import io
import logging
import socket
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import numpy as np

from anchor.core.errors import BackendUnavailable, ConfigError
from anchor.core.keys import stage_code
from anchor.core.values import Lang, Span, VoicePreset

from .base import SAMPLE_RATE, Synth, package_version

__all__ = ["EdgeBackend", "decode_mp3", "reachable"]

log = logging.getLogger(__name__)

HOST = "speech.platform.bing.com"
PROBE_TIMEOUT_S = 2.0
PROBE_TTL_S = 300.0  # a run of many sentences asks once, not once per sentence
_TICKS_PER_MS = 10_000  # edge-tts offsets and durations are in 100-ns ticks

_probe_lock = threading.Lock()
_probe_result: tuple[float, bool] | None = None

T = TypeVar("T")


def reachable(timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether the edge-tts host answers on port 443; cached for a few minutes."""
    global _probe_result
    with _probe_lock:
        now = time.monotonic()
        if _probe_result is not None and now - _probe_result[0] < PROBE_TTL_S:
            return _probe_result[1]
        ok = _probe(timeout)
        _probe_result = (now, ok)
        log.debug("edge-tts probe: %s", "reachable" if ok else "unreachable")
        return ok


def _probe(timeout: float) -> bool:
    # A DNS lookup ignores socket timeouts, so the connect runs in a daemon thread that we
    # stop waiting for after ``timeout``: the probe never costs more than that.
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((HOST, 443), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=attempt, name="edge-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(result and result[0])


def decode_mp3(data: bytes) -> np.ndarray:
    """mp3 bytes → mono float32 samples at SAMPLE_RATE."""
    import av

    parts: list[np.ndarray] = []
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    with av.open(io.BytesIO(data), mode="r", format="mp3") as container:
        for frame in container.decode(audio=0):
            parts += [f.to_ndarray() for f in resampler.resample(frame)]
    parts += [f.to_ndarray() for f in resampler.resample(None)]
    if not parts:
        return np.zeros(0, np.float32)
    return np.concatenate(parts, axis=1).ravel().astype(np.float32, copy=False)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from sync code, even when called inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # inside a running loop (the web app): give the coroutine a private loop on a worker thread
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _describe(exc: BaseException) -> str:
    """One short line for a failure (aiohttp's own text drags in the SSL context's repr)."""
    host, cause = getattr(exc, "host", None), getattr(exc, "os_error", None)
    if host and isinstance(cause, OSError):
        return f"cannot reach {host}: {cause.strerror or cause}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _remember_unreachable() -> None:
    """After a failed run, "auto" goes straight offline for the next track too."""
    global _probe_result
    with _probe_lock:
        _probe_result = (time.monotonic(), False)


class EdgeBackend:
    name = "edge"
    version = f"edge-tts-{package_version('edge-tts')} code-{stage_code('speech.edge')[:16]}"
    languages: tuple[Lang, ...] = ("zh", "en")
    cost = 0.05  # mostly waiting on the network

    tries = 3
    backoff_s: tuple[float, ...] = (1.0, 2.0)  # waits after the first and second failures
    connect_timeout_s = 10
    receive_timeout_s = 30
    sentence_timeout_s = 90.0  # a whole sentence, however the stream trickles

    def available(self) -> bool:
        return self._installed() and reachable()

    @staticmethod
    def _installed() -> bool:
        return all(importlib.util.find_spec(m) for m in ("edge_tts", "aiohttp", "av"))

    def voice_id(self, voice: VoicePreset) -> str:
        return voice.edge_voice

    def synthesize(self, text: str, voice: VoicePreset) -> Synth:
        if not voice.edge_voice:
            raise ConfigError(f"voice preset {voice.name!r} names no edge voice",
                              hint="set edge_voice in its TOML, e.g. zh-CN-XiaoxiaoNeural")
        if not self._installed():
            raise BackendUnavailable("edge-tts is not installed", hint="pip install edge-tts av")
        retryable = self._retryable()
        last: BaseException | None = None
        for attempt in range(self.tries):
            try:
                mp3, words = _run(self._fetch(text, voice))
                return Synth(decode_mp3(mp3), SAMPLE_RATE, words)
            except retryable as exc:
                last = exc
                log.debug("edge-tts try %d/%d failed: %s", attempt + 1, self.tries,
                          _describe(exc))
                if attempt + 1 < self.tries:
                    time.sleep(self.backoff_s[min(attempt, len(self.backoff_s) - 1)])
        assert last is not None
        _remember_unreachable()
        raise BackendUnavailable(
            f"edge-tts failed after {self.tries} tries ({_describe(last)})",
            hint="check the internet connection, or choose the offline backend",
        )

    @staticmethod
    def _retryable() -> tuple[type[BaseException], ...]:
        import aiohttp
        import av
        from edge_tts.exceptions import EdgeTTSException

        # network, service and decode failures; a bad voice name (ValueError) is not retried
        return (OSError, TimeoutError, aiohttp.ClientError, EdgeTTSException, av.FFmpegError)

    async def _fetch(self, text: str, voice: VoicePreset) -> tuple[bytes, tuple[Span, ...]]:
        import edge_tts

        try:
            communicate = edge_tts.Communicate(
                text, voice.edge_voice, rate=voice.edge_rate, pitch=voice.edge_pitch,
                boundary="WordBoundary",  # newer edge-tts defaults to sentence boundaries
                connect_timeout=self.connect_timeout_s, receive_timeout=self.receive_timeout_s,
            )
        except ValueError as exc:
            raise ConfigError(f"edge-tts rejected voice preset {voice.name!r}: {exc}") from None
        audio = bytearray()
        words: list[Span] = []

        async def collect() -> None:
            async for chunk in communicate.stream():
                if chunk["type"] == "audio":
                    audio.extend(chunk.get("data", b""))
                elif chunk["type"] == "WordBoundary":
                    start = int(chunk.get("offset", 0)) // _TICKS_PER_MS
                    end = start + int(chunk.get("duration", 0)) // _TICKS_PER_MS
                    words.append(Span(start, end, chunk.get("text", "")))

        await asyncio.wait_for(collect(), timeout=self.sentence_timeout_s)
        return bytes(audio), tuple(words)
