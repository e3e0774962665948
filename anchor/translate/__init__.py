"""Translate a summary into the bilingual script: Chinese ↔ English, sentence by sentence.

Every translated sentence is checked against its source (figures, dates, names,
script, length, see ``checks``). On a problem a chat backend gets one more try:
its first answer is followed by a correction naming what went missing ("it must
contain "297 million" (for "2.97亿")"). If that also falls short the better
attempt is kept and the problems become warnings on the segment, so a reporter
sees them before the render. Nothing is ever filled in by us; only Chinese
characters left in English are romanised to pinyin, and that is said too.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from anchor.core import env
from anchor.core.errors import BackendUnavailable, ConfigError
from anchor.core.values import Lang, Script, Segment, Summary
from anchor.language.figures import rewrite
from anchor.language.glossary import Glossary, load_glossary
from anchor.language.names import (
    Name,
    find_names,
    looks_like_name,
    pinyin_word,
    render_name,
    title_names,
)
from anchor.language.text import HAN, has_cjk, to_simplified, to_traditional

from . import llama
from .affiliation import affiliation_problems
from .checks import (
    Problem,
    check_translation,
    leak_problems,
    mixed_script,
    name_problems,
    problem_weight,
    target_form,
)
from .headline import Measure, fit_headline, fits, says_nothing
from .invented import invented_names, invented_zh_names
from .llama import LlamaTranslator
from .meaning import meaning_problems
from .transformers_backend import MT_MODEL_ENV, TransformersTranslator

__all__ = [
    "BACKENDS",
    "Translation",
    "Translator",
    "clean_output",
    "correction_prompt",
    "fact_problems",
    "get_backend",
    "prepare_source",
    "release_models",
    "shorter_headline",
    "translate",
    "translate_text",
]

log = logging.getLogger(__name__)

VARIANTS = ("Hans", "Hant")


class Translator(Protocol):
    name: str

    def available(self) -> bool: ...

    def model_name(self) -> str: ...

    def steerable(self, source: Lang, target: Lang) -> bool:
        """Whether a retry with a correction can change the result (a chat model
        can, a deterministic seq2seq model cannot)."""
        ...

    def translate(self, text: str, source: Lang, target: Lang, *, title: bool = False,
                  example: tuple[str, str] | None = None, previous: str = "",
                  correction: str = "") -> str:
        """``example``: the headline and its translation, as context; ``previous`` and
        ``correction``: a failed attempt and what is wrong with it, for a retry."""
        ...


BACKENDS: dict[str, type[Translator]] = {
    "transformers": TransformersTranslator,
    "llama": LlamaTranslator,
}

# One instance per backend name: the models behind them are loaded once anyway,
# and keeping the instance keeps the resolved model path.
_INSTANCES: dict[str, Translator] = {}


def get_backend(name: str = "auto") -> Translator:
    """The backend called ``name``; ``auto`` is transformers when a model is configured
    in ``ANCHOR_MT_MODEL``, else llama.cpp."""
    if name == "auto":
        configured = env.mt_model("zh", "en") or env.mt_model("en", "zh")
        if configured and TransformersTranslator.available():
            name = "transformers"
        elif LlamaTranslator.available():
            name = "llama"
        else:
            raise BackendUnavailable(
                "no translation backend can run here",
                hint=f"install llama-cpp-python, or set {MT_MODEL_ENV} to a transformers model",
            )
        log.info("translation backend: %s", name)
    if name not in BACKENDS:
        raise ConfigError(f"unknown translation backend {name!r}",
                          hint=f"choose one of: auto, {', '.join(BACKENDS)}")
    if name not in _INSTANCES:
        _INSTANCES[name] = BACKENDS[name]()
    backend = _INSTANCES[name]
    if not backend.available():
        raise BackendUnavailable(f"translation backend {name!r} cannot run here",
                                 hint="see `anchor doctor` for what is missing")
    return backend


def release_models() -> None:
    """Free the loaded translation models (llama.cpp keeps ~1.8 GB resident), so they do
    not sit beside the speech models for the rest of a run."""
    llama.close_all()


def translate(summary: Summary, zh_variant: str = "Hans", backend: str = "auto", *,
              glossary: Glossary | None = None, fidelity: bool = True) -> Script:
    """The bilingual script of ``summary``: Chinese sources are translated into
    English, English sources into Chinese; the Chinese side is written in
    ``zh_variant`` ("Hans" Simplified or "Hant" Traditional).

    Names are rendered from ``glossary`` (the base glossary when None) and figures are
    written the target's way before the model sees a sentence; ``fidelity=False``
    leaves the sentence as it is (the old path, kept for comparison: the checks run
    either way). A sentence the checks still fault after a retry is marked for review.
    A sentence mixing both languages is translated into both, so neither script keeps
    the other's clauses."""
    if zh_variant not in VARIANTS:
        raise ConfigError(f"unknown Chinese variant {zh_variant!r}", hint="use Hans or Hant")
    engine = get_backend(backend)
    src: Lang = summary.language
    dst: Lang = "en" if src == "zh" else "zh"
    conv = _hant if zh_variant == "Hant" else to_simplified
    # The model reads Simplified best; the source's script is restored for display.
    prep = to_simplified if src == "zh" else (lambda s: s)

    if glossary is None:
        glossary = load_glossary()
    gl = glossary if fidelity else Glossary()

    def both(text: str, names: Sequence[Name] | None = None,
             **kw: object) -> tuple[str, str, tuple[Problem, ...], int]:
        """(zh, en, problems, attempts) of one source text."""
        got = translate_text(engine, prep(text), src, dst, glossary=gl, fidelity=fidelity,
                             names=names, **kw)  # type: ignore[arg-type]
        own, problems, attempts = text, got.problems, got.attempts
        if fidelity and mixed_script(text, src):
            # "他说 this is a step": the source side is translated too, into its own language
            again = translate_text(engine, prep(text), dst, src, glossary=gl,
                                   fidelity=fidelity, **kw)  # type: ignore[arg-type]
            own, problems = again.text, problems + again.problems
            attempts += again.attempts
        return ((conv(own), got.text) if src == "zh" else (conv(got.text), own)) + (
            problems, attempts)

    # a Title Case English headline: its names are those of the story, not every word
    title_names_ = title_names(prep(summary.title), src, gl,
                               [prep(t) for t in summary.sentences])
    title_zh, title_en, title_problems, _ = both(summary.title, title=True,
                                                 names=title_names_ if fidelity else None)
    if fidelity and summary.title.strip():  # a translated headline too long for the screen:
        long = title_en if src == "zh" else title_zh  # ask for a shorter one before cutting
        short, short_problems = shorter_headline(engine, prep(summary.title), long, src, dst,
                                                 gl, title_problems, names=title_names_)
        if short != long:
            title_problems = short_problems
            if src == "zh":
                title_en = short
            else:
                title_zh = conv(short)
    if fidelity:  # short enough for the lower third, never cut inside a name or word
        fixed = [n.target for n in title_names_] + [n.source for n in title_names_]
        full = (title_zh, title_en)
        title_zh, title_en = fit_headline(title_zh, fixed), fit_headline(title_en, fixed)
        # a cut may leave out a name or figure the full headline had: that is flagged too
        cut = title_en if src == "zh" else title_zh
        if cut and summary.title.strip():
            seen = {str(p) for p in title_problems}
            lost = [p for p in fact_problems(prep(summary.title), cut, src, dst, title_names_, gl)
                    if p.kind in ("number", "date", "name") and str(p) not in seen]
            title_problems = tuple(title_problems) + tuple(lost)
        title_problems = tuple(title_problems) + tuple(
            Problem("length", "", f'the headline had to be cut to "{head}", which names but '
                    "says no news: write a shorter one")
            for head, whole in zip((title_zh, title_en), full, strict=True)
            if head != whole and says_nothing(head, fixed))
    for p in title_problems:
        log.warning("title: %s", p)
    example = (prep(summary.title), title_en if src == "zh" else title_zh) \
        if (title_en if src == "zh" else title_zh) else None

    segments = []
    for i, sentence in enumerate(summary.sentences):
        zh, en, problems, attempts = both(sentence, example=example)
        # warnings quote the source in the script's own characters (6號, not 6号)
        shown = tuple(conv(str(p)) if src == "zh" else str(p) for p in problems)
        segments.append(Segment(index=i, zh=zh, en=en, warnings=shown, review=bool(problems)))
        if attempts > 1:
            log.info("sentence %d needed a retry; %d warning(s) left", i + 1, len(problems))
    return Script(
        title_zh=title_zh,
        title_en=title_en,
        source_language=src,
        zh_variant=zh_variant,
        segments=tuple(segments),
        backend=f"{engine.name}:{engine.model_name()}",
        title_warnings=tuple(map(str, title_problems)),
        glossary=glossary.files,
    )


