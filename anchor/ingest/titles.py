"""The title of an article that does not name one."""

from __future__ import annotations

import re

from anchor.core.values import Lang
from anchor.translate.headline import fit_headline

from .cleanup import looks_like_heading, strip_closers

__all__ = ["pick_title"]


def _first_sentence(para: str) -> str:
    m = re.search(r"[。！？!?]|\.(?=\s|$)", para)
    return para[: m.start()] if m else para


def _trim_title(s: str, lang: Lang) -> str:
    """Shorten a sentence used as title: cut at a clause break before the limit, else
    between words (jieba's for Chinese), never inside a word. The translate stage fits
    it to the lower third by measure afterwards."""
    s = strip_closers(s).rstrip("。！？!?.…；;：:，,、 ") or s
    limit = 40 if lang == "zh" else 100
    return fit_headline(s, measure=lambda t: len(t) <= limit)


def pick_title(paras: list[str], lang: Lang) -> str:
    """First paragraph when it is a heading (then removed from the body), else the
    first sentence trimmed."""
    first = paras[0]
    if len(paras) > 1 and looks_like_heading(first, lang):
        paras.pop(0)
        return first
    return _trim_title(_first_sentence(first), lang)
