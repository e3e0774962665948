#!/usr/bin/env python3
"""Outbox soak: webhook events survive a receiver outage and server kills, none twice.

Runs ``anchor serve`` (on the tests' fake pipeline: no models) with a webhook pointed at
a receiver in this script. The receiver is down from the start; the script submits
jobs that make ``--events`` events (half auto-rendered to ``done``, half stopping in
``review``), kills the server with SIGKILL ``--kills`` times during the outage and starts
it again, then brings the receiver back and waits until every event has arrived.

Prints: events expected / delivered, deliveries refused (receiver down), duplicate
deliveries under one delivery id, events lost, and how long after the receiver came
back the last one arrived. Exit 1 if any event is lost or delivered twice.

    PYTHONPATH=. python scripts/soak_outbox.py                 # 200 events, 60 s outage
    PYTHONPATH=. nice python scripts/soak_outbox.py --outage 600   # the issue's 10 minutes
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "soak-secret"


class Receiver:
    """A CMS endpoint on ``port`` that can go down (its socket closed) and come back."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.got: list[tuple[str, str, str, float]] = []  # (delivery, event, job, time)
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def up(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with outer.lock:
                    outer.got.append((self.headers["X-Anchor-Delivery"],
                                      self.headers["X-Anchor-Event"], body["job"]["id"],
                                      time.time()))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def start_server(data: Path, port: int, hook_port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'tests'}:{ROOT}",
               ANCHOR_SERVE_PIPELINE="fake_pipeline:FakePipeline",
               ANCHOR_WEBHOOK_URL=f"http://127.0.0.1:{hook_port}/hook",
               ANCHOR_WEBHOOK_SECRET=SECRET, ANCHOR_CONFIG=str(data / "anchor.toml"))
    anchor = Path(sys.executable).with_name("anchor")
    cmd = [str(anchor), "serve", "--port", str(port), "--data", str(data)]
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"anchor serve exited: see {log}") from None
            time.sleep(0.3)
    raise SystemExit("anchor serve did not start")


def submit(port: int, n: int) -> list[str]:
    ids = []
    for i in range(n):
        body = json.dumps({"text": f"Soak story {i}\nThe city opened {i + 3} new parks on "
                                   "Monday. Officials said more would follow next year.",
                           "langs": ["en"], "auto_render": i % 2 == 0}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/jobs", data=body,
                                     headers={"Content-Type": "application/json"})
        ids.append(json.loads(urllib.request.urlopen(req, timeout=30).read())["id"])
    return ids


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=200)
    ap.add_argument("--outage", type=float, default=60.0, help="seconds the receiver is down")
    ap.add_argument("--kills", type=int, default=2)
    ap.add_argument("--port", type=int, default=8230)
    ap.add_argument("--hook-port", type=int, default=8231)
    ap.add_argument("--max-interval", type=float, default=30.0,
                    help="webhook_max_interval_s: the backoff's cap")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="anchor-soak-outbox-"))
    data, log = tmp / "data", tmp / "serve.log"
    data.mkdir()
    (data / "anchor.toml").write_text(f"[serve]\nwebhook_max_interval_s = {args.max_interval}\n")
    receiver = Receiver(args.hook_port)
    t0 = time.time()
    proc = start_server(data, args.port, args.hook_port, log)
    ids = submit(args.port, args.events)
    print(f"submitted {len(ids)} jobs in {time.time() - t0:.1f} s; receiver down", flush=True)
    kills_at = [t0 + args.outage * (k + 1) / (args.kills + 1) for k in range(args.kills)]
    for at in kills_at:
        time.sleep(max(0.0, at - time.time()))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        print(f"t={time.time() - t0:.0f} s: anchor serve killed (SIGKILL); starting again",
              flush=True)
        proc = start_server(data, args.port, args.hook_port, log)
    time.sleep(max(0.0, t0 + args.outage - time.time()))
    back = time.time()
    receiver.up()
    print(f"t={back - t0:.0f} s: receiver up", flush=True)
    deadline = back + args.max_interval * 3 + 120
    while time.time() < deadline:
        with receiver.lock:
            if len({d for d, *_ in receiver.got}) >= args.events:
                break
        time.sleep(1)
    time.sleep(3)  # anything late (a duplicate) would come now
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    receiver.down()

    got = list(receiver.got)
    per_delivery = Counter(d for d, *_ in got)
    per_job = Counter(j for _, _, j, _ in got)
    lost = [j for j in ids if j not in per_job]
    dupes = sum(n - 1 for n in per_delivery.values() if n > 1)
    events = Counter(e for _, e, _, _ in got)
    last = max((t for *_, t in got), default=back)
    print(f"events expected {len(ids)}, delivered {len(per_delivery)} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(events.items()))})")
    print(f"duplicate deliveries under one delivery id: {dupes}")
    print(f"jobs with more than one distinct event: "
          f"{sum(1 for n in per_job.values() if n > 1)}; events lost: {len(lost)}")
    print(f"last event arrived {last - back:.1f} s after the receiver came back "
          f"(backoff cap {args.max_interval:g} s); outage {args.outage:g} s, "
          f"{args.kills} server kills; log {log}")
    return 1 if lost or dupes or len(per_delivery) < len(ids) else 0


if __name__ == "__main__":
    sys.exit(main())
