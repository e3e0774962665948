"""`POST /api/avatars`: a reporter uploads a portrait and becomes a presenter;
`GET /api/avatars`: the presenters and their consent.

The same checks and output as `anchor avatars add` (anchor.render.presenter.portrait): one frontal
face, big enough, eyes open, mouth closed or smiling; a bad photo is a 422 with the
reason and a hint. The editor records the person's consent with the photo (``consent``:
where the signed consent is kept, ``person``, ``consent_date``), or declares the face no
real person's (``no_consent_needed``); without either the upload is a 422 and nothing
is written. Mounted by ``app.include_router(avatar_upload.router)``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from anchor.assets.avatars import avatars_dir, list_avatars, load_avatar
from anchor.assets.brands import load_brand
from anchor.assets.consent import consent_record
from anchor.core.errors import InputError

from .accounts import Account, Forbidden
from .api import require_token

__all__ = ["MAX_PHOTO_BYTES", "router"]

MAX_PHOTO_BYTES = 15 * 1024 * 1024
router = APIRouter(prefix="/api", tags=["avatars"], dependencies=[Depends(require_token)])


@router.post("/avatars", status_code=201, summary="Add a presenter from a photo")
async def upload_avatar(
    photo: Annotated[UploadFile, File(description="portrait, PNG or JPEG")],
    name: Annotated[str, Form(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")],
    display_name: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "News Anchor",
    licence: Annotated[str, Form()] = "",
    backdrop: Annotated[bool, Form()] = False,
    brand: Annotated[str, Form()] = "default",
    consent: Annotated[str, Form(description="where the person's signed consent to be a "
                                             "presenter is kept")] = "",
    person: Annotated[str, Form(description="who the person is (default: display_name)")] = "",
    consent_date: Annotated[str, Form(description="when they agreed, YYYY-MM-DD")] = "",
    no_consent_needed: Annotated[bool, Form(description="the face is no real person's "
                                                        "(a drawing)")] = False,
    me: Account = Depends(require_token),
) -> JSONResponse:
    if not me.may_approve:  # a new face on air is an editor's call, like approving a clip
        raise Forbidden("only an editor can add a presenter",
                        hint="ask an editor, or use `anchor avatars add` on the server")
    # deferred: OpenCV and PIL, first upload
    from anchor.render.presenter.portrait import add_avatar, consent_table

    # the consent first: no photo is read, checked or kept without it
    consent_table(consent=consent, person=person, consent_date=consent_date,
                  no_consent_needed=no_consent_needed, display=display_name or name, web=True)
    data = await photo.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        return JSONResponse({"error": f"photo larger than {MAX_PHOTO_BYTES >> 20} MB",
                             "hint": "send a JPEG of a few megabytes"}, status_code=413)
    if not data:
        raise InputError("the photo is empty", hint="attach a PNG or JPEG portrait")
    suffix = Path(photo.filename or "photo.jpg").suffix.lower()[:5] or ".jpg"
    with tempfile.TemporaryDirectory(prefix="anchor-avatar-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        branding = load_brand(brand) if backdrop else None
        png, toml, check = await run_in_threadpool(
            add_avatar, path, name, avatars_dir(), display_name=display_name, title=title,
            licence=licence or "uploaded through the web service",
            backdrop=branding, consent=consent, person=person, consent_date=consent_date,
            no_consent_needed=no_consent_needed)
    return JSONResponse({"name": name, "image": png.name, "toml": toml.name,
                         "face_px": round(check.face_px), "eyes_open": round(check.eyes_open, 2),
                         "mouth_open": round(check.mouth_open, 2),
                         "consent": consent_record(load_avatar(name))["status"]},
                        status_code=201)


@router.get("/avatars", summary="The presenters and their consent")
async def list_presenters() -> JSONResponse:
    """Every presenter with whose face it is and the consent on record; ``publishable``
    says whether a clip may be rendered with it."""
    found = await run_in_threadpool(list_avatars)
    return JSONResponse({"avatars": [
        {**consent_record(a), "title": a.title, "voice_zh": a.voice_zh,
         "voice_en": a.voice_en, "image": a.image.name,
         "matte": a.matte.name if a.matte else None} for a in found]})
