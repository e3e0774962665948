"""Jobs a reporter controls: cancel stops the work for real, delete removes it, retention.

The stubborn fake pipeline stands in for what cannot be stopped politely: a Python loop
that never reports progress (a model call) and a ten-minute ffmpeg (an encode). A cancel
must end both within seconds and free the worker for the next job.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import (
    SAMPLE_ARTICLE,
    STUBBORN_MARK,
    FakePipeline,
    make_test_app,
    wait_for_status,
)
from fastapi.testclient import TestClient

from anchor.web.cancel import child_pids

BASE = "http://127.0.0.1"


def stubborn_pids() -> list[int]:
    """ffmpeg processes the stubborn render started (found by their marker)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if STUBBORN_MARK.encode() in cmd and b"ffmpeg" in cmd:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def until(cond: Any, timeout: float, what: str) -> float:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)
    return time.monotonic() - t0


@pytest.fixture
def stubborn(tmp_path: Path) -> Iterator[tuple[TestClient, FakePipeline]]:
    pipe = FakePipeline()
    with TestClient(make_test_app(tmp_path, pipe), base_url=BASE) as c:
        yield c, pipe


def get(c: TestClient, jid: str) -> dict[str, Any]:
    r = c.get(f"/api/jobs/{jid}")
    assert r.status_code == 200, r.text
    return r.json()


def test_cancel_interrupts_model_work_that_never_reports(
        stubborn: tuple[TestClient, FakePipeline]) -> None:
    c, pipe = stubborn
    jid = c.post("/api/jobs", json={"text": f"Spin\nSTUBBORN-SCRIPT {SAMPLE_ARTICLE}"}).json()["id"]
    until(lambda: pipe.spins > 1000, 10, "the busy loop to start")
    r = c.post(f"/api/jobs/{jid}/cancel")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "cancelled"  # at once, for the reporter
    # The worker notices within its poll, and the loop ends without any check of its own.
    took = until(lambda: "Work stopped" in get(c, jid)["stage"], 5, "the worker to stop")
    spins = pipe.spins
    time.sleep(0.5)
    assert pipe.spins == spins, "the model loop still runs after the cancel"
    print(f"model loop stopped {took:.2f} s after the cancel")
    # The one worker is free again: the next story goes through.
    nxt = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE, "auto_render": True}).json()["id"]
    assert wait_for_status(lambda: get(c, nxt), ("done", "failed"))["status"] == "done"
    job = get(c, jid)
    assert job["status"] == "cancelled" and job["links"]["retry"]
    assert "cancel" not in job["links"]


def test_cancel_kills_the_running_ffmpeg(stubborn: tuple[TestClient, FakePipeline],
                                         tmp_path: Path) -> None:
    c, _ = stubborn
    before = set(stubborn_pids())
    jid = c.post("/api/jobs", json={"text": f"Encode\nSTUBBORN-RENDER {SAMPLE_ARTICLE}",
                                    "auto_render": True}).json()["id"]
    until(lambda: set(stubborn_pids()) - before, 15, "ffmpeg to start")
    (pid,) = set(stubborn_pids()) - before
    assert (tmp_path / "jobs" / jid).is_dir()
    assert c.post(f"/api/jobs/{jid}/cancel").status_code == 202
    took = until(lambda: not alive(pid), 5, "ffmpeg to end")
    print(f"ffmpeg {pid} ended {took:.2f} s after the cancel")
    until(lambda: get(c, jid)["stage"].startswith("Work stopped"), 5, "the job to say so")
    job = get(c, jid)
    assert job["status"] == "cancelled"
    assert job["stage"] == "Work stopped; the video encoder was ended"
    assert not (tmp_path / "jobs" / jid).exists()  # nothing half-made stays behind
    assert c.post(f"/api/jobs/{jid}/cancel").status_code == 409  # already stopped


def test_delete_a_running_job_and_its_files(stubborn: tuple[TestClient, FakePipeline],
                                            tmp_path: Path) -> None:
    c, _ = stubborn
    before = set(stubborn_pids())
    jid = c.post("/api/jobs", json={"text": f"Gone\nSTUBBORN-RENDER {SAMPLE_ARTICLE}",
                                    "auto_render": True}).json()["id"]
    until(lambda: set(stubborn_pids()) - before, 15, "ffmpeg to start")
    (pid,) = set(stubborn_pids()) - before
    r = c.delete(f"/api/jobs/{jid}")
    assert r.status_code == 204 and r.content == b""
    assert c.get(f"/api/jobs/{jid}").status_code == 404
    until(lambda: not alive(pid), 5, "ffmpeg to end")
    until(lambda: not (tmp_path / "jobs" / jid).exists(), 5, "the folder to go")
    assert c.delete(f"/api/jobs/{jid}").status_code == 404


