"""JSON API of `anchor serve` over a fake pipeline: the reporter's flow, limits, auth, restarts."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import SAMPLE_ARTICLE, FakePipeline, make_test_app, wait_for_status
from fastapi.testclient import TestClient

from anchor.core.errors import ConfigError
from anchor.web.job_store import SqliteJobStore, claim

TOKEN = "s3cret-token-for-tests"
BASE = "http://127.0.0.1"
ARTICLE = SAMPLE_ARTICLE
make_app = make_test_app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        yield c


def job(c: TestClient, job_id: str) -> dict[str, Any]:
    r = c.get(f"/api/jobs/{job_id}")
    assert r.status_code == 200, r.text
    return r.json()


def wait(c: TestClient, job_id: str, *statuses: str, timeout: float = 20) -> dict[str, Any]:
    return wait_for_status(lambda: job(c, job_id), statuses, timeout)  # type: ignore[return-value]


def assert_error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= {"error", "hint"} and body["error"], body
    return body


def test_submit_review_edit_render_download(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/api/jobs", json={"text": ARTICLE, "langs": ["zh", "en"], "aspect": "9:16",
                                       "sentences": 3})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "scripting"
    assert created["title"] == "City opens three riverside parks"
    jid = created["id"]

    reviewed = wait(client, jid, "review")
    assert reviewed["links"]["render"] == f"/api/jobs/{jid}/render"
    assert reviewed["warnings"] == ["sentence 1: number 3 missing in zh"]
    # The log speaks the reporter's language, not the pipeline's or the server's.
    messages = [p["message"] for p in reviewed["progress"]]
    assert messages[:2] == ["Waiting for a free presenter", "Started"]
    assert "Translating 3 sentences" in messages
    assert not any("picked up" in m or ":" in m for m in messages), messages
    assert reviewed["workers"] and reviewed["workers"][0].count(":") == 1  # host:pid

    script = client.get(f"/api/jobs/{jid}/script").json()
    assert len(script["segments"]) == 3
    script["segments"][0]["en"] = "The city opened three new parks on Saturday, officials said."
    script["segments"][2]["warnings"] = ["a client cannot add warnings"]
    r = client.put(f"/api/jobs/{jid}/script", json=script)
    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == []  # the edited sentence was checked by a person
    saved = client.get(f"/api/jobs/{jid}/script").json()
    assert saved["segments"][0]["en"].startswith("The city opened three")
    assert all(s["warnings"] == [] for s in saved["segments"])

    r = client.post(f"/api/jobs/{jid}/render")
    assert r.status_code == 202 and r.json()["status"] == "rendering"
    done = wait(client, jid, "done", "failed")
    assert done["status"] == "done", done
    assert {c["label"] for c in done["clips"]} == {"zh", "en"}
    assert all((c["width"], c["height"]) == (1080, 1920) for c in done["clips"])
    names = {f["name"] for f in done["files"]}
    assert names == {"zh.mp4", "en.mp4", "zh.srt", "en.srt", "zh.vtt", "en.vtt", "manifest.json",
                     "script.json"}

    srt = client.get(f"/api/jobs/{jid}/files/en.srt")
    assert srt.status_code == 200
    assert "three new parks on Saturday, officials said" in srt.text
    assert srt.headers["content-disposition"].startswith("attachment;")
    video = client.get(done["clips"][0]["video_url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    ranged = client.get(f"/api/jobs/{jid}/files/en.mp4", headers={"Range": "bytes=0-3"})
    assert ranged.status_code == 206 and len(ranged.content) == 4  # <video> seeks need ranges

    listed = client.get("/api/jobs").json()
    assert [j["id"] for j in listed["jobs"]] == [jid]


def test_multipart_upload_with_auto_render(tmp_path: Path) -> None:
    pipe = FakePipeline()
    with TestClient(make_app(tmp_path, pipe), base_url=BASE) as c:
        body = json.dumps({"title": "Flood defences finished", "body": "Work ended in May. "
                           "The wall is 4 km long."}).encode()
        r = c.post("/api/jobs", data={"langs": "en", "auto_render": "true", "avatar": "lin",
                                      "voice_en": "en-male"},
                   files={"file": ("story.json", body, "application/json")})
        assert r.status_code == 201, r.text
        assert r.json()["options"] == {"langs": "en", "avatar": "lin", "voice_en": "en-male"}
        done = wait(c, r.json()["id"], "done", "failed")
        assert done["status"] == "done"
        assert [cl["label"] for cl in done["clips"]] == ["en"]
        assert pipe.calls == [("prepare", "Flood defences finished"),
                              ("render", "Flood defences finished")]


@pytest.mark.parametrize(("payload", "status", "needle"), [
    ({"text": ""}, 422, "no article"),
    ({"text": "   \n  "}, 422, "no article"),
    ({"text": ARTICLE, "sentences": 99}, 422, "sentences"),
    ({"text": ARTICLE, "aspect": "4:3"}, 422, "aspect"),
    ({"text": ARTICLE, "langs": ["fr"]}, 422, "langs"),
    ({"text": ARTICLE, "colour": "red"}, 422, "colour"),
    ({"text": ARTICLE, "avatar": "nobody"}, 422, "unknown presenter"),
    ({"text": ARTICLE, "avatar": "../../etc"}, 422, "avatar"),
    ({"text": ARTICLE, "voice_zh": "en-female"}, 422, "unknown zh voice"),
    ({"text": "x" * 200_001}, 413, "limit"),
    (["not", "an", "object"], 422, "object"),
])
def test_bad_submissions_are_4xx_json(client: TestClient, payload: Any, status: int,
                                      needle: str) -> None:
    body = assert_error(client.post("/api/jobs", json=payload), status)
    assert needle in body["error"] + body["hint"]
    assert client.get("/api/jobs").json()["jobs"] == []  # nothing half-created


def test_bad_uploads_and_bodies(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_upload_bytes=4096), base_url=BASE) as c:
        assert_error(c.post("/api/jobs", files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}),
                     422)
        big = b"word " * 2000  # 10 kB > 4 kB limit
        body = assert_error(c.post("/api/jobs", files={"file": ("a.txt", big, "text/plain")}), 413)
        assert "limit" in body["error"]
        # Far over the limit: refused by the body limit before any parsing.
        huge = b"x" * (200 * 1024)
        body = assert_error(c.post("/api/jobs", files={"file": ("a.txt", huge, "text/plain")}), 413)
        assert "limit" in body["hint"]
        body = assert_error(c.put("/api/jobs/0123456789abcdef/script", content=huge,
                                  headers={"content-type": "application/json"}), 413)
        assert_error(c.post("/api/jobs", content=b"{nope", headers={"content-type":
                                                                     "application/json"}), 422)
        assert_error(c.post("/api/jobs", content=b"text", headers={"content-type": "text/plain"}),
                     422)
        r = c.post("/api/jobs", files={"file": ("a.txt", b"Short title\nA body sentence here.",
                                                "text/plain")}, data={"langs": "zh"})
        assert r.status_code == 201, r.text


def test_real_ingest_errors_reach_the_client(tmp_path: Path) -> None:
    """The real ingest's InputError (message + hint) comes back as 422 JSON."""
    from anchor.web.runner import RealPipeline

    class IngestOnly(FakePipeline):
        def ingest(self, source: str | bytes, *, title: str | None, name: str):  # type: ignore[override]
            return RealPipeline().ingest(source, title=title, name=name)

    with TestClient(make_app(tmp_path, IngestOnly()), base_url=BASE) as c:
        body = assert_error(c.post("/api/jobs", files={"file": ("a.txt", b"\x00\x01\x02" * 50,
                                                                 "text/plain")}), 422)
        assert body["hint"]


