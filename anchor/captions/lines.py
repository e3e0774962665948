"""Atoms laid out into caption lines and cues within the reading limits."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from anchor.core.values import Lang

from .limits import MAX_LINES, display_width, line_limit
from .tokens import Atom

__all__ = ["LineLayout"]

_LINE_END_STRIP_RE = re.compile(r"[，。、；：,;]+(?=[」』”’）》\])]*$)")


def _line_text(atoms: Sequence[Atom], language: Lang) -> str:
    line = "".join((" " if a.space and k else "") + a.text for k, a in enumerate(atoms))
    if language == "zh":
        # No comma or full stop at a Chinese caption line end, also before a closer.
        line = _LINE_END_STRIP_RE.sub("", line)
    return line


class LineLayout:
    """Widths of a sentence's atoms, so any run's line width costs O(1)."""

    def __init__(self, atoms: Sequence[Atom], language: Lang) -> None:
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
            w - display_width(_line_text([Atom(a.text, False, 0, 0)], language), language)
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
