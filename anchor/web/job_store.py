"""Job records and the stores that keep them: SQLite (default) and Redis (with Huey).

A job is one article on its way to clips. Its record is a small JSON document; the
stores only add what a query needs (status, queue time, lease) as indexed fields.

Every change goes through ``modify(job_id, fn)``: read, let ``fn`` decide, write —
atomically (SQLite ``BEGIN IMMEDIATE``; Redis ``WATCH``/``MULTI``). Claims, leases and
state transitions are built on that one primitive, so both stores behave the same
and a job is never run twice at once, even when several processes race for it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from anchor.core.errors import AnchorError

from .outbox import Outbox, OutboxEvent, RedisOutbox, SqliteOutbox
from .sqlite import immediate

__all__ = [
    "ACTIVE",
    "FINISHED",
    "Job",
    "JobNotFound",
    "JobStore",
    "RedisJobStore",
    "SqliteJobStore",
    "Status",
    "new_job_id",
]

log = logging.getLogger(__name__)

Status = Literal["scripting", "review", "rendering", "done", "failed", "cancelled"]
STATUSES: tuple[str, ...] = ("scripting", "review", "rendering", "done", "failed", "cancelled")
# Statuses in which a worker has something to do (queued or running).
ACTIVE: tuple[str, ...] = ("scripting", "rendering")
# Statuses no worker will touch again: what retention may delete.
FINISHED: tuple[str, ...] = ("done", "failed", "cancelled")
_PROGRESS_KEEP = 60  # progress lines kept per job: enough for every stage, bounded


class JobNotFound(AnchorError):
    """No job with that id (or the id is malformed)."""


def new_job_id() -> str:
    # 16 hex chars from the OS RNG: unguessable enough that ids can appear in URLs,
    # and a fixed alphabet so an id can never carry a path separator.
    return secrets.token_hex(8)


def valid_job_id(job_id: str) -> bool:
    return len(job_id) == 16 and all(c in "0123456789abcdef" for c in job_id)


@dataclass(frozen=True, slots=True)
class Job:
    """One submission. Plain JSON-able fields only, so any store can keep it."""

    id: str
    status: Status
    created: float
    updated: float
    title: str = ""
    language: str = ""
    options: dict[str, Any] = field(default_factory=dict)  # Settings overrides
    auto_render: bool = False
    article: dict[str, Any] = field(default_factory=dict)  # to_dict(Article)
    script: dict[str, Any] | None = None  # to_dict(Script) once made
    stage: str = "queued"  # the latest progress message
    progress: tuple[tuple[float, str], ...] = ()  # (unix time, message)
    warnings: tuple[str, ...] = ()
    clips: tuple[dict[str, Any], ...] = ()  # label, video, srt, vtt, duration_ms, size
    files: tuple[dict[str, Any], ...] = ()  # name, kind, bytes: the only downloadable names
    error: str = ""
    hint: str = ""
    queued: float = 0.0  # when it last entered the queue: FIFO order
    lease_until: float | None = None  # set while a worker holds it
    worker: str = ""
    attempts: int = 0  # claims in the current phase: a job that kills workers stops
    submitter: str = ""  # account name of who submitted it ("" = open local server)
    workers: tuple[str, ...] = ()  # host:pid of each worker that took it, for operators
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds, when done
    units: dict[str, int] = field(default_factory=dict)  # phase -> work units (estimates)
    approved_by: str = ""  # editor who approved the clips for air
    approved_at: float = 0.0
    deliveries: tuple[dict[str, Any], ...] = ()  # webhook attempts: at, event, try, result
    beat: float = 0.0  # the running worker's last heartbeat (lease renewal)
    script_warnings: tuple[str, ...] = ()  # every warning the script had when it was made
    review_log: tuple[dict[str, Any], ...] = ()  # flags cleared: where, warnings, by, how, at

    @property
    def running(self) -> bool:
        return self.status in ACTIVE and self.lease_until is not None

    def lease_expired(self, now: float) -> bool:
        return self.lease_until is not None and self.lease_until < now

    def with_progress(self, message: str, now: float) -> Job:
        lines = (*self.progress, (now, message))[-_PROGRESS_KEEP:]
        return replace(self, stage=message, progress=lines, updated=now)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Job:
        data = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in known}  # newer writer: ignore extras
        data["progress"] = tuple((float(t), str(m)) for t, m in data.get("progress", ()))
        for key in ("warnings", "clips", "files", "workers", "deliveries", "script_warnings",
                    "review_log"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


Modifier = Callable[[Job], "Job | None"]
# What a change announces: an event name, or a function of the new record that gives one
# (or None: nothing to announce). Written to the outbox in the change's own transaction.
Emitter = Callable[[Job, str], OutboxEvent]


def _event_name(event: Any, job: Job) -> str | None:
    if event is None or isinstance(event, str):
        return event
    name: str | None = event(job)
    return name


class JobStore(Protocol):
    """Where job records live. Implementations: SqliteJobStore, RedisJobStore."""

    emit: Emitter | None  # builds an event for the outbox; None: no webhook, no events

    @property
    def outbox(self) -> Outbox:
        """Where this store's events wait (the same database, so one transaction)."""
        ...

    def create(self, job: Job) -> None: ...

    def get(self, job_id: str) -> Job: ...

    def recent(self, limit: int = 50, offset: int = 0, submitter: str | None = None,
               ) -> list[Job]:
        """Newest first; only ``submitter``'s jobs when given."""
        ...

    def oldest(self, limit: int = 500) -> list[Job]:
        """Oldest first: what retention looks at."""
        ...

    def delete(self, job_id: str) -> None:
        """Forget a job (its files are the caller's to remove); no error if it is gone."""
        ...

    def modify(self, job_id: str, fn: Modifier, event: Any = None) -> Job | None:
        """Atomically replace the job with ``fn(job)``; ``None`` from fn leaves it as is.
        ``event`` (a name, or a function of the new job): what the change announces, put
        in the outbox in the same transaction when a webhook is set (``emit``)."""
        ...

    def active_ids(self) -> list[str]:
        """Ids of jobs in a worker status (queued or running), oldest in the queue first."""
        ...

    def close(self) -> None: ...


