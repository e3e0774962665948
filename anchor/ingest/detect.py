"""Which language (zh/en) an article is in, and which Chinese script (Hans/Hant)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from anchor.core.errors import InputError
from anchor.core.values import Lang
from anchor.language.text import HAN, to_simplified, to_traditional

from .chars import MIN_LETTERS, ZH_RATIO

__all__ = ["detect_language", "detect_variant"]

_HAN_RE = re.compile(f"[{HAN}]")
_KANA_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL_RE = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


# Function words that make up a quarter of any English text and few of other
# Latin-script languages; used to turn away French, Spanish, German... articles.
_EN_WORDS = frozenset(
    """the and of to is was that for with are it this be by from has have he she they
    said will not an which were their its been who would there also after but had""".split()
)


def _letter_counts(text: str) -> tuple[int, int, int, int, Counter[str]]:
    """(letters, han, latin, kana+hangul, other scripts by Unicode script name)."""
    letters = han = latin = kana = 0
    other: Counter[str] = Counter()
    for c in text:
        if not unicodedata.category(c).startswith("L"):
            continue
        letters += 1
        if _HAN_RE.match(c):
            han += 1
        elif _LATIN_RE.match(c):
            latin += 1
        elif _KANA_RE.match(c) or _HANGUL_RE.match(c):
            kana += 1
        else:
            other[unicodedata.name(c, "OTHER ?").split()[0].title()] += 1
    return letters, han, latin, kana, other


def detect_language(text: str) -> Lang:
    """ "zh" when Han characters are at least ZH_RATIO of the letters, else "en".

    Raises InputError for text that is neither: Japanese or Korean (kana/hangul),
    another script (Cyrillic, Arabic...), or long Latin-script text with almost
    no English function words (French, Spanish...), or too few letters at all.
    """
    letters, han, latin, kana, other = _letter_counts(text)
    hint = "Translate the article into Chinese or English first, or pass a summary in one of them."
    if letters < MIN_LETTERS:
        raise InputError(
            f"The article has almost no text: {letters} letters; it is mostly emoji, "
            "symbols or numbers.",
            hint="Give the article's text (at least a sentence of Chinese or English).",
        )
    if kana > 0.1 * letters:
        name = "Japanese" if _KANA_RE.search(text) else "Korean"
        raise InputError(
            f"Not Chinese (zh) or English (en): the article looks like {name}.", hint=hint
        )
    if han / letters >= ZH_RATIO:
        return "zh"
    if latin / letters >= 0.5:
        words = re.findall(r"[a-z]+", text.lower())
        if len(words) >= 40 and sum(w in _EN_WORDS for w in words) < 0.05 * len(words):
            raise InputError(
                "Not Chinese (zh) or English (en): the article looks like another Latin-script "
                "language.",
                hint=hint,
            )
        return "en"
    script = other.most_common(1)[0][0] if other else "unknown"
    raise InputError(
        f"Not Chinese (zh) or English (en): the article looks like {script}-script text.",
        hint=hint,
    )


def detect_variant(text: str) -> str:
    """ "Hant" or "Hans": which OpenCC direction changes more of the characters.

    t2s changes Traditional-only characters, s2t Simplified-only ones; text with
    neither (all characters shared) is called "Hans", the mainland default.
    """
    han = "".join(_HAN_RE.findall(text))[:20_000]
    if not han:
        return ""
    t2s = _changed(han, to_simplified(han))
    s2t = _changed(han, to_traditional(han))
    return "Hant" if t2s > s2t else "Hans"


def _changed(a: str, b: str) -> int:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True))
    import difflib  # phrase conversions may change the length: rare, so import lazily

    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return len(a) - sum(m.size for m in sm.get_matching_blocks())
