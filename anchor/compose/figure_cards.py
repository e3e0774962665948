"""Key-figure cards: the number a sentence turns on, shown while it is spoken.

For each sentence of the script the figures are found (anchor.language.text.extract_figures)
and one is chosen, in this order: a percentage (drawn with a ring chart), a count
or amount that has a label, a date with a month, any other number. Bare years
("2026") make no card: a year alone says little on screen. The label is taken
from the sentence with a few rules rather than a model, so that it is quick,
offline and predictable:

- Chinese: a measure word after the number becomes the unit ("72个" → 72 + 个),
  and the noun phrase after it the label ("县级融媒体中心"), cut with jieba's
  part-of-speech tags. A percentage takes what comes before it in its clause
  ("相似度达到95%" → "相似度", "比人工剪辑节省约85%的时间" → "比人工剪辑节省时间").
- English: a unit word after the number becomes the unit ("12 tonnes of waste"
  → 12 + tonnes, label "waste"); otherwise the words after the number up to a
  verb or preposition ("3,400 volunteers cleared" → "volunteers"); a percentage
  takes the subject before it ("Plastic bottles made up 62%" → "Plastic bottles").

A card is shown from the caption that carries its number (so the number appears
as it is read, not seconds before) to the end of its sentence, and for at least
MIN_CARD_MS. A reporter who wants another label edits the sentence in
script.json; a card with no readable label shows the number alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from anchor.core.values import Cue, FigureCard, Lang, Span
from anchor.language.text import extract_figures, jieba_posseg

__all__ = ["MIN_CARD_MS", "figure_card", "figure_cards", "figure_unit_label", "split_figure"]

log = logging.getLogger(__name__)

MIN_CARD_MS = 1500  # a card on screen for less cannot be read
_ZH_LABEL_CHARS = 10
_EN_LABEL_CHARS = 30

_FULLWIDTH = str.maketrans("０１２３４５６７８９％＄．：，", "0123456789%$.:,")
_CLAUSE_END = "，。；：！？、,;:!?\n"

# Chinese measure words and units, longest first so "平方公里" wins over "公里".
_ZH_UNITS = sorted(
    """个 条 家 名 位 项 所 座 吨 元 亿元 万元 千元 美元 公里 千米 米 平方公里 平方米 公顷 亩
    分钟 小时 天 年 月 周 倍 件 次 场 台 辆 户 人 人次 部 款 种 篇 幅 只 头 棵 株 套 份 批 类 支
    起 张 本 期 届 块 段 斤 公斤 千克 克 升 毫升 度 GW MW kW 万吨 万人 万户 亿人""".split(),
    key=len, reverse=True,
)
_ZH_APPROX = "多余近约"  # "1,200多名", "3400余人"
# after a percentage or count: particles and what does not start a noun phrase
_ZH_STOP_WORDS = frozenset("内 后 前 以上 以下 左右 之间 以内 多 余 的 了 中".split())
_ZH_NOUNISH = ("n", "vn", "b", "a", "j", "l", "eng", "s", "nz", "ng", "an", "nt", "ns", "z")
# verbs that only say "is / reaches": the label is the subject before them
_ZH_COPULA = ("达到了", "达到", "约为", "高达", "超过", "突破", "达", "为", "是", "占")
_ZH_ADVERBS = ("约", "近", "超", "逾", "共", "仅", "已", "了", "都", "均", "将", "累计", "总计")

_EN_UNITS = frozenset(
    """tonnes tons tonne ton kilometres kilometers km metres meters m miles kg kilograms
    hectares acres litres liters hours hour minutes minute seconds days day weeks months
    years year times percent points gigawatts megawatts gw mw kw yuan dollars euros pounds
    million billion trillion thousand bn""".split()
)
_EN_SKIP = frozenset("of the a an".split())
# words that end a noun phrase after the number
_EN_STOP = frozenset(
    """was were is are be been being has have had will would can could may might should
    to in on at by for from with within into over under than that which who whose when
    where while as and or but of per each every across since after before during about
    said say says this these those it its their his her our them they we he she you i
    more less up down out off last next the a an took made said came went saw gave grew
    rose fell hit cut set put won lost spent paid built left held got brought bought sold
    told found became began kept""".split()
)
# words that cannot start the label before a figure
_EN_JOIN = frozenset("and or but each while with also".split())
# words dropped from the end of the text before a figure ("made up", "by about")
_EN_LEAD = frozenset(
    """by about around nearly almost roughly some over up to of at than more less
    reached reaches reach rose rises rise fell falls fall grew grows grow made make makes
    was were is are be been to hit hits totalled totaled total totals stood stands
    stand came comes come amounted amounts accounted account for the a an just only
    some approximately an estimated estimated""".split()
)
_EN_ARTICLES = frozenset("the a an".split())

_NUM_RE = re.compile(r"(?P<pre>[^\d]*)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"(?P<post>.*)")


def _posseg() -> Any:
    return jieba_posseg()


def split_figure(figure: str) -> tuple[str, float | None, str]:
    """("$3.5 billion") → ("$", 3.5, " billion"): prefix, value, suffix."""
    m = _NUM_RE.fullmatch(figure)
    if m is None:
        return figure, None, ""
    return m["pre"], float(m["num"].replace(",", "")), m["post"]


def _kind(fig: str) -> str:
    if re.search(r"%|percent|per cent", fig):
        return "percent"
    if re.search(r"月|[A-Za-z]{3,}\.? \d|\d [A-Z][a-z]{2,}", fig) and not re.search(
            r"million|billion|trillion|thousand", fig):
        return "date"
    if re.fullmatch(r"(19|20)\d\d", fig):
        return "year"
    if re.fullmatch(r"\d+(?:[:+]\d+)+", fig):
        return "compound"  # "1:1", "10:30": not a quantity
    return "number"


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The text of the clause before and after ``text[start:end]``."""
    i = start
    while i > 0 and text[i - 1] not in _CLAUSE_END:
        i -= 1
    j = end
    while j < len(text) and text[j] not in _CLAUSE_END:
        j += 1
    return text[i:start], text[end:j]


