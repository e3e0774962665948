"""`POST /api/avatars`: a reporter uploads a portrait and becomes a presenter.

The same checks and output as `anchor avatars add` (anchor.portrait): one frontal
face, big enough, eyes open, mouth closed or smiling; a bad photo is a 422 with the
reason and a hint. Mounted by ``app.include_router(avatar_upload.router)``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ..avatars import avatars_dir
from ..brand import load_brand
from ..errors import InputError
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
    me: Account = Depends(require_token),
) -> JSONResponse:
    if not me.may_approve:  # a new face on air is an editor's call, like approving a clip
        raise Forbidden("only an editor can add a presenter",
                        hint="ask an editor, or use `anchor avatars add` on the server")
    from ..portrait import add_avatar  # deferred: OpenCV and PIL load on the first upload

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
            licence=licence or "uploaded through the web service", backdrop=branding)
    return JSONResponse({"name": name, "image": png.name, "toml": toml.name,
                         "face_px": round(check.face_px), "eyes_open": round(check.eyes_open, 2),
                         "mouth_open": round(check.mouth_open, 2)}, status_code=201)
