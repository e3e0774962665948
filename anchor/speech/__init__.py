"""Speech stage: script sentences in, one voice track per language out.

Backends share the ``SpeechBackend`` protocol (base.py). ``get_backend`` resolves the names a
user may give: "auto" (edge-tts when its host answers, else offline), "offline" (the voice
preset's local engine), or a backend name from ``BACKENDS``.
"""

from __future__ import annotations

from .base import SpeechBackend, Synth
from .registry import BACKENDS, OFFLINE_DEFAULTS, get_backend
from .speak import speak

__all__ = ["BACKENDS", "OFFLINE_DEFAULTS", "SpeechBackend", "Synth", "get_backend", "speak"]
