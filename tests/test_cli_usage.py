"""Usage errors are usage errors, through the real console script.

These run the installed ``anchor`` entry point in a subprocess, as a user does, so a change
in the CLI framework (typer once started bundling its own click, and every usage error
became "internal error", exit 1) fails here instead of going unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ANCHOR = Path(sys.executable).with_name("anchor")

pytestmark = pytest.mark.skipif(not ANCHOR.exists(),
                                reason=f"the anchor console script is not installed at {ANCHOR}")


def _run(*args: str, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ANCHOR), *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=120)


def _assert_usage(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "Usage: anchor" in text, text
    assert "internal error" not in text and "Traceback" not in text, text
    for needle in needles:
        assert needle in text, text


def test_missing_argument() -> None:
    _assert_usage(_run("check"), "Missing argument")


def test_render_without_article_or_script() -> None:
    _assert_usage(_run("render"), "ARTICLE")


def test_unknown_option_suggests_the_right_one(tmp_path: Path) -> None:
    _assert_usage(_run("render", "--rendr", "fast", str(tmp_path / "a.txt")),
                  "No such option", "--renderer")


def test_unknown_option_of_the_hook() -> None:
    _assert_usage(_run("render", "--no-such-option", "x.txt"), "No such option")


def test_misspelt_command_suggests_the_right_one() -> None:
    _assert_usage(_run("rendr", "a.txt"), "No such command", "render")


def test_bad_option_value_type() -> None:
    _assert_usage(_run("render", "--sentences", "many", "x.txt"), "sentences")


def test_no_arguments_prints_help_not_an_error() -> None:
    proc = _run()
    assert "Usage: anchor" in proc.stdout + proc.stderr
    assert "internal error" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--renderer", "movie"], "did you mean 'moviepy'"),
        (["--tts", "edg"], "did you mean 'edge'"),
        (["--aspect", "4:3"], "aspect"),
        (["--avatar", "nobody"], "nobody"),
        (["--voice-zh", "en-female"], "speaks en"),
        (["--brand", "no-such-brand"], "no-such-brand"),
        (["--ffmpeg", "/no/such/ffmpeg"], "/no/such/ffmpeg"),
    ],
)
def test_bad_values_fail_before_any_work(tmp_path: Path, args: list[str], needle: str) -> None:
    """Preflight: a typo fails in about a second with exit 2 and a hint, before ingest
    (the article does not even exist) and without leaving files."""
    out = tmp_path / "out"
    t0 = time.perf_counter()
    proc = _run("render", str(tmp_path / "missing.txt"), "--out", str(out), *args)
    seconds = time.perf_counter() - t0
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert needle in text, text
    assert "hint:" in text and "Traceback" not in text, text
    assert "missing.txt" not in text, "options must be checked before the article is read"
    assert not out.exists() or not any(out.rglob("*"))
    assert seconds < 15, f"took {seconds:.1f} s"  # loose: a loaded CI machine; ~1 s here


def test_bad_config_value_fails_before_any_work(tmp_path: Path) -> None:
    cfg = tmp_path / "anchor.toml"
    cfg.write_text('[render]\nsummarizer = "abstractive"\n')
    proc = _run("render", str(tmp_path / "missing.txt"), "--config", str(cfg))
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "summarizer" in text and "hint:" in text, text
