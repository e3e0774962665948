"""Run one job's next phase: make the script, or render the clips.

The pipeline is injected (``Pipeline`` below), so the API and queue tests run on a
fast fake and only one slow test loads the real models. Whoever calls ``execute``
— an in-process worker thread or a Huey worker on another machine — gets the same
behaviour: claim the job with a lease, keep the lease alive while working, write the
result only if the lease is still ours.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import AnchorError
from ..models import Article, Script, from_dict, to_dict
from .config import ServeConfig
from .jobs import Job, JobStore, Status, claim, owned

if TYPE_CHECKING:
    from ..config import Settings
    from ..pipeline import RunResult

__all__ = ["JobRunner", "Pipeline", "RealPipeline", "load_pipeline", "settings_for"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class Pipeline(Protocol):
    """The three pipeline calls the service needs; the real one and test fakes share it."""

    def ingest(self, source: str | bytes, *, title: str | None, name: str) -> Article: ...

    def prepare(self, article: Article, settings: Settings, progress: Progress) -> Script: ...

    def render(self, article: Article, settings: Settings, script: Script, out_dir: Path,
               progress: Progress) -> RunResult: ...


class RealPipeline:
    """anchor.ingest + anchor.pipeline. Imported on first use: the web process starts in
    a second and the models load once, in whichever process runs the jobs."""

    def ingest(self, source: str | bytes, *, title: str | None, name: str) -> Article:
        from ..ingest import ingest

        article: Article = ingest(source, title=title, name=name)
        return article

    def prepare(self, article: Article, settings: Settings, progress: Progress) -> Script:
        from ..pipeline import prepare_script

        _article, _summary, script = prepare_script(article, settings, progress=progress)
        return script

    def render(self, article: Article, settings: Settings, script: Script, out_dir: Path,
               progress: Progress) -> RunResult:
        from ..pipeline import render_article

        return render_article(article, settings, script=script, out_dir=out_dir,
                              progress=progress)


def load_pipeline(spec: str) -> Pipeline:
    """``""`` → RealPipeline; ``"fake"`` or ``"module:attr"`` → that factory, called."""
    if not spec:
        return RealPipeline()
    if spec == "fake":
        spec = "anchor.web.testing:FakePipeline"
    module, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attr or "Pipeline")
    except (ImportError, AttributeError) as exc:
        from ..errors import ConfigError

        raise ConfigError(f"pipeline {spec!r} cannot be loaded ({exc})",
                          hint="leave ANCHOR_SERVE_PIPELINE unset for the real pipeline") from exc
    pipeline: Pipeline = factory()
    return pipeline


def settings_for(job: Job, cfg: ServeConfig) -> Settings:
    """The render settings of one job: config layers plus the options it was submitted with."""
    from ..config import load_settings

    return load_settings(cfg.config, overrides=job.options)


# Output names a reporter may download, beyond the clips and their captions.
_EXTRA_FILES = {"manifest.json": "manifest", "script.json": "script",
                "thumbnail.png": "thumbnail"}


def collect_outputs(result: RunResult, out_dir: Path) -> tuple[list[dict[str, Any]],
                                                               list[dict[str, Any]]]:
    """(clips, files) of a finished render, with bare names inside ``out_dir`` only.

    These names are the whitelist for downloads: the API never opens a name that
    is not in a job's ``files``.
    """
    root = out_dir.resolve()
    files: dict[str, dict[str, Any]] = {}

    def add(path: Path | None, kind: str, lang: str = "") -> str | None:
        if path is None:
            return None
        path = path if path.is_absolute() else out_dir / path
        resolved = path.resolve()
        if resolved.parent != root or not resolved.is_file():
            log.warning("not offering %s for download: not a file in the job folder", path)
            return None
        files[resolved.name] = {"name": resolved.name, "kind": kind, "lang": lang,
                                "bytes": resolved.stat().st_size}
        return resolved.name

    clips = []
    for label, clip in result.clips.items():
        video = add(clip.video, "video", label)
        if video is None:
            continue
        clips.append({"label": label, "video": video,
                      "srt": add(clip.srt, "srt", label), "vtt": add(clip.vtt, "vtt", label),
                      "duration_ms": int(clip.duration_ms), "width": int(clip.width),
                      "height": int(clip.height)})
    for name, kind in _EXTRA_FILES.items():
        if (out_dir / name).is_file():
            add(out_dir / name, kind)
    return clips, list(files.values())


class _Heartbeat:
    """Renews a job's lease while a long stage runs, so the reaper leaves it alone."""

    def __init__(self, store: JobStore, job_id: str, worker: str, lease_s: float) -> None:
        self.store, self.job_id, self.worker, self.lease_s = store, job_id, worker, lease_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                renewed = self.store.modify(self.job_id, owned(self.worker, lambda j: replace(
                    j, lease_until=time.time() + self.lease_s)))
            except Exception as exc:  # a store hiccup: try again next beat, lease has slack
                log.warning("could not renew the lease of job %s: %s", self.job_id, exc)
                continue
            if renewed is None:
                log.warning("job %s: lease lost; its result will be discarded", self.job_id)
                return


