"""The JSON API under /api: submit, status, script review, render, download.

Documented by FastAPI's OpenAPI page (/docs, /openapi.json). Errors are
``{"error": message, "hint": hint}`` with a 4xx status (see app.py).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from anchor.core.errors import AnchorError, BackendUnavailable, ConfigError, InputError, ModelError
from anchor.core.script_io import MAX_TITLE_CHARS
from anchor.core.values import Script, from_dict, to_dict

from .accounts import ADMIN, LOCAL, Account, Forbidden
from .auth import Caller, api_account
from .glossary_store import GlossaryConflict, GlossaryNotFound
from .job_store import ACTIVE, Job, JobNotFound
from .outbox import OutboxEvent
from .pictures import MAX_PICTURE_BYTES, MAX_PICTURES
from .security import json_too_deep
from .service import Conflict, JobService, TooLarge, Waiting

__all__ = ["JobOut", "ScriptModel", "SubmitRequest", "describe_errors", "file_response",
           "require_token", "router", "status_for"]

log = logging.getLogger(__name__)

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
JobId = Annotated[str, Path(description="16 hex characters", pattern=r"^[0-9a-f]{16}$")]
FileName = Annotated[str, Path(description="one of the job's `files[].name`",
                               pattern=NAME_PATTERN)]




def service(request: Request) -> JobService:
    svc: JobService = request.app.state.service
    return svc


Service = Annotated[JobService, Depends(service)]
router = APIRouter(prefix="/api", tags=["jobs"], dependencies=[Depends(api_account)])
# The name other routers (avatar_upload) depend on: any signed-in account, or LOCAL.
require_token = api_account


# ----------------------------------------------------------------------------- models


class JobOptions(BaseModel):
    """Per-job render options; anything left out comes from the server's config."""

    model_config = ConfigDict(extra="forbid")

    langs: list[Literal["zh", "en"]] | None = Field(None, description="clips to make")
    avatar: str | None = Field(None, pattern=NAME_PATTERN, description="presenter")
    voice_zh: str | None = Field(None, pattern=NAME_PATTERN, description="Mandarin preset")
    voice_en: str | None = Field(None, pattern=NAME_PATTERN, description="English preset")
    aspect: Literal["16:9", "9:16", "1:1"] | None = None
    sentences: int | None = Field(None, ge=1, le=30, description="summary length")
    zh_variant: Literal["Hans", "Hant"] | None = None
    bilingual: bool | None = Field(None, description="also make bilingual.mp4")
    tts: Literal["offline", "edge"] | None = Field(
        None, description="offline: this server's voices, nothing leaves it (the default); "
                          "edge: Microsoft's online voices, so the script's text is sent to "
                          "that service (falls back offline with a warning if it fails)")

    def overrides(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True, include=set(JobOptions.model_fields))
        if "langs" in data:
            data["langs"] = ",".join(dict.fromkeys(data["langs"]))
        return data


class SubmitRequest(JobOptions):
    text: str | None = Field(None, description="the article (or upload `file` instead)")
    title: str | None = Field(None, max_length=MAX_TITLE_CHARS,
                              description="headline (at most 200 characters, refused, never "
                                          "cut); found in the text if left out")
    auto_render: bool = Field(False, description="skip the review step")
    fallback_reading: bool = Field(False, description="characters the voices cannot read "
                                   "(refused with 422 otherwise, each with its place and a "
                                   "suggestion) are read as suggested, or skipped")


class SegmentModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    index: int = 0
    zh: str
    en: str
    warnings: list[str] = Field(default_factory=list,
                                description="read-only: kept from the server's copy")
    review: bool = Field(False, description="read-only: the checks still fault this sentence")
    checked: bool = Field(False, description="a person confirms this flagged sentence as it "
                          "stands (a render is refused while one marked for review is not "
                          "checked or edited); false takes a tick back")
    checked_by: str = Field("", description="read-only: who checked it, or edited it "
                            "after the checks flagged it")
    shot: str = Field("", description="presenter, ots (over the shoulder) or full; "
                                      "'' = chosen at render")
    visual: dict[str, Any] | None = Field(
        None, description="what the sentence shows: {kind: image|chart|quote|strap, ...} as in "
                          "script.json; an image must be one of the job's pictures")


