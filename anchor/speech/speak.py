"""Read a list of sentences into one voice track with known sentence (and word) times.

Each sentence is synthesised on its own, so its real duration is known without alignment, and
cached by backend, voice and text, so a re-run of an unchanged script costs seconds. The track
is: lead-in silence, sentences with natural pauses between them, tail silence; 16-bit mono WAV
at 24 kHz, written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import hashlib
import json
import logging
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from anchor.core import paths
from anchor.core.cache import atomic_path
from anchor.core.errors import BackendUnavailable, ConfigError, InputError
from anchor.core.timing import ms_to_samples, samples_to_ms
from anchor.core.values import Lang, Span, Speech, VoicePreset
from anchor.language.spoken import normalize

from .base import SAMPLE_RATE, SpeechBackend, resample
from .registry import get_backend

__all__ = ["LEAD_IN_MS", "SENTENCE_PAUSE_MS", "TAIL_MS", "cache_key", "speak", "voiced_bounds"]

log = logging.getLogger(__name__)

LEAD_IN_MS = 300  # the presenter "breathes in" before the first word
SENTENCE_PAUSE_MS = 400  # after a full stop: a newsreader's beat
CLAUSE_PAUSE_MS = 250  # after a sentence that ends on a comma or colon
TAIL_MS = 500  # room for the last caption and the fade-out
FADE_MS = 5  # at every edge of speech, so joins never click
_SILENCE_DB = -40.0  # frames this far under the loudest frame count as silence when trimming
_KEEP_MS = (20, 60)  # kept before the first and after the last voiced frame: soft consonants
_TARGET_RMS_DB = -20.0  # speech level of the whole track, before the peak limit
_PEAK = 0.95
_MAX_GAIN = 8.0  # never lift a near-silent track into loud noise
_CLAUSE_ENDS = tuple("，,、；;：:")

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True, eq=False)  # arrays have no single truth value
class _Clip:
    samples: np.ndarray  # float32 at SAMPLE_RATE, silence trimmed
    words: tuple[Span, ...]  # relative to the clip start
    phonemes: tuple[Span, ...] = ()  # likewise


def speak(
    texts: Sequence[str],
    language: Lang,
    voice: VoicePreset,
    backend: str = "offline",
    *,
    out_wav: Path,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> Speech:
    """Speak ``texts`` (one script sentence each) into ``out_wav`` and say where each lies.

    ``backend`` is "offline" (local voices), "edge" (online: the text is sent to the service),
    "auto" (edge when reachable) or a backend name. When edge-tts fails part-way,
    the whole track is read again offline (one voice per clip) with one warning.
    ``cache_dir`` keeps each sentence's audio (default: the stage cache, ``ANCHOR_HOME``).
    ``progress(done, total)`` is called after each sentence.
    """

    texts = list(texts)
    if not texts:
        raise InputError("nothing to speak: the script has no sentences")
    if voice.language != language:
        raise ConfigError(f"voice {voice.name!r} speaks {voice.language!r}, not {language!r}",
                          hint="pick a voice preset for that language (anchor voices)")
    spoken = [normalize(t, language) for t in texts]
    if cache_dir is None:
        cache_dir = paths.cache_dir() / "speech"
    engine = get_backend(backend, language, voice)
    try:
        clips = _read_all(engine, spoken, voice, cache_dir, progress)
    except BackendUnavailable as exc:
        if engine.name != "edge":
            raise
        engine = get_backend("offline", language, voice)
        log.warning("%s; reading the whole %s track offline with %s voice %s", exc.message,
                    language, engine.name, engine.voice_id(voice))
        clips = _read_all(engine, spoken, voice, cache_dir, progress)

    audio, sentences, words, phonemes = _assemble(clips, texts)
    _write_wav(out_wav, _level(audio), SAMPLE_RATE)
    return Speech(
        language=language,
        audio=out_wav,
        sample_rate=SAMPLE_RATE,
        duration_ms=samples_to_ms(len(audio), SAMPLE_RATE),
        sentences=sentences,
        words=words,
        backend=engine.name,
        voice=engine.voice_id(voice),
        phonemes=phonemes,
    )


# ---------------------------------------------------------------------- synthesis


def _read_all(engine: SpeechBackend, texts: list[str], voice: VoicePreset,
              cache_dir: Path, progress: Progress | None) -> list[_Clip]:
    clips = []
    for i, text in enumerate(texts):
        clips.append(_read(engine, text, voice, cache_dir))
        if progress is not None:
            progress(i + 1, len(texts))
    return clips


def cache_key(engine: SpeechBackend, voice: VoicePreset, text: str) -> str:
    """sha256 of everything that changes a sentence's audio."""
    parts = [engine.name, engine.version, engine.voice_id(voice), f"{voice.speed:g}",
             voice.edge_rate, voice.edge_pitch, text]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _read(engine: SpeechBackend, text: str, voice: VoicePreset, cache_dir: Path) -> _Clip:
    if not text.strip():
        return _Clip(np.zeros(0, np.float32), ())
    key = cache_key(engine, voice, text)
    cached = _load(cache_dir, key)
    if cached is not None:
        return cached
    synth = engine.synthesize(text, voice)
    samples = resample(synth.samples, synth.sample_rate)
    head, tail = voiced_bounds(samples, SAMPLE_RATE)
    shift = samples_to_ms(head, SAMPLE_RATE)
    length = samples_to_ms(tail - head, SAMPLE_RATE)
    def moved(spans: tuple[Span, ...]) -> tuple[Span, ...]:
        return tuple(
            Span(max(0, w.start_ms - shift), max(0, min(length, w.end_ms - shift)), w.text)
            for w in spans
        )

    clip = _Clip(samples[head:tail].copy(), moved(synth.words), moved(synth.phonemes))
    _store(cache_dir, key, clip)
    return clip


