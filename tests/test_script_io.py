"""One validator for edited scripts: `anchor render --script` and the web's review page
accept and refuse the same scripts, with the same messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from anchor.core.errors import InputError
from anchor.core.script_io import MAX_SEGMENTS, MAX_SENTENCE_CHARS, MAX_TITLE_CHARS, parse_script
from anchor.core.values import Script, Segment, to_dict
from anchor.pipeline import load_script
from anchor.web.service import script_from_edit

GOOD = Script(title_zh="湖南日报", title_en="Hunan Daily", source_language="zh",
              zh_variant="Hans", segments=(Segment(0, "下雨了。", "It rained."),),
              backend="test")


def _edited(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = to_dict(GOOD)
    change(data)
    return data


def _many(d: dict[str, Any]) -> None:
    d["segments"] = [{"index": i, "zh": "好。", "en": "Fine."} for i in range(MAX_SEGMENTS + 1)]


BAD: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (lambda d: d.update(segments=[]), "the script has no sentences"),
    (_many, f"the script has {MAX_SEGMENTS + 1} sentences"),
    (lambda d: d["segments"][0].update(zh="  "), "sentence 1 is empty in zh"),
    (lambda d: d["segments"][0].update(en=""), "sentence 1 is empty in en"),
    (lambda d: d["segments"][0].update(en="x" * (MAX_SENTENCE_CHARS + 1)),
     f"sentence 1 is longer than {MAX_SENTENCE_CHARS} characters"),
    (lambda d: d.update(title_en=" "), "the headline is empty in one language"),
    (lambda d: d.update(title_zh="长" * (MAX_TITLE_CHARS + 1)),
     f"the Mandarin headline is {MAX_TITLE_CHARS + 1} characters"),
    (lambda d: d.pop("segments"), "not an Anchor script"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_cli_and_web_refuse_the_same_scripts(tmp_path: Path,
                                              change: Callable[[dict[str, Any]], None],
                                              message: str) -> None:
    data = _edited(change)
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"script": data}), "utf-8")
    with pytest.raises(InputError) as cli:
        load_script(path)
    with pytest.raises(InputError) as web:
        script_from_edit(data, GOOD)
    assert message in cli.value.message and message in web.value.message
    assert cli.value.message.startswith(f"{path}: ")  # the file is named on the CLI
    assert cli.value.hint and web.value.hint


def test_a_good_script_passes_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "script.json"
    path.write_text(json.dumps(to_dict(GOOD)), "utf-8")  # a bare Script object works too
    assert load_script(path) == GOOD
    assert script_from_edit(to_dict(GOOD), GOOD) == GOOD
    assert parse_script(to_dict(GOOD)) == GOOD


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", "utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        load_script(broken)
    with pytest.raises(InputError, match="cannot read script"):
        load_script(tmp_path / "missing.json")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", "utf-8")
    with pytest.raises(InputError, match="not an Anchor script"):
        load_script(listed)
