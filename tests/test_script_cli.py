"""`anchor script` and strict mode: flags reach script.json, and --strict stops."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anchor.core.errors import ReviewNeeded
from anchor.core.settings import load_settings
from anchor.core.values import Script, Segment, Summary
from anchor.ingest import ingest
from anchor.pipeline import require_reviewed

FLAGGED = Script(
    title_zh="章立凡微博遭封", title_en="Zhang Lifan's Weibo closed", source_language="zh",
    zh_variant="Hans",
    segments=(Segment(0, "投资43亿元。", "It invested 43 billion yuan.",
                      ('number "43亿元" has another value in en: "43 billion yuan"',), True),
              Segment(1, "下雨了。", "It rained.")),
    backend="fake", glossary=("anchor/language/data/glossary.toml",))


@pytest.fixture
def fake_prepare(monkeypatch: pytest.MonkeyPatch) -> None:
    import anchor.cli.script_command as cli_script

    def prepare(source: str, settings: object, progress: object = None):  # type: ignore[no-untyped-def]
        art = ingest("章立凡微博遭封\n投资43亿元。下雨了。")
        return art, Summary("zh", art.title, ("投资43亿元。", "下雨了。"), (), "x"), FLAGGED

    monkeypatch.setattr(cli_script, "prepare_script", prepare)


def run(args: list[str]) -> int:
    from anchor.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0)


def test_script_writes_flags_without_rendering(tmp_path: Path, fake_prepare: None):
    out = tmp_path / "draft.json"
    assert run(["script", "article.txt", "-o", str(out)]) == 0
    data = json.loads(out.read_text("utf-8"))
    assert data["script"]["segments"][0]["review"] is True
    assert data["review"]["needed"] is True
    assert data["review"]["items"] == [{"where": "sentence 1", "reasons": [
        'number "43亿元" has another value in en: "43 billion yuan"']}]
    assert not list(tmp_path.glob("*.mp4"))


def test_script_strict_exits_2(tmp_path: Path, fake_prepare: None):
    assert run(["script", "article.txt", "-o", str(tmp_path), "--strict"]) == 2
    assert (tmp_path / "script.json").is_file()  # written for the reviewer all the same


def test_strict_render_stops_before_rendering():
    settings = load_settings(overrides={"strict": True})
    with pytest.raises(ReviewNeeded, match="sentence 1"):
        require_reviewed(FLAGGED, settings)
    require_reviewed(FLAGGED, load_settings(overrides={"strict": False}))
    clean = Script("a", "b", "zh", "Hans", (Segment(0, "a", "b"),), "fake")
    require_reviewed(clean, settings)
