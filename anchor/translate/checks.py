"""Compare a sentence and its translation for facts that must survive.

Small models drop or garble facts ("2.97亿" → "2.97 billion", "on Thursday"
silently lost, "芒果TV" left in Chinese). Every figure, date, weekday and Latin
name of the source must reappear in the output, in any usual form: "95%",
"95 percent", "百分之九十五"; "2.97億" = "297 million"; "11月12日" = "November 12";
"six" = "6". Pure functions: no models, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..models import Lang
from ..text import cjk_ratio, extract_figures, latin_names

__all__ = [
    "Problem",
    "amount_hint",
    "check_translation",
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

    kind: str  # "empty", "script", "length", "number", "date", "name"
    item: str  # the missing figure or name as written in the source, else ""
    message: str

    def __str__(self) -> str:
        return self.message


# Worse problems weigh more when choosing between two attempts.
_WEIGHTS = {"empty": 100, "script": 10, "length": 6, "number": 3, "date": 3, "name": 2}


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
    problems += _figure_problems(source, out, target_lang)
    problems += _weekday_problems(source, out, target_lang)
    problems += _name_problems(source, out, source_lang, target_lang)
    return problems


# ------------------------------------------------------------------ script and length

_CJK_RUN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


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

_MONTH_NUM = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_SCALE_EN = {"thousand": 10**3, "million": 10**6, "bn": 10**9, "billion": 10**9,
             "trillion": 10**12}
_SCALE_ZH = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "萬": 10**4, "亿": 10**8,
             "億": 10**8, "兆": 10**12}

Value = tuple[str, Decimal]


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _values(fig: str) -> frozenset[Value]:
    """What a figure means, as atoms that must all appear in the translation."""
    atoms: set[Value] = set()
    m = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})[日号號])?", fig)
    if m:
        year, month, day = m.groups()
        atoms.add(("month", Decimal(month)))
        atoms |= {("num", Decimal(x)) for x in (year, day) if x}
        return frozenset(atoms)
    words = re.findall(r"[A-Za-z]+|\d+", fig)
    month_words = [w for w in words if w.lower() in _MONTH_NUM]
    if month_words:
        atoms.add(("month", Decimal(_MONTH_NUM[month_words[0].lower()])))
        atoms |= {("num", Decimal(w)) for w in words if w.isdigit()}
        return frozenset(atoms)
    if re.fullmatch(r"\d+(?:[:+]\d+)+", fig):
        return frozenset({(f"seq:{fig}", Decimal(0))})  # ratios, times: compared as written
    num = re.search(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", fig)
    if not num:
        return frozenset()
    value = _dec(num.group(0))
    if value is None:
        return frozenset()
    rest = fig[num.end():].strip().lower()
    if rest.startswith(("%", "percent", "per cent")):
        return frozenset({("pct", value.normalize())})
    for word, scale in _SCALE_EN.items():
        if rest.startswith(word):
            value *= scale
            break
    else:
        for ch in rest:  # 2.97億, 3千万
            value *= _SCALE_ZH.get(ch, 1)
    return frozenset({("num", value.normalize())})


def _output_values(text: str, target_lang: Lang) -> set[Value]:
    norm = _normalise_numbers(text, target_lang)
    found: set[Value] = set()
    for fig in extract_figures(norm):
        found |= _values(fig)
        # "2025年11月" gives month and year; a bare number also stands for itself
        for n in re.findall(r"\d+(?:\.\d+)?", fig.replace(",", "")):
            found.add(("num", Decimal(n).normalize()))
    for name, num in _MONTH_NUM.items():  # "in August" names a month without a day
        # "may" is a verb unless capitalised
        flags = 0 if name == "may" else re.IGNORECASE
        if re.search(rf"\b{'May' if name == 'may' else name}\b", norm, flags=flags):
            found.add(("month", Decimal(num)))
    for m in re.finditer(r"(\d{1,2})月", norm):
        found.add(("month", Decimal(m.group(1))))
    return found


def _figure_problems(source: str, out: str, target_lang: Lang) -> list[Problem]:
    have = _output_values(out, target_lang)
    problems = []
    for fig in extract_figures(source):
        need = _values(fig)  # Decimal hashes by value: 2025 == 2.025E+3
        if need and not need <= have:
            kind = "date" if any(k == "month" for k, _ in need) else "number"
            problems.append(Problem(kind, fig, f'{kind} "{fig}" missing in {target_lang}'))
    return problems


_ZH_WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def target_form(item: str, target_lang: Lang) -> str:
    """How a figure, date or weekday of the source is written in the target language,
    for a retry prompt: "2.97億" → "297 million", "$3.5 billion" → "35亿",
    "Thursday" → "星期四", "11月12日" → "November 12". "" when it reads the same."""
    days = _weekdays(item)
    if len(days) == 1:
        (i,) = days
        return _ZH_WEEKDAY_NAMES[i] if target_lang == "zh" else _EN_DAYS[i].capitalize()
    vals = _values(item)
    months = [int(v) for k, v in vals if k == "month"]
    if months:
        nums = sorted((int(v) for k, v in vals if k == "num"), key=lambda n: n > 31)
        day = next((n for n in nums if n <= 31), None)
        year = next((n for n in nums if n > 31), None)
        if target_lang == "en":
            text = _EN_MONTHS[months[0] - 1] + (f" {day}" if day else "")
            return text + (f", {year}" if year else "")
        return (f"{year}年" if year else "") + f"{months[0]}月" + (f"{day}日" if day else "")
    return amount_hint(item, target_lang)


def amount_hint(fig: str, target_lang: Lang) -> str:
    """How a Chinese/English amount reads in the other language:
    "2.97億" → "297 million", "$3.5 billion" → "35亿". "" when nothing to add."""
    vals = _values(fig)
    nums = [v for k, v in vals if k == "num"]
    if len(vals) != 1 or not nums:
        return ""
    v = nums[0]
    if target_lang == "en" and re.search(r"[十百千万萬亿億兆]", fig):
        for word, scale in (("trillion", 10**12), ("billion", 10**9), ("million", 10**6),
                            ("thousand", 10**3)):
            if v >= scale:
                return f"{_plain(v / scale)} {word}"
        return _plain(v)
    if target_lang == "zh" and re.search(r"(?i)thousand|million|bn|billion|trillion", fig):
        for ch, scale in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4)):
            if v >= scale:
                return f"{_plain(v / scale)}{ch}"
        return _plain(v)
    return ""


def _plain(v: Decimal) -> str:
    s = format(v.normalize(), "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


# ------------------------------------------------------------------ spelled-out numbers

_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_EN_NUMBER_RE = re.compile(
    r"\b(?:(" + "|".join(_EN_TENS) + r")(?:[- ](" + "|".join(list(_EN_UNITS)[1:10]) + r"))?"
    r"|(" + "|".join(_EN_UNITS) + r"))\b(?:\s(hundred)\b)?",
    re.IGNORECASE,
)
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_SMALL = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_ZH_NUMBER_RE = re.compile(r"[零〇一二两兩三四五六七八九十百千万萬亿億]+")
_ZH_WEEKDAYS = "一二三四五六日天"


def _zh_numeral(s: str) -> int | None:
    """Value of a Chinese numeral ("九十五" → 95, "三千万" → 30000000); None if not one."""
    if all(ch in _ZH_DIGITS for ch in s) and len(s) > 1:
        return int("".join(str(_ZH_DIGITS[ch]) for ch in s))  # 二〇二五 → 2025
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_SMALL:
            section += (1 if digit is None else digit) * _ZH_SMALL[ch]
            digit = None
        else:
            if digit is None and section == 0 and total == 0:
                return None  # a bare 万/亿 is a word here, not a number
            section += digit or 0
            total = (total + section) * _ZH_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _normalise_numbers(text: str, target_lang: Lang) -> str:
    """Rewrite spelled-out numbers as digits so figures can be compared."""
    if target_lang == "en":
        def en(m: re.Match[str]) -> str:
            tens, unit, single, hundred = m.groups()
            if tens:
                n = _EN_TENS[tens.lower()] + (_EN_UNITS[unit.lower()] if unit else 0)
            else:
                n = _EN_UNITS[single.lower()]
            return str(n * 100 if hundred else n)

        text = re.sub(r"\b(\d+|[a-z]+)-?fold\b", r"\1 times", text, flags=re.IGNORECASE)
        text = _EN_NUMBER_RE.sub(en, text)
        text = re.sub(r"\b(\d+)[- ]to[- ](\d+)\b", r"\1:\2", text)  # one-to-one → 1:1
        return text

    def zh(m: re.Match[str]) -> str:
        n = _zh_numeral(m.group(0))
        return m.group(0) if n is None else str(n)

    text = re.sub(r"百分之([\d.]+|[零〇一二两兩三四五六七八九十百]+)", r"\1%", text)
    text = _ZH_NUMBER_RE.sub(zh, text)
    text = re.sub(r"(\d+)\s*比\s*(\d+)", r"\1:\2", text)  # 1比1 → 1:1
    text = re.sub(r"(\d{1,2})[点點时時](\d{1,2})分", r"\1:\2", text)  # 10点30分 → 10:30
    return text


# ------------------------------------------------------------------ weekdays

_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ZH_DAY_RE = re.compile(rf"(?:星期|周|週|礼拜|禮拜)([{_ZH_WEEKDAYS}])")


def _weekdays(text: str) -> dict[int, str]:
    """Weekdays named in ``text``: index (Monday = 0) → the words as written."""
    days: dict[int, str] = {}
    for i, name in enumerate(_EN_DAYS):
        m = re.search(rf"\b{name}\b", text, flags=re.IGNORECASE)
        if m:
            days[i] = m.group(0)
    for m in _ZH_DAY_RE.finditer(text):
        days[min(_ZH_WEEKDAYS.index(m.group(1)), 6)] = m.group(0)  # 日 and 天 are Sunday
    return days


def _weekday_problems(source: str, out: str, target_lang: Lang) -> list[Problem]:
    have = _weekdays(out)
    return [
        Problem("date", written, f'weekday "{written}" missing in {target_lang}')
        for i, written in _weekdays(source).items()
        if i not in have
    ]


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
