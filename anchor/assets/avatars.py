"""Presenters: ``avatars/NAME.png`` (or .jpg) plus ``avatars/NAME.toml``.

The TOML holds who the presenter is (names per language, title, default voice
presets, licence) and, optionally, where the face is. Hints matter for drawn
faces, which OpenCV's cascades do not find::

    name = "lin"
    display_name = "Lin Hao"
    title = "News Anchor"
    image = "lin.png"
    licence = "..."
    voice_zh = "zh-male"
    voice_en = "en-male"

    [names]
    zh = "林浩"
    en = "Lin Hao"

    [regions]              # optional, image pixels: [x, y, w, h]
    face = [260, 222, 248, 238]
    eyes = [[309, 281, 50, 20], [409, 281, 50, 20]]
    mouth = [352, 399, 64, 26]

    [consent]              # whose face, and their agreement (anchor.assets.consent)
    real_person = false
    note = "drawn by scripts/make_avatar.py"

``matte = "NAME-matte.png"`` names the presenter's alpha matte (8-bit grey, the image's
size, white = the person), for compositing onto a set.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from anchor.core.errors import ConfigError, InputError
from anchor.core.paths import assets_root
from anchor.core.values import Avatar, Box

from .consent import consent_from_toml

__all__ = ["avatars_dir", "list_avatars", "load_avatar"]


def avatars_dir() -> Path:
    return assets_root() / "avatars"


def _names() -> list[str]:
    folder = avatars_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def _box(value: Any, where: str) -> Box:
    if (not isinstance(value, list) or len(value) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            or value[2] <= 0 or value[3] <= 0):
        raise ConfigError(f"{where} must be [x, y, w, h] in image pixels, got {value!r}",
                          hint="four integers, width and height above zero")
    return Box(*value)


def _text(data: dict[str, Any], key: str, where: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string, got {value!r}")
    return value


def _parse(path: Path) -> Avatar:
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {where}: {exc}", hint="fix the TOML syntax") from exc
    name = _text(data, "name", where, path.stem) or path.stem
    image_name = _text(data, "image", where, f"{path.stem}.png")
    image = (path.parent / image_name).resolve()
    names = data.get("names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise ConfigError(f"{where}: [names] must map languages to strings",
                          hint='e.g. zh = "林浩" and en = "Lin Hao"')
    titles = data.get("titles", {})
    if not isinstance(titles, dict) or not all(isinstance(v, str) for v in titles.values()):
        raise ConfigError(f"{where}: [titles] must map languages to strings",
                          hint='e.g. zh = "新闻主播" and en = "News Anchor"')
    regions = data.get("regions", {})
    if not isinstance(regions, dict):
        raise ConfigError(f"{where}: [regions] must be a table")
    eyes_raw = regions.get("eyes", [])
    if not isinstance(eyes_raw, list) or len(eyes_raw) > 2:
        raise ConfigError(f"{where}: regions.eyes must be a list of up to two [x, y, w, h]")
    display = _text(data, "display_name", where, name) or name
    matte_name = _text(data, "matte", where)
    matte = (path.parent / matte_name).resolve() if matte_name else None
    if matte is not None and not matte.is_file():
        raise ConfigError(f"{where}: matte {matte_name!r} not found next to it",
                          hint="put the matte PNG beside the TOML, or remove `matte = ...`")
    landmarks: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = ()
    if "landmarks" in data:
        # deferred: anchor.render loads OpenCV and PIL, which listing presenters does not need
        from anchor.render.presenter.landmarks import landmarks_as_tuples, landmarks_from_toml

        landmarks = landmarks_as_tuples(landmarks_from_toml(data["landmarks"], where))
    return Avatar(
        name=name,
        display_name=display,
        title=_text(data, "title", where),
        image=image,
        language_names=tuple(sorted((str(k), v) for k, v in names.items())),
        language_titles=tuple(sorted((str(k), v) for k, v in titles.items())),
        face=_box(regions["face"], f"{where}: regions.face") if "face" in regions else None,
        eyes=tuple(_box(e, f"{where}: regions.eyes") for e in eyes_raw),
        mouth=_box(regions["mouth"], f"{where}: regions.mouth") if "mouth" in regions else None,
        voice_zh=_text(data, "voice_zh", where),
        voice_en=_text(data, "voice_en", where),
        licence=_text(data, "licence", where),
        landmarks=landmarks,
        consent=consent_from_toml(data.get("consent"), where),
        matte=matte,
    )


def _check_image(avatar: Avatar) -> None:
    """The image must exist and decode; checked here so a render fails before any work."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(avatar.image) as im:
            im.verify()
    except (OSError, UnidentifiedImageError) as exc:
        raise InputError(f"cannot read the image of avatar {avatar.name!r}: {avatar.image}",
                         hint="put a PNG or JPEG portrait next to its TOML and name it in "
                              "`image = ...`") from exc


def load_avatar(name: str) -> Avatar:
    """The presenter ``name`` (its TOML's file stem), with a readable image."""
    path = avatars_dir() / f"{name}.toml"
    if not name or "/" in name or "\\" in name or not path.is_file():
        known = ", ".join(_names()) or "none"
        raise ConfigError(f"unknown avatar {name!r} (known: {known})",
                          hint=f"add {avatars_dir() / (name or 'NAME')}.toml and an image, "
                               "or pick a known one")
    avatar = _parse(path)
    _check_image(avatar)
    return avatar


def list_avatars() -> list[Avatar]:
    """Every presenter in ``avatars/``, by name; a broken one raises with its file."""
    return [load_avatar(n) for n in _names()]
