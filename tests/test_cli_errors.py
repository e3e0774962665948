"""Bad input ends in a one-line error with a hint, a non-zero exit, and no partial files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from anchor.cli import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def _assert_one_error(err: str, needle: str) -> None:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1, err
    assert needle.lower() in errors[0].lower(), err
    assert any(ln.startswith("hint:") for ln in lines), err
    assert "Traceback" not in err


def _article(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("empty.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x00\x01\x02PNG\x00" * 200, "binary"),
        ("huge.txt", ("新闻报道内容。" * 300_000).encode(), "too long"),
        ("nopunct.txt", ("没有标点的文字" * 400).encode(), "sentence"),
        ("emoji.txt", "😀🎉🔥👍 🙈🙉🙊 ✨✨✨".encode(), "emoji"),
        ("russian.txt", "Это новостная статья на русском языке. Она длинная.".encode(), "zh"),
    ],
)
def test_bad_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                      data: bytes, needle: str) -> None:
    out = tmp_path / "out"
    code, _, err = _run(["render", _article(tmp_path, name, data), "--out", str(out)], capsys)
    assert code == 2
    _assert_one_error(err, needle)
    assert not any(p.is_file() for p in out.rglob("*")), "no files may be left behind"


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["render", str(tmp_path / "nope.txt")], capsys)
    assert code == 2
    _assert_one_error(err, "nope.txt")


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--avatar", "nobody"], "nobody"),
        (["--voice-zh", "klingon"], "klingon"),
        (["--voice-zh", "en-female"], "en"),
        (["--aspect", "4:3"], "aspect"),
        (["--langs", "fr"], "fr"),
    ],
)
def test_bad_options_fail_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          flags: list[str], needle: str) -> None:
    art = _article(tmp_path, "a.txt", b"Title\n\nA fine sentence about the news.")
    code, _, err = _run(["render", art, "--out", str(tmp_path / "o"), *flags], capsys)
    assert code == 2
    _assert_one_error(err, needle)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; covered by a file path")
def test_unwritable_output_folder_as_user(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    art = _article(tmp_path, "a.txt", b"Title\n\nA fine sentence about the news.")
    code, _, err = _run(["render", art, "--out", str(ro / "x")], capsys)
    assert code == 2
    _assert_one_error(err, "cannot write")


def test_output_folder_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # works for root too: a regular file where the output folder should be
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    art = _article(tmp_path, "a.txt", b"Title\n\nA fine sentence about the news.")
    code, _, err = _run(["render", art, "--out", str(blocker / "sub")], capsys)
    assert code == 2
    _assert_one_error(err, "cannot write")
    assert blocker.read_text() == "x"


def test_json_error_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["render", _article(tmp_path, "e.txt", b""), "--json"], capsys)
    data = json.loads(out)
    assert code == 2 and data["ok"] is False and data["hint"]


def test_bad_script_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    art = _article(tmp_path, "a.txt", b"Title\n\nA fine sentence about the news.")
    script = tmp_path / "script.json"
    script.write_text("{broken")
    code, _, err = _run(["render", art, "--script", str(script), "--out", str(tmp_path / "o")],
                        capsys)
    assert code == 2
    _assert_one_error(err, "not valid JSON")