class ScriptModel(BaseModel):
    """The bilingual script, as GET returns it; PUT the same shape with edited text."""

    model_config = ConfigDict(extra="forbid")
    title_zh: str
    title_en: str
    source_language: Literal["zh", "en"]
    zh_variant: Literal["Hans", "Hant"]
    segments: list[SegmentModel] = Field(min_length=1, max_length=30)
    backend: str = ""
    title_warnings: list[str] = Field(default_factory=list, description="read-only")
    glossary: list[str] = Field(default_factory=list,
                                description="read-only: glossary files the names came from")
    title_checked: bool = Field(False, description="a person confirms the headline despite "
                                "its warnings")
    title_checked_by: str = Field("", description="read-only: who did")


def script_out(script: Script) -> ScriptModel:
    """The script as the API shows it: each tick as ``checked`` beside who gave it."""
    data = to_dict(script)
    for seg in data["segments"]:
        seg["checked"] = bool(seg.get("checked_by"))
    data["title_checked"] = bool(data.get("title_checked_by"))
    return ScriptModel.model_validate(data)


class ProgressOut(BaseModel):
    at: datetime
    message: str


class FileOut(BaseModel):
    name: str
    kind: str = Field(description="video, srt, vtt, manifest, script or thumbnail")
    lang: str
    bytes: int
    url: str


class ClipOut(BaseModel):
    label: str = Field(description="zh, en or bilingual")
    duration_ms: int
    width: int
    height: int
    video_url: str
    srt_url: str | None
    vtt_url: str | None


class WaitingOut(BaseModel):
    elapsed_s: int = Field(description="seconds since the job was submitted")
    phase_s: int = Field(description="seconds in the current phase (queued or working)")
    ahead: int = Field(description="jobs before this one in the queue; 0 once started")
    started: bool = Field(description="a worker is on it")
    estimate_s: int | None = Field(description="typical length of this phase, from recent "
                                   "jobs' stage timings; null until some finished")
    remaining_s: int | None = Field(description="estimate minus time worked so far")
    basis: int = Field(description="how many recent jobs the estimate comes from")


class DeliveryOut(BaseModel):
    at: datetime
    event: str
    attempt: int
    status: int | None = Field(description="the receiver's HTTP status; null: no answer")
    ok: bool
    result: str


class ClearedOut(BaseModel):
    where: str = Field(description="headline or sentence N")
    warnings: list[str]
    by: str
    how: Literal["edited", "checked", "unchecked"]
    at: datetime


class EventOut(BaseModel):
    delivery: str = Field(description="X-Anchor-Delivery: the same on every retry")
    event: Literal["review", "done", "failed", "approved"]
    state: Literal["pending", "delivered", "gave_up"]
    tries: int
    created: datetime
    next_try: datetime | None = Field(description="when it is tried again (pending only)")
    delivered_at: datetime | None
    last: str = Field(description="the last attempt's outcome, in words")
    resend_of: str | None
    resend: str = Field(description="POST here to send it again (editors)")


def event_out(job_id: str, ev: OutboxEvent) -> EventOut:
    return EventOut(delivery=ev.id, event=ev.event, state=ev.state,  # type: ignore[arg-type]
                    tries=ev.tries, created=_ts(ev.created),
                    next_try=_ts(ev.due) if ev.state == "pending" else None,
                    delivered_at=_ts(ev.delivered_at) if ev.delivered_at else None,
                    last=ev.last, resend_of=ev.resend_of or None,
                    resend=f"/api/jobs/{job_id}/deliveries/{ev.id}/resend")


class JobSummary(BaseModel):
    id: str
    status: Literal["scripting", "review", "rendering", "done", "failed", "cancelled"]
    stage: str = Field(description="the latest progress message")
    title: str
    language: str
    created: datetime
    updated: datetime
    submitter: str | None = Field(description="account that submitted it")
    approved_by: str | None = Field(description="editor who approved the clips for air")
    url: str


