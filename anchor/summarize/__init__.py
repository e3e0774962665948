"""Summarise an article into a few broadcast sentences, in the article's language.

Backends share one small protocol. ``auto`` uses a transformers model when one is
configured in ``ANCHOR_SUMMARY_MODEL`` (abstractive), else the offline default:
extractive ranking on multilingual sentence embeddings.
"""

from __future__ import annotations

import logging
from typing import Protocol

from anchor.core import env
from anchor.core.errors import BackendUnavailable, ConfigError
from anchor.core.values import Article, Summary

from .abstractive import AbstractiveSummarizer
from .extractive import ExtractiveSummarizer

__all__ = ["BACKENDS", "Summarizer", "get_backend", "summarize"]

log = logging.getLogger(__name__)


class Summarizer(Protocol):
    name: str

    def available(self) -> bool: ...

    def model_name(self) -> str: ...

    def summarize(self, article: Article, sentences: int) -> Summary: ...


BACKENDS: dict[str, type[Summarizer]] = {
    "transformers": AbstractiveSummarizer,
    "extractive": ExtractiveSummarizer,
}


def get_backend(name: str = "auto") -> Summarizer:
    if name == "auto":
        configured = bool(env.summary_model())
        name = "transformers" if configured and AbstractiveSummarizer.available() else "extractive"
        log.info("summary backend: %s", name)
    if name not in BACKENDS:
        raise ConfigError(f"unknown summary backend {name!r}",
                          hint=f"choose one of: auto, {', '.join(BACKENDS)}")
    backend = BACKENDS[name]()
    if not backend.available():
        raise BackendUnavailable(f"summary backend {name!r} cannot run here",
                                 hint="see `anchor doctor` for what is missing")
    return backend


def summarize(article: Article, sentences: int, backend: str = "auto") -> Summary:
    """The ``sentences`` most newsworthy sentences of ``article`` (or a model's
    summary of that length), in the article's language and order."""
    return get_backend(backend).summarize(article, sentences)
