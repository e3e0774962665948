"""`POST /api/avatars`: a good portrait becomes a presenter; a bad one is a 422 with a reason."""

from __future__ import annotations

import types
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("mediapipe", reason="FaceMesh (mediapipe) is not installed")
from fastapi import FastAPI
from fastapi.testclient import TestClient

from anchor.core.errors import AnchorError
from anchor.web import api, avatar_upload

LIN = Path(__file__).resolve().parent.parent / "avatars" / "lin.png"


@pytest.fixture()
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("ANCHOR_ASSETS", str(tmp_path))
    monkeypatch.setenv("ANCHOR_HOME", str(tmp_path / "home"))
    app = FastAPI()
    app.state.cfg = types.SimpleNamespace(token="")
    app.include_router(avatar_upload.router)

    @app.exception_handler(AnchorError)
    async def _err(request, exc: AnchorError):  # type: ignore[no-untyped-def]
        from fastapi.responses import JSONResponse

        return JSONResponse({"error": exc.message, "hint": exc.hint},
                            status_code=api.status_for(exc))

    return TestClient(app)


CONSENT = {"consent": "signed release, HR file 2026/113", "person": "Lin, reporter",
           "consent_date": "2026-12-05"}


def test_upload_writes_the_presenter(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/api/avatars", data={"name": "reporter", **CONSENT},
                    files={"photo": ("me.png", LIN.read_bytes(), "image/png")})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "reporter"
    assert "Lin, reporter agreed on 2026-12-05" in r.json()["consent"]
    assert (tmp_path / "avatars" / "reporter.png").is_file()
    toml = (tmp_path / "avatars" / "reporter.toml").read_text()
    assert "[landmarks]" in toml and 'record = "signed release, HR file 2026/113"' in toml
    listed = client.get("/api/avatars").json()["avatars"]
    assert [(a["name"], a["publishable"], a["person"]) for a in listed] == [
        ("reporter", True, "Lin, reporter")]


def test_upload_without_consent_is_refused_and_keeps_nothing(client: TestClient,
                                                             tmp_path: Path) -> None:
    r = client.post("/api/avatars", data={"name": "someone"},
                    files={"photo": ("me.png", LIN.read_bytes(), "image/png")})
    assert r.status_code == 422 and "consent" in r.json()["error"]
    assert '"no_consent_needed"' in r.json()["hint"]  # the form's field, not a CLI flag
    assert not (tmp_path / "avatars" / "someone.toml").exists()
    r = client.post("/api/avatars", data={"name": "drawn", "no_consent_needed": "true"},
                    files={"photo": ("me.png", LIN.read_bytes(), "image/png")})
    assert r.status_code == 201 and r.json()["consent"].startswith("no real person")


def test_bad_photo_is_a_422_with_the_reason(client: TestClient) -> None:
    _, blank = cv2.imencode(".png", np.full((300, 300, 3), 90, np.uint8))
    r = client.post("/api/avatars", data={"name": "blank", **CONSENT},
                    files={"photo": ("b.png", blank.tobytes(), "image/png")})
    assert r.status_code == 422 and "no face" in r.json()["error"] and r.json()["hint"]
    r = client.post("/api/avatars", data={"name": "Bad Name!", **CONSENT},
                    files={"photo": ("me.png", LIN.read_bytes(), "image/png")})
    assert r.status_code == 422
