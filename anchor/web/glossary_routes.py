"""The newsroom glossary over HTTP: a JSON API under /api/glossary and the /glossary page.

Everyone signed in may read it and suggest a name; only editors (and admins) change it,
accept or reject suggestions, and read the audit trail. Storage and validation are
``glossary_store``'s.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from anchor.core.errors import AnchorError

from .accounts import Account, Forbidden
from .api import status_for
from .auth import Caller, api_account, page_account
from .glossary_store import Entry, GlossaryNotFound, NewsroomGlossary, Suggestion
from .pages import render

__all__ = ["api_router", "page_router", "require_editor"]

api_router = APIRouter(prefix="/api/glossary", tags=["glossary"],
                       dependencies=[Depends(api_account)])
page_router = APIRouter(include_in_schema=False)


def glossary(request: Request) -> NewsroomGlossary:
    g: NewsroomGlossary = request.app.state.glossary
    return g


Glossary = Annotated[NewsroomGlossary, Depends(glossary)]
Viewer = Annotated[Account, Depends(page_account)]
Zh = Annotated[str, Path(description="the Chinese name", min_length=1, max_length=40)]


def require_editor(me: Account, what: str = "change the newsroom glossary") -> None:
    if not me.may_approve:
        raise Forbidden(f"only an editor can {what}",
                        hint="suggest the name instead (POST /api/glossary/suggestions, or "
                             "the glossary page); an editor accepts it")


# ----------------------------------------------------------------------------- models


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str = Field(max_length=600, description="the written spelling, then accepted ones "
                    "after |: \"the United States|US\"")
    override: bool = Field(False, description="replace a base-glossary entry, or take an "
                           "English name the base glossary gives another Chinese name")
    note: str = Field("", max_length=300)


class EntryOut(BaseModel):
    zh: str
    en: str
    note: str
    override: bool
    updated: datetime
    updated_by: str


class SuggestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: str = Field(max_length=100)
    en: str = Field(max_length=600)
    job_id: str = Field("", pattern=r"^([0-9a-f]{16})?$")
    note: str = Field("", max_length=300)


class SuggestionOut(BaseModel):
    id: int
    zh: str
    en: str
    by: str
    job_id: str
    note: str
    at: datetime
    state: str
    decided_by: str
    decided_at: datetime | None
    reason: str


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str | None = Field(None, max_length=600, description="accept with this spelling")
    override: bool = False
    reason: str = Field("", max_length=300)


class AuditOut(BaseModel):
    at: datetime
    who: str
    action: str
    zh: str
    old: str | None
    new: str | None
    note: str


class GlossaryOut(BaseModel):
    entries: list[EntryOut]
    suggestions: list[SuggestionOut] = Field(description="pending ones (a reporter: their own)")


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def entry_out(e: Entry) -> EntryOut:
    return EntryOut(zh=e.zh, en=e.en, note=e.note, override=e.override,
                    updated=_ts(e.updated), updated_by=e.updated_by)


def suggestion_out(s: Suggestion) -> SuggestionOut:
    return SuggestionOut(id=s.id, zh=s.zh, en=s.en, by=s.by, job_id=s.job_id, note=s.note,
                         at=_ts(s.at), state=s.state, decided_by=s.decided_by,
                         decided_at=_ts(s.decided_at) if s.decided_at else None,
                         reason=s.reason)


def _visible(g: NewsroomGlossary, me: Account) -> list[Suggestion]:
    pending = g.suggestions("pending")
    return pending if me.may_approve else [s for s in pending if s.by == me.name]


# ----------------------------------------------------------------------------- API


@api_router.get("", response_model=GlossaryOut, summary="The newsroom glossary")
def get_glossary(g: Glossary, me: Caller) -> GlossaryOut:
    return GlossaryOut(entries=[entry_out(e) for e in g.entries()],
                       suggestions=[suggestion_out(s) for s in _visible(g, me)])


@api_router.put("/entries/{zh}", response_model=EntryOut, summary="Add or change a name "
                "(editors)", responses={403: {"description": "not an editor"},
                                        409: {"description": "shadows the base glossary"}})
def put_entry(zh: Zh, body: EntryIn, g: Glossary, me: Caller) -> EntryOut:
    require_editor(me)
    return entry_out(g.put(zh, body.en, me.name, override=body.override, note=body.note))


@api_router.delete("/entries/{zh}", status_code=204, response_class=Response,
                   summary="Remove a name (editors)")
def delete_entry(zh: Zh, g: Glossary, me: Caller) -> Response:
    require_editor(me)
    if not g.remove(zh, me.name):
        raise GlossaryNotFound(f"no glossary entry {zh[:40]}", hint="GET /api/glossary lists them")
    return Response(status_code=204)


@api_router.get("/audit", response_model=list[AuditOut],
                summary="Who changed what, newest first (editors)")
def get_audit(g: Glossary, me: Caller) -> list[AuditOut]:
    require_editor(me, "read the glossary's audit trail")
    return [AuditOut(**{**a, "at": _ts(a["at"])}) for a in g.audit()]


@api_router.post("/suggestions", response_model=SuggestionOut, status_code=201,
                 summary="Suggest a name for an editor to accept")
def post_suggestion(body: SuggestionIn, g: Glossary, me: Caller) -> SuggestionOut:
    return suggestion_out(g.suggest(body.zh, body.en, me.name, body.job_id, body.note))


@api_router.post("/suggestions/{sid}/accept", response_model=SuggestionOut,
                 summary="Accept a suggestion (editors)")
def accept_suggestion(sid: int, g: Glossary, me: Caller,
                      body: DecisionIn | None = None) -> SuggestionOut:
    require_editor(me, "accept a glossary suggestion")
    d = body or DecisionIn.model_validate({})
    return suggestion_out(g.decide(sid, me.name, True, en=d.en, override=d.override))


@api_router.post("/suggestions/{sid}/reject", response_model=SuggestionOut,
                 summary="Reject a suggestion (editors)")
def reject_suggestion(sid: int, g: Glossary, me: Caller,
                      body: DecisionIn | None = None) -> SuggestionOut:
    require_editor(me, "reject a glossary suggestion")
    reason = body.reason if body is not None else ""
    return suggestion_out(g.decide(sid, me.name, False, reason=reason))


# ----------------------------------------------------------------------------- page


def _page(request: Request, g: NewsroomGlossary, me: Account, status: int = 200,
          error: AnchorError | None = None, form: dict[str, Any] | None = None,
          notice: str = "") -> HTMLResponse:
    return render(request, "glossary.html", status=status, entries=g.entries(),
                  suggestions=_visible(g, me), audit=g.audit(50) if me.may_approve else [],
                  error=error, form=form or {}, notice=notice, active="glossary")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=10)
    return {k: v for k, v in form.items() if isinstance(v, str)}


@page_router.get("/glossary", response_class=HTMLResponse)
def glossary_page(request: Request, g: Glossary, me: Viewer) -> HTMLResponse:
    return _page(request, g, me, notice=request.query_params.get("done", "")[:200])


@page_router.post("/glossary")
async def glossary_post(request: Request, g: Glossary, me: Viewer) -> Response:
    """Add or change an entry (editors), or suggest one (anyone): one form, two buttons."""
    f = await _form(request)
    zh, en = f.get("zh", "")[:100], f.get("en", "")[:600]
    try:
        if f.get("action") == "suggest" or not me.may_approve:
            await run_in_threadpool(g.suggest, zh, en, me.name, "", f.get("note", ""))
            done = f"Suggested {zh} = {en}: an editor will look at it."
        else:
            await run_in_threadpool(lambda: g.put(zh, en, me.name, note=f.get("note", ""),
                                                  override=bool(f.get("override"))))
            done = f"Saved {zh} = {en}."
    except AnchorError as exc:
        return _page(request, g, me, status=status_for(exc), error=exc, form=f)
    return RedirectResponse(f"/glossary?done={_q(done)}", status_code=303)


@page_router.post("/glossary/remove")
async def glossary_remove(request: Request, g: Glossary, me: Viewer) -> Response:
    f = await _form(request)
    try:
        require_editor(me)
        await run_in_threadpool(g.remove, f.get("zh", "")[:100], me.name)
    except AnchorError as exc:
        return _page(request, g, me, status=status_for(exc), error=exc)
    return RedirectResponse(f"/glossary?done={_q('Removed ' + f.get('zh', '')[:40])}",
                            status_code=303)


@page_router.post("/glossary/suggestions/{sid}/{verdict}")
async def glossary_decide(request: Request, sid: int, verdict: str, g: Glossary,
                          me: Viewer) -> Response:
    f = await _form(request)
    try:
        require_editor(me, "decide on a glossary suggestion")
        if verdict not in ("accept", "reject"):
            raise Forbidden("unknown decision", hint="accept or reject")
        s = await run_in_threadpool(lambda: g.decide(
            sid, me.name, verdict == "accept", en=f.get("en") or None,
            override=bool(f.get("override")), reason=f.get("reason", "")))
    except AnchorError as exc:
        return _page(request, g, me, status=status_for(exc), error=exc)
    return RedirectResponse(f"/glossary?done={_q(f'{s.state.capitalize()} {s.zh} = {s.en}')}",
                            status_code=303)


def _q(text: str) -> str:
    return quote(text[:200])
