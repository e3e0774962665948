"""Hand-off to the CMS: a signed POST on each job event (done, failed, approved).

The body is JSON: ``{"event", "job": {id, status, title, ...}, "sent_at"}``. Headers:

- ``X-Anchor-Event``: the event name; ``X-Anchor-Delivery``: one id per event (the same
  on every retry, so a receiver can drop duplicates);
- ``X-Anchor-Timestamp``: unix seconds of this attempt;
- ``X-Anchor-Signature: sha256=<hex>``: HMAC-SHA256 with the shared secret over
  ``"<timestamp>.<body>"``, so a receiver can check who sent it and refuse replays.

A failed attempt (network error, timeout, 5xx, 408, 429) is retried with exponential
backoff; any other 4xx means the receiver refuses this event and retrying would not
help. Every attempt is logged on the job (``deliveries``), for the reporter and the
operator to see. Deliveries run in one background thread per process, so a slow
receiver never holds up a worker or a request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .jobs import Job, JobNotFound, JobStore

__all__ = ["Webhooks", "sign", "verify"]

log = logging.getLogger(__name__)

_KEEP = 30  # attempts kept on a job


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str,
           max_age_s: float = 300, now: float | None = None) -> bool:
    """What a receiver does (shown in docs/web.md; used by the tests)."""
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > max_age_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def payload(job: Job, event: str) -> dict[str, Any]:
    return {
        "event": event,
        "job": {"id": job.id, "status": job.status, "title": job.title,
                "language": job.language, "submitter": job.submitter or None,
                "approved_by": job.approved_by or None,
                "error": job.error or None,
                "files": [{"name": f["name"], "kind": f["kind"], "bytes": f["bytes"],
                           "url": f"/api/jobs/{job.id}/files/{f['name']}"} for f in job.files],
                "url": f"/api/jobs/{job.id}"},
    }


class Webhooks:
    """Sends events for one process; ``send(job, event)`` returns at once."""

    def __init__(self, store: JobStore, url: str, secret: str, attempts: int = 6,
                 backoff_s: float = 2.0, timeout_s: float = 10.0,
                 opener: Callable[..., Any] | None = None) -> None:
        self.store, self.url, self.secret = store, url, secret
        self.attempts, self.backoff_s, self.timeout_s = attempts, backoff_s, timeout_s
        self._open = opener or urllib.request.urlopen
        self._queue: queue.PriorityQueue[tuple[float, int, dict[str, Any]]] = (
            queue.PriorityQueue())
        self._seq = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def send(self, job: Job, event: str) -> None:
        body = payload(job, event)
        item = {"job_id": job.id, "event": event, "body": body, "try": 1,
                "delivery": secrets.token_hex(8)}
        self._put(time.monotonic(), item)

    def _put(self, when: float, item: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            seq = self._seq
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="anchor-webhooks",
                                                daemon=True)
                self._thread.start()
        self._queue.put((when, seq, item))

    def stop(self) -> None:
        self._stop.set()
        self._queue.put((0.0, -1, {}))
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            when, _, item = self._queue.get()
            if not item:
                continue
            wait = when - time.monotonic()
            if wait > 0:
                self._queue.put((when, _, item))  # not yet: look again shortly
                self._stop.wait(min(wait, 0.5))
                continue
            try:
                self._attempt(item)
            except Exception:  # never let one bad event end the sender
                log.exception("webhook: could not deliver %s", item.get("event"))

    def _attempt(self, item: dict[str, Any]) -> None:
        body = dict(item["body"], sent_at=time.time())
        raw = json.dumps(body, ensure_ascii=False).encode()
        ts = int(time.time())
        req = urllib.request.Request(self.url, data=raw, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "anchor-webhook/1",
            "X-Anchor-Event": item["event"], "X-Anchor-Delivery": item["delivery"],
            "X-Anchor-Timestamp": str(ts), "X-Anchor-Signature": sign(self.secret, ts, raw)})
        t0 = time.monotonic()
        status, outcome = 0, ""
        try:
            with self._open(req, timeout=self.timeout_s) as resp:
                status = int(resp.status)
        except urllib.error.HTTPError as exc:
            status, outcome = int(exc.code), f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            outcome = f"no answer: {reason}"[:200]
        ok = 200 <= status < 300
        permanent = 400 <= status < 500 and status not in (408, 429)
        retry = not ok and not permanent and item["try"] < self.attempts
        delay = self.backoff_s * 2 ** (item["try"] - 1)
        entry = {"at": time.time(), "event": item["event"], "try": item["try"],
                 "delivery": item["delivery"], "status": status or None,
                 "ok": ok, "ms": int((time.monotonic() - t0) * 1000),
                 "result": "delivered" if ok else (outcome or f"HTTP {status}") + (
                     f"; retrying in {delay:g} s" if retry else "; gave up")}
        self._log(item["job_id"], entry)
        if ok:
            return
        log.warning("webhook %s for job %s: %s", item["event"], item["job_id"], entry["result"])
        if retry:
            self._put(time.monotonic() + delay, dict(item, **{"try": item["try"] + 1}))

    def _log(self, job_id: str, entry: dict[str, Any]) -> None:
        try:
            self.store.modify(job_id, lambda j: replace(
                j, deliveries=(*j.deliveries, entry)[-_KEEP:]))
        except JobNotFound:
            pass
        except Exception as exc:
            log.warning("webhook: attempt not logged on job %s: %s", job_id, exc)