def shorter_headline(engine: Translator, source_title: str, long: str, source: Lang,
                     target: Lang, glossary: Glossary, problems: Sequence[Problem] = (),
                     measure: Measure | None = None, names: Sequence[Name] | None = None,
                     ) -> tuple[str, tuple[Problem, ...]]:
    """A translated headline that does not fit the lower third is asked for once more,
    shorter, as a correction (the model follows those): cutting "Digital reporter enters
    county-level media center" at a word leaves "... enters county-level". The shorter
    one is kept only when it fits and passes the same checks at least as well; else
    ``long`` stays, to be cut at a clause or word boundary by ``fit_headline``."""
    if not long or fits(long, measure) or not engine.steerable(source, target):
        return long, tuple(problems)
    limit = len(fit_headline(long, measure=measure))
    if names is None:
        names = find_names(source_title, source, glossary)
    unit = "characters" if target == "en" else "个字"
    correction = (f"That headline is too long for the screen. Shorten it to at most {limit} "
                  f"{unit} by leaving words out, keeping every name and number and adding "
                  "nothing. Output only the headline.") if target == "en" else (
                  f"标题太长。请删去一些字词，把它缩短到不超过{limit}{unit}，保留所有名称和数字，"
                  "不要添加内容。只输出标题。")
    try:
        raw = engine.translate(prepare_source(source_title, source, target, names), source,
                               target, title=True, previous=long, correction=correction)
    except Exception as exc:  # keep the long one; it is cut by measure instead
        log.info("no shorter headline: %s", exc)
        return long, tuple(problems)
    short = clean_output(raw, target, source=source_title).rstrip("。.")
    found = fact_problems(source_title, short, source, target, names, glossary)
    if short and fits(short, measure) and _shortened(short, long, target) and \
            problem_weight(found) <= problem_weight(list(problems)):
        return short, tuple(found)
    return long, tuple(problems)