@pytest.mark.parametrize("name", [
    "../jobs.sqlite", "..%2Fjobs.sqlite", "..%2F..%2Fjobs.sqlite", "%2e%2e", "..",
    "zh.mp4%2F..%2F..%2Fjobs.sqlite", "%2Fetc%2Fpasswd", "jobs.sqlite", "serve.lock",
    ".work", "zh.mp4%00.txt", "script.json",
])
def test_download_names_outside_the_list_are_refused(client: TestClient, name: str) -> None:
    jid = client.post("/api/jobs", json={"text": ARTICLE, "langs": ["zh"],
                                         "auto_render": True}).json()["id"]
    done = wait(client, jid, "done")
    assert "jobs.sqlite" not in {f["name"] for f in done["files"]}
    r = client.get(f"/api/jobs/{jid}/files/{name}")
    if name == "script.json":
        assert r.status_code == 200  # a listed name: the control case
        return
    if name == "..":  # the client itself resolves /files/.. to the job's own URL
        assert r.json()["id"] == jid
        return
    assert 400 <= r.status_code < 500, (name, r.status_code)
    assert b"SQLite" not in r.content and b"root:" not in r.content


@pytest.mark.parametrize("job_id", ["..", "..%2F..", "0123", "ZZZZZZZZZZZZZZZZ",
                                    "0123456789abcdef"])
