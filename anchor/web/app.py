"""The ASGI app: pages + JSON API over one job store and queue.

``create_app(cfg, pipeline=...)`` wires store, runner and queue from the config;
tests pass a fake pipeline. The queue's workers start and stop with the app's
lifespan (uvicorn, or ``with TestClient(app)``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import AnchorError
from . import api, pages
from .config import LOOPBACK, ServeConfig, load_serve_config
from .queues import build
from .runner import Pipeline
from .security import BodyLimit, HostCheck, SameOrigin, SecurityHeaders
from .service import Choices, JobService, load_choices

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_DESCRIPTION = """\
Submit a news article, review the generated Mandarin/English script, render
presenter clips and download them. Errors are `{"error": ..., "hint": ...}`.

**Auth**: when the server has a token (`ANCHOR_API_TOKEN` or `--token`), send
`Authorization: Bearer <token>`. Without one the server only listens on loopback.

**Flow**: `POST /api/jobs` → poll `GET /api/jobs/{id}` until `review` →
optionally `PUT /api/jobs/{id}/script` → `POST /api/jobs/{id}/render` → poll until
`done` → `GET /api/jobs/{id}/files/{name}`.
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

    @app.exception_handler(api.AuthError)
    async def unauthorized(request: Request, exc: api.AuthError) -> Response:
        return JSONResponse({"error": "missing or wrong API token",
                             "hint": "send Authorization: Bearer <ANCHOR_API_TOKEN>"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(pages.LoginRequired)
    async def login(request: Request, exc: pages.LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.error("%s %s crashed", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"error": "internal error", "hint": "see the server log"},
                            status_code=500)


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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(queue.start)
        try:
            yield
        finally:
            await run_in_threadpool(queue.stop)
            store.close()

    app = FastAPI(title="Anchor", version=__version__, description=_DESCRIPTION,
                  lifespan=lifespan, redoc_url=None,
                  openapi_tags=[{"name": "jobs", "description": "articles → clips"}])
    app.state.cfg = cfg
    app.state.service = svc
    app.state.store = store
    app.state.queue = queue
    app.state.runner = runner

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, object]:
        return svc.health()

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")),
              name="static")
    _install_error_handlers(app)

    # Outermost last: host check, then origin check, then the body limit, then headers.
    app.add_middleware(SecurityHeaders)
    # multipart framing and form fields on top of the largest article file
    app.add_middleware(BodyLimit, limit=cfg.max_upload_bytes + 64 * 1024)
    app.add_middleware(SameOrigin)
    allowed = cfg.allowed_hosts or (() if cfg.token else (*LOOPBACK, "[::1]"))
    if allowed:
        app.add_middleware(HostCheck, allowed=allowed)
    return app
