"""Folder names for articles: readable ASCII from the title (pinyin for Chinese)."""

from __future__ import annotations

import re
import unicodedata

from anchor.language.text import has_han

__all__ = ["slugify"]

_MAX = 48


def slugify(title: str, fallback: str) -> str:
    text = title
    if has_han(text):
        from pypinyin import lazy_pinyin  # installed with misaki[zh]

        text = " ".join(lazy_pinyin(text[:16]))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for w in words:
        candidate = f"{slug}-{w}" if slug else w
        if len(candidate) > _MAX:
            break
        slug = candidate
    return slug or fallback