_STOP = frozenset("a an the of in on at to for with and or but as by from into is are was "
                  "were be its it that this their his her has have had will".split())


def _content(text: str) -> list[str]:
    return [w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP]


def _shortened(short: str, long: str, target: Lang) -> bool:
    """Whether ``short`` is ``long`` shortened rather than another headline: its words
    are (nearly all) words of ``long``. Asked to shorten "China is the third-largest
    economy in the world", the 1.5B model once answered "China's GDP surpasses that of
    the US", which no figure or name check catches."""
    if target == "zh":
        han = [c for c in short if has_cjk(c)]
        return not han or sum(c in long for c in han) >= 0.8 * len(han)
    words, have = _content(short), set(_content(long))
    new = [w for w in words if w not in have]
    return len(new) <= 1 and len(new) * 3 <= len(words)


def _hant(s: str) -> str:
    # Text already in Traditional stays as written: s2t would still rewrite some
    # characters (台 → 臺) that Traditional writers use as they are.
    return s if to_simplified(s) != s else to_traditional(s)


@dataclass(frozen=True, slots=True)
class Translation:
    """The kept attempt for one sentence and what is still wrong with it."""

    text: str
    problems: tuple[Problem, ...]
    attempts: int


def fact_problems(text: str, out: str, source: Lang, target: Lang, names: Sequence[Name],
                  glossary: Glossary | None) -> list[Problem]:
    """What every generated text is checked for, sentence or headline: figures, script
    and length, the source's names as rendered, leaked instructions; with a glossary (the
    fidelity checks on) also names the source does not have and people tied to another's
    party or body."""
    found = (check_translation(text, out, source, target)
             + name_problems(names, out, target) + leak_problems(out, text))
    if glossary is not None and source == "en" and target == "zh":
        found += invented_zh_names(text, out, glossary)
    if glossary is not None and source == "zh" and target == "en":
        # a misspelling of a missing name ("Liangfan" for Lifan) is said once, by the
        # missing name's problem; a different name in its place (Keqiang for Wang Yi) is not
        meant = [w.lower() for p in found if p.kind == "name" and p.item
                 for w in p.wrote.split()]
        found += [p for p in invented_names(text, out, names, glossary)
                  if not any(difflib.SequenceMatcher(None, p.wrote.lower(), w).ratio() >= 0.6
                             for w in meant)]
        found += affiliation_problems(text, out, names)
    return found


