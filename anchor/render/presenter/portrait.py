"""Your own reporter as the presenter: check a photo, crop it, write ``avatars/NAME``.

``add_avatar`` takes a portrait photo and:

1. checks it (``check_photo``): exactly one face, frontal (not turned or tilted),
   big enough to animate at 1080p, eyes open, mouth closed or smiling. A photo
   that fails gets one clear reason and what to do about it;
2. crops head and shoulders into a square, the face where the layout expects it;
3. optionally replaces the background by the brand's studio backdrop, cut out
   with MediaPipe selfie segmentation (it ships in the same wheel as FaceMesh);
4. finds the landmarks on the crop and writes ``NAME.png`` and ``NAME.toml`` (with
   ``[regions]`` and ``[landmarks]``, so rendering needs no detection, and ``[consent]``:
   who the person is, that they agreed, when, and where the signed consent is kept, or
   that the face is no real person's; anchor.assets.consent).

Nothing is checked or written without that consent record: it is asked for first.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from anchor.assets.consent import ConsentMissing, consent_toml
from anchor.core.errors import BackendUnavailable, ConfigError, InputError
from anchor.core.values import Box, Branding
from anchor.render.graphics.background import studio

from .face import read_rgb
from .landmarks import Landmarks, detect_faces, landmarks_to_toml

__all__ = ["MIN_FACE_PX", "PhotoCheck", "add_avatar", "check_photo", "crop_portrait"]

MIN_FACE_PX = 160  # hairline to chin: below this the mouth is a few pixels at 1080p
OUT_SIZE = 768  # side of the square presenter image written
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True, slots=True)
class PhotoCheck:
    """What the checks measured on the face (for messages and tests)."""

    faces: int
    face_px: float  # hairline to chin
    yaw: float  # nose off the eyes' midline, as a share of the eye distance
    roll_deg: float
    eyes_open: float  # lid opening / eye width, the smaller eye
    mouth_open: float  # lip parting / mouth width


def _measure(lm: Landmarks, faces: int) -> PhotoCheck:
    r_out, l_out = lm["eye_r_upper"][0], lm["eye_l_upper"][-1]
    eye_dist = float(np.linalg.norm(l_out - r_out))
    mid = (r_out + l_out) / 2
    nose = lm["nose"][0]
    yaw = float((nose[0] - mid[0]) / max(eye_dist, 1.0))
    roll = math.degrees(math.atan2(float(l_out[1] - r_out[1]), float(l_out[0] - r_out[0])))
    opens = []
    for side in ("r", "l"):
        up, low = lm[f"eye_{side}_upper"], lm[f"eye_{side}_lower"]
        width = float(np.linalg.norm(up[-1] - up[0]))
        opens.append(float(np.mean(low[3:6, 1] - up[3:6, 1])) / max(width, 1.0))
    iu, il = lm["lips_inner_upper"], lm["lips_inner_lower"]
    mouth_w = float(np.linalg.norm(lm["lips_outer_upper"][-1] - lm["lips_outer_upper"][0]))
    gap = float(np.max(il[3:8, 1] - iu[3:8, 1]))
    return PhotoCheck(faces, lm.face_height, yaw, roll, min(opens), gap / max(mouth_w, 1.0))


def check_photo(rgb: np.ndarray, name: str = "the photo") -> tuple[Landmarks, PhotoCheck]:
    """The face's landmarks, or InputError saying what is wrong with the photo."""
    faces = detect_faces(rgb, max_faces=4)
    if not faces:
        raise InputError(f"no face found in {name}",
                         hint="use a well-lit, frontal head-and-shoulders photo")
    big = [f for f in faces if f.face_height >= 0.35 * faces[0].face_height]
    if len(big) > 1:
        raise InputError(f"{len(big)} faces in {name}; a presenter photo shows one person",
                         hint="crop the photo to the presenter alone")
    lm = faces[0]
    c = _measure(lm, len(big))
    if c.face_px < MIN_FACE_PX:
        raise InputError(f"the face in {name} is {c.face_px:.0f} px tall (hairline to chin); "
                         f"at least {MIN_FACE_PX} px are needed",
                         hint="use a larger or less cropped original (the face should fill "
                              "about a third of the photo's height)")
    if abs(c.roll_deg) > 10:
        raise InputError(f"the head in {name} is tilted by {abs(c.roll_deg):.0f}°",
                         hint="use a photo with the head upright (or straighten it first)")
    if abs(c.yaw) > 0.12:
        raise InputError(f"the face in {name} is turned to one side "
                         f"(nose {abs(c.yaw):.0%} of the eye distance off centre)",
                         hint="use a photo looking straight into the camera")
    if c.eyes_open < 0.12:
        raise InputError(f"the eyes in {name} look closed",
                         hint="use a photo with both eyes open")
    if c.mouth_open > 0.3:
        raise InputError(f"the mouth in {name} is open (parted by {c.mouth_open:.0%} of its "
                         "width)",
                         hint="use a photo with the mouth closed or smiling; the presenter "
                              "opens it when speaking")
    return lm, c


def crop_portrait(rgb: np.ndarray, lm: Landmarks, size: int = OUT_SIZE) -> np.ndarray:
    """A square head-and-shoulders crop: the face about 40 % of the height, centred across,
    the hairline about a fifth of the way down. Missing edges repeat the photo's border."""
    fh = lm.face_height
    side = 2.6 * fh
    cx = float(lm["face_oval"][:, 0].mean())
    top = float(lm.forehead[1]) - 0.55 * fh
    m = np.array([[size / side, 0.0, -(cx - side / 2) * size / side],
                  [0.0, size / side, -top * size / side]], np.float32)
    interp = cv2.INTER_AREA if side > size else cv2.INTER_LANCZOS4
    return cv2.warpAffine(rgb, m, (size, size), flags=interp, borderMode=cv2.BORDER_REPLICATE)


