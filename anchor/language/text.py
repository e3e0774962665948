"""Text utilities shared by the stages: scripts, sentences, figures and names.

The one home of the Han-character range, the OpenCC converters, the jieba set-up and
the yes/no parser. Pure functions apart from those cached dictionaries; other stages
import these, so signatures stay stable.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache, lru_cache
from typing import Any

__all__ = [
    "CJK",
    "HAN",
    "cjk_ratio",
    "extract_figures",
    "has_cjk",
    "has_han",
    "is_han",
    "jieba",
    "jieba_posseg",
    "latin_names",
    "parse_bool",
    "split_sentences",
    "to_simplified",
    "to_traditional",
    "word_spans",
]

# ------------------------------------------------------------------ scripts

# Han ideographs, as the body of a regex character class (f"[{HAN}]"): CJK Unified
# Ideographs, extension A, the compatibility block, and the supplementary planes
# (extensions B-H and the compatibility supplement). Rare characters of names and
# places live in extension A and B, so stopping at U+9FFF would split them off.
HAN = (
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified
    "\uf900-\ufaff"  # compatibility
    "\U00020000-\U000323af"  # extensions B-H, compatibility supplement
)
# Han plus kana and hangul: any of them in English output means a word was left
# untranslated.
CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\uac00-\ud7af"  # hangul syllables
    + HAN
)
_HAN_RE = re.compile(f"[{HAN}]")
_CJK_RE = re.compile(f"[{CJK}]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")


def is_han(ch: str) -> bool:
    """True when the character ``ch`` is a Han ideograph."""
    return _HAN_RE.fullmatch(ch) is not None


def has_han(s: str) -> bool:
    """True when ``s`` holds any Han ideograph (kana and hangul do not count)."""
    return _HAN_RE.search(s) is not None


def has_cjk(s: str) -> bool:
    """True when ``s`` holds any Han, kana or hangul character (not punctuation)."""
    return _CJK_RE.search(s) is not None


def cjk_ratio(s: str) -> float:
    """Share of CJK characters among the letters of ``s`` (digits and punctuation
    are neutral). 0.0 for a string without letters."""
    cjk = len(_CJK_RE.findall(s))
    latin = len(_LATIN_LETTER_RE.findall(s))
    total = cjk + latin
    return cjk / total if total else 0.0


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    # Building a converter loads dictionaries (~10 ms); keep one per config.
    import opencc

    return opencc.OpenCC(config)


def to_simplified(s: str) -> str:
    """Traditional → Simplified Chinese (OpenCC ``t2s``); other text passes through."""
    return str(_converter("t2s").convert(s)) if s else s


def to_traditional(s: str) -> str:
    """Simplified → Traditional Chinese (OpenCC ``s2t``); other text passes through."""
    return str(_converter("s2t").convert(s)) if s else s


_JIEBA_INIT = threading.Lock()


@cache
def jieba() -> Any:
    """The jieba module, quiet and with its dictionary loaded.

    jieba logs "Building prefix dict..." at DEBUG on every load and loads its
    dictionary lazily on first use, which is not thread-safe; loading it here,
    once and under a lock, settles both for every caller.
    """
    import jieba as _jieba

    _jieba.setLogLevel(logging.WARNING)
    with _JIEBA_INIT:
        _jieba.initialize()
    return _jieba


def word_spans(text: str) -> list[tuple[int, int]]:
    """jieba's words of ``text`` as (start, end) positions: where a word begins and ends
    tells whether a few characters are a word of their own (国防部 in 国防部长 is not)."""
    spans, at = [], 0
    for word in jieba().cut(text):
        spans.append((at, at + len(word)))
        at += len(word)
    return spans


def jieba_posseg() -> Any:
    """jieba's part-of-speech tagger (``jieba.posseg``), set up as :func:`jieba`."""
    jieba()
    import jieba.posseg as posseg

    return posseg


