"""Cues of a sentence: where to cut it and when each cut is spoken (word timings when
the voice gave them, else the spoken length of the text)."""

from __future__ import annotations

import bisect
import difflib
import itertools
from collections.abc import Sequence

from anchor.core.values import Captions, Cue, Lang, Span

from .limits import MAX_CUE_MS, MAX_LINES, MIN_CUE_MS
from .lines import LineLayout
from .tokens import Atom, atoms_of

__all__ = ["make_captions"]


def _boundary_times(atoms: Sequence[Atom], span: Span, words: Sequence[Span]) -> list[int]:
    """Time of every cut point between atoms (len(atoms) + 1 values, non-decreasing).

    With word timings, a cut takes the start of the word it falls before, found by
    matching the letters of the text against the letters of the words (so "95%"
    read out as words only blurs the match around it). Without words, or when they
    match too little of the text, the cut falls at its share of the spoken length.
    """
    total = sum(a.weight for a in atoms) or 1.0
    cum = [0.0, *itertools.accumulate(a.weight for a in atoms)]
    times = _word_times([_core(a.text) for a in atoms], words) if words else None
    if times is None:
        times = [span.start_ms + round(span.duration_ms * c / total) for c in cum]
    times[0], times[-1] = span.start_ms, span.end_ms
    out: list[int] = []
    for t in times:
        t = min(max(t, span.start_ms), span.end_ms)
        out.append(max(t, out[-1]) if out else t)
    return out


