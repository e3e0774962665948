"""Run one job's next phase: make the script, or render the clips.

The pipeline is injected (``Pipeline`` below), so the API and queue tests run on a
fast fake and only one slow test loads the real models. Whoever calls ``execute``
— an in-process worker thread or a Huey worker on another machine — gets the same
behaviour: claim the job with a lease, keep the lease alive while working, write the
result only if the lease is still ours.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import os
import shutil
import socket
import threading
import time
import tomllib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from anchor.core.errors import AnchorError, ConfigError
from anchor.core.settings import Settings, load_settings
from anchor.core.values import Article, ArticleImage, Script, from_dict, to_dict

from .cancel import JobCancelled, LeaseWatch
from .config import ServeConfig
from .job_store import Job, JobNotFound, JobStore, Status, claim, owned
from .wording import for_reporter

if TYPE_CHECKING:
    from anchor.pipeline import RunResult

__all__ = ["JobRunner", "Pipeline", "RealPipeline", "load_pipeline", "settings_for"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class Pipeline(Protocol):
    """The three pipeline calls the service needs; the real one and test fakes share it."""

    def ingest(self, source: str | bytes, *, title: str | None, name: str,
               images: Sequence[ArticleImage] = ()) -> Article: ...

    def prepare(self, article: Article, settings: Settings, progress: Progress) -> Script: ...

    def render(self, article: Article, settings: Settings, script: Script, out_dir: Path,
               progress: Progress) -> RunResult: ...


class RealPipeline:
    """anchor.ingest + anchor.pipeline. Imported on first use: the web process starts in
    a second and the models load once, in whichever process runs the jobs."""

    # deferred, as the class says: the stages and their packages load on first use
    def ingest(self, source: str | bytes, *, title: str | None, name: str,
               images: Sequence[ArticleImage] = ()) -> Article:
        from anchor.ingest import ingest

        article: Article = ingest(source, title=title, name=name, images=images)
        return article

    def prepare(self, article: Article, settings: Settings, progress: Progress) -> Script:
        from anchor.pipeline import plan_script_edit, prepare_script

        _article, _summary, script = prepare_script(article, settings, progress=progress)
        # the reporter reviews the shots too: the edit list is chosen before the review
        return plan_script_edit(script, article, settings) if settings.studio else script

    def render(self, article: Article, settings: Settings, script: Script, out_dir: Path,
               progress: Progress) -> RunResult:
        from anchor.pipeline import render_article

        return render_article(article, settings, script=script, out_dir=out_dir,
                              progress=progress)


def load_pipeline(spec: str) -> Pipeline:
    """``""`` → RealPipeline; ``"module:attr"`` → that factory, called (the tests'
    stand-in is ``fake_pipeline:FakePipeline`` with ``tests/`` on the path)."""
    if not spec:
        return RealPipeline()
    module, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attr or "Pipeline")
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"pipeline {spec!r} cannot be loaded ({exc})",
                          hint="leave ANCHOR_SERVE_PIPELINE unset for the real pipeline") from exc
    pipeline: Pipeline = factory()
    return pipeline


def settings_for(job: Job, cfg: ServeConfig) -> Settings:
    """The render settings of one job: config layers plus the options it was submitted with,
    and the newsroom glossary the editors keep (``DATA/glossary.toml``) as its top layer."""
    settings = load_settings(cfg.config, overrides=job.options)
    glossary = newsroom_glossary(cfg.data, settings.glossary)
    return replace(settings, glossary=glossary) if glossary != settings.glossary else settings


def newsroom_glossary(data: Path, configured: str) -> str:
    """The glossary file a job reads: the editors' export over one set in anchor.toml."""
    ours = data / "glossary.toml"
    if not ours.is_file():
        return configured
    if not configured or not Path(configured).is_file():
        return str(ours)
    # both: one file with the configured names under the editors' (later wins)
    raw = Path(configured).read_bytes() + b"\0" + ours.read_bytes()
    merged = data / f"glossary-merged-{hashlib.sha256(raw).hexdigest()[:12]}.toml"
    if not merged.is_file():
        names: dict[str, str] = {}
        for path in (Path(configured), ours):
            try:
                names.update(tomllib.loads(path.read_text("utf-8")).get("names", {}))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"glossary {path}: {exc}", hint="fix the TOML") from exc
        lines = ["[names]"] + [f"{json.dumps(k, ensure_ascii=False)} = "
                               f"{json.dumps(v, ensure_ascii=False)}" for k, v in names.items()]
        tmp = merged.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text("\n".join(lines) + "\n", "utf-8")
        os.replace(tmp, merged)
    return str(merged)


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


