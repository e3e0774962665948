"""Captions: sentence timings in, cues within reading limits out, and SRT/VTT.

Each sentence is cut into cues at its clause punctuation, or at word boundaries
(jieba words for Chinese, spaces for English) where a clause is too long. The cut
is chosen by a small dynamic programme that weighs where it breaks (a comma is a
good place, inside a quote or after "the" a bad one), how many cues and lines it
makes, and how long each cue stays on screen. Times come from word timings when
the TTS gave them, else from the spoken length of the text (characters for
Chinese, syllables for English).

Decisions worth knowing:

- Chinese lines drop a trailing ，。、；： (Chinese broadcast captions show no
  comma or full stop at a line end; the line end is the pause). Inner punctuation
  and ？！…「」《》 stay. English keeps all punctuation.
- Chinese line width counts a Han character or full-width sign as 1 and a Latin
  letter, digit or space as 1/2 (what it takes on screen), so "5G+AR" does not eat
  five of the sixteen places. English counts characters.
- Cues stay inside their sentence's span and never overlap; they touch inside a
  sentence. A sentence spoken in less than MIN_CUE_MS gives one shorter cue.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import atomic_path
from .models import Captions, Cue, Lang, Span
from .text import HAN, jieba, to_simplified

__all__ = [
    "MAX_CUE_MS",
    "MAX_LINES",
    "MIN_CUE_MS",
    "bilingual_cues",
    "display_width",
    "line_limit",
    "make_captions",
    "parse_srt",
    "to_srt",
    "to_vtt",
    "write_captions",
]

log = logging.getLogger(__name__)

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


# ================================================================== atoms

_HAN = HAN
# Runs that are never broken: "5G+AR", "95%", "3.5", "1:1", "COVID-19", "Billionaire's".
_LATIN_RUN = r"[A-Za-z0-9\u00c0-\u024f]+(?:[.+:/&'’\-,][A-Za-z0-9\u00c0-\u024f]+)*[%+°]?"
_ZH_TOKEN_RE = re.compile(rf"(?P<latin>[$¥€£]?{_LATIN_RUN})|(?P<han>[{_HAN}]+)|(?P<space>\s+)|.")
_OPENING = set("「『“‘（(《〈【［[{¿¡")
_CLOSING = set("」』”’）)》〉】］]}")
_TRAILING = set("，。、；：！？,.;:!?…—–%")  # stays with the word before it
_SENTENCE_PUNCT = set("。！？!?")
_CLAUSE_PUNCT = set("，；：,;:—–…")
# Measure words and units kept with the number before them: "2025年", "10億次", "95％".
_UNITS = set("年月日号號时時点點分秒个個位名家场場次项項件元块塊倍岁歲")
_UNITS |= set("亿億万萬千百十度米吨噸公里部张張")
_EN_CLAUSE_WORDS = frozenset(
    "and but or nor so yet because although though while whereas which who whom whose "
    "that when where if unless after before since until as than".split()
)
# Ending a line or cue on these reads badly: "the / library".
_EN_WEAK_END = frozenset(
    "a an the of to in on at by for with from into onto and or but as than that this "
    "these those his her its their our my your mr mrs ms dr no such".split()
)


@dataclass(frozen=True, slots=True)
class _Atom:
    """An unbreakable piece of caption text."""

    text: str  # as shown, with the punctuation attached to it
    space: bool  # a space separates it from the atom before
    brk: float  # cost of a line or cue break after it
    weight: float  # spoken length


def _han_words(run: str) -> list[str]:
    """jieba words of a Han run. Traditional text is segmented through its
    Simplified form (jieba's dictionary is Simplified: "正敞/開懷/抱" otherwise)."""
    simple = to_simplified(run)
    words = list(jieba().cut(simple if len(simple) == len(run) else run, HMM=True))
    out, i = [], 0
    for w in words:
        out.append(run[i : i + len(w)])
        i += len(w)
    return out


def _syllables(word: str) -> float:
    """Rough spoken length of a Latin token in syllables."""
    letters = re.sub(r"[^A-Za-z]", "", word)
    digits = sum(c.isdigit() for c in word)
    if letters and (letters.isupper() and len(letters) <= 5):
        n = float(len(letters))  # acronym: "AI", "AR" are read letter by letter
    elif letters:
        groups = re.findall(r"[aeiouy]+", letters.lower())
        n = max(1, len(groups) - (letters.lower().endswith("e") and len(groups) > 1))
    else:
        n = 0.0
    return n + digits + 2 * word.count("%")


def _pause(text: str) -> float:
    tail = text.rstrip("".join(_CLOSING) + "\"'")
    if tail and tail[-1] in _SENTENCE_PUNCT:
        return 0.8
    if tail and tail[-1] in _CLAUSE_PUNCT | {"、"}:
        return 0.5
    return 0.0


def _raw_tokens_zh(text: str) -> list[tuple[str, bool]]:
    """(token, space before) for Chinese: jieba words, Latin runs, single signs."""
    out: list[tuple[str, bool]] = []
    space = False
    for m in _ZH_TOKEN_RE.finditer(text):
        if m.lastgroup == "space":
            space = True
            continue
        if m.lastgroup == "han":
            for w in _han_words(m.group()):
                out.append((w, space))
                space = False
        else:
            out.append((m.group(), space))
        space = False
    return out


def _raw_tokens_en(text: str) -> list[tuple[str, bool]]:
    return [(w, True) for w in text.split()]


def _atoms(text: str, language: Lang) -> list[_Atom]:
    """Cut ``text`` into atoms: punctuation glued to its word, numbers to their unit."""
    raw = _raw_tokens_zh(text) if language == "zh" else _raw_tokens_en(text)
    pieces: list[list[Any]] = []  # [text, space before]
    prefix = ""  # opening quotes/brackets waiting for the word they open
    prefix_space = False
    for tok, space in raw:
        straight_quote = tok in ('"', "'")
        if (tok in _OPENING or (straight_quote and (not pieces or space))) and len(tok) == 1:
            if not prefix:
                prefix_space = space
            prefix += tok
            continue
        sign = not any(ch.isalnum() for ch in tok)
        if (
            pieces
            and not prefix
            and sign
            and (tok[0] in _CLOSING or tok[0] in _TRAILING or tok[0] == "、" or straight_quote)
        ):
            pieces[-1][0] += (" " if space else "") + tok  # "」", "，", "95 %" stay put
            continue
        if (
            language == "zh"
            and pieces
            and not prefix
            and not space
            and re.fullmatch(r"[$¥€£]?\d[\d.,:]*%?", pieces[-1][0])
            and tok[0] in _UNITS
            and len(tok) <= 2
        ):
            pieces[-1][0] += tok  # "2025年", "10億次"
            continue
        if language == "zh" and pieces and pieces[-1][0] == "第" and tok[0].isdigit():
            pieces[-1][0] += tok  # "第3"
            continue
        pieces.append([prefix + tok, prefix_space if prefix else space])
        prefix = ""
    if prefix:  # an opening sign at the very end: keep it with the last word
        if pieces:
            pieces[-1][0] += prefix
        else:
            pieces.append([prefix, False])
    limit = line_limit(language)
    atoms: list[_Atom] = []
    depth = 0  # inside 「…」 or (…): breaking there splits a name or a quote
    for i, (tok, space) in enumerate(pieces):
        depth = max(0, depth + sum(c in _OPENING for c in tok) - sum(c in _CLOSING for c in tok))
        nxt = pieces[i + 1][0] if i + 1 < len(pieces) else ""
        brk = _break_cost(tok, nxt, language) + (2.0 if depth else 0.0)
        weight = _weight(tok, language)
        chunks = _hard_split(tok, language, limit)
        for k, chunk in enumerate(chunks):
            last = k == len(chunks) - 1
            share = weight * len(chunk) / len(tok)
            atoms.append(_Atom(chunk, bool(space) and k == 0, brk if last else 20.0, share))
    return atoms


def _hard_split(tok: str, language: Lang, limit: int) -> list[str]:
    """A token wider than a line (a URL, a long name) cut into line-sized chunks."""
    if display_width(tok, language) <= limit:
        return [tok]
    chunks, cur = [], ""
    for c in tok:
        if display_width(cur + c, language) > limit:
            chunks.append(cur)
            cur = ""
        cur += c
    return [*chunks, cur] if cur else chunks


def _weight(tok: str, language: Lang) -> float:
    core = 0.0
    for m in re.finditer(rf"[{_HAN}]|[A-Za-z0-9%\u00c0-\u024f'’\-.+:]+", tok):
        piece = m.group()
        core += 1.0 if re.fullmatch(f"[{_HAN}]", piece) else _syllables(piece)
    return core + _pause(tok)


def _break_cost(tok: str, nxt: str, language: Lang) -> float:
    tail = tok.rstrip("".join(_CLOSING) + "\"'")
    last = tail[-1] if tail else ""
    if last in _SENTENCE_PUNCT or (language == "en" and last == "."):
        return 0.0
    if last in _CLAUSE_PUNCT:
        return 1.0
    if last == "、":
        return 3.0
    if language == "en":
        word = re.sub(r"[^a-z]", "", tok.lower())
        if word in _EN_WEAK_END or word in _EN_CLAUSE_WORDS:
            return 12.0
        if re.sub(r"[^a-z]", "", nxt.lower()) in _EN_CLAUSE_WORDS:
            return 4.0
        return 8.0
    if nxt[:1] in "的地得了着過过們们":
        return 10.0  # a particle belongs to the word before it
    if tok[-1:].isdigit():
        return 12.0  # "2025 / 中國新媒體大會": a number qualifies what follows it
    return 8.0


# ================================================================== lines


_LINE_END_STRIP_RE = re.compile(r"[，。、；：,;]+(?=[」』”’）》\])]*$)")


def _line_text(atoms: Sequence[_Atom], language: Lang) -> str:
    line = "".join((" " if a.space and k else "") + a.text for k, a in enumerate(atoms))
    if language == "zh":
        # No comma or full stop at a Chinese caption line end, also before a closer.
        line = _LINE_END_STRIP_RE.sub("", line)
    return line


class _Layout:
    """Widths of a sentence's atoms, so any run's line width costs O(1)."""

    def __init__(self, atoms: Sequence[_Atom], language: Lang) -> None:
        self.atoms = atoms
        self.language = language
        self.limit = line_limit(language)
        space = display_width(" ", language)
        widths = [display_width(a.text, language) for a in atoms]
        # An atom's width and the space before it, as prefix sums over the sentence.
        self._cum = [
            0.0,
            *itertools.accumulate(
                w + (space if a.space else 0.0) for w, a in zip(widths, atoms, strict=True)
            ),
        ]
        self._lead = [space if a.space else 0.0 for a in atoms]  # dropped at a line start
        # What a line end takes off (Chinese drops a trailing ，。 — see _line_text).
        self._trim = [
            w - display_width(_line_text([_Atom(a.text, False, 0, 0)], language), language)
            for w, a in zip(widths, atoms, strict=True)
        ]

    def width(self, i: int, j: int) -> float:
        """Width of atoms[i:j] laid on one line."""
        return self._cum[j] - self._cum[i] - self._lead[i] - self._trim[j - 1]

    def wrap(self, i: int, j: int) -> tuple[float, tuple[int, ...]] | None:
        """Best split of atoms[i:j] into at most MAX_LINES lines: (cost, line starts).

        One line when it fits; else the break that keeps lines balanced and falls at
        a good place (clause punctuation, a word boundary). None when it cannot fit.
        """
        if self.width(i, j) <= self.limit:
            return 0.0, (i,)
        best: tuple[float, tuple[int, ...]] | None = None
        # layouts[k]: cheapest (cost, line starts) that lays atoms[i:k] on full lines
        layouts: dict[int, tuple[float, tuple[int, ...]]] = {i: (0.0, ())}
        for _ in range(MAX_LINES):
            grown: dict[int, tuple[float, tuple[int, ...]]] = {}
            for k, (cost, starts) in layouts.items():
                for m in range(k + 1, j + 1):
                    w = self.width(k, m)
                    if w > self.limit:
                        break
                    c = cost + 4.0 * ((self.limit - w) / self.limit) ** 2
                    c += 0.0 if m == j else self.atoms[m - 1].brk
                    if m not in grown or c < grown[m][0]:
                        grown[m] = (c, (*starts, k))
            if j in grown and (best is None or grown[j][0] < best[0]):
                best = grown[j]
            layouts = {k: v for k, v in grown.items() if k < j}
        return best

    def lines(self, starts: tuple[int, ...], j: int) -> tuple[str, ...]:
        ends = (*starts[1:], j)
        return tuple(
            _line_text(self.atoms[a:b], self.language) for a, b in zip(starts, ends, strict=True)
        )


# ================================================================== timing


def _boundary_times(atoms: Sequence[_Atom], span: Span, words: Sequence[Span]) -> list[int]:
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
    atoms = _atoms(" ".join(text.split()), language)
    if not atoms:
        return []
    times = _boundary_times(atoms, span, words)
    layout = _Layout(atoms, language)
    n = len(atoms)
    capacity = layout.limit * MAX_LINES
    inf = float("inf")
    # best[j]: (cost, start of the last cue, its line starts) for atoms[:j]
    best: list[tuple[float, int, tuple[int, ...]]] = [(0.0, 0, ())] + [(inf, 0, ())] * n
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


# ================================================================== bilingual


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


# ================================================================== files


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def to_srt(c: Captions) -> str:
    """SubRip text: numbered cues, HH:MM:SS,mmm times, a blank line after each."""
    blocks = [
        f"{i}\n{_stamp(cue.start_ms, ',')} --> {_stamp(cue.end_ms, ',')}\n{cue.text}\n"
        for i, cue in enumerate(c.cues, 1)
    ]
    return "\n".join(blocks)


def to_vtt(c: Captions) -> str:
    """WebVTT text: header, HH:MM:SS.mmm times; &, < and > escaped as VTT requires."""
    blocks = ["WEBVTT\n"]
    for cue in c.cues:
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{_stamp(cue.start_ms, '.')} --> {_stamp(cue.end_ms, '.')}\n{text}\n")
    return "\n".join(blocks)


def _write_atomic(path: Path, text: str) -> None:
    with atomic_path(path, ".tmp") as tmp, tmp.open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_captions(c: Captions, srt_path: Path | None, vtt_path: Path | None) -> None:
    """Write SRT and/or VTT files; each appears whole or not at all (temp + rename)."""
    if srt_path is not None:
        _write_atomic(Path(srt_path), to_srt(c))
    if vtt_path is not None:
        _write_atomic(Path(vtt_path), to_vtt(c))


_SRT_TIME = r"(\d+):(\d{2}):(\d{2})[,.](\d{3})"
_SRT_CUE_RE = re.compile(rf"^\s*(?:\d+\s*\n)?\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}[^\n]*\n(.*)", re.S)


def parse_srt(text: str, language: Lang | None = None) -> Captions:
    """Read SubRip text back into Captions (tests and round trips).

    The language is guessed from the text (any Han character → zh) when not given.
    """
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").lstrip("\ufeff")):
        m = _SRT_CUE_RE.match(block)
        if not m:
            continue
        g = [int(x) for x in m.groups()[:8]]
        start = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
        end = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
        lines = tuple(line for line in m.group(9).strip("\n").split("\n") if line.strip())
        cues.append(Cue(start, end, lines))
    if language is None:
        language = "zh" if re.search(f"[{_HAN}]", text) else "en"
    return Captions(language=language, cues=tuple(cues))
