"""The reporters' pages: submit, review the script, follow progress, watch and download.

Server-rendered Jinja templates (autoescaped) with one small script for live progress;
the forms work without JavaScript too (the page refreshes itself while a job runs).
Every refusal comes back as the page the reporter was on, with what they typed kept
and the reason shown — never a raw JSON answer.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.formparsers import MultiPartException

from anchor.core.errors import AnchorError, InputError
from anchor.core.settings import load_settings
from anchor.core.values import Script, from_dict, to_dict

from .accounts import Account, check_name_or_empty
from .api import FileName, JobId, change_password, file_response, read_submission, status_for
from .auth import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    LoginRequired,
    auth_required,
    check_secret,
    client_of,
    page_account,
    token_key,
)
from .job_store import ACTIVE, Job
from .service import JobService, TooLarge, flagged_parts

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
PAGE_FORM_LIMIT = 16_000_000  # an oversize paste is still read, to be handed back


def service(request: Request) -> JobService:
    svc: JobService = request.app.state.service
    return svc


Service = Annotated[JobService, Depends(service)]
Viewer = Annotated[Account, Depends(page_account)]
router = APIRouter(include_in_schema=False)


def phase(job: Job) -> int:
    """Index into STEPS of where the job is (for a failed job: where it stopped)."""
    stage = job.stage.lower()
    if job.status == "cancelled":  # where it was when stopped, not the stop itself
        stage = next((m.lower() for _, m in reversed(job.progress)
                      if not m.startswith(("Cancelled", "Work stopped"))), stage)
    if job.status == "done":
        return len(STEPS)  # past the last step: every step shows as done
    if job.status == "review":
        return 2
    if job.script is None and job.status in ("scripting", "failed", "cancelled"):
        return 1 if job.lease_until is not None or job.status != "scripting" else 0
    if stage.startswith(("making", "listening")):
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


def duration(seconds: float | None) -> str:
    """``75`` → ``1 min 15 s``: how long, as a person says it."""
    if seconds is None:
        return ""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min {s:02d} s" if s else f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def _regex_name(warning: str) -> tuple[str, str] | None:
    """(source, rendering) of a 'name "X" should read "Y"' warning, for "add to glossary"."""
    m = re.match(r'name "([^"]+)" should read "([^"]+)"', warning)
    return (m.group(1), m.group(2)) if m else None


def backend_label(backend: str) -> str:
    """``llama.cpp:qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`` → ``Qwen2.5 Coder 1.5B Instruct
    (llama.cpp)``: the model as a person names it, not its file name."""
    engine, _, model = backend.partition(":")
    if not model:
        return backend
    stem = re.sub(r"\.(gguf|bin|onnx|safetensors)$", "", model.rsplit("/", 1)[-1], flags=re.I)
    stem = re.sub(r"[-_.](q\d(_k)?(_[msl])?|f16|f32|fp16|int8|bf16)$", "", stem, flags=re.I)
    words = []
    for word in re.split(r"[-_]+", stem):
        if re.fullmatch(r"\d+(\.\d+)?[bm]", word, flags=re.I):
            words.append(word.upper())
        else:
            words.append(word[:1].upper() + word[1:])
    return f"{' '.join(words)} ({engine})"


def cleared_by_part(job: Job) -> dict[str, dict[str, Any]]:
    """Where ("sentence 2", "headline") → the last clearance of its flag still standing."""
    out: dict[str, dict[str, Any]] = {}
    for entry in job.review_log:
        if entry.get("how") == "unchecked":
            out.pop(entry["where"], None)
        else:
            out[entry["where"]] = entry
    return out


def still_flagged(script: Script | None) -> set[str]:
    if script is None:
        return set()
    return {"headline" if i < 0 else f"sentence {i + 1}" for i in script.flagged}


def render_warnings(job: Job) -> list[str]:
    """What the render warned of beyond the script's own warnings."""
    known = set(job.script_warnings)
    return [w for w in job.warnings if w not in known]


templates.filters.update(when=_when, clock=_clock, size=_size, duration=duration,
                        regex_name=_regex_name)
