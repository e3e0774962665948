"""Everything a render needs that can be checked in a second, checked before any real work.

Settings are validated when they are loaded (anchor.core.settings); this adds what needs the asset
folders and the machine: the presenter (and that its face may be used: anchor.assets.consent),
both voices, and the ffmpeg that will encode. A typo
in any of them fails here, before minutes of summary, translation and speech.
"""

from __future__ import annotations

from dataclasses import dataclass

from anchor.assets.avatars import load_avatar
from anchor.assets.consent import require_consent
from anchor.core.errors import InputError
from anchor.core.ffmpeg import FfmpegChoice, use_ffmpeg
from anchor.core.settings import Settings
from anchor.core.values import Avatar, Lang, VoicePreset
from anchor.speech.voices import load_voice

__all__ = ["Ready", "preflight", "voice_name"]


@dataclass(frozen=True, slots=True)
class Ready:
    """What preflight found: the presenter, the voice of each language, the ffmpeg."""

    avatar: Avatar
    voice_zh: VoicePreset
    voice_en: VoicePreset
    ffmpeg: FfmpegChoice

    def voice(self, lang: Lang) -> VoicePreset:
        return self.voice_zh if lang == "zh" else self.voice_en


def voice_name(settings: Settings, avatar_voice: str, lang: Lang) -> str:
    """The voice preset for ``lang``: the setting, else the presenter's own, else the default."""
    chosen = settings.voice_zh if lang == "zh" else settings.voice_en
    return chosen or avatar_voice or ("zh-female" if lang == "zh" else "en-female")


def preflight(settings: Settings) -> Ready:
    """Load and cross-check the presenter (its consent too), the voices and ffmpeg;
    raise a hinted error."""
    avatar = load_avatar(settings.avatar)
    require_consent(avatar)
    voices: dict[Lang, VoicePreset] = {}
    for lang in ("zh", "en"):
        preset = load_voice(voice_name(settings, getattr(avatar, f"voice_{lang}"), lang))
        if preset.language != lang:
            raise InputError(f"voice {preset.name} speaks {preset.language}, not {lang}",
                             hint=f"pick a {lang} voice: see `anchor voices`")
        voices[lang] = preset
    return Ready(avatar, voices["zh"], voices["en"], use_ffmpeg(settings.ffmpeg))
