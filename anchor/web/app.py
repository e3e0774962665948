"""The ASGI app: pages + JSON API over one job store and queue.

``create_app(cfg, pipeline=...)`` wires store, runner and queue from the config;
tests pass a fake pipeline. The queue's workers start and stop with the app's
lifespan (uvicorn, or ``with TestClient(app)``).
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from anchor import __version__
from anchor.core.errors import AnchorError

from . import api, avatar_upload, glossary_routes, pages
from . import shot_routes as shots
from .accounts import AccountStore, FailureLog, RedisFailures, SqliteFailures, Throttle
from .auth import AuthError, LoginRequired, Throttled
from .config import LOOPBACK, ServeConfig, load_serve_config
from .fonts import WebFonts
from .glossary_store import NewsroomGlossary
from .job_store import Job, JobStore, RedisJobStore, SqliteJobStore
from .outbox import OutboxEvent
from .queues import attach_webhooks, build
from .runner import Pipeline
from .security import BodyLimit, HostCheck, SameOrigin, SecurityHeaders
from .service import Choices, JobService, UnreadableText, load_choices

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_DESCRIPTION = """\
Submit a news article, review the generated Mandarin/English script, render
presenter clips and download them. Errors are `{"error": ..., "hint": ...}`.

**Auth**: when the server has accounts (`anchor users add`) or a shared token
(`ANCHOR_API_TOKEN`, an admin), send `Authorization: Bearer <token>`. Without either
the server only listens on loopback. Wrong tokens are throttled per client: past the
limit every call gets `429` with `Retry-After` for up to a minute.

**Roles**: a reporter sees and changes only their own jobs; an editor sees all and
approves finished clips for air (`POST /api/jobs/{id}/approve`).

