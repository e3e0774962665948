"""Where things live: the project's asset folders and the user's cache (ANCHOR_HOME)."""

from __future__ import annotations

from pathlib import Path

from . import env

__all__ = ["anchor_home", "assets_root", "cache_dir", "models_dir"]

_PACKAGE = Path(__file__).resolve().parent.parent  # anchor/ (this is anchor/core)


def anchor_home() -> Path:
    """Cache root for models and stage results; ``ANCHOR_HOME`` moves it."""
    home = env.read(env.HOME)
    if home:
        return Path(home).expanduser()
    xdg = env.read(env.XDG_CACHE_HOME)
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
    assets = env.read(env.ASSETS)
    if assets:
        return Path(assets).expanduser()
    checkout = _PACKAGE.parent
    if (checkout / "avatars").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return _PACKAGE / "_assets"
