"""Render stage: RenderSpec → MP4 (H.264 + AAC, faststart, captions burned in).

Two renderers share one Scene (layout, still layers, presenter track, captions):
``fast`` pipes only the changing pixels as raw yuv420p into ffmpeg; ``moviepy`` is
the slow, readable reference that composes every frame whole.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from anchor.core.errors import InputError
from anchor.core.values import RenderResult, RenderSpec
from anchor.render.encode.fast import render_fast, thumbnail
from anchor.render.encode.reference import render_moviepy

__all__ = ["RENDERERS", "Renderer", "render", "render_fast", "render_moviepy", "thumbnail"]

Renderer = Callable[..., RenderResult]

RENDERERS: dict[str, Renderer] = {"fast": render_fast, "moviepy": render_moviepy}


def render(spec: RenderSpec, out: Path, renderer: str = "fast", **kwargs: Any) -> RenderResult:
    """Render ``spec`` to ``out`` with the named renderer (keyword options such as
    ``track_factory`` are passed through)."""
    try:
        fn = RENDERERS[renderer]
    except KeyError:
        raise InputError(f"unknown renderer {renderer!r}",
                         hint=f"choose one of: {', '.join(RENDERERS)}") from None
    return fn(spec, out, **kwargs)