class JobOut(JobSummary):
    options: dict[str, Any]
    auto_render: bool
    warnings: list[str]
    error: str | None
    hint: str | None
    progress: list[ProgressOut]
    clips: list[ClipOut]
    files: list[FileOut]
    links: dict[str, str]
    approved_at: datetime | None
    waiting: WaitingOut | None = Field(description="while queued or running")
    deliveries: list[DeliveryOut] = Field(description="webhook attempts for this job")
    webhooks: list[EventOut] = Field(description="webhook events and where each stands")
    workers: list[str] = Field(description="host:pid of each worker that ran it")
    script_warnings: list[str] = Field(description="every warning the script had when made")
    review_log: list[ClearedOut] = Field(description="who cleared which flag, and how")
    needs_review: list[str] = Field(description="parts still marked for review: render is "
                                    "refused (409) until each is edited or checked")


class AccountOut(BaseModel):
    name: str
    role: Literal["reporter", "editor", "admin"]


class JobList(BaseModel):
    jobs: list[JobSummary]
    limit: int
    offset: int


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _file_url(job: Job, name: str | None) -> str | None:
    return f"/api/jobs/{job.id}/files/{name}" if name else None


def summary_out(job: Job) -> JobSummary:
    return JobSummary(id=job.id, status=job.status, stage=job.stage, title=job.title,
                      language=job.language, created=_ts(job.created), updated=_ts(job.updated),
                      submitter=job.submitter or None, approved_by=job.approved_by or None,
                      url=f"/api/jobs/{job.id}")


def job_out(job: Job, waiting: Waiting | None = None,
            events: list[OutboxEvent] | None = None) -> JobOut:
    base = f"/api/jobs/{job.id}"
    links = {"self": base, "page": f"/jobs/{job.id}"}
    if job.script is not None:
        links["script"] = f"{base}/script"
    if job.status == "review" and not _needs_review(job):
        links["render"] = f"{base}/render"
    if job.status in ("failed", "cancelled"):
        links["retry"] = f"{base}/retry"
    if job.status in ("scripting", "rendering"):
        links["cancel"] = f"{base}/cancel"
    if job.status == "done" and not job.approved_by:
        links["approve"] = f"{base}/approve"
    return JobOut(
        **summary_out(job).model_dump(),
        approved_at=_ts(job.approved_at) if job.approved_at else None,
        waiting=WaitingOut(**waiting.as_dict()) if waiting is not None else None,
        deliveries=[DeliveryOut(at=_ts(d["at"]), event=d["event"], attempt=d["try"],
                                status=d.get("status"), ok=d["ok"], result=d["result"])
                    for d in job.deliveries],
        workers=list(job.workers),
        webhooks=[event_out(job.id, ev) for ev in events or ()],
        script_warnings=list(job.script_warnings),
        review_log=[ClearedOut(where=r["where"], warnings=r["warnings"], by=r["by"],
                               how=r["how"], at=_ts(r["at"])) for r in job.review_log],
        needs_review=_needs_review(job),
        options=job.options, auto_render=job.auto_render, warnings=list(job.warnings),
        error=job.error or None, hint=job.hint or None,
        progress=[ProgressOut(at=_ts(t), message=m) for t, m in job.progress],
        clips=[ClipOut(label=c["label"], duration_ms=c["duration_ms"], width=c["width"],
                       height=c["height"], video_url=_file_url(job, c["video"]) or "",
                       srt_url=_file_url(job, c.get("srt")), vtt_url=_file_url(job, c.get("vtt")))
               for c in job.clips],
        files=[FileOut(name=f["name"], kind=f["kind"], lang=f.get("lang", ""), bytes=f["bytes"],
                       url=_file_url(job, f["name"]) or "") for f in job.files],
        links=links,
    )


def _needs_review(job: Job) -> list[str]:
    if job.script is None or job.status != "review":
        return []
    script = from_dict(Script, job.script)
    return ["headline" if i < 0 else f"sentence {i + 1}" for i in script.flagged]


