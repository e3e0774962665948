"""Brands: a look from brands/NAME/brand.toml, overridden by settings, chosen by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from anchor.assets.brands import brands_dir, list_brands, load_brand
from anchor.core.errors import ConfigError
from anchor.core.settings import load_settings


def test_the_shipped_brands_load_and_differ() -> None:
    names = {b.name for b in list_brands()}
    assert {"default", "hunan-red"} <= names
    plain, red = load_brand("default"), load_brand("hunan-red")
    assert plain.logo is None and plain.channel == "Anchor News"
    assert red.logo is not None and red.logo.is_file()
    assert red.primary != plain.primary and red.lower_third == "label"
    assert red.ticker and 2000 <= red.intro_ms <= 4000 and 2000 <= red.outro_ms <= 4000
    assert red.headline_font is not None and red.headline_font.name == "NotoSerifSC-Regular.otf"
    assert red.fingerprint and red.fingerprint != plain.fingerprint


def test_texts_per_language() -> None:
    red = load_brand("hunan-red")
    assert red.label == "要闻" and red.in_language("zh").label == "要闻"
    en = red.in_language("en")
    assert en.label == "NEWS" and en.channel == "Xiang News" and en.primary == red.primary


def test_settings_choose_the_brand_and_branding_overrides_it(tmp_path: Path) -> None:
    assert load_settings(env={}).branding.name == "default"
    s = load_settings(None, {"brand": "hunan-red"}, env={})
    assert s.branding.name == "hunan-red" and s.branding.channel == "湘江新闻"
    cfg = tmp_path / "anchor.toml"
    cfg.write_text('[render]\nbrand = "hunan-red"\n[branding]\naccent = "#00FF00"\n')
    s = load_settings(cfg, env={})
    # one value replaced, the rest of the brand kept
    assert s.branding.accent == "#00FF00" and s.branding.primary == "#A3121C"
    assert load_settings(None, {"brand": "hunan-red"}, env={"ANCHOR_BRAND": "default"}
                         ).branding.name == "hunan-red"


def _copy_brand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """An assets folder whose brands/ has one brand "mine" with ``text`` as its TOML."""
    assets = tmp_path / "assets"
    (assets / "brands" / "mine").mkdir(parents=True)
    (assets / "brands" / "mine" / "brand.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("ANCHOR_ASSETS", str(assets))


def test_a_new_brand_is_a_folder_without_code(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _copy_brand(tmp_path, monkeypatch,
                'channel = "Mine TV"\n[colours]\nprimary = "#123456"\n'
                '[bumpers]\nintro_ms = 2000\n')
    b = load_brand("mine")
    assert (b.channel, b.primary, b.intro_ms, b.outro_ms) == ("Mine TV", "#123456", 2000, 0)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[colours]\nprimary = "red"\n', "not a colour"),
        ('[bumpers]\nintro_ms = "long"\n', "milliseconds"),
        ('[lower_third]\nstyle = "fancy"\n', "style"),
        ('logo = "missing.png"\n', "logo"),
        ('[ticker]\nspeed = -1\n', "ticker_speed"),
        ('colour = "#fff"\n', "unknown key"),
        ('[text.fr]\nlabel = "x"\n', "text.fr"),
    ],
)
def test_broken_brand_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        text: str, needle: str) -> None:
    _copy_brand(tmp_path, monkeypatch, text)
    with pytest.raises(ConfigError) as info:
        load_brand("mine")
    assert needle in info.value.message


def test_unknown_brand_names_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, {"brand": "nope"}, env={})
    assert "nope" in info.value.message and "default" in info.value.message
    with pytest.raises(ConfigError):
        load_brand("../default")


def test_an_edited_logo_changes_the_fingerprint(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = brands_dir() / "hunan-red" / "logo.png"
    _copy_brand(tmp_path, monkeypatch, 'logo = "logo.png"\n')
    logo = tmp_path / "assets" / "brands" / "mine" / "logo.png"
    shutil.copy(shipped, logo)
    before = load_brand("mine").fingerprint
    logo.write_bytes(logo.read_bytes() + b"\0")
    assert load_brand("mine").fingerprint != before


def test_square_aspect_and_date_setting() -> None:
    s = load_settings(None, {"aspect": "1:1", "date": "2025-11-12"}, env={})
    assert s.size == (1080, 1080) and s.date == "2025-11-12"
    with pytest.raises(ConfigError) as info:
        load_settings(None, {"date": "12/11/2025"}, env={})
    assert "date" in info.value.message and "YYYY-MM-DD" in info.value.hint


def test_cli_lists_brands() -> None:
    from typer.testing import CliRunner

    from anchor.cli import app

    result = CliRunner().invoke(app, ["brands"])
    assert result.exit_code == 0
    assert "default" in result.output and "hunan-red" in result.output
