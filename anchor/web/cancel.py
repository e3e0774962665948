"""Stopping a job that a worker is running: its lease watch, and the ways to stop work.

A cancel is a write to the job record (status ``cancelled``, lease cleared), so it
works the same for an in-process worker thread and for a Huey worker on another
machine: every running job has a ``LeaseWatch`` that re-reads its record about once a
second (and renews the lease). When the record says the job is no longer ours, the
watch stops the work in three ways, because the pipeline is not ours to rewrite:

1. the job's progress callback raises ``JobCancelled`` at the next stage boundary;
2. the worker thread's child processes (ffmpeg) are killed at once — a frame pipe
   breaks, a ``subprocess.run`` returns — found through
   ``/proc/self/task/<tid>/children``, so only this job's children, not those of
   another worker thread in the same process;
3. ``JobCancelled`` is raised asynchronously in the worker thread, which interrupts
   model work (a translation, a TTS sentence, a frame loop) as soon as the current
   native call returns, instead of at the end of the stage.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from anchor.core.errors import AnchorError

from .job_store import ACTIVE, Job, JobNotFound, JobStore, owned

__all__ = ["JobCancelled", "LeaseWatch", "child_pids", "interrupt_thread", "kill_children"]

log = logging.getLogger(__name__)


class JobCancelled(AnchorError):
    """The job was cancelled or deleted while this worker ran it."""


def child_pids(tid: int, pid: int | None = None) -> list[int]:
    """Processes started by thread ``tid`` of process ``pid`` (default: ours), and theirs."""
    pid = pid or os.getpid()
    found: list[int] = []
    todo = [(pid, tid)]
    while todo:
        p, t = todo.pop()
        tasks = [t] if t else _tasks(p)
        for task in tasks:
            try:
                text = Path(f"/proc/{p}/task/{task}/children").read_text()
            except OSError:  # no procfs (not Linux), or the task ended meanwhile
                continue
            for child in (int(c) for c in text.split()):
                if child not in found:
                    found.append(child)
                    todo.append((child, 0))
    return found


def _tasks(pid: int) -> list[int]:
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return []


def kill_children(tid: int) -> list[int]:
    """SIGKILL every process the thread ``tid`` started (an ffmpeg encode, a probe)."""
    pids = child_pids(tid)
    for child in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(child, signal.SIGKILL)
    return pids


def interrupt_thread(ident: int, exc: type[BaseException] | None) -> bool:
    """Raise ``exc`` in thread ``ident`` at its next Python instruction (None: clear it)."""
    obj = ctypes.py_object(exc) if exc is not None else None
    n = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), obj)
    if n > 1:  # never expected: undo rather than hit several threads
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
        return False
    return n == 1


class LeaseWatch:
    """Keeps a running job's lease alive and stops the work when the job is taken away.

    Use as a context manager around the work, in the worker thread itself.
    ``stopped`` is set once a cancel (or a lost lease) was seen; ``check()`` raises
    ``JobCancelled`` from then on, and the progress callback calls it.
    """

    def __init__(self, store: JobStore, job_id: str, worker: str, lease_s: float,
                 poll_s: float = 1.0, on_stop: Callable[[str], None] | None = None) -> None:
        self.store, self.job_id, self.worker, self.lease_s = store, job_id, worker, lease_s
        self.poll_s = min(poll_s, lease_s / 3)
        self.stopped = threading.Event()
        self.reason = ""
        self.killed: list[int] = []
        self.on_stop = on_stop
        self._done = threading.Event()
        self._lock = threading.Lock()  # interrupting and leaving never overlap
        self._inside = False
        self._ident = 0
        self._tid = 0
        self._thread = threading.Thread(target=self._run, name=f"watch-{job_id}", daemon=True)

    def __enter__(self) -> LeaseWatch:
        self._ident = threading.get_ident()
        self._tid = threading.get_native_id()
        self._inside = True
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.leave()

    def leave(self) -> None:
        """The work is over (idempotent): no interrupt may reach the thread after this."""
        with self._lock:
            if self._inside:
                self._inside = False
                interrupt_thread(self._ident, None)  # drop one that was not delivered yet
        self._done.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def check(self) -> None:
        if self.stopped.is_set():
            raise JobCancelled(self.reason or "the job was cancelled")

    def _run(self) -> None:
        renew_every = self.lease_s / 4  # the heartbeat: three missed beats still hold
        renewed = time.monotonic()
        while not self._done.wait(self.poll_s):
            try:
                job = self.store.get(self.job_id)
            except JobNotFound:
                self._stop("the job was deleted")
                return
            except Exception as exc:  # a store hiccup: the lease has slack, try again
                log.warning("job %s: could not read its record: %s", self.job_id, exc)
                continue
            if job.status == "cancelled":
                self._stop("the job was cancelled")
                return
            if job.status not in ACTIVE:
                return  # this worker moved it on (review, done, failed): nothing to stop
            if job.worker != self.worker or job.lease_until is None:
                self._stop("another worker took the job over")
                return
            if time.monotonic() - renewed >= renew_every:
                try:
                    if self.store.modify(self.job_id, owned(self.worker, _renew(self.lease_s))):
                        renewed = time.monotonic()
                except JobNotFound:
                    self._stop("the job was deleted")
                    return
                except Exception as exc:
                    log.warning("could not renew the lease of job %s: %s", self.job_id, exc)

    def _stop(self, reason: str) -> None:
        self.reason = reason
        self.stopped.set()
        with self._lock:
            if not self._inside:
                return
            self.killed = kill_children(self._tid)
            interrupt_thread(self._ident, JobCancelled)
        log.info("job %s: %s; stopped its work (killed %d child process(es))", self.job_id,
                 reason, len(self.killed))
        if self.on_stop is not None:
            self.on_stop(reason)


def _renew(lease_s: float) -> Callable[[Job], Job]:
    def beat(j: Job) -> Job:
        now = time.time()
        return replace(j, lease_until=now + lease_s, beat=now)

    return beat