def prepare_source(text: str, source: Lang, target: Lang, names: Sequence[Name]) -> str:
    """What the model reads: ``text`` with its names already in their fixed rendering
    and its figures written the target's way (43亿元 → "4.3 billion yuan"), so the
    model copies them instead of guessing."""
    out = text
    for n in sorted(names, key=lambda n: len(n.source), reverse=True):
        if n.target != n.source and n.origin != "unsure":
            pad = " " if target == "en" else ""
            out = out.replace(n.source, pad + n.target + pad)
    out = rewrite(out, target)
    return re.sub(r" {2,}", " ", out).strip()


def translate_text(engine: Translator, text: str, source: Lang, target: Lang, *,
                   title: bool = False, example: tuple[str, str] | None = None,
                   glossary: Glossary | None = None, fidelity: bool = True,
                   names: Sequence[Name] | None = None) -> Translation:
    """Translate one sentence, check it, retry once with a correction if needed, and
    keep the better attempt. ``names``: the text's names when the caller knows them
    better than ``find_names`` (a headline's, see ``names.title_names``)."""
    if not text.strip():
        return Translation("", (), 0)
    if names is None:
        names = find_names(text, source, glossary) if fidelity and glossary is not None else []
    model_in = prepare_source(text, source, target, names) if fidelity else text

    def check(out: str) -> list[Problem]:
        found = fact_problems(text, out, source, target, names,
                              glossary if fidelity else None)
        if fidelity and not title:  # e5, not the translating model, judges the meaning
            found += meaning_problems(text, out, target)
        return found

    first = clean_output(engine.translate(model_in, source, target, title=title,
                                          example=example), target, source=text)
    problems = check(first)
    if not problems or not engine.steerable(source, target):
        return _leftovers(engine, Translation(first, tuple(problems), 1), target, glossary)
    log.info("retrying %r: %s", text[:40], "; ".join(map(str, problems)))
    second = clean_output(
        engine.translate(model_in, source, target, title=title, example=example,
                         previous=first, correction=correction_prompt(problems, target)),
        target, source=text,
    )
    problems2 = check(second)
    # on a tie keep the first attempt: the plain prompt reads more naturally
    if problem_weight(problems2) < problem_weight(problems):
        return _leftovers(engine, Translation(second, tuple(problems2), 2), target, glossary)
    return _leftovers(engine, Translation(first, tuple(problems), 2), target, glossary)


def _leftovers(engine: Translator, got: Translation, target: Lang,
               glossary: Glossary | None) -> Translation:
    """Chinese characters still in English output: an English voice cannot read them
    and captions would mix scripts. A name becomes pinyin ("章立凡" → "Zhang Lifan"
    style, "备案" → "Bei'an" only when it looks like a name); a common word ("短视频") is
    looked up in the glossary or translated on its own, in a short call, since spelling
    it in pinyin ("Duanshipin") reads as a name that does not exist. The warning stays,
    saying what was done, so the sentence is still marked for review."""
    if target != "en" or not has_cjk(got.text):
        return got
    done: list[str] = []

    def replace(m: re.Match[str]) -> str:
        run = m.group(0)
        hit = glossary.en(run) if glossary is not None else None
        word = hit[0].split("|")[0] if hit else ""
        how = "glossary"
        # a single character is a fragment (谢 and 廷 of 谢长廷 split by the model), not a
        # word to translate: "thank you ... palace"
        if not word and len(run) > 1 and not looks_like_name(run):
            word, how = _word_alone(engine, run), "translated alone"
        if not word:
            person = render_name(run, "person", glossary or Glossary())
            word, how = (person.target if person else pinyin_word(run)), "romanised"
        if how == "translated alone" and m.start() > 0:
            word = word[:1].lower() + word[1:] if word[1:2].islower() else word
        done.append(f'{how} "{run}" as "{word}"')
        return (" " if m.start() and got.text[m.start() - 1].isalnum() else "") + word + (
            " " if m.end() < len(got.text) and got.text[m.end()].isalnum() else "")

    text = re.sub(r" {2,}", " ", _HAN_RUN_RE.sub(replace, got.text))
    problems = tuple(
        Problem(p.kind, p.item, f"{p.message}; {', '.join(done)}")
        if p.kind == "script" else p
        for p in got.problems
    )
    return Translation(text, problems, got.attempts)


