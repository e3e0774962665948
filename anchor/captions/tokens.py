"""A sentence as atoms: the pieces a caption may break between (jieba words and Latin
runs for Chinese, words for English), with what a break after each costs and how long
each takes to say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from anchor.core.values import Lang
from anchor.language.text import HAN, jieba, to_simplified

from .limits import display_width, line_limit

__all__ = ["Atom", "atoms_of"]

# Runs that are never broken: "5G+AR", "95%", "3.5", "1:1", "COVID-19", "Billionaire's".
_LATIN_RUN = r"[A-Za-z0-9\u00c0-\u024f]+(?:[.+:/&'’\-,][A-Za-z0-9\u00c0-\u024f]+)*[%+°]?"
_ZH_TOKEN_RE = re.compile(rf"(?P<latin>[$¥€£]?{_LATIN_RUN})|(?P<han>[{HAN}]+)|(?P<space>\s+)|.")
_OPENING = set("「『“‘（(《〈【［[{¿¡")
_CLOSING = set("」』”’）)》〉】］]}")
_TRAILING = set("，。、；：！？,.;:!?…—–%")  # stays with the word before it
_SENTENCE_PUNCT = set("。！？!?")
_CLAUSE_PUNCT = set("，；：,;:—–…")
# Measure words and units kept with the number before them: "2025年", "10億次", "95％".
_UNITS = set("年月日号號时時点點分秒个個位名家场場次项項件元块塊倍岁歲")
_UNITS |= set("亿億万萬千百十度米吨噸公里部张張")
_EN_CLAUSE_WORDS = frozenset(
    "and but or nor so yet because although though while whereas which who whom whose "
    "that when where if unless after before since until as than".split()
)
# Ending a line or cue on these reads badly: "the / library".
_EN_WEAK_END = frozenset(
    "a an the of to in on at by for with from into onto and or but as than that this "
    "these those his her its their our my your mr mrs ms dr no such".split()
)


@dataclass(frozen=True, slots=True)
class Atom:
    """An unbreakable piece of caption text."""

    text: str  # as shown, with the punctuation attached to it
    space: bool  # a space separates it from the atom before
    brk: float  # cost of a line or cue break after it
    weight: float  # spoken length


def _han_words(run: str) -> list[str]:
    """jieba words of a Han run. Traditional text is segmented through its
    Simplified form (jieba's dictionary is Simplified: "正敞/開懷/抱" otherwise)."""
    simple = to_simplified(run)
    words = list(jieba().cut(simple if len(simple) == len(run) else run, HMM=True))
    out, i = [], 0
    for w in words:
        out.append(run[i : i + len(w)])
        i += len(w)
    return out


def _syllables(word: str) -> float:
    """Rough spoken length of a Latin token in syllables."""
    letters = re.sub(r"[^A-Za-z]", "", word)
    digits = sum(c.isdigit() for c in word)
    if letters and (letters.isupper() and len(letters) <= 5):
        n = float(len(letters))  # acronym: "AI", "AR" are read letter by letter
    elif letters:
        groups = re.findall(r"[aeiouy]+", letters.lower())
        n = max(1, len(groups) - (letters.lower().endswith("e") and len(groups) > 1))
    else:
        n = 0.0
    return n + digits + 2 * word.count("%")


def _pause(text: str) -> float:
    tail = text.rstrip("".join(_CLOSING) + "\"'")
    if tail and tail[-1] in _SENTENCE_PUNCT:
        return 0.8
    if tail and tail[-1] in _CLAUSE_PUNCT | {"、"}:
        return 0.5
    return 0.0


def _raw_tokens_zh(text: str) -> list[tuple[str, bool]]:
    """(token, space before) for Chinese: jieba words, Latin runs, single signs."""
    out: list[tuple[str, bool]] = []
    space = False
    for m in _ZH_TOKEN_RE.finditer(text):
        if m.lastgroup == "space":
            space = True
            continue
        if m.lastgroup == "han":
            for w in _han_words(m.group()):
                out.append((w, space))
                space = False
        else:
            out.append((m.group(), space))
        space = False
    return out


def _raw_tokens_en(text: str) -> list[tuple[str, bool]]:
    return [(w, True) for w in text.split()]


def atoms_of(text: str, language: Lang) -> list[Atom]:
    """Cut ``text`` into atoms: punctuation glued to its word, numbers to their unit."""
    raw = _raw_tokens_zh(text) if language == "zh" else _raw_tokens_en(text)
    pieces: list[list[Any]] = []  # [text, space before]
    prefix = ""  # opening quotes/brackets waiting for the word they open
    prefix_space = False
    for tok, space in raw:
        straight_quote = tok in ('"', "'")
        if (tok in _OPENING or (straight_quote and (not pieces or space))) and len(tok) == 1:
            if not prefix:
                prefix_space = space
            prefix += tok
            continue
        sign = not any(ch.isalnum() for ch in tok)
        if (
            pieces
            and not prefix
            and sign
            and (tok[0] in _CLOSING or tok[0] in _TRAILING or tok[0] == "、" or straight_quote)
        ):
            pieces[-1][0] += (" " if space else "") + tok  # "」", "，", "95 %" stay put
            continue
        if (
            language == "zh"
            and pieces
            and not prefix
            and not space
            and re.fullmatch(r"[$¥€£]?\d[\d.,:]*%?", pieces[-1][0])
            and tok[0] in _UNITS
            and len(tok) <= 2
        ):
            pieces[-1][0] += tok  # "2025年", "10億次"
            continue
        if language == "zh" and pieces and pieces[-1][0] == "第" and tok[0].isdigit():
            pieces[-1][0] += tok  # "第3"
            continue
        pieces.append([prefix + tok, prefix_space if prefix else space])
        prefix = ""
    if prefix:  # an opening sign at the very end: keep it with the last word
        if pieces:
            pieces[-1][0] += prefix
        else:
            pieces.append([prefix, False])
    limit = line_limit(language)
    atoms: list[Atom] = []
    depth = 0  # inside 「…」 or (…): breaking there splits a name or a quote
    for i, (tok, space) in enumerate(pieces):
        depth = max(0, depth + sum(c in _OPENING for c in tok) - sum(c in _CLOSING for c in tok))
        nxt = pieces[i + 1][0] if i + 1 < len(pieces) else ""
        brk = _break_cost(tok, nxt, language) + (2.0 if depth else 0.0)
        weight = _weight(tok, language)
        chunks = _hard_split(tok, language, limit)
        for k, chunk in enumerate(chunks):
            last = k == len(chunks) - 1
            share = weight * len(chunk) / len(tok)
            atoms.append(Atom(chunk, bool(space) and k == 0, brk if last else 20.0, share))
    return atoms


def _hard_split(tok: str, language: Lang, limit: int) -> list[str]:
    """A token wider than a line (a URL, a long name) cut into line-sized chunks."""
    if display_width(tok, language) <= limit:
        return [tok]
    chunks, cur = [], ""
    for c in tok:
        if display_width(cur + c, language) > limit:
            chunks.append(cur)
            cur = ""
        cur += c
    return [*chunks, cur] if cur else chunks


def _weight(tok: str, language: Lang) -> float:
    core = 0.0
    for m in re.finditer(rf"[{HAN}]|[A-Za-z0-9%\u00c0-\u024f'’\-.+:]+", tok):
        piece = m.group()
        core += 1.0 if re.fullmatch(f"[{HAN}]", piece) else _syllables(piece)
    return core + _pause(tok)


def _break_cost(tok: str, nxt: str, language: Lang) -> float:
    tail = tok.rstrip("".join(_CLOSING) + "\"'")
    last = tail[-1] if tail else ""
    if last in _SENTENCE_PUNCT or (language == "en" and last == "."):
        return 0.0
    if last in _CLAUSE_PUNCT:
        return 1.0
    if last == "、":
        return 3.0
    if language == "en":
        word = re.sub(r"[^a-z]", "", tok.lower())
        if word in _EN_WEAK_END or word in _EN_CLAUSE_WORDS:
            return 12.0
        if re.sub(r"[^a-z]", "", nxt.lower()) in _EN_CLAUSE_WORDS:
            return 4.0
        return 8.0
    if nxt[:1] in "的地得了着過过們们":
        return 10.0  # a particle belongs to the word before it
    if tok[-1:].isdigit():
        return 12.0  # "2025 / 中國新媒體大會": a number qualifies what follows it
    return 8.0