def _zh_unit(after: str) -> tuple[str, str]:
    """(unit, rest) of the text right after a Chinese number."""
    approx = ""
    if after[:1] and after[0] in _ZH_APPROX and len(after) > 1:
        approx, after = after[0], after[1:]
    for unit in _ZH_UNITS:
        if after.startswith(unit):
            return approx + unit, after[len(unit):]
    return "", approx + after


def _zh_nouns(text: str) -> str:
    """The noun phrase at the start of ``text`` (jieba's tags; adjectives and
    attributive words such as 县级 count, a verb or adverb ends it)."""
    text = text.lstrip("的")
    out = ""
    for word in _posseg().cut(text):
        if word.word in _ZH_STOP_WORDS or not word.flag.startswith(_ZH_NOUNISH):
            break
        if len(out) + len(word.word) > _ZH_LABEL_CHARS:
            break
        out += word.word
    return out


def _zh_trim(before: str) -> str:
    """The text before a figure without the adverbs next to it ("节省约" → "节省")."""
    changed = True
    while changed and before:
        changed = False
        for adv in _ZH_ADVERBS:
            if before.endswith(adv):
                before, changed = before[: -len(adv)], True
    return before


def _zh_short(text: str) -> str:
    """At most _ZH_LABEL_CHARS, keeping the end (the head noun of Chinese is last):
    cut after a 的 or 与 when that makes it fit."""
    if len(text) <= _ZH_LABEL_CHARS:
        return text
    for mark in ("的", "与", "和", "中"):
        k = text.rfind(mark)
        if 0 <= k < len(text) - 1 and len(text) - k - 1 <= _ZH_LABEL_CHARS:
            return text[k + 1:]
    return text[-_ZH_LABEL_CHARS:]


def _zh_label(before: str, after: str, kind: str) -> tuple[str, str]:
    unit, rest = ("", after) if kind in ("percent", "date") else _zh_unit(after)
    nouns = _zh_nouns(rest)
    if kind != "percent" and nouns:
        return unit, nouns
    if kind == "date":
        return unit, ""
    if unit and rest:
        # "3分钟内生成双语视频": what happens in that time
        verb = rest.lstrip("".join(_ZH_STOP_WORDS))
        if verb:
            return unit, verb[:12]
    lead = _zh_trim(before.translate(_FULLWIDTH)).rstrip("的")
    for cop in _ZH_COPULA:
        if lead.endswith(cop):
            return unit, _zh_short(_zh_trim(lead[: -len(cop)]).rstrip("的"))
    if lead:
        # a verb before the number ("节省约85%的时间"): the verb phrase + the noun after
        return unit, _zh_short(lead + (nouns if len(lead) + len(nouns) <= 14 else ""))
    return unit, nouns


def _en_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'’\-]*", text)


def _en_label(before: str, after: str, kind: str) -> tuple[str, str]:
    words = _en_words(after)
    unit = ""
    if kind == "number" and words and words[0].lower() in _EN_UNITS and after.lstrip()[:1] != ",":
        unit, words = words[0], words[1:]
    while words and words[0].lower() in _EN_SKIP:
        words = words[1:]
    phrase: list[str] = []
    for w in words:
        if w.lower() in _EN_STOP or len(" ".join([*phrase, w])) > _EN_LABEL_CHARS:
            break
        # a verb-ish word ("cleared", "removing") ends the noun phrase before it
        if phrase and re.search(r"(ed|ing)$", w):
            break
        phrase.append(w)
    after_label = " ".join(phrase)
    lead = _en_words(before)
    while lead and lead[-1].lower() in _EN_LEAD:
        lead.pop()
    # the noun phrase: after the last article ("The paper says the likeness" →
    # "likeness"), else the last few words, not starting on a conjunction
    arts = [i for i, w in enumerate(lead) if w.lower() in _EN_ARTICLES]
    lead = lead[arts[-1] + 1:] if arts and arts[-1] < len(lead) - 1 else lead[-3:]
    while lead and lead[0].lower() in (_EN_JOIN | _EN_ARTICLES):
        lead = lead[1:]
    before_label = " ".join(lead)
    if len(before_label) > _EN_LABEL_CHARS:
        before_label = " ".join(lead[-2:])
    if kind == "percent":
        return unit, before_label or after_label
    if kind == "date":
        return unit, ""  # the clause around the date says what happened: figure_card
    if after_label and not re.search(r"(ed|ing)$", after_label):
        return unit, after_label
    return unit, after_label or before_label


