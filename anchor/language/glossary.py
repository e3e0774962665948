"""The newsroom's glossary: how names are written in the other language.

Layers, later wins: the base glossary shipped with Anchor (``anchor/language/data/glossary.toml``:
provinces, major cities, rivers, state bodies, universities, media, companies), the
brand's ``brands/NAME/glossary.toml``, the project folder's ``glossary.toml`` (the
current folder), and a file given with ``--glossary``. Every file is TOML::

    [names]
    "章立凡" = "Zhang Lifan"
    "马栏山" = "Malanshan"

The same ``Glossary`` serves both directions: Chinese → English as written, English →
Chinese by reading the entries backwards (the later layer wins there too).
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from anchor.core.errors import ConfigError, InputError

__all__ = ["BASE_GLOSSARY", "Glossary", "add_term", "glossary_files", "load_glossary"]

log = logging.getLogger(__name__)

BASE_GLOSSARY = Path(__file__).parent / "data" / "glossary.toml"
PROJECT_GLOSSARY = "glossary.toml"


@dataclass(frozen=True, slots=True)
class Glossary:
    """Chinese ↔ English name pairs with where each came from."""

    entries: tuple[tuple[str, str, str], ...] = ()  # (zh, en, origin); later wins
    files: tuple[str, ...] = ()  # the files read, in order (for the manifest)
    fingerprint: str = ""  # hash of their contents: a cache key

    def _maps(self) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
        return _index(self.entries)

    def en(self, zh: str) -> tuple[str, str] | None:
        """(English, origin) of a Chinese name, or None. The English may list accepted
        spellings after the written one: "the United States|US|U.S."."""
        return self._maps()[0].get(zh)

    def zh(self, en: str) -> tuple[str, str] | None:
        """(Chinese, origin) of an English name, case-insensitive, or None."""
        return self._maps()[1].get(en.casefold())

    def zh_terms(self) -> list[str]:
        """Chinese keys, longest first (for longest-match scanning)."""
        return sorted(self._maps()[0], key=len, reverse=True)

    def en_terms(self) -> list[str]:
        """English values as written, longest first."""
        return sorted({e.strip() for _, en, _ in self.entries for e in en.split("|")},
                      key=len, reverse=True)


@lru_cache(maxsize=16)
def _index(entries: tuple[tuple[str, str, str], ...]
           ) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    to_en: dict[str, tuple[str, str]] = {}
    to_zh: dict[str, tuple[str, str]] = {}
    for zh, en_all, origin in entries:
        to_en[zh] = (en_all, origin)
        for en in en_all.split("|"):
            _index_en(to_zh, zh, en.strip(), origin)
    return to_en, to_zh


def _index_en(to_zh: dict[str, tuple[str, str]], zh: str, en: str, origin: str) -> None:
    key = en.casefold().removeprefix("the ")
    # the first spelling wins for the English side unless a newsroom layer overrides
    if key not in to_zh or origin != "base":
        to_zh[key] = (zh, origin)
    to_zh.setdefault(en.casefold(), (zh, origin))


def _read(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read glossary {path}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"glossary {path}: {exc}",
                          hint='write one "中文" = "English" line per name under [names]') from exc
    names = data.get("names", {})
    if not isinstance(names, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
            for k, v in names.items()):
        raise ConfigError(f"glossary {path}: [names] must map Chinese text to English text",
                          hint='e.g. "章立凡" = "Zhang Lifan"')
    return {k.strip(): v.strip() for k, v in names.items()}


def glossary_files(brand: str = "", extra: str | Path = "",
                   project: Path | None = None) -> list[tuple[Path, str]]:
    """The glossary files that apply, lowest layer first, with their layer name."""
    # deferred: read at call time, so a test (or a caller) that points brands_dir elsewhere
    # is followed
    from anchor.assets.brands import brands_dir

    files = [(BASE_GLOSSARY, "base")]
    if brand:
        p = brands_dir() / brand / "glossary.toml"
        if p.is_file():
            files.append((p, "brand"))
    p = (project or Path.cwd()) / PROJECT_GLOSSARY
    if p.is_file():
        files.append((p, "project"))
    if extra:
        p = Path(extra)
        if not p.is_file():
            raise InputError(f"glossary {p} not found",
                             hint="pass a TOML file with a [names] table, or leave it out")
        files.append((p, "newsroom"))
    return files


def load_glossary(brand: str = "", extra: str | Path = "",
                  project: Path | None = None) -> Glossary:
    """The glossary for a render: base < brand < project folder < ``extra``."""
    entries: list[tuple[str, str, str]] = []
    digest = hashlib.sha256()
    names: list[str] = []
    for path, layer in glossary_files(brand, extra, project):
        raw = path.read_bytes()
        digest.update(raw)
        entries += [(zh, en, layer) for zh, en in _read(path).items()]
        names.append(str(path))
    return Glossary(tuple(entries), tuple(names), digest.hexdigest()[:16])


def add_term(path: Path, zh: str, en: str) -> None:
    """Add or replace one entry in a glossary file (the web's "add to glossary").
    The file is rewritten whole through a temporary name, sorted, comments dropped."""
    zh, en = zh.strip(), en.strip()
    if not zh or not en:
        raise InputError("a glossary entry needs both the Chinese and the English name")
    if any(c in zh + en for c in '"\\\n'):
        raise InputError("a glossary name cannot hold quotes, backslashes or line breaks")
    names = _read(path) if path.is_file() else {}
    names[zh] = en
    lines = ["# Anchor glossary: how names are written in the other language.", "",
             "[names]"]
    lines += [f'"{k}" = "{v}"' for k, v in sorted(names.items())]
    tmp = path.with_name(path.name + ".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text("\n".join(lines) + "\n", "utf-8")
    tmp.replace(path)
