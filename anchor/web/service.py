"""What a reporter can do with jobs, shared by the HTML pages and the JSON API.

Everything here raises AnchorError subclasses; only ``app.py`` turns them into
HTTP responses. File names offered for download come from the job record (made
by the worker from the pipeline's result), never from a request.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from anchor.assets.avatars import list_avatars
from anchor.assets.consent import publishable
from anchor.core.errors import AnchorError, InputError
from anchor.core.script_io import parse_script
from anchor.core.settings import load_settings
from anchor.core.values import ArticleImage, Script, Segment, from_dict, to_dict
from anchor.language.readable import Unreadable, describe, find_unreadable
from anchor.speech.voices import list_voices

from .accounts import LOCAL, Account, Forbidden
from .config import ServeConfig
from .job_store import (
    ACTIVE,
    FINISHED,
    Job,
    JobNotFound,
    JobStore,
    Status,
    new_job_id,
    valid_job_id,
)
from .outbox import OutboxEvent
from .pictures import check_count, job_pictures, save_picture
from .queues import JobQueue
from .runner import Pipeline, settings_for
from .webhooks import WebhookSender
from .wording import for_reporter

__all__ = ["Choices", "Conflict", "JobService", "NeedsReview", "TooLarge", "UnreadableText",
           "Waiting",
           "flagged_parts", "load_choices", "review_edit", "script_from_edit"]

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".json")


class Conflict(AnchorError):
    """The job is not in a state that allows this (e.g. render before the script is ready)."""


class TooLarge(AnchorError):
    """An upload or text over the configured limit."""


class UnreadableText(InputError):
    """Text with characters the voices cannot read (422): each with where and a suggestion."""

    def __init__(self, message: str, hint: str = "", found: list[Unreadable] | None = None,
                 ) -> None:
        super().__init__(message, hint=hint)
        self.found = found or []


class NeedsReview(Conflict):
    """Render refused: a part of the script is marked for review and nobody checked it."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """What a reporter waiting for a job wants to know."""

    elapsed_s: int  # since it was submitted
    phase_s: int  # in the current phase (waiting in the queue, or working)
    ahead: int  # jobs before this one in the queue (running or waiting); 0 once started
    started: bool  # a worker is on it
    estimate_s: int | None  # typical length of this phase's work, from recent jobs
    remaining_s: int | None  # estimate minus time spent working, when started
    basis: int  # how many recent jobs the estimate comes from

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Choices:
    """What the form offers: presenters and voice presets, as (name, label) pairs."""

    avatars: tuple[tuple[str, str], ...]
    voices: dict[str, tuple[tuple[str, str], ...]]  # lang → presets speaking it

    def check(self, options: dict[str, Any]) -> None:
        """Reject an unknown presenter or voice now, not minutes into a render."""
        avatar = options.get("avatar")
        names = [n for n, _ in self.avatars]
        if avatar and names and avatar not in names:
            raise InputError(f"unknown presenter {avatar!r}",
                             hint=f"pick one of: {', '.join(names)}")
        for lang in ("zh", "en"):
            voice = options.get(f"voice_{lang}")
            known = [n for n, _ in self.voices.get(lang, ())]
            if voice and known and voice not in known:
                raise InputError(f"unknown {lang} voice {voice!r}",
                                 hint=f"pick one of: {', '.join(known)}")


def load_choices() -> Choices:
    """Presenters and voices from the asset folders (anchor.assets.avatars / anchor.speech.voices):
    the presenters whose consent is on record, or who are no real person.

    Forgiving: the form must still open if an asset is broken, with the default
    presenter only.
    """
    avatars: list[tuple[str, str]] = []
    try:
        for a in list_avatars():
            # only faces that may be shown (anchor.assets.consent), each with what its consent is
            if publishable(a.consent):
                kind = "drawn" if a.consent.real_person is False else "consent on file"
                avatars.append((a.name, f"{a.display_name or a.name} · {kind}"))
    except AnchorError as exc:
        log.warning("presenters could not be listed: %s", exc.message)
    voices: dict[str, list[tuple[str, str]]] = {"zh": [], "en": []}
    try:
        for v in list_voices():
            voices.setdefault(v.language, []).append((v.name, v.label or v.name))
    except AnchorError as exc:
        log.warning("voices could not be listed: %s", exc)
    return Choices(avatars=_unique(avatars), voices={k: _unique(v) for k, v in voices.items()})


def _unique(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Labels as the form shows them; a label two presets share gets its name added."""
    labels = [label for _, label in pairs]
    return tuple((name, label if labels.count(label) == 1 else f"{label} ({name})")
                 for name, label in pairs)


