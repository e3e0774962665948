"""`anchor serve` as a process: SIGKILL it mid-job, start it again, the job completes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fake_pipeline import SAMPLE_ARTICLE, wait_for_status

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ANCHOR_SERVE_PIPELINE": "fake_pipeline:FakePipeline",
           "ANCHOR_FAKE_DELAY": "1.0",
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    env.pop("ANCHOR_API_TOKEN", None)
    code = "import typer; from anchor.cli.serve_command import serve_cmd; typer.run(serve_cmd)"
    proc = subprocess.Popen([sys.executable, "-c", code, "--port", str(port), "--data", str(data)],
                            env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(log.read_text()) from None
            time.sleep(0.1)


def test_sigkill_mid_job_then_restart_resumes(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "serve.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(data, port, log)
    try:
        jid = httpx.post(f"{base}/api/jobs", json={"text": SAMPLE_ARTICLE, "langs": ["en"],
                                                   "auto_render": True}).json()["id"]
        get = lambda: httpx.get(f"{base}/api/jobs/{jid}").json()  # noqa: E731
        deadline = time.monotonic() + 20
        while get()["stage"] != "Picking the key sentences":
            assert time.monotonic() < deadline, get()
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)  # no shutdown handlers, no lock release by us
        server.wait(10)

        second = start_server(data, port, log)
        try:
            done = wait_for_status(get, ("done", "failed"), timeout=30, every=0.2)
            assert done["status"] == "done", done
            messages = [p["message"] for p in done["progress"]]
            assert "Picked up again after the server restarted" in messages
            # the script phase ran again, once
            assert messages.count("Picking the key sentences") == 2
            assert (data / "jobs" / jid / "en.mp4").is_file()
        finally:
            second.send_signal(signal.SIGINT)
            second.wait(15)
        assert second.returncode == 0, log.read_text()
        assert "Anchor serving on" in log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