templates.globals.update(STEPS=STEPS, LANG_NAMES=LANG_NAMES, phase=phase,
                         flagged_parts=flagged_parts, backend_label=backend_label,
                         cleared_by_part=cleared_by_part, still_flagged=still_flagged,
                         render_warnings=render_warnings)


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    account: Account | None = getattr(request.state, "account", None)
    ctx.setdefault("account", account)
    ctx.setdefault("signed_in", account is not None and auth_required(request))
    ctx.setdefault("max_chars", request.app.state.cfg.max_text_chars)
    html = templates.get_template(name).render(request=request, **ctx)
    return HTMLResponse(html, status_code=status)


def _form_defaults(request: Request) -> dict[str, Any]:
    try:
        s = load_settings(request.app.state.cfg.config)
        return {"langs": list(s.langs), "aspect": s.aspect, "sentences": s.sentences,
                "avatar": s.avatar, "voice_zh": "", "voice_en": "", "bilingual": s.bilingual,
                "tts": s.tts}
    except AnchorError as exc:
        log.warning("render defaults unreadable: %s", exc.message)
        return {"langs": ["zh", "en"], "aspect": "16:9", "sentences": 5, "avatar": "",
                "voice_zh": "", "voice_en": "", "bilingual": True}


def _index(request: Request, svc: JobService, viewer: Account, status: int = 200,
           error: AnchorError | None = None, values: dict[str, Any] | None = None,
           ) -> HTMLResponse:
    form = _form_defaults(request)
    form.update(values or {})
    return render(request, "index.html", status=status, form=form, error=error,
                  choices=svc.choices(), recent=svc.recent(8, viewer=viewer),
                  max_upload=request.app.state.cfg.max_upload_bytes)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, svc: Service, me: Viewer) -> HTMLResponse:
    return _index(request, svc, me)


async def _typed(request: Request) -> dict[str, Any]:
    """What the reporter typed, read again from the form, for handing it back."""
    try:
        form = await request.form(max_files=1, max_fields=30, max_part_size=PAGE_FORM_LIMIT)
    except Exception:  # an unreadable form: nothing to hand back, the reason still shows
        return {}
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["langs"] = [v for v in form.getlist("langs") if isinstance(v, str)]
    values["auto_render"] = bool(values.get("auto_render"))
    return values


@router.post("/jobs")
async def submit(request: Request, svc: Service, me: Viewer) -> Response:
    values: dict[str, Any] = {}
    try:
        try:
            req, upload, filename = await read_submission(request, PAGE_FORM_LIMIT)
        except MultiPartException as exc:
            raise InputError(f"the form could not be read ({exc.message})",
                             hint="send it again; upload one file at most") from exc
        values = req.model_dump(exclude_none=True)
        if not req.langs:
            raise InputError("pick at least one language", hint="Mandarin, English or both")
        if filename and upload is not None and len(upload) > request.app.state.cfg.max_upload_bytes:
            raise TooLarge(f"the file {filename[:80]} is {len(upload):,} bytes; the limit is "
                           f"{request.app.state.cfg.max_upload_bytes:,}",
                           hint="paste the article text instead, or pick a smaller file")
        job = await run_in_threadpool(
            svc.submit, text=req.text, upload=upload, filename=filename, title=req.title,
            options=req.overrides(), auto_render=req.auto_render, submitter=me,
            fallback_reading=req.fallback_reading,
            images=getattr(request.state, "pictures", []))
    except AnchorError as exc:
        # Keep what the reporter typed: losing a pasted article to a typo'd option is cruel.
        if not values:
            values = await _typed(request)
        return _index(request, svc, me, status=status_for(exc), error=exc, values=values)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, svc: Service, me: Viewer, page: int = 1) -> HTMLResponse:
    page = max(1, min(page, 10_000))
    per = 25
    jobs = svc.recent(per + 1, (page - 1) * per, me)
    return render(request, "jobs.html", jobs=jobs[:per], page=page, more=len(jobs) > per)


def _job_page(request: Request, svc: JobService, job: Job, status: int = 200,
              error: AnchorError | None = None, edits: dict[str, Any] | None = None,
              notice: str = "") -> HTMLResponse:
    script = from_dict(Script, job.script) if job.script is not None else None
    thumb = next((f["name"] for f in job.files if f["kind"] == "thumbnail"), None)
    waiting = svc.waiting(job) if job.status in ACTIVE else None
    return render(request, "job.html", status=status, job=job, script=script, error=error,
                  edits=edits or {}, thumb=thumb, step=phase(job), waiting=waiting,
                  notice=notice, events=svc.events(job),
                  pictures=svc.pictures(job) if script is not None else [])


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: JobId, svc: Service, me: Viewer) -> HTMLResponse:
    return _job_page(request, svc, svc.get(job_id, me))