def _backdrop(size: int, branding: Branding) -> np.ndarray:
    return studio(size, size, branding, Box(size // 4, size // 8, size // 2, size // 2))


def replace_background(rgb: np.ndarray, branding: Branding) -> np.ndarray:
    """The person over the brand's studio backdrop (MediaPipe selfie segmentation)."""
    try:
        from mediapipe.python.solutions import selfie_segmentation
    except ImportError as exc:
        raise BackendUnavailable("background replacement needs mediapipe",
                                 hint="install mediapipe, or leave out --backdrop") from exc
    with selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        mask = seg.process(np.ascontiguousarray(rgb)).segmentation_mask
    if mask is None:
        raise InputError("no person found to cut out of the background",
                         hint="leave out --backdrop")
    # A soft but firm edge: the model's probabilities, sharpened and slightly feathered.
    alpha = np.clip((mask.astype(np.float32) - 0.3) / 0.4, 0.0, 1.0)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 1.0)[..., None]
    back = _backdrop(rgb.shape[0], branding).astype(np.float32)
    out = back + alpha * (rgb.astype(np.float32) - back)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _toml_text(name: str, display: str, title: str, licence: str, voice_zh: str, voice_en: str,
               face: Box, lm: Landmarks, consent: str) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "\n".join([
        f"# {display}: added with `anchor avatars add` from a photo.",
        f"name = {q(name)}",
        f"display_name = {q(display)}",
        f"title = {q(title)}",
        f"image = {q(name + '.png')}",
        f"licence = {q(licence)}",
        f"voice_zh = {q(voice_zh)}",
        f"voice_en = {q(voice_en)}",
        "",
        "[names]",
        f"zh = {q(display)}",
        f"en = {q(display)}",
        "",
        "[regions]",
        f"face = [{face.x}, {face.y}, {face.w}, {face.h}]",
        "",
        landmarks_to_toml(lm),
        consent,
    ])


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def consent_table(*, consent: str = "", person: str = "", consent_date: str = "",
                  no_consent_needed: bool = False, display: str = "", web: bool = False) -> str:
    """The ``[consent]`` table for a new presenter, or ConsentMissing saying what to give:
    ``consent`` (where the signed consent is kept) for a real person, who defaults to the
    display name; ``no_consent_needed`` for a face of no real person (a drawing).
    ``web``: the hint names the upload form's fields instead of the flags."""
    if consent.strip() and no_consent_needed:
        raise InputError("give either --consent (a real person who agreed) or "
                         "--no-consent-needed (no real person), not both")
    if no_consent_needed:
        return consent_toml(real_person=False,
                            note="declared when it was added")
    if not consent.strip():
        fields = ('"consent"', '"person"', '"no_consent_needed"') if web else (
            "--consent", "--person", "--no-consent-needed")
        raise ConsentMissing(
            "a presenter's face needs its person's consent on record",
            hint=f"say where the signed consent is kept ({fields[0]}, e.g. HR file 2026/113) "
                 f"and who they are ({fields[1]}); or {fields[2]} if the face is a drawing "
                 "of no real person")
    return consent_toml(real_person=True, person=person.strip() or display,
                        record=consent.strip(), date=consent_date.strip())


def add_avatar(photo: Path, name: str, folder: Path, *, display_name: str = "",
               title: str = "News Anchor", licence: str = "", voice_zh: str = "zh-female",
               voice_en: str = "en-female", backdrop: Branding | None = None,
               force: bool = False, consent: str = "", person: str = "",
               consent_date: str = "", no_consent_needed: bool = False
               ) -> tuple[Path, Path, PhotoCheck]:
    """Check ``photo`` and write ``folder/NAME.png`` + ``NAME.toml``; returns both and the
    measurements. ``consent`` / ``person`` / ``consent_date`` record a real person's
    agreement; ``no_consent_needed`` declares a face of no real person. One of them is
    required (ConsentMissing), before anything else is done."""
    if not _NAME.match(name):
        raise InputError(f"avatar name {name!r} is not usable as a file name",
                         hint="lower-case letters, digits, - and _ (up to 40), e.g. 'mei-li'")
    display = display_name or name.replace("-", " ").replace("_", " ").title()
    consent_text = consent_table(consent=consent, person=person, consent_date=consent_date,
                                 no_consent_needed=no_consent_needed, display=display)
    png, toml = folder / f"{name}.png", folder / f"{name}.toml"
    if not force and (png.exists() or toml.exists()):
        raise ConfigError(f"avatar {name!r} exists already in {folder}",
                          hint="pick another --name, or pass --force to replace it")
    rgb = read_rgb(photo)
    lm, check = check_photo(rgb, photo.name)
    crop = crop_portrait(rgb, lm)
    if backdrop is not None:
        crop = replace_background(crop, backdrop)
    faces = detect_faces(crop, max_faces=1)
    if not faces:  # the crop is the same face, larger: this is not expected
        raise InputError(f"the face was lost when cropping {photo.name}",
                         hint="use a photo with more room around the head")
    lm2 = faces[0]
    face = lm2.box("face_oval")
    folder.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
    if not ok:
        raise InputError(f"cannot encode {png}")
    _write_atomic(png, encoded.tobytes())
    text = _toml_text(name, display, title, licence or f"provided by the user ({photo.name})",
                      voice_zh, voice_en, face, lm2, consent_text)
    _write_atomic(toml, text.encode("utf-8"))
    return png, toml, check
