"""Who runs the jobs: worker threads in this process (default) or Huey on Redis.

Both sit behind ``JobQueue``: the web app only calls ``submit(job_id)``. Neither is a
queue of our own — the in-process runner reads the SQLite store (a job in a worker
status *is* queued), and the distributed one is Huey. Delivering a job twice is
harmless because ``JobRunner.execute`` claims it first, so recovery is simply
"submit every unfinished job again".
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from anchor.core.errors import ConfigError

from .config import ServeConfig, queue_kind
from .job_store import ACTIVE, Job, JobStore, RedisJobStore, SqliteJobStore, claim, release_lost
from .outbox import make_event
from .runner import JobRunner, Pipeline, load_pipeline
from .webhooks import WebhookSender
from .wording import for_reporter

__all__ = ["HueyQueue", "JobQueue", "ThreadQueue", "attach_webhooks", "build", "run_worker"]

log = logging.getLogger(__name__)

TASK_NAME = "anchor.run_job"
REAP_EVERY_S = 1.0  # how often a lost worker is looked for: lease_s + this (+ a busy
# machine's slack) ≤ 15 s; one indexed query a second


class JobQueue(Protocol):
    name: str

    def start(self) -> None: ...

    def submit(self, job_id: str) -> None: ...

    def stop(self) -> None: ...


class DataDirLock:
    """An exclusive lock on the data folder for the in-process runner.

    With it, every job found running at start-up is known to be an orphan of a
    stopped server and can be re-queued at once; without it two servers on one
    folder would steal each other's jobs. The OS drops the lock if we are killed.
    """

    def __init__(self, data: Path) -> None:
        self.path = data / "serve.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(
                f"another anchor serve is using {self.path.parent}",
                hint="stop it, or give this one its own --data folder "
                     "(several servers sharing jobs need --queue huey-redis://...)") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class ThreadQueue:
    """N worker threads in this process, pulling queued jobs from the SQLite store.

    The models are loaded once per process, so threads share them; on 2 cores one
    worker is right for the real models (they already use every core).
    """

    name = "sqlite"

    def __init__(self, store: SqliteJobStore, runner: JobRunner, workers: int,
                 poll_s: float = 2.0) -> None:
        self.store = store
        self.runner = runner
        self.workers = workers
        self.poll_s = poll_s  # fallback only: submit() wakes a worker at once
        self._wake = threading.Condition()
        self._pending = 0
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._lock = DataDirLock(store.path.parent)

    def start(self) -> None:
        self._lock.acquire()
        requeued = release_orphans(self.store)
        if requeued:
            log.warning("resuming %d job(s) left unfinished by the last run", requeued)
        for i in range(self.workers):
            t = threading.Thread(target=self._loop, name=f"anchor-worker-{i + 1}", daemon=True)
            t.start()
            self._threads.append(t)
        reaper = threading.Thread(target=self._reap_loop, name="anchor-reaper", daemon=True)
        reaper.start()
        self._threads.append(reaper)

    def _reap_loop(self) -> None:
        """A worker thread that died without letting go of its job (or hangs in native
        code with its heartbeat stopped): the job says so and goes to another worker."""
        while True:
            with self._wake:
                if self._stopping:
                    return
            try:
                for _ in release_lost(self.store):
                    self.submit("")
            except Exception as exc:  # the store briefly busy: next round
                log.warning("reaper: %s", exc)
            with self._wake:
                if not self._stopping:
                    self._wake.wait(REAP_EVERY_S)

    def submit(self, job_id: str) -> None:
        with self._wake:
            self._pending += 1
            self._wake.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            # A real render cannot be interrupted half-way; its threads are daemons, and
            # the job it held is resumed by the next start (we drop the lock below).
            t.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()
        self._lock.release()

    def _next(self) -> tuple[Job, str] | None:
        worker = self.runner.worker_id()
        for job_id in self.store.queued_ids(time.time()):
            job = claim(self.store, job_id, worker, self.runner.cfg.lease_s,
                        self.runner.cfg.max_attempts)
            if job is not None:
                return job, worker
        return None

    def _loop(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
                self._pending = max(0, self._pending - 1)
            try:
                taken = self._next()
            except Exception:
                log.exception("worker could not read the job store")
                taken = None
            if taken is not None:
                self.runner.run_claimed(*taken)
                continue
            with self._wake:
                if not self._stopping and self._pending == 0:
                    self._wake.wait(self.poll_s)


def release_orphans(store: JobStore) -> int:
    """Put jobs that were running when the last server stopped back in the queue."""
    n = 0
    for job_id in store.active_ids():
        def free(job: Job) -> Job | None:
            if job.status not in ACTIVE or job.lease_until is None:
                return None
            return replace(job.with_progress(for_reporter("resumed after a restart"),
                                             time.time()),
                           lease_until=None, worker="")

        if store.modify(job_id, free) is not None:
            n += 1
    return n


# ----------------------------------------------------------------------------- Huey


def redis_url(spec: str) -> str:
    """``huey-redis://host:6379/0`` → ``redis://host:6379/0`` (``huey-rediss`` → TLS)."""
    return spec.replace("huey-", "", 1)


def make_huey(spec: str, runner_factory: Any) -> Any:
    """A RedisHuey with Anchor's one task; ``runner_factory()`` gives the JobRunner lazily,
    in the worker process, so forked process workers each open their own connections."""
    from huey import RedisHuey

    huey = RedisHuey("anchor", url=redis_url(spec), results=False, utc=True)

    @huey.task(name=TASK_NAME)
    def run_job(job_id: str) -> None:
        runner_factory().execute(job_id)

    huey.anchor_run_job = run_job
    return huey