# ----------------------------------------------------------------------------- SQLite


class SqliteJobStore:
    """Jobs in one SQLite file (WAL), safe across threads and processes on one machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self._tx() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS jobs ("
                " id TEXT PRIMARY KEY, created REAL NOT NULL, status TEXT NOT NULL,"
                " queued REAL NOT NULL, lease_until REAL, doc TEXT NOT NULL)"
            )
            con.execute("CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created)")
            con.execute("CREATE INDEX IF NOT EXISTS jobs_active ON jobs(status, queued)")
            SqliteOutbox.create_table(con)
        self.emit: Emitter | None = None
        self.outbox = SqliteOutbox(self._con)

    def _con(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections must not be shared across
        # threads, and opening one per call would redo the PRAGMAs every time.
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                  check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            con.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL-safe
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self._con())

    @staticmethod
    def _row(job: Job) -> tuple[Any, ...]:
        return (job.created, job.status, job.queued, job.lease_until, job.to_json(), job.id)

    def create(self, job: Job) -> None:
        with self._tx() as con:
            con.execute("INSERT INTO jobs (created, status, queued, lease_until, doc, id)"
                        " VALUES (?, ?, ?, ?, ?, ?)", self._row(job))

    def get(self, job_id: str) -> Job:
        row = self._con().execute("SELECT doc FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no job {job_id}", hint="list jobs with GET /api/jobs")
        return Job.from_json(row[0])

    def recent(self, limit: int = 50, offset: int = 0, submitter: str | None = None,
               ) -> list[Job]:
        if submitter is None:
            rows = self._con().execute(
                "SELECT doc FROM jobs ORDER BY created DESC, id LIMIT ? OFFSET ?",
                (limit, offset)).fetchall()
        else:
            rows = self._con().execute(
                "SELECT doc FROM jobs WHERE json_extract(doc, '$.submitter') = ?"
                " ORDER BY created DESC, id LIMIT ? OFFSET ?", (submitter, limit, offset)
            ).fetchall()
        return [Job.from_json(r[0]) for r in rows]

    def oldest(self, limit: int = 500) -> list[Job]:
        rows = self._con().execute("SELECT doc FROM jobs ORDER BY created, id LIMIT ?",
                                   (limit,)).fetchall()
        return [Job.from_json(r[0]) for r in rows]

    def delete(self, job_id: str) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def modify(self, job_id: str, fn: Modifier, event: Any = None) -> Job | None:
        with self._tx() as con:
            row = con.execute("SELECT doc FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise JobNotFound(f"no job {job_id}")
            new = fn(Job.from_json(row[0]))
            if new is None:
                return None
            con.execute("UPDATE jobs SET created = ?, status = ?, queued = ?, lease_until = ?,"
                        " doc = ? WHERE id = ?", self._row(new))
            name = _event_name(event, new)
            if name and self.emit is not None:
                SqliteOutbox.insert(con, self.emit(new, name))
            return new

    def active_ids(self) -> list[str]:
        rows = self._con().execute(
            "SELECT id FROM jobs WHERE status IN (?, ?) ORDER BY queued, id", ACTIVE
        ).fetchall()
        return [r[0] for r in rows]

    def queued_ids(self, now: float) -> list[str]:
        """Jobs waiting for a worker (no lease, or a lease whose holder went away)."""
        rows = self._con().execute(
            "SELECT id FROM jobs WHERE status IN (?, ?) AND (lease_until IS NULL OR"
            " lease_until < ?) ORDER BY queued, id LIMIT 20", (*ACTIVE, now)
        ).fetchall()
        return [r[0] for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._con().execute("SELECT status, COUNT(*) FROM jobs GROUP BY status")
        return {status: n for status, n in rows}

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                con.close()  # check_same_thread=False: any thread may close them
            self._all.clear()
        self._local = threading.local()


# ----------------------------------------------------------------------------- Redis


def _text(value: Any) -> str:
    # redis-py returns bytes unless the client decodes; accept both.
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisJobStore:
    """Jobs in Redis, beside the Huey queue, so workers on several machines share them.

    Keys: ``<prefix>job:<id>`` (the JSON document), ``<prefix>jobs`` (sorted set by
    creation time, for listing) and ``<prefix>active`` (sorted set of jobs in a worker
    status by queue time, for the reaper).
    """

    def __init__(self, url: str, prefix: str = "anchor:") -> None:
        import redis  # optional dependency: only the Huey/Redis mode needs it

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self._watch_error = redis.WatchError
        self.emit: Emitter | None = None
        self.outbox = RedisOutbox(self.client, prefix)

    def _key(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    def _write(self, pipe: Any, job: Job) -> None:
        pipe.set(self._key(job.id), job.to_json())
        pipe.zadd(f"{self.prefix}jobs", {job.id: job.created})
        pipe.zadd(self._by(job.submitter), {job.id: job.created})  # "my jobs" listing
        if job.status in ACTIVE:
            pipe.zadd(f"{self.prefix}active", {job.id: job.queued})
        else:
            pipe.zrem(f"{self.prefix}active", job.id)

    def create(self, job: Job) -> None:
        with self.client.pipeline() as pipe:
            self._write(pipe, job)
            pipe.execute()

    def get(self, job_id: str) -> Job:
        raw = self.client.get(self._key(job_id))
        if raw is None:
            raise JobNotFound(f"no job {job_id}", hint="list jobs with GET /api/jobs")
        return Job.from_json(raw)

    def _load(self, ids: list[Any]) -> list[Job]:
        if not ids:
            return []
        docs = self.client.mget([self._key(_text(i)) for i in ids])
        return [Job.from_json(d) for d in docs if d is not None]

    def recent(self, limit: int = 50, offset: int = 0, submitter: str | None = None,
               ) -> list[Job]:
        index = f"{self.prefix}jobs" if submitter is None else self._by(submitter)
        return self._load(self.client.zrevrange(index, offset, offset + limit - 1))

    def oldest(self, limit: int = 500) -> list[Job]:
        return self._load(self.client.zrange(f"{self.prefix}jobs", 0, limit - 1))

    def delete(self, job_id: str) -> None:
        raw = self.client.get(self._key(job_id))
        with self.client.pipeline() as pipe:
            pipe.delete(self._key(job_id))
            pipe.zrem(f"{self.prefix}jobs", job_id)
            pipe.zrem(f"{self.prefix}active", job_id)
            if raw is not None:
                pipe.zrem(self._by(Job.from_json(raw).submitter), job_id)
            pipe.execute()

    def _by(self, submitter: str) -> str:
        return f"{self.prefix}jobs-by:{submitter}"

    def modify(self, job_id: str, fn: Modifier, event: Any = None) -> Job | None:
        key = self._key(job_id)
        with self.client.pipeline() as pipe:
            while True:
                try:
                    # Optimistic: if anyone writes the key between WATCH and EXEC, EXEC
                    # fails and we re-read, so fn always decides on the current record.
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None:
                        raise JobNotFound(f"no job {job_id}")
                    new = fn(Job.from_json(raw))
                    if new is None:
                        pipe.unwatch()
                        return None
                    name = _event_name(event, new)
                    pipe.multi()
                    self._write(pipe, new)
                    if name and self.emit is not None:
                        self.outbox.write(pipe, self.emit(new, name))
                    pipe.execute()
                    return new
                except self._watch_error:
                    continue

    def active_ids(self) -> list[str]:
        return [_text(i) for i in self.client.zrange(f"{self.prefix}active", 0, -1)]

    def counts(self) -> dict[str, int]:
        return {"active": int(self.client.zcard(f"{self.prefix}active")),
                "total": int(self.client.zcard(f"{self.prefix}jobs"))}

    def close(self) -> None:
        self.client.close()


# ----------------------------------------------------------------------------- leases


def claim(store: JobStore, job_id: str, worker: str, lease_s: float,
          max_attempts: int = 3) -> Job | None:
    """Take a queued job for ``worker``; None if it is done, taken, or not in a worker status.

    A job whose lease ran out (its worker died) can be taken again. A job that has been
    claimed ``max_attempts`` times in one phase is failed instead: something in it kills
    workers, and retrying forever would take the queue down with it.
    """
    now = time.time()

    def take(job: Job) -> Job | None:
        if job.status not in ACTIVE:
            return None
        if job.lease_until is not None and not job.lease_expired(now):
            return None
        if job.attempts >= max_attempts:
            return replace(job, status="failed", lease_until=None, worker="", updated=now,
                           error=f"stopped after {job.attempts} attempts: the worker "
                                 "running this job stopped each time",
                           hint="see the server log; retry once the cause is fixed")
        return replace(job, lease_until=now + lease_s, worker=worker,
                       attempts=job.attempts + 1, updated=now, beat=now)

    job = store.modify(job_id, take, event=lambda j: "failed" if j.status == "failed" else None)
    return job if job is not None and job.worker == worker and job.status in ACTIVE else None


WORKER_LOST = "Worker lost — retrying"


def release_lost(store: JobStore, now: float | None = None) -> list[str]:
    """Jobs whose worker stopped beating (lease run out): said on the job, and freed for
    another worker. Returns their ids, for the queue to hand out again."""
    now = time.time() if now is None else now
    lost: list[str] = []
    for job_id in store.active_ids():
        def free(job: Job) -> Job | None:
            if job.status not in ACTIVE or not job.lease_expired(now):
                return None
            silent = now - (job.beat or job.updated)
            log.warning("job %s: worker %s silent for %.0f s: re-queued", job.id,
                        job.worker.rsplit(":", 2)[0], silent)
            return replace(job.with_progress(WORKER_LOST, now), lease_until=None, worker="")

        try:
            if store.modify(job_id, free) is not None:
                lost.append(job_id)
        except JobNotFound:
            continue
    return lost


def owned(worker: str, fn: Callable[[Job], Job]) -> Modifier:
    """Wrap a change so it only applies while ``worker`` still holds the job's lease."""

    def apply(job: Job) -> Job | None:
        if job.worker != worker or job.lease_until is None:
            return None
        return fn(job)

    return apply
