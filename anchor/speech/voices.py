"""Voice presets as data: ``voices/NAME.toml`` says which voice each backend uses.

A preset names one offline voice (Kokoro or hibari) and one edge-tts voice for one language,
so a clip sounds like the same presenter whichever backend reads it. Add a voice by adding a
TOML file; nothing in the code lists them.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from anchor.core.errors import ConfigError
from anchor.core.paths import assets_root
from anchor.core.values import LANGS, VoicePreset, from_dict

__all__ = ["OFFLINE_BACKENDS", "list_voices", "load_voice", "voices_dir"]

OFFLINE_BACKENDS = ("kokoro", "hibari")
_REQUIRED = ("language", "offline_backend", "offline_voice", "edge_voice")
_RATE = re.compile(r"^[+-]\d{1,3}%$")  # edge-tts's own formats, checked before any network call
_PITCH = re.compile(r"^[+-]\d{1,4}Hz$")


def voices_dir() -> Path:
    return assets_root() / "voices"


def _names() -> list[str]:
    folder = voices_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def load_voice(name: str) -> VoicePreset:
    """The preset ``voices/<name>.toml``; ConfigError naming the known presets if absent."""
    path = voices_dir() / f"{name}.toml"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or not path.is_file():
        known = ", ".join(_names()) or "none"
        raise ConfigError(f"unknown voice preset {name!r}",
                          hint=f"known voices: {known} (files in {voices_dir()})")
    return _parse(name, path)


def list_voices() -> list[VoicePreset]:
    """Every preset in the voices folder, by name."""
    return [_parse(name, voices_dir() / f"{name}.toml") for name in _names()]


def _parse(name: str, path: Path) -> VoicePreset:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"voice preset {path.name} cannot be read: {exc}",
                          hint="fix the TOML syntax") from None
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ConfigError(f"voice preset {path.name} lacks {', '.join(missing)}",
                          hint="see voices/zh-female.toml for every field")
    data.setdefault("label", name)
    try:
        preset = from_dict(VoicePreset, {"name": name, **data})
    except TypeError as exc:
        raise ConfigError(f"voice preset {path.name}: {exc}",
                          hint="see voices/zh-female.toml for every field") from None
    _check(preset, path.name)
    return preset


def _check(v: VoicePreset, file: str) -> None:
    problems = []
    if v.language not in LANGS:
        problems.append(f"language {v.language!r} is not one of {', '.join(LANGS)}")
    if v.offline_backend not in OFFLINE_BACKENDS:
        problems.append(f"offline_backend {v.offline_backend!r} is not one of "
                        f"{', '.join(OFFLINE_BACKENDS)}")
    if v.offline_backend == "hibari" and v.language != "en":
        problems.append("hibari speaks English only")
    if not isinstance(v.speed, (int, float)) or not 0.5 <= v.speed <= 2.0:
        problems.append(f"speed {v.speed!r} is outside 0.5..2.0")
    if not _RATE.match(str(v.edge_rate)):
        problems.append(f"edge_rate {v.edge_rate!r} is not like '+0%' or '-10%'")
    if not _PITCH.match(str(v.edge_pitch)):
        problems.append(f"edge_pitch {v.edge_pitch!r} is not like '+0Hz' or '-5Hz'")
    for key in ("label", "offline_voice", "edge_voice"):
        if not isinstance(getattr(v, key), str) or not getattr(v, key):
            problems.append(f"{key} must be a non-empty string")
    if problems:
        raise ConfigError(f"voice preset {file}: {'; '.join(problems)}",
                          hint="see voices/zh-female.toml for a valid preset")
