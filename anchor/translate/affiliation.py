"""Who belongs to which party, place or body: a swap keeps every name and loses the fact.

国民党总统参选人马英九 … 民进党总统参选人谢长廷 came out as "Ma Ying-jeou, the Democratic
Progressive Party candidate … Frank Hsieh, the Kuomintang candidate": every name there,
each on the wrong person. In the source a person's affiliation is the name written just
before them (国民党 + 总统参选人 + 马英九); in English it is the one before them in the same
noun phrase or in an apposition after them ("Ma Ying-jeou, the Kuomintang candidate"); a
list ("…, and India Prime Minister") ties no one. Only a sentence
with two or more such pairs is judged: with one there is nothing to swap it with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from anchor.language.names import Name

from .checks import Problem

__all__ = ["affiliation_problems"]

_GAP = 8  # characters between an affiliation and its person: 总统参选人, 外交部发言人
_BREAK = re.compile(r"[，。；、！？,;:：\n]")


def _pairs(source: str, names: Sequence[Name]) -> list[tuple[Name, Name]]:
    """(affiliation, person) pairs of the Chinese source."""
    people = [n for n in names if n.kind == "person" and n.origin != "unsure"]
    others = [n for n in names if n.kind != "person"]
    pairs: list[tuple[Name, Name]] = []
    for person in people:
        at = source.find(person.source)
        best: tuple[int, Name] | None = None
        for other in others:
            end = source.rfind(other.source, 0, at)
            if end < 0:
                continue
            gap = source[end + len(other.source):at]
            if len(gap) <= _GAP and not _BREAK.search(gap) \
                    and not any(p.source in gap for p in people) \
                    and (best is None or end > best[0]):
                best = (end, other)
        if best:
            pairs.append((best[1], person))
    return pairs


def _spans(name: Name, out: str) -> list[tuple[int, int]]:
    spans = []
    for form in (name.target, *name.also):
        form = form.removeprefix("the ").strip()
        if form:
            spans += [m.span() for m in re.finditer(
                rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])", out, re.IGNORECASE)]
    return spans


# English ties a person to a party or body in two ways: before them in the same noun
# phrase, with at most a title between ("Kuomintang presidential candidate Ma Ying-jeou"),
# or just after them as an apposition ("Ma Ying-jeou, the Kuomintang candidate"; "Frank
# Hsieh of the DPP"). Anything else (a list, another clause) ties no one.
_BEFORE = re.compile(r"^[\s'’sA-Za-z-]{0,40}$")
_AFTER = re.compile(r"^(?:,\s*(?:the|a|an)\s+|\s+(?:of|from)\s+(?:the\s+)?)$", re.IGNORECASE)


def _tie(mention: tuple[int, int], out: str,
         groups: dict[str, list[tuple[int, int]]]) -> str | None:
    """The affiliation ``out`` gives the person mentioned at ``mention``, if it gives one."""
    before = [(mention[0] - e, key) for key, spans in groups.items() for s, e in spans
              if e <= mention[0] and _BEFORE.match(out[e:mention[0]])
              and len(out[e:mention[0]].split()) <= 4]
    if before:
        return min(before)[1]
    after = [(s - mention[1], key) for key, spans in groups.items() for s, e in spans
             if s >= mention[1] and _AFTER.match(out[mention[1]:s])]
    return min(after)[1] if after else None


def affiliation_problems(source: str, out: str, names: Sequence[Name]) -> list[Problem]:
    """People whose affiliation in English ``out`` is another pair's, not their own."""
    pairs = _pairs(source, names)
    if len({a.source for a, _ in pairs}) < 2:
        return []
    groups = {a.source: _spans(a, out) for a, _ in pairs}
    by_source = {a.source: a for a, _ in pairs}
    problems = []
    for own, person in pairs:
        ties = {t for m in _spans(person, out) if (t := _tie(m, out, groups))}
        if ties and own.source not in ties:
            other = by_source[sorted(ties)[0]]
            problems.append(Problem(
                "affiliation", person.source,
                f'"{person.target}" goes with "{own.target}" in the source, but the en text '
                f'ties them to "{other.target}": check who is who',
                f"{person.target} with {own.target}"))
    return problems
