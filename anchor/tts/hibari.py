"""hibari-tts: the English offline default, a 7.9 MB voice distilled from Kokoro's af_heart.

Far faster than Kokoro (tens of times real time on one core). Only the voice ``heart`` ships in
the wheel; the others download from a model hub on first use, which this product does not do,
so they work only when their file is already in hibari's cache (HIBARI_HOME).
"""

from __future__ import annotations

import functools
import importlib.util
from typing import Any

import numpy as np

from anchor.errors import BackendUnavailable, ConfigError
from anchor.models import Lang, VoicePreset

from .base import Synth, package_version

__all__ = ["HibariBackend"]

THREADS = 2
DEFAULT_VOICE = "heart"
_SEED = 0  # hibari adds a noise component; a fixed seed makes the same text give the same audio


@functools.cache
def _engine(voice: str) -> Any:
    from hibari import Hibari
    from hibari.voices import VOICES, voice_path

    if voice not in VOICES:
        raise ConfigError(f"hibari has no voice {voice!r}", hint=f"known: {', '.join(VOICES)}")
    try:
        model = voice_path(voice, download_missing=False)
    except FileNotFoundError as exc:
        raise BackendUnavailable(
            f"hibari voice {voice!r} is not installed ({exc.filename})",
            hint=f"use {DEFAULT_VOICE!r}, which ships in the package, or copy the voice file there",
        ) from None
    return Hibari(voice=voice, model=model, threads=THREADS)


class HibariBackend:
    name = "hibari"
    version = f"hibari-tts-{package_version('hibari-tts')}"
    languages: tuple[Lang, ...] = ("en",)

    def available(self) -> bool:
        return importlib.util.find_spec("hibari") is not None

    def voice_id(self, voice: VoicePreset) -> str:
        return voice.offline_voice if voice.offline_backend == self.name else DEFAULT_VOICE

    def synthesize(self, text: str, voice: VoicePreset) -> Synth:
        if not self.available():
            raise BackendUnavailable("hibari-tts is not installed", hint="pip install hibari-tts")
        engine = _engine(self.voice_id(voice))
        speed = min(max(voice.speed, 0.5), 2.0)
        samples = np.asarray(engine(text, speed=speed, seed=_SEED), dtype=np.float32)
        return Synth(samples, int(engine.sample_rate))
