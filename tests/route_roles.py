"""Every write route of the app × every role → the status it must answer.

The rows come from the app itself (``write_routes(app)``: each POST, PUT, PATCH and
DELETE route, plus each page action of the review form), so a new route without an
expected row fails ``tests/test_web_route_roles.py``. ``PageAction`` rows are the
review form's ``action`` values, which share one route.

Roles: ``anon`` (no credentials), ``owner`` (the reporter whose job it is),
``other`` (another reporter), ``editor`` and ``admin`` (the shared token).
Expected ``"login"`` is a 303 to /login. ``scripts/route_table.py`` prints the table.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fake_pipeline import SAMPLE_ARTICLE, FakePipeline, fake_choices
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from anchor.core.values import Script, Segment, to_dict
from anchor.web.accounts import Account, AccountStore
from anchor.web.auth import SESSION_COOKIE
from anchor.web.job_store import Job, new_job_id

__all__ = ["EXPECTED", "ROLES", "Table", "run_table", "write_routes"]

ROLES = ("anon", "owner", "other", "editor", "admin")
WRITE = {"POST", "PUT", "PATCH", "DELETE"}
ADMIN_TOKEN = "route-table-admin-token"
BASE = "http://127.0.0.1"

Expected = dict[str, int | str]


def _row(anon: int | str, owner: int | str, other: int | str, editor: int | str,
         admin: int | str) -> Expected:
    return dict(zip(ROLES, (anon, owner, other, editor, admin), strict=True))


# (method, path[, page action]) → role → status. Reporters see only their own jobs: another
# reporter's job is "not found" (404), never "forbidden", so ids are not confirmed.
EXPECTED: dict[tuple[str, ...], Expected] = {
    ("POST", "/api/jobs"): _row(401, 201, 201, 201, 201),
    ("PUT", "/api/jobs/{job_id}/script"): _row(401, 200, 404, 200, 200),
    ("PUT", "/api/jobs/{job_id}/shots"): _row(401, 200, 404, 200, 200),
    ("POST", "/api/jobs/{job_id}/render"): _row(401, 202, 404, 202, 202),
    ("POST", "/api/jobs/{job_id}/retry"): _row(401, 202, 404, 202, 202),
    ("POST", "/api/jobs/{job_id}/cancel"): _row(401, 202, 404, 202, 202),
    ("DELETE", "/api/jobs/{job_id}"): _row(401, 204, 404, 204, 204),
    ("POST", "/api/jobs/{job_id}/approve"): _row(401, 403, 403, 200, 200),
    ("POST", "/api/jobs/{job_id}/deliveries/{delivery}/resend"): _row(401, 403, 403, 202, 202),
    # editors pass the role check; the blank photo is then refused for having no face
    ("POST", "/api/avatars"): _row(401, 403, 403, 422, 422),
    ("PUT", "/api/glossary/entries/{zh}"): _row(401, 403, 403, 200, 200),
    ("DELETE", "/api/glossary/entries/{zh}"): _row(401, 403, 403, 204, 204),
    ("POST", "/api/glossary/suggestions"): _row(401, 201, 201, 201, 201),
    ("POST", "/api/glossary/suggestions/{sid}/accept"): _row(401, 403, 403, 200, 200),
    ("POST", "/api/glossary/suggestions/{sid}/reject"): _row(401, 403, 403, 200, 200),
    ("PUT", "/api/me/password"): _row(401, 204, 204, 204, 409),
    ("POST", "/jobs"): _row("login", 303, 303, 303, 303),
    ("POST", "/jobs/{job_id}/render", "save"): _row("login", 303, 404, 303, 303),
    ("POST", "/jobs/{job_id}/render", "render"): _row("login", 303, 404, 303, 303),
    ("POST", "/jobs/{job_id}/render", "glossary"): _row("login", 303, 404, 303, 303),
    ("POST", "/jobs/{job_id}/shots"): _row("login", 303, 404, 303, 303),
    ("POST", "/jobs/{job_id}/retry"): _row("login", 303, 404, 303, 303),
    ("POST", "/jobs/{job_id}/cancel"): _row("login", 303, 404, 303, 303),
    ("POST", "/jobs/{job_id}/approve"): _row("login", 403, 404, 303, 303),
    ("POST", "/jobs/{job_id}/delete"): _row("login", 303, 404, 303, 303),
    ("POST", "/jobs/{job_id}/deliveries/{delivery}/resend"): _row("login", 403, 404, 303, 303),
    ("POST", "/glossary"): _row("login", 303, 303, 303, 303),
    ("POST", "/glossary/remove"): _row("login", 403, 403, 303, 303),
    ("POST", "/glossary/suggestions/{sid}/{verdict}"): _row("login", 403, 403, 303, 303),
    ("POST", "/account/password"): _row("login", 303, 303, 303, 409),
    # signing in and out are open to everyone: a right token signs in whoever holds it
    ("POST", "/login"): _row(303, 303, 303, 303, 303),
    ("POST", "/logout"): _row(303, 303, 303, 303, 303),
}
PAGE_ACTIONS = ("save", "render", "glossary")
PASSWORD = "a-long-password-1"


def all_routes(app: Any) -> list[Any]:
    """The app's routes with included routers flattened (FastAPI ≥ 0.13x keeps them nested)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def write_routes(app: Any) -> list[tuple[str, ...]]:
    """Every state-changing route the app has, and each review-form action."""
    keys: list[tuple[str, ...]] = []
    for route in all_routes(app):
        methods = getattr(route, "methods", None) or set()
        for method in sorted(methods & WRITE):
            if route.path == "/jobs/{job_id}/render":
                keys += [(method, route.path, a) for a in PAGE_ACTIONS]
            else:
                keys.append((method, route.path))
    return keys