def status_for(exc: AnchorError) -> int:
    """The HTTP status of a library error: the caller's fault (4xx) or ours (5xx)."""
    if isinstance(exc, (JobNotFound, GlossaryNotFound)):
        return 404
    if isinstance(exc, (Conflict, GlossaryConflict)):
        return 409
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, (InputError, ConfigError)):
        return 422
    if isinstance(exc, (BackendUnavailable, ModelError)):
        return 503
    return 500


def describe_errors(exc: ValidationError | Any) -> str:
    """One readable line from pydantic's error list: 'sentences: must be <= 30; ...'."""
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return "; ".join(parts) or "invalid request"


MEDIA_TYPES = {".mp4": "video/mp4", ".srt": "application/x-subrip; charset=utf-8",
               ".vtt": "text/vtt; charset=utf-8", ".json": "application/json",
               ".png": "image/png"}


def download_name(job: Job, name: str) -> tuple[str, str]:
    """(ASCII fallback, full name) for a job's file: the headline, then the file's own name.

    ``城市新开三座滨河公园-zh.mp4`` for a Chinese headline; the fallback keeps what ASCII
    can of it (``job-72d3e2b4-zh.mp4`` when nothing) for clients without RFC 6266.
    """
    title = unicodedata.normalize("NFC", job.title)
    # Only what is safe in a file name on every OS: letters and digits of any script.
    words = re.findall(r"[^\W_]+", title)
    full = "-".join(words)[:60].strip("-") or f"job-{job.id[:8]}"
    ascii_words = re.findall(r"[a-z0-9]+", title.lower())
    fallback = "-".join(ascii_words)[:40].strip("-") or f"job-{job.id[:8]}"
    return f"{fallback}-{name}", f"{full}-{name}"


def content_disposition(job: Job, name: str, download: bool) -> str:
    """RFC 6266: an ASCII ``filename`` and a UTF-8 ``filename*`` carrying the headline."""
    fallback, full = download_name(job, name)
    kind = "attachment" if download else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(full, safe='')}"


def file_response(svc: JobService, job_id: str, name: str, download: bool,
                  viewer: Any = None) -> FileResponse:
    path, _entry, job = svc.file(job_id, name, *((viewer,) if viewer is not None else ()))
    return FileResponse(
        path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
        headers={"Cache-Control": "private, no-cache",
                 "Content-Disposition": content_disposition(job, path.name, download)})


# ----------------------------------------------------------------------------- routes

_MULTIPART_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": ".txt, .md or .json (title/body) article"},
        "text": {"type": "string"}, "title": {"type": "string"},
        "langs": {"type": "string", "example": "zh,en"}, "avatar": {"type": "string"},
        "voice_zh": {"type": "string"}, "voice_en": {"type": "string"},
        "aspect": {"type": "string", "enum": ["16:9", "9:16", "1:1"]},
        "sentences": {"type": "integer"}, "zh_variant": {"type": "string"},
        "bilingual": {"type": "boolean"}, "auto_render": {"type": "boolean"},
        "fallback_reading": {"type": "boolean"},
        "tts": {"type": "string", "enum": ["offline", "edge"],
                "description": "edge sends the script's text to Microsoft's online voices"},
    },
}


