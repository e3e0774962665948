"""Charts from the story's own figures: when a sentence (or two side by side) compares
figures of one kind, the bars and their labels.

The values are ``figures.parse_figures``' (value, unit, qualifier), never typed again:
"48,000 visitors this year, up from 31,000 last year" gives two bars, 31,000 ("last
year") and 48,000 ("this year"); 24% in 2015 and 46% now give "2015" and "now". Only
figures of one kind make a chart: all percentages, or all amounts of one currency (or
all plain counts); a year standing alone is a label, never a bar. Each bar needs a label
the text gives (a date, "this year" / 去年, or the name just before the figure); without
labels there is no chart. Pure functions: no models, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from anchor.compose.figure_cards import figure_unit_label
from anchor.core.values import Bar
from anchor.language.figures import Figure, parse_figures, render
from anchor.language.text import jieba_posseg

__all__ = ["MAX_BARS", "Chart", "chart_of", "chart_source"]

MAX_BARS = 6

_EN_WHEN = re.compile(r"\b(this year|last year|next year|now|today|a year ago|"
                      r"(?:a|one|two|three|four|five|ten) years? ago|in \d{4}|previously|before)\b",
                      re.I)
_ZH_WHEN = ("今年", "去年", "前年", "明年", "目前", "现在", "如今", "此前", "上年", "同期", "本月",
            "上月", "当前", "目前")
_CLAUSE = re.compile(r"[，。；：！？、,;:!?\n]|\b(?:and|but|while|compared with|versus|vs\.?|"
                     r"up from|down from|from|to)\b", re.I)
_EN_NAME = re.compile(r"((?:[A-Z][a-z]+(?:'s)?\s?){1,3})\s*(?:'s\s)?[^A-Za-z]{0,6}$")
_CURRENCY_WORD = {"CNY": ("元", "yuan"), "USD": ("美元", "US$"), "HKD": ("港元", "HK$"),
                  "EUR": ("欧元", "euros"), "GBP": ("英镑", "pounds"), "JPY": ("日元", "yen"),
                  "TWD": ("新台币", "NT$"), "times": ("倍", "times")}


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[Bar, ...]
    unit: str  # "%", "yuan", "visitors" ...
    title: str  # what is compared, from the sentence ("" when the text does not say)
    kind: str  # "percent" or "amount"


def _is_year(f: Figure) -> bool:
    return f.kind == "amount" and not f.unit and f.value == f.value.to_integral() \
        and 1900 <= f.value <= 2100 and "," not in f.text


def _values(text: str) -> list[Figure]:
    return [f for f in parse_figures(text) if f.kind in ("amount", "percent") and not f.soft
            and not _is_year(f)]


def _label(text: str, figs: list[Figure], k: int, lang: str) -> str:
    """What bar ``k`` stands for: the date or "this year" nearest to it (between its
    neighbours), else the name before it in its clause."""
    f = figs[k]
    lo = figs[k - 1].end if k > 0 else 0
    hi = figs[k + 1].start if k + 1 < len(figs) else len(text)
    found: list[tuple[int, int, str]] = []  # (start, end, label)
    for d in parse_figures(text):
        if lo <= d.start and d.end <= hi and (d.kind == "date" or _is_year(d)):
            found.append((d.start, d.end, render(d, lang) if d.kind == "date" and d.month
                          else str(d.year or int(d.value))))
    if lang == "zh":
        for word in _ZH_WHEN:
            for m in re.finditer(word, text[lo:hi]):
                found.append((lo + m.start(), lo + m.end(), word))
    else:
        for m in _EN_WHEN.finditer(text[lo:hi]):
            found.append((lo + m.start(1), lo + m.end(1), m.group(1)))
    if found:
        # a tie goes to the side the language writes it on: "1.2 billion in April",
        # "4月为12亿元"
        def gap(c: tuple[int, int, str]) -> tuple[int, int]:
            after = c[0] >= f.end
            return max(c[0] - f.end, f.start - c[1], 0), int(after == (lang == "zh"))
        near = min(found, key=gap)
        return near[2].removeprefix("in ")
    before = _CLAUSE.split(text[lo:f.start])[-1] if f.start > lo else ""
    if lang == "en":
        groups = re.findall(r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)*(?:'s|’s)?", before)
        owners = [g for g in groups if g.endswith(("'s", "’s"))]
        pick = (owners or groups or [""])[-1]
        return pick.removesuffix("'s").removesuffix("’s")
    words = [w.word for w in jieba_posseg().cut(before) if w.flag in ("ns", "nr", "nt", "nz")]
    return words[-1] if words else ""


def _unit(f: Figure, text: str, lang: str) -> tuple[str, str]:
    """(unit, title) of the chart: "%"/currency/the counted noun, and what is compared."""
    # "More than 48,000" reads as a date; "4.8万游客" counts 游客, not 万 (the clause
    # before it, "组织者今年吸引", would otherwise become the unit)
    digits = re.search(r"\d[\d,.]*(?:\s?%|万|亿)?", f.text)
    counted, label = figure_unit_label(text, digits.group(0) if digits else f.text, lang)
    if f.kind == "percent":
        return "%", label
    if f.unit in _CURRENCY_WORD:
        return _CURRENCY_WORD[f.unit][0 if lang == "zh" else 1], label
    return counted or label, label if counted else ""


def chart_of(texts: Sequence[str], lang: str) -> Chart | None:
    """The chart the sentences ``texts`` (one, or two side by side, joined) give in ``lang``,
    or None when they compare no figures of one kind with a label each."""
    text = " ".join(t.strip() for t in texts)
    figs = _values(text)
    if len(figs) < 2:
        return None
    groups: dict[tuple[str, str], list[int]] = {}
    for k, f in enumerate(figs):
        groups.setdefault((f.kind, f.unit), []).append(k)
    (kind, _unit_code), members = max(groups.items(), key=lambda kv: len(kv[1]))
    if not 2 <= len(members) <= MAX_BARS or len(members) < len(figs) - 1:
        return None  # mixed kinds: not one comparison
    chosen = [figs[k] for k in members]
    labels = [_label(text, chosen, k, lang) for k in range(len(chosen))]
    if any(not lb for lb in labels) or len(set(labels)) < len(labels):
        return None
    bars = []
    for f, lb in zip(chosen, labels, strict=True):
        shown = render(replace(f, qualifier=""), lang)
        if kind == "amount" and f.unit in _CURRENCY_WORD:
            # the unit is said once, under the chart: the bar shows "4.3 billion"
            word = _CURRENCY_WORD[f.unit][0 if lang == "zh" else 1]
            shown = shown.replace(" " + word, "").replace(word, "").replace("$", "").strip()
        bars.append(Bar(lb, shown, float(f.value)))
    # "up from 31,000 last year": the earlier value is written second; time runs left to right
    if _chronological(labels, lang):
        bars = list(reversed(bars))
    unit, title = _unit(chosen[0], text, lang)
    if lang == "zh" and unit[:1] in ("万", "亿") and all(unit[0] in b.shown for b in bars):
        unit = unit[1:]  # the bars say 4.8万 already: the unit is 人, not 万人
    title = re.sub(r"\d+[年月日]?|[\d,.]+", "", title).strip()  # "出口额4月" → "出口额"
    for word in (*_ZH_WHEN, "this year", "last year", "now"):  # labels, not the measure
        title = title.replace(word, "").strip()
    if title.lower() == unit.lower():
        title = ""
    return Chart(tuple(bars), unit, title, kind)


_PAST = ("last year", "a year ago", "previously", "before", "去年", "前年", "此前", "上年",
         "上月", "同期")


def _chronological(labels: list[str], lang: str) -> bool:
    """True when the labels run later-to-earlier ("this year ... last year")."""
    def when(label: str) -> float:
        m = re.fullmatch(r"(?:in )?(\d{4})", label)
        if m:
            return float(m.group(1))
        if any(label.lower().startswith(p) for p in _PAST) or "ago" in label:
            return 0.0
        if label.lower() in ("now", "today", "this year", "今年", "目前", "现在", "如今", "当前"):
            return 1e4
        return -1.0
    keys = [when(lb) for lb in labels]
    if any(k < 0 for k in keys):
        return False
    return keys == sorted(keys, reverse=True) and keys != sorted(keys)


_SOURCE_EN = re.compile(r"\baccording to (?:the )?([A-Z][\w'’\- ]{2,40}?)(?=[,.;]|$)")
_SOURCE_ZH = re.compile(r"据([\u4e00-\u9fff]{2,12}?)(?:统计|数据|介绍|消息|公布|发布|显示)")


def chart_source(texts: Sequence[str], lang: str) -> str:
    """Where the figures come from, when the sentence says ("according to X", 据X统计)."""
    text = " ".join(texts)
    m = (_SOURCE_ZH if lang == "zh" else _SOURCE_EN).search(text)
    return m.group(1).strip() if m else ""

