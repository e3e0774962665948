"""`anchor serve`: the reporters' web form and JSON API, or a queue worker for it."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import typer

from anchor.core.errors import BackendUnavailable, ConfigError
from anchor.core.settings import load_settings
from anchor.jobs.preflight import preflight

from .console import err_console

__all__ = ["serve_cmd"]


def _check_redis(url: str) -> None:
    try:
        import redis
    except ImportError as exc:
        raise BackendUnavailable("the huey-redis queue needs the huey and redis packages",
                                 hint="pip install huey redis") from exc
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise BackendUnavailable(f"cannot reach Redis at {url.split('@')[-1]}: {exc}",
                                 hint="start redis-server, or fix --queue") from exc


def serve_cmd(
    host: str = typer.Option("127.0.0.1", help="Address to listen on. Anything but loopback "
                             "needs a token."),
    port: int = typer.Option(8000, help="Port to listen on."),
    data: Path | None = typer.Option(None, help="Folder for jobs.sqlite and the clips "
                                     "(default output/serve; shared by all workers)."),
    token: str | None = typer.Option(None, help="API token (prefer the ANCHOR_API_TOKEN "
                                     "environment variable: flags show up in `ps`)."),
    workers: int | None = typer.Option(None, help="Jobs run at once in this process "
                                       "(default 1; 0 = web only, with --queue)."),
    queue: str | None = typer.Option(None, help="sqlite (default: this machine) or "
                                     "huey-redis://HOST:6379/0 (several workers/machines)."),
    worker_only: bool = typer.Option(False, "--worker-only", help="Run queue workers only, "
                                     "no web server (needs --queue huey-redis://...)."),
    config: Path | None = typer.Option(None, help="Config file (default ./anchor.toml)."),
) -> None:
    """Serve the submission form and JSON API (docs at /docs), or run queue workers."""
    # deferred: the web package (sqlite3, urllib's HTTP client for webhooks) loads only
    # for this command, not for every `anchor` invocation
    from anchor.web.accounts import AccountStore
    from anchor.web.config import is_loopback, load_serve_config, queue_kind
    from anchor.web.queues import DataDirLock, redis_url, run_worker

    cfg = load_serve_config({"data": data, "token": token, "workers": workers,
                             "queue": queue}, config_file=config)
    # the render settings every job starts from: a typo, a missing presenter or an unusable
    # ffmpeg stops the server now, not each reporter's job later
    preflight(load_settings(config))
    kind = queue_kind(cfg.queue)
    if kind == "huey-redis":
        _check_redis(redis_url(cfg.queue))
    if worker_only:
        err_console().print(
            f"Anchor worker: {max(1, cfg.workers)} worker(s) on "
            f"{redis_url(cfg.queue).split('@')[-1]} · outputs in {cfg.data} (Ctrl-C stops)",
            highlight=False)
        run_worker(cfg)
        return
    has_accounts = AccountStore(cfg.data / "accounts.sqlite").any_active()
    if not cfg.token and not has_accounts and not is_loopback(host):
        raise ConfigError(
            f"refusing to listen on {host} without accounts or an API token",
            hint="add accounts (anchor users add NAME) or set ANCHOR_API_TOKEN to serve "
                 "other machines, or keep the default --host 127.0.0.1")
    if kind == "sqlite":
        if cfg.workers == 0:
            raise ConfigError("--workers 0 leaves nobody to run the jobs",
                              hint="with the default sqlite queue, use --workers 1 or more")
        # Fail now with a clear message, not inside uvicorn's start-up.
        lock = DataDirLock(cfg.data)
        lock.acquire()
        lock.release()

    # deferred: uvicorn and FastAPI take most of a second to import; only this command,
    # and only a web server (not --worker-only), needs them
    import uvicorn

    from anchor.web.app import create_app

    shown = f"[{host}]" if ":" in host else host
    if not cfg.public_url:
        # webhook payloads carry absolute URLs: this address unless public_url says better
        name = socket.gethostname() if host in ("0.0.0.0", "::") else shown
        cfg = replace(cfg, public_url=f"http://{name}:{port}")
    app = create_app(cfg)
    err_console().print(
        f"Anchor serving on [bold]http://{shown}:{port}/[/] (API docs: /docs) · "
        f"jobs in {cfg.data} · queue {kind} · {cfg.workers} worker(s) · "
        f"{'sign-in required' if cfg.token or has_accounts else 'no accounts: local only'}",
        highlight=False)
    # log_config=None: keep the CLI's logging set-up (-v shows uvicorn's access log).
    uvicorn.run(app, host=host, port=port, log_config=None, proxy_headers=False)
