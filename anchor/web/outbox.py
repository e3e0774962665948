"""A durable outbox for webhook events: written with the state change, delivered later.

An event (``done``, ``failed``, ``review``, ``approved``) is one row, written in the same
transaction as the job change that caused it (SQLite: the same ``BEGIN IMMEDIATE``;
Redis: the same ``MULTI``), so a server killed a moment later loses neither. A sender
thread (``webhooks.WebhookSender``) then delivers what is due, in any process of the
service: it *claims* an event by moving its due time past the length of one attempt,
so two senders never post it at once, and one that dies mid-attempt only delays it.

Each row keeps its delivery id for life: the receiver sees the same
``X-Anchor-Delivery`` on every retry and can drop repeats. A resend of an event that
was delivered or given up is a new row with a new id (``resend_of`` names the old one).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from .job_store import Job

__all__ = ["Outbox", "OutboxEvent", "RedisOutbox", "SqliteOutbox", "event_payload",
           "make_event"]

State = Literal["pending", "delivered", "gave_up"]
EVENTS = ("review", "done", "failed", "approved")


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    id: str  # the delivery id: X-Anchor-Delivery, the same on every retry
    job_id: str
    event: str
    body: dict[str, Any]  # the payload as of the state change (``sent_at`` added per try)
    created: float
    due: float  # when the next attempt may start
    tries: int = 0
    state: State = "pending"
    last: str = ""  # the last attempt's outcome, in words
    last_status: int | None = None
    delivered_at: float | None = None
    resend_of: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> OutboxEvent:
        return cls(**json.loads(text))


def event_payload(job: Job, event: str, base_url: str) -> dict[str, Any]:
    """The body a receiver gets: the job as it is at the event, with absolute URLs."""
    base = base_url.rstrip("/")
    api = f"{base}/api/jobs/{job.id}"
    body: dict[str, Any] = {
        "event": event,
        "job": {"id": job.id, "status": job.status, "title": job.title,
                "language": job.language, "submitter": job.submitter or None,
                "approved_by": job.approved_by or None,
                "error": job.error or None,
                "files": [{"name": f["name"], "kind": f["kind"], "bytes": f["bytes"],
                           "url": f"{api}/files/{f['name']}"} for f in job.files],
                "url": api, "page": f"{base}/jobs/{job.id}"},
    }
    if event == "review":
        script = job.script or {}
        flagged = (["headline"] if script.get("title_warnings") else []) + [
            f"sentence {s['index'] + 1}" for s in script.get("segments", ())
            if s.get("review") and not s.get("checked_by")]
        body["review"] = {"auto_render": job.auto_render, "needs_review": flagged,
                          "warnings": list(job.warnings)}
    return body


def make_event(job: Job, event: str, base_url: str, now: float | None = None) -> OutboxEvent:
    now = time.time() if now is None else now
    return OutboxEvent(id=secrets.token_hex(8), job_id=job.id, event=event,
                       body=event_payload(job, event, base_url), created=now, due=now)


class Outbox(Protocol):
    """Where events wait. The job stores write into it inside their own transactions."""

    def claim(self, now: float, hold_s: float, limit: int = 20) -> list[OutboxEvent]:
        """Due pending events, each held for ``hold_s`` against other senders."""
        ...

    def save(self, ev: OutboxEvent) -> None:
        """Write an event's new state (after an attempt, or a resend)."""
        ...

    def get(self, event_id: str) -> OutboxEvent | None: ...

    def for_job(self, job_id: str) -> list[OutboxEvent]:
        """A job's events, oldest first."""
        ...

    def counts(self) -> dict[str, int]: ...


