"""Stage results cached by a hash of their inputs plus the backend's name and version."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from .paths import cache_dir
from .values import from_json, to_json

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text", "cached", "digest",
           "file_sha256"]

log = logging.getLogger(__name__)
T = TypeVar("T")


def digest(*parts: Any) -> str:
    """Stable hash of JSON-able parts (dataclasses go through to_json)."""
    h = hashlib.sha256()
    for part in parts:
        text = part if isinstance(part, str) else to_json(part)
        h.update(text.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what open() would give; mkstemp's 0600 breaks shared folders


@contextlib.contextmanager
def atomic_path(path: Path, suffix: str = ".part") -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer (ours or ffmpeg) to fill; it replaces
    ``path`` only when the block succeeds, with the usual file mode. Readers never see
    half a file, and a failure leaves nothing behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary name beside ``path`` and rename: readers never see half a file."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def cached(stage: str, key: str, cls: type[T], compute: Callable[[], T],
           root: Path | None = None) -> tuple[T, bool]:
    """Return (value, hit). A corrupt cache entry is recomputed, not an error."""
    path = (root or cache_dir()) / stage / f"{key}.json"
    if path.is_file():
        try:
            return from_json(cls, path.read_text("utf-8")), True
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            log.warning("ignoring unreadable cache entry %s (%s)", path.name, exc)
    value = compute()
    atomic_write_text(path, to_json(value))
    return value, False