def voiced_bounds(samples: np.ndarray, rate: int) -> tuple[int, int]:
    """Start and end sample of the speech in ``samples``, with a little margin kept."""
    frame = rate // 100  # 10 ms
    n = len(samples) // frame
    if n == 0:
        return 0, len(samples)
    rms = np.sqrt(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1))
    loud = rms.max()
    if loud <= 1e-5:
        return 0, 0  # nothing but silence
    voiced = np.flatnonzero(rms >= loud * 10 ** (_SILENCE_DB / 20))
    start = max(0, int(voiced[0]) * frame - ms_to_samples(_KEEP_MS[0], rate))
    end = min(len(samples), (int(voiced[-1]) + 1) * frame + ms_to_samples(_KEEP_MS[1], rate))
    return start, end


# ---------------------------------------------------------------------- the cache


def _load(cache_dir: Path, key: str) -> _Clip | None:
    audio = cache_dir / f"{key}.npy"
    if not audio.exists():
        return None
    try:
        samples = np.load(audio, allow_pickle=False)
        meta = cache_dir / f"{key}.json"
        words: tuple[Span, ...] = ()
        phonemes: tuple[Span, ...] = ()
        if meta.exists():
            data = json.loads(meta.read_text(encoding="utf-8"))
            if isinstance(data, list):  # before phonemes were kept: words only
                data = {"words": data}
            words = tuple(Span(*w) for w in data.get("words", ()))
            phonemes = tuple(Span(*p) for p in data.get("phonemes", ()))
    except (OSError, ValueError, TypeError, AttributeError):
        log.debug("ignoring unreadable speech cache entry %s", key)
        return None
    return _Clip(samples.astype(np.float32, copy=False), words, phonemes)


def _store(cache_dir: Path, key: str, clip: _Clip) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    if clip.words or clip.phonemes:  # written first: an entry counts once its .npy exists
        data = {kind: [[s.start_ms, s.end_ms, s.text] for s in spans]
                for kind, spans in (("words", clip.words), ("phonemes", clip.phonemes))}
        _atomic_write(cache_dir / f"{key}.json",
                      lambda f: f.write(json.dumps(data, ensure_ascii=False).encode("utf-8")))
    _atomic_write(cache_dir / f"{key}.npy", lambda f: np.save(f, clip.samples))


def _atomic_write(path: Path, write: Callable[[Any], object]) -> None:
    with atomic_path(path, ".tmp") as tmp, tmp.open("wb") as f:
        write(f)


# ------------------------------------------------------------------------ the track


def _pause_after(text: str) -> int:
    return CLAUSE_PAUSE_MS if text.rstrip().endswith(_CLAUSE_ENDS) else SENTENCE_PAUSE_MS


def _fade(samples: np.ndarray) -> np.ndarray:
    n = min(ms_to_samples(FADE_MS, SAMPLE_RATE), len(samples) // 2)
    if n == 0:
        return samples
    out = samples.copy()
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def _assemble(clips: list[_Clip], texts: list[str]
              ) -> tuple[np.ndarray, tuple[Span, ...], tuple[Span, ...], tuple[Span, ...]]:
    """Lay the clips out with pauses; sentence spans keep the written text (for captions)."""
    pieces: list[np.ndarray] = [np.zeros(ms_to_samples(LEAD_IN_MS, SAMPLE_RATE), np.float32)]
    pos = len(pieces[0])
    sentences: list[Span] = []
    words: list[Span] = []
    phonemes: list[Span] = []
    previous: str | None = None
    for clip, text in zip(clips, texts, strict=True):
        if len(clip.samples) and previous is not None:
            gap = np.zeros(ms_to_samples(_pause_after(previous), SAMPLE_RATE), np.float32)
            pieces.append(gap)
            pos += len(gap)
        start = samples_to_ms(pos, SAMPLE_RATE)
        pieces.append(_fade(clip.samples))
        pos += len(clip.samples)
        sentences.append(Span(start, samples_to_ms(pos, SAMPLE_RATE), text))
        words += [Span(start + w.start_ms, start + w.end_ms, w.text) for w in clip.words]
        phonemes += [Span(start + p.start_ms, start + p.end_ms, p.text) for p in clip.phonemes]
        if len(clip.samples):
            previous = text
    pieces.append(np.zeros(ms_to_samples(TAIL_MS, SAMPLE_RATE), np.float32))
    return np.concatenate(pieces), tuple(sentences), tuple(words), tuple(phonemes)


def _level(audio: np.ndarray) -> np.ndarray:
    """One loudness for every track and backend: speech at about -20 dBFS RMS, peaks < 0.95."""
    frame = SAMPLE_RATE // 100
    n = len(audio) // frame
    if n == 0:
        return audio
    rms = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1))
    voiced = rms[rms >= max(rms.max() * 10 ** (_SILENCE_DB / 20), 1e-5)]
    if voiced.size == 0:
        return audio
    speech_rms = float(np.sqrt(np.mean(voiced**2)))
    gain = min(10 ** (_TARGET_RMS_DB / 20) / speech_rms, _MAX_GAIN)
    peak = float(np.abs(audio).max())
    gain = min(gain, _PEAK / peak)
    return (audio * gain).astype(np.float32)


def _write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(f: Any) -> None:
        with wave.open(f, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm.tobytes())

    _atomic_write(path, write)