def test_delete_a_finished_job(tmp_path: Path) -> None:
    with TestClient(make_test_app(tmp_path), base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE, "auto_render": True,
                                        "langs": ["en"]}).json()["id"]
        wait_for_status(lambda: get(c, jid), ("done",))
        assert (tmp_path / "jobs" / jid / "en.mp4").is_file()
        assert c.delete(f"/api/jobs/{jid}").status_code == 204
        assert not (tmp_path / "jobs" / jid).exists()
        assert c.get("/api/jobs").json()["jobs"] == []


def test_cancel_a_queued_job_never_runs_it(tmp_path: Path) -> None:
    pipe = FakePipeline()
    with TestClient(make_test_app(tmp_path, pipe), base_url=BASE) as c:
        first = c.post("/api/jobs", json={"text": f"Spin\nSTUBBORN-SCRIPT {SAMPLE_ARTICLE}"}
                       ).json()["id"]
        until(lambda: pipe.spins > 0, 10, "the first job to occupy the worker")
        queued = c.post("/api/jobs", json={"text": "Second story\nIt waits."}).json()
        assert queued["waiting"]["ahead"] == 1 and not queued["waiting"]["started"]
        assert c.post(f"/api/jobs/{queued['id']}/cancel").status_code == 202
        assert c.post(f"/api/jobs/{first}/cancel").status_code == 202
        time.sleep(2.5)  # the worker is free: it must not pick the cancelled one up
        assert get(c, queued["id"])["status"] == "cancelled"
        assert [t for _, t in pipe.calls] == ["Spin"]
        # Retry puts a cancelled job back in the queue.
        assert c.post(f"/api/jobs/{queued['id']}/retry").status_code == 202
        assert wait_for_status(lambda: get(c, queued["id"]), ("review",))["status"] == "review"