@dataclasses.dataclass
class Table:
    rows: list[tuple[tuple[str, ...], dict[str, tuple[int | str, int | str]]]]

    @property
    def green(self) -> bool:
        return all(got == want for _, cells in self.rows for want, got in cells.values())

    def markdown(self) -> str:
        head = "| route | " + " | ".join(ROLES) + " |\n|---|" + "---|" * len(ROLES) + "\n"
        lines = []
        for key, cells in self.rows:
            name = f"{key[0]} {key[1]}" + (f" (action={key[2]})" if len(key) > 2 else "")
            lines.append(f"| `{name}` | " + " | ".join(
                f"{want} {'✓' if got == want else f'✗ got {got}'}"
                for want, got in (cells[r] for r in ROLES)) + " |")
        return head + "\n".join(lines)


class _World:
    """An app with accounts and a job store seeded straight, no worker running."""

    def __init__(self, data: Path) -> None:
        from anchor.web.app import create_app
        from anchor.web.config import ServeConfig

        store = AccountStore(data / "accounts.sqlite")
        self.tokens = {"owner": store.add("li", "reporter", PASSWORD),
                       "other": store.add("kim", "reporter", PASSWORD),
                       "editor": store.add("ed", "editor", PASSWORD)}
        store.close()
        self.names = {"owner": "li", "other": "kim", "editor": "ed"}
        cfg = ServeConfig(data=data, token=ADMIN_TOKEN, workers=0,
                          webhook_url="http://127.0.0.1:9/nobody", webhook_secret="s",
                          login_limit=10_000)
        self.app = create_app(cfg, pipeline=FakePipeline(), choices=fake_choices)
        self.app.state.webhooks.backoff_s = 3600  # events wait; nothing is really sent

    def job(self, status: str, flagged: bool = False) -> str:
        now = time.time()
        script = Script(title_zh="城市公园", title_en="City parks", source_language="en",
                        zh_variant="Hans", backend="fake",
                        segments=(Segment(0, "第一句。", "First sentence.",
                                          warnings=('name "章立凡" should read "Zhang Lifan"',),
                                          review=flagged),
                                  Segment(1, "第二句。", "Second sentence.")))
        art = FakePipeline().ingest(SAMPLE_ARTICLE, title=None, name="inline")
        job = Job(id=new_job_id(), status=status, created=now, updated=now,  # type: ignore[arg-type]
                  title="City parks", language="en", options={"langs": "en"},
                  article=to_dict(art), queued=now, submitter="li",
                  script=None if status == "scripting" else to_dict(script))
        store = self.app.state.store
        store.create(job)
        return job.id

    def event(self, job_id: str) -> str:
        store = self.app.state.store
        store.modify(job_id, lambda j: j, event="review")
        return store.outbox.for_job(job_id)[-1].id

    def session(self, role: str) -> str:
        if role == "admin":
            return str(self.app.state.accounts.start_session(Account("admin", "admin")))
        return str(self.app.state.accounts.start_session(Account(self.names[role],
                                                                 "editor" if role == "editor"
                                                                 else "reporter")))


