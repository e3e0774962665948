"""Landmarks, the drawn mouth and `anchor avatars add` on real faces (FaceMesh)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from anchor.assets.avatars import _parse, load_avatar
from anchor.assets.consent import ConsentMissing, publishable
from anchor.cli import main
from anchor.core.errors import ConfigError, InputError
from anchor.render.presenter.face import read_rgb
from anchor.render.presenter.landmarks import (
    GROUPS,
    cached_landmarks,
    from_regions,
    landmarks_from_toml,
    landmarks_to_toml,
)
from anchor.render.presenter.mouth import JAW_MAX, MouthModel, Pose

mp = pytest.importorskip("mediapipe", reason="FaceMesh (mediapipe) is not installed")

from anchor.render.presenter.portrait import add_avatar, check_photo  # noqa: E402

LIN = Path(__file__).resolve().parent.parent / "avatars" / "lin.png"


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANCHOR_HOME", str(tmp_path / "home"))


def _lin() -> np.ndarray:
    return read_rgb(LIN)


def test_landmarks_round_trip_through_toml_and_are_cached() -> None:
    lm = cached_landmarks(_lin())
    assert lm is not None and lm.source == "mediapipe-facemesh"
    mouth = load_avatar("lin").mouth
    assert mouth is not None
    x, y = lm["lips_outer_upper"][5]  # the top of the upper lip, in the TOML's lip box
    assert mouth.x <= x <= mouth.x + mouth.w and mouth.y - 4 <= y <= mouth.y + mouth.h
    import tomllib

    back = landmarks_from_toml(tomllib.loads(landmarks_to_toml(lm))["landmarks"], "t")
    for k in GROUPS:
        assert np.abs(back[k] - lm[k]).max() <= 0.06
    again = cached_landmarks(_lin())  # from the cache file: identical
    assert again is not None and all(np.array_equal(again[k], lm[k]) for k in GROUPS)


def test_bad_landmarks_table_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="lips_outer_upper"):
        landmarks_from_toml({"lips_outer_upper": [[1, 2]]}, "x.toml")


def test_jaw_drops_the_chin_and_lips_stay_shut_at_rest() -> None:
    img = _lin()
    lm = cached_landmarks(img)
    assert lm is not None
    m = MouthModel(img, lm)
    r = m.region
    rest = m.draw(img, r, Pose())
    assert np.array_equal(rest, img[r.y:r.y + r.h, r.x:r.x + r.w])
    open_ = m.draw(img, r, Pose(jaw=1.0, relax=1.0))
    # The chin's outline, down the face's centre column: the shift that best lines up
    # the drawn pixels with the still ones around the chin is how far the jaw dropped.
    col = round(m.cx) - r.x
    lum_rest = rest[:, col].astype(float).mean(axis=1)
    lum_open = open_[:, col].astype(float).mean(axis=1)
    c0 = round(m.chin[1]) - r.y - 12
    win = np.arange(c0, c0 + 24)
    errs = [np.abs(lum_open[win + k] - lum_rest[win]).mean()
            for k in range(0, min(40, len(lum_open) - int(win[-1])))]
    drop = int(np.argmin(errs))
    assert drop >= 0.6 * JAW_MAX * m.fh  # the chin edge moves most of the full drop
    # The opening shows a dark inside between the lips.
    band = open_[round(m.seam_c - r.y):round(m.seam_c - r.y + 0.03 * m.fh), col - 3:col + 3]
    assert band.mean() < 0.6 * img[r.y:r.y + r.h, r.x:r.x + r.w].mean()


def test_boxes_alone_give_a_usable_landmark_set() -> None:
    a = load_avatar("lin")
    assert a.face is not None and a.mouth is not None
    lm = from_regions(a.face, a.eyes, a.mouth)
    assert {k: v.shape[0] for k, v in lm.groups.items()} == {k: len(v) for k, v in GROUPS.items()}
    assert MouthModel(_lin(), lm).region.w > a.mouth.w


def test_add_avatar_writes_a_presenter_that_loads(tmp_path: Path) -> None:
    png, toml, check = add_avatar(LIN, "lin-copy", tmp_path, display_name="Lin Copy",
                                  consent="release form, HR file 2026/113",
                                  consent_date="2026-12-05")
    assert check.faces == 1 and check.face_px > 160
    avatar = _parse(toml)
    assert avatar.image == png.resolve() and avatar.landmarks and avatar.face is not None
    assert read_rgb(png).shape == (768, 768, 3)
    # who, that they agreed, when, and where the consent is kept
    c = avatar.consent
    assert (c.real_person, c.person, c.agreed, c.date, c.record) == (
        True, "Lin Copy", True, "2026-12-05", "release form, HR file 2026/113")
    assert publishable(c)
    with pytest.raises(ConfigError, match="exists"):
        add_avatar(LIN, "lin-copy", tmp_path, no_consent_needed=True)


def test_add_avatar_refuses_a_face_without_consent_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ConsentMissing, match="consent") as info:
        add_avatar(tmp_path / "does-not-exist.png", "nobody", tmp_path)
    assert "--no-consent-needed" in info.value.hint  # the way out for a drawing
    assert not list(tmp_path.iterdir())  # nothing written, the photo not even read
    with pytest.raises(InputError, match="not both"):
        add_avatar(LIN, "both", tmp_path, consent="file", no_consent_needed=True)
    _, toml, _ = add_avatar(LIN, "drawing", tmp_path, no_consent_needed=True)
    c = _parse(toml).consent
    assert c.real_person is False and publishable(c)


@pytest.mark.parametrize(("make", "needle"), [
    (lambda img: np.full_like(img, 200), "no face"),
    (lambda img: cv2.resize(img, (200, 200), interpolation=cv2.INTER_AREA), "px tall"),
    (lambda img: np.concatenate([img, img], axis=1), "2 faces"),
    (lambda img: cv2.warpAffine(img, cv2.getRotationMatrix2D((384, 384), 25, 1.0),
                                (768, 768), borderMode=cv2.BORDER_REPLICATE), "tilted"),
])
def test_bad_photos_get_a_clear_reason(make, needle: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=needle):
        check_photo(make(_lin()))


def test_cli_lists_and_adds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["avatars"])
    assert info.value.code == 0 and "lin" in capsys.readouterr().out
    bad = tmp_path / "blank.png"
    cv2.imwrite(str(bad), np.full((400, 400, 3), 128, np.uint8))
    with pytest.raises(SystemExit) as info:
        main(["avatars", "add", str(bad), "--name", "x", "--dir", str(tmp_path),
              "--no-consent-needed"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "no face" in err and "hint:" in err
    with pytest.raises(SystemExit) as info:  # no consent: a usage error, nothing written
        main(["avatars", "add", str(LIN), "--name", "mine", "--dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "consent" in err and not (tmp_path / "mine.toml").exists()
    with pytest.raises(SystemExit) as info:
        main(["avatars", "add", str(LIN), "--name", "mine", "--dir", str(tmp_path),
              "--consent", "signed form, newsroom HR", "--person", "Lin, reporter"])
    assert info.value.code == 0 and (tmp_path / "mine.toml").is_file()
    assert 'record = "signed form, newsroom HR"' in (tmp_path / "mine.toml").read_text()
