"""20 reporters submit at once over real HTTP (uvicorn on loopback): every job completes.

Prints the measured numbers (run with -s to see them) and writes them to
``<tmp>/load.json``.
"""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from pathlib import Path

import httpx
from fake_pipeline import SAMPLE_ARTICLE, FakePipeline, make_test_app, serve_in_thread

N = 20


def test_twenty_concurrent_submissions_all_complete(tmp_path: Path) -> None:
    pipe = FakePipeline(delay=0.05)  # 0.2 s of "work" per job across its stages
    app = make_test_app(tmp_path, pipe, workers=2)
    with serve_in_thread(app) as base:
        barrier = threading.Barrier(N)
        results: list[tuple[int, str, float]] = []
        lock = threading.Lock()

        def reporter(i: int) -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                barrier.wait()  # all 20 requests leave together
                t0 = time.perf_counter()
                r = http.post("/api/jobs", json={"text": f"Story {i}\n{SAMPLE_ARTICLE}",
                                                 "langs": ["zh", "en"], "auto_render": True})
                dt = time.perf_counter() - t0
            with lock:
                results.append((r.status_code, r.json().get("id", ""), dt))

        t_start = time.perf_counter()
        threads = [threading.Thread(target=reporter, args=(i,)) for i in range(N)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        t_submitted = time.perf_counter() - t_start
        assert [s for s, _, _ in results] == [201] * N, results
        ids = {jid for _, jid, _ in results}
        assert len(ids) == N

        with httpx.Client(base_url=base, timeout=30) as http:
            deadline = time.monotonic() + 120
            while True:
                jobs = http.get("/api/jobs", params={"limit": 100}).json()["jobs"]
                finished = [j for j in jobs if j["status"] in ("done", "failed")]
                if len(finished) == N or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            t_done = time.perf_counter() - t_start
            assert {j["id"] for j in jobs} == ids  # none lost, none extra
            assert {j["status"] for j in jobs} == {"done"}
            for jid in ids:
                files = {f["name"] for f in http.get(f"/api/jobs/{jid}").json()["files"]}
                assert {"zh.mp4", "en.mp4", "zh.srt", "en.vtt"} <= files
        assert sorted(p for p, _ in pipe.calls) == ["prepare"] * N + ["render"] * N

        # A raw request line is not normalised by any client: ".." must still not escape.
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as s:
            s.sendall(f"GET /api/jobs/{next(iter(ids))}/files/../../jobs.sqlite HTTP/1.1\r\n"
                      f"Host: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            raw = b""
            while chunk := s.recv(65536):
                raw += chunk
        assert raw.startswith(b"HTTP/1.1 404") and b"SQLite format" not in raw

    latencies = sorted(dt for _, _, dt in results)
    numbers = {
        "submissions": N, "completed": N, "lost": 0, "workers": 2,
        "fake_work_per_job_s": 0.2,  # 2 waits to script + 1 per language
        "submit_latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "submit_latency_max_ms": round(latencies[-1] * 1000, 1),
        "all_submitted_s": round(t_submitted, 3),
        "all_done_s": round(t_done, 3),
    }
    (tmp_path / "load.json").write_text(json.dumps(numbers, indent=2))
    print("\nload:", json.dumps(numbers))