def _display(fig: str, lang: Lang) -> tuple[str, str]:
    """How the figure is written on the card, and any unit split off it."""
    fig = re.sub(r"\s?(?:percent|per cent)$", "%", fig)
    m = re.fullmatch(r"(.*?\d)\s?(thousand|million|billion|trillion|bn|[十百千万萬亿億兆]+)", fig)
    if m:  # "$3.5 billion" → "$3.5" + "billion": the number stays big, the word small
        return m[1], m[2]
    return fig, ""


def _next_clause(text: str, end: int, limit: int) -> str:
    """The clause after position ``end`` (a date's card says what happened then)."""
    rest = text[end:].lstrip(_CLAUSE_END + " ")
    if text[end:end + 1] not in _CLAUSE_END and text[end:end + 1] != " ":
        rest = text[end:]
    m = re.match(rf"[^{re.escape(_CLAUSE_END)}]+", rest)
    clause = m.group(0).strip().rstrip(".") if m else ""
    return clause if len(clause) <= limit else ""


def figure_card(text: str, span: Span, lang: Lang) -> FigureCard | None:
    """The card for one sentence, or None when it has no figure worth a card."""
    if span.duration_ms < MIN_CARD_MS:
        return None
    norm = text.translate(_FULLWIDTH)
    best: tuple[int, FigureCard] | None = None
    for order, fig in enumerate(extract_figures(text)):
        kind = _kind(fig)
        if kind in ("year", "compound"):
            continue
        start = norm.find(fig)
        if start < 0:
            continue
        before, after = _clause(norm, start, start + len(fig))
        shown, unit = _display(fig, lang)
        if lang == "zh":
            extra_unit, label = _zh_label(before, after, kind)
        else:
            extra_unit, label = _en_label(before, after, kind)
        unit = unit or extra_unit
        if kind == "date":
            label = _next_clause(norm, start + len(fig),
                                 _ZH_LABEL_CHARS + 2 if lang == "zh" else _EN_LABEL_CHARS)
        percent = None
        if kind == "percent":
            value = split_figure(shown)[1]
            percent = value if value is not None and 0 <= value <= 100 else None
        rank = {"percent": 0, "number": 1 if label else 3, "date": 2}[kind] * 100 + order
        card = FigureCard(span.start_ms, span.end_ms, shown, unit, label, percent)
        if best is None or rank < best[0]:
            best = (rank, card)
    return best[1] if best else None


def figure_unit_label(text: str, figure: str, lang: str) -> tuple[str, str]:
    """(unit, label) of ``figure`` as written in ``text``: "48,000 visitors came" →
    ("", "visitors"), "72个县级融媒体中心" → ("个", "县级融媒体中心"). The chart's axis
    reads the same words the cards do."""
    norm = text.translate(_FULLWIDTH)
    fig = figure.translate(_FULLWIDTH)
    start = norm.find(fig)
    if start < 0:
        return "", ""
    before, after = _clause(norm, start, start + len(fig))
    kind = _kind(fig)
    return _zh_label(before, after, kind) if lang == "zh" else _en_label(before, after, kind)


def _digits(s: str) -> str:
    m = re.search(r"\d[\d,.]*", s.translate(_FULLWIDTH))
    return m.group(0).replace(",", "").rstrip(".") if m else ""


def _when_said(card: FigureCard, cues: Sequence[Cue]) -> FigureCard:
    """The card from the caption that carries its number (the number appears as it is
    read), but on screen at least MIN_CARD_MS and never before its sentence."""
    key = _digits(card.figure)
    if not key:
        return card
    for cue in cues:
        if cue.end_ms <= card.start_ms or cue.start_ms >= card.end_ms:
            continue
        if key in cue.text.translate(_FULLWIDTH).replace(",", ""):
            start = min(cue.start_ms, card.end_ms - MIN_CARD_MS)
            return replace(card, start_ms=max(card.start_ms, start))
    return card


def figure_cards(texts: Sequence[str], sentences: Sequence[Span], lang: Lang,
                 cues: Sequence[Cue] = ()) -> tuple[FigureCard, ...]:
    """At most one card per sentence, timed on the sentence's span; with the clip's
    ``cues``, from the caption that shows its number to the end of the sentence."""
    cards = []
    for text, span in zip(texts, sentences, strict=False):
        card = figure_card(text, span, lang)
        if card is not None:
            cards.append(_when_said(card, cues) if cues else card)
    log.debug("%d figure cards for %d %s sentences", len(cards), len(texts), lang)
    return tuple(cards)
