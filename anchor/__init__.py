"""Anchor: news article in, bilingual presenter clips out.

Library use: ``from anchor import load_settings, render_article``. Both are imported on
first use, so ``import anchor`` (and ``anchor --help``) stays light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "load_settings", "render_article"]

_LAZY = {"load_settings": "anchor.core.settings", "render_article": "anchor.pipeline"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'anchor' has no attribute {name!r}")
