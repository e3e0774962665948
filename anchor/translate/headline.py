"""Headlines short enough for the lower third, cut only where a reader would.

A story without a title line gets one written from a sentence of its summary
(``headline_from_sentence``): its main clause, without the date, time or attribution
that opens it ("11月11日至13日，", "On Monday,", "据介绍，").

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

from anchor.language.text import HAN, has_han, jieba

__all__ = ["fit_headline", "fits", "headline_from_sentence", "headline_measure", "is_dateline",
           "says_nothing"]

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
        from anchor.compose.spec import font_file
        from anchor.core.settings import ASPECTS
        from anchor.render.graphics.layout import layout_for
        from anchor.render.graphics.lettering import font, wrap

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
    for shorter in _headline_style(text, names):  # words a headline leaves out, first
        if fit(shorter):
            return shorter
    text = next(iter(_headline_style(text, names)[-1:]), text)
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


def says_nothing(head: str, names: Sequence[str] = ()) -> bool:
    """A headline of names and little words only ("China and Papua New Guinea", cut from
    "... hold talks on a policing agreement"): on screen it says no news."""
    rest = head
    for n in sorted((n for n in names if n), key=len, reverse=True):
        rest = rest.replace(n, " ")
    words = re.findall(f"[A-Za-z]+|[{HAN}]", rest)
    return bool(head.strip()) and not [w for w in words if w.lower() not in _DANGLING
                                       and w not in "与和及、的"]


_DANGLING = frozenset("a an the of in on at to for with and or but as by from into than "
                      "over after before will be is are was were has have had can could "
                      "would should may".split())


def _headline_style(text: str, names: Sequence[str]) -> list[str]:
    """``text`` shortened step by step the way English headlines are written, each step
    keeping the words before: articles dropped ("The conference opens" → "Conference
    opens"), then "Province" after a province's name, then compound modifiers
    ("county-level media center" → "media center"). Nothing inside a name is touched.
    Chinese text is returned as it is (no steps)."""
    if has_han(text):
        return []
    keep = [n for n in names if n and re.search(r"[A-Za-z]", n)]

    def drop(pattern: str, s: str) -> str:
        def one(m: re.Match[str]) -> str:
            inside = any(m.start() < s.find(n) + len(n) and s.find(n) < m.end()
                         for n in keep if n in s)
            return m.group(0) if inside else m.group(1) if m.groups() else ""
        return re.sub(r"\s{2,}", " ", re.sub(pattern, one, s)).strip(" ,")

    steps: list[str] = []
    s = text
    for pattern in (r"^(?:The|A|An)\s+(?=\S)|(\s)(?:the|a|an)\s+(?=\S)",
                    r"(?<=[a-z])\s+Province\b",
                    r"(\s)[A-Za-z]+-[A-Za-z]+(?:-[A-Za-z]+)?\s+(?=[a-z])"):
        t = drop(pattern, s)
        if t and t != s:
            t = t[:1].upper() + t[1:]
            steps.append(t)
            s = t
    return steps


def _dangles(head: str) -> bool:
    """A headline ending on "in" or "the" reads as cut off."""
    last = head.rsplit(" ", 1)[-1].lower()
    return " " in head and last in _DANGLING


def _words(text: str) -> list[str]:
    try:
        return list(jieba().cut(text))
    except ImportError:
        return list(text)


# What opens a news sentence but does not belong in a headline: dates and times,
# attributions, connectives. Matched against a whole leading clause.
_ZH_LEAD = re.compile(
    r"^(?:(?:\d{4}年)?\d{1,2}月\d{1,2}[日号](?:[至到\-–~]\d{1,2}[日号])?|\d{4}年|今[天日年]|昨[天日]|"
    r"明[天日]|本周|上周|近日|日前|目前|当天|当日|星期[一二三四五六日天]|周[一二三四五六日]|"
    r"[上下]午|晚间|凌晨|早上|晚上)+(?:[上下]午|晚间|凌晨|早上|晚上)?$"
    r"|^(?:据|根据|按照)[^，,]{0,12}(?:介绍|报道|了解|消息|统计|计划|数据)$"
    r"|^(?:此外|另外|同时|与此同时|因此|但是|然而|不过|记者了解到|记者获悉)$")
_EN_LEAD = re.compile(
    r"^(?:(?:on|in|by|last|this|earlier|later|early|late)\s+)?(?:the\s+)?"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|year|"
    r"january|february|march|april|may|june|july|august|september|october|november|"
    r"december|today|yesterday|morning|afternoon|evening|weekend|\d{4}|\d{1,2})"
    r"(?:\s+(?:\d{1,2}|\d{4}|morning|afternoon|evening|this month|this year))*\s*,\s*"
    r"|^(?:according to [^,]{1,60}|however|meanwhile|also|in addition|separately)\s*,\s*",
    re.IGNORECASE)
_DATE_START = re.compile(r"^\s*(?:\d{4}年)?\d{1,2}月\d{1,2}[日号]|^\s*\d{4}[-/.]\d{1,2}"
                         r"|^\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? "
                         r"\d{1,2}\b|^\s*\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
                         r"nov|dec)", re.IGNORECASE)


def is_dateline(text: str) -> bool:
    """A line that opens with a date: a photo caption ("11月12日，大会在长沙开幕。") or
    a dateline, which should not stand in for a missing headline."""
    return bool(_DATE_START.match(text))


def headline_from_sentence(sentence: str) -> str:
    """A headline made from a summary sentence: its main clause(s), without the date,
    time, attribution or connective that opens it, and without closing punctuation.
    "11月11日至13日，2025中国新媒体大会在湖南长沙召开。" → "2025中国新媒体大会在湖南长沙召开";
    "On Wednesday, Taiwan launched its own exercises." → "Taiwan launched its own
    exercises". Fitting it to the lower third is ``fit_headline``'s job."""
    s = re.sub(r"\s+", " ", sentence).strip().rstrip("。.！!？?；;…")
    if not s:
        return ""
    if has_han(s) and not re.match(r"[A-Za-z]", s):
        clauses = [c for c in re.split(r"[，,；;：:]", s) if c.strip()]
        while len(clauses) > 1 and _ZH_LEAD.match(clauses[0].strip()):
            clauses.pop(0)
        # a date fused to the subject ("11月13日上午2025中国新媒体大会...") goes too
        head = re.sub(r"^(?:\d{1,2}月\d{1,2}[日号](?:[上下]午|晚间|凌晨)?)", "",
                      clauses[0].strip()) or clauses[0].strip()
        out = head
        for c in clauses[1:]:  # a very short main clause reads better with the next
            if len(out) >= 10:
                break
            out += "，" + c.strip()
        return out
    for _ in range(3):
        m = _EN_LEAD.match(s)
        if not m or m.end() >= len(s):
            break
        s = s[m.end():]
    return s[:1].upper() + s[1:]
