"""Hand-off to the CMS: signed webhooks on done / failed / approved, retried with backoff,
every attempt logged on the job. A real HTTP receiver on loopback plays the CMS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import SAMPLE_ARTICLE, make_test_app, wait_for_status
from fastapi.testclient import TestClient

from anchor.core.errors import ConfigError
from anchor.web.accounts import AccountStore
from anchor.web.config import load_serve_config
from anchor.web.webhooks import sign, verify

BASE = "http://127.0.0.1"
SECRET = "cms-shared-secret"


class Receiver:
    """A CMS endpoint that fails the first ``fail_first`` deliveries with 503."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.got: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append({"headers": dict(self.headers), "body": body})
                code = 503 if len(outer.got) <= outer.fail_first else 204
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=2)
    yield r
    r.close()


def test_done_and_approved_are_signed_and_retried(tmp_path: Path, receiver: Receiver) -> None:
    store = AccountStore(tmp_path / "accounts.sqlite")
    editor = store.add("ed", "editor")
    store.close()
    app = make_test_app(tmp_path, webhook_url=receiver.url, webhook_secret=SECRET,
                        public_url="https://anchor.newsroom.example")
    app.state.webhooks.backoff_s = 0.2  # 0.2 s, 0.4 s, ... instead of 2 s, 4 s
    app.state.webhooks.poll_s = 0.05
    auth = {"Authorization": f"Bearer {editor}"}
    with TestClient(app, base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE, "langs": ["en"],
                                        "auto_render": True}, headers=auth).json()["id"]
        get = lambda: c.get(f"/api/jobs/{jid}", headers=auth).json()  # noqa: E731
        wait_for_status(get, ("done",))
        deadline = time.monotonic() + 10
        while len(receiver.got) < 3:
            assert time.monotonic() < deadline, receiver.got
            time.sleep(0.05)
        assert c.post(f"/api/jobs/{jid}/approve", headers=auth).status_code == 200
        while len(receiver.got) < 4:
            assert time.monotonic() < deadline, receiver.got
            time.sleep(0.05)
        time.sleep(0.2)
        job = get()

    events = [(g["headers"]["X-Anchor-Event"], json.loads(g["body"])["event"])
              for g in receiver.got]
    assert events == [("done", "done")] * 3 + [("approved", "approved")]
    first = receiver.got[0]
    # One delivery id across its retries; each attempt signed over its own timestamp.
    assert len({g["headers"]["X-Anchor-Delivery"] for g in receiver.got[:3]}) == 1
    for g in receiver.got:
        h = g["headers"]
        assert verify(SECRET, h["X-Anchor-Timestamp"], g["body"], h["X-Anchor-Signature"])
        assert not verify("wrong-secret", h["X-Anchor-Timestamp"], g["body"],
                          h["X-Anchor-Signature"])
    body = json.loads(first["body"])
    assert body["job"]["id"] == jid and body["job"]["submitter"] == "ed"
    video = next(f for f in body["job"]["files"] if f["name"] == "en.mp4")
    # absolute URLs: the CMS fetches the clip from where the server says it is
    assert video["url"] == f"https://anchor.newsroom.example/api/jobs/{jid}/files/en.mp4"
    assert body["job"]["page"] == f"https://anchor.newsroom.example/jobs/{jid}"
    assert body["delivery"] == first["headers"]["X-Anchor-Delivery"]
    assert json.loads(receiver.got[3]["body"])["job"]["approved_by"] == "ed"
    # Every attempt is on the job, in words.
    tries = [(d["event"], d["attempt"], d["status"], d["ok"]) for d in job["deliveries"]]
    assert tries == [("done", 1, 503, False), ("done", 2, 503, False), ("done", 3, 204, True),
                     ("approved", 1, 204, True)]
    assert job["deliveries"][0]["result"] == "HTTP 503"
    assert [(e["event"], e["state"], e["tries"]) for e in job["webhooks"]] == [
        ("done", "delivered", 3), ("approved", "delivered", 1)]


def test_failed_job_and_unreachable_receiver(tmp_path: Path) -> None:
    app = make_test_app(tmp_path, webhook_url="http://127.0.0.1:9/nothing-listens",
                        webhook_secret=SECRET)
    hooks = app.state.webhooks
    hooks.backoff_s, hooks.poll_s = 0.05, 0.02
    hooks.retry_hours = 0.3 / 3600  # give up once the next try would come 0.3 s late
    with TestClient(app, base_url=BASE) as c:
        text = f"Story\nFAIL-SCRIPT {SAMPLE_ARTICLE}"
        jid = c.post("/api/jobs", json={"text": text}).json()["id"]
        wait_for_status(lambda: c.get(f"/api/jobs/{jid}").json(), ("failed",))
        deadline = time.monotonic() + 10
        while c.get(f"/api/jobs/{jid}").json()["webhooks"][0]["state"] != "gave_up":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        tries = c.get(f"/api/jobs/{jid}").json()["deliveries"]
        page = c.get(f"/jobs/{jid}").text
    # 0.05 s, 0.1 s, 0.2 s between tries: two or three fit, by how busy the machine is
    assert [d["event"] for d in tries] in (["failed"] * 2, ["failed"] * 3)
    assert all(d["status"] is None and not d["ok"] for d in tries)
    assert tries[0]["result"].startswith("no answer:")
    assert "gave up: still failing" in tries[-1]["result"]
    assert f"Sent to the CMS (1 event, {len(tries)} attempts)" in page
    assert "Not delivered" in page


