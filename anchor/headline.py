"""Headlines short enough for the lower third, cut only where a reader would.

The headline stays on screen for the whole clip, in the lower-third band of every
format. It is measured in the layout's own font at the band's size: it must fit
the narrowest band (9:16) in its lines. A longer one is shortened at a clause
break, else at a word boundary that is not inside a name, never mid-word.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from .text import has_han, jieba

__all__ = ["fit_headline", "fits", "headline_measure"]

log = logging.getLogger(__name__)

Measure = Callable[[str], bool]  # does this text fit the lower third?


@lru_cache(maxsize=1)
def headline_measure() -> Measure:
    """Whether a headline fits every format's lower third, measured with the bundled
    font at each layout's headline size; a character estimate when the font is not
    there (before `anchor models fetch`)."""
    try:
        # deferred: the renderer's layouts and fonts (PIL) load when a headline is first
        # measured, not when the translator (and so the CLI) is imported
        from .compose import font_file
        from .config import ASPECTS
        from .render.layout import layout_for
        from .render.text import font, wrap

        path = font_file()
        bands = []
        for w, h in ASPECTS.values():
            lay = layout_for(w, h)
            # the band's text area: the same inset the renderer leaves on each side
            bands.append((font(path, lay.headline_px), lay.headline.w - 2 * lay.headline_px,
                          lay.headline_lines))
    except Exception as exc:  # no font yet: estimate (a CJK char ~ 1 em, Latin ~ 0.55 em)
        log.debug("headline measure falls back to an estimate: %s", exc)

        def estimate(text: str) -> bool:
            ems = sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in text)
            return ems <= 34
        return estimate

    def measured(text: str) -> bool:
        return all(len(wrap(text, f, max_w, 99)) <= lines for f, max_w, lines in bands)

    return measured


def fits(text: str, measure: Measure | None = None) -> bool:
    return (measure or headline_measure())(text)


_CLAUSE = "，、；：,;:—–|｜"
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’&.-]*(?:\s+[A-Z][\w'’&.-]*)+")


def fit_headline(text: str, names: Sequence[str] = (), measure: Measure | None = None) -> str:
    """``text`` if it fits the lower third, else its longest head that does, cut at a
    clause break, else between words, never inside one of ``names`` ("Zhang Lifan",
    "Hunan Daily") or a word. Closing punctuation is dropped."""
    fit = measure or headline_measure()
    text = re.sub(r"\s+", " ", text).strip().rstrip("。.！!；;，,")
    if not text or fit(text):
        return text
    protected = [(m.start(), m.end()) for n in names if n
                 for m in re.finditer(re.escape(n), text)]
    # An English name the name finder did not know is still a run of capitalised words
    # ("the China New Media Conference"): cutting inside it reads as a typo on air.
    protected += [(m.start(), m.end()) for m in _CAPITALISED_RUN.finditer(text)]

    def inside_name(i: int) -> bool:
        return any(a < i < b for a, b in protected)

    cuts: list[tuple[int, int]] = []  # (priority, position): clause breaks first
    for i, ch in enumerate(text):
        if ch in _CLAUSE and not inside_name(i):
            cuts.append((0, i))
        elif ch == " " and not inside_name(i):
            cuts.append((1, i))
    # a Chinese headline without spaces may also break between two Han characters
    # that are not inside a name; jieba keeps words whole
    if has_han(text):
        pos = 0
        for word in _words(text):
            pos += len(word)
            if pos < len(text) and not inside_name(pos):
                cuts.append((2, pos))
    for priority in (0, 1, 2):
        for _, i in sorted((c for c in cuts if c[0] == priority), key=lambda c: -c[1]):
            head = text[:i].rstrip(" " + _CLAUSE)
            if head and fit(head) and len(head) >= len(text) // 3 and not _dangles(head):
                return head
    for dangling_ok in (False, True):  # anything that fits, however short
        for _, i in sorted(cuts, key=lambda c: -c[1]):
            head = text[:i].rstrip(" " + _CLAUSE)
            if head and fit(head) and (dangling_ok or not _dangles(head)):
                return head
    return text  # one unbreakable word or name: keep it whole rather than cut it


_DANGLING = frozenset("a an the of in on at to for with and or but as by from into than "
                      "over after before".split())


def _dangles(head: str) -> bool:
    """A headline ending on "in" or "the" reads as cut off."""
    last = head.rsplit(" ", 1)[-1].lower()
    return " " in head and last in _DANGLING


def _words(text: str) -> list[str]:
    try:
        return list(jieba().cut(text))
    except ImportError:
        return list(text)
