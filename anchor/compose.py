"""Compose: everything a renderer needs for one clip, as one RenderSpec."""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .models import Avatar, Cue, RenderSpec, Script, Speech
from .modelstore import ensure

__all__ = ["CJK_FONT", "compose", "font_file"]

CJK_FONT = "NotoSansSC-Regular.otf"


def font_file() -> Path:
    """The CJK-capable font the project installs itself (no apt step)."""
    return ensure("font-cjk") / CJK_FONT


def compose(
    *,
    label: str,
    script: Script,
    speech: Speech,
    cues: tuple[Cue, ...],
    avatar: Avatar,
    settings: Settings,
    headline_lang: str,
) -> RenderSpec:
    width, height = settings.size
    lang = "zh" if headline_lang == "zh" else "en"
    return RenderSpec(
        language=label,
        width=width,
        height=height,
        fps=settings.fps,
        duration_ms=speech.duration_ms,
        audio=speech.audio,
        avatar=avatar,
        headline=script.title(lang),
        presenter=avatar.name_in(lang),
        presenter_title=avatar.title_in(lang),
        cues=cues,
        branding=settings.branding,
        font_file=font_file(),
        seed=settings.seed,
        preset=settings.preset,
        crf=settings.crf,
        words=speech.words,
    )
