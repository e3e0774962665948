"""Hand-off to the CMS: a signed POST on each job event (review, done, failed, approved).

The body is JSON: ``{"event", "job": {id, status, title, ...}, "sent_at"}``. Headers:

- ``X-Anchor-Event``: the event name; ``X-Anchor-Delivery``: one id per event (the same
  on every retry, so a receiver can drop duplicates);
- ``X-Anchor-Timestamp``: unix seconds of this attempt;
- ``X-Anchor-Signature: sha256=<hex>``: HMAC-SHA256 with the shared secret over
  ``"<timestamp>.<body>"``, so a receiver can check who sent it and refuse replays.

Events wait in the durable outbox (``outbox.py``), written with the state change, so
a restart loses none. A failed attempt (network error, timeout, 5xx, 408, 429) is
retried with exponential backoff for hours; any other 4xx means the receiver refuses
this event and retrying would not help. Every attempt is logged on the job
(``deliveries``), for the reporter and the operator to see. Deliveries run in a
background thread, so a slow receiver never holds up a worker or a request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .job_store import JobNotFound, JobStore
from .outbox import OutboxEvent

__all__ = ["WebhookSender", "sign", "verify"]

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


class WebhookSender:
    """Delivers the outbox's due events from this process (a background thread).

    A network error, timeout, 5xx, 408 or 429 is retried after ``backoff_s``, doubling
    up to ``max_interval_s``, until the event is ``retry_hours`` old; another 4xx means
    the receiver refuses this event, and retrying would not help. Each attempt is
    logged on the job (``deliveries``) and on the event itself.
    """

    def __init__(self, store: JobStore, url: str, secret: str, *, backoff_s: float = 2.0,
                 max_interval_s: float = 300.0, retry_hours: float = 24.0,
                 timeout_s: float = 10.0, poll_s: float = 1.0,
                 opener: Callable[..., Any] | None = None) -> None:
        self.store, self.outbox, self.url, self.secret = store, store.outbox, url, secret
        self.backoff_s, self.max_interval_s = backoff_s, max_interval_s
        self.retry_hours, self.timeout_s, self.poll_s = retry_hours, timeout_s, poll_s
        self._open = opener or urllib.request.urlopen
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="anchor-webhooks",
                                            daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """A new event was written here: look now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s + 5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                due = self.outbox.claim(time.time(), hold_s=self.timeout_s * 3)
            except Exception as exc:  # the store briefly away: try again shortly
                log.warning("webhook outbox unreadable: %s", exc)
                due = []
            for ev in due:
                if self._stop.is_set():
                    break  # claimed but not tried: its hold runs out, another try takes it
                try:
                    self.attempt(ev)
                except Exception:  # never let one bad event end the sender
                    log.exception("webhook: could not deliver %s", ev.event)
            if not due:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def delay(self, tries: int) -> float:
        """Seconds before try ``tries + 1``: exponential, capped."""
        return float(min(self.backoff_s * 2 ** (tries - 1), self.max_interval_s))

    def attempt(self, ev: OutboxEvent) -> OutboxEvent:
        """POST one event once, and record the outcome (on the event and on the job)."""
        body = dict(ev.body, delivery=ev.id, sent_at=time.time())
        raw = json.dumps(body, ensure_ascii=False).encode()
        ts = int(time.time())
        req = urllib.request.Request(self.url, data=raw, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "anchor-webhook/2",
            "X-Anchor-Event": ev.event, "X-Anchor-Delivery": ev.id,
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
        now = time.time()
        tries = ev.tries + 1
        ok = 200 <= status < 300
        refused = 400 <= status < 500 and status not in (408, 429)
        expired = now + self.delay(tries) > ev.created + self.retry_hours * 3600
        result = "delivered" if ok else (outcome or f"HTTP {status}")
        if ok:
            new = replace(ev, state="delivered", tries=tries, last=result, last_status=status,
                          delivered_at=now, due=now)
        elif refused or expired:
            why = "the receiver refused it" if refused else \
                f"still failing after {self.retry_hours:g} h"
            new = replace(ev, state="gave_up", tries=tries, last_status=status or None,
                          last=f"{result}; gave up: {why}", due=now)
        else:
            new = replace(ev, tries=tries, last=result, last_status=status or None,
                          due=now + self.delay(tries))
        self.outbox.save(new)
        entry = {"at": now, "event": ev.event, "try": tries, "delivery": ev.id,
                 "status": status or None, "ok": ok,
                 "ms": int((time.monotonic() - t0) * 1000),
                 "result": new.last if new.state == "gave_up" else result}
        self._log(ev.job_id, entry)
        if not ok:
            log.warning("webhook %s for job %s: %s", ev.event, ev.job_id, entry["result"])
        return new

    def resend(self, event_id: str, by: str = "") -> OutboxEvent:
        """Send an event again now: a pending one at once under its id; a delivered or
        given-up one as a new delivery (new id, ``resend_of`` the old)."""
        ev = self.outbox.get(event_id)
        if ev is None:
            raise KeyError(event_id)
        now = time.time()
        if ev.state == "pending":
            new = replace(ev, due=now)
        else:
            new = replace(ev, id=secrets.token_hex(8), created=now, due=now, tries=0,
                          state="pending", last=f"resent by {by}" if by else "resent",
                          last_status=None, delivered_at=None, resend_of=ev.id)
        self.outbox.save(new)
        self.wake()
        return new

    def _log(self, job_id: str, entry: dict[str, Any]) -> None:
        try:
            self.store.modify(job_id, lambda j: replace(
                j, deliveries=(*j.deliveries, entry)[-_KEEP:]))
        except JobNotFound:
            pass
        except Exception as exc:
            log.warning("webhook: attempt not logged on job %s: %s", job_id, exc)
