"""Reading limits of a caption: line width, lines per cue, time on screen."""

from __future__ import annotations

import unicodedata

from anchor.core.values import Lang

__all__ = [
    "EN_LINE",
    "MAX_CUE_MS",
    "MAX_LINES",
    "MIN_CUE_MS",
    "ZH_LINE",
    "display_width",
    "line_limit",
]

ZH_LINE = 16  # full-width places per line
EN_LINE = 42  # characters per line
MAX_LINES = 2
MIN_CUE_MS = 1000
MAX_CUE_MS = 7000


def line_limit(language: Lang) -> int:
    return ZH_LINE if language == "zh" else EN_LINE


def display_width(s: str, language: Lang) -> float:
    """Width of a caption line in the units of :func:`line_limit`."""
    if language == "zh":
        return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in s)
    return float(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s))