def test_unknown_or_malformed_job_ids(client: TestClient, job_id: str) -> None:
    for path in (f"/api/jobs/{job_id}", f"/api/jobs/{job_id}/script",
                 f"/api/jobs/{job_id}/files/zh.mp4"):
        r = client.get(path)
        assert 400 <= r.status_code < 500, (path, r.status_code)
        assert "error" in r.json()


def test_wrong_state_is_409(client: TestClient) -> None:
    slow = FakePipeline(delay=0.3)
    client.app.state.runner.pipeline = slow  # type: ignore[attr-defined]
    jid = client.post("/api/jobs", json={"text": ARTICLE}).json()["id"]
    assert_error(client.get(f"/api/jobs/{jid}/script"), 409)
    assert_error(client.post(f"/api/jobs/{jid}/render"), 409)
    wait(client, jid, "review")
    script = client.get(f"/api/jobs/{jid}/script").json()
    assert_error(client.post(f"/api/jobs/{jid}/retry"), 409)
    client.post(f"/api/jobs/{jid}/render")
    wait(client, jid, "done")
    assert_error(client.put(f"/api/jobs/{jid}/script", json=script), 409)
    assert_error(client.post(f"/api/jobs/{jid}/render"), 409)


@pytest.mark.parametrize(("change", "needle"), [
    (lambda s: s["segments"][0].update(en="  "), "empty in en"),
    (lambda s: s.update(segments=[]), "segments"),
    (lambda s: s.update(extra=1), "extra"),
    (lambda s: s["segments"][0].update(zh="长" * 1001), "longer than"),
    (lambda s: s.update(source_language="fr"), "source_language"),
    (lambda s: s.update(zh_variant="Hant"), "zh_variant"),
    (lambda s: s.update(title_en=""), "headline"),
])
def test_edited_script_is_validated(client: TestClient, change: Any, needle: str) -> None:
    jid = client.post("/api/jobs", json={"text": ARTICLE}).json()["id"]
    wait(client, jid, "review")
    script = client.get(f"/api/jobs/{jid}/script").json()
    before = json.dumps(script, sort_keys=True)
    change(script)
    body = assert_error(client.put(f"/api/jobs/{jid}/script", json=script), 422)
    assert needle in body["error"], body
    after = client.get(f"/api/jobs/{jid}/script").json()
    assert json.dumps(after, sort_keys=True) == before  # a refused edit changes nothing


def test_failed_render_reports_and_retries(client: TestClient) -> None:
    jid = client.post("/api/jobs", json={"text": ARTICLE + " FAIL-RENDER",
                                         "auto_render": True}).json()["id"]
    failed = wait(client, jid, "failed", "done")
    assert failed["status"] == "failed"
    assert failed["error"] == "ffmpeg failed: fake failure"
    assert failed["hint"] == "this is the fake pipeline"
    assert failed["links"]["retry"].endswith("/retry")
    r = client.post(f"/api/jobs/{jid}/retry")
    assert r.status_code == 202 and r.json()["status"] == "rendering"
    assert wait(client, jid, "failed")["error"] == "ffmpeg failed: fake failure"


