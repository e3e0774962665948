"""Direct quotes and the people who say them, for quote cards and name straps.

A quote is the words inside quotation marks (“…”, "…", 「…」, 『…』) of at least a few
words; its speaker the name next to a verb of saying: "…,” said Mei Lin, the festival's
director. / Mei Lin, the director, said “…” / 节日主任梅林说：“……” / “……”梅林表示。
A person *named* with a role ("Mei Lin, the festival's director, opened ...") gets a
name strap. Rules, not a model: quick, offline, and a reporter corrects them in review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anchor.language.text import jieba_posseg

__all__ = ["Person", "quote_of", "speaker_of"]

_QUOTE_RE = re.compile(r"“([^”]{6,400})”|\"([^\"]{6,400})\"|「([^」]{4,400})」|『([^』]{4,400})』")
_NAME = r"((?:[A-Z][a-z]+|[A-Z]\.)(?:[\s-](?:[A-Z][a-z]+|[A-Z]\.)){1,2})"
_SAY = r"(?:said|says|told|added|explained|noted|asked|warned|stated)"
_ROLE = r"(?:,\s*(?:the\s|a\s|an\s)?((?:[\w'’-]+\s?){1,8}?)(?=[,.;]|\s(?:" + _SAY + r")\b|$))"
_EN_PATTERNS = (
    re.compile(_SAY + r"\s+" + _NAME + _ROLE + "?"),          # said Mei Lin, the director
    re.compile(_NAME + _ROLE + r"?,?\s+" + _SAY),             # Mei Lin, the director, said
)
_ZH_SAY = ("表示", "说", "指出", "介绍", "称", "强调", "认为", "告诉记者")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str = ""


def quote_of(text: str) -> str:
    """The quoted words of ``text`` (the longest quotation), or ""."""
    found = [next(g for g in m.groups() if g) for m in _QUOTE_RE.finditer(text)]
    found = [q.strip().strip(",，") for q in found if len(q.split()) >= 4 or
             re.search(r"[\u4e00-\u9fff]{6,}", q)]
    return max(found, key=len) if found else ""


def speaker_of(text: str, lang: str) -> Person | None:
    """Who speaks (or is named with a role) in ``text``."""
    if lang == "en":
        for pat in _EN_PATTERNS:
            m = pat.search(text)
            if m:
                role = (m.group(2) or "").strip()
                return Person(m.group(1).strip(), role[:60])
        m = re.search(_NAME + r",\s+(?:the\s|a\s)((?:[\w'’-]+\s?){1,8}?),", text)
        return Person(m.group(1), m.group(2).strip()) if m else None
    plain = _QUOTE_RE.sub("", text)
    words = list(jieba_posseg().cut(plain))
    for i, w in enumerate(words):
        if w.flag != "nr" or len(w.word) < 2:
            continue
        after = "".join(x.word for x in words[i + 1:i + 3])
        if not any(after.startswith(s) for s in _ZH_SAY) and not (
                i + 1 < len(words) and words[i + 1].word in "，,"):
            continue
        role = ""
        j = i - 1
        while j >= 0 and words[j].flag.startswith(("n", "vn", "j")) and words[j].flag != "nr" \
                and len(role) + len(words[j].word) <= 12:
            role = words[j].word + role
            j -= 1
        return Person(w.word, role)
    return None
