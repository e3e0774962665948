"""Cache keys of the stages, derived from what actually makes each result.

A key is the hash of the stage's input, the settings that change its output, the backend
that will run (after ``auto`` is resolved) with its model's identity (the pinned sha256
of a model file, or a model reference), and the source code of the modules that shape
the result. Nobody bumps a version string by hand: an edit to the translation prompts or
the figure rewriting gives new script keys by itself, and a model configured through
``ANCHOR_MT_MODEL_ZH_EN`` is a different key from the default model.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path
from typing import Any

from .cache import digest

__all__ = ["backend_identity", "code_fingerprint", "render_key", "script_key", "stage_code",
           "summary_key"]

_PACKAGE = Path(__file__).resolve().parent.parent  # anchor/ (this is anchor/core)


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


@functools.cache
def stage_code(module: str) -> str:
    """``code_fingerprint`` of ``module`` (``"translate"``, ``"summarize"``) and of every
    module of the package it imports, directly or not, at any level (read with ``ast``,
    nothing is imported): an edit anywhere in the code that makes a stage's result gives
    that stage new keys, and an edit elsewhere does not."""
    return code_fingerprint(*sorted(_closure(module)))


def _module_file(name: str) -> Path | None:
    base = _PACKAGE.joinpath(*name.split(".")) if name else _PACKAGE
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return base.with_suffix(".py") if base.with_suffix(".py").is_file() else None


def _closure(module: str) -> set[str]:
    """Package-relative paths ("translate/llama", "text") of ``module`` and what it imports."""
    seen: set[str] = set()
    packages: set[str] = set()  # run first, but what they import does not make the result
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or _module_file(name) is None:
            continue
        seen.add(name)
        parts = name.split(".") if name else []
        packages.update(".".join(parts[:i]) for i in range(1, len(parts)))
        todo += _imports_of(name)
    files = {("/".join(n.split(".")) if n else "__init__") for n in seen}
    return files | {"/".join([*n.split("."), "__init__"]) for n in packages - seen}


@functools.cache
def _imports_of(name: str) -> tuple[str, ...]:
    """The package's modules (and names, which _closure drops if no file) that module
    ``name`` imports anywhere in its body; parsed once per process, shared by every stage."""
    path = _module_file(name)
    assert path is not None
    is_pkg = path.name == "__init__.py"
    parts = name.split(".") if name else []
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = parts if is_pkg else parts[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = [*base, *(node.module.split(".") if node.module else [])]
            out.append(".".join(prefix))
            out += [".".join([*prefix, a.name]) for a in node.names]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                f"{node.module}.{a.name}" for a in node.names] + [node.module or ""]
            out += [n.removeprefix("anchor.").removeprefix("anchor")
                    for n in names if n == "anchor" or n.startswith("anchor.")]
    return tuple(out)


def backend_identity(engine: Any) -> str:
    """What names a backend's output: its own ``fingerprint()`` (name, model, model hash)
    where it has one, else its name and model name."""
    if isinstance(engine, str):  # a backend that cannot run here
        return engine
    fingerprint = getattr(engine, "fingerprint", None)
    if callable(fingerprint):
        return str(fingerprint())
    return f"{engine.name}:{engine.model_name()}"


def summary_key(article_sha256: str, sentences: int, engine: Any) -> str:
    return digest(article_sha256, str(sentences), backend_identity(engine),
                  stage_code("summarize"))


def script_key(summary: Any, zh_variant: str, engine: Any, glossary_fingerprint: str) -> str:
    return digest(summary, zh_variant, backend_identity(engine), glossary_fingerprint,
                  stage_code("translate"), code_fingerprint("language/data"))


def render_key(*inputs: Any) -> str:
    """A finished folder is up to date when its inputs and the whole package's code are
    the same (any change to drawing, captions, audio or muxing re-renders)."""
    return digest(*inputs, code_fingerprint("."))