async def read_submission(request: Request, part_limit: int | None = None,
                          ) -> tuple[SubmitRequest, bytes | None, str | None]:
    """A submission from JSON, urlencoded or multipart (with an optional file).

    ``part_limit``: the largest form field read (the page reads oversize pastes whole,
    so it can hand them back with the reason; the API refuses them outright)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    upload: bytes | None = None
    filename: str | None = None
    if ctype == "application/json":
        body = await request.body()
        if json_too_deep(body):
            raise InputError("the JSON is nested too deeply", hint="send a flat JSON object")
        try:
            raw: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InputError("the body is not valid JSON", hint="send a JSON object") from exc
    elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        cfg = request.app.state.cfg
        form = await request.form(max_files=1 + MAX_PICTURES + 1, max_fields=30,
                                  max_part_size=max(part_limit or cfg.max_upload_bytes + 1024,
                                                    MAX_PICTURE_BYTES + 1))
        raw = {}
        pictures: list[tuple[str, bytes]] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == "file" and value.filename:
                    upload = await value.read(cfg.max_upload_bytes + 1)
                    filename = value.filename
                elif key == "images" and value.filename:  # the story's pictures
                    pictures.append((value.filename, await value.read(MAX_PICTURE_BYTES + 1)))
                continue
            if key == "langs":
                raw.setdefault("langs", []).extend(x for x in value.split(",") if x.strip())
            elif value != "":
                raw[key] = value
    else:
        raise InputError(f"cannot read a {ctype or 'bodiless'} request",
                         hint="send application/json, or multipart/form-data with a file")
    if not isinstance(raw, dict):
        raise InputError("the body must be a JSON object", hint='{"text": "...", "langs": [...]}')
    try:
        req = SubmitRequest.model_validate(raw)
    except ValidationError as exc:
        raise InputError(describe_errors(exc), hint="see the request schema at /docs") from exc
    if ctype == "multipart/form-data":
        request.state.pictures = pictures  # read by submit (anchor.web.pictures)
    return req, upload, filename


@router.post(
    "/jobs", status_code=201, response_model=JobOut, summary="Submit an article",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": SubmitRequest.model_json_schema()},
        "multipart/form-data": {"schema": _MULTIPART_SCHEMA}}}},
    responses={413: {"description": "upload over the limit"},
               422: {"description": "unreadable article or bad option"}},
)
async def submit_job(request: Request, svc: Service, me: Caller) -> JobOut:
    """Paste `text` (JSON, at most 200,000 characters) or upload `file` (multipart). The
    job starts in `scripting`, then waits in `review` for an edited script — or renders
    straight on with `auto_render=true`."""
    req, upload, filename = await read_submission(request)
    job = await run_in_threadpool(  # ingest is CPU work: keep it off the event loop
        svc.submit, text=req.text, upload=upload, filename=filename, title=req.title,
        options=req.overrides(), auto_render=req.auto_render, submitter=me,
        fallback_reading=req.fallback_reading,
        images=getattr(request.state, "pictures", []))
    return job_out(job, svc.waiting(job))


@router.get("/me", response_model=AccountOut, summary="Who this token belongs to")
def whoami(me: Caller) -> AccountOut:
    return AccountOut(name=me.name, role=me.role)


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current: str = Field("", max_length=500, description="the password now (if one is set)")
    new: str = Field(min_length=10, max_length=500)


def change_password(request: Request, me: Account, new: str, current: str,
                    keep_session: str | None = None) -> None:
    """The caller's own password; other sessions of the account end."""
    if me.name in (ADMIN.name, LOCAL.name):
        raise Conflict("the shared admin token has no password to change",
                       hint="set a new ANCHOR_API_TOKEN, or use a named account "
                            "(anchor users add NAME --role admin --password)")
    request.app.state.accounts.set_password(me.name, new, current=current,
                                            keep_session=keep_session)
    log.info("%s changed their password", me.name)


@router.put("/me/password", status_code=204, response_class=Response,
            summary="Change your own password", responses={
                403: {"description": "the current password is wrong"},
                409: {"description": "the shared admin token has no password"}})
def put_password(request: Request, body: PasswordIn, me: Caller) -> Response:
    """Your other sign-ins (page sessions) end; tokens keep working."""
    change_password(request, me, body.new, body.current)
    return Response(status_code=204)


@router.get("/jobs", response_model=JobList,
            summary="List jobs, newest first (a reporter's own; an editor's: all)")
def list_jobs(svc: Service, me: Caller, limit: Annotated[int, Query(ge=1, le=200)] = 50,
              offset: Annotated[int, Query(ge=0)] = 0) -> JobList:
    return JobList(jobs=[summary_out(j) for j in svc.recent(limit, offset, me)], limit=limit,
                   offset=offset)


