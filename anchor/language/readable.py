"""Characters the voices cannot read: found before any work, or read by a fallback rule.

A Han character that has no Mandarin reading in the voices' dictionary (pypinyin, which
misaki's G2P reads through) made the Mandarin voice raise after review: 𡃁 (U+210C1, a
Cantonese character) is one. So are private-use characters (a font's own code points),
control and format characters, and unassigned code points, in either language.

``find_unreadable(text, lang)`` lists each with its line and column and a suggested
replacement; the web service shows them at submission and when a script is saved.
``read_fallback(text, lang)`` is the rule the voices use for whatever still gets through:
the suggestion, or silence. Nothing here loads a model: pypinyin's dictionary only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from anchor.core.values import Lang

from .text import is_han, to_simplified

__all__ = ["Unreadable", "describe", "find_unreadable", "read_fallback"]

# Dialect characters common in Hong Kong news, with the Mandarin a newsreader says.
_DIALECT = {
    "\U000210c1": "靓",  # 𡃁 leng1, "young" (𡃁仔 = 靓仔)
    "\U000282e2": "电梯",  # 𨋢 lip1, "lift"
    "\U00020779": "割",  # 𠝹 "to cut"
}
_KINDS = {"Co": "a private-use character (it shows only in the font it was typed with)",
          "Cc": "an invisible control character", "Cf": "an invisible format character",
          "Cn": "a code point Unicode does not assign", "Cs": "a broken surrogate"}
_KEEP_FORMAT = {"\u200d", "\u200c"}  # joiners inside emoji and Indic words: harmless
_INGEST_DROPS = {"\u200b", "\u2060", "\ufeff", "\u00ad"}  # ingest.chars removes them


@dataclass(frozen=True, slots=True)
class Unreadable:
    index: int  # position in the text, from 0
    line: int  # from 1
    column: int  # from 1
    char: str
    why: str
    suggestion: str  # what the voice reads instead ("" = nothing)

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"


@cache
def _reading(ch: str) -> str:
    """The character's first Mandarin reading, or "" when the dictionary has none."""
    from pypinyin import Style, pinyin  # deferred: its dictionary loads on first use

    got = pinyin(ch, style=Style.NORMAL, errors=lambda c: "")
    return got[0][0] if got and got[0] and got[0][0] != ch else ""


@cache
def _han_suggestion(ch: str) -> str:
    if ch in _DIALECT:
        return _DIALECT[ch]
    for form in (unicodedata.normalize("NFKC", ch), _simplified(ch)):
        if form != ch and form and all(_reading(c) for c in form if is_han(c)):
            return form
    return ""


def _simplified(ch: str) -> str:
    try:
        return to_simplified(ch)
    except Exception:  # OpenCC missing: no variant to offer
        return ch


def _problem(ch: str, lang: Lang, ingested: bool) -> tuple[str, str] | None:
    cat = unicodedata.category(ch)
    if ch.isspace() or ch in _KEEP_FORMAT:
        return None  # line ends (\r\n), tabs, odd spaces: ingest makes them plain
    if ingested and (cat == "Cc" or ch in _INGEST_DROPS):
        return None  # the article's clean-up removes these before anything reads them
    if cat in _KINDS:
        return _KINDS[cat], ""
    if lang == "zh" and is_han(ch) and not _reading(ch):
        suggestion = _han_suggestion(ch)
        return ("a character with no Mandarin reading in the voice's dictionary"
                + ("" if suggestion else " (type a common character or its pinyin instead)"),
                suggestion)
    return None


def find_unreadable(text: str, lang: Lang = "zh", *, ingested: bool = False,
                    ) -> list[Unreadable]:
    """Every character of ``text`` the ``lang`` voice cannot read, in order. ``ingested``:
    the text goes through the article clean-up first, so what it removes is no problem."""
    out: list[Unreadable] = []
    line, col = 1, 0
    for i, ch in enumerate(text):
        if ch == "\n":
            line, col = line + 1, 0
            continue
        col += 1
        if ch.isascii() and ch.isprintable():
            continue
        problem = _problem(ch, lang, ingested)
        if problem is not None:
            out.append(Unreadable(i, line, col, ch, problem[0], problem[1]))
    return out


def read_fallback(text: str, lang: Lang = "zh") -> str:
    """``text`` with every unreadable character replaced by its suggestion (or dropped)."""
    found = find_unreadable(text, lang)
    if not found:
        return text
    parts, last = [], 0
    for u in found:
        parts += [text[last:u.index], u.suggestion]
        last = u.index + 1
    return "".join(parts) + text[last:]


def describe(found: list[Unreadable], limit: int = 5, where: str = "") -> str:
    """'𡃁 (U+210C1) at line 2, column 5: no reading; read as 靓' for the first few."""
    parts = []
    for u in found[:limit]:
        shown = (f"{u.char} ({u.codepoint})" if unicodedata.category(u.char)[0] != "C"
                 else u.codepoint)
        say = f"suggested: {u.suggestion}" if u.suggestion else "suggested: delete it"
        parts.append(f"{shown} at {where}line {u.line}, column {u.column} — {u.why}; {say}")
    more = f"; and {len(found) - limit} more" if len(found) > limit else ""
    return "; ".join(parts) + more
