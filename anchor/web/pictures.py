"""The story's pictures on the web: uploaded with the article (the form's "Pictures"
field, the API's ``images`` parts) or on the review page, kept in the job's folder.

A picture is checked when it arrives (anchor.render.visuals.picture: a missing, corrupt,
CMYK, animated, SVG, 50-megapixel or tiny file is refused with its reason), so the
reporter hears about it on the page they are on, not minutes later in the render.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anchor.core.errors import InputError
from anchor.core.values import ArticleImage

__all__ = [
    "MAX_PICTURES",
    "MAX_PICTURE_BYTES",
    "PICTURE_SUFFIXES",
    "job_pictures",
    "save_picture",
]

MAX_PICTURE_BYTES = 15 * 1024 * 1024
MAX_PICTURES = 8
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def _safe_name(filename: str, n: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(filename).stem)[:40].strip("-") or "picture"
    suffix = Path(filename).suffix.lower()
    return f"{n:02d}-{stem}{suffix}"


def save_picture(folder: Path, filename: str, data: bytes, n: int,
                 caption: str = "", credit: str = "") -> ArticleImage:
    """Keep one uploaded picture in ``folder`` under a name of our own, after checking
    it; InputError (the page shows it) when it cannot go on screen."""
    from anchor.render.visuals.picture import PictureError, check_picture  # deferred: PIL

    suffix = Path(filename or "").suffix.lower()
    if suffix not in PICTURE_SUFFIXES:
        raise InputError(f"picture {filename[:80] or '(no name)'}: only JPEG, PNG or WebP "
                         "pictures are shown", hint="export it as JPEG")
    if len(data) > MAX_PICTURE_BYTES:
        raise InputError(f"picture {filename[:80]} is larger than "
                         f"{MAX_PICTURE_BYTES >> 20} MB", hint="send a smaller JPEG")
    if not data:
        raise InputError(f"picture {filename[:80]} is empty", hint="attach the file again")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _safe_name(filename, n)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    try:
        check_picture(tmp)
    except PictureError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(exc.message.replace(tmp.name, filename[:80]), hint=exc.hint) from None
    tmp.replace(path)
    return ArticleImage(path=path.resolve(), caption=caption, credit=credit)


def job_pictures(article: dict[str, Any] | None, folder: Path) -> list[ArticleImage]:
    """The pictures a job may show: the article's own, then those uploaded for it."""
    from anchor.core.values import from_dict

    out: list[ArticleImage] = []
    for raw in (article or {}).get("images", ()) or ():
        if isinstance(raw, dict):
            out.append(from_dict(ArticleImage, raw))
    known = {i.path for i in out}
    if folder.is_dir():
        for p in sorted(folder.iterdir()):
            if p.suffix.lower() in PICTURE_SUFFIXES and p.resolve() not in known:
                out.append(ArticleImage(path=p.resolve()))
    return out


def check_count(uploads: Sequence[object]) -> None:
    if len(uploads) > MAX_PICTURES:
        raise InputError(f"{len(uploads)} pictures; at most {MAX_PICTURES} per story",
                         hint="pick the pictures that carry the story")
