"""A re-render after an edit of the shots reuses the translation and the speech.

Slow: it speaks with the real offline English voice (hibari) and encodes small clips.
The summary and translation are stand-ins that count their calls; the caches are the
real ones, in a fresh ANCHOR_HOME (the models linked from the user's)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import anchor.core.settings
from anchor.core.paths import anchor_home
from anchor.core.settings import load_settings
from anchor.core.values import Script, Segment, Summary
from anchor.pipeline import render_article

pytestmark = pytest.mark.slow

SENTENCES = (
    "The science festival closed on Sunday after four busy days.",
    "The rocket exhibit on the lawn drew the longest queues of the weekend.",
    "Volunteers offered free eye scans at the health tent.",
    "The organisers said the festival will return next spring.",
)


@pytest.fixture
def cold_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    models = anchor_home() / "models"
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(models)
    monkeypatch.setenv("ANCHOR_HOME", str(home))
    monkeypatch.setitem(anchor.core.settings.ASPECTS, "16:9", (480, 270))
    return home


def _speech_entries(home: Path) -> list[str]:
    folder = home / "stages" / "speech"
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_editing_a_shot_reuses_translation_and_speech(
        tmp_path: Path, cold_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"translate": 0}

    def summarize(article, sentences, backend="auto"):  # type: ignore[no-untyped-def]
        return Summary("en", article.title, SENTENCES, (), "fake-summary")

    def translate(summary, zh_variant="Hans", backend="auto", **kw):  # type: ignore[no-untyped-def]
        calls["translate"] += 1
        segs = tuple(Segment(i, f"第{i + 1}句。", s) for i, s in enumerate(summary.sentences))
        return Script("科学节", "Festival", "en", "Hans", segs, "fake-translate")

    monkeypatch.setattr("anchor.summarize.summarize", summarize)
    monkeypatch.setattr("anchor.translate.translate", translate)
    rgb = np.random.default_rng(5).integers(0, 255, (600, 900, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "rocket.jpg", quality=85)
    story = tmp_path / "story.md"
    story.write_text("# Festival\n\n" + "\n\n".join(SENTENCES[:2]) +
                     '\n\n![The rocket](rocket.jpg "Photo: Test")\n\n'
                     + "\n\n".join(SENTENCES[2:]) + "\n", encoding="utf-8")
    settings = load_settings(None, {"out": str(tmp_path / "out"), "langs": "en",
                                    "bilingual": False, "bumpers": False}, env={})
    first = render_article(str(story), settings, out_dir=tmp_path / "out" / "a")
    assert calls["translate"] == 1
    shots = [(s.shot, s.visual.kind if s.visual else None) for s in first.script.segments]
    assert shots[0] == ("presenter", None) and shots[-1] == ("presenter", None)
    assert ("ots", "image") in shots or ("full", "image") in shots
    spoken = _speech_entries(cold_home)
    assert spoken  # really spoken the first time, into the sentence cache

    # a reporter moves the picture to sentence 4's neighbour and puts sentence 2 on the
    # presenter: only the picture changes
    data = json.loads((first.out_dir / "script.json").read_text("utf-8"))
    for seg in data["script"]["segments"]:
        if seg["visual"] is not None:
            seg["shot"], seg["visual"] = "presenter", None
    data["script"]["segments"][2]["shot"] = "full"
    data["script"]["segments"][2]["visual"] = {"kind": "image",
                                               "image": str(tmp_path / "rocket.jpg")}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    second = render_article(str(story), settings, script_file=edited,
                            out_dir=tmp_path / "out" / "a")
    assert not second.cached  # the edit re-renders...
    assert calls["translate"] == 1  # ...without translating again
    assert _speech_entries(cold_home) == spoken  # and every sentence from the speech cache
    assert second.script.segments[2].shot == "full"
    # the same article again: the translation comes from its cache, the edit is chosen anew
    third = render_article(str(story), settings, out_dir=tmp_path / "out" / "b")
    assert calls["translate"] == 1
    assert [s.shot for s in third.script.segments] == [s for s, _ in shots]
