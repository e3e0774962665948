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

from anchor.core.values import Script
from anchor.language.glossary import load_glossary

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
        # the local admin is an editor: straight into the newsroom glossary in the data
        # folder (never the server's working folder), which the next jobs read
        assert not (tmp_path / "glossary.toml").exists()
        newsroom = tmp_path / "data" / "glossary.toml"
        assert load_glossary(extra=newsroom).en("章立凡") == ("Zhang Lifan", "newsroom")
        assert status(c, jid) == "review"


def test_an_unflagged_script_still_renders_straight_on(tmp_path: Path):
    with TestClient(make_app(tmp_path, FakePipeline()), base_url=BASE) as c:
        r = c.post("/api/jobs", data={"text": ARTICLE, "langs": "en", "avatar": "lin",
                                      "sentences": "2", "auto_render": "true"})
        jid = r.json()["id"]
        wait_for_status(lambda: {"status": status(c, jid)}, ("review", "done", "failed"))
        assert status(c, jid) == "done"


def _flagged_job(c: TestClient) -> str:
    r = c.post("/api/jobs", data={"text": ARTICLE, "langs": "en", "avatar": "lin",
                                  "sentences": "2"})
    jid = str(r.json()["id"])
    wait_for_status(lambda: {"status": status(c, jid)}, ("review", "failed"))
    return jid


def test_render_is_refused_until_the_flag_is_checked(tmp_path: Path):
    """The issue's case: Render pressed without touching the marked sentence."""
    with TestClient(make_app(tmp_path, FlaggingPipeline()), base_url=BASE) as c:
        jid = _flagged_job(c)
        job = c.get(f"/api/jobs/{jid}").json()
        assert job["needs_review"] == ["sentence 1"] and "render" not in job["links"]
        r = c.post(f"/api/jobs/{jid}/render")
        assert r.status_code == 409, r.text
        assert "sentence 1 is marked for review" in r.json()["error"]
        assert "checked" in r.json()["hint"]
        # the page: the same refusal, on the review page, with the edits kept
        r = c.post(f"/jobs/{jid}/render", data={"action": "render", "en_1": "Edited too."},
                   headers={"accept": "text/html"})
        assert r.status_code == 409
        assert "marked for review" in r.text and "Edited too." in r.text
        assert status(c, jid) == "review"
        # ticking "checked" records who, keeps the warning, and lets it render
        script = c.get(f"/api/jobs/{jid}/script").json()
        script["segments"][0]["checked"] = True
        r = c.put(f"/api/jobs/{jid}/script", json=script)
        assert r.status_code == 200, r.text
        after = c.get(f"/api/jobs/{jid}/script").json()["segments"][0]
        assert after["checked"] is True and after["checked_by"] == "local"
        assert after["warnings"] == [WARNING] and after["review"] is True
        assert r.json()["review_log"][0]["how"] == "checked"
        r = c.post(f"/api/jobs/{jid}/render")
        assert r.status_code == 202, r.text
        wait_for_status(lambda: {"status": status(c, jid)}, ("done", "failed"))
        assert status(c, jid) == "done"
        # the editor's approval box shows the warning and who cleared it
        page = c.get(f"/jobs/{jid}").text
        box = page[page.index('id="approval"'):page.index('class="clips"')]
        assert "章立凡" in box and "checked as it stands" in box and "local" in box


def test_editing_clears_the_flag_and_untick_restores_it(tmp_path: Path):
    with TestClient(make_app(tmp_path, FlaggingPipeline()), base_url=BASE) as c:
        jid = _flagged_job(c)
        script = c.get(f"/api/jobs/{jid}/script").json()
        script["segments"][0]["checked"] = True
        c.put(f"/api/jobs/{jid}/script", json=script)
        script = c.get(f"/api/jobs/{jid}/script").json()
        script["segments"][0]["checked"] = False  # taken back
        job = c.put(f"/api/jobs/{jid}/script", json=script).json()
        assert job["needs_review"] == ["sentence 1"]
        assert c.post(f"/api/jobs/{jid}/render").status_code == 409
        # the page form: editing the sentence is the other way to clear it
        r = c.post(f"/jobs/{jid}/render", data={"action": "render",
                                                "en_0": "Zhang Lifan said so."},
                   follow_redirects=False)
        assert r.status_code == 303, r.text
        job = c.get(f"/api/jobs/{jid}").json()
        assert [e["how"] for e in job["review_log"]] == ["checked", "unchecked", "edited"]
        wait_for_status(lambda: {"status": status(c, jid)}, ("done", "failed"))
        assert status(c, jid) == "done"
        seg = c.get(f"/api/jobs/{jid}/script").json()["segments"][0]
        assert seg["checked_by"] == "local" and seg["warnings"] == []


def test_a_client_cannot_claim_someone_elses_tick(tmp_path: Path):
    with TestClient(make_app(tmp_path, FlaggingPipeline()), base_url=BASE) as c:
        jid = _flagged_job(c)
        script = c.get(f"/api/jobs/{jid}/script").json()
        script["segments"][0]["checked_by"] = "chief.editor"  # read-only: ignored
        c.put(f"/api/jobs/{jid}/script", json=script)
        seg = c.get(f"/api/jobs/{jid}/script").json()["segments"][0]
        assert seg["checked_by"] == "" and seg["checked"] is False
        assert c.post(f"/api/jobs/{jid}/render").status_code == 409


def test_a_flagged_job_already_queued_goes_back_to_review(tmp_path: Path):
    """Defence in depth: a job in the queue with a flagged script (queued by an older
    server, say) is never rendered: the runner sends it back to review."""
    from anchor.web.job_store import claim
    from anchor.web.runner import JobRunner

    with TestClient(make_app(tmp_path, FlaggingPipeline(), workers=0), base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": ARTICLE, "langs": ["en"]}).json()["id"]
        app: Any = c.app
        store, runner = app.state.store, app.state.runner
        assert isinstance(runner, JobRunner)
        job = claim(store, jid, "w", 60)
        runner.run_claimed(job, "w")  # scripting: flagged, so review
        store.modify(jid, lambda j: dataclasses.replace(j, status="rendering"))
        job = claim(store, jid, "w2", 60)
        runner.run_claimed(job, "w2")
        after = store.get(jid)
        assert after.status == "review" and after.files == ()
        assert after.stage.startswith("Marked for review")