class HueyQueue:
    """Jobs on Huey + Redis: the web process enqueues, workers anywhere execute.

    Redis keeps the queue; the job records live in Redis too (RedisJobStore), and the
    output files in the shared ``--data`` folder. Huey pops a task before running it,
    so a worker killed mid-job loses that task: a reaper here re-enqueues jobs whose
    lease ran out, and start-up re-enqueues every unfinished job (duplicates are no-ops).
    """

    name = "huey-redis"

    def __init__(self, spec: str, store: RedisJobStore, runner: JobRunner, workers: int,
                 reap_every_s: float | None = None) -> None:
        self.store = store
        self.runner = runner
        self.workers = workers
        self.huey = make_huey(spec, lambda: runner)
        self.reap_every_s = reap_every_s or REAP_EVERY_S
        self._consumer: Any = None
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    def start(self) -> None:
        self.reap(startup=True)
        if self.workers:
            self._consumer = embedded_consumer(self.huey, self.workers)
            self._consumer.start()
        self._reaper = threading.Thread(target=self._reap_loop, name="anchor-reaper",
                                        daemon=True)
        self._reaper.start()

    def submit(self, job_id: str) -> None:
        self.huey.anchor_run_job(job_id)

    def stop(self) -> None:
        self._stop.set()
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            consumer.stop(graceful=False)
            # Thread workers cannot be interrupted: wait (bounded) until their blocking read
            # returns, so none is still polling a Redis that is about to go away.
            for _, thread in consumer.worker_threads:
                thread.join(timeout=5)
            consumer.scheduler.join(timeout=5)

    def reap(self, startup: bool = False) -> int:
        """Enqueue again what a dead worker held (or, at start-up, anything unfinished)."""
        now = time.time()
        lost = release_lost(self.store, now)
        for job_id in lost:
            self.submit(job_id)
        n = len(lost)
        for job_id in self.store.active_ids() if startup else ():
            try:
                job = self.store.get(job_id)
            except Exception:  # deleted meanwhile
                continue
            # at start-up, a queued job's task may have been lost with Redis: again
            if job.status in ACTIVE and job.lease_until is None and job_id not in lost:
                self.submit(job_id)
                n += 1
        if n:
            log.warning("re-queued %d job(s) whose worker stopped", n)
        return n

    def _reap_loop(self) -> None:
        while not self._stop.wait(self.reap_every_s):
            try:
                self.reap()
            except Exception as exc:  # Redis briefly away: try again next round
                log.warning("reaper: %s", exc)


def embedded_consumer(huey: Any, workers: int, worker_type: str = "thread") -> Any:
    """A Huey consumer that can start outside the main thread (no signal handlers):
    inside ``anchor serve`` uvicorn owns the signals."""
    from huey.consumer import Consumer

    class _Embedded(Consumer):
        def _set_signal_handlers(self) -> None:
            pass

    return _Embedded(huey, workers=workers, worker_type=worker_type, periodic=False,
                     initial_delay=0.1, max_delay=1.0, check_worker_health=True)


# ----------------------------------------------------------------------------- wiring


def attach_webhooks(cfg: ServeConfig, store: JobStore) -> WebhookSender | None:
    """With a webhook URL: job changes in this process write their events into the outbox
    (``store.emit``), and the returned sender (started by the web app) delivers them."""
    if not cfg.webhook_url:
        return None
    base = cfg.public_url or "http://127.0.0.1:8000"
    store.emit = lambda job, event: make_event(job, event, base)
    return WebhookSender(store, cfg.webhook_url, cfg.webhook_secret,
                         max_interval_s=cfg.webhook_max_interval_s,
                         retry_hours=cfg.webhook_retry_hours)


def build(cfg: ServeConfig, pipeline: Pipeline | None = None,
          ) -> tuple[JobStore, JobRunner, JobQueue]:
    """Store, runner and queue for a config; ``pipeline`` overrides cfg.pipeline."""
    pipe = pipeline if pipeline is not None else load_pipeline(cfg.pipeline)
    if queue_kind(cfg.queue) == "huey-redis":
        rstore = RedisJobStore(redis_url(cfg.queue))
        runner = JobRunner(rstore, pipe, cfg)
        return rstore, runner, HueyQueue(cfg.queue, rstore, runner, cfg.workers)
    sstore = SqliteJobStore(cfg.db_path)
    runner = JobRunner(sstore, pipe, cfg)
    return sstore, runner, ThreadQueue(sstore, runner, cfg.workers)


def run_worker(cfg: ServeConfig, pipeline: Pipeline | None = None,
               worker_type: str = "thread") -> None:
    """``anchor serve --worker-only``: a Huey consumer in the foreground, until Ctrl-C.

    Threads (default) share one copy of the models; ``worker_type="process"`` forks
    one model copy per worker for CPU-bound backends that hold the GIL.
    """
    if queue_kind(cfg.queue) != "huey-redis":
        raise ConfigError("--worker-only needs a distributed queue",
                          hint="pass --queue huey-redis://HOST:6379/0 (the web server must "
                               "use the same queue and --data folder)")
    from huey.consumer import Consumer

    store = RedisJobStore(redis_url(cfg.queue))
    runner = JobRunner(store, pipeline if pipeline is not None else load_pipeline(cfg.pipeline),
                       cfg)
    attach_webhooks(cfg, store)  # events go to the outbox; a web server delivers them
    huey = make_huey(cfg.queue, lambda: runner)
    consumer = Consumer(huey, workers=max(1, cfg.workers), worker_type=worker_type,
                        periodic=False, initial_delay=0.1, max_delay=1.0)
    log.info("anchor worker: %d %s worker(s) on %s, data in %s", max(1, cfg.workers),
             worker_type, redis_url(cfg.queue).split("@")[-1], cfg.data)
    with contextlib.suppress(KeyboardInterrupt):
        consumer.run()
