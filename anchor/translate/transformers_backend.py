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
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import BackendUnavailable, ConfigError
from ..models import Lang
from ..text import parse_bool
from .llama import chat_messages

__all__ = ["MT_MODEL_ENV", "Pretrained", "TransformersTranslator", "load_pretrained"]

log = logging.getLogger(__name__)

MT_MODEL_ENV = "ANCHOR_MT_MODEL"
_LOCK = threading.RLock()
_LOADED: dict[str, Pretrained] = {}

# Language tokens of the multilingual families, tried in this order.
_LANG_CODES: tuple[dict[str, str], ...] = (
    {"zh": "zho_Hans", "en": "eng_Latn"},  # NLLB
    {"zh": "zh_CN", "en": "en_XX"},  # mBART-50
    {"zh": "__zh__", "en": "__en__"},  # M2M100
)
_MARIAN_TARGET = {"zh": (">>cmn_Hans<<", ">>zho_Hans<<", ">>zho<<", ">>cmn<<"), "en": (">>eng<<",)}


@dataclass(frozen=True, slots=True)
class Pretrained:
    """A loaded tokenizer + model pair."""

    ref: str
    tokenizer: Any
    model: Any
    causal: bool  # a decoder-only LM prompted with instructions, not a seq2seq model


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP probe, so an offline machine fails in seconds instead of after
    the hub client's ~25 s of retries."""
    if parse_bool(os.environ.get("HF_HUB_OFFLINE", ""), default=False):
        return False
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    url = urlparse(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def _looks_like_path(ref: str) -> bool:
    # hub ids are "name" or "owner/name"; anything else is meant as a folder
    return ref.startswith((".", "/", "~", "\\")) or ref.count("/") > 1 or "\\" in ref


def load_pretrained(ref: str, *, purpose: str, env: str) -> Pretrained:
    """Load tokenizer and model from a local folder or a hub id (once per process).

    Raises ``BackendUnavailable`` with a one-line message when torch/transformers
    are missing, the folder does not exist, or the hub cannot be reached.
    """
    with _LOCK:
        if ref in _LOADED:
            return _LOADED[ref]
        try:
            import transformers
        except ImportError as exc:
            raise BackendUnavailable(
                f"{purpose}: transformers/torch are not installed",
                hint="pip install 'anchor-news[torch]'",
            ) from exc
        local = Path(ref).expanduser()
        if local.is_dir():
            source, kwargs = str(local), {"local_files_only": True}
        elif _looks_like_path(ref):
            raise BackendUnavailable(f"{purpose}: model folder {ref} does not exist",
                                     hint=f"set {env} to a folder holding config.json")
        else:
            source, kwargs = ref, {}
            if not _hub_reachable():
                kwargs = {"local_files_only": True}  # a model cached earlier still works
        try:
            config = transformers.AutoConfig.from_pretrained(source, **kwargs)
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
            causal = not getattr(config, "is_encoder_decoder", False)
            auto = transformers.AutoModelForCausalLM if causal else \
                transformers.AutoModelForSeq2SeqLM
            model = auto.from_pretrained(source, **kwargs)
        except (OSError, ValueError, KeyError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            offline = kwargs.get("local_files_only") and not local.is_dir()
            raise BackendUnavailable(
                f"{purpose}: cannot load {ref!r}"
                + (" (model hub unreachable and no cached copy)" if offline else f": {first}"),
                hint=f"download the model on a connected machine and set {env} to its folder",
            ) from exc
        model.eval()
        log.info("%s: loaded %s (%s)", purpose, ref, "causal LM" if causal else "seq2seq")
        loaded = Pretrained(ref=ref, tokenizer=tokenizer, model=model, causal=causal)
        _LOADED[ref] = loaded
        return loaded


def generate(pre: Pretrained, prompt: str | list[dict[str, str]], *, max_new_tokens: int,
             forced_bos: int | None = None, src_lang: str | None = None) -> str:
    """Greedy generation (deterministic); returns only the new text. A causal model
    takes chat messages (rendered with its chat template, or as plain text when it
    has none); a seq2seq model takes the text itself."""
    import torch

    tok, model = pre.tokenizer, pre.model
    if isinstance(prompt, list):
        if getattr(tok, "chat_template", None):
            text = str(tok.apply_chat_template(prompt, tokenize=False,
                                               add_generation_prompt=True))
        else:
            text = "\n\n".join(m["content"] for m in prompt) + "\n\n"
    else:
        text = prompt
    if src_lang is not None and hasattr(tok, "src_lang"):
        tok.src_lang = src_lang
    max_len = getattr(tok, "model_max_length", 1024)
    inputs = tok(text, return_tensors="pt", truncation=True,
                 max_length=min(int(max_len), 4096))
    extra: dict[str, Any] = {}
    if forced_bos is not None:
        extra["forced_bos_token_id"] = forced_bos
    if tok.pad_token_id is None and tok.eos_token_id is not None:
        extra["pad_token_id"] = tok.eos_token_id
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                             num_beams=1, **extra)
    new = out[0][inputs["input_ids"].shape[1]:] if pre.causal else out[0]
    return str(tok.decode(new, skip_special_tokens=True)).strip()


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
        ref = os.environ.get(f"{MT_MODEL_ENV}_{source.upper()}_{target.upper()}") or \
            os.environ.get(MT_MODEL_ENV, "")
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
        with _LOCK:  # one generate at a time: torch already uses every core
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
