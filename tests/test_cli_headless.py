"""Headless use (CI): no ANSI escapes when not on a terminal, JSON that parses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ANCHOR = [sys.executable, "-m", "anchor"]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERM": "xterm-256color"}  # even a colour TERM must not leak escapes
    return subprocess.run([*ANCHOR, *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)


def test_listing_commands_print_no_escapes() -> None:
    for cmd in ("voices", "avatars", "brands"):
        proc = _run(cmd)
        assert proc.returncode == 0, proc.stderr
        assert "\x1b[" not in proc.stdout + proc.stderr


def test_doctor_json_parses_and_names_models() -> None:
    proc = _run("doctor", "--json")
    data = json.loads(proc.stdout)
    names = {c["name"] for c in data["checks"]}
    assert "ffmpeg" in names and "model llm" in names
    assert proc.returncode in (0, 3) and (proc.returncode == 0) == data["ok"]
    assert "\x1b[" not in proc.stdout + proc.stderr


def test_render_json_error_is_machine_readable(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = _run("render", str(empty), "--json", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    assert data == {"ok": False, "error": data["error"], "hint": data["hint"], "exit_code": 2}
    assert "\x1b[" not in proc.stdout + proc.stderr
    assert len([ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]) == 1