def test_cancel_from_the_page(tmp_path: Path) -> None:
    pipe = FakePipeline()
    with TestClient(make_test_app(tmp_path, pipe), base_url=BASE) as c:
        r = c.post("/jobs", data={"text": f"Spin\nSTUBBORN-SCRIPT {SAMPLE_ARTICLE}",
                                  "langs": ["en"]}, follow_redirects=False)
        jid = r.headers["location"].rsplit("/", 1)[1]
        until(lambda: pipe.spins > 0, 10, "work to start")
        page = c.get(f"/jobs/{jid}").text
        assert f'action="/jobs/{jid}/cancel"' in page and "Cancel job" in page
        r = c.post(f"/jobs/{jid}/cancel", follow_redirects=False)
        assert r.status_code == 303
        page = c.get(f"/jobs/{jid}").text
        assert "This job was cancelled" in page and "Start again" in page
        r = c.post(f"/jobs/{jid}/cancel")  # twice: the page says why, no JSON
        assert r.status_code == 409 and "cannot cancel" in r.text and "<html" in r.text
        r = c.post(f"/jobs/{jid}/delete", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/jobs?deleted=")
        assert "Deleted “Spin” and its files." in c.get(r.headers["location"]).text


def test_retention_by_age_and_size(tmp_path: Path) -> None:
    app = make_test_app(tmp_path, keep_days=1.0, keep_gb=0.0)
    with TestClient(app, base_url=BASE) as c:
        svc = c.app.state.service  # type: ignore[attr-defined]
        ids = []
        for i in range(4):
            jid = c.post("/api/jobs", json={"text": f"Story {i}\nBody {i}.", "langs": ["en"],
                                            "auto_render": True}).json()["id"]
            wait_for_status(lambda j=jid: get(c, j), ("done",))
            ids.append(jid)
        review = c.post("/api/jobs", json={"text": "Waiting\nFor review."}).json()["id"]
        wait_for_status(lambda: get(c, review), ("review",))
        # Two days from now every finished job is past keep_days; the one in review stays.
        gone = svc.sweep(now=time.time() + 2 * 86400)
        assert sorted(gone) == sorted(ids)
        assert [j["id"] for j in c.get("/api/jobs").json()["jobs"]] == [review]
        assert not any((tmp_path / "jobs" / j).exists() for j in ids)

    # By size: the oldest finished go first until the rest fits.
    app = make_test_app(tmp_path / "b", keep_gb=0.0)
    with TestClient(app, base_url=BASE) as c:
        svc = c.app.state.service  # type: ignore[attr-defined]
        ids = []
        for i in range(3):
            jid = c.post("/api/jobs", json={"text": f"Story {i}\nBody {i}.", "langs": ["en"],
                                            "auto_render": True}).json()["id"]
            wait_for_status(lambda j=jid: get(c, j), ("done",))
            (tmp_path / "b" / "jobs" / jid / "padding.bin").write_bytes(b"\0" * 400_000)
            ids.append(jid)
        assert svc.sweep() == []  # no cap set: nothing goes
        svc.cfg = dataclasses.replace(svc.cfg, keep_gb=0.0005)
        gone = svc.sweep()
        assert gone == ids[:2]  # 1.2 MB → under 0.5 MB: the two oldest go
        assert [j["id"] for j in c.get("/api/jobs").json()["jobs"]] == [ids[2]]


def test_child_pids_are_per_thread() -> None:
    """Only the cancelled job's own children are killed, not another worker thread's."""
    import subprocess
    import threading

    started: dict[str, int] = {}
    procs: list[subprocess.Popen[bytes]] = []
    ready = threading.Barrier(3)

    def spawn(name: str) -> None:
        p = subprocess.Popen(["sleep", "30"])
        procs.append(p)
        started[name] = threading.get_native_id()
        ready.wait()
        ready.wait()  # hold the thread (and its children link) until the test looked

    threads = [threading.Thread(target=spawn, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    ready.wait()
    try:
        a, b = child_pids(started["a"]), child_pids(started["b"])
        assert len(a) == 1 and len(b) == 1 and a != b
        assert {a[0], b[0]} == {p.pid for p in procs}
    finally:
        ready.wait()
        for p in procs:
            p.kill()
            p.wait()
        for t in threads:
            t.join()


def test_a_job_that_finishes_is_never_taken_for_a_cancelled_one(tmp_path: Path) -> None:
    """The watch sees the job leave the worker when it is done or in review: that is not a
    cancel, and the finished clips must stay."""
    app = make_test_app(tmp_path, FakePipeline(delay=0.02))
    app.state.runner.cancel_poll_s = 0.003  # the watch polls all the time: any race shows
    with TestClient(app, base_url=BASE) as c:
        ids = [c.post("/api/jobs", json={"text": f"Story {i}\nBody {i}.", "langs": ["en"],
                                         "auto_render": i % 2 == 0}).json()["id"]
               for i in range(8)]
        for i, jid in enumerate(ids):
            job = wait_for_status(lambda j=jid: get(c, j), ("done", "review", "failed"))
            assert job["status"] == ("done" if i % 2 == 0 else "review"), job
            assert "Work stopped" not in [p["message"] for p in job["progress"]]
            if job["status"] == "done":
                assert (tmp_path / "jobs" / jid / "en.mp4").is_file()


def test_a_dead_worker_thread_shows_within_15_s(tmp_path: Path) -> None:
    """In-process queue, default lease: a job held by a worker that stopped beating (a
    thread that died holding it) says "Worker lost — retrying" within 15 s and runs again."""
    import time as _time

    from anchor.web.job_store import WORKER_LOST, claim

    with TestClient(make_test_app(tmp_path, workers=1), base_url="http://127.0.0.1") as c:
        store = c.app.state.store  # type: ignore[attr-defined]
        jid = c.post("/api/jobs", json={"text": "Held\nSTUBBORN-SCRIPT x. y.",
                                        "langs": ["en"]}).json()["id"]
        # the queue's own worker took it; make it look like a worker that died
        deadline = _time.monotonic() + 10
        while store.get(jid).lease_until is None:
            assert _time.monotonic() < deadline
            _time.sleep(0.05)
        c.post(f"/api/jobs/{jid}/cancel")
        c.post(f"/api/jobs/{jid}/retry")
        t0 = _time.time()
        dead = claim(store, jid, "gone-host:1:1:dead", lease_s=12.0)
        if dead is None:  # the live worker was quicker: take it from it, as a dead one would
            from dataclasses import replace

            store.modify(jid, lambda j: replace(j, worker="gone-host:1:1:dead",
                                                lease_until=_time.time() + 12.0, beat=t0))
        while WORKER_LOST not in [m for _, m in store.get(jid).progress]:
            assert _time.time() - t0 < 15, store.get(jid).progress
            _time.sleep(0.1)
        took = _time.time() - t0
        c.post(f"/api/jobs/{jid}/cancel")
        print(f"worker lost shown {took:.1f} s after its last heartbeat (lease 12 s)")
