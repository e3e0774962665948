"""The distributed mode for real: redis-server on loopback, two Huey worker processes.

The web app (no workers of its own) takes submissions; `anchor serve --worker-only`
processes do the work. All jobs complete, none is lost or run twice — including when
one worker is killed with SIGKILL in the middle of a job.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import SAMPLE_ARTICLE, make_test_app, wait_for_status
from fastapi.testclient import TestClient

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(
    not Path(REDIS).is_file(),
    reason="redis-server not installed (apt-get install redis-server) — the Huey/Redis "
           "mode is untested here")
BASE = "http://127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(10)


def start_worker(queue: str, data: Path, delay: float, lease: float, log: Path,
                 ) -> subprocess.Popen[bytes]:
    """`anchor serve --worker-only` in its own process, on the fake pipeline."""
    env = {**os.environ, "ANCHOR_SERVE_PIPELINE": "fake_pipeline:FakePipeline",
           "ANCHOR_FAKE_DELAY": str(delay),
           "ANCHOR_SERVE_LEASE": str(lease), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    code = ("import typer; from anchor.cli.serve_command import serve_cmd; "
            "typer.run(serve_cmd)")
    return subprocess.Popen(
        [sys.executable, "-c", code, "--worker-only", "--queue", queue, "--data", str(data),
         "--workers", "1"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


def pickers(job: dict[str, Any]) -> list[str]:
    """host:pid of each worker that took the job (operators' field, not the reporter's log)."""
    return list(job["workers"])


def test_two_huey_workers_finish_a_batch(redis_port: int, tmp_path: Path) -> None:
    queue = f"huey-redis://127.0.0.1:{redis_port}/0"
    workers = [start_worker(queue, tmp_path, 0.1, 30, tmp_path / f"w{i}.log") for i in range(2)]
    try:
        app = make_test_app(tmp_path, queue=queue, workers=0)
        with TestClient(app, base_url=BASE) as c:
            ids = []
            for i in range(10):
                r = c.post("/api/jobs", json={"text": f"Story {i}\n{SAMPLE_ARTICLE}",
                                              "langs": ["en"], "auto_render": i % 2 == 0})
                assert r.status_code == 201, r.text
                ids.append(r.json()["id"])
            get = lambda jid: c.get(f"/api/jobs/{jid}").json()  # noqa: E731
            # The odd ones stop for review: render them as a reporter would.
            for jid in ids[1::2]:
                wait_for_status(lambda j=jid: get(j), ("review",), timeout=60)
                assert c.post(f"/api/jobs/{jid}/render").status_code == 202
            done = [wait_for_status(lambda j=jid: get(j), ("done", "failed"), timeout=60)
                    for jid in ids]
            assert [j["status"] for j in done] == ["done"] * 10, [j["error"] for j in done]
            for j in done:
                assert (tmp_path / "jobs" / j["id"] / "en.mp4").is_file()
            # Work was shared, and no job was picked up twice in one phase.
            hosts = {h for j in done for h in pickers(j)}
            assert len(hosts) == 2, hosts
            for j in done:
                assert len(pickers(j)) == (1 if j["auto_render"] else 2), j["progress"]
            listed = c.get("/api/jobs?limit=100").json()["jobs"]
            assert sorted(j["id"] for j in listed) == sorted(ids)
    finally:
        stop(workers)
    for w in workers:
        assert w.returncode == 0, (tmp_path / "w0.log").read_text()


def test_killed_worker_job_is_taken_over(redis_port: int, tmp_path: Path) -> None:
    """SIGKILL a worker mid-job: the lease runs out, the reaper re-queues, the other finishes."""
    queue = f"huey-redis://127.0.0.1:{redis_port}/1"
    lease = 1.5
    first = start_worker(queue, tmp_path, 2.0, lease, tmp_path / "first.log")
    try:
        app = make_test_app(tmp_path, queue=queue, workers=0, lease_s=lease)
        with TestClient(app, base_url=BASE) as c:
            time.sleep(1.0)  # let the first worker start listening before the second exists
            jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE, "langs": ["en"],
                                            "auto_render": True}).json()["id"]
            get = lambda: c.get(f"/api/jobs/{jid}").json()  # noqa: E731
            deadline = time.monotonic() + 30
            while not pickers(get()):
                assert time.monotonic() < deadline, get()
                time.sleep(0.05)
            first.kill()  # mid-summary: no goodbye, the lease is left to run out
            first.wait(10)
            killed = time.time()
            # the job says so as soon as its heartbeat is missed, before anyone takes it
            deadline = time.monotonic() + 15
            while not any(m == "Worker lost — retrying" for _, m in _lines(get())):
                assert time.monotonic() < deadline, get()["progress"]
                time.sleep(0.05)
            seen = next(t for t, m in _lines(get()) if m == "Worker lost — retrying")
            second = start_worker(queue, tmp_path, 0.05, lease, tmp_path / "second.log")
            try:
                done = wait_for_status(get, ("done", "failed"), timeout=60)
            finally:
                stop([second])
            assert done["status"] == "done", done
            assert len(set(pickers(done))) == 2, done["progress"]
            print(f"worker lost shown {seen - killed:.1f} s after the kill (lease {lease} s)")
    finally:
        stop([first])


def test_serve_with_embedded_huey_workers(redis_port: int, tmp_path: Path) -> None:
    """`anchor serve --queue huey-redis://…` without --workers 0 runs Huey threads in-process."""
    queue = f"huey-redis://127.0.0.1:{redis_port}/2"
    app = make_test_app(tmp_path, queue=queue, workers=2)
    with TestClient(app, base_url=BASE) as c:
        ids = [c.post("/api/jobs", json={"text": SAMPLE_ARTICLE, "auto_render": True}
                      ).json()["id"] for _ in range(4)]
        for jid in ids:
            done = wait_for_status(lambda j=jid: c.get(f"/api/jobs/{j}").json(),
                                   ("done", "failed"), timeout=30)
            assert done["status"] == "done", done
        assert c.get("/healthz").json()["queue"] == "huey-redis"


def test_cancel_stops_a_huey_worker_and_it_takes_the_next_job(redis_port: int,
                                                              tmp_path: Path) -> None:
    """A cancel is a write to Redis: the worker process, elsewhere, kills its ffmpeg,
    marks the job stopped and goes on with the next job."""
    from test_web_cancel import alive, stubborn_pids

    queue = f"huey-redis://127.0.0.1:{redis_port}/3"
    worker = start_worker(queue, tmp_path, 0.05, 30, tmp_path / "w.log")
    try:
        app = make_test_app(tmp_path, queue=queue, workers=0)
        with TestClient(app, base_url=BASE) as c:
            before = set(stubborn_pids())
            jid = c.post("/api/jobs", json={"text": f"Encode\nSTUBBORN-RENDER {SAMPLE_ARTICLE}",
                                            "langs": ["en"], "auto_render": True}).json()["id"]
            get = lambda j: c.get(f"/api/jobs/{j}").json()  # noqa: E731
            deadline = time.monotonic() + 30
            while not set(stubborn_pids()) - before:
                assert time.monotonic() < deadline, get(jid)
                time.sleep(0.05)
            (pid,) = set(stubborn_pids()) - before
            nxt = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE, "langs": ["en"],
                                            "auto_render": True}).json()["id"]
            assert get(nxt)["waiting"]["ahead"] == 1
            t0 = time.monotonic()
            assert c.post(f"/api/jobs/{jid}/cancel").status_code == 202
            while alive(pid):
                assert time.monotonic() - t0 < 5, "ffmpeg still runs after the cancel"
                time.sleep(0.05)
            stopped = time.monotonic() - t0
            done = wait_for_status(lambda: get(nxt), ("done", "failed"), timeout=30)
            assert done["status"] == "done"
            job = get(jid)
            assert job["status"] == "cancelled"
            assert job["stage"] == "Work stopped; the video encoder was ended", job
            assert not (tmp_path / "jobs" / jid).exists()
            print(f"huey worker: ffmpeg ended {stopped:.2f} s after the cancel")
    finally:
        stop([worker])
    assert worker.returncode == 0, (tmp_path / "w.log").read_text()


def _lines(job: dict[str, object]) -> list[tuple[float, str]]:
    from datetime import datetime

    return [(datetime.fromisoformat(str(p["at"])).timestamp(), str(p["message"]))
            for p in job["progress"]]  # type: ignore[attr-defined]