class JobRunner:
    """Executes jobs against a store and a pipeline. Safe to call from many threads."""

    def __init__(self, store: JobStore, pipeline: Pipeline, cfg: ServeConfig) -> None:
        self.store = store
        self.pipeline = pipeline
        self.cfg = cfg
        self._host = socket.gethostname()
        self.cancel_poll_s = 1.0  # how soon a running job notices a cancel

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
        # Which host and process took it is for operators (server log, job.workers);
        # the reporter reads "started".
        host_pid = worker.rsplit(":", 2)[0]
        log.info("job %s (%s): taken by %s", job.id, job.status, host_pid)
        now = time.time()
        self.store.modify(job.id, owned(worker, lambda j: replace(
            j.with_progress(for_reporter("started"), now), workers=(*j.workers, host_pid)[-20:])))
        watch = LeaseWatch(self.store, job.id, worker, self.cfg.lease_s,
                           poll_s=self.cancel_poll_s)
        try:
            with watch:
                try:
                    self._run_phases(job, worker, watch)
                except Exception as exc:
                    # Whatever the work raised once stopped (a broken ffmpeg pipe, our own
                    # JobCancelled) is the cancel, not a failure.
                    if watch.stopped.is_set():
                        raise JobCancelled(watch.reason) from exc
                    raise
        except JobCancelled:
            watch.leave()
            self._stopped(job.id, watch)
        except AnchorError as exc:
            if not self._fail(job.id, worker, exc.message, exc.hint):
                self._stopped(job.id, watch)  # cancelled while it failed: the cancel wins
            else:
                log.warning("job %s failed: %s", job.id, exc.message)
        except Exception as exc:
            # Not a user-actionable error: keep the traceback in the server log and
            # show the reporter a message without internals.
            log.exception("job %s crashed", job.id)
            if not self._fail(job.id, worker, f"internal error ({type(exc).__name__})",
                              "see the server log; retry once the cause is fixed"):
                self._stopped(job.id, watch)
        finally:
            watch.leave()

    def _stopped(self, job_id: str, watch: LeaseWatch) -> None:
        """After a cancel: no half-made clip stays behind, and the job says the work ended.

        Only for a job that is cancelled or deleted: one that another worker took over
        keeps its folder (that worker starts from an empty one itself)."""
        status: Status | Literal["deleted"]
        try:
            status = self.store.get(job_id).status
        except JobNotFound:
            status = "deleted"
        if status not in ("cancelled", "deleted"):
            log.info("job %s: %s; left to its new worker", job_id, watch.reason)
            return
        shutil.rmtree(self.out_dir(job_id), ignore_errors=True)
        now = time.time()
        # the killed processes are the job's ffmpeg encodes (its only child processes)
        note = "Work stopped" + ("; the video encoder was ended" if watch.killed else "")

        def mark(j: Job) -> Job | None:
            return j.with_progress(note, now) if j.status == "cancelled" else None

        with contextlib.suppress(JobNotFound):  # deleted: nothing left to mark
            self.store.modify(job_id, mark)
        log.info("job %s: %s", job_id, note)

    def _progress(self, job_id: str, worker: str, watch: LeaseWatch | None = None) -> Progress:
        def say(message: str) -> None:
            if watch is not None:
                watch.check()  # a cancelled job stops at the next stage
            if message.startswith("done:"):  # the pipeline's last line names a server path
                return
            log.debug("job %s: %s", job_id, message)
            words = for_reporter(message)
            now = time.time()
            try:
                self.store.modify(job_id, owned(worker, lambda j: replace(
                    j.with_progress(words, now), lease_until=now + self.cfg.lease_s,
                    beat=now)))
            except JobNotFound:
                if watch is not None:
                    raise JobCancelled("the job was deleted") from None
            except Exception as exc:  # progress is best effort; the work goes on
                log.warning("job %s: progress not saved: %s", job_id, exc)

        return say

    def _run_phases(self, job: Job, worker: str, watch: LeaseWatch) -> None:
        say = self._progress(job.id, worker, watch)
        article = from_dict(Article, job.article)
        settings = settings_for(job, self.cfg)
        if job.status == "scripting":
            t0 = time.time()
            script = self.pipeline.prepare(article, settings, say)
            watch.check()
            now = time.time()
            # the web is strict: a script with parts marked for review waits for a person
            nxt: Status = "rendering" if job.auto_render and not script.flagged else "review"

            def scripted(j: Job) -> Job:
                # auto_render keeps the lease and goes straight on; review frees the job.
                lease = j.lease_until if nxt == "rendering" else None
                return replace(j.with_progress(for_reporter("script ready"), now), status=nxt,
                               script=to_dict(script), warnings=tuple(script.warnings),
                               script_warnings=tuple(script.warnings), review_log=(),
                               title=j.title or script.title(article.language),
                               lease_until=lease, worker=j.worker if lease else "",
                               attempts=0 if nxt == "review" else j.attempts,
                               timings={**j.timings, "script": round(now - t0, 1)},
                               units={**j.units, "script": settings.sentences})

            # "review" is announced (webhook) with the move: a CMS that asked for
            # auto_render learns that a person must look, instead of waiting for "done"
            job_now = self.store.modify(job.id, owned(worker, scripted),
                                        event="review" if nxt == "review" else None)
            if job_now is None or job_now.status != "rendering":
                return
            job = job_now
        if job.status == "rendering":
            t0 = time.time()
            script = from_dict(Script, job.script or {})
            if script.flagged:
                # Never rendered without a person's word, however the job got here (the
                # service refuses such a render; a job queued by an older server may not
                # have been): back to review, and the CMS is told.
                self.store.modify(job.id, owned(worker, lambda j: replace(
                    j.with_progress("Marked for review: waiting for a person to check it",
                                    time.time()), status="review", lease_until=None,
                    worker="", attempts=0)), event="review")
                return
            # and the pipeline's own strict check stands behind this one
            settings = replace(settings, strict=True)
            out = self.out_dir(job.id)
            # A previous attempt may have died half-way: start from an empty folder so
            # nothing stale is ever offered for download.
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            result = self.pipeline.render(article, settings, script, out, say)
            watch.check()
            clips, files = collect_outputs(result, out)
            now = time.time()
            units = len(script.segments) * max(1, len(clips))
            done = self.store.modify(job.id, owned(worker, lambda j: replace(
                j.with_progress(for_reporter("done"), now), status="done", clips=tuple(clips),
                files=tuple(files), warnings=tuple(dict.fromkeys(result.warnings)),
                lease_until=None, worker="", attempts=0, error="", hint="",
                approved_by="", approved_at=0.0,
                timings={**j.timings, "render": round(now - t0, 1)},
                units={**j.units, "render": units})), event="done")
            if done is None:
                log.info("job %s: finished, but no longer ours: result dropped", job.id)

    def _fail(self, job_id: str, worker: str, message: str, hint: str) -> bool:
        """Mark the job failed; False if it is no longer ours (cancelled, deleted, taken)."""
        now = time.time()
        try:
            failed = self.store.modify(job_id, owned(worker, lambda j: replace(
                j.with_progress(f"failed: {message}", now), status="failed", error=message,
                hint=hint, lease_until=None, worker="")), event="failed")
        except JobNotFound:
            return False
        return failed is not None