@router.get("/jobs/{job_id}", response_model=JobOut, summary="Job status and outputs")
def get_job(job_id: JobId, svc: Service, me: Caller) -> JobOut:
    job = svc.get(job_id, me)
    return job_out(job, svc.waiting(job) if job.status in ACTIVE else None, svc.events(job))


@router.get("/jobs/{job_id}/script", response_model=ScriptModel,
            summary="The generated bilingual script")
def get_script(job_id: JobId, svc: Service, me: Caller) -> ScriptModel:
    return script_out(svc.script(job_id, me))


@router.put("/jobs/{job_id}/script", response_model=JobOut, summary="Save an edited script",
            responses={409: {"description": "the job is not in review"}})
def put_script(job_id: JobId, script: ScriptModel, svc: Service, me: Caller) -> JobOut:
    """Allowed while the job is in `review`. Edited sentences lose their translation
    warnings (a person checked them); untouched ones keep them, and one marked for review
    stays so until `checked` is true on it (who ticked it is recorded)."""
    return job_out(svc.save_script(job_id, script.model_dump(), me))


@router.post("/jobs/{job_id}/render", response_model=JobOut, status_code=202,
             summary="Render the reviewed script",
             responses={409: {"description": "the job is not in review, or a part of the "
                                             "script is marked for review and not checked"}})
def render_job(job_id: JobId, svc: Service, me: Caller) -> JobOut:
    return job_out(svc.render(job_id, me))


@router.post("/jobs/{job_id}/retry", response_model=JobOut, status_code=202,
             summary="Run a failed or cancelled job's last phase again")
def retry_job(job_id: JobId, svc: Service, me: Caller) -> JobOut:
    return job_out(svc.retry(job_id, me))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, status_code=202,
             summary="Stop a queued or running job",
             responses={409: {"description": "the job is not queued or running"}})
def cancel_job(job_id: JobId, svc: Service, me: Caller) -> JobOut:
    """The job becomes `cancelled` at once; a worker running it stops within about a
    second (its ffmpeg is killed, model work is interrupted) and drops partial files.
    `POST /retry` starts it again."""
    return job_out(svc.cancel(job_id, me))


@router.delete("/jobs/{job_id}", status_code=204, summary="Delete a job and its files",
               response_class=Response)
def delete_job(job_id: JobId, svc: Service, me: Caller) -> Response:
    """A queued or running job is cancelled first."""
    svc.delete(job_id, me)
    return Response(status_code=204)


@router.post("/jobs/{job_id}/approve", response_model=JobOut,
             summary="Approve the finished clips for air (editors)",
             responses={403: {"description": "not an editor"},
                        409: {"description": "not done, or approved already"}})
def approve_job(job_id: JobId, svc: Service, me: Caller) -> JobOut:
    """Marks the job as approved by this editor; the webhook sends `approved`."""
    return job_out(svc.approve(job_id, me))


Delivery = Annotated[str, Path(description="an event's delivery id", pattern=r"^[0-9a-f]{16}$")]


@router.post("/jobs/{job_id}/deliveries/{delivery}/resend", response_model=EventOut,
             status_code=202, summary="Send a webhook event again (editors)",
             responses={403: {"description": "not an editor"},
                        409: {"description": "the server sends no webhooks"}})
def resend_event(job_id: JobId, delivery: Delivery, svc: Service, me: Caller) -> EventOut:
    """A pending event is tried at once under its delivery id; a delivered or given-up
    one is sent as a new delivery (a new id; `resend_of` names the old one)."""
    return event_out(job_id, svc.resend(job_id, delivery, me))


@router.get("/jobs/{job_id}/files/{name}", summary="Download an output file",
            response_class=FileResponse,
            responses={200: {"content": {"video/mp4": {}, "text/vtt": {}}}})
def get_file(job_id: JobId, name: FileName, svc: Service, me: Caller,
             download: Annotated[bool, Query(description="as an attachment")] = True,
             ) -> FileResponse:
    """`name` must be one of the job's `files[].name` (e.g. `zh.mp4`, `en.srt`). The
    download is named after the headline (RFC 6266 `filename*`)."""
    return file_response(svc, job_id, name, download, me)
