"""Written → spoken text: numbers and symbols the way a newsreader says them.

Two users: the speech backends read this form (anchor.speech.speak), and the checks compare a
recogniser's transcript with it (anchor.speech.asr, anchor.check.metrics), since Whisper may write
"95%" as 百分之九十五. Captions keep the written form. Every function is pure, so the rules
are unit-tested without a model.

Mandarin: Kokoro's G2P (misaki ``ZHG2P``) runs ``cn2an.transform`` on its input, which reads a
bare "2025" as a cardinal (两千零二十五), "1:1" as "一:一", "GPT-4" as "GPT负四" and "1,234" as
"一,二百三十四". So we spell every number out ourselves and hand it Chinese numerals only.

English: hibari's G2P (a port of misaki's) already reads years, ordinals, "$3.5 billion",
"1,250", "95%" and clock times correctly, so we leave those alone and only fix what it misreads:
ratios ("1:1" → "one one"), "bn"/"m" money suffixes, ranges ("5-10%" → "five ten percent"),
ISO dates, yuan and Hong Kong dollars, and Chinese punctuation left over from translation.
"""

from __future__ import annotations

import re
import unicodedata

from anchor.core.values import Lang

from .readable import read_fallback
from .text import HAN, is_han

__all__ = ["en_number", "normalize", "normalize_en", "normalize_zh", "zh_number"]


def normalize(text: str, language: Lang) -> str:
    """The text a speech backend should read for ``text`` in ``language``. A character the
    voice has no reading for is read by the fallback rule (language.readable), never a crash."""
    text = read_fallback(text, language)
    return normalize_zh(text) if language == "zh" else normalize_en(text)


# ------------------------------------------------------------------------------ shared

# Full-width ASCII (ＡＢＣ１２３％) as it appears in Chinese typesetting → ASCII.
# Chinese punctuation (，。：) is kept in zh: both G2P and edge-tts read it as pauses.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_ZH_KEEP = set("，。！？；：（）、")
_ZH_FULLWIDTH = {c: v for c, v in _FULLWIDTH.items() if chr(c) not in _ZH_KEEP}
_ZH_FULLWIDTH[0x3000] = 0x20  # ideographic space
_FULLWIDTH[0x3000] = 0x20

# Quote and bracket marks that speech engines either read aloud or turn into odd pauses.
_QUOTES = re.compile(r"[「」『』“”‘’\"《》〈〉【】〔〕«»]")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\ufeff]")
_NUM = r"\d+(?:\.\d+)?"
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d,])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_CLOCK_OR_RATIO = re.compile(r"(?<![\d:])(\d+)\s*[:：]\s*(\d+)(?![\d:])")


_UNIT_SYMBOLS = frozenset("°℃℉㎡")


def _symbols_out(text: str) -> str:
    """Drop emoji and other pictographs (no backend reads them usefully), not unit signs."""
    return "".join(
        ch for ch in text if ch in _UNIT_SYMBOLS or unicodedata.category(ch) != "So")


