"""The review page's shot editor: per sentence, pick the shot (presenter, over the
shoulder, full screen), pick one of the story's pictures or upload one, or drop the visual.

``POST /jobs/{id}/shots`` is the page's form (works without JavaScript; ``shots.js``
applies a change as soon as it is made); ``PUT /api/jobs/{id}/shots`` the same for
programs; ``GET /jobs/{id}/pictures/{n}`` shows the job's n-th picture. Every change
goes through ``JobService.save_script``: the script validator, and only the story's own
pictures. Mounted by ``app.include_router(shots.router)`` and ``shots.api_router``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from anchor.core.errors import AnchorError, InputError
from anchor.core.values import SHOTS, Visual, to_dict

from .accounts import Account
from .api import JobId, job_out, require_token, status_for
from .auth import page_account
from .job_store import JobNotFound
from .pictures import MAX_PICTURE_BYTES, save_picture
from .service import JobService

__all__ = ["api_router", "apply_shots", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["jobs"], dependencies=[Depends(require_token)])


def _service(request: Request) -> JobService:
    svc: JobService = request.app.state.service
    return svc


Service = Annotated[JobService, Depends(_service)]
Viewer = Annotated[Account, Depends(page_account)]


def apply_shots(svc: JobService, job_id: str, changes: dict[int, dict[str, Any]],
                me: Account) -> None:
    """Change the shot and visual of some sentences: ``{index: {"shot": ..., "visual":
    {...} | None}}`` (a missing key keeps what was there)."""
    data = to_dict(svc.script(job_id, me))
    n = len(data["segments"])
    for i, change in changes.items():
        if not 0 <= i < n:
            raise InputError(f"there is no sentence {i + 1}", hint=f"1 to {n}")
        seg = data["segments"][i]
        if "visual" in change:
            seg["visual"] = change["visual"]
        if "shot" in change:
            seg["shot"] = change["shot"]
        if seg.get("visual") is None:
            seg["shot"] = "presenter"
        elif seg.get("shot") in ("", "presenter") and (seg["visual"] or {}).get("kind") in (
                "image", "chart", "quote") and "shot" not in change:
            seg["shot"] = "ots"
    svc.save_script(job_id, data, me)


async def _form_changes(request: Request, svc: JobService, job_id: str, me: Account
                        ) -> tuple[dict[int, dict[str, Any]], int]:
    job = svc.get(job_id, me)
    pictures = svc.pictures(job)
    # every sentence sends its (usually empty) upload field: up to MAX_SEGMENTS of them
    form = await request.form(max_files=40, max_fields=400,
                              max_part_size=MAX_PICTURE_BYTES + 1)
    changes: dict[int, dict[str, Any]] = {}
    focus = -1
    folder = svc.cfg.jobs_dir / job.id / "images"
    for key, value in form.multi_items():
        if not key.startswith(("shot_", "visual_", "upload_")):
            continue
        kind, _, idx = key.partition("_")
        if not idx.isdigit():
            continue
        i = int(idx)
        c = changes.setdefault(i, {})
        if isinstance(value, UploadFile):
            if not value.filename:
                continue
            data = await value.read(MAX_PICTURE_BYTES + 1)
            pic = await run_in_threadpool(save_picture, folder, value.filename, data,
                                          len(pictures) + 1)
            pictures.append(pic)
            c["visual"] = to_dict(Visual(kind="image", image=pic.path))
            focus = i
        elif kind == "shot" and value in SHOTS:
            c["shot"] = value
        elif kind == "visual" and "visual" not in c:
            if value == "none":
                c["visual"] = None
            elif value.startswith("pic:") and value[4:].isdigit() \
                    and int(value[4:]) < len(pictures):
                p = pictures[int(value[4:])]
                c["visual"] = to_dict(Visual(kind="image", image=p.path,
                                             caption=p.caption or p.alt, credit=p.credit))
    return changes, focus


@router.post("/jobs/{job_id}/shots")
async def edit_shots(request: Request, job_id: JobId, svc: Service, me: Viewer) -> Response:
    from .pages import _job_page  # the page of the job, with the reason shown

    try:
        changes, focus = await _form_changes(request, svc, job_id, me)
        old = svc.script(job_id, me)
        # only what differs from the script: a select left alone changes nothing
        for i in list(changes):
            seg = old.segments[i] if i < len(old.segments) else None
            c = changes[i]
            if seg is not None and c.get("shot") == seg.shot and "visual" not in c:
                del changes[i]
            elif seg is not None and "visual" in c and c["visual"] == (
                    to_dict(seg.visual) if seg.visual else None):
                del c["visual"]
                if c.get("shot", seg.shot) == seg.shot:
                    del changes[i]
            else:
                focus = i if focus < 0 else focus
        await run_in_threadpool(apply_shots, svc, job_id, changes, me)
    except AnchorError as exc:
        return _job_page(request, svc, svc.get(job_id, me), status=status_for(exc), error=exc)
    anchor = f"#sentence-{focus + 1}" if focus >= 0 else ""
    return RedirectResponse(f"/jobs/{job_id}?saved=1{anchor}", status_code=303)


@router.get("/jobs/{job_id}/pictures/{n}")
def job_picture(job_id: JobId, n: int, svc: Service, me: Viewer) -> FileResponse:
    pictures = svc.pictures(svc.get(job_id, me))
    if not 0 <= n < len(pictures) or not pictures[n].path.is_file():
        raise JobNotFound(f"job {job_id} has no picture {n}", hint="see the review page")
    return FileResponse(pictures[n].path, headers={"Cache-Control": "private, max-age=300"})


class ShotChange(BaseModel):
    index: int = Field(ge=0, le=100)
    shot: str | None = None
    visual: dict[str, Any] | None = None
    drop_visual: bool = False


class ShotEdit(BaseModel):
    segments: list[ShotChange] = Field(max_length=100)


@api_router.put("/jobs/{job_id}/shots", summary="Change the shot or visual of sentences")
def put_shots(job_id: JobId, edit: ShotEdit, request: Request,
              me: Account = Depends(require_token)) -> Any:
    """Each entry sets a sentence's `shot` (presenter, ots, full) and/or `visual` (an
    object like script.json's; `image` must be one of the job's pictures), or drops the
    visual with `drop_visual`. The job must be in review."""
    svc = _service(request)
    changes: dict[int, dict[str, Any]] = {}
    for c in edit.segments:
        entry: dict[str, Any] = {}
        if c.shot is not None:
            entry["shot"] = c.shot
        if c.drop_visual:
            entry["visual"] = None
        elif c.visual is not None:
            entry["visual"] = c.visual
        changes[c.index] = entry
    apply_shots(svc, job_id, changes, me)
    job = svc.get(job_id, me)
    return job_out(job, svc.waiting(job))
