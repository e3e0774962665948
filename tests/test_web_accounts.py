"""Accounts and roles: own tokens, server-side sessions, throttled guessing, approval.

Reporters see their own jobs, editors all of them and approve clips for air; the
shared ANCHOR_API_TOKEN keeps working as an admin; logout and revoke end sessions on
the server; wrong tokens and passwords get 429 + Retry-After after five a minute.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import SAMPLE_ARTICLE, make_test_app, wait_for_status
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from anchor.cli import app as cli_app
from anchor.core.errors import InputError
from anchor.web.accounts import Account, AccountStore, Throttle, hash_password, verify_password

BASE = "http://newsroom.example"
ADMIN_TOKEN = "shared-admin-token-for-tests"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def newsroom(tmp_path: Path) -> dict[str, str]:
    """Two reporters and an editor, made with the CLI as a server admin would."""
    tokens = {}
    runner = CliRunner()
    for name, role in (("li.wei", "reporter"), ("sam", "reporter"), ("ed", "editor")):
        r = runner.invoke(cli_app, ["users", "add", name, "--role", role, "--data",
                                    str(tmp_path)])
        assert r.exit_code == 0, r.output
        tokens[name] = r.stdout.strip().splitlines()[-1]
        assert tokens[name].startswith("anc_")
    return tokens


def submit(c: TestClient, token: str, title: str) -> str:
    r = c.post("/api/jobs", json={"text": f"{title}\n{SAMPLE_ARTICLE}", "langs": ["en"],
                                  "auto_render": True}, headers=bearer(token))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_reporters_see_their_own_jobs_editors_approve(tmp_path: Path,
                                                      newsroom: dict[str, str]) -> None:
    with TestClient(make_test_app(tmp_path, token=ADMIN_TOKEN), base_url=BASE) as c:
        mine = submit(c, newsroom["li.wei"], "Li's story")
        theirs = submit(c, newsroom["sam"], "Sam's story")
        get = lambda jid, who: c.get(f"/api/jobs/{jid}", headers=bearer(newsroom[who]))  # noqa: E731
        done = wait_for_status(lambda: get(mine, "li.wei").json(), ("done",))
        assert done["submitter"] == "li.wei"
        wait_for_status(lambda: get(theirs, "sam").json(), ("done",))

        # A reporter's list and lookups hold only their own jobs; others are "not found".
        listed = c.get("/api/jobs", headers=bearer(newsroom["li.wei"])).json()["jobs"]
        assert [j["id"] for j in listed] == [mine]
        assert get(theirs, "li.wei").status_code == 404
        assert c.get(f"/api/jobs/{theirs}/files/en.mp4",
                     headers=bearer(newsroom["li.wei"])).status_code == 404
        assert c.delete(f"/api/jobs/{theirs}", headers=bearer(newsroom["li.wei"])
                        ).status_code == 404
        # The editor and the shared admin token see both.
        for token in (newsroom["ed"], ADMIN_TOKEN):
            listed = c.get("/api/jobs", headers=bearer(token)).json()["jobs"]
            assert sorted(j["id"] for j in listed) == sorted([mine, theirs])
        assert c.get("/api/me", headers=bearer(ADMIN_TOKEN)).json() == {
            "name": "admin", "role": "admin"}

        # Only an editor approves, once, and only a finished job.
        r = c.post(f"/api/jobs/{mine}/approve", headers=bearer(newsroom["li.wei"]))
        assert r.status_code == 403 and "editor" in r.json()["error"]
        r = c.post(f"/api/jobs/{mine}/approve", headers=bearer(newsroom["ed"]))
        assert r.status_code == 200, r.text
        approved = r.json()
        assert approved["approved_by"] == "ed" and approved["approved_at"]
        assert "approve" not in approved["links"]
        assert c.post(f"/api/jobs/{mine}/approve", headers=bearer(newsroom["ed"])
                      ).status_code == 409
        assert "Approved for air by ed" in [p["message"] for p in approved["progress"]]


def test_revoked_token_stops_working(tmp_path: Path, newsroom: dict[str, str]) -> None:
    with TestClient(make_test_app(tmp_path), base_url="http://127.0.0.1") as c:
        # Accounts exist, so even a loopback server without ANCHOR_API_TOKEN asks who it is.
        assert c.get("/api/jobs").status_code == 401
        assert c.get("/api/jobs", headers=bearer(newsroom["sam"])).status_code == 200
        r = CliRunner().invoke(cli_app, ["users", "revoke", "sam", "--data", str(tmp_path)])
        assert r.exit_code == 0, r.output
        assert c.get("/api/jobs", headers=bearer(newsroom["sam"])).status_code == 401
        listed = CliRunner().invoke(cli_app, ["users", "list", "--json", "--data",
                                              str(tmp_path)])
        rows = {u["name"]: u for u in json.loads(listed.stdout)}
        assert rows["sam"]["revoked"] and not rows["li.wei"]["revoked"]
        assert rows["li.wei"]["role"] == "reporter" and rows["ed"]["role"] == "editor"
        again = CliRunner().invoke(cli_app, ["users", "add", "ed", "--data", str(tmp_path)])
        assert isinstance(again.exception, InputError)  # `anchor` turns it into exit 2
        assert "already exists" in again.exception.message


def test_logout_ends_the_session_on_the_server(tmp_path: Path) -> None:
    with TestClient(make_test_app(tmp_path, token=ADMIN_TOKEN), base_url=BASE) as c:
        r = c.post("/login", data={"secret": ADMIN_TOKEN, "next": "/jobs"},
                   follow_redirects=False)
        assert r.status_code == 303
        cookie = c.cookies.get("anchor_session")
        assert cookie and ADMIN_TOKEN not in cookie
        assert c.get("/jobs").status_code == 200
        assert "admin · admin" in c.get("/jobs").text
        c.post("/logout")
        # The very same cookie, replayed after logout, opens nothing.
        c.cookies.set("anchor_session", cookie)
        r = c.get("/jobs", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        c.cookies.set("anchor_session", "forged-" + cookie)
        assert c.get("/jobs", follow_redirects=False).status_code == 303


def test_password_sign_in_and_revoke_ends_sessions(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.sqlite")
    store.add("mei", "editor", password="correct horse battery")
    store.close()
    with TestClient(make_test_app(tmp_path), base_url=BASE) as c:
        wrong = c.post("/login", data={"name": "mei", "secret": "nope nope nope"})
        assert wrong.status_code == 401 and "do not match" in wrong.text
        assert 'value="mei"' in wrong.text  # the name stays typed in
        r = c.post("/login", data={"name": "Mei", "secret": "correct horse battery"},
                   follow_redirects=False)
        assert r.status_code == 303
        assert c.get("/jobs").status_code == 200
        AccountStore(tmp_path / "accounts.sqlite").revoke("mei")
        assert c.get("/jobs", follow_redirects=False).status_code == 303


def test_wrong_tokens_are_throttled_but_a_right_one_never_is(tmp_path: Path,
                                                             newsroom: dict[str, str]) -> None:
    with TestClient(make_test_app(tmp_path, token=ADMIN_TOKEN, address_limit=20),
                    base_url=BASE) as c:
        # a request without any token is no guess: never counted, never 429
        assert {c.get("/api/jobs").status_code for _ in range(30)} == {401}
        # one wrong token over and over (a broken client): 5 × 401, then 429
        codes = [c.get("/api/jobs", headers=bearer("anc_stale")).status_code
                 for _ in range(8)]
        assert codes == [401] * 5 + [429] * 3, codes
        # many different guesses from one address: its generous limit
        t0 = time.monotonic()
        codes = [c.get("/api/jobs", headers=bearer(f"anc_guess{i}")).status_code
                 for i in range(30)]
        took = time.monotonic() - t0
        assert codes[:15] == [401] * 15 and set(codes[15:]) == {429}, codes
        # a right token from the same address, meanwhile: never refused
        r = c.get("/api/jobs", headers=bearer(newsroom["ed"]))
        assert r.status_code == 200
        r = c.get("/api/jobs", headers=bearer("anc_guess99"))
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["error"].startswith("too many wrong tokens")
        # the page sign-in shares the count, says it in words, and a right token works
        page = c.post("/login", data={"secret": "guess"})
        assert page.status_code == 429 and "too many wrong attempts" in page.text
        ok = c.post("/login", data={"secret": newsroom["li.wei"]}, follow_redirects=False)
        assert ok.status_code == 303
        print(f"38 wrong tokens: 5 + 15 answered 401, then 429; the right one 200 "
              f"({took:.2f} s)")


def test_password_guessing_locks_only_unknown_browsers(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.sqlite")
    store.add("li.wei", "reporter", "li-wei-password")
    store.close()
    with TestClient(make_test_app(tmp_path), base_url=BASE) as c:
        # li signs in once on her own browser: it becomes a known browser
        r = c.post("/login", data={"name": "li.wei", "secret": "li-wei-password"},
                   follow_redirects=False)
        assert r.status_code == 303 and "anchor_device" in r.headers["set-cookie"]
        device = r.cookies["anchor_device"]
        c.post("/logout")
        c.cookies.clear()
        # someone behind the same NAT guesses her password, from another browser
        codes = [c.post("/login", data={"name": "li.wei", "secret": f"guess-{i}"}
                        ).status_code for i in range(7)]
        assert codes == [401] * 5 + [429] * 2
        locked = c.post("/login", data={"name": "li.wei", "secret": "li-wei-password"})
        assert locked.status_code == 429 and "access token" in locked.text
        # her own browser is not refused for someone else's wrong guesses
        c.cookies.set("anchor_device", device)
        r = c.post("/login", data={"name": "li.wei", "secret": "li-wei-password"},
                   follow_redirects=False)
        assert r.status_code == 303


def test_counts_are_shared_by_processes_and_proxies_are_trusted_only_when_named(
        tmp_path: Path) -> None:
    from anchor.web.accounts import SqliteFailures

    a = Throttle(limit=3, failures=SqliteFailures(tmp_path / "jobs.sqlite"))
    b = Throttle(limit=3, failures=SqliteFailures(tmp_path / "jobs.sqlite"))
    a.failed(["tok:x"])
    b.failed(["tok:x"])
    a.failed(["tok:x"])
    assert b.retry_after("tok:x") > 0 and a.retry_after("tok:y") == 0
    app = make_test_app(tmp_path / "p", token=ADMIN_TOKEN, address_limit=3,
                        trusted_proxies=("10.0.0.0/8",))
    with TestClient(app, base_url=BASE, client=("10.1.2.3", 5000)) as c:
        for i in range(3):
            h = {**bearer(f"anc_{i}"), "X-Forwarded-For": "198.51.100.7"}
            assert c.get("/api/jobs", headers=h).status_code == 401
        h = {**bearer("anc_9"), "X-Forwarded-For": "198.51.100.7"}
        assert c.get("/api/jobs", headers=h).status_code == 429
        # another client behind the same proxy is its own address
        h = {**bearer("anc_9"), "X-Forwarded-For": "203.0.113.9"}
        assert c.get("/api/jobs", headers=h).status_code == 401
    untrusted = make_test_app(tmp_path / "u", token=ADMIN_TOKEN, address_limit=3)
    with TestClient(untrusted, base_url=BASE, client=("10.1.2.3", 5000)) as c:
        for i in range(3):  # a forged header from an unnamed peer changes nothing
            h = {**bearer(f"anc_{i}"), "X-Forwarded-For": f"192.0.2.{i}"}
            assert c.get("/api/jobs", headers=h).status_code == 401
        assert c.get("/api/jobs", headers=bearer("anc_x")).status_code == 429


def test_throttle_forgets_after_the_window() -> None:
    t = Throttle(limit=3, window_s=60)
    for i in range(3):
        assert t.retry_after("tok:a", now=100.0 + i) == 0
        t.failed("tok:a", now=100.0 + i)
    assert t.retry_after("tok:a", now=103.0) == 57
    assert t.retry_after("tok:b", now=103.0) == 0  # per key
    assert t.retry_after("tok:a", now=160.5) == 0


def test_passwords_use_scrypt() -> None:
    stored = hash_password("a long enough password")
    assert stored.startswith("scrypt$16384$8$1$") and "a long enough" not in stored
    assert verify_password("a long enough password", stored)
    assert not verify_password("a long enough passwore", stored)
    assert not verify_password("x", "md5$whatever")


def test_accounts_db_keeps_no_secret(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "a.sqlite")
    token = store.add("kim", password="another fine password")
    store.close()
    raw = (tmp_path / "a.sqlite").read_bytes()
    assert token.encode() not in raw and b"another fine password" not in raw


def test_names_are_checked(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "a.sqlite")
    for bad in ("admin", "local", "", "a b", "../x"):
        with pytest.raises(InputError):
            store.add(bad)
    with pytest.raises(InputError, match="unknown role"):
        store.add("ok", role="boss")


def _page(c: TestClient, path: str) -> Any:
    return c.get(path, headers={"accept": "text/html"})


def test_only_editors_add_presenters_through_the_mounted_upload(
        tmp_path: Path, newsroom: dict[str, str]) -> None:
    """POST /api/avatars is part of the served app; a reporter may not put a new face on
    air (403 JSON), and a photo over the 1 MB article limit is not refused for size."""
    photo = b"\xff\xd8" + b"\x00" * 2_000_000  # 2 MB, not a real JPEG
    with TestClient(make_test_app(tmp_path, token=ADMIN_TOKEN), base_url=BASE) as c:
        form = {"name": "newface"}
        r = c.post("/api/avatars", data=form, files={"photo": ("p.jpg", photo, "image/jpeg")},
                   headers=bearer(newsroom["li.wei"]))
        assert r.status_code == 403, r.text
        assert "editor" in r.json()["error"]
        r = c.post("/api/avatars", data=form, files={"photo": ("p.jpg", photo, "image/jpeg")},
                   headers=bearer(newsroom["ed"]))
        # the editor gets past the role and the size limit, to the photo check itself
        assert r.status_code in (400, 422), r.text
        assert r.json()["error"] and r.json()["hint"]


def test_users_cli_password_token_restore(tmp_path: Path) -> None:
    """Prompts go to stderr (stdout is the token alone); a revoked name is not handed to a
    new person: `restore` gives it back to the same one."""
    runner = CliRunner()
    data = ["--data", str(tmp_path)]
    r = runner.invoke(cli_app, ["users", "add", "ed", "--role", "editor", "--password", *data],
                      input="first-password\nfirst-password\n")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().startswith("anc_") and "\n" not in r.stdout.strip()
    assert "Password" in r.stderr
    r = runner.invoke(cli_app, ["users", "passwd", "ed", *data],
                      input="second-password\nsecond-password\n")
    assert r.exit_code == 0, r.output
    store = AccountStore(tmp_path / "accounts.sqlite")
    assert store.by_password("ed", "second-password") is not None
    assert store.by_password("ed", "first-password") is None
    old = r.stdout
    r = runner.invoke(cli_app, ["users", "token", "ed", *data])
    new_token = r.stdout.strip()
    assert r.exit_code == 0 and store.by_token(new_token) is not None and old != new_token
    runner.invoke(cli_app, ["users", "revoke", "ed", *data])
    r = runner.invoke(cli_app, ["users", "add", "ed", *data])
    assert r.exit_code != 0 and "anchor users restore ed" in getattr(r.exception, "hint", "")
    r = runner.invoke(cli_app, ["users", "restore", "ed", *data])
    assert r.exit_code == 0 and store.by_token(r.stdout.strip()) == Account("ed", "editor")
    store.close()


def test_own_password_change_ends_other_sessions(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.sqlite")
    token = store.add("li.wei", "reporter", "li-wei-password")
    other = store.start_session(Account("li.wei", "reporter"))
    store.close()
    with TestClient(make_test_app(tmp_path), base_url=BASE) as c:
        r = c.put("/api/me/password", json={"current": "wrong-password", "new": "x" * 12},
                  headers=bearer(token))
        assert r.status_code == 403 and "current password" in r.json()["error"]
        r = c.put("/api/me/password", json={"current": "li-wei-password",
                                            "new": "a-new-password"}, headers=bearer(token))
        assert r.status_code == 204
        c.cookies.set("anchor_session", other)
        assert c.get("/jobs", follow_redirects=False).status_code == 303  # signed out
        c.cookies.clear()
        c.post("/login", data={"name": "li.wei", "secret": "a-new-password"})
        r = c.post("/account/password", data={"current": "a-new-password",
                                              "new": "third-password", "again": "typo-password"})
        assert r.status_code == 422 and "differ" in r.text
        r = c.post("/account/password", data={"current": "a-new-password",
                                              "new": "third-password", "again": "third-password"})
        assert r.status_code == 200 and "Password changed" in r.text
        assert c.get("/jobs").status_code == 200  # this session stays
