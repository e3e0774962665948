"""Cache keys of the stages, derived from what actually makes each result.

A key is the hash of the stage's input, the settings that change its output, the backend
that will run (after ``auto`` is resolved) with its model's identity (the pinned sha256
of a model file, or a model reference), and the source code of the modules that shape
the result. Nobody bumps a version string by hand: an edit to the translation prompts or
the figure rewriting gives new script keys by itself, and a model configured through
``ANCHOR_MT_MODEL_ZH_EN`` is a different key from the default model.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from .cache import digest

__all__ = ["backend_identity", "code_fingerprint", "render_key", "script_key", "summary_key"]

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_fingerprint(*parts: str) -> str:
    """sha256 over the source of the named parts of the package: modules (``"figures"``)
    or subpackages (``"translate"``), their ``.py`` files and the data files beside them."""
    h = hashlib.sha256()
    for part in sorted(set(parts)):
        base = _PACKAGE / part
        if base.is_dir():
            files = sorted(f for f in base.rglob("*") if f.is_file() and (
                f.suffix in (".py", ".toml", ".json")) and "__pycache__" not in f.parts)
        else:
            files = [base.with_suffix(".py")]
        for f in files:
            h.update(str(f.relative_to(_PACKAGE)).encode() + b"\x00" + f.read_bytes() + b"\x00")
    return h.hexdigest()


def backend_identity(engine: Any) -> str:
    """What names a backend's output: its own ``fingerprint()`` (name, model, model hash)
    where it has one, else its name and model name."""
    if isinstance(engine, str):  # a backend that cannot run here
        return engine
    fingerprint = getattr(engine, "fingerprint", None)
    if callable(fingerprint):
        return str(fingerprint())
    return f"{engine.name}:{engine.model_name()}"


# The modules whose code shapes each stage's result.
SUMMARY_CODE = ("summarize", "ingest", "text", "figures")
SCRIPT_CODE = ("translate", "figures", "names", "glossary", "headline", "text", "data")


def summary_key(article_sha256: str, sentences: int, engine: Any) -> str:
    return digest(article_sha256, str(sentences), backend_identity(engine),
                  code_fingerprint(*SUMMARY_CODE))


def script_key(summary: Any, zh_variant: str, engine: Any, glossary_fingerprint: str) -> str:
    return digest(summary, zh_variant, backend_identity(engine), glossary_fingerprint,
                  code_fingerprint(*SCRIPT_CODE))


def render_key(*inputs: Any) -> str:
    """A finished folder is up to date when its inputs and the whole package's code are
    the same (any change to drawing, captions, audio or muxing re-renders)."""
    return digest(*inputs, code_fingerprint("."))
