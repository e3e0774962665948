"""Bilingual captions: Chinese lines above English lines, cut where either changes."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from anchor.core.values import Captions, Cue, Lang

from .limits import MIN_CUE_MS

__all__ = ["SNAP_MS", "bilingual_cues"]

SNAP_MS = MIN_CUE_MS
"""Bilingual: cut points of the two languages closer than this are made one (the
other language is a translation, so its cut moving by up to a second is harmless)."""


def bilingual_cues(zh: Captions, en: Captions, *, spoken: Lang | None = None) -> tuple[Cue, ...]:
    """Cues showing both languages, Chinese lines above English lines.

    Both captions must be timed on the same voice track (the spoken language's
    sentence spans). Each language keeps its own cues, so each stays within its own
    line limits and reading times: a bilingual cue changes whenever either language
    changes. To spare the eye changes a moment apart, a cut of the other language
    within SNAP_MS of a cut of ``spoken`` (Chinese when not given) moves onto it,
    unless that would make one of its cues shorter than MIN_CUE_MS.
    """
    lead, follow = (en, zh) if spoken == "en" else (zh, en)
    follow = Captions(follow.language, _snap(follow.cues, _edges(lead.cues)))
    zh_cues, en_cues = (follow.cues, lead.cues) if spoken == "en" else (lead.cues, follow.cues)
    edges = sorted(_edges(zh_cues) | _edges(en_cues))
    out: list[Cue] = []
    for a, b in itertools.pairwise(edges):
        z = next((c for c in zh_cues if c.start_ms <= a and b <= c.end_ms), None)
        e = next((c for c in en_cues if c.start_ms <= a and b <= c.end_ms), None)
        if z is None and e is None:
            continue  # silence between sentences
        lines = (z.lines if z else ()) + (e.lines if e else ())
        if out and out[-1].end_ms == a and out[-1].lines == lines:
            out[-1] = Cue(out[-1].start_ms, b, lines)
        else:
            out.append(Cue(a, b, lines))
    return tuple(out)


def _edges(cues: Sequence[Cue]) -> set[int]:
    return {t for c in cues for t in (c.start_ms, c.end_ms)}


def _snap(cues: Sequence[Cue], targets: set[int]) -> tuple[Cue, ...]:
    """Move the cut between two touching cues onto the nearest target within SNAP_MS."""
    out = list(cues)
    for k in range(len(out) - 1):
        left, right = out[k], out[k + 1]
        cut = left.end_ms
        if right.start_ms != cut or cut in targets:
            continue
        near = [t for t in targets if abs(t - cut) <= SNAP_MS and left.start_ms < t < right.end_ms]
        if not near:
            continue
        t = min(near, key=lambda t: abs(t - cut))
        if min(t - left.start_ms, right.end_ms - t) < min(
            MIN_CUE_MS, left.end_ms - left.start_ms, right.end_ms - right.start_ms
        ):
            continue
        out[k] = Cue(left.start_ms, t, left.lines)
        out[k + 1] = Cue(t, right.end_ms, right.lines)
    return tuple(out)