**Flow**: `POST /api/jobs` (text up to 200,000 characters) → poll `GET /api/jobs/{id}`
(its `waiting` tells queue position, elapsed time and an estimate) until `review` →
optionally `PUT /api/jobs/{id}/script` → `POST /api/jobs/{id}/render` → poll until
`done` → `GET /api/jobs/{id}/files/{name}`. `POST /api/jobs/{id}/cancel` stops a
queued or running job; `DELETE /api/jobs/{id}` removes it and its files.
"""


def _wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    return "text/html" not in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, hint: str = "",
           headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message, "hint": hint}, status_code=status,
                            headers=headers)
    resp = pages.render(request, "error.html", status=status, message=message, hint=hint,
                        code=status)
    if headers:
        resp.headers.update(headers)
    return resp


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AnchorError)
    async def anchor_error(request: Request, exc: AnchorError) -> Response:
        status = api.status_for(exc)
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc.message)
        if isinstance(exc, UnreadableText) and _wants_json(request):
            # each character with where it is and what to write instead, for a client
            return JSONResponse({"error": exc.message, "hint": exc.hint, "characters": [
                {"char": u.char, "codepoint": u.codepoint, "line": u.line, "column": u.column,
                 "index": u.index, "why": u.why, "suggestion": u.suggestion}
                for u in exc.found]}, status_code=status)
        return _error(request, status, exc.message, exc.hint)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        hint = {404: "see /docs for the API", 405: "see /docs for the allowed methods"}
        return _error(request, exc.status_code, str(exc.detail), hint.get(exc.status_code, ""),
                      headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 422, api.describe_errors(exc),
                      "see the request schema at /docs")

    @app.exception_handler(AuthError)
    async def unauthorized(request: Request, exc: AuthError) -> Response:
        return JSONResponse({"error": "missing or wrong API token",
                             "hint": "send Authorization: Bearer <your token> "
                                     "(anchor users add gives one)"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Throttled)
    async def throttled(request: Request, exc: Throttled) -> Response:
        return _error(request, 429, "too many wrong tokens from this address",
                      f"wait {exc.retry_after} s before trying again",
                      headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(LoginRequired)
    async def login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError) -> Response:
        return _error(request, 400, "the request is nested too deeply",
                      "send a flat JSON object")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.error("%s %s crashed", request.method, request.url.path, exc_info=exc)
        return _error(request, 500, "internal error",
                      "something went wrong on the server; try again, and tell whoever runs "
                      "it if it happens again")


def create_app(
    cfg: ServeConfig | None = None,
    *,
    pipeline: Pipeline | None = None,
    choices: Callable[[], Choices] | None = None,
) -> FastAPI:
    """The service for ``cfg`` (default: config layers). ``pipeline`` replaces the real one."""
    cfg = cfg or load_serve_config()
    store, runner, queue = build(cfg, pipeline)
    svc = JobService(cfg, store, queue, runner.pipeline, choices or load_choices)
    hooks = attach_webhooks(cfg, store)
    if hooks is not None:
        svc.sender = hooks
        emit = store.emit
        assert emit is not None

        def emit_and_wake(job: Job, event: str) -> OutboxEvent:
            hooks.wake()  # written here: deliver it now rather than at the next poll
            return emit(job, event)

        store.emit = emit_and_wake
    accounts = AccountStore(cfg.data / "accounts.sqlite")
    glossary = NewsroomGlossary(cfg.data)
    fonts = WebFonts()
    sweeper = _Sweeper(svc)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(queue.start)
        if hooks is not None:
            hooks.start()  # events a killed server left in the outbox go out now
        fonts.start()
        sweeper.start()
        try:
            yield
        finally:
            sweeper.stop()
            await run_in_threadpool(queue.stop)
            if hooks is not None:
                hooks.stop()
            store.close()
            accounts.close()
            glossary.close()

    app = FastAPI(title="Anchor", version=__version__, description=_DESCRIPTION,
                  lifespan=lifespan, redoc_url=None, docs_url=None,
                  openapi_tags=[{"name": "jobs", "description": "articles → clips"}])
    app.state.cfg = cfg
    app.state.service = svc
    app.state.store = store
    app.state.queue = queue
    app.state.runner = runner
    app.state.accounts = accounts
    app.state.glossary = glossary
    app.state.accounts_exist = _cached(accounts.any_active, 2.0)  # asked on every request
    app.state.throttle = Throttle(limit=cfg.login_limit, address_limit=cfg.address_limit,
                                  failures=failure_log(store))
    app.state.fonts = fonts
    app.state.webhooks = hooks

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, object]:
        return svc.health()

    app.include_router(api.router)
    app.include_router(avatar_upload.router)
    app.include_router(glossary_routes.api_router)
    app.include_router(shots.api_router)
    app.include_router(shots.router)
    app.include_router(pages.router)
    app.include_router(glossary_routes.page_router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")),
              name="static")
    _install_docs(app)
    _install_fonts(app, fonts)
    _install_error_handlers(app)

    # Outermost last: host check, then origin check, then the body limit, then headers.
    app.add_middleware(SecurityHeaders)
    # multipart framing and form fields on top of the largest article file; the story
    # form may send more, so that an oversize paste comes back to the reporter
    app.add_middleware(BodyLimit, limit=cfg.max_upload_bytes + 64 * 1024,
                       page_limit=pages.PAGE_FORM_LIMIT,
                       page_paths=("/jobs", "/api/avatars"))  # photos up to 15 MB
    app.add_middleware(SameOrigin)
    if cfg.allowed_hosts:
        app.add_middleware(HostCheck, allowed=cfg.allowed_hosts)
    elif not cfg.token:
        # Open (no sign-in) only to loopback names; once accounts exist, sign-in guards
        # the server and it may answer to any name, as with a token.
        app.add_middleware(HostCheck, allowed=(*LOOPBACK, "[::1]"),
                           unless=app.state.accounts_exist)
    return app


def failure_log(store: JobStore) -> FailureLog:
    """Failed sign-ins beside the jobs, where every process of the service sees them."""
    if isinstance(store, RedisJobStore):
        return RedisFailures(store.client, store.prefix)
    assert isinstance(store, SqliteJobStore)
    return SqliteFailures(store.path)


def _cached(fn: Callable[[], bool], ttl_s: float) -> Callable[[], bool]:
    """``fn()`` at most once per ``ttl_s`` (a middleware asks on every request)."""
    state = {"at": -ttl_s, "value": False}
    lock = threading.Lock()

    def get() -> bool:
        with lock:
            if time.monotonic() - state["at"] > ttl_s:
                state["value"], state["at"] = fn(), time.monotonic()
            return bool(state["value"])

    return get


class _Sweeper:
    """Retention in the background: at start, then every ``every_s`` seconds."""

    def __init__(self, svc: JobService, every_s: float = 600.0) -> None:
        self.svc = svc
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.svc.cfg.keep_days <= 0 and self.svc.cfg.keep_gb <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="anchor-retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            try:
                self.svc.sweep()
            except Exception as exc:  # a store hiccup: the next round tries again
                log.warning("retention: %s", exc)
            if self._stop.wait(self.every_s):
                return


def _swagger_dir() -> Path | None:
    """Swagger UI 5 (it reads FastAPI's OpenAPI 3.1) as the fastapi-offline package ships
    it; only its static files are used."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    path = Path(fastapi_offline.__file__).with_name("static")
    return path if (path / "swagger-ui-bundle.js").is_file() else None


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anchor API</title><link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/docs/ui/swagger-ui.css"></head>
<body><div id="swagger-ui" data-spec="/openapi.json"></div>
<script src="/docs/ui/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script></body></html>"""

_NO_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Anchor API</title>
<link rel="stylesheet" href="/static/style.css"></head><body><main class="wrap">
<section class="card narrow"><h1>API</h1><p>The interactive API page needs the
<code>fastapi-offline</code> package (<code>pip install fastapi-offline</code>).
The description itself is at <a href="/openapi.json">/openapi.json</a>.</p>
<p>{desc}</p></section></main></body></html>"""


def _install_docs(app: FastAPI) -> None:
    """Swagger UI from a package's own files, never a CDN: works offline."""
    ui = _swagger_dir()
    if ui is not None:
        app.mount("/docs/ui", StaticFiles(directory=ui), name="swagger-ui")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        if ui is None:
            return HTMLResponse(_NO_DOCS_PAGE.format(desc=html.escape(_DESCRIPTION)))
        return HTMLResponse(_DOCS_PAGE)


def _install_fonts(app: FastAPI, fonts: WebFonts) -> None:
    cache = {"Cache-Control": "public, max-age=86400"}

    @app.get("/fonts/cjk.css", include_in_schema=False)
    def fonts_css() -> Response:
        # short cache: the subset face appears once it is built
        return Response(fonts.css(), media_type="text/css",
                        headers={"Cache-Control": "public, max-age=300"})

    @app.get("/fonts/cjk-common.{ext}", include_in_schema=False)
    def font_common(ext: str) -> Any:
        if fonts.subset is None or fonts.subset.suffix != f".{ext}":
            return JSONResponse({"error": "no such font", "hint": ""}, status_code=404)
        return FileResponse(fonts.subset, media_type=f"font/{ext}", headers=cache)

    @app.get("/fonts/cjk-extb.{ext}", include_in_schema=False)
    def font_extb(ext: str) -> Any:
        if fonts.extb is None or fonts.extb.suffix != f".{ext}":
            return JSONResponse({"error": "no such font", "hint": ""}, status_code=404)
        return FileResponse(fonts.extb, media_type=f"font/{'ttf' if ext == 'ttf' else 'otf'}",
                            headers=cache)

    @app.get("/fonts/cjk-full.otf", include_in_schema=False)
    def font_full() -> Any:
        if fonts.source is None:
            return JSONResponse({"error": "no such font", "hint": ""}, status_code=404)
        return FileResponse(fonts.source, media_type="font/otf", headers=cache)
