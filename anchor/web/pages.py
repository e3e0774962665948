"""The reporters' pages: submit, review the script, follow progress, watch and download.

Server-rendered Jinja templates (autoescaped) with one small script for polling;
the forms work without JavaScript too (the page refreshes itself while a job runs).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from ..errors import AnchorError, InputError
from ..models import Script, from_dict, to_dict
from .api import FileName, JobId, file_response, read_submission, status_for
from .jobs import Job
from .security import SESSION_COOKIE, SESSION_SECONDS, make_session, session_ok
from .service import JobService

__all__ = ["LoginRequired", "router", "templates"]

log = logging.getLogger(__name__)

_HERE = Path(__file__).parent
templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_HERE / "templates"),
    autoescape=True,  # every template, whatever its name: user text is never markup
    trim_blocks=True,
    lstrip_blocks=True,
)
STEPS = ("Submitted", "Script", "Review", "Voice", "Video", "Done")
LANG_NAMES = {"zh": "Mandarin", "en": "English", "bilingual": "Bilingual"}


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def page_auth(request: Request) -> None:
    token: str = request.app.state.cfg.token
    if token and not session_ok(request.cookies.get(SESSION_COOKIE), token):
        raise LoginRequired(request.url.path)


def service(request: Request) -> JobService:
    svc: JobService = request.app.state.service
    return svc


Service = Annotated[JobService, Depends(service)]
router = APIRouter(include_in_schema=False)
auth = [Depends(page_auth)]


def phase(job: Job) -> int:
    """Index into STEPS of where the job is (for a failed job: where it stopped)."""
    stage = job.stage.lower()
    if job.status == "done":
        return len(STEPS)  # past the last step: every step shows as done
    if job.status == "review":
        return 2
    if job.status == "scripting" or (job.status == "failed" and job.script is None):
        return 1 if job.lease_until is not None or job.status == "failed" else 0
    if stage.startswith(("rendering", "making")):
        return 4
    return 3


def _when(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%d %b %Y, %H:%M")


def _clock(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%H:%M:%S")


def _size(n: float) -> str:
    # Decimal units, as file managers and upload limits are usually quoted.
    for unit in ("B", "kB", "MB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1000
    return f"{n:.1f} GB"


def _regex_name(warning: str) -> tuple[str, str] | None:
    """(source, rendering) of a 'name "X" should read "Y"' warning, for "add to glossary"."""
    import re

    m = re.match(r'name "([^"]+)" should read "([^"]+)"', warning)
    return (m.group(1), m.group(2)) if m else None


templates.filters.update(when=_when, clock=_clock, size=_size, regex_name=_regex_name)
templates.globals.update(STEPS=STEPS, LANG_NAMES=LANG_NAMES, phase=phase)


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("signed_in", bool(request.app.state.cfg.token))
    html = templates.get_template(name).render(request=request, **ctx)
    return HTMLResponse(html, status_code=status)


def _form_defaults(request: Request) -> dict[str, Any]:
    from ..config import load_settings

    try:
        s = load_settings(request.app.state.cfg.config)
        return {"langs": list(s.langs), "aspect": s.aspect, "sentences": s.sentences,
                "avatar": s.avatar, "voice_zh": "", "voice_en": "", "bilingual": s.bilingual}
    except AnchorError as exc:
        log.warning("render defaults unreadable: %s", exc.message)
        return {"langs": ["zh", "en"], "aspect": "16:9", "sentences": 5, "avatar": "",
                "voice_zh": "", "voice_en": "", "bilingual": True}


def _index(request: Request, svc: JobService, status: int = 200, error: AnchorError | None = None,
           values: dict[str, Any] | None = None) -> HTMLResponse:
    form = _form_defaults(request)
    form.update(values or {})
    return render(request, "index.html", status=status, form=form, error=error,
                  choices=svc.choices(), recent=svc.recent(8),
                  max_upload=request.app.state.cfg.max_upload_bytes)


@router.get("/", response_class=HTMLResponse, dependencies=auth)
def index(request: Request, svc: Service) -> HTMLResponse:
    return _index(request, svc)


@router.post("/jobs", dependencies=auth)
async def submit(request: Request, svc: Service) -> Response:
    values: dict[str, Any] = {}
    try:
        req, upload, filename = await read_submission(request)
        values = req.model_dump(exclude_none=True)
        if not req.langs:
            raise InputError("pick at least one language", hint="Mandarin, English or both")
        job = await run_in_threadpool(
            svc.submit, text=req.text, upload=upload, filename=filename, title=req.title,
            options=req.overrides(), auto_render=req.auto_render)
    except AnchorError as exc:
        # Keep what the reporter typed: losing a pasted article to a typo'd option is cruel.
        if not values:
            form = await request.form()
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            values["langs"] = form.getlist("langs")
        return _index(request, svc, status=status_for(exc), error=exc, values=values)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs", response_class=HTMLResponse, dependencies=auth)
def jobs_page(request: Request, svc: Service, page: int = 1) -> HTMLResponse:
    page = max(1, page)
    per = 25
    jobs = svc.recent(per + 1, (page - 1) * per)
    return render(request, "jobs.html", jobs=jobs[:per], page=page, more=len(jobs) > per)


def _job_page(request: Request, svc: JobService, job: Job, status: int = 200,
              error: AnchorError | None = None, edits: dict[str, Any] | None = None,
              ) -> HTMLResponse:
    script = from_dict(Script, job.script) if job.script is not None else None
    thumb = next((f["name"] for f in job.files if f["kind"] == "thumbnail"), None)
    return render(request, "job.html", status=status, job=job, script=script, error=error,
                  edits=edits or {}, thumb=thumb, step=phase(job))


@router.get("/jobs/{job_id}", response_class=HTMLResponse, dependencies=auth)
def job_page(request: Request, job_id: JobId, svc: Service) -> HTMLResponse:
    return _job_page(request, svc, svc.get(job_id))


@router.post("/jobs/{job_id}/render", dependencies=auth)
async def render_job(request: Request, job_id: JobId, svc: Service) -> Response:
    form = await request.form(max_fields=200)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        data = to_dict(svc.script(job_id))
        data["title_zh"] = fields.get("title_zh", data["title_zh"])
        data["title_en"] = fields.get("title_en", data["title_en"])
        for seg in data["segments"]:
            i = seg["index"]
            seg["zh"] = fields.get(f"zh_{i}", seg["zh"])
            seg["en"] = fields.get(f"en_{i}", seg["en"])
        await run_in_threadpool(svc.save_script, job_id, data)
        action = fields.get("action", "")
        if action.startswith("glossary:"):
            # "add to glossary" on a flagged name: the project folder's glossary.toml,
            # which render, batch and serve all read
            from ..glossary import PROJECT_GLOSSARY, add_term

            zh, _, en = action.removeprefix("glossary:").partition("=")
            await run_in_threadpool(add_term, Path.cwd() / PROJECT_GLOSSARY, zh, en)
            return RedirectResponse(f"/jobs/{job_id}?saved=1", status_code=303)
        if action != "save":
            await run_in_threadpool(svc.render, job_id)
    except AnchorError as exc:
        return _job_page(request, svc, svc.get(job_id), status=status_for(exc), error=exc,
                         edits=fields)
    suffix = "?saved=1" if fields.get("action") == "save" else ""
    return RedirectResponse(f"/jobs/{job_id}{suffix}", status_code=303)


@router.post("/jobs/{job_id}/retry", dependencies=auth)
def retry_job(job_id: JobId, svc: Service) -> Response:
    svc.retry(job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/jobs/{job_id}/progress", dependencies=auth)
def progress(job_id: JobId, svc: Service) -> JSONResponse:
    """What the job page's script polls: small, and no outputs (the page reloads for those)."""
    job = svc.get(job_id)
    return JSONResponse({
        "status": job.status, "stage": job.stage, "phase": phase(job),
        "log": [[_clock(t), m] for t, m in job.progress[-12:]],
        "elapsed": round(time.time() - job.created),
    }, headers={"Cache-Control": "no-store"})


@router.get("/jobs/{job_id}/files/{name}", dependencies=auth)
def job_file(job_id: JobId, name: FileName, svc: Service, download: bool = False,
             ) -> FileResponse:
    return file_response(svc, job_id, name, download)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next), error=None, signed_in=False)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form(max_fields=5)
    token = str(form.get("token", ""))
    nxt = _safe_next(str(form.get("next", "/")))
    cfg = request.app.state.cfg
    from .security import bearer_ok

    if not cfg.token or not bearer_ok(f"Bearer {token}", cfg.token):
        return render(request, "login.html", status=401, next=nxt, signed_in=False,
                      error=InputError("that token is not right",
                                       hint="ask whoever runs this server for ANCHOR_API_TOKEN"))
    resp = RedirectResponse(nxt, status_code=303)
    resp.set_cookie(SESSION_COOKIE, make_session(cfg.token), max_age=SESSION_SECONDS,
                    httponly=True, samesite="strict", secure=request.url.scheme == "https",
                    path="/")
    return resp


@router.post("/logout")
def logout() -> Response:
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


def _safe_next(url: str) -> str:
    """Only same-site paths: a login link must not bounce the reporter to another site."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return quote(url, safe="/?=&-_.")
