"""Transformers models, from a local folder or the Hugging Face hub, loaded once per process.

The transformers translation backend and the abstractive summariser both load their models
here, so neither imports the other's package. Needs the optional ``torch`` extra; an
unreachable hub or a missing folder is a one-line ``BackendUnavailable``.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from anchor.core import env
from anchor.core.errors import BackendUnavailable

__all__ = ["LOCK", "Pretrained", "generate", "load_pretrained"]

log = logging.getLogger(__name__)

LOCK = threading.RLock()  # one load or generate at a time: torch already uses every core
_LOADED: dict[str, Pretrained] = {}


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
    if env.hf_offline():
        return False
    endpoint = env.hf_endpoint()
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
    with LOCK:
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
