"""The review page shows sentences marked for review, offers "add to glossary" on a
misspelt name, and the web never renders a flagged script on its own (strict)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import SAMPLE_ARTICLE as ARTICLE
from fake_pipeline import FakePipeline, wait_for_status
from fake_pipeline import make_test_app as make_app
from fastapi.testclient import TestClient

from anchor.glossary import load_glossary
from anchor.models import Script

BASE = "http://127.0.0.1"
WARNING = 'name "章立凡" should read "Zhang Lifan" in en'


class FlaggingPipeline(FakePipeline):
    def prepare(self, *args: Any, **kw: Any) -> Script:
        script = super().prepare(*args, **kw)
        first = dataclasses.replace(script.segments[0], warnings=(WARNING,), review=True)
        return dataclasses.replace(script, segments=(first, *script.segments[1:]))


def status(c: TestClient, jid: str) -> str:
    return str(c.get(f"/api/jobs/{jid}").json()["status"])


def test_flags_and_add_to_glossary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    with TestClient(make_app(tmp_path / "data", FlaggingPipeline()), base_url=BASE) as c:
        r = c.post("/api/jobs", data={"text": ARTICLE, "langs": "en", "avatar": "lin",
                                      "sentences": "2", "auto_render": "true"})
        assert r.status_code == 201, r.text
        jid = r.json()["id"]
        # asked to render straight on, it still waits: a sentence is marked for review
        wait_for_status(lambda: {"status": status(c, jid)}, ("review", "done", "failed"))
        assert status(c, jid) == "review"
        page = c.get(f"/jobs/{jid}").text
        assert "needs-review" in page and "Marked for review" in page
        assert 'value="glossary:章立凡=Zhang Lifan"' in page
        api = c.get(f"/api/jobs/{jid}/script").json()
        assert api["segments"][0]["review"] is True
        r = c.post(f"/jobs/{jid}/render", data={"action": "glossary:章立凡=Zhang Lifan"},
                   follow_redirects=False)
        assert r.status_code == 303
        assert load_glossary(project=tmp_path).en("章立凡") == ("Zhang Lifan", "project")
        assert status(c, jid) == "review"


def test_an_unflagged_script_still_renders_straight_on(tmp_path: Path):
    with TestClient(make_app(tmp_path, FakePipeline()), base_url=BASE) as c:
        r = c.post("/api/jobs", data={"text": ARTICLE, "langs": "en", "avatar": "lin",
                                      "sentences": "2", "auto_render": "true"})
        jid = r.json()["id"]
        wait_for_status(lambda: {"status": status(c, jid)}, ("review", "done", "failed"))
        assert status(c, jid) == "done"