@pytest.mark.allow_error_logs
def test_unexpected_pipeline_crash_fails_the_job_not_the_server(client: TestClient) -> None:
    class Broken(FakePipeline):
        def prepare(self, article, settings, progress):  # type: ignore[no-untyped-def]
            raise ZeroDivisionError("bug")

    client.app.state.runner.pipeline = Broken()  # type: ignore[attr-defined]
    jid = client.post("/api/jobs", json={"text": ARTICLE}).json()["id"]
    failed = wait(client, jid, "failed")
    assert failed["error"] == "internal error (ZeroDivisionError)"
    assert "bug" not in json.dumps(failed)  # no internals shown to the reporter
    assert client.get("/healthz").json()["ok"] is True


def test_token_is_required_when_configured(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, token=TOKEN), base_url="http://anchor.example") as c:
        body = assert_error(c.get("/api/jobs"), 401)
        assert "Bearer" in body["hint"]
        assert c.get("/api/jobs").headers["www-authenticate"] == "Bearer"
        assert_error(c.get("/api/jobs", headers={"Authorization": "Bearer wrong"}), 401)
        assert_error(c.post("/api/jobs", json={"text": ARTICLE}), 401)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert c.get("/api/jobs", headers=auth).status_code == 200
        r = c.post("/api/jobs", json={"text": ARTICLE}, headers=auth)
        assert r.status_code == 201
        # A page session is not an API credential, and the pages want a session.
        page = c.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
        assert c.get("/healthz").status_code == 200
        assert c.get("/openapi.json").json()["components"]["securitySchemes"]


