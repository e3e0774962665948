"""Settings from one source: defaults.toml, anchor.toml, ANCHOR_* env vars, flags."""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from anchor.assets.brands import load_brand
from anchor.language.text import parse_bool

from .env import CONFIG, SETTING_PREFIX
from .errors import ConfigError
from .timing import parse_fps
from .values import Branding

__all__ = ["ASPECTS", "CHOICES", "Settings", "load_settings"]

_DEFAULTS = Path(__file__).with_name("defaults.toml")

ASPECTS: dict[str, tuple[int, int]] = {
    "16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080),
}
# Names a setting may take. Stage registries must agree (a test holds them to it); they are
# listed here so a typo fails in milliseconds, before any model or backend is imported.
CHOICES: dict[str, tuple[str, ...]] = {
    "tts": ("offline", "edge", "auto", "kokoro", "hibari"),
    "summarizer": ("auto", "extractive", "transformers"),
    "translator": ("auto", "llama", "transformers"),
    "renderer": ("fast", "moviepy"),
    "preset": ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
               "slower", "veryslow"),
    "zh_variant": ("Hans", "Hant"),
    "bilingual_voice": ("zh", "en"),
}


@dataclass(frozen=True, slots=True)
class Settings:
    langs: tuple[str, ...]
    bilingual: bool
    bilingual_voice: str
    sentences: int
    avatar: str
    voice_zh: str
    voice_en: str
    aspect: str
    fps: Fraction  # exact: 30000/1001 for 29.97
    preset: str
    crf: int
    out: Path
    tts: str
    summarizer: str
    translator: str
    zh_variant: str
    renderer: str
    ffmpeg: str
    seed: int
    loudness: float
    true_peak: float
    music_bed: bool
    align: str
    check: bool
    brand: str
    cards: bool
    bumpers: bool
    date: str
    checks: dict[str, Any] = field(default_factory=dict)
    branding: Branding = field(default_factory=Branding)
    strict: bool = False
    glossary: str = ""
    ai_label: bool = True  # the visible AI label (the metadata label is always written)
    studio: bool = True

    @property
    def size(self) -> tuple[int, int]:
        return ASPECTS[self.aspect]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}", hint="check the TOML syntax") from exc


def _coerce(name: str, raw: Any, like: Any) -> Any:
    """Turn a TOML/env/flag value into the type of the default."""
    if name.lower().endswith("fps"):
        return raw  # 30, "29.97" or "30000/1001": parse_fps judges it in _validate
    try:
        if isinstance(like, bool):
            return parse_bool(raw)
        if isinstance(like, int):
            return int(raw)
        if isinstance(like, float):
            return float(raw)
    except ValueError as exc:
        raise ConfigError(
            f"{name}: {raw!r} is not a valid {type(like).__name__}",
            hint=f"set {name} to a {type(like).__name__}",
        ) from exc
    return str(raw)


def _validate(values: dict[str, Any]) -> None:
    langs = [x.strip() for x in str(values["langs"]).split(",") if x.strip()]
    bad = [x for x in langs if x not in ("zh", "en")]
    if bad or not langs:
        raise ConfigError(f"langs: unknown language {', '.join(bad) or '(none)'}",
                          hint="use zh, en or zh,en")
    values["langs"] = tuple(dict.fromkeys(langs))
    if values["aspect"] not in ASPECTS:
        raise ConfigError(f"aspect: {values['aspect']!r} is not supported",
                          hint=f"use one of {', '.join(ASPECTS)}")
    if not 1 <= values["sentences"] <= 30:
        raise ConfigError("sentences: must be between 1 and 30", hint="5 fits about a minute")
    try:
        values["fps"] = parse_fps(values["fps"])
    except (ValueError, ZeroDivisionError):
        raise ConfigError(f"fps: {values['fps']} is not supported",
                          hint="use 25 or 30, or 29.97 (30000/1001), 59.94, 23.976, 24, 50, 60"
                          ) from None
    for key, allowed in CHOICES.items():
        if values[key] not in allowed:
            near = difflib.get_close_matches(str(values[key]), allowed, n=1)
            raise ConfigError(f"{key}: {values[key]!r} is not one of {', '.join(allowed)}",
                              hint=f"did you mean {near[0]!r}?" if near
                              else f"use one of {', '.join(allowed)}")
    align = [x.strip() for x in str(values["align"]).split(",") if x.strip()]
    if any(x not in ("zh", "en") for x in align):
        raise ConfigError(f"align: {values['align']!r}", hint='use "", "zh", "en" or "zh,en"')
    if not -40.0 <= values["loudness"] <= -5.0:
        raise ConfigError("loudness: target must be between -40 and -5 LUFS",
                          hint="-16 for online, -23 for broadcast")
    if not 0 <= values["crf"] <= 51:
        raise ConfigError("crf: must be 0–51", hint="20 is a good default")
    if values["date"]:
        import datetime

        try:
            datetime.date.fromisoformat(values["date"])
        except ValueError:
            raise ConfigError(f"date: {values['date']!r} is not a date",
                              hint="use YYYY-MM-DD, or leave it empty for today") from None


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the layers; ``overrides`` are CLI flags or API fields (None = not given)."""
    env = os.environ if env is None else env
    base = _read_toml(_DEFAULTS)
    render: dict[str, Any] = dict(base["render"])
    branding: dict[str, Any] = dict(base["branding"])
    checks: dict[str, Any] = dict(base["check"])

    user_file = config_file or (Path(env[CONFIG]) if env.get(CONFIG) else None)
    if user_file is None and Path("anchor.toml").is_file():
        user_file = Path("anchor.toml")
    if user_file is not None:
        if not user_file.is_file():
            raise ConfigError(f"config file {user_file} not found")
        user = _read_toml(user_file)
        for section, target in (("render", render), ("branding", branding),
                                ("check", checks)):
            for key, value in user.get(section, {}).items():
                if key not in target:
                    raise ConfigError(f"{user_file}: unknown key [{section}] {key}",
                                      hint=f"known keys: {', '.join(sorted(target))}")
                target[key] = _coerce(key, value, target[key])

    for key in list(render):
        name = f"{SETTING_PREFIX}{key.upper()}"
        env_value = env.get(name)
        if env_value is not None and env_value != "":
            render[key] = _coerce(name, env_value, render[key])

    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in render:
            raise ConfigError(f"unknown setting {key}")
        render[key] = _coerce(key, value, render[key])

    _validate(render)
    render["out"] = Path(render["out"])
    # the brand folder gives the look; [branding] values that are set replace single parts
    brand = load_brand(render["brand"], branding)
    known = {f.name for f in dataclasses.fields(Settings)}
    return Settings(**{k: v for k, v in render.items() if k in known}, checks=checks,
                    branding=brand)