class JobRunner:
    """Executes jobs against a store and a pipeline. Safe to call from many threads."""

    def __init__(self, store: JobStore, pipeline: Pipeline, cfg: ServeConfig) -> None:
        self.store = store
        self.pipeline = pipeline
        self.cfg = cfg
        self._host = socket.gethostname()

    def worker_id(self) -> str:
        return f"{self._host}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:6]}"

    def out_dir(self, job_id: str) -> Path:
        return self.cfg.jobs_dir / job_id

    def execute(self, job_id: str) -> None:
        """Claim and run a job; a no-op if it is finished or another worker holds it.

        That makes duplicate deliveries harmless, which is what lets the queue be
        re-filled freely after a crash.
        """
        worker = self.worker_id()
        job = claim(self.store, job_id, worker, self.cfg.lease_s, self.cfg.max_attempts)
        if job is not None:
            self.run_claimed(job, worker)

    def run_claimed(self, job: Job, worker: str) -> None:
        # Which host and process took it: the first thing to know when a job misbehaves.
        self._progress(job.id, worker)(f"picked up by {worker.rsplit(':', 2)[0]}")
        with _Heartbeat(self.store, job.id, worker, self.cfg.lease_s):
            try:
                self._run_phases(job, worker)
            except AnchorError as exc:
                log.warning("job %s failed: %s", job.id, exc.message)
                self._fail(job.id, worker, exc.message, exc.hint)
            except Exception as exc:
                # Not a user-actionable error: keep the traceback in the server log and
                # show the reporter a message without internals.
                log.exception("job %s crashed", job.id)
                self._fail(job.id, worker, f"internal error ({type(exc).__name__})",
                           "see the server log; retry once the cause is fixed")

    def _progress(self, job_id: str, worker: str) -> Progress:
        def say(message: str) -> None:
            if message.startswith("done:"):  # the pipeline's last line names a server path
                return
            now = time.time()
            try:
                self.store.modify(job_id, owned(worker, lambda j: replace(
                    j.with_progress(message, now), lease_until=now + self.cfg.lease_s)))
            except Exception as exc:  # progress is best effort; the work goes on
                log.warning("job %s: progress not saved: %s", job_id, exc)

        return say

    def _run_phases(self, job: Job, worker: str) -> None:
        say = self._progress(job.id, worker)
        article = from_dict(Article, job.article)
        settings = settings_for(job, self.cfg)
        if job.status == "scripting":
            script = self.pipeline.prepare(article, settings, say)
            now = time.time()
            # the web is strict: a script with parts marked for review waits for a person
            nxt: Status = "rendering" if job.auto_render and not script.flagged else "review"

            def scripted(j: Job) -> Job:
                # auto_render keeps the lease and goes straight on; review frees the job.
                lease = j.lease_until if nxt == "rendering" else None
                return replace(j.with_progress("script ready", now), status=nxt,
                               script=to_dict(script), warnings=tuple(script.warnings),
                               title=j.title or script.title(article.language),
                               lease_until=lease, worker=j.worker if lease else "",
                               attempts=0 if nxt == "review" else j.attempts)

            job_now = self.store.modify(job.id, owned(worker, scripted))
            if job_now is None or job_now.status != "rendering":
                return
            job = job_now
        if job.status == "rendering":
            script = from_dict(Script, job.script or {})
            out = self.out_dir(job.id)
            # A previous attempt may have died half-way: start from an empty folder so
            # nothing stale is ever offered for download.
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            result = self.pipeline.render(article, settings, script, out, say)
            clips, files = collect_outputs(result, out)
            now = time.time()
            self.store.modify(job.id, owned(worker, lambda j: replace(
                j.with_progress("done", now), status="done", clips=tuple(clips),
                files=tuple(files), warnings=tuple(dict.fromkeys(result.warnings)),
                lease_until=None, worker="", attempts=0, error="", hint="")))

    def _fail(self, job_id: str, worker: str, message: str, hint: str) -> None:
        now = time.time()
        self.store.modify(job_id, owned(worker, lambda j: replace(
            j.with_progress(f"failed: {message}", now), status="failed", error=message,
            hint=hint, lease_until=None, worker="")))