def _call(world: _World, c: TestClient, key: tuple[str, ...], role: str) -> int | str:
    method, path = key[0], key[1]
    api = path.startswith("/api/")
    headers: dict[str, str] = {}
    c.cookies.clear()
    if role != "anon":
        if api:
            token = ADMIN_TOKEN if role == "admin" else world.tokens[role]
            headers["Authorization"] = f"Bearer {token}"
        else:
            c.cookies.set(SESSION_COOKIE, world.session(role))
    kw: dict[str, Any] = {}
    g = world.app.state.glossary
    fill: dict[str, str] = {}
    needs = next((st for end, st in (("/render", "review"), ("/retry", "failed"),
                                      ("/cancel", "scripting"), ("/approve", "done"),
                                      ("/resend", "done")) if path.endswith(end)), "review")
    if "{job_id}" in path:
        fill["job_id"] = world.job(needs)
    if "{delivery}" in path:
        fill["delivery"] = world.event(fill["job_id"])
    if "{sid}" in path:
        fill["sid"] = str(g.suggest("章立凡", "Zhang Lifan", "li").id)
        g.decide(int(fill["sid"]), "ed", False)  # decided: a fresh one for each call
        fill["sid"] = str(g.suggest("章立凡", f"Zhang Lifan {role}", "li").id)
    if "{verdict}" in path:
        fill["verdict"] = "accept"
    if "{zh}" in path:
        fill["zh"] = "马栏山"
        if method == "DELETE":
            g.put("马栏山", "Malanshan", "ed")
    url = path.format(**fill)
    if key == ("POST", "/api/jobs"):
        kw["json"] = {"text": SAMPLE_ARTICLE, "langs": ["en"]}
    elif key == ("PUT", "/api/jobs/{job_id}/script"):
        kw["json"] = c.get(f"/api/jobs/{fill['job_id']}/script",
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
    elif key == ("PUT", "/api/jobs/{job_id}/shots"):
        kw["json"] = {"segments": [{"index": 0, "shot": "presenter", "drop_visual": True}]}
    elif key == ("POST", "/jobs/{job_id}/shots"):
        kw["data"] = {"shot_0": "presenter", "visual_0": "none"}
    elif key == ("POST", "/api/avatars"):
        import cv2
        import numpy as np

        _, blank = cv2.imencode(".png", np.full((300, 300, 3), 90, np.uint8))
        kw["files"] = {"photo": ("b.png", blank.tobytes(), "image/png")}
        kw["data"] = {"name": "routetable"}
    elif key == ("PUT", "/api/glossary/entries/{zh}"):
        kw["json"] = {"en": "Malanshan"}
    elif key == ("POST", "/api/glossary/suggestions"):
        kw["json"] = {"zh": "浏阳", "en": "Liuyang"}
    elif key == ("PUT", "/api/me/password"):
        kw["json"] = {"current": PASSWORD, "new": PASSWORD}
    elif path == "/jobs":
        kw["data"] = {"text": SAMPLE_ARTICLE, "langs": "en"}
    elif len(key) > 2:
        kw["data"] = {"action": "glossary:章立凡=Zhang Lifan" if key[2] == "glossary"
                      else key[2]}
    elif path == "/glossary":
        kw["data"] = {"zh": "湘江", "en": "Xiang River", "action": "save"}
    elif path == "/glossary/remove":
        g.put("马栏山", "Malanshan", "ed")
        kw["data"] = {"zh": "马栏山"}
    elif path == "/account/password":
        kw["data"] = {"current": PASSWORD, "new": PASSWORD, "again": PASSWORD}
    elif path == "/login":
        kw["data"] = {"secret": ADMIN_TOKEN if role in ("anon", "admin")
                      else world.tokens[role]}
    r = c.request(method, url, headers={**headers, "accept": "application/json"
                                        if api else "text/html"},
                  follow_redirects=False, **kw)
    if r.status_code == 303 and "/login?next=" in r.headers.get("location", ""):
        return "login"
    return r.status_code


@contextmanager
def world_client(data: Path) -> Iterator[tuple[_World, TestClient]]:
    world = _World(data)
    with TestClient(world.app, base_url=BASE) as c:
        yield world, c


def run_table(data: Path, keys: Callable[[Any], list[tuple[str, ...]]] = write_routes) -> Table:
    rows = []
    with world_client(data) as (world, c):
        for key in keys(world.app):
            want = EXPECTED.get(key)
            if want is None:
                rows.append((key, {r: ("no row", "?") for r in ROLES}))
                continue
            rows.append((key, {r: (want[r], _call(world, c, key, r)) for r in ROLES}))
    return Table(rows)


def api_routes_without_auth(app: Any) -> list[str]:
    """API routes that take no credentials (none should, beyond /api docs)."""
    from anchor.web.auth import api_account

    out = []
    for route in all_routes(app):
        if isinstance(route.original_route if hasattr(route, "original_route") else route,
                      APIRoute) and route.path.startswith("/api/"):
            deps = {d.call for d in route.dependant.dependencies}
            flat = set(deps)
            for d in route.dependant.dependencies:
                flat |= {x.call for x in d.dependencies}
            if api_account not in flat:
                out.append(route.path)
    return out