def test_without_token_only_local_host_names_are_answered(client: TestClient) -> None:
    assert client.get("/api/jobs").status_code == 200
    assert client.get("/api/jobs", headers={"host": "localhost:8000"}).status_code == 200
    body = assert_error(client.get("/api/jobs", headers={"host": "evil.example"}), 400)
    assert "ANCHOR_API_TOKEN" in body["hint"]


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    r = client.post("/api/jobs", json={"text": ARTICLE}, headers={"Origin": "http://evil.example"})
    assert_error(r, 403)
    r = client.post("/jobs", data={"text": ARTICLE, "langs": "zh"},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    ok = client.post("/api/jobs", json={"text": ARTICLE}, headers={"Origin": BASE})
    assert ok.status_code == 201


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) >= {"/api/jobs", "/api/jobs/{job_id}", "/api/jobs/{job_id}/script",
                          "/api/jobs/{job_id}/render", "/api/jobs/{job_id}/files/{name}"}
    assert set(paths["/api/jobs/{job_id}/script"]) == {"get", "put"}
    content = paths["/api/jobs"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert client.get("/docs").status_code == 200


# ----------------------------------------------------------------------------- restarts


def test_restart_resumes_unfinished_jobs(tmp_path: Path) -> None:
    """Jobs queued or running when the server stopped complete after the next start."""
    pipe = FakePipeline()
    with TestClient(make_app(tmp_path, pipe, workers=0), base_url=BASE) as c:
        queued = c.post("/api/jobs", json={"text": ARTICLE, "auto_render": True}).json()["id"]
        running = c.post("/api/jobs", json={"text": "Second story\nIt has one sentence."}
                         ).json()["id"]
        # Pretend a worker of this server had taken it when the server died.
        store = c.app.state.store  # type: ignore[attr-defined]
        assert claim(store, running, "dead-host:1:1:x", lease_s=3600) is not None
        assert job(c, running)["status"] == "scripting"
    assert pipe.calls == []  # nothing ran: the first app had no workers

    with TestClient(make_app(tmp_path, pipe), base_url=BASE) as c:
        assert wait(c, queued, "done", "failed")["status"] == "done"
        resumed = wait(c, running, "review")
        messages = [p["message"] for p in resumed["progress"]]
        assert "Picked up again after the server restarted" in messages
        c.post(f"/api/jobs/{running}/render")
        assert wait(c, running, "done")["status"] == "done"
        assert len(c.get("/api/jobs").json()["jobs"]) == 2


def test_restart_mid_render_resumes_the_render(tmp_path: Path) -> None:
    pipe = FakePipeline()
    with TestClient(make_app(tmp_path, pipe), base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": ARTICLE}).json()["id"]
        wait(c, jid, "review")
        store = c.app.state.store  # type: ignore[attr-defined]
        c.app.state.queue.stop()  # type: ignore[attr-defined]  # workers gone, like a crash
        c.post(f"/api/jobs/{jid}/render")
        assert claim(store, jid, "dead-host:1:1:x", lease_s=3600) is not None
        (tmp_path / "jobs" / jid).mkdir(parents=True)
        (tmp_path / "jobs" / jid / "zh.mp4.half").write_bytes(b"partial")
    with TestClient(make_app(tmp_path, pipe), base_url=BASE) as c:
        done = wait(c, jid, "done")
        assert not (tmp_path / "jobs" / jid / "zh.mp4.half").exists()  # started clean
        assert {f["name"] for f in done["files"]} >= {"zh.mp4", "en.mp4"}


def test_two_servers_cannot_share_one_data_folder(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url=BASE):
        second = make_app(tmp_path)
        with pytest.raises(ConfigError, match="another anchor serve"), TestClient(second):
            pass


def test_a_job_that_keeps_killing_workers_is_failed(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite")
    with TestClient(make_app(tmp_path, workers=0), base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": ARTICLE}).json()["id"]
    for n in range(3):  # three workers took it and died (lease already expired)
        assert claim(store, jid, f"w{n}", lease_s=-1) is not None
    assert claim(store, jid, "w4", lease_s=60) is None
    failed = store.get(jid)
    assert failed.status == "failed" and "3 attempts" in failed.error
    store.close()


def test_lease_is_renewed_while_a_long_stage_runs(tmp_path: Path) -> None:
    """A stage longer than the lease must not let a second worker take the job."""
    pipe = FakePipeline(delay=0.6)
    with TestClient(make_app(tmp_path, pipe, lease_s=0.5, workers=2), base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": ARTICLE, "auto_render": True}).json()["id"]
        done = wait(c, jid, "done", "failed", timeout=30)
        assert done["status"] == "done"
        assert len(done["workers"]) == 1, done  # one worker took it, once
        assert [p for p, _ in pipe.calls] == ["prepare", "render"]


def test_many_jobs_on_two_workers_none_lost(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, FakePipeline(delay=0.01), workers=2), base_url=BASE) as c:
        ids = [c.post("/api/jobs", json={"text": f"Story {i}\nSentence {i}.",
                                         "auto_render": True}).json()["id"] for i in range(12)]
        t0 = time.monotonic()
        statuses = {wait(c, i, "done", "failed", timeout=60)["status"] for i in ids}
        assert statuses == {"done"}, time.monotonic() - t0
        assert len(c.get("/api/jobs?limit=100").json()["jobs"]) == 12


def test_online_voices_only_when_the_form_asks(client: TestClient) -> None:
    """Speech stays offline unless the submission says tts=edge (the text then leaves the
    machine); an unknown value is a 4xx, not a silent default."""
    c = client
    page = c.get("/").text
    assert 'name="tts" value="edge"' in page and "sent to Microsoft" in page
    plain = c.post("/api/jobs", json={"text": "Title\nA story. It has two sentences."})
    online = c.post("/api/jobs", json={"text": "Title\nA story. It has two sentences.",
                                       "tts": "edge"})
    assert plain.status_code == online.status_code == 201, (plain.text, online.text)
    assert "tts" not in plain.json().get("options", {})
    assert online.json()["options"]["tts"] == "edge"
    bad = c.post("/api/jobs", json={"text": "Title\nA story.", "tts": "cloud"})
    assert bad.status_code in (400, 422) and "error" in bad.json()
