"""How the pipeline spends time and memory: speech on its own thread beside the renders, the
translation model freed after the script, the derived duration models.

Quick: a tone stands in for the voice and the frame is 320x180 (as in test_pipeline_timeline).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from test_pipeline_timeline import SCRIPT, _article, _fake_speak, quick  # noqa: F401

from anchor import pipeline
from anchor.assets.model_store import DURATION_OUTPUT, expose_durations
from anchor.core.errors import BackendUnavailable, ModelError
from anchor.core.settings import load_settings
from anchor.core.values import Article, Script, Segment, Summary


def test_all_three_clips_and_thumbnail_with_speech_on_its_own_thread(
        tmp_path: Path, quick: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    threads: dict[str, str] = {}

    def speak(texts, language, *args, **kwargs):  # type: ignore[no-untyped-def]
        threads[language] = threading.current_thread().name
        return _fake_speak(texts, language, *args, **kwargs)

    monkeypatch.setattr("anchor.speech.speak", speak)
    settings = load_settings(None, {"out": str(tmp_path), "align": "", "date": "2025-11-12"},
                             env={})
    res = pipeline.render_article(_article(tmp_path), settings, script=SCRIPT,
                                  out_dir=tmp_path / "clip")
    assert set(res.clips) == {"zh", "en", "bilingual"}
    assert all(c.video.is_file() for c in res.clips.values())
    assert (res.out_dir / "thumbnail.png").is_file()
    assert set(threads) == {"zh", "en"}
    assert all(name.startswith("anchor-speech") for name in threads.values())
    assert {"speak_zh", "speak_en", "render_zh", "render_en", "render_bilingual",
            "thumbnail", "level", "timeline"} <= set(res.timings)
    assert not [t for t in threading.enumerate() if t.name.startswith("anchor-")]


def test_a_voice_that_fails_fails_the_run_and_leaves_no_thread(
        tmp_path: Path, quick: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    def speak(texts, language, *args, **kwargs):  # type: ignore[no-untyped-def]
        if language == "en":
            raise BackendUnavailable("no English voice here", hint="install one")
        return _fake_speak(texts, language, *args, **kwargs)

    monkeypatch.setattr("anchor.speech.speak", speak)
    settings = load_settings(None, {"out": str(tmp_path), "align": "", "date": "2025-11-12"},
                             env={})
    with pytest.raises(BackendUnavailable, match="no English voice"):
        pipeline.render_article(_article(tmp_path), settings, script=SCRIPT,
                                out_dir=tmp_path / "clip")
    assert not (tmp_path / "clip" / "manifest.json").exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("anchor-")]


@pytest.mark.parametrize("keep", [False, True])
def test_translation_model_is_freed_after_the_script_unless_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: bool) -> None:
    import anchor.summarize
    import anchor.translate.llama

    closed: list[int] = []
    monkeypatch.setenv("ANCHOR_HOME", str(tmp_path))
    monkeypatch.setattr(anchor.translate.llama, "close_all", lambda: closed.append(1))
    summary = Summary("zh", "标题", ("一句话。",), (), "test")
    monkeypatch.setattr("anchor.summarize.summarize", lambda *a, **k: summary)
    monkeypatch.setattr("anchor.translate.translate", lambda *a, **k: Script(
        "标题", "Title", "zh", "Hans", (Segment(0, "一句话。", "One sentence."),), "test"))
    article = Article("标题", ("一句话。",), "zh", "Hans", "inline", "0" * 64)
    settings = load_settings(None, {"out": str(tmp_path)}, env={})
    pipeline.make_script(article, settings, pipeline._Timer({}, lambda _m: None), {},
                         keep_models=keep)
    assert closed == ([] if keep else [1])


# ------------------------------------------------------------------ derived models


def _tiny_model(path: Path) -> None:
    """x (float) → round(2x) as int64 ("frames") → their sum: the only output."""
    import onnx
    from onnx import TensorProto, helper

    nodes = [
        helper.make_node("Mul", ["x", "two"], ["scaled"]),
        helper.make_node("Round", ["scaled"], ["rounded"]),
        helper.make_node("Cast", ["rounded"], ["frames"], to=TensorProto.INT64),
        helper.make_node("ReduceSum", ["frames"], ["total"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
        [helper.make_tensor_value_info("total", TensorProto.INT64, [])],
        [helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def test_expose_durations_adds_an_output_and_changes_nothing_else(tmp_path: Path) -> None:
    import onnxruntime as ort

    _tiny_model(tmp_path / "m.onnx")
    expose_durations(tmp_path / "m.onnx", tmp_path / "a.onnx", "frames")
    expose_durations(tmp_path / "m.onnx", tmp_path / "b.onnx", "frames")
    assert (tmp_path / "a.onnx").read_bytes() == (tmp_path / "b.onnx").read_bytes()  # pinnable
    session = ort.InferenceSession(str(tmp_path / "a.onnx"), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["total", DURATION_OUTPUT]
    x = np.array([0.4, 1.3, 2.0], np.float32)
    total, frames = session.run(None, {"x": x})
    assert frames.tolist() == [1, 3, 4] and int(total) == 8
    with pytest.raises(ModelError, match="no tensor"):
        expose_durations(tmp_path / "m.onnx", tmp_path / "c.onnx", "missing")
    with pytest.raises(ModelError, match="already"):
        expose_durations(tmp_path / "a.onnx", tmp_path / "d.onnx", "frames")


def test_every_step_is_in_the_readme_diagram() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    diagram = readme.split("## How it works", 1)[1].split("```")[1]
    names = [name for name, _ in pipeline.STEPS]
    positions = [diagram.find(f"─{name}→") for name in names]
    assert all(p >= 0 for p in positions), dict(zip(names, positions, strict=True))
    assert positions == sorted(positions)  # in the order the pipeline runs them


def test_the_quickest_voice_speaks_first_and_its_clip_renders_first(
        tmp_path: Path, quick: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    import anchor.render

    order: list[str] = []
    real_render = anchor.render.render

    def speak(texts, language, *args, **kwargs):  # type: ignore[no-untyped-def]
        order.append(f"speak {language}")
        return _fake_speak(texts, language, *args, **kwargs)

    def render(spec, out, **kw):  # type: ignore[no-untyped-def]
        order.append(f"render {out.stem}")
        return real_render(spec, out, **kw)

    monkeypatch.setattr("anchor.speech.speak", speak)
    monkeypatch.setattr(anchor.render, "render", render)
    settings = load_settings(None, {"out": str(tmp_path), "align": "", "date": "2025-11-12"},
                             env={})
    res = pipeline.render_article(_article(tmp_path), settings, script=SCRIPT,
                                  out_dir=tmp_path / "clip")
    # hibari (English) costs a twentieth of Kokoro (Mandarin) per second of speech
    assert [e for e in order if e.startswith("speak")] == ["speak en", "speak zh"]
    assert next(e for e in order if e.startswith("render")) == "render en"
    assert list(res.clips) == ["zh", "en", "bilingual"]  # the manifest's order stays
