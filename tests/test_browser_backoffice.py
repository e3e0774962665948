"""The back office in real headless Chromium: waiting, connection loss, cancel, approval,
the form's own checks and the Chinese webfont — at desktop and phone width.

Debian's chromium driven by playwright. Screenshots land in the test's tmp folder and
in $ANCHOR_SCREENSHOTS when set, for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import SAMPLE_ARTICLE, FakePipeline, make_test_app, serve_in_thread
from test_web_cancel import alive, stubborn_pids

from anchor.web.accounts import AccountStore

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
PASSWORDS = {"li.wei": "reporter password 1", "ed": "editor password 1"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(),
                       reason="/usr/bin/chromium absent (apt-get install chromium)"),
]


def shot(page: Any, tmp_path: Path, name: str, full: bool = True) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    extra = os.environ.get("ANCHOR_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)
    return path


def sign_in(browser: Any, base: str, name: str, viewport: dict[str, int]) -> Any:
    page = browser.new_page(viewport=viewport, device_scale_factor=2 if viewport is PHONE
                            else 1)
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=secret]", PASSWORDS[name])
    page.click("button:has-text('Sign in')")
    page.wait_for_url(base + "/")
    return page


def api_submit(base: str, token: str, text: str, **extra: Any) -> str:
    import httpx

    r = httpx.post(f"{base}/api/jobs", json={"text": text, "langs": ["en"], **extra},
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def wait_status(base: str, token: str, jid: str, status: str, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        got = httpx.get(f"{base}/api/jobs/{jid}",
                        headers={"Authorization": f"Bearer {token}"}).json()["status"]
        if got == status:
            return
        assert time.monotonic() < deadline, got
        time.sleep(0.1)


def test_waiting_cancel_and_approval_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright not installed (pip install playwright)")
    data = tmp_path / "data"
    store = AccountStore(data / "accounts.sqlite")
    tokens = {name: store.add(name, role, password=PASSWORDS[name])
              for name, role in (("li.wei", "reporter"), ("ed", "editor"))}
    store.close()
    app = make_test_app(data, FakePipeline(delay=0.4, real_video=True))
    rep = tokens["li.wei"]
    with serve_in_thread(app) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            errors: list[str] = []
            # Two finished stories give the server its pace for estimates.
            for i in range(2):
                jid = api_submit(base, rep, f"Pace {i}\n{SAMPLE_ARTICLE}", auto_render=True)
                wait_status(base, rep, jid, "done")

            page = sign_in(browser, base, "li.wei", DESKTOP)
            page.on("pageerror", lambda e: errors.append(str(e)))
            assert "li.wei · reporter" in page.inner_text("header")
            assert "up to 200,000 characters" in page.inner_text("#story-form")

            # --- the form's own checks: an oversize paste never leaves the page
            posts: list[str] = []
            page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
            page.evaluate("""() => { const t = document.getElementById('article-text');
                t.value = 'Headline\\n' + 'x'.repeat(200001);
                t.dispatchEvent(new Event('input')); }""")
            assert "too long" in page.inner_text("#char-count")
            page.click("button:has-text('Write the script')")
            page.wait_for_selector("#client-error:not([hidden])")
            assert "the limit is 200,000" in page.inner_text("#client-error")
            assert posts == [] and page.url == base + "/"
            assert page.eval_on_selector("#article-text", "t => t.value.length") == 200_010
            shot(page, tmp_path, "13-form-too-long", full=False)

            # --- waiting: a running render (stubborn ffmpeg) and a story queued behind it
            before = set(stubborn_pids())
            story = f"Council votes on the budget\nSTUBBORN-RENDER {SAMPLE_ARTICLE}"
            page.fill("#article-text", story)
            page.uncheck("input[name=langs][value=zh]")
            page.check("input[name=auto_render]")
            page.click("button:has-text('Write the script')")
            page.wait_for_selector("#stage:has-text('Making the English video')",
                                   timeout=20_000)
            running_url = page.url
            queued = api_submit(base, rep, f"Queued story\n{SAMPLE_ARTICLE}")
            page.wait_for_timeout(2200)  # the clock ticks on its own
            assert "s" in page.inner_text("#elapsed")
            assert page.is_hidden("#queue-fact")
            estimate = page.inner_text("#estimate")
            assert estimate.startswith(("About", "Taking longer")), estimate
            assert "vm:" not in page.inner_text("#log") and "picked up" not in page.content()
            shot(page, tmp_path, "01-waiting-running-desktop")

            waiting = browser.new_page(viewport=DESKTOP)
            waiting.context.add_cookies(page.context.cookies())
            waiting.goto(f"{base}/jobs/{queued}")
            assert waiting.inner_text("#queue") == "1 story ahead of yours"
            assert "once started" in waiting.inner_text("#estimate")
            shot(waiting, tmp_path, "02-waiting-queued-desktop")
            phone = browser.new_page(viewport=PHONE, device_scale_factor=2)
            phone.context.add_cookies(page.context.cookies())
            phone.goto(f"{base}/jobs/{queued}")
            shot(phone, tmp_path, "03-waiting-queued-phone")
            phone.goto(running_url)
            phone.wait_for_selector("#stage:has-text('Making the English video')")
            shot(phone, tmp_path, "04-waiting-running-phone")

            # --- the server goes away: the page says so, and recovers by itself
            page.route("**/progress", lambda route: route.abort())
            page.wait_for_selector("#connection:not([hidden])", timeout=10_000)
            assert "Connection lost — retrying" in page.inner_text("#connection")
            shot(page, tmp_path, "05-connection-lost-desktop", full=False)
            page.unroute("**/progress")
            page.wait_for_selector("#connection", state="hidden", timeout=20_000)

            # --- cancel the running render from the page: ffmpeg ends
            (pid,) = set(stubborn_pids()) - before
            page.once("dialog", lambda d: d.accept())
            page.click("button:has-text('Cancel job')")
            page.wait_for_selector("text=This job was cancelled")
            t0 = time.monotonic()
            while alive(pid):
                assert time.monotonic() - t0 < 5, "ffmpeg still runs after the cancel"
                time.sleep(0.05)
            page.wait_for_timeout(1500)
            page.reload()
            assert "Work stopped; the video encoder was ended" in page.inner_text("main")
            shot(page, tmp_path, "06-cancelled-desktop")
            phone.goto(running_url)
            shot(phone, tmp_path, "07-cancelled-phone")

            # --- the queued story ran next; the reporter waits for an editor
            wait_status(base, rep, queued, "review")
            waiting.goto(f"{base}/jobs/{queued}")
            waiting.click("button:has-text('Render clips')")
            waiting.wait_for_selector("video", timeout=30_000)
            assert "Waiting for an editor" in waiting.inner_text("#approval")
            assert waiting.locator("button:has-text('Approve for air')").count() == 0

            # --- an editor approves it for air
            editor = sign_in(browser, base, "ed", DESKTOP)
            editor.on("pageerror", lambda e: errors.append(str(e)))
            editor.goto(base + "/jobs")
            assert "by li.wei" in editor.inner_text("main")
            editor.goto(f"{base}/jobs/{queued}")
            shot(editor, tmp_path, "08-approval-before-desktop")
            editor.click("button:has-text('Approve for air')")
            editor.wait_for_selector(".approval.is-approved")
            assert "By ed" in editor.inner_text("#approval")
            assert editor.inner_text(".pill").strip().lower() == "approved for air"
            shot(editor, tmp_path, "09-approved-desktop")
            ed_phone = sign_in(browser, base, "ed", PHONE)
            ed_phone.goto(f"{base}/jobs/{queued}")
            shot(ed_phone, tmp_path, "10-approved-phone")
            phone.goto(f"{base}/jobs/{queued}")
            assert "Approved for air" in phone.inner_text("#approval")
            shot(phone, tmp_path, "11-approved-reporter-phone")

            # --- sign out ends the session: the old cookie opens nothing
            cookies = editor.context.cookies()
            editor.click("button:has-text('Sign out')")
            editor.wait_for_url("**/login")
            again = browser.new_page()
            again.context.add_cookies(cookies)
            again.goto(base + "/jobs")
            assert "/login" in again.url
            assert not errors, errors
        finally:
            browser.close()


def test_chinese_shows_in_the_product_font(tmp_path: Path) -> None:
    """No CJK font on this machine? The page brings Noto Sans SC (subset) itself."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright not installed (pip install playwright)")
    from anchor.web.fonts import WebFonts

    fonts = WebFonts()
    if fonts.source is None:
        pytest.skip("Noto Sans SC not fetched (anchor models fetch font-cjk)")
    fonts.start()
    fonts.wait(300)
    app = make_test_app(tmp_path / "data", FakePipeline())
    text = "城市新开三座滨河公园\n市政府周六开放了三座新公园。居民称赞新的步道。"
    with serve_in_thread(app) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport=DESKTOP)
            fetched: list[str] = []
            page.on("response", lambda r: fetched.append(r.url) if "/fonts/" in r.url else None)
            page.goto(base + "/")
            page.fill("textarea[name=text]", text)
            page.click("button:has-text('Write the script')")
            page.wait_for_selector("text=Review the script", timeout=20_000)
            page.evaluate("document.fonts.ready")
            loaded = page.evaluate("""() => [...document.fonts]
                .filter(f => f.status === 'loaded').map(f => f.family)""")
            assert any("Anchor CJK" in f for f in loaded), loaded
            assert any(u.endswith("/fonts/cjk-common.woff2") for u in fetched), fetched
            assert not any(u.endswith("cjk-full.otf") for u in fetched)  # subset was enough
            assert page.evaluate("document.fonts.check('16px \"Anchor CJK\"', '城市滨河')")
            page.wait_for_timeout(1000)  # let the swap repaint the form fields too
            shot(page, tmp_path, "12-chinese-webfont", full=False)
        finally:
            browser.close()


def test_api_docs_work_offline_in_chromium(tmp_path: Path) -> None:
    """Swagger UI from the package's files, under the strict CSP, with no network at all."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright not installed (pip install playwright)")
    app = make_test_app(tmp_path / "data", FakePipeline())
    with serve_in_thread(app) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport=DESKTOP)
            errors: list[str] = []
            outside: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            # Anything not from this server would fail offline: refuse it, and note it.
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                base) else (outside.append(route.request.url), route.abort()))
            page.goto(base + "/")
            page.click("a:has-text('API')")
            page.wait_for_selector(".opblock-summary-path", timeout=20_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert any("/api/jobs/{job_id}/cancel" in p for p in paths), paths
            shot(page, tmp_path, "14-api-docs-offline", full=False)
            assert not outside, outside
            assert not errors, errors
        finally:
            browser.close()