class SqliteOutbox:
    """The ``outbox`` table inside jobs.sqlite (so a job change and its event share a
    transaction)."""

    def __init__(self, con_factory: Any) -> None:
        self._con = con_factory  # SqliteJobStore._con: one connection per thread

    @staticmethod
    def create_table(con: sqlite3.Connection) -> None:
        con.execute("CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY,"
                    " job_id TEXT NOT NULL, state TEXT NOT NULL, due REAL NOT NULL,"
                    " created REAL NOT NULL, doc TEXT NOT NULL)")
        con.execute("CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, due)")
        con.execute("CREATE INDEX IF NOT EXISTS outbox_job ON outbox(job_id, created)")

    @staticmethod
    def insert(con: sqlite3.Connection, ev: OutboxEvent) -> None:
        con.execute("INSERT OR REPLACE INTO outbox (id, job_id, state, due, created, doc)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (ev.id, ev.job_id, ev.state, ev.due, ev.created, ev.to_json()))

    def claim(self, now: float, hold_s: float, limit: int = 20) -> list[OutboxEvent]:
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            rows = con.execute("SELECT doc FROM outbox WHERE state = 'pending' AND due <= ?"
                               " ORDER BY due LIMIT ?", (now, limit)).fetchall()
            out = []
            for (doc,) in rows:
                ev = replace(OutboxEvent.from_json(doc), due=now + hold_s)
                self.insert(con, ev)
                out.append(ev)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        return out

    def save(self, ev: OutboxEvent) -> None:
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            self.insert(con, ev)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def get(self, event_id: str) -> OutboxEvent | None:
        row = self._con().execute("SELECT doc FROM outbox WHERE id = ?",
                                  (event_id,)).fetchone()
        return OutboxEvent.from_json(row[0]) if row else None

    def for_job(self, job_id: str) -> list[OutboxEvent]:
        rows = self._con().execute("SELECT doc FROM outbox WHERE job_id = ?"
                                   " ORDER BY created, id", (job_id,)).fetchall()
        return [OutboxEvent.from_json(r[0]) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._con().execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return {state: n for state, n in rows}


# Claim atomically: due events get a due time one attempt away, so nobody else takes them.
_CLAIM_LUA = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
"""


class RedisOutbox:
    """``<prefix>outbox:<id>`` (the event), ``<prefix>outbox-due`` (pending ids by due
    time) and ``<prefix>outbox-job:<job>`` (a job's ids by creation time)."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._claim = client.register_script(_CLAIM_LUA)

    def _key(self, event_id: str) -> str:
        return f"{self.prefix}outbox:{event_id}"

    def write(self, pipe: Any, ev: OutboxEvent) -> None:
        """Queue the event's writes on ``pipe`` (inside the caller's MULTI)."""
        pipe.set(self._key(ev.id), ev.to_json())
        pipe.zadd(f"{self.prefix}outbox-job:{ev.job_id}", {ev.id: ev.created})
        if ev.state == "pending":
            pipe.zadd(f"{self.prefix}outbox-due", {ev.id: ev.due})
        else:
            pipe.zrem(f"{self.prefix}outbox-due", ev.id)

    def claim(self, now: float, hold_s: float, limit: int = 20) -> list[OutboxEvent]:
        ids = self._claim(keys=[f"{self.prefix}outbox-due"], args=[now, now + hold_s, limit])
        out = []
        for raw_id in ids:
            ev = self.get(raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id))
            if ev is not None and ev.state == "pending":
                out.append(replace(ev, due=now + hold_s))
        return out

    def save(self, ev: OutboxEvent) -> None:
        with self.client.pipeline() as pipe:
            self.write(pipe, ev)
            pipe.execute()

    def get(self, event_id: str) -> OutboxEvent | None:
        raw = self.client.get(self._key(event_id))
        return OutboxEvent.from_json(raw) if raw is not None else None

    def for_job(self, job_id: str) -> list[OutboxEvent]:
        ids = self.client.zrange(f"{self.prefix}outbox-job:{job_id}", 0, -1)
        docs = self.client.mget([self._key(i.decode() if isinstance(i, bytes) else i)
                                 for i in ids]) if ids else []
        return [OutboxEvent.from_json(d) for d in docs if d is not None]

    def counts(self) -> dict[str, int]:
        return {"pending": int(self.client.zcard(f"{self.prefix}outbox-due"))}
