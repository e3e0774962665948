"""Compare a sentence and its translation for facts that must survive.

Small models drop or garble facts ("2.97亿" → "2.97 billion", "on Thursday"
silently lost, "芒果TV" left in Chinese). Every figure, date, weekday and Latin
name of the source must reappear in the output, in any usual form: "95%",
"95 percent", "百分之九十五"; "2.97億" = "297 million"; "11月12日" = "November 12";
"six" = "6". Pure functions: no models, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from anchor.core.values import Lang
from anchor.language.figures import figure_problems, magnitude_words, parse_figures, render
from anchor.language.names import Name, spelt_in_chinese
from anchor.language.text import CJK, cjk_ratio, latin_names

__all__ = [
    "Problem",
    "check_translation",
    "leak_problems",
    "mixed_script",
    "name_problems",
    "problem_weight",
    "target_form",
]

# Length of a translation relative to its source, in "units": one Chinese
# character, or 1.6 units per English word (news English needs ~1.6 characters
# of Chinese per word). Outside these bounds the output is truncated or rambling.
_WORD_UNITS = 1.6
_MAX_RATIO = 3.0
_MIN_RATIO = 0.3
_MIN_ZH_RATIO = 0.5  # Chinese output: at least half its letters are Han


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a translation; ``str()`` is the warning a user sees."""

    kind: str  # "empty", "script", "length", "number", "date", "name", "affiliation",
    # "leak", "meaning"
    item: str  # the missing figure or name as written in the source, else ""
    message: str
    wrote: str = ""  # what belongs there (a name's rendering) or what was invented

    def __str__(self) -> str:
        return self.message


# Worse problems weigh more when choosing between two attempts.
_WEIGHTS = {"empty": 100, "leak": 20, "script": 10, "length": 6, "number": 3, "date": 3,
            "name": 2, "affiliation": 2, "meaning": 2}


def problem_weight(problems: list[Problem]) -> int:
    return sum(_WEIGHTS.get(p.kind, 1) for p in problems)


def check_translation(source: str, output: str, source_lang: Lang,
                      target_lang: Lang) -> list[Problem]:
    """Problems of ``output`` as a translation of ``source`` (empty list: fine)."""
    out = output.strip()
    if not out:
        return [Problem("empty", "", f"empty {target_lang} translation")]
    problems: list[Problem] = []
    problems += _script_problems(source, out, source_lang, target_lang)
    problems += _length_problems(source, out, target_lang)
    problems += [Problem(p.kind, p.item, p.message, p.wrote)
                 for p in figure_problems(source, out, target_lang)]
    problems += _name_problems(source, out, source_lang, target_lang)
    return problems


# ------------------------------------------------------------------ script and length

_CJK_RUN_RE = re.compile(f"[{CJK}]+")


def _script_problems(source: str, out: str, source_lang: Lang, target_lang: Lang) -> list[Problem]:
    if target_lang == "en":
        runs = list(dict.fromkeys(_CJK_RUN_RE.findall(out)))
        if runs:
            shown = "、".join(runs[:3])
            return [Problem("script", shown, f'Chinese text "{shown}" left in en')]
        return []
    # Latin names carried over from the source ("AI", "5G+AR") do not count against zh
    rest = out
    for name in sorted(latin_names(source), key=len, reverse=True):
        rest = rest.replace(name, "")
    ratio = cjk_ratio(rest)
    if ratio < _MIN_ZH_RATIO and source_lang != target_lang:
        return [Problem("script", "", f"zh translation is mostly not Chinese ({ratio:.0%} Han)")]
    # an English word left inside the Chinese ("中国-led论坛"): names are capitalised and
    # units short, so a lower-case word of three letters or more is text left untranslated
    left = [w for w in re.findall(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])", rest)
            if source_lang != target_lang]
    if left:
        shown = ", ".join(dict.fromkeys(left))
        return [Problem("script", shown, f'English "{shown}" left in zh')]
    return []


def _units(text: str) -> float:
    cjk = sum(len(r) for r in _CJK_RUN_RE.findall(text))
    words = len(re.findall(r"[A-Za-z0-9]+(?:['’.,-][A-Za-z0-9]+)*", text))
    return cjk + _WORD_UNITS * words


def _length_problems(source: str, out: str, target_lang: Lang) -> list[Problem]:
    src, got = _units(source), _units(out)
    if src < 4:  # a word or two: any length is plausible
        return []
    ratio = got / src
    if ratio > _MAX_RATIO or ratio < _MIN_RATIO:
        what = "only " if ratio < _MIN_RATIO else ""
        msg = f"{target_lang} translation is {what}{ratio:.1f}x the expected length"
        return [Problem("length", "", msg)]
    return []


# ------------------------------------------------------------------ figures


