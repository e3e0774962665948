from pathlib import Path

import pytest

from anchor.core.errors import ConfigError
from anchor.core.settings import load_settings


def test_defaults_come_from_the_defaults_file() -> None:
    s = load_settings(env={})
    assert s.langs == ("zh", "en")
    assert s.size == (1920, 1080)
    assert s.sentences == 5
    assert s.out == Path("output")


def test_layers_file_then_env_then_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "anchor.toml"
    cfg.write_text(
        '[render]\nsentences = 3\naspect = "9:16"\nfps = 25\n[branding]\nchannel = "HN"\n'
    )
    s = load_settings(cfg, env={})
    assert (s.sentences, s.size, s.fps, s.branding.channel) == (3, (1080, 1920), 25, "HN")
    s = load_settings(cfg, env={"ANCHOR_SENTENCES": "4"})
    assert s.sentences == 4
    s = load_settings(cfg, {"sentences": 6, "fps": None}, env={"ANCHOR_SENTENCES": "4"})
    assert (s.sentences, s.fps) == (6, 25)


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"langs": "fr"}, "unknown language"),
        ({"aspect": "4:3"}, "aspect"),
        ({"sentences": 0}, "sentences"),
        ({"sentences": "many"}, "not a valid int"),
        ({"zh_variant": "Latn"}, "zh_variant"),
    ],
)
def test_bad_values_are_config_errors_with_hints(overrides: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, overrides, env={})
    assert needle in info.value.message


def test_unknown_key_in_file(tmp_path: Path) -> None:
    cfg = tmp_path / "anchor.toml"
    cfg.write_text("[render]\nsentense = 3\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    assert "sentense" in info.value.message and "sentences" in info.value.hint


def test_broken_toml(tmp_path: Path) -> None:
    cfg = tmp_path / "anchor.toml"
    cfg.write_text("[render\n")
    with pytest.raises(ConfigError):
        load_settings(cfg, env={})
