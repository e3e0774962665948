"""Figures by value: parse quantities in Chinese and English, write them the other
language's way, and compare a translation's figures with its source's.

A figure is a value, a unit and a qualifier, never a digit string: 3万5千亿美元 is
$3.5 trillion, 10万多 is "more than 100,000", 百分之26点4 is 26.4%. Dates and weekdays
are figures too. Small models get magnitudes wrong (43亿元 → "43 billion yuan",
"$13.4bn" → 13.4亿美元), drop qualifiers (10万多 → "100,000") and invent figures
(拥有众多粉丝 → "millions of followers", 今年 → "in 2023"). So:

- ``rewrite`` puts every source figure into the target language's usual form before
  the model sees the sentence (43亿元 → "4.3 billion yuan"), which it then copies;
- ``figure_problems`` checks afterwards that each source figure reappears with the
  same value, unit and qualifier, and that the output has no figure, year or
  magnitude word the source lacks.

Pure functions: no models, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "Figure",
    "FigureProblem",
    "figure_problems",
    "magnitude_words",
    "parse_figures",
    "render",
    "rewrite",
    "zh_number",
]

# ------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class Figure:
    """One quantity as written (``text`` at ``start:end``) and what it means.

    kind: "amount" (value, unit), "percent" (value), "date" (year/month/day, any may
    be 0), "weekday" (value 0 = Monday). unit: "" (a count), "CNY", "USD", "HKD",
    "EUR", "GBP", "JPY", "times". qualifier: "" or one of "more", "nearly",
    "about", "less", "least", "upto".
    """

    kind: str
    value: Decimal
    unit: str = ""
    qualifier: str = ""
    text: str = ""
    start: int = 0
    end: int = 0
    year: int = 0
    month: int = 0
    day: int = 0
    soft: bool = False  # spelled-out small numbers ("six"): may match, need not appear

    @property
    def key(self) -> tuple[object, ...]:
        if self.kind == "date":
            return ("date", self.year, self.month, self.day)
        return (self.kind, self.value.normalize(), self.unit)


QUALIFIERS = ("more", "nearly", "about", "less", "least", "upto")

# Chinese qualifiers before and after a number; "达" (reached) and "高达" (as much as)
# only stress a figure and are no qualifier.
_ZH_PRE = {
    "超过": "more", "超出": "more", "逾": "more", "超": "more", "多于": "more", "高于": "more",
    "将近": "nearly", "接近": "nearly", "近": "nearly", "几乎": "nearly",
    "大约": "about", "约为": "about", "约": "about", "大概": "about",
    "不到": "less", "不足": "less", "少于": "less", "低于": "less",
    "至少": "least", "不少于": "least", "不低于": "least",
    "多达": "upto", "最多": "upto",
}
_ZH_POST = {"多": "more", "余": "more", "以上": "more", "左右": "about", "上下": "about",
            "以下": "less", "以内": "less"}
_EN_PRE = {
    "more than": "more", "over": "more", "above": "more", "exceeding": "more",
    "in excess of": "more", "upwards of": "more", "in excess": "more",
    # verbs that say the same as 超/超过: "downloads passed 297 million"
    "passed": "more", "surpassed": "more", "topped": "more", "exceeded": "more",
    "exceeds": "more", "exceed": "more", "passing": "more", "surpassing": "more",
    "beyond": "more",
    "nearly": "nearly", "almost": "nearly", "close to": "nearly", "just under": "nearly",
    "about": "about", "around": "about", "approximately": "about", "roughly": "about",
    "some": "about", "an estimated": "about", "approx.": "about",
    "less than": "less", "fewer than": "less", "under": "less", "below": "less",
    "at least": "least", "no fewer than": "least", "no less than": "least",
    "up to": "upto", "as many as": "upto", "as much as": "upto",
}
_EN_POST = {"or more": "more", "-plus": "more", "plus": "more", "or so": "about"}

_CURRENCY_PRE = {"US$": "USD", "HK$": "HKD", "NT$": "TWD", "$": "USD", "€": "EUR",
                 "£": "GBP", "¥": "CNY", "￥": "CNY", "RMB": "CNY", "USD": "USD",
                 "CNY": "CNY", "HKD": "HKD"}
_CURRENCY_ZH = {"美元": "USD", "美金": "USD", "元人民币": "CNY", "人民币": "CNY", "元": "CNY",
                "块": "CNY", "港元": "HKD", "港币": "HKD", "欧元": "EUR", "英镑": "GBP",
                "日元": "JPY", "新台币": "TWD", "台币": "TWD", "倍": "times"}
_CURRENCY_EN = {"us dollars": "USD", "u.s. dollars": "USD", "dollars": "USD", "dollar": "USD",
                "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "hong kong dollars": "HKD",
                "hk dollars": "HKD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
                "yen": "JPY", "times": "times", "-fold": "times", "fold": "times",
                "taiwan dollars": "TWD"}
_CURRENCY_NAME_EN = {"CNY": "yuan", "JPY": "yen", "EUR": "euros", "GBP": "pounds",
                     "TWD": "Taiwan dollars", "times": "times"}
_CURRENCY_SIGN_EN = {"USD": "$", "HKD": "HK$"}
_CURRENCY_NAME_ZH = {"CNY": "元", "USD": "美元", "HKD": "港元", "EUR": "欧元", "GBP": "英镑",
                     "JPY": "日元", "TWD": "新台币", "times": "倍"}

_EN_SCALE = {"thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6,
             "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12}
_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_ZH_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_ABBR = {m[:3]: i for i, m in enumerate(_MONTHS, start=1)} | {"sept": 9}
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_ZH = "一二三四五六日"

_EN_SMALL_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_EN_TENS_WORDS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}


def zh_number(s: str) -> Decimal | None:
    """Value of a Chinese or mixed numeral: "5千850亿" → 585000000000, "3万5千亿" →
    3.5e12, "1.2万亿" → 1.2e12, "二十六点四" → 26.4, "十万" → 100000. None if ``s``
    is not a number (a bare 万 or 亿 is a word)."""
    s = s.replace(",", "").replace("，", "")
    if not s:
        return None
    if "点" in s or "點" in s:  # 二十六点四, 26点4: the part after 点 is decimal digits
        whole, _, frac = s.replace("點", "点").partition("点")
        w = zh_number(whole)
        digits = "".join(str(_ZH_DIGIT[c]) if c in _ZH_DIGIT else c for c in frac)
        if w is None or not digits.isdigit():
            return None
        return w + Decimal("0." + digits)
    if all(c in _ZH_DIGIT for c in s) and len(s) > 1:  # 二〇二五 → 2025
        return Decimal("".join(str(_ZH_DIGIT[c]) for c in s))
    total = Decimal(0)
    section = Decimal(0)
    current: Decimal | None = None
    last_big = 0
    i = 0
    seen_digit = False
    while i < len(s):
        c = s[i]
        m = re.match(r"\d+(?:\.\d+)?", s[i:])
        if m:
            current = Decimal(m.group(0))
            seen_digit = True
            i += len(m.group(0))
            continue
        if c in _ZH_DIGIT:
            current = Decimal(_ZH_DIGIT[c])
            seen_digit = True
        elif c in _ZH_SMALL:
            section += (current if current is not None else Decimal(1)) * _ZH_SMALL[c]
            current = None
            seen_digit = True
        elif c in _ZH_BIG or c == "兆":
            scale = 10**12 if c == "兆" else _ZH_BIG[c]
            if not seen_digit:
                return None
            part = section + (current or 0)
            if last_big == 0 or scale > last_big:
                total = (total + part) * scale
            else:
                total += part * scale
            last_big = scale
            section, current = Decimal(0), None
        else:
            return None
        i += 1
    if not seen_digit:
        return None
    return total + section + (current or 0)


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


# ------------------------------------------------------------------ parsing

_FULLWIDTH = str.maketrans("０１２３４５６７８９％＄．：，", "0123456789%$.:,")
_ZH_NUMCH = "零〇一二两兩三四五六七八九十拾百佰千仟万萬亿億兆"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NOT_AFTER = r"(?<![A-Za-z0-9_.\-])"  # not inside "5G", "H.264", "COVID-19"


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ZH_PRE_RE = _alt(list(_ZH_PRE))
_ZH_POST_RE = _alt(list(_ZH_POST))
_EN_PRE_RE = _alt(list(_EN_PRE))
_CUR_PRE_RE = _alt(list(_CURRENCY_PRE))
_CUR_ZH_RE = _alt(list(_CURRENCY_ZH))
_CUR_EN_RE = _alt(list(_CURRENCY_EN))
_MONTH_RE = "|".join([*_MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept",
                      "sep", "oct", "nov", "dec"])

_DATE_ZH_RE = re.compile(
    r"(?:(?P<y>\d{4}|[零〇一二三四五六七八九]{4})年)?(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])月"
    r"(?:(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号號])?"
    r"|(?P<yo>\d{4})年(?![\d代度])|(?<![\d月])(?P<do>\d{1,2})(?:日|[号號](?![线線楼樓码碼车車院文令机機位房门門口台]))"
)
_DATE_EN_RE = re.compile(
    rf"\b(?P<m1>{_MONTH_RE})\b\.?(?:\s(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b)?(?:,?\s(?P<y1>\d{{4}})\b)?"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s(?P<m2>{_MONTH_RE})\b\.?(?:,?\s(?P<y2>\d{{4}})\b)?"
    r"|\b(?:in|since|by|from|until|of|during|before|after|early|late|mid-?)\s(?P<y3>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_DAY_RANGE_RE = re.compile(r"\s?(?:[-–—]|to|through|and|until)\s?(?P<d>\d{1,2})(?:st|nd|rd|th)?"
                           r"(?![\d.:]|\s?(?:%|percent|per cent|million|billion|thousand|"
                           r"hundred|[A-Za-z]))", re.IGNORECASE)
_MONTH_CONTEXT_RE = re.compile(r"\b(?:in|on|since|by|until|till|from|of|early|late|mid|"
                               r"last|next|this|through)[\s-]+$", re.IGNORECASE)
_WEEKDAY_RE = re.compile(
    r"\b(?P<en>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|(?:星期|周|週|礼拜|禮拜)(?P<zh>[一二三四五六日天])"
)
# ratios, scores and clock times, compared by their numbers: 1:1, 10:30, 3比2, 1+7+6
_SEQ_RE = re.compile(r"(?<![\d.])\d+(?:\s?(?:[:+比]|-to-| to )\s?\d+)+(?!\d|\.\d|%)")
_PCT_ZH_RE = re.compile(rf"(?P<pre>{_ZH_PRE_RE})?百分之(?P<n>[\d.]+(?:点\d+)?|[{_ZH_NUMCH}点]+)"
                        rf"(?P<post>{_ZH_POST_RE})?")
# Chinese-style amount: a numeral with 万/亿/千 (digits or Chinese numerals), an optional
# 多/余 between it and its last big unit (10多万), a currency, a qualifier after.
_ZH_AMOUNT_RE = re.compile(
    rf"(?P<pre>{_ZH_PRE_RE})?(?P<cur>{_CUR_PRE_RE})?\s?"
    rf"(?P<n>{_NOT_AFTER}(?:{_DIGITS})(?:[{_ZH_NUMCH}]|\d)*(?![A-Za-z\d])"
    rf"|(?<![{_ZH_NUMCH}])[一二两兩三四五六七八九十][{_ZH_NUMCH}]*[十百千万萬亿億][{_ZH_NUMCH}]*)"
    rf"(?P<mid>[多余](?=[万萬亿億]))?(?P<big>[万萬亿億]+)?"
    rf"(?P<post>{_ZH_POST_RE})?(?P<pct>\s?%|成(?![为了功员本果都市]))?(?P<unit>{_CUR_ZH_RE})?(?P<post2>{_ZH_POST_RE})?"
)
_EN_AMOUNT_RE = re.compile(
    rf"(?:(?P<pre>\b(?:{_EN_PRE_RE}))\s)?(?P<cur>{_CUR_PRE_RE})?\s?"
    rf"(?P<n>{_NOT_AFTER}(?:{_DIGITS}))(?:st|nd|rd|th)?"
    r"(?:\s?(?P<pct>%|percent\b|per\scent\b|percentage points?\b))?"
    r"(?:(?:\s|-)?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?"
    rf"(?:\s(?P<unit>{_CUR_EN_RE})\b|(?P<fold>-fold)\b)?"
    r"(?:\s?(?P<post>or more|-plus|\+|or so)(?![A-Za-z0-9]))?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_EN_WORD_NUM_RE = re.compile(
    rf"(?:(?P<pre>\b(?:{_EN_PRE_RE}))\s)?\b(?:(?P<tens>{'|'.join(_EN_TENS_WORDS)})"
    rf"(?:[- ](?P<unit>{'|'.join(list(_EN_SMALL_WORDS)[1:10])}))?"
    rf"|(?P<small>{'|'.join(_EN_SMALL_WORDS)})|(?P<a>a|an))(?:(?P<fold1>fold)\b|\b)"
    r"(?:\s(?P<scale>hundred|thousand|million|billion|trillion)\b)?"
    r"(?P<fold>-fold)?(?:\s(?P<pct>percent|per cent)\b)?",
    re.IGNORECASE,
)
# A magnitude with no figure: "millions of", 数百万, 上亿. Only ever invented.
_MAGNITUDE_EN_RE = re.compile(
    r"\b(?:tens of |hundreds of )?(?:thousands|millions|billions|trillions)\b"
    r"|\b(?:hundreds|dozens) of\b", re.IGNORECASE)
_MAGNITUDE_ZH_RE = re.compile(r"(?:数|几|上|成)[十百千万亿]+|[千百]万(?=[人名个家次])")
# Spans of time that carry a Chinese magnitude: 几十年 "decades", 数百年 "centuries".
_SPAN_EN_RE = re.compile(r"\b(?:decades|centuries|scores of)\b", re.IGNORECASE)


_MAGNITUDE_WORDS = (  # (Chinese, English) for a retry's "it must contain ..."
    (("数亿", "几亿", "上亿"), "hundreds of millions of"),
    (("数百万", "几百万", "上百万"), "millions of"),
    (("数万", "几万", "上万"), "tens of thousands of"),
    (("数千", "几千", "上千", "成千"), "thousands of"),
    (("数百", "几百", "上百"), "hundreds of"),
    (("数十", "几十"), "dozens of"),
)  # longest first on both sides: 数百万 before 数百, "hundreds of millions" before "hundreds"


def magnitude_words(item: str, target: str) -> str:
    """The usual words in ``target`` for a magnitude without a figure (数十 → "dozens of",
    "millions of" → 数百万); "" when ``item`` is not one."""
    for zh, en in _MAGNITUDE_WORDS:
        if target == "en" and item.startswith(zh):
            return en
        if target == "zh" and item.lower().startswith(en.removesuffix(" of")):
            return zh[0]
    return ""


def parse_figures(text: str) -> list[Figure]:
    """Every figure in ``text`` (Chinese, English or both), in order, overlaps removed."""
    t = text.translate(_FULLWIDTH)
    found: list[Figure] = []

    def add(fig: Figure) -> None:
        if any(fig.start < f.end and f.start < fig.end for f in found):
            return
        found.append(fig)

    for m in _WEEKDAY_RE.finditer(t):
        idx = (_WEEKDAYS_EN.index(m.group("en").capitalize()) if m.group("en")
               else min(_WEEKDAYS_ZH.find(m.group("zh")) % 7 if m.group("zh") != "天" else 6, 6))
        add(Figure("weekday", Decimal(idx), text=m.group(0), start=m.start(), end=m.end()))
    for m in _DATE_ZH_RE.finditer(t):
        if m.group("do"):  # "11月11日至13日": the day alone
            add(Figure("date", Decimal(0), text=m.group(0), start=m.start(), end=m.end(),
                       day=int(m.group("do"))))
            continue
        if m.group("yo"):
            y = int(m.group("yo"))
            add(Figure("date", Decimal(0), text=m.group(0), start=m.start(), end=m.end(), year=y))
            continue
        y = int(zh_number(m.group("y")) or 0) if m.group("y") else 0
        mo = int(zh_number(m.group("m")) or 0)
        d = int(zh_number(m.group("d")) or 0) if m.group("d") else 0
        if 1 <= mo <= 12 and d <= 31:
            add(Figure("date", Decimal(0), text=m.group(0), start=m.start(), end=m.end(),
                       year=y, month=mo, day=d))
    for m in _DATE_EN_RE.finditer(t):
        if m.group("y3"):
            s = m.start("y3")
            add(Figure("date", Decimal(0), text=m.group("y3"), start=s, end=m.end(),
                       year=int(m.group("y3"))))
            continue
        name = (m.group("m1") or m.group("m2")).lower()
        if name == "may" and (not (m.group("m1") or m.group("m2"))[0].isupper() or not (
                m.group("d1") or m.group("y1") or m.group("d2")
                or _MONTH_CONTEXT_RE.search(t[max(0, m.start() - 12):m.start()]))):
            continue  # "may" the verb, also in a Title Case headline ("China May Be Facing")
        if m.group("m1") and not (m.group("d1") or m.group("y1")) and name in ("mar", "jan"):
            continue
        mo = _MONTH_ABBR.get(name[:4] if name == "sept" else name[:3], 0)
        d = int(m.group("d1") or m.group("d2") or 0)
        y = int(m.group("y1") or m.group("y2") or 0)
        if d <= 31:
            add(Figure("date", Decimal(0), text=m.group(0), start=m.start(), end=m.end(),
                       year=y, month=mo, day=d))
        # "November 11-13", "Nov. 11 to 13": the last day alone, as 11月11日至13日 has it
        r = _DAY_RANGE_RE.match(t, m.end()) if d and not y else None
        if r and int(r.group("d")) <= 31:
            add(Figure("date", Decimal(0), text=r.group("d"), start=r.start("d"), end=r.end(),
                       day=int(r.group("d"))))
    for m in _PCT_ZH_RE.finditer(t):
        v = zh_number(m.group("n"))
        if v is not None:
            q = _ZH_PRE.get(m.group("pre") or "", "") or _ZH_POST.get(m.group("post") or "", "")
            add(Figure("percent", v, qualifier=q, text=m.group(0), start=m.start(),
                       end=m.end()))
    for m in _SEQ_RE.finditer(t):
        add(Figure("seq", Decimal(0), text=m.group(0), start=m.start(), end=m.end()))
    # English amounts with an English mark ("$", "billion", "percent", "more than")
    # first, so the Chinese pass does not take their bare number
    for m in _EN_AMOUNT_RE.finditer(t):
        marks = [g for g in ("pre", "cur", "pct", "scale", "unit", "fold", "post") if m.group(g)]
        # a bare "95%" is left to the Chinese pass, which also reads 超出1%以上
        if (marks and marks != ["pct"]) or (marks == ["pct"] and m.group("pct") != "%"):
            _add_en_amount(m, add)
    for m in _ZH_AMOUNT_RE.finditer(t):
        _add_zh_amount(m, t, add)
    for m in _EN_AMOUNT_RE.finditer(t):
        _add_en_amount(m, add)
    for m in _EN_WORD_NUM_RE.finditer(t):
        _add_en_words(m, add)
    found.sort(key=lambda f: f.start)
    return found


def _add_zh_amount(m: re.Match[str], t: str, add: Callable[[Figure], None]) -> None:
    n = m.group("n")
    if not n:
        return
    if m.end("n") < len(t) and t[m.end("n"):m.end("n") + 1] in "年月日号號":
        return  # dates are parsed as dates
    v = zh_number(n + (m.group("big") or ""))
    if v is None:
        return
    cur = _CURRENCY_PRE.get(m.group("cur") or "", "") or _CURRENCY_ZH.get(m.group("unit") or "", "")
    q = (_ZH_PRE.get(m.group("pre") or "", "")
         or ("more" if m.group("mid") else "")
         or _ZH_POST.get(m.group("post") or m.group("post2") or "", ""))
    if m.group("post") == "多" and m.group("unit") == "元":
        q = "more"
    kind = "percent" if m.group("pct") else "amount"
    if m.group("pct") == "成":  # 3成 = 30%
        v *= 10
    start = m.start("pre") if m.group("pre") else m.start()
    fig = Figure(kind, v, "" if kind == "percent" else cur, q, m.group(0).strip(), start, m.end())
    add(fig)


def _add_en_amount(m: re.Match[str], add: Callable[[Figure], None]) -> None:
    v = _dec(m.group("n"))
    if v is None:
        return
    scale = (m.group("scale") or "").lower()
    if scale in ("k", "m", "b") and not m.group("cur"):
        scale = ""  # "5 m" is metres, "3b" a grade: only "$13.4m" is a million
        if m.group("scale"):
            return
    v *= _EN_SCALE.get(scale, 1)
    pre = (m.group("pre") or "").lower()
    post = (m.group("post") or "").lower()
    q = _EN_PRE.get(pre, "") or _EN_POST.get(post, "") or ("more" if post == "+" else "")
    cur = _CURRENCY_PRE.get((m.group("cur") or "").upper() if m.group("cur") else "", "")
    if m.group("cur") and not cur:
        cur = _CURRENCY_PRE.get(m.group("cur"), "")
    unit = (m.group("unit") or "").lower()
    if unit:
        cur = _CURRENCY_EN.get(unit, cur)
    if m.group("fold"):
        cur = "times"
    kind = "percent" if m.group("pct") else "amount"
    add(Figure(kind, v, "" if kind == "percent" else cur, q, m.group(0).strip(),
               m.start(), m.end()))


def _add_en_words(m: re.Match[str], add: Callable[[Figure], None]) -> None:
    if m.group("a"):
        if not m.group("scale") or m.group("scale").lower() == "hundred":
            return
        v = Decimal(1)
    elif m.group("tens"):
        v = Decimal(_EN_TENS_WORDS[m.group("tens").lower()]
                    + (_EN_SMALL_WORDS[m.group("unit").lower()] if m.group("unit") else 0))
    else:
        v = Decimal(_EN_SMALL_WORDS[m.group("small").lower()])
    scale = (m.group("scale") or "").lower()
    v *= {"hundred": 100, **_EN_SCALE}.get(scale, 1)
    q = _EN_PRE.get((m.group("pre") or "").lower(), "")
    if m.group("pct"):
        add(Figure("percent", v, "", q, m.group(0).strip(), m.start(), m.end()))
        return
    soft = not scale or scale == "hundred"
    unit = "times" if m.group("fold") or m.group("fold1") else ""
    add(Figure("amount", v, unit, q, m.group(0).strip(), m.start(), m.end(), soft=soft))


# ------------------------------------------------------------------ rendering


def _plain(v: Decimal) -> str:
    s = format(v.normalize(), "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def _grouped(v: Decimal) -> str:
    whole, _, frac = _plain(v).partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


_EN_QUAL = {"more": "more than", "nearly": "nearly", "about": "about", "less": "less than",
            "least": "at least", "upto": "up to"}
_ZH_QUAL = {"more": "超过", "nearly": "近", "about": "约", "less": "不到", "least": "至少",
            "upto": "多达"}


def render(fig: Figure, lang: str) -> str:
    """``fig`` written the usual way in ``lang``: 43亿元 → "4.3 billion yuan",
    "$13.4bn" → "134亿美元", 10万多 → "more than 100,000", Thursday → 星期四."""
    if fig.kind == "seq":
        return fig.text
    if fig.kind == "weekday":
        i = int(fig.value)
        return _WEEKDAYS_EN[i] if lang == "en" else "星期" + _WEEKDAYS_ZH[i]
    if fig.kind == "date":
        if lang == "en":
            if not fig.month:
                return str(fig.year)
            s = _MONTHS[fig.month - 1].capitalize() + (f" {fig.day}" if fig.day else "")
            return s + (f", {fig.year}" if fig.year and fig.day else f" {fig.year}" if fig.year
                        else "")
        return ((f"{fig.year}年" if fig.year else "") + (f"{fig.month}月" if fig.month else "")
                + (f"{fig.day}日" if fig.day else ""))
    v = fig.value
    if fig.kind == "percent":
        body = f"{_plain(v)}%"
    elif lang == "en":
        body = _en_amount(v)
        if fig.unit in _CURRENCY_SIGN_EN:
            body = _CURRENCY_SIGN_EN[fig.unit] + body
        elif fig.unit:
            body += " " + _CURRENCY_NAME_EN[fig.unit]
    else:
        body = _zh_amount(v) + _CURRENCY_NAME_ZH.get(fig.unit, "")
    if fig.qualifier:
        if lang == "en":
            body = f"{_EN_QUAL[fig.qualifier]} {body}"
        else:
            body = _ZH_QUAL[fig.qualifier] + body
    return body


def _en_amount(v: Decimal) -> str:
    for word, scale in (("trillion", 10**12), ("billion", 10**9), ("million", 10**6)):
        if abs(v) >= scale:
            return f"{_plain(v / scale)} {word}"
    return _grouped(v) if abs(v) >= 10000 else _plain(v)


def _zh_amount(v: Decimal) -> str:
    for ch, scale in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4)):
        if abs(v) >= scale:
            return f"{_plain(v / scale)}{ch}"
    return _plain(v)


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def rewrite(text: str, target: str) -> str:
    """``text`` with each figure written the ``target`` language's way, for a model
    to copy: "海外下载量超2.97亿" → "海外下载量超过297 million" (zh → en),
    "$13.4bn" → "134亿美元" (en → zh). Dates and weekdays are rewritten too;
    spelled-out small numbers and years alone are left as they are."""
    figs = [f for f in parse_figures(text) if not f.soft]
    out: list[str] = []
    pos = 0
    t = text.translate(_FULLWIDTH)
    for f in figs:
        if f.kind == "date" and not f.month:
            continue  # "2025年" → the model writes "2025" unaided
        new = render(f, target)
        if target == "en" and f.start > 0 and _latin(t[f.start - 1]):
            new = " " + new
        if target == "en" and f.end < len(t) and _latin(t[f.end]):
            new += " "
        out.append(text[pos:f.start])  # same length as t: the fold is char for char
        out.append(new)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


# ------------------------------------------------------------------ checking


@dataclass(frozen=True, slots=True)
class FigureProblem:
    kind: str  # "number" or "date"
    item: str  # as written in the source ("" for an invented one)
    message: str
    wrote: str = ""  # what the output has instead, or the invented figure


def _same_digits(a: str, b: str) -> bool:
    """"$3.5 billion" and "3.5亿美元" share their digits: the same figure at the wrong scale."""
    da, db = (re.sub(r"\D", "", x).strip("0") for x in (a, b))
    return bool(da) and da == db


def _seq(f: Figure) -> tuple[str, ...]:
    return tuple(re.findall(r"\d+", f.text))


def _matches(src: Figure, out: Figure) -> bool:
    if src.kind == "seq" or out.kind == "seq":
        return src.kind == out.kind and _seq(src) == _seq(out)
    if src.kind != out.kind:
        return src.kind == "amount" and out.kind == "amount"
    if src.kind == "date":
        return (src.year, src.month, src.day) == (out.year, out.month, out.day)
    return src.value.normalize() == out.value.normalize()


def _year_figure(f: Figure) -> bool:
    return f.kind == "amount" and not f.unit and f.value == f.value.to_integral() \
        and 1900 <= f.value <= 2100


def figure_problems(source: str, output: str, target: str) -> list[FigureProblem]:
    """What a translation got wrong about the source's figures: a figure missing or
    with another value, a unit or qualifier lost or changed, and figures, years or
    magnitude words ("millions", 数百万) the source does not have."""
    src = parse_figures(source)
    out = parse_figures(output)
    problems: list[FigureProblem] = []
    used: set[int] = set()
    for f in src:
        # a year alone ("2025年") also matches the number 2025 written bare
        cands = [i for i, o in enumerate(out) if _matches(f, o)
                 or (f.kind == "date" and not f.month and not f.year and o.kind == "amount"
                     and o.value == f.day)
                 or (f.kind == "date" and not f.month and _year_figure(o) and o.value == f.year)
                 or (_year_figure(f) and o.kind == "date" and not o.month and o.year == f.value)]
        if f.kind == "amount" and not cands:
            cands = [i for i, o in enumerate(out) if o.kind == "percent"
                     and o.value == f.value and "%" in f.text]
        if not cands and f.kind == "date" and f.month:
            moved = next((o for o in out if o.kind == "date" and (o.month, o.day)
                          == (f.month, f.day) and o.year != f.year), None)
            if moved is not None:  # 今年8月 → "August 2023": the year is made up or lost
                used.add(out.index(moved))
                problems.append(FigureProblem(
                    "date", f.text, f'date "{f.text}" has another year in {target}: '
                    f'"{moved.text}"', moved.text))
                continue
        if not cands:
            if f.soft:
                continue
            kind = "date" if f.kind in ("date", "weekday") else "number"
            what = "weekday" if f.kind == "weekday" else kind
            problems.append(FigureProblem(kind, f.text, f'{what} "{f.text}" missing in {target}'))
            continue
        best = next((i for i in cands if out[i].unit == f.unit and out[i].qualifier == f.qualifier),
                    None)
        if best is None:
            best = cands[0]
            o = out[best]
            if f.unit and o.unit != f.unit and f.unit != "times":
                problems.append(FigureProblem(
                    "number", f.text,
                    f'number "{f.text}" lost its currency in {target} (wrote "{o.text}")'))
            elif f.qualifier != o.qualifier and not f.soft:
                said = _EN_QUAL.get(f.qualifier, "no qualifier") if f.qualifier else "no qualifier"
                problems.append(FigureProblem(
                    "number", f.text,
                    f'number "{f.text}" means "{said}" but {target} wrote "{o.text}"'))
        used.add(best)
    src_values = {f.value.normalize() for f in src if f.kind in ("amount", "percent")}
    src_values |= {Decimal(x) for f in src if f.kind == "date" for x in (f.year, f.month, f.day)
                   if x}
    for i, o in enumerate(out):
        if i in used or o.soft or any(_matches(f, o) for f in src):
            continue
        if o.kind in ("amount", "percent") and o.value.normalize() in src_values:
            continue
        wrong = next((p for p in problems if p.wrote == "" and p.message.endswith("missing in "
                                                                                  + target)
                      and _same_digits(p.item, o.text)), None)
        if wrong is not None:  # "$3.5 billion" → 3.5亿美元: one problem, not two
            problems[problems.index(wrong)] = FigureProblem(
                wrong.kind, wrong.item,
                f'number "{wrong.item}" has another value in {target}: "{o.text}"', o.text)
            continue
        kind = "date" if o.kind in ("date", "weekday") else "number"
        problems.append(FigureProblem(kind, "", f'{target} adds "{o.text}", not in the source',
                                      o.text))
    mag = _MAGNITUDE_EN_RE if target == "en" else _MAGNITUDE_ZH_RE
    src_mag = (_MAGNITUDE_ZH_RE if target == "en" else _MAGNITUDE_EN_RE).search(source)
    if src_mag and not (mag.search(output) or (target == "en" and _SPAN_EN_RE.search(output))):
        # 数十个组织 → "several organisations": the magnitude is lost, a figure in words
        problems.append(FigureProblem(
            "number", src_mag.group(0),
            f'"{src_mag.group(0)}" (a magnitude) missing in {target}'))
    if not src_mag:
        for m in mag.finditer(output):
            problems.append(FigureProblem("number", "",
                                          f'{target} adds "{m.group(0)}", not in the source',
                                          m.group(0)))
    return problems