def _check_id(job_id: str) -> None:
    if not valid_job_id(job_id):
        raise JobNotFound(f"no job {job_id[:40]!r}", hint="job ids are 16 hex characters")


def _ticked(data: dict[str, Any], key: str) -> bool:
    value = data.pop(key, False)
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def script_from_edit(data: dict[str, Any], old: Script, who: str = LOCAL.name) -> Script:
    """Validate an edited script (the CLI's validator, plus the review rules below)."""
    return review_edit(data, old, who)[0]


def review_edit(data: dict[str, Any], old: Script, who: str = LOCAL.name,
                now: float | None = None) -> tuple[Script, list[dict[str, Any]]]:
    """Validate an edited script, and say which flags a person cleared and how.

    Warnings are the translator's and the server's to give: an untouched sentence keeps
    them, an edited one was checked by a person; a client cannot add or hide any. A
    flagged sentence left as it is stays flagged until someone ticks ``checked`` on it;
    the tick records who (``checked_by``), and goes with the script into the manifest.
    Returns the new script and one record per flag cleared (or tick taken back)."""
    now = time.time() if now is None else now
    data = dict(data)
    segs_in = data.get("segments")
    ticks: list[bool] = []
    if isinstance(segs_in, list):
        segs_in = [dict(x) if isinstance(x, dict) else x for x in segs_in]
        ticks = [_ticked(x, "checked") if isinstance(x, dict) else False for x in segs_in]
        for x in segs_in:
            if isinstance(x, dict):
                x.pop("checked_by", None)  # read-only: the server says who
        data["segments"] = segs_in
    title_tick = _ticked(data, "title_checked")
    data.pop("title_checked_by", None)
    new = parse_script(data, hint="start from GET /api/jobs/{id}/script and change the text")
    if new.source_language != old.source_language or new.zh_variant != old.zh_variant:
        raise InputError("source_language and zh_variant cannot be changed in an edit",
                         hint="submit the article again with other options")
    log_: list[dict[str, Any]] = []

    def clear(where: str, warnings: tuple[str, ...], how: str) -> None:
        log_.append({"where": where, "warnings": list(warnings), "by": who, "how": how,
                     "at": now})

    segments = []
    for i, seg in enumerate(new.segments):
        zh, en = seg.zh.strip(), seg.en.strip()
        prior = old.segments[i] if i < len(old.segments) else None
        where = f"sentence {i + 1}"
        if prior is not None and prior.zh == zh and prior.en == en:
            checked = prior.checked_by
            tick = ticks[i] if i < len(ticks) else False
            if tick and (prior.review or prior.warnings) and not checked:
                checked = who
                clear(where, prior.warnings, "checked")
            elif not tick and checked:
                checked = ""
                clear(where, prior.warnings, "unchecked")
            # the text stands; the shot and visual are the editor's to change
            segments.append(replace(prior, index=i, checked_by=checked, shot=seg.shot,
                                    visual=seg.visual))
            continue
        flagged_before = prior is not None and (prior.review or bool(prior.warnings))
        if flagged_before and prior is not None:
            clear(where, prior.warnings, "edited")
        for lang, text in (("zh", zh), ("en", en)):
            found = find_unreadable(text, lang)  # type: ignore[arg-type]
            if found:
                raise UnreadableText(
                    f"sentence {i + 1} holds characters the voices cannot read: "
                    f"{describe(found, where='')}".replace(" at line 1, column", " at column"),
                    hint="replace them as suggested", found=found)
        segments.append(Segment(index=i, zh=zh, en=en,
                                checked_by=who if flagged_before else "",
                                shot=seg.shot, visual=seg.visual))
    title_zh, title_en = new.title_zh.strip(), new.title_en.strip()
    title_warnings, title_by = old.title_warnings, old.title_checked_by
    if (title_zh, title_en) != (old.title_zh, old.title_en):
        if old.title_warnings or old.title_checked_by:
            clear("headline", old.title_warnings, "edited")
            title_by = who
        title_warnings = ()
    elif title_tick and old.title_warnings and not title_by:
        title_by = who
        clear("headline", old.title_warnings, "checked")
    elif not title_tick and title_by and old.title_warnings:
        title_by = ""
        clear("headline", old.title_warnings, "unchecked")
    return replace(old, title_zh=title_zh, title_en=title_en, segments=tuple(segments),
                   title_warnings=title_warnings, title_checked_by=title_by), log_


