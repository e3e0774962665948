"""Brands: a channel's look as data, ``brands/NAME/brand.toml`` plus its images.

A newsroom changes its look without code: colours, logo bug (image or channel
name), fonts, lower-third style, an optional scrolling ticker, and the intro and
outro bumpers. The file (every key optional; a missing one keeps the plain look
of :class:`anchor.core.values.Branding`)::

    description = "Hunan red and gold" # what `anchor brands` shows
    channel = "湖南日报"                # the text bug when there is no logo; bumpers
    logo = "logo.png"                  # in this folder; "" draws the channel name
    font = ""                          # this folder, a bundled font name, or a path;
    headline_font = "NotoSerifSC-Regular.otf"  # "" keeps Noto Sans SC

    [colours]
    primary = "#B3121B"                # lower-third band, cards, bumper
    accent = "#F2C14E"                 # rules, name tab, logo tab
    text = "#FFFFFF"
    highlight = "#FFD66B"              # the big number on figure cards
    background_top = "#3A0A0E"         # studio gradient
    background_bottom = "#7A1A1F"

    [lower_third]
    style = "label"                    # "band" or "label" (a label box at the left)
    label = "要闻"

    [ticker]
    text = "{channel} · {date} · {headline}"   # "" for no ticker
    label = "快讯"
    speed = 0.12                       # frame heights per second

    [studio]                           # the set behind the cut-out presenter
    image = ""                         # a photo of the brand's set; "" = a generated one
    backdrop = "set"                   # "photo": keep the presenter photo's own backdrop

    [bumpers]
    intro_ms = 3000                    # 0 for none; 2000–4000 reads as a bumper
    outro_ms = 2500
    source = "湖南日报 · 新湖南客户端"
    tagline = "新闻，从这里出发"
    disclosure = "本视频由 AI 数字人播报"

    [ai_label]                         # the visible AI label (anchor.core.ai_labels)
    text = ""                          # "" = 「AI合成主播」 / "AI-generated"
    position = "top-right"             # or "top-left" (under the logo)
    size = 0.05                        # text height / the frame's shorter side, ≥ 0.05
    opening_ms = 3000                  # from the first frame, ≥ 2000
    throughout = true                  # and in its corner for the rest of the clip
    background = "#0E131B"
    colour = "#FFFFFF"

    producer = "湘江新闻"               # top level: the newsroom in the files' AIGC label

    [text.en]                          # the same keys in another language
    label = "NEWS"
    ai_label = "AI-generated"

Settings' ``[branding]`` table overrides single values of the chosen brand (a
colour, the channel name, the logo); empty means "as the brand says".
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anchor.core.ai_labels import DEFAULT_TEXT, VisibleLabel, check_label
from anchor.core.errors import ConfigError
from anchor.core.paths import assets_root
from anchor.core.values import Branding

from .model_store import model_path

__all__ = ["BRAND_TEXTS", "OVERRIDES", "brand_description", "brands_dir", "list_brands",
           "load_brand", "visible_label"]

# [branding] keys of the settings that may replace one value of the brand
OVERRIDES = ("channel", "primary", "accent", "text", "highlight", "background_top",
             "background_bottom", "logo", "ticker", "producer")
# texts a brand may give per language under [text.LANG]
BRAND_TEXTS = ("channel", "label", "ticker", "ticker_label", "source", "tagline", "disclosure",
               "ai_label")

_COLOURS = ("primary", "accent", "text", "highlight", "background_top", "background_bottom")
# table → {key in the file: Branding field}
_TABLES: dict[str, dict[str, str]] = {
    "colours": {k: k for k in _COLOURS},
    "lower_third": {"style": "lower_third", "label": "label"},
    "ticker": {"text": "ticker", "label": "ticker_label", "speed": "ticker_speed"},
    "studio": {"image": "studio_image", "backdrop": "studio_backdrop"},
    "bumpers": {"intro_ms": "intro_ms", "outro_ms": "outro_ms", "source": "source",
                "tagline": "tagline", "disclosure": "disclosure"},
    "ai_label": {"text": "ai_label", "position": "ai_label_position", "size": "ai_label_size",
                 "opening_ms": "ai_label_opening_ms", "throughout": "ai_label_throughout",
                 "background": "ai_label_background", "colour": "ai_label_colour"},
}
_TOP = ("description", "channel", "logo", "font", "headline_font", "producer")
_LABEL_COLOURS = ("ai_label_background", "ai_label_colour")
_STYLES = ("band", "label")


def brands_dir() -> Path:
    return assets_root() / "brands"


def _names() -> list[str]:
    folder = brands_dir()
    return sorted(p.parent.name for p in folder.glob("*/brand.toml")) if folder.is_dir() else []


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", hint="fix the TOML syntax") from exc


def _font(value: str, folder: Path, where: str) -> Path | None:
    """A font named by a brand: in its folder, a bundled font (the font-cjk model's
    folder, whether fetched yet or not: the renderer says how to fetch it), or a path."""
    if not value:
        return None
    for candidate in (folder / value, model_path("font-cjk") / value, Path(value).expanduser()):
        if candidate.is_file():
            return candidate.resolve()
    if "/" not in value:
        return model_path("font-cjk") / value  # not fetched yet: check_font explains
    raise ConfigError(f"{where}: font {value!r} not found",
                      hint="put the font file in the brand folder or give its full path")


def _image(value: str, folder: Path, where: str, what: str = "logo") -> Path | None:
    if not value:
        return None
    path = (folder / value).expanduser()
    if not path.is_file():
        raise ConfigError(f"{where}: {what} {value!r} not found in {folder}",
                          hint="put the image next to brand.toml, or set it to \"\"")
    return path.resolve()


def _check_value(field: str, value: Any, where: str) -> Any:
    like = getattr(Branding(), field)
    if isinstance(like, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {field} must be true or false, got {value!r}")
        return value
    if not isinstance(like, (int, float, str)):
        return value
    if isinstance(like, int) and not isinstance(like, bool):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
            raise ConfigError(f"{where}: {field} must be milliseconds (0–10000), got {value!r}")
        return value
    if isinstance(like, float):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: {field} must be a number ≥ 0, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {field} must be a string, got {value!r}")
    if field in _COLOURS or field in _LABEL_COLOURS:
        _hex(value, f"{where}: {field}")
    return value


def _hex(value: str, where: str) -> None:
    c = value.strip().lstrip("#")
    if len(c) not in (3, 6) or any(ch not in "0123456789abcdefABCDEF" for ch in c):
        raise ConfigError(f"{where}: {value!r} is not a colour", hint="use #RRGGBB")


def _fingerprint(data: bytes, files: list[Path | None]) -> str:
    """The brand's TOML and the files it names (not fonts: large, and named by path):
    part of the render key, so an edited logo re-renders instead of being reused."""
    h = hashlib.sha256(data)
    for f in files:
        if f is not None:
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def load_brand(name: str, overrides: Mapping[str, Any] | None = None) -> Branding:
    """The brand ``name`` (its folder under ``brands/``), with ``overrides`` (the
    settings' [branding] table; empty strings are ignored) applied on top."""
    path = brands_dir() / name / "brand.toml"
    if not name or "/" in name or "\\" in name or not path.is_file():
        known = ", ".join(_names()) or "none"
        raise ConfigError(f"unknown brand {name!r} (known: {known})",
                          hint=f"add {brands_dir() / (name or 'NAME')}/brand.toml, "
                               "or pick a known one (`anchor brands`)")
    where = str(path)
    raw = path.read_bytes()
    data = _read(path)
    folder = path.parent
    values: dict[str, Any] = {"name": name}
    for key in data:
        if key not in _TOP and key not in _TABLES and key != "text":
            raise ConfigError(f"{where}: unknown key {key}",
                              hint=f"known: {', '.join((*_TOP, *_TABLES, 'text'))}")
    for key in ("channel", "producer"):
        if key in data:
            values[key] = _check_value(key, data[key], where)
    for table, fields in _TABLES.items():
        section = data.get(table, {})
        if not isinstance(section, dict):
            raise ConfigError(f"{where}: [{table}] must be a table")
        for key, value in section.items():
            if key not in fields:
                raise ConfigError(f"{where}: unknown key [{table}] {key}",
                                  hint=f"known: {', '.join(fields)}")
            values[fields[key]] = _check_value(fields[key], value, where)
    if values.get("studio_backdrop", "set") not in ("set", "photo"):
        raise ConfigError(f"{where}: [studio] backdrop {values['studio_backdrop']!r}",
                          hint='use "set" (the presenter cut out on the set) or "photo" '
                               "(the photo's own backdrop, in a box)")
    studio_image = _image(str(values.pop("studio_image", "") or ""), folder, where,
                          "[studio] image")
    if studio_image is not None:
        values["studio_image"] = studio_image
    if values.get("lower_third", "band") not in _STYLES:
        raise ConfigError(f"{where}: [lower_third] style {values['lower_third']!r}",
                          hint=f"use one of {', '.join(_STYLES)}")
    texts = data.get("text", {})
    translations: list[tuple[str, str, str]] = []
    if not isinstance(texts, dict):
        raise ConfigError(f"{where}: [text.LANG] tables expected")
    for lang, table in sorted(texts.items()):
        if lang not in ("zh", "en") or not isinstance(table, dict):
            raise ConfigError(f"{where}: [text.{lang}]: use [text.zh] or [text.en] tables")
        for key, value in sorted(table.items()):
            if key not in BRAND_TEXTS or not isinstance(value, str):
                raise ConfigError(f"{where}: [text.{lang}] {key}",
                                  hint=f"strings for: {', '.join(BRAND_TEXTS)}")
            translations.append((lang, key, value))
    values["translations"] = tuple(translations)

    logo = _image(_str(data, "logo", where), folder, where)
    for key, value in (overrides or {}).items():
        if key not in OVERRIDES:
            raise ConfigError(f"[branding] {key} cannot override a brand",
                              hint=f"known keys: {', '.join(OVERRIDES)}")
        if value in ("", None):
            continue
        if key == "logo":
            logo = _image(str(value), Path.cwd(), "[branding] logo")
        else:
            values[key] = _check_value(key, value, "[branding]")
    values["logo"] = logo
    values["font"] = _font(_str(data, "font", where), folder, where)
    values["headline_font"] = _font(_str(data, "headline_font", where), folder, where)
    values["fingerprint"] = _fingerprint(raw, [logo, values.get("studio_image")])
    brand = Branding(**values)
    for lang in ("zh", "en"):
        check_label(visible_label(brand, (lang,)), where)
    return brand


def visible_label(branding: Branding, langs: tuple[str, ...]) -> VisibleLabel:
    """The brand's visible AI label for a clip showing ``langs`` (one line each: a
    bilingual clip says it in both)."""
    lines = []
    for lang in langs:
        text = branding.in_language(lang).ai_label.strip() or DEFAULT_TEXT.get(lang, "")
        if text not in lines:
            lines.append(text)
    return VisibleLabel(text="\n".join(lines), position=branding.ai_label_position,
                        size=branding.ai_label_size, opening_ms=branding.ai_label_opening_ms,
                        throughout=branding.ai_label_throughout,
                        background=branding.ai_label_background,
                        colour=branding.ai_label_colour)


def _str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string, got {value!r}")
    return value


def brand_description(name: str) -> str:
    """The one-line description of a brand, or its name."""
    data = _read(brands_dir() / name / "brand.toml")
    text = data.get("description", "")
    return text if isinstance(text, str) and text else name


def list_brands() -> list[Branding]:
    """Every brand in ``brands/``, by name; a broken one raises with its file."""
    return [load_brand(n) for n in _names()]
