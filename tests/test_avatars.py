"""Presenters on disk: avatars/NAME.toml + image."""

from __future__ import annotations

from pathlib import Path

import pytest

from anchor.assets.avatars import list_avatars, load_avatar
from anchor.core.errors import ConfigError, InputError


def test_shipped_presenters() -> None:
    names = [a.name for a in list_avatars()]
    assert {"astra", "lin"} <= set(names)
    for a in list_avatars():
        assert a.image.is_file() and a.image.stat().st_size < 600_000
        assert a.name_in("zh") and a.name_in("en") and a.licence
        assert a.voice_zh and a.voice_en
    lin = load_avatar("lin")
    assert lin.name_in("zh") == "林浩" and lin.face is not None and len(lin.eyes) == 2


def test_unknown_name_lists_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        load_avatar("nobody")
    assert "astra" in err.value.message and "lin" in err.value.message


def _assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str) -> Path:
    folder = tmp_path / "avatars"
    folder.mkdir()
    (folder / "x.toml").write_text(toml, encoding="utf-8")
    monkeypatch.setenv("ANCHOR_ASSETS", str(tmp_path))
    return folder


def test_unreadable_image_is_an_input_error(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _assets(tmp_path, monkeypatch, 'name = "x"\nimage = "x.png"\n')
    (folder / "x.png").write_bytes(b"not a png")
    with pytest.raises(InputError):
        load_avatar("x")
    (folder / "x.png").unlink()
    with pytest.raises(InputError):
        load_avatar("x")


def test_bad_regions_are_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assets(tmp_path, monkeypatch, 'name = "x"\n[regions]\nface = [1, 2, 3]\n')
    with pytest.raises(ConfigError) as err:
        load_avatar("x")
    assert "regions.face" in err.value.message
