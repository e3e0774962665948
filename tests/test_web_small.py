"""The issue's smaller ones, each with a test: headline length, plural wording, a refused
form in a browser's language, one 404, the model named as a person names it."""

from __future__ import annotations

from pathlib import Path

from fake_pipeline import SAMPLE_ARTICLE, make_test_app
from fastapi.testclient import TestClient

from anchor.web.pages import backend_label
from anchor.web.wording import for_reporter

BASE = "http://127.0.0.1"


def test_headline_over_200_is_refused_not_cut(tmp_path: Path) -> None:
    with TestClient(make_test_app(tmp_path), base_url=BASE) as c:
        r = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE, "title": "长" * 201})
        assert r.status_code == 422 and "200" in r.json()["error"]
        assert c.post("/api/jobs", json={"text": SAMPLE_ARTICLE,
                                         "title": "长" * 200}).status_code == 201


def test_one_sentence_is_singular() -> None:
    assert for_reporter("translating 1 sentences") == "Translating 1 sentence"
    assert for_reporter("translating 5 sentences") == "Translating 5 sentences"


def test_an_oversize_form_gets_a_page_not_json(tmp_path: Path) -> None:
    app = make_test_app(tmp_path, max_upload_bytes=2000)
    with TestClient(app, base_url=BASE) as c:
        big = b"x" * 17_000_000  # over what the story form reads (16 MB)
        r = c.post("/jobs", files={"file": ("a.txt", big, "text/plain")},
                   data={"text": "kept"})  # no Accept header, as some browsers send
        assert r.status_code == 413
        assert r.headers["content-type"].startswith("text/html")
        assert "kept in this browser" in r.text


def test_missing_and_others_jobs_read_the_same(tmp_path: Path) -> None:
    from anchor.web.accounts import AccountStore

    store = AccountStore(tmp_path / "accounts.sqlite")
    li, sam = store.add("li", "reporter"), store.add("sam", "reporter")
    store.close()
    with TestClient(make_test_app(tmp_path), base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE},
                     headers={"Authorization": f"Bearer {li}"}).json()["id"]
        other = c.get(f"/api/jobs/{jid}", headers={"Authorization": f"Bearer {sam}"})
        missing = c.get("/api/jobs/0123456789abcdef", headers={"Authorization": f"Bearer {sam}"})
        assert other.status_code == missing.status_code == 404
        assert other.json()["hint"] == missing.json()["hint"]
        assert other.json()["error"].replace(jid, "ID") == missing.json()["error"].replace(
            "0123456789abcdef", "ID")


def test_model_named_as_a_person_names_it() -> None:
    assert backend_label("llama.cpp:qwen2.5-coder-1.5b-instruct-q4_k_m.gguf") == (
        "Qwen2.5 Coder 1.5B Instruct (llama.cpp)")