def target_form(item: str, target_lang: Lang) -> str:
    """How a figure, date or weekday of the source is written in the target language,
    for a retry prompt: "2.97億" → "297 million", "$3.5 billion" → "35亿美元",
    "Thursday" → "星期四", "11月12日" → "November 12". "" when it reads the same."""
    words = magnitude_words(item, target_lang)
    if words:
        return words
    figs = parse_figures(item)
    if len(figs) != 1:
        return ""
    got = render(figs[0], target_lang)
    return "" if got == item else got


# ------------------------------------------------------------------ names


def _squash(s: str) -> str:
    return re.sub(r"[\s\-]", "", s.replace("’", "'")).lower()


def _name_problems(source: str, out: str, source_lang: Lang, target_lang: Lang) -> list[Problem]:
    names = latin_names(source)
    if target_lang == "zh" and source_lang == "en":
        # English names are translated into Chinese ("Hunan Daily" → 湖南日报); only
        # acronyms and letter-digit names ("AI", "5G") are kept as they are.
        names = tuple(n for n in names if _is_code_like(n))
    flat = _squash(out)
    return [
        Problem("name", n, f'name "{n}" missing in {target_lang}')
        for n in names
        if _squash(n) not in flat
    ]


def _is_code_like(name: str) -> bool:
    return " " not in name and (
        sum(c.isupper() for c in name) >= 2
        or any(c.isdigit() for c in name)
        or (name[:1].islower() and any(c.isupper() for c in name))
    )


def name_problems(names: Sequence[Name], out: str, target_lang: Lang) -> list[Problem]:
    """Each fixed name must appear as rendered: "Zhang Lifan", never "Zhang Liangfan"."""
    flat = _squash(out)
    unsure = [
        Problem("name", n.source, f'name "{n.source}" has no glossary spelling (Taiwan and Hong '
                f'Kong names are not written in pinyin): check it, pinyin would be "{n.target}"',
                n.target)
        for n in names if n.origin == "unsure"]
    return unsure + [
        Problem("name", n.source, f'name "{n.source}" should read "{n.target}" in {target_lang}',
                n.target)
        for n in names if n.origin != "unsure"
        if not (_parts_named(n.parts, out) if n.parts else any(
            _squash(t) in flat or (t.lower().startswith("the ") and _squash(t[4:]) in flat)
            for t in (n.target, *n.also)))
        # a pinyin name kept in Latin letters for want of a glossary entry ("Li Na") is
        # kept too when the Chinese writes it in the characters that spell it (李娜)
        and not (target_lang == "zh" and n.target == n.source and spelt_in_chinese(n.source, out))
    ]


def _parts_named(parts: Sequence[Sequence[str]], out: str) -> bool:
    """Every part of a country pair is named by one of its words, as a word: 中泰 as
    "Sino-Thai" or "Thailand and China", not "Chinese-Taiwan"."""
    return all(any(re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![a-z])", out) for w in part)
               for part in parts)


# ------------------------------------------------------------------ mixed scripts


def mixed_script(text: str, lang: Lang) -> bool:
    """Does a sentence of a ``lang`` story hold whole clauses of the other language
    ("他说 this is a very important step"; "The firm, 据报道亏损严重, closed")?
    Names, acronyms and short Latin terms inside Chinese do not count."""
    if lang == "en":
        runs = _CJK_RUN_RE.findall(text)
        return sum(len(r) for r in runs) >= 6 or any(len(r) >= 4 for r in runs)
    words = re.findall(r"[A-Za-z]+", text)
    lower = [w for w in words if w.islower() and len(w) > 1]
    return len(lower) >= 3


# ------------------------------------------------------------------ prompt leaks

_LEAK_RE = re.compile(
    r"(?i)\b(?:translat(?:e|ion|ed)|headline style|keep it short|output only|the user's text|"
    r"broadcast english|professional news translator|source text)\b"
    r"|译文|翻译|新闻播报稿|只输出|不要解释"
)


def leak_problems(out: str, source: str = "") -> list[Problem]:
    """Signs that a model answered with its instructions instead of (or around) the
    translation: echoed instruction words, a "Translation:" label, quotes around the
    whole text that the source did not have."""
    problems = []
    m = _LEAK_RE.search(out)
    if m and not _LEAK_RE.search(source):
        problems.append(Problem("leak", "",
                                f'the output repeats the instructions ("{m.group(0)}")'))
    elif re.match(r"(?i)^\s*(?:english|chinese|headline|title|output|answer|中文|英文|标题)"
                  r"\s*[:：]", out):
        problems.append(Problem("leak", "", "the output starts with a label"))
    text = out.strip()
    if len(text) > 2 and text[0] in "\"“'「『" and text[-1] in "\"”'」』" \
            and source.strip()[:1] not in "\"“'「『":
        problems.append(Problem("leak", "", "the whole output is wrapped in quotes"))
    return problems
