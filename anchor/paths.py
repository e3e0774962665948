"""Where things live: the project's asset folders and the user's cache (ANCHOR_HOME)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["anchor_home", "assets_root", "cache_dir", "models_dir"]

_PACKAGE = Path(__file__).resolve().parent


def anchor_home() -> Path:
    """Cache root for models and stage results; ``ANCHOR_HOME`` moves it."""
    env = os.environ.get("ANCHOR_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "anchor"


def models_dir() -> Path:
    return anchor_home() / "models"


def cache_dir() -> Path:
    """Stage-result cache (hash of inputs + backend version → JSON/audio)."""
    return anchor_home() / "stages"


def assets_root() -> Path:
    """Folder holding ``avatars/``, ``voices/``, ``brands/`` and ``samples/``.

    ``ANCHOR_ASSETS`` overrides; otherwise the source checkout next to the package, or, for
    an installed wheel, the copy packed inside it (``anchor/_assets``, see setup.py).
    """
    env = os.environ.get("ANCHOR_ASSETS")
    if env:
        return Path(env).expanduser()
    checkout = _PACKAGE.parent
    if (checkout / "avatars").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return _PACKAGE / "_assets"
