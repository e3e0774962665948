#!/usr/bin/env python3
"""Huey soak: jobs on Redis with two workers, one killed with SIGKILL every so often.

Starts its own ``redis-server`` (port 6393, a temporary folder), ``anchor serve`` as the
web server (``--workers 0``, the tests' fake pipeline: no models) and two
``anchor serve --worker-only`` processes. Submits ``--jobs`` auto-rendered jobs, kills one
worker every ``--kill-every`` seconds and starts a new one, until every job is finished.

Prints: jobs done / failed, how many times each was finished (its ``done`` webhook
events, counted by a receiver here, and its "Clips ready" lines), and for every kill how
long until the job it held said "Worker lost — retrying". Exit 1 unless every job is done
exactly once.

    PYTHONPATH=. python scripts/soak_huey.py                   # 50 jobs, a kill every 60 s
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOST = "Worker lost — retrying"


def receiver(port: int) -> tuple[ThreadingHTTPServer, list[tuple[str, str, str]]]:
    got: list[tuple[str, str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            got.append((self.headers["X-Anchor-Delivery"], body["event"], body["job"]["id"]))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, got


def env_for(args: argparse.Namespace, hook_port: int) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=f"{ROOT / 'tests'}:{ROOT}",
                ANCHOR_SERVE_PIPELINE="fake_pipeline:FakePipeline",
                ANCHOR_FAKE_DELAY=str(args.delay),
                ANCHOR_WEBHOOK_URL=f"http://127.0.0.1:{hook_port}/hook",
                ANCHOR_WEBHOOK_SECRET="soak")


def get(url: str) -> Any:
    return json.loads(urllib.request.urlopen(url, timeout=10).read())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=50)
    ap.add_argument("--kill-every", type=float, default=60.0)
    ap.add_argument("--delay", type=float, default=2.0, help="fake seconds per stage")
    ap.add_argument("--redis-port", type=int, default=6393)
    ap.add_argument("--port", type=int, default=8232)
    ap.add_argument("--hook-port", type=int, default=8233)
    ap.add_argument("--timeout", type=float, default=1200.0)
    args = ap.parse_args()
    redis_bin = shutil.which("redis-server")
    if redis_bin is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")

    tmp = Path(tempfile.mkdtemp(prefix="anchor-soak-huey-"))
    data = tmp / "data"
    queue = f"huey-redis://127.0.0.1:{args.redis_port}/0"
    anchor = str(Path(sys.executable).with_name("anchor"))
    redis = subprocess.Popen([redis_bin, "--port", str(args.redis_port), "--bind", "127.0.0.1",
                              "--dir", str(tmp), "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hooks, got = receiver(args.hook_port)
    env = env_for(args, args.hook_port)
    procs: list[subprocess.Popen[bytes]] = []

    def worker(n: int) -> subprocess.Popen[bytes]:
        p = subprocess.Popen([anchor, "serve", "--worker-only", "--queue", queue, "--data",
                              str(data), "--workers", "1"], env=env, cwd=ROOT,
                             stdout=(tmp / f"worker{n}.log").open("wb"),
                             stderr=subprocess.STDOUT)
        procs.append(p)
        return p

    try:
        time.sleep(0.5)
        web = subprocess.Popen([anchor, "serve", "--port", str(args.port), "--data", str(data),
                                "--queue", queue, "--workers", "0"], env=env, cwd=ROOT,
                               stdout=(tmp / "web.log").open("wb"), stderr=subprocess.STDOUT)
        procs.append(web)
        base = f"http://127.0.0.1:{args.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    raise SystemExit(f"anchor serve did not start: {tmp / 'web.log'}") from None
                time.sleep(0.3)
        workers = [worker(0), worker(1)]
        ids = []
        for i in range(args.jobs):
            body = json.dumps({"text": f"Soak {i}\nThe port handled {i + 2} ships on Monday. "
                                       "Officials expect more next week.", "langs": ["en"],
                               "auto_render": True}).encode()
            req = urllib.request.Request(f"{base}/api/jobs", data=body,
                                         headers={"Content-Type": "application/json"})
            ids.append(json.loads(urllib.request.urlopen(req, timeout=30).read())["id"])
        t0 = time.time()
        print(f"{len(ids)} jobs submitted; 2 workers; a kill every {args.kill_every:g} s",
              flush=True)
        kills: list[tuple[float, list[str]]] = []
        next_kill, n = t0 + args.kill_every, 2
        while time.time() - t0 < args.timeout:
            jobs = [get(f"{base}/api/jobs/{j}") for j in ids]
            if all(j["status"] in ("done", "failed") for j in jobs):
                break
            if time.time() >= next_kill:
                victim = workers.pop(0)
                # the job(s) this very process holds: its host:pid is the job's last worker
                held = [j["id"] for j in jobs if j["status"] in ("scripting", "rendering")
                        and j["waiting"] and j["waiting"]["started"] and j["workers"]
                        and j["workers"][-1].endswith(f":{victim.pid}")]
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                kills.append((time.time(), held))
                print(f"t={time.time() - t0:.0f} s: killed a worker ({len(held)} job(s) "
                      f"running); starting another", flush=True)
                workers.append(worker(n))
                n += 1
                next_kill += args.kill_every
            time.sleep(0.5)
        took = time.time() - t0
        time.sleep(3)  # the last done events
        jobs = [get(f"{base}/api/jobs/{j}") for j in ids]
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        hooks.shutdown()
        redis.terminate()
        redis.wait(10)

    statuses = Counter(j["status"] for j in jobs)
    done_events = Counter(job for _, ev, job in got if ev == "done")
    ready = {j["id"]: sum(1 for p in j["progress"] if p["message"] == "Clips ready")
             for j in jobs}
    once = [j for j in ids if done_events[j] == 1 and ready[j] == 1]
    print(f"{len(ids)} jobs in {took:.0f} s: {dict(statuses)}")
    print(f"done exactly once (one 'done' event and one 'Clips ready' each): {len(once)}"
          f"/{len(ids)}; done twice: {sum(1 for j in ids if done_events[j] > 1)}")
    waits = []
    for at, held in kills:
        for jid in held:
            job = next(j for j in jobs if j["id"] == jid)
            lost = [datetime.fromisoformat(p["at"]).timestamp() for p in job["progress"]
                    if p["message"] == LOST]
            after = [t - at for t in lost if t >= at - 1]
            if after:
                waits.append(min(after))
    if waits:
        print(f"'{LOST}' shown {len(waits)} times, after "
              + ", ".join(f"{w:.1f}" for w in waits) + f" s (max {max(waits):.1f} s)")
    print(f"{len(kills)} kills; logs in {tmp}")
    ok = len(once) == len(ids) and statuses.get("done", 0) == len(ids)
    return 0 if ok and all(w <= 15 for w in waits) else 1


if __name__ == "__main__":
    sys.exit(main())
