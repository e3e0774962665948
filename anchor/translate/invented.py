"""Names the output has and the source does not.

A small model spells a common word as if it were a name: 移英港人货车佬彬彬有礼 ("the
Hong Kong truck driver is polite") became "the Hong Kong truck driver Binbin". The name
checks only ask whether the source's names are there, so an invented one passed. Into
English, every capitalised word of the output that reads as pinyin (two syllables or more,
or a run of one-syllable words: "Rong Xing"; a lone "Li" or "Long" is too ambiguous) and is
neither English nor one of the expected renderings must spell a name of the source:
characters that read so and that jieba tags as a name. Else it is flagged, with the
characters it spells where there are some. Into Chinese, a place or person of the glossary
in the output must be named by the English source in one of its spellings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from anchor.language.glossary import Glossary
from anchor.language.names import Name, glossary_kind, is_person_here, pinyin_split, spelt_in
from anchor.language.text import has_cjk, jieba_posseg, latin_names, word_spans

from .checks import Problem

__all__ = ["invented_names", "invented_zh_names"]

_WORD_RE = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:['’][a-z]+)*(?![\w'’])")
_NAME_FLAGS = ("nr", "ns", "nt", "nz", "j")  # j: an abbreviation (俄 for Russia)


@cache
def _english() -> frozenset[str]:
    """English words (misaki's lexicons, which the English voice reads by already)."""
    words: set[str] = set()
    try:
        import misaki

        data = Path(misaki.__file__).parent / "data"
        for name in ("us_gold.json", "us_silver.json", "gb_gold.json"):
            words.update(w.casefold() for w in json.loads((data / name).read_text("utf-8")))
    except (ImportError, OSError, ValueError):  # no lexicon: judge on the source alone
        pass
    return frozenset(words)


def _is_name_span(source: str, tokens: list[tuple[int, int, str]],
                  span: tuple[int, int]) -> bool:
    """Every jieba token over ``span`` is tagged as a name (or an abbreviation), and a
    person's as ``find_names`` would take it (荣幸 is tagged nr, and is "an honour")."""
    over = [(source[a:b], flag) for a, b, flag in tokens if a < span[1] and b > span[0]]
    return bool(over) and all(
        f.startswith(_NAME_FLAGS) and (not f.startswith("nr") or f == "nrt"
                                       or is_person_here(source, w, f))
        for w, f in over)


def invented_names(
    source: str, out: str, names: Sequence[Name], glossary: Glossary | None = None
) -> list[Problem]:
    """Pinyin-looking names of English ``out`` that Chinese ``source`` does not have."""
    if not has_cjk(source):
        return []
    expected = {
        w.casefold().replace("’", "'")
        for n in names
        for t in (n.target, *n.also, *(w for part in n.parts for w in part))
        for w in re.findall(r"[A-Za-z'’]+", t)
    }
    expected |= {w.casefold() for n in latin_names(source) for w in n.split()}
    if glossary is not None:
        expected |= _glossary_words(glossary)
    english = _english()
    tokens: list[tuple[int, int, str]] | None = None
    problems: list[Problem] = []
    for word, syl in _candidates(out, expected, english):
        if any(p.wrote == word for p in problems):
            continue
        if tokens is None:
            tokens, at = [], 0
            for tok in jieba_posseg().cut(source):
                tokens.append((at, at + len(tok.word), tok.flag))
                at += len(tok.word)
        spans = spelt_in(source, syl)
        if any(_is_name_span(source, tokens, s) for s in spans):
            continue
        if not spans and _unrendered(source, tokens, names):
            continue  # 加沙 is "Gaza": a name left to the model may be spelt any way
        if spans:
            a, b = spans[0]
            word_at = next((source[x:y] for x, y, _ in tokens if x <= a and y >= b), source[a:b])
            why = (
                f'"{word}" reads as a name, but {source[a:b]} is no name here '
                f"({word_at}): check the sentence"
            )
        else:
            why = f'"{word}" reads as a Chinese name the source does not have: check it'
        # no item: like an invented figure, nothing of the source is missing; ``wrote``
        # is what the output has that it should not
        problems.append(Problem("name", "", why, word))
    return problems


def _candidates(out: str, expected: set[str],
                english: frozenset[str]) -> list[tuple[str, list[str]]]:
    """Words of ``out`` that read as a Chinese name, with their syllables: one word of two
    syllables or more ("Binbin"), or a run of one-syllable words ("Rong Xing" for 荣幸)."""
    found: list[tuple[str, list[str]]] = []
    run: list[tuple[str, str]] = []  # (word, its one syllable) of the current run
    end = -1

    def close() -> None:
        if len(run) >= 2:
            found.append((" ".join(w for w, _ in run), [s for _, s in run]))
        run.clear()

    for m in _WORD_RE.finditer(out):
        word = m.group(0)
        if out[end:m.start()] != " ":
            close()
        end = m.end()
        key = re.sub(r"'s$", "", word.casefold().replace("’", "'"))
        if _known(key, expected) or key in english:
            close()
            continue
        syl = pinyin_split(word)
        if syl and len(syl) == 1:
            run.append((word, syl[0]))
            continue
        close()
        if syl:
            found.append((word, syl))
    close()
    return found


def _unrendered(source: str, tokens: list[tuple[int, int, str]],
                names: Sequence[Name]) -> bool:
    """The source has a name that no fixed rendering covers (a foreign place or person in
    characters, left to the model), which a word that reads as pinyin may render."""
    covered = [n.source for n in names]
    return any(b - a >= 2 and flag.startswith(_NAME_FLAGS)
               and not any(source[a:b] in c or c in source[a:b] for c in covered)
               for a, b, flag in tokens)


def _known(key: str, expected: set[str]) -> bool:
    """An expected word, or one made from it: "Konger" of Hong Kong, "Shanghainese"."""
    if key in expected or key.replace("'", "") in expected:
        return True
    return any(
        key.endswith(suffix) and key[: -len(suffix)] in expected
        for suffix in ("ers", "er", "ese", "ian", "ans", "s")
    )


def _glossary_words(glossary: Glossary) -> frozenset[str]:
    return _words_of(tuple(glossary.en_terms()))


@cache
def _words_of(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        w.casefold().replace("’", "'") for t in terms for w in re.findall(r"[A-Za-z'’]+", t)
    )


def invented_zh_names(source: str, out: str, glossary: Glossary) -> list[Problem]:
    """Places and people of the glossary in Chinese ``out`` that English
    ``source`` does not name in any of its spellings: "Two More Baltic Countries Quit
    China-Led Forum" came out as 俄罗斯和波罗的海国家退出… ("Russia and the Baltic
    countries")."""
    problems: list[Problem] = []
    rest = out
    edges = {0} | {b for _, b in word_spans(out)}
    for term in glossary.zh_terms():
        if term not in rest:
            continue
        # as a word of its own: 国防部 inside 国防部长 ("Defense Secretary") is none
        whole = [i for i in range(len(rest)) if rest.startswith(term, i)
                 and i in edges and i + len(term) in edges]
        rest = rest.replace(term, "\u3000" * len(term))
        if not whole:
            continue
        hit = glossary.en(term)
        # places and people only: a body the model names for a general word ("government
        # statistics" as 统计局) is a fair reading, and its retry only made it worse
        if hit is None or glossary_kind(term) not in ("place", "person"):
            continue
        forms = [f.strip().removeprefix("the ") for f in hit[0].split("|") if f.strip()]
        if not any(re.search(rf"(?<![A-Za-z]){re.escape(f)}(?![a-z])", source, re.IGNORECASE)
                   for f in forms):
            problems.append(Problem("name", "", f'"{term}" ({forms[0]}) is in the zh text but '
                                    "not in the source: check it", term))
    return problems
