"""Abstractive summary with a transformers model (seq2seq such as mT5/BART, or a chat LM).

Configured by ``ANCHOR_SUMMARY_MODEL``: a local folder or a hub id. Loading goes
through the same ``hf_models.load_pretrained`` as the transformers translation backend,
so an unreachable hub ends in a one-line ``BackendUnavailable``.
"""

from __future__ import annotations

import importlib.util
import logging
import os

from anchor.assets.hf_models import Pretrained, generate, load_pretrained
from anchor.core import env
from anchor.core.errors import ConfigError, InputError, ModelError
from anchor.core.values import Article, Summary
from anchor.language.text import extract_figures, split_sentences
from anchor.translate.headline import headline_from_sentence

from .extractive import summary_title

__all__ = ["SUMMARY_MODEL_ENV", "AbstractiveSummarizer"]

log = logging.getLogger(__name__)

SUMMARY_MODEL_ENV = env.SUMMARY_MODEL
_MAX_INPUT_CHARS = 6000  # beyond this, seq2seq encoders truncate anyway; news leads matter most


def _instruction(article: Article, sentences: int) -> str:
    if article.language == "zh":
        return f"用{sentences}句话概括下面的新闻，保留关键数字、日期和名称。只输出摘要。"
    return (f"Summarise the following news article in {sentences} sentences. Keep the key "
            "numbers, dates and names. Output only the summary.")


class AbstractiveSummarizer:
    """A transformers summariser; used when ``ANCHOR_SUMMARY_MODEL`` names a model."""

    name = "transformers"

    def __init__(self, model: str | None = None) -> None:
        self._ref = model

    @staticmethod
    def available() -> bool:
        return all(importlib.util.find_spec(m) is not None for m in ("transformers", "torch"))

    def ref(self) -> str:
        ref = self._ref or env.summary_model()
        if not ref:
            raise ConfigError("no abstractive summary model configured",
                              hint=f"set {SUMMARY_MODEL_ENV} to a local folder or a hub id")
        return ref

    def model_name(self) -> str:
        return os.path.basename(self.ref().rstrip("/\\"))

    def fingerprint(self) -> str:
        return f"transformers:{self.ref()}"

    def summarize(self, article: Article, sentences: int) -> Summary:
        if sentences < 1:
            raise InputError(f"a summary needs at least 1 sentence, not {sentences}")
        text = article.text.strip()[:_MAX_INPUT_CHARS]
        if not text:
            raise InputError("the article has no text to summarise")
        pre = load_pretrained(self.ref(), purpose="summary", env=SUMMARY_MODEL_ENV)
        raw = self._generate(pre, article, text, sentences)
        picked = tuple(split_sentences(raw)[:sentences])
        if not picked:
            raise ModelError(f"summary model {self.model_name()} produced no text",
                             hint="try another model, or the extractive backend")
        figures: list[str] = []
        for s in picked:
            figures += [f for f in extract_figures(s) if f not in figures]
        # no title line: the headline is written from the model's own summary
        title = summary_title(article) or headline_from_sentence(picked[0])
        return Summary(language=article.language, title=title,
                       sentences=picked, key_figures=tuple(figures),
                       backend=f"{self.name}:{self.model_name()}")

    def _generate(self, pre: Pretrained, article: Article, text: str, sentences: int) -> str:
        # ~60 tokens per spoken sentence is generous for both languages
        budget = 60 * sentences
        if pre.causal:
            messages = [{"role": "system", "content": _instruction(article, sentences)},
                        {"role": "user", "content": text}]
            return generate(pre, messages, max_new_tokens=budget)
        model_type = getattr(pre.model.config, "model_type", "")
        prefix = "summarize: " if model_type in ("t5", "mt5", "umt5") else ""
        return generate(pre, prefix + text, max_new_tokens=budget)
