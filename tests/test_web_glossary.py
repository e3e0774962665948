"""The newsroom glossary: editors change it (validated, audited, in the data folder), a
reporter's "add to glossary" is a suggestion an editor accepts, and jobs read it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import SAMPLE_ARTICLE, make_test_app, wait_for_status
from fastapi.testclient import TestClient
from test_web_review_flags import FlaggingPipeline

from anchor.core.errors import InputError
from anchor.language.glossary import load_glossary
from anchor.web.accounts import AccountStore
from anchor.web.glossary_store import GlossaryConflict, NewsroomGlossary, validate_entry
from anchor.web.job_store import Job
from anchor.web.runner import settings_for

BASE = "http://127.0.0.1"


def accounts(data: Path) -> dict[str, dict[str, str]]:
    store = AccountStore(data / "accounts.sqlite")
    out = {name: {"Authorization": f"Bearer {store.add(name, role)}"}
           for name, role in (("li", "reporter"), ("ed", "editor"))}
    store.close()
    return out


def test_validation() -> None:
    assert validate_entry(" 章立凡 ", "Zhang  Lifan") == ("章立凡", "Zhang Lifan")
    assert validate_entry("湘江新区", "Xiangjiang New Area|Xiangjiang")[1] == (
        "Xiangjiang New Area|Xiangjiang")
    for zh, en in (("章立凡", "x" * 3000), ("王" * 41, "Wang"), ("Zhang", "Zhang"),
                   ("章立凡", "章立凡"), ("章立凡", 'Zhang"Lifan'), ("章\u202e立凡", "Zhang"),
                   ("章立凡", ""), ("章立凡", "Zhang\ue000"), ("章 立凡", "Zhang")):
        with pytest.raises(InputError):
            validate_entry(zh, en)
    # the case: pinyin of other characters (Xi Jinping is not 王建国)
    with pytest.raises(GlossaryConflict, match="Wang Jianguo"):
        validate_entry("王建国", "Xi Jinping")
    assert validate_entry("王建国", "Xi Jinping", override=True)[1] == "Xi Jinping"
    # an English name another Chinese name of the base glossary has
    with pytest.raises(GlossaryConflict, match="马英九"):
        validate_entry("马英文", "Ma Ying-jeou")
    assert validate_entry("浏阳", "Liuyang") == ("浏阳", "Liuyang")
    assert validate_entry("湖南日报", "Hunan Daily")[1] == "Hunan Daily"
    with pytest.raises(GlossaryConflict, match="base glossary"):
        validate_entry("北京", "Peking")
    assert validate_entry("北京", "Peking", override=True) == ("北京", "Peking")


def test_reporter_suggests_editor_accepts_and_jobs_read_it(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    auth = accounts(data)
    with TestClient(make_test_app(data, FlaggingPipeline()), base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE}, headers=auth["li"]).json()["id"]
        wait_for_status(lambda: c.get(f"/api/jobs/{jid}", headers=auth["li"]).json(),
                        ("review",))
        # the attack, by API: a reporter cannot write the glossary
        r = c.put("/api/glossary/entries/王建国", json={"en": "Xi Jinping"},
                  headers=auth["li"])
        assert r.status_code == 403 and "suggest" in r.json()["hint"]
        r = c.put("/api/glossary/entries/王建国", json={"en": "Xi Jinping"},
                  headers=auth["ed"])
        assert r.status_code == 409 and "not of 王建国" in r.json()["error"]
        r = c.put("/api/glossary/entries/章立凡", json={"en": "Z" * 3000}, headers=auth["ed"])
        assert r.status_code == 422
        # a reporter's "add to glossary" is a suggestion
        r = c.post("/api/glossary/suggestions", json={"zh": "章立凡", "en": "Zhang Lifan",
                                                      "job_id": jid}, headers=auth["li"])
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        assert c.get("/api/glossary", headers=auth["li"]).json()["entries"] == []
        assert c.post(f"/api/glossary/suggestions/{sid}/accept",
                      headers=auth["li"]).status_code == 403
        r = c.post(f"/api/glossary/suggestions/{sid}/accept", headers=auth["ed"])
        assert r.status_code == 200 and r.json()["state"] == "accepted"
        assert c.post(f"/api/glossary/suggestions/{sid}/accept",
                      headers=auth["ed"]).status_code == 409
        entries = c.get("/api/glossary", headers=auth["li"]).json()["entries"]
        assert [(e["zh"], e["en"], e["updated_by"]) for e in entries] == [
            ("章立凡", "Zhang Lifan", "ed")]
        audit = c.get("/api/glossary/audit", headers=auth["ed"]).json()
        assert audit[0]["action"] == "accept" and audit[0]["who"] == "ed"
        assert "suggested by li" in audit[0]["note"]
        assert c.get("/api/glossary/audit", headers=auth["li"]).status_code == 403
        job: Any = c.app.state.store.get(jid)  # type: ignore[attr-defined]
        cfg = c.app.state.cfg  # type: ignore[attr-defined]
        assert c.delete("/api/glossary/entries/章立凡", headers=auth["li"]).status_code == 403
    # stored in the data folder, never the working folder; the next job reads it
    assert not (tmp_path / "glossary.toml").exists()
    assert isinstance(job, Job)
    s = settings_for(job, cfg)
    assert Path(s.glossary) == data / "glossary.toml"
    assert load_glossary(extra=s.glossary).en("章立凡") == ("Zhang Lifan", "newsroom")


def test_review_page_button_is_a_suggestion_for_a_reporter(tmp_path: Path) -> None:
    auth = accounts(tmp_path)
    with TestClient(make_test_app(tmp_path, FlaggingPipeline()), base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE}, headers=auth["li"]).json()["id"]
        wait_for_status(lambda: c.get(f"/api/jobs/{jid}", headers=auth["li"]).json(),
                        ("review",))
        token = auth["li"]["Authorization"].split()[1]
        c.post("/login", data={"secret": token})
        page = c.get(f"/jobs/{jid}").text
        assert "Suggest “章立凡 = Zhang Lifan” for the glossary" in page
        r = c.post(f"/jobs/{jid}/render", data={"action": "glossary:章立凡=Zhang Lifan"})
        assert r.status_code == 200 and "was suggested" in r.text
        g = NewsroomGlossary(tmp_path)
        assert g.entries() == [] and [s.zh for s in g.suggestions()] == ["章立凡"]
        # the glossary page: read-only for a reporter, with the pending suggestion
        page = c.get("/glossary").text
        assert "Suggest to an editor" in page and "Remove" not in page and "章立凡" in page
        r = c.post("/glossary/remove", data={"zh": "章立凡"})
        assert r.status_code == 403
        g.close()


def test_editor_page_and_comments_kept(tmp_path: Path) -> None:
    auth = accounts(tmp_path)
    with TestClient(make_test_app(tmp_path), base_url=BASE) as c:
        c.post("/login", data={"secret": auth["ed"]["Authorization"].split()[1]})
        r = c.post("/glossary", data={"zh": "马栏山", "en": "Malanshan", "note": "park",
                                      "action": "save"})
        assert r.status_code == 200 and "Saved 马栏山 = Malanshan" in r.text
        r = c.post("/glossary", data={"zh": "北京", "en": "Peking", "action": "save"})
        assert r.status_code == 409 and "base glossary" in r.text
        assert 'value="Peking"' in r.text  # what was typed stays
        r = c.post("/glossary", data={"zh": "北京", "en": "Peking", "override": "1",
                                      "action": "save"})
        assert r.status_code == 200 and "override" in r.text
        page = c.get("/glossary").text
        assert "Changes (the last 2)" in page
        assert c.post("/glossary/remove", data={"zh": "北京"}).status_code == 200
    text = (tmp_path / "glossary.toml").read_text("utf-8")
    assert '"马栏山" = "Malanshan"' in text and "北京" not in text