def _squash(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _is_clock(hour: str, minute: str) -> bool:
    return len(minute) == 2 and int(hour) <= 24 and int(minute) <= 59 and len(hour) <= 2


def _iso_date_ok(m: re.Match[str]) -> bool:
    return 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31


# -------------------------------------------------------------------------- Mandarin

_ZH_DIGITS = "零一二三四五六七八九"
# Measure words after which a lone 2 is read 两 (两个人, 两千), never 二.
_LIANG_BEFORE = (
    "个位名家种次天年倍项条件台所辆只架座场周岁成万亿千百小时分钟张把份轮部篇届"
)
# Words before a bare 4-digit number that make it a year ("于2025举行").
_YEAR_BEFORE = ("截至", "截止", "直到", "自从", "于", "在", "自", "从", "至", "到", "是", "为")
# Words after a bare 4-digit number that make it a year label read digit by digit.
_YEAR_LABEL_AFTER = ("赛季", "财年", "年度", "届", "版", "款")
# Words after a number that make it a count, not a year ("在2000人中").
_COUNT_AFTER = "个人名家种次元万亿千百多余米吨台辆件项只条份位张所亩平克"
_ZH_CURRENCY = {"US$": "美元", "HK$": "港元", "NT$": "新台币", "$": "美元",
                "¥": "元", "￥": "元", "RMB": "元", "€": "欧元", "£": "英镑"}
_ZH_UNITS = {"℃": "摄氏度", "°C": "摄氏度", "°F": "华氏度", "°": "度", "km": "公里",
             "kg": "公斤", "cm": "厘米", "mm": "毫米", "km²": "平方公里", "m²": "平方米",
             "㎡": "平方米"}
_ZH_UNIT_RE = "|".join(re.escape(u) for u in sorted(_ZH_UNITS, key=len, reverse=True))


def zh_number(number: str) -> str:
    """Chinese numerals for an integer or decimal written in digits ("3.5" → "三点五").

    Codes with a leading zero ("007") and very long digit strings are read digit by digit.
    """
    negative = number.startswith("-")
    number = number.lstrip("-")
    whole, _, frac = number.partition(".")
    if (len(whole) > 1 and whole.startswith("0")) or len(whole) > 16:
        spoken = _zh_digits(whole)
    else:
        # deferred: cn2an takes ~0.15 s to import, which `anchor --help` and the CLI's
        # other commands (they import the checks, and so this module) should not pay
        import cn2an

        spoken = cn2an.an2cn(whole)
        # newsreaders say 两千 / 两万 / 两亿 at the head of a number, never 二千
        if len(spoken) > 1 and spoken[0] == "二" and spoken[1] in "千万亿":
            spoken = "两" + spoken[1:]
    if frac:
        spoken += "点" + _zh_digits(frac)
    return ("负" if negative else "") + spoken


def _zh_digits(digits: str) -> str:
    return "".join(_ZH_DIGITS[int(d)] for d in digits)


def _zh_year_ranges(text: str) -> str:
    """"2024-2025年", "2024至2025年" → both years digit by digit."""
    pat = re.compile(r"(?<!\d)(\d{4})\s*(?:-|–|—|~|～|至|到)\s*(\d{4})(?=\s*年)")
    return pat.sub(lambda m: f"{_zh_digits(m.group(1))}至{_zh_digits(m.group(2))}", text)


def _zh_bare_year(m: re.Match[str]) -> str:
    """A bare 4-digit number that reads as a year ("于2025举办", "2025中国新媒体大会")."""
    text, start, end = m.string, m.start(), m.end()
    year = m.group(0)
    after = text[end:end + 2]
    if not 1900 <= int(year) <= 2099 or (after and after[0] in _COUNT_AFTER):
        return year  # a count: left to the cardinal rule
    if text[max(0, start - 2):start].endswith(_YEAR_BEFORE):
        return _zh_digits(year) + "年"
    if after.startswith(_YEAR_LABEL_AFTER) or (after and is_han(after[0])):
        return _zh_digits(year)  # an event's year label: 二零二五中国新媒体大会
    return year


def _zh_clock_or_ratio(m: re.Match[str]) -> str:
    a, b = m.group(1), m.group(2)
    before = m.string[max(0, m.start() - 2):m.start()]
    ratio_context = any(w in before for w in ("比", "以"))
    if _is_clock(a, b) and not ratio_context:
        hour = "两" if int(a) == 2 else zh_number(str(int(a)))
        if b == "00":
            return f"{hour}点"
        minute = ("零" + _ZH_DIGITS[int(b)]) if b.startswith("0") else zh_number(b)
        return f"{hour}点{minute}分"
    return f"{zh_number(a)}比{zh_number(b)}"


def _zh_currency(m: re.Match[str]) -> str:
    symbol, amount, scale = m.group(1).replace(" ", ""), m.group(2), m.group(3) or ""
    return f"{zh_number(amount)}{scale}{_ZH_CURRENCY[symbol]}"


def _zh_cardinal(m: re.Match[str]) -> str:
    text, start, end = m.string, m.start(), m.end()
    # a lone 2 before a measure word is 两 (两个人), but an ordinal stays 二 (第二名)
    after, before = text[end:end + 1], text[start - 1:start] if start else ""
    if m.group(0) == "2" and after and after in _LIANG_BEFORE and before != "第":
        return "两"
    return zh_number(m.group(0))


def normalize_zh(text: str) -> str:
    """Mandarin text with every number spelled in Chinese and unreadable symbols removed."""
    text = _CONTROL.sub("", text).translate(_ZH_FULLWIDTH)
    text = re.sub(r"[·•]", "", _QUOTES.sub("", text))
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    text = _ISO_DATE.sub(
        lambda m: f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日"
        if _iso_date_ok(m) else m.group(0), text)
    text = _zh_year_ranges(text)
    # years written with 年 are read digit by digit, as newsreaders do (二零二五年)
    text = re.sub(r"(?<!\d)([12]\d{3})(?=\s*年)", lambda m: _zh_digits(m.group(1)), text)
    text = re.sub(r"(?<![\dA-Za-z.\-])\d{4}(?![\d.%A-Za-z])", _zh_bare_year, text)
    text = re.sub(rf"({_NUM})%?\s*(?:-|–|~|～|至|到)\s*({_NUM})%",
                  lambda m: f"百分之{zh_number(m.group(1))}至百分之{zh_number(m.group(2))}", text)
    text = re.sub(rf"({_NUM})\s*(?:-|–|—|~|～)\s*(?=\d)", r"\1至", text)
    text = re.sub(r"(?<![\dA-Za-z])-(?=\d)", "负", text)
    text = re.sub(r"(?<=[\dA-Za-z])\s*\+\s*(?=[\dA-Za-z])", "加", text)  # 1+7+6, 5G+AR
    text = re.sub(r"—+|--+", "，", text)
    text = re.sub(r"…+|\.{3,}", "…", text)
    currency = r"(US\s?\$|HK\s?\$|NT\s?\$|\$|¥|￥|RMB|€|£)"
    text = re.sub(currency + rf"\s*({_NUM})\s*(万亿|亿|万|千|百)?", _zh_currency, text)
    text = re.sub(rf"({_NUM})\s*%", lambda m: "百分之" + zh_number(m.group(1)), text)
    text = re.sub(rf"({_NUM})\s*‰", lambda m: "千分之" + zh_number(m.group(1)), text)
    text = _CLOCK_OR_RATIO.sub(_zh_clock_or_ratio, text)
    text = re.sub(r"(?<![\d/])(\d+)/(\d+)(?![\d/])",
                  lambda m: f"{zh_number(m.group(2))}分之{zh_number(m.group(1))}", text)
    text = re.sub(rf"({_NUM})\s*({_ZH_UNIT_RE})(?![A-Za-z])",
                  lambda m: m.group(1) + _ZH_UNITS[m.group(2)], text)
    # numbers glued to Latin letters (5G, GPT-4, H100) stay for the English phonemiser
    text = re.sub(r"(?<![\dA-Za-z.\-])\d+(?:\.\d+)?(?![\dA-Za-z])", _zh_cardinal, text)
    text = _symbols_out(re.sub(r"[#*^_=<>|\\~～]", "", text))
    # spaces between Chinese characters only make engines pause mid-phrase
    text = re.sub(f"(?<=[{HAN}，。、])\\s+(?=[{HAN}])", "", text)
    return _squash(text)


# --------------------------------------------------------------------------- English

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_MONTHS = ("January February March April May June July August September October November "
           "December").split()
_EN_PUNCT = {"。": ". ", "、": ", ", "，": ", ", "：": ": ", "；": "; ", "！": "! ", "？": "? ",
             "（": " (", "）": ") "}
_SCALE_WORDS = {"k": "thousand", "m": "million", "mn": "million", "mln": "million",
                "b": "billion", "bn": "billion", "t": "trillion", "tn": "trillion",
                "trn": "trillion", "thousand": "thousand", "million": "million",
             "billion": "billion", "trillion": "trillion"}


def en_number(n: int) -> str:
    """English words for a whole number ("21" → "twenty-one")."""
    if n < 0:
        return "minus " + en_number(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {en_number(rest)}" if rest else "")
    for size, word in _SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            return f"{en_number(head)} {word}" + (f" {en_number(rest)}" if rest else "")
    raise AssertionError("unreachable")


def _en_clock_or_ratio(m: re.Match[str]) -> str:
    a, b = m.group(1), m.group(2)
    if _is_clock(a, b):
        return m.group(0)  # a clock time: the backends read "7:30" well
    return f"{en_number(int(a))} to {en_number(int(b))}"


def _en_money(m: re.Match[str]) -> str:
    symbol, amount, scale = m.group(1).replace(" ", "").upper(), m.group(2), m.group(3)
    words = f"{amount} {_SCALE_WORDS[scale.lower()]}" if scale else amount
    name = {"HK$": "Hong Kong dollars", "NT$": "New Taiwan dollars", "¥": "yuan",
            "RMB": "yuan", "CNY": "yuan"}.get(symbol)
    if name:
        return f"{words} {name}"
    return f"{'$' if symbol == 'US$' else symbol}{words}"


def normalize_en(text: str) -> str:
    """English text with the spellings English G2P misreads rewritten as words."""
    text = _CONTROL.sub("", text)
    for zh, en in _EN_PUNCT.items():
        text = text.replace(zh, en)
    text = text.translate(_FULLWIDTH)
    text = re.sub(r"[「」『』《》〈〉【】〔〕«»]", "", text)
    text = re.sub(r"——+", " — ", text)
    text = _ISO_DATE.sub(
        lambda m: f"{_MONTHS[int(m.group(2)) - 1]} {int(m.group(3))}, {m.group(1)}"
        if _iso_date_ok(m) else m.group(0), text)
    money = r"(US\s?\$|HK\s?\$|NT\s?\$|\$|€|£|¥|￥|RMB\s?|CNY\s?)"
    scale = r"(?:\s*(k|m|mn|mln|b|bn|t|tn|trn|thousand|million|billion|trillion)\b)?"
    amount = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    text = re.sub(money + rf"\s*{amount}{scale}", _en_money, text,
                  flags=re.IGNORECASE)
    text = re.sub(rf"\b({_NUM})\s*(mn|mln|bn|tn|trn)\b",
                  lambda m: f"{m.group(1)} {_SCALE_WORDS[m.group(2).lower()]}", text)
    text = re.sub(r"\b24/7\b", "twenty-four seven", text)
    text = re.sub(rf"({_NUM})\s*%", r"\1 percent", text)
    text = re.sub(rf"({_NUM})\s*‰", r"\1 per mille", text)
    text = re.sub(r"(?<=\d)\s*(?:-|–|—|~)\s*(?=\d)", " to ", text)
    text = _CLOCK_OR_RATIO.sub(_en_clock_or_ratio, text)
    text = _symbols_out(re.sub(r"[#*^_=<>|\\]", " ", text))
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return _squash(text)