def _word_alone(engine: Translator, run: str) -> str:
    """``run`` (a common word the model left in Chinese) translated by itself: a small
    model that keeps 短视频 inside a sentence translates it alone ("short video").
    Empty when the answer is not a few plain English words."""
    try:
        raw = engine.translate(run, "zh", "en", title=True)
    except Exception as exc:  # the leftover is then romanised, and flagged either way
        log.info("could not translate %r alone: %s", run, exc)
        return ""
    word = clean_output(raw, "en", source=run).strip(" .\"'")
    if not word or has_cjk(word) or len(word.split()) > 4 or not re.fullmatch(r"[\w' -]+", word):
        return ""
    # an answer that only spells the characters ("bingbing" for 彬彬) is no translation
    spelt = pinyin_word(run).lower().replace("'", "")
    if difflib.SequenceMatcher(None, word.lower().replace(" ", ""), spelt).ratio() >= 0.75:
        return ""
    return word


def correction_prompt(problems: Sequence[Problem], target: Lang) -> str:
    """The follow-up message of a retry: what the first attempt lost, with the
    item written the way the target language writes it where that differs
    ("2.97亿" → "297 million", "Thursday" → "星期四")."""
    must: list[str] = []
    other: list[str] = []
    for p in problems:
        if p.kind == "name" and not p.item and p.wrote:
            other.append(f'"{p.wrote}" is no name in the source: translate what it stands '
                         "for.")
        elif p.kind == "name" and p.wrote:
            must.append(f'"{p.wrote}" (for "{p.item}")')
        elif p.kind in ("number", "date") and not p.item and p.wrote:
            other.append(f'Remove "{p.wrote}": the source does not say it.')
        elif p.kind == "affiliation":
            other.append(f"Keep each person with their own party or body: {p.wrote}.")
        elif p.kind == "leak":
            other.append("Output only the translation, with no label, note or quotes.")
        elif p.kind in ("number", "date", "name"):
            hint = target_form(p.item, target)
            must.append(f'"{hint}" (for "{p.item}")' if hint and hint != p.item
                        else f'"{p.item}"')
        elif p.kind == "script" and target == "en":
            other.append(f"It still contains Chinese characters ({p.item}): translate them "
                         "into English.")
        elif p.kind == "script" and p.item:
            other.append(f"It still contains English ({p.item}): write it in Chinese.")
        elif p.kind == "script":
            other.append("It must be written in Simplified Chinese.")
        else:  # empty, or far too short or long
            other.append("Translate the whole sentence completely, adding nothing.")
    parts = ["Your translation is wrong."]
    if must:
        parts.append("It must contain " + ", ".join(must) + ".")
    parts += other
    parts.append("Output only the corrected translation.")
    return " ".join(parts)


_HAN_RUN_RE = re.compile(f"[{HAN}]+")
_LABEL_RE = re.compile(r"^(?:translation|english|chinese|译文|翻译|中文|英文)\s*[:：]\s*",
                       re.IGNORECASE)
_QUOTE_PAIRS = (('"', '"'), ("“", "”"), ("「", "」"), ("'", "'"))
_QUOTES = {a for a, _ in _QUOTE_PAIRS}
_NOTE_RE = re.compile(r"^\(?(?:note|注|注意|说明|說明)\b", re.IGNORECASE)
_EN_PUNCT = str.maketrans({"，": ", ", "。": ". ", "：": ": ", "；": "; ", "！": "! ",
                           "？": "? ", "（": " (", "）": ") ", "「": '"', "」": '"',
                           "『": '"', "』": '"', "、": ", ", "《": '"', "》": '"'})


def clean_output(raw: str, target: Lang, source: str = "") -> str:
    """Strip what chat models add around a translation: labels, notes, wrapping
    quotes the source did not have, extra lines. English gets ASCII punctuation."""
    lines = [ln.strip() for ln in raw.strip().splitlines() if ln.strip()]
    lines = [_LABEL_RE.sub("", ln) for ln in lines if not _NOTE_RE.match(ln)]
    text = " ".join(ln for ln in lines if ln)
    quoted = source.strip()[:1] in _QUOTES
    for a, b in _QUOTE_PAIRS:
        inner = text[1:-1]
        if not quoted and len(text) > 2 and text[0] == a and text[-1] == b \
                and a not in inner and b not in inner:
            text = inner.strip()
    if target == "en":
        text = text.translate(_EN_PUNCT)
        text = re.sub(r"\s{2,}", " ", text)
        text = re.sub(r"\s+([,.;:!?)])", r"\1", text).strip()
    return text
