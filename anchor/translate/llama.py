"""Offline translation with a small instruct LLM (GGUF) through llama-cpp-python.

The model is loaded once per process (~2-4 s, ~1.8 GB) and shared: one lock
guards loading and every completion, because a ``Llama`` object is not safe to
use from two threads at once. Sentences go one at a time with the headline as
short context; long prompts are what makes a small model slow on a CPU.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import threading
from pathlib import Path
from typing import Any

from anchor.core.errors import BackendUnavailable, ModelError
from anchor.core.values import Lang

__all__ = ["LlamaTranslator", "chat_messages", "system_prompt"]

log = logging.getLogger(__name__)

_LOCK = threading.RLock()
_LOADED: dict[Path, Any] = {}  # model path → Llama


def system_prompt(source: Lang, target: Lang, *, title: bool = False) -> str:
    """The instruction for one direction. Shared with the transformers chat models."""
    if target == "en":
        lines = [
            "You are a professional news translator. Translate the user's Chinese text "
            "into natural, fluent broadcast English.",
            "Keep every number, date, percentage and name exactly as in the source. "
            "Write Chinese names in pinyin; write no Chinese characters.",
            "Output only the translation, nothing else.",
        ]
        # No "headline style" line for titles: the 1.5B model echoed it as the headline
        # ("Keep it short, in headline style."); titles are shortened by measure instead.
        return "\n".join(lines)
    # A Chinese instruction makes a small model answer in Chinese more reliably.
    lines = [
        "你是专业的新闻翻译。把用户给出的英文译成通顺的简体中文新闻播报稿。",
        "原文里的每个数字、日期、时间、星期、百分比和名称都必须保留。",
        "只输出译文，不要解释。",
    ]
    return "\n".join(lines)


def chat_messages(text: str, source: Lang, target: Lang, *, title: bool = False,
                  example: tuple[str, str] | None = None, previous: str = "",
                  correction: str = "") -> list[dict[str, str]]:
    """The conversation for one sentence.

    The headline and its translation go first as an earlier exchange: that gives
    the topic and its terms without the model treating the headline as part of
    the sentence (put into the system prompt, a 1.5B model translated it into the
    sentence). A retry continues the conversation: the first attempt, then a
    correction naming what it lost, which a small model follows far better than a
    stricter system prompt.
    """
    messages = [{"role": "system", "content": system_prompt(source, target, title=title)}]
    # a retry leaves the headline out: after a correction the 1.5B model sometimes
    # answered with the headline's translation instead of the sentence's
    retry = bool(previous and correction)
    if example and example[0].strip() and example[1].strip() and not title and not retry:
        messages += [{"role": "user", "content": example[0]},
                     {"role": "assistant", "content": example[1]}]
    messages.append({"role": "user", "content": text})
    if retry:
        messages += [{"role": "assistant", "content": previous},
                     {"role": "user", "content": correction}]
    return messages


class LlamaTranslator:
    """Qwen2.5-Coder-1.5B-Instruct Q4_K_M through llama.cpp (the offline default)."""

    name = "llama"

    def __init__(self, model_path: Path | None = None, *, n_ctx: int = 2048,
                 n_threads: int = 2) -> None:
        self._path = model_path
        self._custom = model_path is not None  # else the pinned default, found on first use
        self._n_ctx = n_ctx
        self._n_threads = n_threads

    @staticmethod
    def available() -> bool:
        return importlib.util.find_spec("llama_cpp") is not None

    def model_name(self) -> str:
        return (self._path.name if self._path else "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")

    def steerable(self, source: Lang, target: Lang) -> bool:
        return True  # an instruct model follows "the translation must contain ..."

    def fingerprint(self) -> str:
        """The GGUF by its pinned sha256 (the default model) or by path, size and time."""
        if not self._custom or self._path is None:
            from anchor.assets.model_store import pinned_sha256  # deferred, as in _default_model

            return f"llama:llm:{pinned_sha256('llm')}"
        stat = self._path.stat() if self._path.exists() else None
        return (f"llama:{self._path}:{stat.st_size}:{stat.st_mtime_ns}" if stat
                else f"llama:{self._path}")

    def translate(self, text: str, source: Lang, target: Lang, *, title: bool = False,
                  example: tuple[str, str] | None = None, previous: str = "",
                  correction: str = "") -> str:
        messages = chat_messages(text, source, target, title=title, example=example,
                                 previous=previous, correction=correction)
        # Room for a faithful translation (English needs at most ~2 tokens per
        # Chinese character) but not for a runaway answer.
        max_tokens = min(512, 48 + 3 * len(text))
        with _LOCK:
            llm = self._load()
            reply = llm.create_chat_completion(messages=messages, temperature=0,
                                               max_tokens=max_tokens)
        return str(reply["choices"][0]["message"]["content"] or "")

    def _load(self) -> Any:
        with _LOCK:
            path = self._path or _default_model()
            self._path = path
            if path in _LOADED:
                return _LOADED[path]
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise BackendUnavailable(
                    "llama-cpp-python is not installed",
                    hint="pip install llama-cpp-python==0.3.36 (compiles once, 8-16 min)",
                ) from exc
            log.info("loading %s with llama.cpp", path.name)
            try:
                llm = Llama(model_path=str(path), n_ctx=self._n_ctx, n_threads=self._n_threads,
                            verbose=False, seed=0)
            except (ValueError, RuntimeError) as exc:
                raise ModelError(f"llama.cpp could not load {path.name}: {exc}",
                                 hint="run `anchor models fetch llm` to fetch it again") from exc
            if not _LOADED:
                atexit.register(close_all)
            _LOADED[path] = llm
            return llm


def close_all() -> None:
    """Free every loaded model; the next translation loads it again. Also run at exit:
    left to Llama.__del__ at shutdown, llama-cpp-python 0.3.36 prints a TypeError from
    half-torn-down globals."""
    with _LOCK:
        for llm in _LOADED.values():
            llm.close()
        _LOADED.clear()


def _default_model() -> Path:
    # deferred: modelstore is needed only once a model loads
    from anchor.assets.model_store import ensure

    return ensure("llm")
