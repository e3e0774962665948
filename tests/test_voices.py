"""Voice presets are data files: the shipped ones load, bad ones fail with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from anchor.core.errors import ConfigError
from anchor.speech.voices import list_voices, load_voice

SHIPPED = {
    "zh-female": ("zh", "kokoro", "zf_xiaobei", "zh-CN-XiaoxiaoNeural"),
    "zh-male": ("zh", "kokoro", "zm_yunxia", "zh-CN-YunyangNeural"),
    "zh-tw-female": ("zh", "kokoro", "zf_xiaoyi", "zh-TW-HsiaoChenNeural"),
    "en-female": ("en", "hibari", "heart", "en-US-AriaNeural"),
    "en-male": ("en", "kokoro", "am_michael", "en-US-GuyNeural"),
    "en-gb-female": ("en", "kokoro", "bf_emma", "en-GB-SoniaNeural"),
}

GOOD = """
label = "Test voice"
language = "zh"
offline_backend = "kokoro"
offline_voice = "zf_xiaobei"
edge_voice = "zh-CN-XiaoxiaoNeural"
"""


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_presets(name: str) -> None:
    v = load_voice(name)
    assert v.name == name
    assert (v.language, v.offline_backend, v.offline_voice, v.edge_voice) == SHIPPED[name]
    assert v.label and 0.5 <= v.speed <= 2.0


def test_list_voices_is_sorted_and_complete() -> None:
    names = [v.name for v in list_voices()]
    assert names == sorted(names)
    assert set(SHIPPED) <= set(names)


def test_unknown_voice_names_the_known_ones() -> None:
    with pytest.raises(ConfigError) as err:
        load_voice("zh-robot")
    assert "zh-robot" in err.value.message
    assert "zh-female" in err.value.hint and "en-female" in err.value.hint


def test_path_like_names_are_refused() -> None:
    with pytest.raises(ConfigError):
        load_voice("../voices/zh-female")


@pytest.fixture
def voice_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "voices"
    folder.mkdir()
    monkeypatch.setenv("ANCHOR_ASSETS", str(tmp_path))
    return folder


def test_defaults_fill_optional_fields(voice_folder: Path) -> None:
    (voice_folder / "mine.toml").write_text(GOOD, encoding="utf-8")
    v = load_voice("mine")
    assert (v.speed, v.edge_rate, v.edge_pitch) == (1.0, "+0%", "+0Hz")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("language = [", "cannot be read"),
        (GOOD.replace('offline_voice = "zf_xiaobei"\n', ""), "lacks offline_voice"),
        (GOOD + 'colour = "blue"\n', "colour"),
        (GOOD.replace('"zh"', '"fr"'), "language"),
        (GOOD.replace('"kokoro"', '"espeak"'), "offline_backend"),
        (GOOD.replace('"kokoro"', '"hibari"'), "English only"),
        (GOOD + "speed = 3.0\n", "speed"),
        (GOOD + 'edge_rate = "fast"\n', "edge_rate"),
        (GOOD + 'edge_pitch = "+5"\n', "edge_pitch"),
    ],
)
def test_bad_presets_fail_clearly(voice_folder: Path, text: str, complaint: str) -> None:
    (voice_folder / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_voice("bad")
    assert complaint in err.value.message
    assert err.value.hint