def _word_times(keys: Sequence[str], words: Sequence[Span]) -> list[int] | None:
    """Cut times from word timings, or None when the words do not match the text."""
    text = "".join(keys)
    word_keys = [_core(w.text) for w in words]
    spoken = "".join(word_keys)
    if not text or not spoken:
        return None
    matcher = difflib.SequenceMatcher(None, text, spoken, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if sum(b.size for b in blocks) < 0.5 * len(text):
        return None
    # Anchors (offset in text, offset in spoken), interpolated between matched runs.
    anchors = [(0, 0), *((b.a + d, b.b + d) for b in blocks for d in range(b.size))]
    anchors.append((len(text), len(spoken)))
    anchor_a = [a for a, _ in anchors]
    word_starts = [0, *itertools.accumulate(len(k) for k in word_keys)][:-1]
    times: list[int] = []
    offset = 0
    for key in [*keys, ""]:
        k = bisect.bisect_right(anchor_a, offset) - 1
        (a0, b0), (a1, b1) = anchors[k], anchors[min(k + 1, len(anchors) - 1)]
        pos = b0 if a1 == a0 else b0 + (offset - a0) * (b1 - b0) / (a1 - a0)
        # the word whose start is nearest that letter
        idx = min(range(len(word_starts)), key=lambda i: abs(word_starts[i] - pos))
        times.append(words[idx].start_ms if pos < len(spoken) else words[-1].end_ms)
        offset += len(key)
    return times


def _core(s: str) -> str:
    return "".join(c for c in s.lower() if c.isalnum())


def _even_out(times: list[int]) -> list[int]:
    """Lengthen cues shorter than MIN_CUE_MS by taking time from longer neighbours.

    Water-filling inside the sentence: short cues get MIN_CUE_MS, the rest share
    what is left in proportion to their own length. Only when the sentence is long
    enough for every cue to get MIN_CUE_MS.
    """
    durs = [b - a for a, b in itertools.pairwise(times)]
    total = times[-1] - times[0]
    if len(durs) < 2 or min(durs) >= MIN_CUE_MS or total < MIN_CUE_MS * len(durs):
        return times
    fixed: set[int] = set()
    while True:
        free = [i for i in range(len(durs)) if i not in fixed]
        budget = total - MIN_CUE_MS * len(fixed)
        base = sum(durs[i] for i in free) or 1
        new = {i: budget * durs[i] / base for i in free}
        short = {i for i, d in new.items() if d < MIN_CUE_MS}
        if not short:
            break
        fixed |= short
    out = [times[0]]
    acc = float(times[0])
    for i in range(len(durs)):
        acc += MIN_CUE_MS if i in fixed else new[i]
        out.append(round(acc))
    out[-1] = times[-1]
    return out


# ================================================================== cues


def _cue_duration_cost(d: int) -> float:
    if d < MIN_CUE_MS:
        return 20.0 + (MIN_CUE_MS - d) / 100
    if d > MAX_CUE_MS:
        return 20.0 + (d - MAX_CUE_MS) / 100
    # Gentle pushes towards 1.5-5 s: shorter is hard to read, longer is a wall of text.
    return max(0.0, (1500 - d) / 250, (d - 5000) / 1000)


def _sentence_cues(text: str, span: Span, language: Lang, words: Sequence[Span]) -> list[Cue]:
    """The cheapest cut of one sentence into cues (see the module docstring)."""
    atoms = atoms_of(" ".join(text.split()), language)
    if not atoms:
        return []
    times = _boundary_times(atoms, span, words)
    layout = LineLayout(atoms, language)
    n = len(atoms)
    capacity = layout.limit * MAX_LINES
    inf = float("inf")
    # best[j]: (cost, start of the last cue, its line starts) for atoms[:j]
    no_lines: tuple[int, ...] = ()
    best: list[tuple[float, int, tuple[int, ...]]] = [(0.0, 0, no_lines)] + [(inf, 0, no_lines)] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if layout.width(i, j) > capacity + 2 * MAX_LINES:
                # wider than all lines together, even less the spaces and commas that
                # line ends drop: starting the cue earlier only widens it
                break
            if best[i][0] == inf:
                continue
            wrapped = layout.wrap(i, j)
            if wrapped is None:
                continue
            wrap_cost, starts = wrapped
            cost = (
                best[i][0]
                # a cut between cues parts words further than a line break inside one
                + (0.0 if j == n else 2.0 * atoms[j - 1].brk)
                + 2.0  # each cue: fewer changes on screen read calmer
                + 2.5 * (len(starts) - 1)
                + 0.5 * wrap_cost
                + _cue_duration_cost(times[j] - times[i])
            )
            if cost < best[j][0]:
                best[j] = (cost, i, starts)
    cuts: list[tuple[int, int, tuple[str, ...]]] = []
    j = n
    while j > 0:
        _, i, starts = best[j]
        cuts.append((i, j, layout.lines(starts, j)))
        j = i
    cuts.reverse()
    bounds = _even_out([times[i] for i, _, _ in cuts] + [times[n]])
    return [
        Cue(start_ms=a, end_ms=b, lines=lines)
        for (a, b), (_, _, lines) in zip(itertools.pairwise(bounds), cuts, strict=True)
        if b > a and any(lines)
    ]


def make_captions(
    texts: Sequence[str],
    sentences: Sequence[Span],
    language: Lang,
    words: Sequence[Span] = (),
) -> Captions:
    """Cues for ``texts`` (one per sentence) spoken during ``sentences``.

    ``words`` (word timings from the TTS, any order) place the cuts on word starts;
    without them a cut is placed by the spoken length of the text before it.
    Every cue has at most MAX_LINES lines within :func:`line_limit`, lies inside
    its sentence's span, and cues never overlap.
    """
    if len(texts) != len(sentences):
        raise ValueError(f"{len(texts)} texts for {len(sentences)} sentence spans")
    ordered_words = sorted(words, key=lambda w: (w.start_ms, w.end_ms))
    cues: list[Cue] = []
    prev_end = 0
    for text, span in zip(texts, sentences, strict=True):
        start = max(span.start_ms, prev_end)  # overlapping spans would overlap cues
        if not text.strip() or span.end_ms <= start:
            continue
        span = Span(start, span.end_ms, span.text)
        inside = [w for w in ordered_words if start <= (w.start_ms + w.end_ms) // 2 < span.end_ms]
        cues.extend(_sentence_cues(text, span, language, inside))
        prev_end = span.end_ms
    return Captions(language=language, cues=tuple(cues))