def flagged_parts(script: Script) -> str:
    """'the headline, sentence 2 and sentence 4': what still waits for a person."""
    parts = ["the headline" if i < 0 else f"sentence {i + 1}" for i in script.flagged]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class JobService:
    def __init__(self, cfg: ServeConfig, store: JobStore, queue: JobQueue, pipeline: Pipeline,
                 choices: Callable[[], Choices] = load_choices) -> None:
        self.cfg = cfg
        self.store = store
        self.queue = queue
        self.pipeline = pipeline
        self.choices = choices
        self.sender: WebhookSender | None = None  # set by the app when webhooks are on
        self._rates: tuple[float, dict[str, tuple[float, int]]] = (0.0, {})
        self._units: dict[tuple[str, str], int] = {}
        self._rates_lock = threading.Lock()

    # ------------------------------------------------------------------ reading

    def get(self, job_id: str, viewer: Account = LOCAL) -> Job:
        _check_id(job_id)
        try:
            job = self.store.get(job_id)
        except JobNotFound:
            job = None
        if job is None or (not viewer.sees_all and job.submitter != viewer.name):
            # another reporter's job gets the same answer, word for word, as one that does
            # not exist: a guesser learns nothing about which ids are real
            raise JobNotFound(f"no job {job_id}", hint="list your jobs with GET /api/jobs")
        return job

    def recent(self, limit: int = 50, offset: int = 0, viewer: Account = LOCAL) -> list[Job]:
        return self.store.recent(max(1, min(limit, 200)), max(0, offset),
                                 None if viewer.sees_all else viewer.name)

    def script(self, job_id: str, viewer: Account = LOCAL) -> Script:
        job = self.get(job_id, viewer)
        if job.script is None:
            raise Conflict(f"job {job_id} has no script yet (status {job.status})",
                           hint="wait for status review; poll GET /api/jobs/{id}")
        return from_dict(Script, job.script)

    def file(self, job_id: str, name: str, viewer: Account = LOCAL,
             ) -> tuple[Path, dict[str, Any], Job]:
        """The path of one of the job's outputs; only names the job lists are served."""
        job = self.get(job_id, viewer)
        entry = next((f for f in job.files if f["name"] == name), None)
        if entry is None:
            raise JobNotFound(f"job {job_id} has no file {name[:80]!r}",
                              hint="the job's files are listed in GET /api/jobs/{id}")
        root = (self.cfg.jobs_dir / job.id).resolve()
        path = (root / entry["name"]).resolve()
        # Belt and braces: names were checked when recorded, and are checked again here.
        if path.parent != root or not path.is_file():
            raise JobNotFound(f"file {name} of job {job_id} is missing",
                              hint="render the job again")
        return path, entry, job

    # ------------------------------------------------------------------ waiting

    def waiting(self, job: Job, now: float | None = None) -> Waiting:
        """Elapsed time, queue position and an estimate from recent jobs' timings."""
        now = now or time.time()
        started = job.status in ACTIVE and job.lease_until is not None
        ahead = 0
        if job.status in ACTIVE and not started:
            for other_id in self.store.active_ids():
                if other_id == job.id:
                    break
                ahead += 1
        phase = "script" if job.status == "scripting" else "render"
        began = _started_at(job) if started else job.queued
        estimate = remaining = None
        rate, basis = self._rate(phase)
        if rate is not None and job.status in ACTIVE:
            estimate = int(rate * self._work_units(job, phase) + 0.5)
            if started:
                remaining = max(0, estimate - int(now - began))
        return Waiting(elapsed_s=int(now - job.created), phase_s=int(now - (began or now)),
                       ahead=ahead, started=started, estimate_s=estimate,
                       remaining_s=remaining, basis=basis)

    def _rate(self, phase: str) -> tuple[float | None, int]:
        """Median seconds per work unit of ``phase`` over the last finished jobs (cached)."""
        with self._rates_lock:
            at, rates = self._rates
            if time.monotonic() - at > 3:  # pollers ask every second; jobs finish rarely
                per: dict[str, list[float]] = {}
                for job in self.store.recent(60):
                    for name, secs in job.timings.items():
                        units = job.units.get(name, 0)
                        if units > 0 and secs > 0:
                            per.setdefault(name, []).append(secs / units)
                rates = {k: (statistics.median(v[:20]), len(v[:20])) for k, v in per.items()}
                self._rates = (time.monotonic(), rates)
        if phase not in rates:
            return None, 0
        return rates[phase]

    def _work_units(self, job: Job, phase: str) -> int:
        key = (job.id, phase)
        if key not in self._units:
            try:
                s = settings_for(job, self.cfg)
                if phase == "script":
                    n = s.sentences
                else:
                    segs = len((job.script or {}).get("segments", ())) or s.sentences
                    n = segs * max(1, len(s.langs) + (1 if s.bilingual else 0))
            except AnchorError:
                n = 1
            if len(self._units) > 1000:
                self._units.clear()
            self._units[key] = n
        return self._units[key]

    # ------------------------------------------------------------------ changing

    def submit(self, *, text: str | None, upload: bytes | None, filename: str | None,
               title: str | None, options: dict[str, Any], auto_render: bool,
               submitter: Account = LOCAL, fallback_reading: bool = False,
               images: Sequence[tuple[str, bytes]] = ()) -> Job:
        options = {k: v for k, v in options.items() if v not in (None, "")}
        if upload is not None and len(upload) > self.cfg.max_upload_bytes:
            raise TooLarge(f"the file is {len(upload):,} bytes; the limit is "
                           f"{self.cfg.max_upload_bytes:,}", hint="send the article text only")
        if text is not None and len(text) > self.cfg.max_text_chars:
            raise TooLarge(f"the text is {len(text):,} characters; the limit is "
                           f"{self.cfg.max_text_chars:,}", hint="split it into several articles")
        source: str | bytes
        if upload:
            suffix = Path(filename or "").suffix.lower()
            if suffix not in UPLOAD_SUFFIXES:
                raise InputError(f"cannot read a {suffix or 'file without extension'} file",
                                 hint="upload .txt, .md or .json (title/body), or paste the text")
            # The user's file name only picks the format; it is never used as a path.
            source, name = upload, f"upload{'.md' if suffix == '.markdown' else suffix}"
        elif text and text.strip():
            source, name = text, "inline"
        else:
            raise InputError("no article given", hint="paste the text or upload a file")
        # Bad options fail here, before a worker spends minutes on the article.
        load_settings(self.cfg.config, overrides=options)
        self.choices().check(options)
        job_id = new_job_id()
        pictures: list[ArticleImage] = []
        if images:  # the story's pictures, checked now and kept in the job's folder
            check_count(images)
            folder = self.cfg.jobs_dir / job_id / "images"
            try:
                pictures = [save_picture(folder, fn, data, k)
                            for k, (fn, data) in enumerate(images, 1)]
            except AnchorError:
                shutil.rmtree(folder.parent, ignore_errors=True)
                raise
        try:
            article = self.pipeline.ingest(source, title=(title or "").strip() or None,
                                           name=name, **({"images": pictures} if pictures
                                                         else {}))
            # Characters no voice can read are said now, where they are, not after review.
            typed = source if isinstance(source, str) else "\n".join((article.title,
                                                                      *article.paragraphs))
            found = find_unreadable(typed, article.language, ingested=True) + (
                find_unreadable(title, article.language, ingested=True) if title else [])
            if found and not fallback_reading:
                raise UnreadableText(
                    f"{len(found)} character{'s' if len(found) > 1 else ''} the voices cannot "
                    f"read: {describe(found)}",
                    hint="replace them as suggested, or send fallback_reading=true (the form's "
                         "“go on” box) to have them read as suggested, or skipped", found=found)
        except AnchorError:
            shutil.rmtree(self.cfg.jobs_dir / job_id, ignore_errors=True)
            raise
        now = time.time()
        first: tuple[tuple[float, str], ...] = ((now, for_reporter("queued")),)
        if found:
            first = ((now, f"{len(found)} character(s) the voices cannot read will be read as "
                           "suggested, or skipped"), *first)
        job = Job(id=job_id, status="scripting", created=now, updated=now,
                  title=article.title, language=article.language, options=options,
                  auto_render=auto_render, article=to_dict(article), queued=now,
                  stage=for_reporter("queued"), progress=first,
                  submitter="" if submitter is LOCAL else submitter.name)
        self.store.create(job)
        self.queue.submit(job.id)
        return job

    def pictures(self, job: Job) -> list[ArticleImage]:
        """The pictures this job may show: the article's own and those uploaded for it."""
        return job_pictures(job.article, self.cfg.jobs_dir / job.id / "images")

    def save_script(self, job_id: str, data: dict[str, Any], viewer: Account = LOCAL) -> Job:
        old = self.script(job_id, viewer)
        new, cleared = review_edit(data, old, viewer.name)
        # a visual shows one of the story's pictures, never any file the server can read
        allowed = {p.path for p in self.pictures(self.get(job_id, viewer))} | {
            s.visual.image for s in old.segments if s.visual is not None and s.visual.image}
        for seg in new.segments:
            if seg.visual is not None and seg.visual.image is not None \
                    and Path(seg.visual.image) not in allowed:
                raise InputError(f"sentence {seg.index + 1}: that picture is not one of this "
                                 "story's", hint="pick one of the story's pictures, or upload "
                                                 "one on the review page")

        def put(job: Job) -> Job | None:
            if job.status != "review":
                return None
            return replace(job, script=to_dict(new), warnings=tuple(new.warnings),
                           review_log=(*job.review_log, *cleared)[-200:],
                           updated=time.time())

        return self._transition(job_id, put, "edit the script", "review")

    def render(self, job_id: str, viewer: Account = LOCAL) -> Job:
        self.get(job_id, viewer)
        now = time.time()

        def go(job: Job) -> Job | None:
            if job.status != "review":
                return None
            script = from_dict(Script, job.script or {})
            if script.flagged:
                # Nothing flagged airs without a person's word: checked in the same
                # transaction as the move, so a concurrent edit cannot slip past.
                raise NeedsReview(
                    f"{flagged_parts(script)} {'is' if len(script.flagged) == 1 else 'are'}"
                    " marked for review: not rendered until a person checks it",
                    hint="edit the marked text, or tick “checked” on it "
                         "(PUT the script with \"checked\": true) to confirm it as it "
                         "stands, then render")
            return replace(job.with_progress(for_reporter("queued for rendering"), now),
                           status="rendering", queued=now, attempts=0)

        job = self._transition(job_id, go, "render", "review")
        self.queue.submit(job.id)
        return job

    def retry(self, job_id: str, viewer: Account = LOCAL) -> Job:
        self.get(job_id, viewer)
        now = time.time()

        def again(job: Job) -> Job | None:
            if job.status not in ("failed", "cancelled"):
                return None
            status: Status = "rendering" if job.script is not None else "scripting"
            if job.script is not None and from_dict(Script, job.script).flagged:
                status = "review"  # a flagged script waits for a person, as on the way in
            return replace(job.with_progress(for_reporter("retrying"), now), status=status,
                           queued=now, attempts=0, error="", hint="")

        job = self._transition(job_id, again, "retry", "failed or cancelled",
                               event=lambda j: "review" if j.status == "review" else None)
        if job.status in ACTIVE:
            self.queue.submit(job.id)
        return job

    def cancel(self, job_id: str, viewer: Account = LOCAL) -> Job:
        """Stop a queued or running job. A running worker notices within about a second,
        kills its encoder and drops what it made (see cancel.py)."""
        self.get(job_id, viewer)
        now = time.time()
        who = "" if viewer is LOCAL else f" by {viewer.name}"

        def stop(job: Job) -> Job | None:
            if job.status not in ACTIVE:
                return None
            return replace(job.with_progress(f"Cancelled{who}", now), status="cancelled",
                           lease_until=None, worker="", error="", hint="")

        return self._transition(job_id, stop, "cancel", "scripting or rendering")

    def delete(self, job_id: str, viewer: Account = LOCAL) -> None:
        """Forget a job and remove its files; a running one is cancelled first."""
        job = self.get(job_id, viewer)
        if job.status in ACTIVE:
            with contextlib.suppress(Conflict):  # it finished meanwhile: delete it anyway
                self.cancel(job_id, viewer)
        self._remove(job.id)

    def _remove(self, job_id: str) -> None:
        self.store.delete(job_id)
        folder = self.cfg.jobs_dir / job_id
        if valid_job_id(job_id) and folder.parent == self.cfg.jobs_dir:
            shutil.rmtree(folder, ignore_errors=True)

    def approve(self, job_id: str, viewer: Account = LOCAL) -> Job:
        """An editor approves the finished clips for air (what counts as published)."""
        if not viewer.may_approve:
            raise Forbidden("only an editor can approve clips for air",
                            hint="ask an editor to review this job")
        self.get(job_id, viewer)
        now = time.time()

        def ok(job: Job) -> Job | None:
            if job.status != "done" or job.approved_by:
                return None
            return replace(job.with_progress(f"Approved for air by {viewer.name}", now),
                           approved_by=viewer.name, approved_at=now)

        return self._transition(job_id, ok, "approve", "done (and not approved yet)",
                                event="approved")

    def events(self, job: Job) -> list[OutboxEvent]:
        """The job's webhook events and where each stands (none without a webhook)."""
        if not self.cfg.webhook_url:
            return []
        return self.store.outbox.for_job(job.id)

    def resend(self, job_id: str, delivery: str, viewer: Account = LOCAL) -> OutboxEvent:
        """An editor sends a webhook event again (after the CMS was fixed, say)."""
        if not viewer.may_approve:
            raise Forbidden("only an editor can resend an event to the CMS",
                            hint="ask an editor; the CMS gets every event by itself")
        job = self.get(job_id, viewer)
        if self.sender is None:
            raise Conflict("this server sends no webhooks",
                           hint="set ANCHOR_WEBHOOK_URL and ANCHOR_WEBHOOK_SECRET")
        ev = self.store.outbox.get(delivery) if len(delivery) <= 40 else None
        if ev is None or ev.job_id != job.id:
            raise JobNotFound(f"job {job_id} has no webhook event {delivery[:40]!r}",
                              hint="the job's events are listed in GET /api/jobs/{id}")
        log.info("job %s: %s event %s resent by %s", job_id, ev.event, delivery, viewer.name)
        return self.sender.resend(ev.id, viewer.name)

    def sweep(self, now: float | None = None) -> list[str]:
        """Retention: delete finished jobs older than keep_days, then the oldest finished
        ones until all job folders fit in keep_gb. Running and review jobs stay."""
        keep_days, keep_gb = self.cfg.keep_days, self.cfg.keep_gb
        if keep_days <= 0 and keep_gb <= 0:
            return []
        now = now or time.time()
        finished = [j for j in self.store.oldest(100_000) if j.status in FINISHED]
        gone: list[str] = []
        if keep_days > 0:
            cutoff = now - keep_days * 86400
            for job in finished:
                if job.updated < cutoff:
                    self._remove(job.id)
                    gone.append(job.id)
        if keep_gb > 0:
            budget = keep_gb * 1e9
            total = _folder_bytes(self.cfg.jobs_dir)
            for job in finished:
                if total <= budget:
                    break
                if job.id in gone:
                    continue
                total -= _folder_bytes(self.cfg.jobs_dir / job.id)
                self._remove(job.id)
                gone.append(job.id)
        if gone:
            log.info("retention: deleted %d finished job(s)", len(gone))
        return gone

    def _transition(self, job_id: str, fn: Callable[[Job], Job | None], what: str,
                    needs: str, event: Any = None) -> Job:
        _check_id(job_id)
        job = self.store.modify(job_id, fn, event=event)
        if job is None:
            current = self.store.get(job_id)
            raise Conflict(f"cannot {what} job {job_id}: it is {current.status}",
                           hint=f"only a job in status {needs} can")
        return job

    def health(self) -> dict[str, Any]:
        counts = getattr(self.store, "counts", None)
        return {"ok": True, "queue": self.queue.name, "jobs": counts() if counts else {}}


def _started_at(job: Job) -> float:
    """When the current run began: the last "Started" line after the job was queued."""
    for t, message in reversed(job.progress):
        if t < job.queued:
            break
        if message == "Started":
            return t
    return job.queued


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            continue
    return total
