"""Word timings for a voice track that came without them, and the yardstick for word times.

The offline voices (Kokoro, hibari) predict every phoneme's duration and so give word times
themselves (``anchor.speech.phonemes``); edge-tts sends word boundaries. Only a backend that
gives neither (a voice without a derived durations model) needs this module's Whisper pass:
its word times, moved onto the audible onsets, cost about a sixth of the audio's duration.
Whisper otherwise stays the independent check (``anchor check``).

``voice_onsets`` and ``onset_errors`` measure word times against the audio itself: where the
voice starts after a pause, a word must start.
"""

from __future__ import annotations

import logging
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anchor.core.values import Span, Speech

from .asr import transcribe

__all__ = ["onset_errors", "read_pcm16", "refine_word_starts", "speech_word_timings",
           "voice_onsets"]

log = logging.getLogger(__name__)

_FRAME_MS = 10
_SILENCE_BELOW_DB = 35.0  # frames this far under the speech level count as silence
_ONSET_FRAMES = 2  # voiced frames in a row that make an onset (20 ms)


def read_pcm16(wav: Path) -> tuple[Any, int]:
    """Samples (float, -1..1) and rate of a 16-bit mono WAV."""
    import numpy as np

    with wave.open(str(wav), "rb") as r:
        rate = r.getframerate()
        pcm = np.frombuffer(r.readframes(r.getnframes()), "<i2")
    return pcm.astype(np.float32) / 32768.0, rate


def speech_word_timings(speech: Speech) -> tuple[Span, ...]:
    """Word spans of ``speech.audio`` recognised by Whisper, starts refined onto onsets."""
    raw = transcribe(speech.audio, speech.language)
    words = refine_word_starts(raw.words, *read_pcm16(speech.audio))
    log.info("aligned %d %s words by speech recognition", len(words), speech.language)
    return words


def _voiced(samples: Any, rate: int) -> Any:
    """Per 10 ms frame: is it louder than the speech level minus _SILENCE_BELOW_DB?"""
    import numpy as np

    x = np.asarray(samples, dtype=np.float32)
    frame = rate * _FRAME_MS // 1000
    n = len(x) // frame
    if n == 0:
        return np.zeros(0, bool)
    db = 20 * np.log10(np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1)) + 1e-9)
    speech = float(np.percentile(db, 95))
    if speech < -70:  # nothing audible
        return np.zeros(n, bool)
    return db > speech - _SILENCE_BELOW_DB


def voice_onsets(samples: Any, rate: int, min_pause_ms: int = 120) -> list[int]:
    """Times (ms) where the voice starts after at least ``min_pause_ms`` of silence (and at
    the first sound): _ONSET_FRAMES voiced 10 ms frames in a row after the pause."""
    voiced = _voiced(samples, rate)
    pause = min_pause_ms // _FRAME_MS
    out: list[int] = []
    quiet = pause  # the track's start counts as a pause
    for k in range(len(voiced) - _ONSET_FRAMES + 1):
        if not voiced[k]:
            quiet += 1
            continue
        if quiet >= pause and voiced[k:k + _ONSET_FRAMES].all():
            out.append(k * _FRAME_MS)
        quiet = 0
    return out


def onset_errors(words: Sequence[Span], onsets: Sequence[int]) -> list[int]:
    """For every voice onset, the signed distance (ms) from it to the nearest word start
    (positive: the word starts late)."""
    starts = sorted(w.start_ms for w in words)
    if not starts:
        return []
    import bisect

    out = []
    for t in onsets:
        i = bisect.bisect_left(starts, t)
        near = [starts[j] for j in (i - 1, i) if 0 <= j < len(starts)]
        best = min(near, key=lambda s: abs(s - t))
        out.append(best - t)
    return out


def refine_word_starts(words: Sequence[Span], samples: Any, rate: int) -> tuple[Span, ...]:
    """Word starts moved onto the audible onset where Whisper put them in silence.

    Whisper's word times come from attention and tend to start a word right where the
    previous one ended, swallowing the pause between them (measured on an offline TTS
    track: "The" at 0 ms for speech starting at 310 ms, "can" 430 ms early across a
    pause). A caption is timed to the audible word, so: when a word starts in silence,
    or a pause (>= 120 ms of silence) lies inside it, its start moves to the first onset
    after that silence, if one comes before the word's end. ``samples``: mono float audio.
    """
    import numpy as np

    x = np.asarray(samples, dtype=np.float32)
    frame = rate * _FRAME_MS // 1000
    n = len(x) // frame
    if n == 0 or not words:
        return tuple(words)
    db = 20 * np.log10(np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1)) + 1e-9)
    speech = float(np.percentile(db, 95))
    if speech < -70:  # nothing audible: leave the times alone
        return tuple(words)
    voiced = db > speech - _SILENCE_BELOW_DB
    pause = 120 // _FRAME_MS

    def onset(f: int, end: int) -> int | None:
        """First frame in [f, end) that starts _ONSET_FRAMES voiced frames."""
        for k in range(f, max(f, end - _ONSET_FRAMES + 1)):
            if voiced[k : k + _ONSET_FRAMES].all():
                return k
        return None

    out: list[Span] = []
    for w in words:
        f0, f1 = w.start_ms // _FRAME_MS, min(n, w.end_ms // _FRAME_MS)
        start = w.start_ms
        if f0 < f1:
            if not voiced[f0]:
                k = onset(f0, f1)
                start = k * _FRAME_MS if k is not None else start
            else:
                # a pause inside the word: Whisper ran the previous word's tail into it
                quiet = 0
                for k in range(f0, f1):
                    quiet = 0 if voiced[k] else quiet + 1
                    if quiet >= pause:
                        found = onset(k + 1, f1)
                        if found is not None:
                            start = found * _FRAME_MS
                        break
        out.append(Span(start, max(start, w.end_ms), w.text))
    return tuple(out)


# ------------------------------------------------------------------ one clip
