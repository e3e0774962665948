"""Which speech backend reads a language: the registry and the name resolution."""

from __future__ import annotations

import logging

from anchor.core.errors import BackendUnavailable, ConfigError
from anchor.core.values import Lang, VoicePreset

from .base import SpeechBackend
from .edge import EdgeBackend
from .hibari import HibariBackend
from .kokoro import KokoroBackend

__all__ = ["BACKENDS", "OFFLINE_DEFAULTS", "get_backend", "offline_name"]

log = logging.getLogger(__name__)

BACKENDS: dict[str, type[SpeechBackend]] = {
    "edge": EdgeBackend,
    "kokoro": KokoroBackend,
    "hibari": HibariBackend,
}
# the local engine for a language when no voice preset says otherwise
OFFLINE_DEFAULTS: dict[Lang, str] = {"zh": "kokoro", "en": "hibari"}


def offline_name(language: Lang, voice: VoicePreset | None) -> str:
    """The local engine that reads ``voice`` (its preset's choice, else the language's)."""
    if voice is not None and voice.offline_backend in BACKENDS:
        return voice.offline_backend
    return OFFLINE_DEFAULTS[language]


def get_backend(name: str, language: Lang, voice: VoicePreset | None = None) -> SpeechBackend:
    """The backend for ``name`` ("auto", "edge", "offline" or a name in BACKENDS).

    With ``voice``, "offline" means that preset's local engine (en-male reads with Kokoro).
    """
    if name == "auto":
        if EdgeBackend().available():
            log.info("speech (%s): edge-tts", language)
            return EdgeBackend()
        name = offline_name(language, voice)
        log.info("speech (%s): %s (edge-tts unreachable, reading offline)", language, name)
    elif name == "offline":
        name = offline_name(language, voice)
    cls = BACKENDS.get(name)
    if cls is None:
        raise ConfigError(f"unknown speech backend {name!r}",
                          hint=f"choose auto, offline, {', '.join(BACKENDS)}")
    backend = cls()
    if language not in backend.languages:
        raise ConfigError(f"speech backend {name!r} cannot speak {language!r}",
                          hint=f"it speaks {', '.join(backend.languages)}")
    if name != "edge" and not backend.available():
        # edge is let through: speak() falls back from it with one warning
        raise BackendUnavailable(f"speech backend {name!r} is not installed here",
                                 hint="install the anchor-news package with its dependencies")
    return backend