@router.post("/jobs/{job_id}/render")
async def render_job(request: Request, job_id: JobId, svc: Service, me: Viewer) -> Response:
    form = await request.form(max_fields=200)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        data = to_dict(svc.script(job_id, me))
        data["title_zh"] = fields.get("title_zh", data["title_zh"])
        data["title_en"] = fields.get("title_en", data["title_en"])
        data["title_checked"] = bool(fields.get("title_checked"))
        for seg in data["segments"]:
            i = seg["index"]
            seg["zh"] = fields.get(f"zh_{i}", seg["zh"])
            seg["en"] = fields.get(f"en_{i}", seg["en"])
            # a tick box is sent only when ticked: absent means not (or no longer) checked
            seg["checked"] = bool(fields.get(f"checked_{i}"))
        await run_in_threadpool(svc.save_script, job_id, data, me)
        action = fields.get("action", "")
        if action.startswith("glossary:"):
            # "add to glossary" on a flagged name: an editor's goes into the newsroom
            # glossary (audited); a reporter's waits as a suggestion for an editor
            zh, _, en = action.removeprefix("glossary:").partition("=")
            glossary = request.app.state.glossary
            if me.may_approve:
                await run_in_threadpool(lambda: glossary.put(
                    zh, en, me.name, note=f"from the review of job {job_id}"))
                said = "glossary"
            else:
                await run_in_threadpool(glossary.suggest, zh, en, me.name, job_id)
                said = "suggested"
            return RedirectResponse(f"/jobs/{job_id}?saved=1&{said}={quote(zh[:40])}",
                                    status_code=303)
        if action != "save":
            await run_in_threadpool(svc.render, job_id, me)
    except AnchorError as exc:
        return _job_page(request, svc, svc.get(job_id, me), status=status_for(exc), error=exc,
                         edits=fields)
    suffix = "?saved=1" if fields.get("action") == "save" else ""
    return RedirectResponse(f"/jobs/{job_id}{suffix}", status_code=303)


async def _act(request: Request, svc: JobService, job_id: str, me: Account, what: str,
               ) -> Response:
    """retry / cancel / approve from a button; a refusal shows on the job's page."""
    try:
        await run_in_threadpool(getattr(svc, what), job_id, me)
    except AnchorError as exc:
        return _job_page(request, svc, svc.get(job_id, me), status=status_for(exc), error=exc)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post("/jobs/{job_id}/retry")
async def retry_job(request: Request, job_id: JobId, svc: Service, me: Viewer) -> Response:
    return await _act(request, svc, job_id, me, "retry")


@router.post("/jobs/{job_id}/cancel")
async def cancel_job(request: Request, job_id: JobId, svc: Service, me: Viewer) -> Response:
    return await _act(request, svc, job_id, me, "cancel")


@router.post("/jobs/{job_id}/approve")
async def approve_job(request: Request, job_id: JobId, svc: Service, me: Viewer) -> Response:
    return await _act(request, svc, job_id, me, "approve")


@router.post("/jobs/{job_id}/deliveries/{delivery}/resend")
async def resend_event(request: Request, job_id: JobId, delivery: str, svc: Service,
                       me: Viewer) -> Response:
    try:
        await run_in_threadpool(svc.resend, job_id, delivery, me)
    except AnchorError as exc:
        return _job_page(request, svc, svc.get(job_id, me), status=status_for(exc), error=exc)
    return RedirectResponse(f"/jobs/{job_id}#deliveries", status_code=303)


@router.post("/jobs/{job_id}/delete")
async def delete_job(request: Request, job_id: JobId, svc: Service, me: Viewer) -> Response:
    job = svc.get(job_id, me)
    try:
        await run_in_threadpool(svc.delete, job_id, me)
    except AnchorError as exc:
        return _job_page(request, svc, job, status=status_for(exc), error=exc)
    title = job.title or "Untitled"
    return RedirectResponse(f"/jobs?deleted={quote(title[:80])}", status_code=303)


