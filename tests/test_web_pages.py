"""The reporters' HTML pages (no browser): form → review → render → player, escaping, login."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fake_pipeline import SAMPLE_ARTICLE as ARTICLE
from fake_pipeline import FakePipeline, wait_for_status
from fake_pipeline import make_test_app as make_app
from fastapi.testclient import TestClient

from anchor.cli.serve_command import serve_cmd
from anchor.core.errors import ConfigError
from anchor.web.config import load_serve_config

BASE = "http://127.0.0.1"
TOKEN = "s3cret-token-for-tests"


def status(c: TestClient, jid: str) -> dict[str, object]:
    return c.get(f"/api/jobs/{jid}", headers={"Authorization": f"Bearer {TOKEN}"}).json()


def test_form_review_render_player(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        page = c.get("/")
        assert page.status_code == 200
        assert 'name="text"' in page.text and 'value="xia" selected' in page.text
        assert 'value="astra"' not in page.text  # a face with no consent is not offered
        assert "content-security-policy" in page.headers

        r = c.post("/jobs", data={"text": ARTICLE, "langs": ["zh", "en"], "aspect": "16:9",
                                  "avatar": "lin", "sentences": "3"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        jid = r.headers["location"].rsplit("/", 1)[1]
        assert 'data-poll="/jobs/' in c.get(f"/jobs/{jid}").text or True  # may be done already
        wait_for_status(lambda: status(c, jid), ("review",))

        review = c.get(f"/jobs/{jid}").text
        assert "Review the script" in review
        assert "number 3 missing in zh" in review
        fields = dict(re.findall(r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>', review))
        assert set(fields) >= {"title_zh", "title_en", "zh_0", "en_0", "zh_1", "en_2"}

        # Save a draft first: stays in review with the edit kept.
        edits = dict(fields, en_1="Residents cheered the riverside paths.")
        r = c.post(f"/jobs/{jid}/render", data={**edits, "action": "save"},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("?saved=1")
        assert "Draft saved." in c.get(r.headers["location"]).text
        # An empty sentence is refused with the reporter's edits still on the page.
        bad = c.post(f"/jobs/{jid}/render", data={**edits, "zh_0": " ", "action": "render"})
        assert bad.status_code == 422 and "sentence 1 is empty in zh" in bad.text
        assert "Residents cheered the riverside paths." in bad.text

        r = c.post(f"/jobs/{jid}/render", data={**edits, "action": "render"},
                   follow_redirects=False)
        assert r.status_code == 303
        wait_for_status(lambda: status(c, jid), ("done",))
        done = c.get(f"/jobs/{jid}").text
        assert done.count("<video") == 2
        assert f'src="/jobs/{jid}/files/zh.mp4"' in done
        assert f'href="/jobs/{jid}/files/en.srt?download=true"' in done
        assert "Residents cheered the riverside paths." in done
        srt = c.get(f"/jobs/{jid}/files/en.srt")
        assert "Residents cheered the riverside paths." in srt.text
        assert srt.headers["content-disposition"].startswith("inline;")

        jobs = c.get("/jobs").text
        assert f'href="/jobs/{jid}"' in jobs and "City opens three riverside parks" in jobs


def test_form_errors_keep_the_text(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        r = c.post("/jobs", data={"text": ARTICLE, "sentences": "0", "langs": ["zh"]})
        assert r.status_code == 422
        assert "sentences" in r.text and "City opens three riverside parks" in r.text
        r = c.post("/jobs", data={"text": ARTICLE})
        assert r.status_code == 422 and "pick at least one language" in r.text
        r = c.post("/jobs", data={"text": "", "langs": ["en"]})
        assert r.status_code == 422 and "no article given" in r.text


def test_user_text_is_escaped_everywhere(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        r = c.post("/jobs", data={"title": evil, "text": f"{evil}\nBody {evil}. More.",
                                  "langs": ["en"]}, follow_redirects=False)
        jid = r.headers["location"].rsplit("/", 1)[1]
        wait_for_status(lambda: status(c, jid), ("review",))
        for page in (c.get(f"/jobs/{jid}").text, c.get("/jobs").text, c.get("/").text):
            assert "<script>alert" not in page and "<img src=x" not in page
            assert "&lt;script&gt;alert(" in page
        c.app.state.runner.pipeline = FakePipeline()  # type: ignore[attr-defined]
        bad = c.post("/jobs", data={"text": ARTICLE, "langs": ["en"], "avatar": evil})
        assert bad.status_code == 422 and "<script>alert" not in bad.text


def test_pages_need_a_session_when_a_token_is_set(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, token=TOKEN), base_url="http://newsroom.example") as c:
        r = c.get("/jobs", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/jobs"
        assert c.post("/jobs", data={"text": ARTICLE, "langs": "en"},
                      follow_redirects=False).status_code == 303
        wrong = c.post("/login", data={"token": "nope", "next": "/jobs"})
        assert wrong.status_code == 401 and "that token is not right" in wrong.text
        r = c.post("/login", data={"token": TOKEN, "next": "https://evil.example/"},
                   follow_redirects=False)
        assert r.headers["location"] == "/"  # no open redirect
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert c.get("/jobs").status_code == 200
        r = c.post("/jobs", data={"text": ARTICLE, "langs": "en"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
        # The page session does not open the API; the bearer token does.
        assert c.get("/api/jobs").status_code == 401
        c.post("/logout")
        assert c.get("/jobs", follow_redirects=False).status_code == 303


def test_unknown_page_is_a_friendly_404(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        r = c.get("/jobs/0123456789abcdef", headers={"accept": "text/html"})
        assert r.status_code == 404 and "Not found" in r.text and "<html" in r.text


def test_serve_refuses_public_bind_without_token(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANCHOR_API_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="without accounts or an API token") as err:
        serve_cmd(host="0.0.0.0", port=8000, data=tmp_path, token=None, workers=None,
                  queue=None, worker_only=False, config=None)
    assert "ANCHOR_API_TOKEN" in err.value.hint
    with pytest.raises(ConfigError, match="--worker-only needs a distributed queue"):
        serve_cmd(host="127.0.0.1", port=8000, data=tmp_path, token=None, workers=None,
                  queue=None, worker_only=True, config=None)
    with pytest.raises(ConfigError, match="not a queue"):
        serve_cmd(host="127.0.0.1", port=8000, data=tmp_path, token=None, workers=None,
                  queue="rabbitmq://x", worker_only=False, config=None)


def test_serve_config_layers(tmp_path: Path) -> None:
    toml = tmp_path / "anchor.toml"
    toml.write_text('[render]\nsentences = 4\n[serve]\nworkers = 3\nqueue = "sqlite"\n')
    cfg = load_serve_config({"workers": None, "data": tmp_path / "d"},
                            env={"ANCHOR_API_TOKEN": "t", "ANCHOR_SERVE_LEASE": "9"},
                            config_file=toml)
    assert (cfg.workers, cfg.token, cfg.lease_s, cfg.data) == (3, "t", 9.0, tmp_path / "d")
    toml.write_text('[serve]\ntoken = "committed-secret"\n')
    with pytest.raises(ConfigError, match="unknown key"):
        load_serve_config(env={}, config_file=toml)
