from pathlib import Path

import pytest

from anchor.core.cache import atomic_write_text, cached, digest
from anchor.core.timing import frame_at, frame_count, ms_at_frame
from anchor.core.values import Script, Segment, Span, Speech, from_json, to_json


def _script() -> Script:
    return Script(
        title_zh="标题", title_en="Title", source_language="zh", zh_variant="Hans",
        segments=(Segment(0, "第一句。", "First.", ("number 95% missing in en",)),
                  Segment(1, "第二句。", "Second.")),
        backend="llama.cpp:qwen",
    )


def test_script_round_trips_through_json() -> None:
    s = _script()
    again = from_json(Script, to_json(s))
    assert again == s
    assert again.warnings == ("sentence 1: number 95% missing in en",)
    assert again.texts("en") == ("First.", "Second.")


def test_speech_paths_and_spans_round_trip(tmp_path: Path) -> None:
    sp = Speech("zh", tmp_path / "a.wav", 24000, 1500, (Span(0, 1500, "x"),), (), "kokoro", "v")
    again = from_json(Speech, to_json(sp))
    assert again == sp and isinstance(again.audio, Path)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(TypeError, match="unknown field"):
        from_json(Segment, '{"index": 0, "zh": "a", "en": "b", "oops": 1}')


def test_frames_from_ms_in_one_place() -> None:
    assert frame_count(1000, 30) == 30
    assert frame_count(1001, 30) == 31
    assert frame_at(999, 30) == 29
    assert ms_at_frame(30, 30) == 1000
    assert frame_count(2040, 25) == 51


def test_cache_hits_and_recovers_from_corruption(tmp_path: Path) -> None:
    calls = []

    def compute() -> Script:
        calls.append(1)
        return _script()

    key = digest("a", "b")
    v1, hit1 = cached("script", key, Script, compute, root=tmp_path)
    v2, hit2 = cached("script", key, Script, compute, root=tmp_path)
    assert (hit1, hit2, v1 == v2, len(calls)) == (False, True, True, 1)
    (tmp_path / "script" / f"{key}.json").write_text("{not json")
    _, hit3 = cached("script", key, Script, compute, root=tmp_path)
    assert not hit3 and len(calls) == 2


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    atomic_write_text(target, "hello")
    assert target.read_text() == "hello"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]
