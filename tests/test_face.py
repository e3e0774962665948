"""Face, eye and mouth regions: Haar detection on the photo, hints, cache, and failure."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from anchor.assets.avatars import load_avatar
from anchor.core.errors import InputError
from anchor.core.paths import cache_dir
from anchor.core.values import Avatar, Box
from anchor.render.presenter import face as face_mod
from anchor.render.presenter.face import detect_regions, find_face, read_rgb


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANCHOR_HOME", str(tmp_path / "home"))


def inside(inner: Box, outer: Box) -> bool:
    return (outer.x <= inner.x and outer.y <= inner.y and inner.x + inner.w <= outer.x + outer.w
            and inner.y + inner.h <= outer.y + outer.h)


def test_detects_the_face_in_astra() -> None:
    r = find_face(load_avatar("astra"))
    assert r.source == "detected"
    f = r.face
    # Her face in the 512x512 portrait: centred near (224, 113), about 95 px across.
    assert 200 <= f.cx <= 250 and 90 <= f.cy <= 140 and 70 <= f.w <= 130
    assert len(r.eyes) == 2 and r.eyes[0].x < r.eyes[1].x
    for eye in r.eyes:
        assert inside(eye, f) and eye.cy < f.cy
    assert r.eyes[0].cx < f.cx < r.eyes[1].cx
    m = r.mouth
    assert inside(m, Box(f.x, f.y + f.h // 2, f.w, f.h))  # lower half of the face
    assert abs(m.cx - f.cx) < 0.1 * f.w and 0.3 * f.w < m.w < 0.65 * f.w


def test_detection_is_cached_by_image_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    avatar = load_avatar("astra")
    first = find_face(avatar)
    files = list((cache_dir() / "faces").glob("*.json"))
    assert len(files) == 1 and len(files[0].stem) == 64  # the image's sha256
    assert json.loads(files[0].read_text())["face"] == [first.face.x, first.face.y,
                                                        first.face.w, first.face.h]

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("detection ran again")

    monkeypatch.setattr(face_mod, "detect_regions", boom)
    assert find_face(avatar) == first


def test_hints_override_detection() -> None:
    astra = load_avatar("astra")
    face = Box(150, 50, 140, 140)
    r = find_face(dataclasses.replace(astra, face=face))
    assert r.face == face and r.source == "hints+detected"
    mouth = Box(200, 140, 50, 16)
    eyes = (Box(240, 95, 20, 8), Box(190, 95, 20, 8))
    r = find_face(dataclasses.replace(astra, face=face, eyes=eyes, mouth=mouth))
    assert (r.face, r.mouth, r.source) == (face, mouth, "hints")
    assert r.eyes == (eyes[1], eyes[0])  # sorted left to right


def test_drawn_presenter_uses_its_toml() -> None:
    lin = load_avatar("lin")
    r = find_face(lin)
    assert r.source == "hints" and r.face == lin.face and r.mouth == lin.mouth


def test_blank_image_raises_with_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "avatars"
    folder.mkdir()
    Image.fromarray(np.full((300, 300, 3), 200, np.uint8)).save(folder / "blank.png")
    avatar = Avatar(name="blank", display_name="Blank", title="", image=folder / "blank.png")
    with pytest.raises(InputError) as err:
        find_face(avatar)
    assert "no face found" in err.value.message and "blank.png" in err.value.message
    assert "[regions]" in err.value.hint and "blank.toml" in err.value.hint


def test_face_hint_alone_finds_eyes_and_mouth_in_a_plain_image() -> None:
    blank = np.full((300, 300, 3), 200, np.uint8)
    r = detect_regions(blank, face=Box(100, 80, 100, 100))
    assert len(r.eyes) == 2 and r.mouth.cy > 80 + 50  # proportions of an average face


def test_unreadable_image_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(InputError):
        read_rgb(bad)
