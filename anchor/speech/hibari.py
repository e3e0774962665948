"""hibari-tts: the English offline default, a 7.9 MB voice distilled from Kokoro's af_heart.

Far faster than Kokoro (tens of times real time on one core). Only the voice ``heart`` ships in
the wheel; the others download from a model hub on first use, which this product does not do,
so they work only when their file is already in hibari's cache (HIBARI_HOME).

For "heart", ``assets.model_store`` derives a copy of the voice that also outputs its predicted
phoneme durations; it runs here in place of the packaged file, with hibari's own G2P, sentence
splitting and signal processing around it, so the audio is the same and the word and phoneme
times come with it. Other voices speak without them (words are then aligned afterwards).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from typing import Any

import numpy as np

from anchor.assets.model_store import ensure, pinned_sha256
from anchor.core.errors import BackendUnavailable, ConfigError, ModelError
from anchor.core.keys import stage_code
from anchor.core.values import Lang, VoicePreset

from .base import Synth, package_version
from .phonemes import Layout, chunk_offsets, en_pieces, layout, time_tokens

log = logging.getLogger(__name__)

__all__ = ["HibariBackend"]

THREADS = 2
DEFAULT_VOICE = "heart"
_SEED = 0  # hibari adds a noise component; a fixed seed makes the same text give the same audio


@functools.cache
def _engine(voice: str) -> tuple[Any, bool]:
    """hibari for ``voice``, and whether its session also outputs the phoneme durations."""
    # deferred: hibari and its ONNX runtime load when English is first spoken
    from hibari import Hibari
    from hibari.voices import VOICES, voice_path

    if voice not in VOICES:
        raise ConfigError(f"hibari has no voice {voice!r}", hint=f"known: {', '.join(VOICES)}")
    if voice == DEFAULT_VOICE:
        try:
            return Hibari(voice=voice, model=str(ensure("hibari-durations")),
                          threads=THREADS), True
        except ModelError as exc:
            log.warning("hibari without phoneme durations (%s); words will be aligned "
                        "afterwards", exc.message)
    try:
        model = voice_path(voice, download_missing=False)
    except FileNotFoundError as exc:
        raise BackendUnavailable(
            f"hibari voice {voice!r} is not installed ({exc.filename})",
            hint=f"use {DEFAULT_VOICE!r}, which ships in the package, or copy the voice file there",
        ) from None
    return Hibari(voice=voice, model=model, threads=THREADS), False


def _timed(engine: Any, text: str, speed: float) -> Synth:
    """``engine(text, speed, seed=_SEED)``, with word and phoneme times: ``engine`` runs the
    derived model, whose extra output hibari's own ``from_ids`` would not unpack.

    The same steps as hibari's ``Hibari.stream`` (sentences, G2P, clause chunks of at most
    MAX_PHONEMES, one noise generator for the whole text); the G2P runs word by word so every
    token knows its word.
    """
    from hibari import dsp
    from hibari.tts import _CLAUSE, MAX_PHONEMES

    rng = np.random.default_rng(_SEED)
    parts: list[np.ndarray] = []
    lays: list[Layout] = []
    runs: list[tuple[int, str, int, np.ndarray]] = []
    pos = 0
    base = 0  # where this sentence's phonemes start in the joined layout
    for sentence in engine.split_sentences(text):
        lay = layout(en_pieces(engine.g2p, sentence))
        if not lay.phonemes:
            continue
        if lays:
            base += len(lays[-1].phonemes) + 1  # joined with one space
        lays.append(lay)
        chunks = [lay.phonemes]
        if len(lay.phonemes) > MAX_PHONEMES:  # hibari's clause packing
            chunks, cur = [], ""
            for part in _CLAUSE.split(lay.phonemes):
                if cur and len(cur) + len(part) + 1 > MAX_PHONEMES:
                    chunks.append(cur)
                    cur = part
                else:
                    cur = f"{cur} {part}" if cur else part
            if cur:
                chunks.append(cur)
        for offset, chunk in zip(chunk_offsets(lay.phonemes, chunks), chunks, strict=True):
            ids = engine.ids(chunk)
            if len(ids) < 3:
                continue
            out = engine.sess.run(None, {"ids": np.asarray([ids], np.int64),
                                     "speed": np.asarray([speed], np.float32)})
            lh, th, ln, lr, phi, f0 = (o[0] for o in out[:6])
            audio = dsp.synth(lh, th, ln, lr, phi, f0, rng)
            parts.append(audio)
            runs.append((base + offset, chunk, pos, np.asarray(out[6]).ravel()))
            pos += len(audio)
    samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    if not lays:
        return Synth(samples, int(engine.sample_rate))
    joined = _join(lays)
    timing = time_tokens(joined, runs, engine.vocab, int(engine.sample_rate))
    return Synth(samples.astype(np.float32, copy=False), int(engine.sample_rate),
                 timing.words, timing.phonemes)


def _join(lays: list[Layout]) -> Layout:
    """Layouts of consecutive sentences as one, a space between them (owners renumbered)."""
    phonemes: list[str] = []
    owners: list[int] = []
    words: list[str] = []
    for lay in lays:
        if phonemes:
            phonemes.append(" ")
            owners.append(-1)
        phonemes.append(lay.phonemes)
        owners += [o + len(words) if o >= 0 else -1 for o in lay.owners]
        words += lay.words
    return Layout("".join(phonemes), tuple(owners), tuple(words))


class HibariBackend:
    name = "hibari"
    # the cache key's part: the voice model's pin, the package, and this code's hash
    version = (f"hibari-{pinned_sha256('hibari-durations')[:16]}"
               f" hibari-tts-{package_version('hibari-tts')}"
               f" code-{stage_code('speech.hibari')[:16]}")
    languages: tuple[Lang, ...] = ("en",)
    cost = 0.03  # CPU seconds per second of speech (a small VITS: ~30x faster than Kokoro)

    def available(self) -> bool:
        return importlib.util.find_spec("hibari") is not None

    def voice_id(self, voice: VoicePreset) -> str:
        return voice.offline_voice if voice.offline_backend == self.name else DEFAULT_VOICE

    def synthesize(self, text: str, voice: VoicePreset) -> Synth:
        if not self.available():
            raise BackendUnavailable("hibari-tts is not installed", hint="pip install hibari-tts")
        engine, timed = _engine(self.voice_id(voice))
        speed = min(max(voice.speed, 0.5), 2.0)
        if timed:
            return _timed(engine, text, speed)
        samples = np.asarray(engine(text, speed=speed, seed=_SEED), dtype=np.float32)
        return Synth(samples, int(engine.sample_rate))