# ------------------------------------------------------------------ values

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def parse_bool(raw: object, default: bool | None = None) -> bool:
    """A yes/no value from a flag, TOML or the environment: a bool, or one of
    1/true/yes/on and 0/false/no/off in any case. Anything else is ``default``,
    or raises ValueError when there is none."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if default is not None:
        return default
    raise ValueError(raw)


# ------------------------------------------------------------------ sentences

_CJK_END = "。！？；!?"  # ASCII !? too: Chinese news sometimes mixes them in
_CLOSERS = "」』”’）)]】》〉\"'"
_OPEN_CLOSE = {"「": "」", "『": "』", "“": "”", "（": "）", "(": ")", "【": "】", "《": "》"}
_CLOSE_OPEN = {v: k for k, v in _OPEN_CLOSE.items()}

# Words after which a period never ends a sentence: a name or a number follows.
_TITLE_ABBREVS = frozenset(
    """mr mrs ms dr prof rev hon gen col lt sgt capt cmdr adm gov sen rep pres supt insp
    st mt ft no nos vol vols fig figs p pp ch sec art approx dept est ave blvd rd
    jan feb mar apr jun jul aug sep sept oct nov dec vs e.g i.e cf viz al""".split()
)
# Abbreviations that may or may not end a sentence ("... Ltd. The firm ..."): we
# split after them only when a typical sentence opener follows.
_MAYBE_END_ABBREVS = frozenset("etc inc ltd co corp jr sr plc llc bros".split())
_SENTENCE_OPENERS = frozenset(
    """the a an this that these those it its he she they we i you his her their our
    but and so yet however meanwhile in on at for after before when while if as
    there here some many most all no one two three last next earlier later today
    tomorrow yesterday officials police according""".split()
)
_WORD_BEFORE_RE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_WORD_AFTER_RE = re.compile(r"\s*[\"“'‘(]*([A-Za-z]+)")


def split_sentences(text: str) -> list[str]:
    """Split Chinese and English text into sentences.

    Newlines always end a sentence. Chinese ends on 。！？； (and !?), English on
    .!? followed by space and a new sentence; abbreviations ("Mr.", "U.S."),
    decimals ("3.5") and initials ("J. K.") do not end one. Closing quotes and
    brackets stay with the sentence they close, and a sentence does not end
    inside 「…」 or “…” unless the quote is never closed on that line.
    """
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = _split_line(line, respect_quotes=True)
        if parts is None:  # unbalanced quotes: a multi-paragraph quote or a typo
            parts = _split_line(line, respect_quotes=False) or [line]
        out.extend(_attach_attributions([p for p in parts if p]))
    return out


# "“……。”王立说。": the attribution after a quote is no sentence of its own; alone it
# would be a fragment a summary might pick ("王立说。").
_ZH_QUOTE_END = ("。”", "！”", "？”", "。」", "！」", "？」", "…”", "…」")
_ZH_ATTRIBUTION_RE = re.compile(
    r"^[^。！？“”「」]{1,30}(说|表示|称|指出|介绍|强调|认为|透露|告诉记者|說|表示|稱|指出|介紹|強調|認為)[。！]$"
)


def _attach_attributions(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if out and out[-1].endswith(_ZH_QUOTE_END) and _ZH_ATTRIBUTION_RE.match(part):
            out[-1] += part
        else:
            out.append(part)
    return out


def _split_line(line: str, *, respect_quotes: bool) -> list[str] | None:
    parts: list[str] = []
    stack: list[str] = []
    start = 0
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch in _OPEN_CLOSE:
            stack.append(_OPEN_CLOSE[ch])
        elif ch in _CLOSE_OPEN:
            if stack and stack[-1] == ch:
                stack.pop()
        elif ch == '"':
            # straight quotes toggle: closing when one is open
            if stack and stack[-1] == '"':
                stack.pop()
            else:
                stack.append('"')
        if ch in _CJK_END or ch in ".…":
            # take the whole run of terminators (?!, ..., 。」) and the closers after it
            j = i + 1
            while j < n and (line[j] in _CJK_END or line[j] in ".…"):
                j += 1
            depth = list(stack)
            while j < n and line[j] in _CLOSERS:
                c = line[j]
                if depth and depth[-1] == c:
                    depth.pop()
                elif c in _CLOSE_OPEN or c == '"':
                    # a closer for nothing open: still glue it to this sentence
                    pass
                j += 1
            if _ends_here(line, i, j) and (not respect_quotes or not depth):
                parts.append(line[start:j].strip())
                start = j
                stack = depth
                i = j
                continue
            if respect_quotes:
                stack = depth
            i = j
            continue
        i += 1
    tail = line[start:].strip()
    if tail:
        parts.append(tail)
    if respect_quotes and stack:
        return None
    return parts


def _ends_here(line: str, i: int, j: int) -> bool:
    """Does the terminator run line[i:j] (with its closers) end a sentence?"""
    term = line[i]
    if j >= len(line):
        return True
    if term in "。！？；":
        return True
    nxt = line[j]
    if term in "!?" and has_cjk(nxt):
        return True
    if not nxt.isspace():
        # "3.5", "U.S.A", "example.com", "Yahoo!Japan": no break without a space
        return False
    rest = line[j:].lstrip()
    if not rest:
        return True
    first = rest[0]
    if not (first.isupper() or first.isdigit() or first in "\"“'‘(「『[" or has_cjk(first)):
        return False
    if term in "!?…":
        return True
    # a period: look at the word it ends
    m = _WORD_BEFORE_RE.search(line[i - 40 if i > 40 else 0 : i])
    word = m.group(1) if m else ""
    low = word.lower().rstrip(".")
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. K. Rowling", "Plan B." is rarer than "John F. Kennedy"
    if low in _TITLE_ABBREVS:
        return False
    if low in _MAYBE_END_ABBREVS or "." in word:
        # "U.S." / "a.m." / "Inc.": end only when a typical opener follows
        nm = _WORD_AFTER_RE.match(line, j)
        return bool(nm and nm.group(1).lower() in _SENTENCE_OPENERS)
    return True


# ------------------------------------------------------------------ figures

_FULLWIDTH = str.maketrans("０１２３４５６７８９％＄．：，", "0123456789%$.:,")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NOT_AFTER = r"(?<![A-Za-z0-9_.])(?<![A-Za-z]-)"  # not inside "5G", "H.264", "COVID-19"
_FIGURE_RE = re.compile(
    "|".join(
        (
            # Chinese dates: 2025年11月12日, 11月12日, 8月 (the year alone is a number)
            rf"(?P<zhdate>{_NOT_AFTER}(?:\d{{4}}年)?\d{{1,2}}月(?:\d{{1,2}}[日号號])?)",
            # English dates: November 12, 2025 / Nov. 12 / 12 November 2025 / August 2025
            rf"(?P<endate>\b(?:{_MONTHS})\.?\s\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s\d{{4}}\b)?"
            rf"|{_NOT_AFTER}\d{{1,2}}\s(?:{_MONTHS})\b(?:,?\s\d{{4}}\b)?"
            rf"|\b(?:{_MONTHS})\s\d{{4}}\b)",
            # ratios, scores, times and framework names: 1:1, 10:30, 1+7+6
            rf"(?P<compound>{_NOT_AFTER}\d+(?:[:+]\d+)+(?![A-Za-z0-9]))",
            # amounts: $3.5 billion, 95%, 95 per cent, 2.97億, 72, 3rd
            rf"(?P<amount>{_NOT_AFTER}(?:US\$|HK\$|RMB\s?|[$€£¥])?(?:{_NUM})"
            r"(?:\s?(?:%|percent\b|per\scent\b)"
            r"|\s(?:thousand|million|billion|trillion)\b|\s?bn\b"
            r"|[十百千万萬亿億兆]+"
            r"|st\b|nd\b|rd\b|th\b)?"
            r"(?![A-Za-z0-9]))",
        )
    )
)


def extract_figures(text: str) -> tuple[str, ...]:
    """Numbers as written, in order of first appearance, without duplicates.

    "95%", "3.5", "2025", "1:1", "$3.5 billion", "2.97億", "11月12日",
    "November 12, 2025". Measure words after a Chinese number are dropped
    ("72个" → "72", "2025年" → "2025"). Digits inside names ("5G", "H.264")
    are not figures. Spelled-out numbers are not extracted.
    """
    found: list[str] = []
    for m in _FIGURE_RE.finditer(text.translate(_FULLWIDTH)):
        fig = re.sub(r"\s+", " ", m.group(0)).strip()
        if fig and fig not in found:
            found.append(fig)
    return tuple(found)


# ------------------------------------------------------------------ names

# A Latin run inside Chinese: letters/digits joined by + & . ' - or single spaces,
# so "5G+AR", "Hunan Daily" and "Trapped in the Billionaire's Golden Cage" are one.
_LATIN_RUN_RE = re.compile(
    r"[A-Za-z0-9\u00c0-\u024f]+(?:(?:[+&.'’\-]|\s(?=[A-Za-z0-9\u00c0-\u024f]))"
    r"[A-Za-z0-9\u00c0-\u024f]+)*[+]?"
)
# In English text: runs of capitalised words (with "of/the/and/..." between them),
# and acronyms or letter-digit tokens ("AI", "5G+AR", "iPhone", "COVID-19").
_CAP_WORD = (
    r"(?:[A-Z0-9]*[A-Z][A-Z0-9+&\-]*(?![a-z$])"  # acronyms first: "AI", "5G+AR", "COVID-19"
    r"|[A-Z][a-z\u00e0-\u024f]*(?:['’][a-z]+)?"  # "Hunan", "Billionaire's"
    r"|[a-z]+[A-Z]\w*)"  # "iPhone"
)
_EN_NAME_RE = re.compile(
    rf"\b{_CAP_WORD}(?:(?:\s(?:of|the|for|de|du|van|von|der|la|le)){{0,2}}\s{_CAP_WORD})*"
)
# Months and weekdays are checked as dates, not as names.
_TIME_WORDS = frozenset(
    """january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday""".split()
)
_COMMON_CAPITALISED = frozenset(
    """the a an this that these those it its he she they we i you his her their our my
    but and so yet or nor however meanwhile also then thus still in on at for after
    before when while if as there here some many most all no one two three four five
    according last next earlier later today tomorrow yesterday what who why how where
    with by from to of about over under during since until despite although though
    because more less mr mrs ms dr""".split()
)


# Before a word that opens a sentence: the text's start or an end of sentence (or a colon),
# then only space and opening quotes or brackets ('"Every bottle'); or an end of sentence,
# closing quotes and space
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:])[\s\"“‘'(\[]*$|[.!?][\"”’')]*\s+$")


def _is_acronym(word: str) -> bool:
    return sum(c.isupper() or c.isdigit() for c in word) >= 2 or any(c.isdigit() for c in word)


def latin_names(text: str) -> tuple[str, ...]:
    """Latin-script names, in order, without duplicates.

    Inside Chinese text every Latin run counts ("AI", "5G+AR", "Hunan Daily").
    In English text: capitalised word runs ("Hunan Daily", "Bank of China"),
    acronyms ("AI") and letter-digit tokens ("5G"); a capitalised common word
    ("The", "However") is not a name.
    """
    names: list[str] = []
    if has_cjk(text):
        for m in _LATIN_RUN_RE.finditer(text):
            tok = m.group(0).strip(" .-'’")
            if tok and re.search(r"[A-Za-z]", tok) and tok not in names:
                names.append(tok)
        return tuple(names)
    for m in _EN_NAME_RE.finditer(text):
        tok = m.group(0)
        words = tok.split()
        at_start = _SENTENCE_START_RE.search(text, 0, m.start()) is not None
        if at_start and len(words) == 1 and not _is_acronym(words[0]):
            # a lone capitalised word opening a sentence is usually not a name
            continue
        # drop common capitalised words at the edges ("The Hunan Daily" → "Hunan Daily")
        while words and words[0].lower() in _COMMON_CAPITALISED:
            words.pop(0)
        while words and words[-1].lower() in _COMMON_CAPITALISED | _TIME_WORDS:
            words.pop()
        while words and words[0].lower() in _TIME_WORDS:
            words.pop(0)
        tok = " ".join(words).strip("'’-")
        if not tok or not re.search(r"[A-Za-z]", tok):
            continue
        if tok.isupper() and len(tok) == 1 and tok != "I":
            continue  # a stray initial
        if tok == "I" or tok in names:
            continue
        names.append(tok)
    return tuple(names)