@router.get("/jobs/{job_id}/progress")
def progress(job_id: JobId, svc: Service, me: Viewer) -> JSONResponse:
    """What the job page's script polls: small, and no outputs (the page reloads for those)."""
    job = svc.get(job_id, me)
    waiting = svc.waiting(job) if job.status in ACTIVE else None
    return JSONResponse({
        "status": job.status, "stage": job.stage, "phase": phase(job),
        "log": [[_clock(t), m] for t, m in job.progress[-12:]],
        "elapsed": round(time.time() - job.created),
        "waiting": waiting.as_dict() if waiting else None,
        "server_time": time.time(),
    }, headers={"Cache-Control": "no-store"})


@router.get("/jobs/{job_id}/files/{name}")
def job_file(job_id: JobId, name: FileName, svc: Service, me: Viewer, download: bool = False,
             ) -> FileResponse:
    return file_response(svc, job_id, name, download, me)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, me: Viewer) -> HTMLResponse:
    return render(request, "account.html", error=None,
                  changed=bool(request.query_params.get("changed")))


@router.post("/account/password")
async def account_password(request: Request, me: Viewer) -> Response:
    form = await request.form(max_fields=5)
    new, again = str(form.get("new", ""))[:500], str(form.get("again", ""))[:500]
    try:
        if new != again:
            raise InputError("the two new passwords differ", hint="type the same one twice")
        await run_in_threadpool(change_password, request, me, new,
                                str(form.get("current", ""))[:500],
                                request.cookies.get(SESSION_COOKIE))
    except AnchorError as exc:
        return render(request, "account.html", status=status_for(exc), error=exc,
                      changed=False)
    return RedirectResponse("/account?changed=1", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next), error=None, signed_in=False,
                  login_name="")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form(max_fields=5)
    name = str(form.get("name", "")).strip()[:40]
    secret = str(form.get("secret", form.get("token", "")))[:500]
    nxt = _safe_next(str(form.get("next", "/")))
    client = client_of(request)
    throttle = request.app.state.throttle
    accounts = request.app.state.accounts

    def page(status: int, message: str, hint: str,
             headers: dict[str, str] | None = None) -> HTMLResponse:
        resp = render(request, "login.html", status=status, next=nxt, signed_in=False,
                      login_name=name, error=InputError(message, hint=hint))
        resp.headers.update(headers or {})
        return resp

    if not auth_required(request):
        return RedirectResponse(nxt, status_code=303)  # an open local server: nothing to do
    account: Account | None
    device = request.cookies.get(DEVICE_COOKIE)
    known = bool(name) and accounts.device_owner(device) == check_name_or_empty(name)
    if name:
        # Someone guessing this account's password locks it for unknown browsers only: a
        # browser that signed in with it before keeps its own count (and a token always
        # works), so a right password there is never refused for another's wrong guesses.
        keys = ([f"dev:{token_key(device or '')[4:]}"] if known
                else [f"acct:{name.lower()}", f"addr:{client}"])
        wait = throttle.wait(keys)
        if wait:
            return page(429, f"too many wrong passwords for {name} from browsers it has not "
                             "signed in with", f"wait {duration(wait)}, or sign in with your "
                             "access token (leave the name empty)",
                        {"Retry-After": str(wait)})
        account = await run_in_threadpool(accounts.by_password, name, secret)
    else:
        keys = [f"addr:{client}", token_key(secret.strip())]
        account = check_secret(request, secret.strip())  # a right token always passes
        if account is None:
            wait = throttle.wait(keys)
            if wait:
                return page(429, "too many wrong attempts from this computer",
                            f"wait {duration(wait)} before trying again",
                            {"Retry-After": str(wait)})
    if account is None:
        throttle.failed(keys)
        return page(401, "that name and password do not match" if name
                    else "that token is not right",
                    "check for typing mistakes; ask whoever runs this server for an account "
                    "(anchor users add)")
    sid = accounts.start_session(account)
    log.info("%s (%s) signed in from %s", account.name, account.role, client)
    resp = RedirectResponse(nxt, status_code=303)
    resp.set_cookie(SESSION_COOKIE, sid, max_age=12 * 3600, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", path="/")
    if name and not known:
        resp.set_cookie(DEVICE_COOKIE, accounts.new_device(account.name),
                        max_age=365 * 86400, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login")
    return resp


@router.post("/logout")
def logout(request: Request) -> Response:
    # The session ends here, on the server: a copied cookie opens nothing afterwards.
    request.app.state.accounts.end_session(request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


def _safe_next(url: str) -> str:
    """Only same-site paths: a login link must not bounce the reporter to another site."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return quote(url, safe="/?=&-_.")


