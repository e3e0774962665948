"""What a reporter can do with jobs, shared by the HTML pages and the JSON API.

Everything here raises AnchorError subclasses; only ``app.py`` turns them into
HTTP responses. File names offered for download come from the job record (made
by the worker from the pipeline's result), never from a request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import AnchorError, InputError
from ..models import Script, Segment, from_dict, to_dict
from .config import ServeConfig
from .jobs import Job, JobNotFound, JobStore, Status, new_job_id, valid_job_id
from .queues import JobQueue
from .runner import Pipeline

__all__ = ["Choices", "Conflict", "JobService", "TooLarge", "load_choices"]

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".json")
MAX_SENTENCE_CHARS = 1_000  # one spoken sentence; longer is a paste accident, not a script
MAX_SEGMENTS = 30  # same bound as the `sentences` setting


class Conflict(AnchorError):
    """The job is not in a state that allows this (e.g. render before the script is ready)."""


class TooLarge(AnchorError):
    """An upload or text over the configured limit."""


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
    """Presenters and voices from the asset folders (anchor.avatars / anchor.voices).

    Imported lazily and forgiving: the form must still open if an asset is broken,
    with the default presenter only.
    """
    avatars: list[tuple[str, str]] = []
    try:
        from .. import avatars as avatars_mod

        for a in avatars_mod.list_avatars():
            name = str(getattr(a, "name", a))
            avatars.append((name, str(getattr(a, "display_name", "") or name)))
    except ImportError:
        from ..paths import assets_root

        folder = assets_root() / "avatars"
        stems = {p.stem for p in folder.glob("*") if p.suffix in (".png", ".jpg", ".toml")}
        avatars = [(s, s) for s in sorted(stems)]
    except AnchorError as exc:
        log.warning("presenters could not be listed: %s", exc.message)
    voices: dict[str, list[tuple[str, str]]] = {"zh": [], "en": []}
    try:
        from ..voices import list_voices

        for v in list_voices():
            voices.setdefault(v.language, []).append((v.name, v.label or v.name))
    except (ImportError, AnchorError) as exc:
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


def script_from_edit(data: dict[str, Any], old: Script) -> Script:
    """Validate an edited script; keep translation warnings only where text is unchanged."""
    try:
        new = from_dict(Script, data)
    except (TypeError, KeyError, ValueError) as exc:
        raise InputError(f"not an Anchor script ({exc})",
                         hint="start from GET /api/jobs/{id}/script and change the text") from exc
    if not new.segments:
        raise InputError("the script has no sentences", hint="keep at least one sentence")
    if len(new.segments) > MAX_SEGMENTS:
        raise InputError(f"the script has {len(new.segments)} sentences",
                         hint=f"at most {MAX_SEGMENTS}")
    if new.source_language != old.source_language or new.zh_variant != old.zh_variant:
        raise InputError("source_language and zh_variant cannot be changed in an edit",
                         hint="submit the article again with other options")
    segments = []
    for i, seg in enumerate(new.segments):
        zh, en = seg.zh.strip(), seg.en.strip()
        if not zh or not en:
            raise InputError(f"sentence {i + 1} is empty in {'zh' if not zh else 'en'}",
                             hint="every sentence needs both zh and en text; delete it instead")
        if len(zh) > MAX_SENTENCE_CHARS or len(en) > MAX_SENTENCE_CHARS:
            raise InputError(f"sentence {i + 1} is longer than {MAX_SENTENCE_CHARS} characters",
                             hint="split it: the presenter reads one sentence per caption")
        prior = old.segments[i] if i < len(old.segments) else None
        # Warnings are the translator's and the server's to give: an untouched sentence keeps
        # them, an edited one was checked by a person; a client cannot add or hide any.
        same = prior is not None and prior.zh == zh and prior.en == en
        segments.append(Segment(index=i, zh=zh, en=en, warnings=prior.warnings if same and prior
                                else (), review=bool(same and prior and prior.review)))
    title_zh, title_en = new.title_zh.strip(), new.title_en.strip()
    if not title_zh or not title_en:
        raise InputError("the headline is empty in one language", hint="give both titles")
    same_title = (title_zh, title_en) == (old.title_zh, old.title_en)
    return replace(old, title_zh=title_zh[:200], title_en=title_en[:200],
                   segments=tuple(segments),
                   title_warnings=old.title_warnings if same_title else ())


class JobService:
    def __init__(self, cfg: ServeConfig, store: JobStore, queue: JobQueue, pipeline: Pipeline,
                 choices: Callable[[], Choices] = load_choices) -> None:
        self.cfg = cfg
        self.store = store
        self.queue = queue
        self.pipeline = pipeline
        self.choices = choices

    # ------------------------------------------------------------------ reading

    def get(self, job_id: str) -> Job:
        _check_id(job_id)
        return self.store.get(job_id)

    def recent(self, limit: int = 50, offset: int = 0) -> list[Job]:
        return self.store.recent(max(1, min(limit, 200)), max(0, offset))

    def script(self, job_id: str) -> Script:
        job = self.get(job_id)
        if job.script is None:
            raise Conflict(f"job {job_id} has no script yet (status {job.status})",
                           hint="wait for status review; poll GET /api/jobs/{id}")
        return from_dict(Script, job.script)

    def file(self, job_id: str, name: str) -> tuple[Path, dict[str, Any]]:
        """The path of one of the job's outputs; only names the job lists are served."""
        job = self.get(job_id)
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
        return path, entry

    # ------------------------------------------------------------------ changing

    def submit(self, *, text: str | None, upload: bytes | None, filename: str | None,
               title: str | None, options: dict[str, Any], auto_render: bool) -> Job:
        from ..config import load_settings

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
        article = self.pipeline.ingest(source, title=(title or "").strip() or None, name=name)
        now = time.time()
        job = Job(id=new_job_id(), status="scripting", created=now, updated=now,
                  title=article.title, language=article.language, options=options,
                  auto_render=auto_render, article=to_dict(article), queued=now,
                  stage="queued", progress=((now, "queued"),))
        self.store.create(job)
        self.queue.submit(job.id)
        return job

    def save_script(self, job_id: str, data: dict[str, Any]) -> Job:
        old = self.script(job_id)
        new = script_from_edit(data, old)

        def put(job: Job) -> Job | None:
            if job.status != "review":
                return None
            return replace(job, script=to_dict(new), warnings=tuple(new.warnings),
                           updated=time.time())

        return self._transition(job_id, put, "edit the script", "review")

    def render(self, job_id: str) -> Job:
        now = time.time()

        def go(job: Job) -> Job | None:
            if job.status != "review":
                return None
            return replace(job.with_progress("queued for rendering", now), status="rendering",
                           queued=now, attempts=0)

        job = self._transition(job_id, go, "render", "review")
        self.queue.submit(job.id)
        return job

    def retry(self, job_id: str) -> Job:
        now = time.time()

        def again(job: Job) -> Job | None:
            if job.status != "failed":
                return None
            status: Status = "rendering" if job.script is not None else "scripting"
            return replace(job.with_progress("retrying", now), status=status, queued=now,
                           attempts=0, error="", hint="")

        job = self._transition(job_id, again, "retry", "failed")
        self.queue.submit(job.id)
        return job

    def _transition(self, job_id: str, fn: Callable[[Job], Job | None], what: str,
                    needs: str) -> Job:
        _check_id(job_id)
        job = self.store.modify(job_id, fn)
        if job is None:
            current = self.store.get(job_id)
            raise Conflict(f"cannot {what} job {job_id}: it is {current.status}",
                           hint=f"only a job in status {needs} can")
        return job

    def health(self) -> dict[str, Any]:
        counts = getattr(self.store, "counts", None)
        return {"ok": True, "queue": self.queue.name, "jobs": counts() if counts else {}}

