"""`anchor serve`: the reporters' submission service (pages + JSON API over one job store).

Layout: ``jobs`` (records and stores, heartbeats), ``runner`` (one job's phases over an
injected pipeline), ``cancel`` (stopping a running job), ``queues`` (in-process threads or
Huey/Redis), ``service`` (what a reporter can do), ``wording`` (progress in a reporter's
words), ``accounts`` and ``auth`` (who is calling, throttling), ``outbox`` and
``webhooks`` (durable hand-off to a CMS), ``glossary_store`` and ``glossary_routes`` (the
newsroom glossary), ``fonts`` (the CJK webfont), ``api`` and ``pages`` (HTTP),
``security`` (hosts, origins, body limits, headers), ``app`` (wiring).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy: Huey worker processes import anchor.web.* without needing FastAPI loaded.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