def test_signature_is_hmac_over_timestamp_and_body() -> None:
    body = b'{"event": "done"}'
    sig = sign(SECRET, 1700000000, body)
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert verify(SECRET, "1700000000", body, sig, now=1700000100)
    assert not verify(SECRET, "1700000000", body, sig, now=1700009999)  # replayed late
    assert not verify(SECRET, "1700000000", body + b" ", sig, now=1700000100)


def test_webhook_needs_a_secret() -> None:
    with pytest.raises(ConfigError, match="secret"):
        load_serve_config(env={"ANCHOR_WEBHOOK_URL": "https://cms.example/hook"})
    cfg = load_serve_config(env={"ANCHOR_WEBHOOK_URL": "https://cms.example/hook",
                                 "ANCHOR_WEBHOOK_SECRET": "s"})
    assert cfg.webhook_url == "https://cms.example/hook"
    with pytest.raises(ConfigError, match="http"):
        load_serve_config(env={"ANCHOR_WEBHOOK_URL": "file:///etc/passwd",
                               "ANCHOR_WEBHOOK_SECRET": "s"})


def _wait(cond: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_events_survive_a_restart_and_review_is_announced(tmp_path: Path) -> None:
    """The outbox: an event written while the receiver is down outlives the server that
    wrote it, and the next server delivers it under the same delivery id."""
    down = "http://127.0.0.1:9/nothing-listens"
    app = make_test_app(tmp_path, webhook_url=down, webhook_secret=SECRET)
    app.state.webhooks.backoff_s = 60  # the first try fails; the next is far away
    with TestClient(app, base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE}).json()["id"]
        wait_for_status(lambda: c.get(f"/api/jobs/{jid}").json(), ("review",))
        _wait(lambda: c.get(f"/api/jobs/{jid}").json()["webhooks"][0]["tries"] == 1)
        first = c.get(f"/api/jobs/{jid}").json()["webhooks"][0]
        assert first["event"] == "review" and first["state"] == "pending"
    r = Receiver()
    try:
        app = make_test_app(tmp_path, webhook_url=r.url, webhook_secret=SECRET)
        hooks = app.state.webhooks
        hooks.poll_s = 0.05
        with TestClient(app, base_url=BASE) as c:
            # still waiting for its backoff: an editor's "try now" sends it at once
            assert c.post(f"/api/jobs/{jid}/deliveries/{first['delivery']}/resend"
                          ).status_code == 202
            _wait(lambda: len(r.got) == 1)
            ev = c.get(f"/api/jobs/{jid}").json()["webhooks"][0]
            assert ev["state"] == "delivered" and ev["tries"] == 2
            assert r.got[0]["headers"]["X-Anchor-Delivery"] == first["delivery"]
            body = json.loads(r.got[0]["body"])
            assert body["event"] == "review" and body["review"]["auto_render"] is False
            # a delivered event resent goes as a new delivery, naming the old one
            again = c.post(f"/api/jobs/{jid}/deliveries/{first['delivery']}/resend").json()
            assert again["delivery"] != first["delivery"]
            assert again["resend_of"] == first["delivery"]
            _wait(lambda: len(r.got) == 2)
            assert r.got[1]["headers"]["X-Anchor-Delivery"] == again["delivery"]
    finally:
        r.close()


def test_auto_render_that_stops_in_review_says_so(tmp_path: Path) -> None:
    from fake_pipeline import fake_choices
    from test_web_review_flags import FlaggingPipeline

    from anchor.web.app import create_app
    from anchor.web.config import ServeConfig

    r = Receiver()
    try:
        app = create_app(ServeConfig(data=tmp_path, webhook_url=r.url, webhook_secret=SECRET),
                         pipeline=FlaggingPipeline(), choices=fake_choices)
        app.state.webhooks.poll_s = 0.05
        with TestClient(app, base_url=BASE) as c:
            jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE, "langs": ["en"],
                                            "auto_render": True}).json()["id"]
            _wait(lambda: len(r.got) == 1)
            body = json.loads(r.got[0]["body"])
            assert body["event"] == "review" and body["job"]["id"] == jid
            assert body["review"] == {"auto_render": True, "needs_review": ["sentence 1"],
                                      "warnings": [body["review"]["warnings"][0]]}
    finally:
        r.close()


def test_reporters_cannot_resend(tmp_path: Path, receiver: Receiver) -> None:
    store = AccountStore(tmp_path / "accounts.sqlite")
    reporter = store.add("li", "reporter")
    store.close()
    app = make_test_app(tmp_path, webhook_url=receiver.url, webhook_secret=SECRET)
    auth = {"Authorization": f"Bearer {reporter}"}
    with TestClient(app, base_url=BASE) as c:
        jid = c.post("/api/jobs", json={"text": SAMPLE_ARTICLE}, headers=auth).json()["id"]
        wait_for_status(lambda: c.get(f"/api/jobs/{jid}", headers=auth).json(), ("review",))
        _wait(lambda: c.get(f"/api/jobs/{jid}", headers=auth).json()["webhooks"] != [])
        ev = c.get(f"/api/jobs/{jid}", headers=auth).json()["webhooks"][0]
        r = c.post(f"/api/jobs/{jid}/deliveries/{ev['delivery']}/resend", headers=auth)
        assert r.status_code == 403 and "editor" in r.json()["error"]
