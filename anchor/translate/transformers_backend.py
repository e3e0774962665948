"""Translation with a transformers model: Marian, NLLB, M2M100, mBART or a chat LM.

Configured by ``ANCHOR_MT_MODEL`` (a local folder or a hub id, used for both
directions); ``ANCHOR_MT_MODEL_ZH_EN`` / ``ANCHOR_MT_MODEL_EN_ZH`` override one
direction, for one-pair models such as Helsinki-NLP/opus-mt-zh-en. Needs the
optional ``torch`` extra. ``load_pretrained`` is also what the abstractive
summariser uses to load its model.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

from anchor.assets.hf_models import LOCK, Pretrained, generate, load_pretrained
from anchor.core import env
from anchor.core.errors import ConfigError
from anchor.core.values import Lang

from .llama import chat_messages

__all__ = ["MT_MODEL_ENV", "TransformersTranslator", "load_pretrained"]

log = logging.getLogger(__name__)

MT_MODEL_ENV = env.MT_MODEL

# Language tokens of the multilingual families, tried in this order.
_LANG_CODES: tuple[dict[str, str], ...] = (
    {"zh": "zho_Hans", "en": "eng_Latn"},  # NLLB
    {"zh": "zh_CN", "en": "en_XX"},  # mBART-50
    {"zh": "__zh__", "en": "__en__"},  # M2M100
)
_MARIAN_TARGET = {"zh": (">>cmn_Hans<<", ">>zho_Hans<<", ">>zho<<", ">>cmn<<"), "en": (">>eng<<",)}


class TransformersTranslator:
    """A transformers translation model; seq2seq MT models or chat LMs."""

    name = "transformers"

    def __init__(self, models: dict[tuple[Lang, Lang], str] | None = None) -> None:
        self._models = models  # explicit (source, target) → ref; else from the environment

    @staticmethod
    def available() -> bool:
        return all(importlib.util.find_spec(m) is not None for m in ("transformers", "torch"))

    def _ref(self, source: Lang, target: Lang) -> str:
        if self._models is not None and (source, target) in self._models:
            return self._models[(source, target)]
        ref = env.mt_model(source, target)
        if not ref:
            raise ConfigError(
                f"no transformers translation model configured for {source}→{target}",
                hint=f"set {MT_MODEL_ENV} to a local folder or a hub id "
                     "(e.g. facebook/nllb-200-distilled-600M)",
            )
        return ref

    def model_name(self) -> str:
        pairs: tuple[tuple[Lang, Lang], ...] = (("zh", "en"), ("en", "zh"))
        refs = {self._ref(s, t) for s, t in pairs if self._has_ref(s, t)}
        return "+".join(sorted(Path(r).name for r in refs)) or "unconfigured"

    def fingerprint(self) -> str:
        """The model of each direction, in full (two folders may share a base name)."""
        pairs: tuple[tuple[Lang, Lang], ...] = (("zh", "en"), ("en", "zh"))
        return "transformers:" + "|".join(
            f"{s}-{t}={self._ref(s, t) if self._has_ref(s, t) else ''}" for s, t in pairs)

    def _has_ref(self, source: Lang, target: Lang) -> bool:
        try:
            self._ref(source, target)
        except ConfigError:
            return False
        return True

    def steerable(self, source: Lang, target: Lang) -> bool:
        # greedy seq2seq output does not change with a stricter prompt: no retry
        return self._load(source, target).causal

    def _load(self, source: Lang, target: Lang) -> Pretrained:
        return load_pretrained(self._ref(source, target), purpose="translation",
                               env=MT_MODEL_ENV)

    def translate(self, text: str, source: Lang, target: Lang, *, title: bool = False,
                  example: tuple[str, str] | None = None, previous: str = "",
                  correction: str = "") -> str:
        pre = self._load(source, target)
        budget = 48 + 3 * len(text)
        with LOCK:  # one generate at a time: torch already uses every core
            if pre.causal:
                messages = chat_messages(text, source, target, title=title, example=example,
                                         previous=previous, correction=correction)
                return generate(pre, messages, max_new_tokens=budget)
            src_code, bos, prefix = _language_tokens(pre.tokenizer, source, target)
            return generate(pre, prefix + text, max_new_tokens=budget, forced_bos=bos,
                            src_lang=src_code)


def _language_tokens(tok: Any, source: Lang, target: Lang) -> tuple[str | None, int | None, str]:
    """(source language code, forced BOS id, text prefix) for multilingual models;
    nothing for a one-pair model such as opus-mt-zh-en."""
    vocab = tok.get_vocab()
    for codes in _LANG_CODES:
        if codes[target] in vocab:
            src = codes[source]
            if src.startswith("__"):  # M2M100's tokenizer wants "zh", not "__zh__"
                src = src.strip("_")
            return src, int(vocab[codes[target]]), ""
    for marker in _MARIAN_TARGET[target]:
        if marker in vocab:  # multi-target Marian: ">>cmn_Hans<< text"
            return None, None, marker + " "
    return None, None, ""
