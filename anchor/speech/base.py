"""What every speech backend gives and promises, plus the resampler they share."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from anchor.core.values import Lang, Span, VoicePreset

__all__ = ["SAMPLE_RATE", "SpeechBackend", "Synth", "package_version", "resample"]

SAMPLE_RATE = 24_000  # every track is written at this rate; Kokoro and hibari make it natively


@dataclass(frozen=True, slots=True, eq=False)  # arrays have no single truth value
class Synth:
    """One synthesised sentence: mono float32 samples and word timings, if the backend has them.

    Word and phoneme spans are relative to the start of ``samples``.
    """

    samples: np.ndarray
    sample_rate: int
    words: tuple[Span, ...] = ()
    phonemes: tuple[Span, ...] = ()  # Kokoro/misaki IPA, one span per articulated phoneme

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // self.sample_rate


@runtime_checkable
class SpeechBackend(Protocol):
    """A text-to-speech engine. Adding one is a new module plus one line in ``BACKENDS``."""

    name: str
    # part of the cache key: the model's pinned hash, package versions, the module's code hash
    version: str
    languages: tuple[Lang, ...]
    cost: float  # CPU seconds per second of speech: the cheapest voice is read first

    def available(self) -> bool:
        """Cheap check that synthesize() can run here (package, model, network)."""
        ...

    def voice_id(self, voice: VoicePreset) -> str:
        """The backend's own name for the voice it will use for ``voice``."""
        ...

    def synthesize(self, text: str, voice: VoicePreset) -> Synth:
        """Speak ``text`` (already normalised for speech); raise BackendUnavailable on failure."""
        ...


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 ``samples`` at ``rate`` → ``target`` Hz, with libswresample (PyAV)."""
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    if rate == target or samples.size == 0:
        return samples
    import av  # only some backends ever need it; keep the import cost off the others

    frame = av.AudioFrame.from_ndarray(samples[None, :], format="flt", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="flt", layout="mono", rate=target)
    parts = [f.to_ndarray() for f in resampler.resample(frame)]
    parts += [f.to_ndarray() for f in resampler.resample(None)]  # flush the filter's tail
    return np.concatenate(parts, axis=1).ravel().astype(np.float32, copy=False)


def package_version(distribution: str) -> str:
    """Installed version of ``distribution`` for backend version strings ("missing" if absent)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "missing"
