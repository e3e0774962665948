import json
import threading
import time
from pathlib import Path

import pytest

from anchor.core.errors import InputError
from anchor.jobs.batch import BatchItem, ItemResult, read_batch, run_batch
from anchor.jobs.batch_report import write_reports


def test_folder_items_sorted_with_unique_ids(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "notes.pdf").write_text("x")
    (tmp_path / "README.md").write_text("about these articles")
    (tmp_path / ".draft.txt").write_text("x")
    items = read_batch(tmp_path)
    assert [Path(i.source).name for i in items] == ["a.md", "b.txt"]
    assert [i.id for i in items] == ["a", "b"]


def test_csv_manifest_with_options_and_inline_text(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("x")
    (tmp_path / "m.csv").write_text(
        "path,text,title,avatar,aspect\n"
        "one.txt,,,lin,9:16\n"
        ",Some text here.,Same Title,,\n"
        ",More text.,Same Title,,\n", encoding="utf-8-sig")
    items = read_batch(tmp_path / "m.csv")
    assert items[0].source == str((tmp_path / "one.txt").resolve())
    assert dict(items[0].options) == {"avatar": "lin", "aspect": "9:16"}
    assert items[1].text == "Some text here." and items[1].source == ""
    assert [i.id for i in items[1:]] == ["same-title", "same-title-2"]


def test_jsonl_manifest_and_errors(tmp_path: Path) -> None:
    m = tmp_path / "m.jsonl"
    m.write_text(json.dumps({"text": "Hello.", "title": "T", "langs": "en"}) + "\n\n")
    (item,) = read_batch(m)
    assert dict(item.options) == {"langs": "en"}
    m.write_text('{"title": "no text"}\n')
    with pytest.raises(InputError, match="needs a path or a text"):
        read_batch(m)
    m.write_text("[1, 2]\n")
    with pytest.raises(InputError, match="JSON object"):
        read_batch(m)
    with pytest.raises(InputError, match="not found"):
        read_batch(tmp_path / "missing.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no articles"):
        read_batch(empty)


def test_run_batch_isolates_failures_keeps_order_and_uses_workers() -> None:
    items = [BatchItem(f"a{i}", f"/x/{i}") for i in range(6)]
    active, peak = 0, 0
    lock = threading.Lock()

    def runner(item: BatchItem, say) -> ItemResult:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        say("working")
        time.sleep(0.05)
        with lock:
            active -= 1
        if item.id == "a3":
            return ItemResult(item, False, error="bad article", hint="fix it")
        return ItemResult(item, True)

    seen: list[str] = []
    results = run_batch(items, runner, workers=2,
                        on_progress=lambda it, slot, msg: seen.append(f"{slot}:{msg}"))
    assert [r.item.id for r in results] == [f"a{i}" for i in range(6)]
    assert [r.ok for r in results] == [True, True, True, False, True, True]
    assert peak == 2
    assert {s.split(":")[0] for s in seen} <= {"0", "1"}


def test_reports_name_failures_and_escape_html(tmp_path: Path) -> None:
    ok = ItemResult(BatchItem("good", "/a.txt"), True, out_dir=str(tmp_path / "good"),
                    clips={"zh": {"video": str(tmp_path / "good/zh.mp4"), "srt": None,
                                  "vtt": None, "duration_ms": 61000}},
                    timings={"speak_zh": 40.0, "total": 50.0}, warnings=["w <1>"])
    bad = ItemResult(BatchItem("bad", "/b.txt"), False, error="<script>x</script>", hint="h")
    jpath, hpath = write_reports([ok, bad], tmp_path, 100.0)
    data = json.loads(jpath.read_text())
    assert (data["succeeded"], data["failed"], data["articles_per_minute"]) == (1, 1, 1.2)
    assert data["items"][1]["error"] == "<script>x</script>"
    page = hpath.read_text()
    assert "&lt;script&gt;" in page and "<script>x" not in page
    assert "zh.mp4" in page and "61.0 s" in page


def test_output_folder_check_is_safe_from_many_workers(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from anchor.pipeline import _prepare_out

    def check(_: int) -> None:
        _prepare_out(tmp_path / "out")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(check, range(400)))  # raised "cannot write" when probes collided
    assert list((tmp_path / "out").iterdir()) == []
