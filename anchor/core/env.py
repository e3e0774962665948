"""Every environment variable Anchor reads, named and read here and nowhere else.

Settings have their own layer: ``ANCHOR_<SETTING>`` (``ANCHOR_FPS``, ``ANCHOR_TTS`` ...)
overrides the config file, see ``config.load_settings``; the web service's
``ANCHOR_SERVE_*`` are listed in ``web.config``. The variables below say where files live
and which optional models the online backends load.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from anchor.language.text import parse_bool

__all__ = ["ASSETS", "CONFIG", "FFMPEG", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HOME", "MT_MODEL",
           "SETTING_PREFIX", "SUMMARY_MODEL", "XDG_CACHE_HOME", "hf_endpoint", "hf_offline",
           "mt_model", "read", "summary_model"]

SETTING_PREFIX = "ANCHOR_"  # ANCHOR_<SETTING>: a setting's value (config.load_settings)
CONFIG = "ANCHOR_CONFIG"  # a config file read before ./anchor.toml
HOME = "ANCHOR_HOME"  # cache root: models and stage results (default ~/.cache/anchor)
XDG_CACHE_HOME = "XDG_CACHE_HOME"  # the cache root's parent when ANCHOR_HOME is unset
ASSETS = "ANCHOR_ASSETS"  # folder with avatars/, voices/, brands/, samples/
FFMPEG = "ANCHOR_FFMPEG"  # "system" or a path: an ffmpeg to use if it passes the probe
MT_MODEL = "ANCHOR_MT_MODEL"  # a transformers model for translation (either direction)
SUMMARY_MODEL = "ANCHOR_SUMMARY_MODEL"  # a transformers model for abstractive summaries
HF_HUB_OFFLINE = "HF_HUB_OFFLINE"  # the Hugging Face switch: never try the hub
HF_ENDPOINT = "HF_ENDPOINT"  # the Hugging Face hub's address


def read(name: str, default: str = "", env: Mapping[str, str] | None = None) -> str:
    """The variable ``name``, or ``default`` when unset or empty."""
    value = (os.environ if env is None else env).get(name, "")
    return value or default


def mt_model(source: str, target: str, env: Mapping[str, str] | None = None) -> str:
    """The transformers translation model for one direction: ``ANCHOR_MT_MODEL_ZH_EN``
    (etc.) first, then ``ANCHOR_MT_MODEL``; "" when none is configured."""
    return read(f"{MT_MODEL}_{source.upper()}_{target.upper()}", env=env) or read(MT_MODEL,
                                                                                  env=env)


def summary_model(env: Mapping[str, str] | None = None) -> str:
    return read(SUMMARY_MODEL, env=env)


def hf_offline(env: Mapping[str, str] | None = None) -> bool:
    return parse_bool(read(HF_HUB_OFFLINE, env=env), default=False)


def hf_endpoint(env: Mapping[str, str] | None = None) -> str:
    return read(HF_ENDPOINT, "https://huggingface.co", env=env)
