"""The bars a checked clip must clear; their defaults are the [check] table of defaults.toml."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anchor.core.errors import InputError
from anchor.core.values import Lang
from anchor.language.text import parse_bool

__all__ = ["Thresholds"]


def _defaults() -> dict[str, Any]:
    # The [check] table of defaults.toml is the one place these numbers are written;
    # anchor.toml, the environment and flags override them through config.
    with Path(__file__).parent.parent.joinpath("core", "defaults.toml").open("rb") as f:
        return dict(tomllib.load(f)["check"])


_DEFAULT = _defaults()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What a clip must meet. Figures and names failing is a miss; reading speed only warns."""

    max_cer: float = _DEFAULT["max_cer"]  # Mandarin: character error rate of the ASR round trip
    # Judge Mandarin by sound (toneless pinyin syllables) rather than by characters:
    # Whisper base writes homophones (示例 → 势力, 双语 → 双鱼) that the voice did not say.
    zh_by_sound: bool = _DEFAULT["zh_by_sound"]
    max_wer: float = _DEFAULT["max_wer"]  # English: word error rate
    # a cue further than this from its word is "out"
    max_caption_offset_ms: int = _DEFAULT["max_caption_offset_ms"]
    # fail when more than this share of the matched cues is out
    max_cues_out: float = _DEFAULT["max_cues_out"]
    # reading speed, characters per second (warning above)
    max_cps_zh: float = _DEFAULT["max_cps_zh"]
    max_cps_en: float = _DEFAULT["max_cps_en"]
    require_figures: bool = _DEFAULT["require_figures"]  # a missing figure or date fails the clip
    # a missing Latin-script name fails the clip (else warns)
    require_names: bool = _DEFAULT["require_names"]
    # When set, fail a clip further than lufs_tolerance from it. TOML has no null, so
    # "unset" cannot live in defaults.toml: None here means no loudness gate.
    target_lufs: float | None = None
    lufs_tolerance: float = _DEFAULT["lufs_tolerance"]
    # a clip whose visible AI label was switched off fails (else warns); the metadata
    # labels and the presenter's consent are never optional
    require_visible_label: bool = _DEFAULT["require_visible_label"]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Thresholds:
        """Thresholds from a config table or CLI options; None values keep the default,
        unknown keys are an error (a typo must not silently keep the default)."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(data) - set(fields)
        if unknown:
            raise InputError(f"unknown check threshold(s): {', '.join(sorted(unknown))}",
                             hint=f"known: {', '.join(fields)}")
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if raw is None:
                continue
            default = getattr(cls(), key)
            try:
                if isinstance(default, bool):
                    values[key] = parse_bool(raw)
                elif isinstance(default, int):
                    values[key] = int(raw)
                else:
                    values[key] = float(raw)
            except (TypeError, ValueError) as exc:
                kind = "true or false" if isinstance(default, bool) else "a number"
                raise InputError(f"check threshold {key}: {raw!r} is not {kind}") from exc
        return cls(**values)

    def max_error(self, language: Lang) -> float:
        return self.max_cer if language == "zh" else self.max_wer

    def max_cps(self, language: Lang) -> float:
        return self.max_cps_zh if language == "zh" else self.max_cps_en
