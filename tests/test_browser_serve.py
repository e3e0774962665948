"""A reporter's whole path in real headless Chromium: paste → review → edit → render → watch.

Debian's chromium driven by playwright (never `playwright install`: no browser
downloads). Screenshots of every step land in the test's tmp folder, and also in
$ANCHOR_SCREENSHOTS when set, for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fake_pipeline import FakePipeline, make_test_app, serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(),
                       reason="/usr/bin/chromium absent (apt-get install chromium)"),
]


def shot(page, tmp_path: Path, name: str, full: bool = True) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    extra = os.environ.get("ANCHOR_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)
    return path


def test_reporter_flow_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright not installed (pip install playwright)")
    article = (ROOT / "samples" / "digital-reporter.zh.txt").read_text("utf-8")
    app = make_test_app(tmp_path / "data", FakePipeline(delay=1.5, real_video=True))
    with serve_in_thread(app) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

            page.goto(base + "/")
            page.fill("textarea[name=text]", article)
            page.select_option("select[name=avatar]", "lin")
            page.check("input[name=aspect][value='16:9']")
            shot(page, tmp_path, "01-form")
            page.click("button[type=submit]:has-text('Write the script')")

            page.wait_for_selector("[data-poll]")
            page.wait_for_selector("#stage:has-text('Translating')", timeout=15_000)
            shot(page, tmp_path, "02-progress")

            # The page polls and reloads itself into the review step.
            page.wait_for_selector("text=Review the script", timeout=20_000)
            assert page.locator(".warnings li").count() >= 1  # the translator's warning shows
            shot(page, tmp_path, "03-review", full=False)  # as seen: sticky buttons at the bottom
            review_phone = browser.new_page(viewport={"width": 390, "height": 844})
            review_phone.goto(page.url)
            shot(review_phone, tmp_path, "03b-review-phone")
            review_phone.close()
            edited = "Reporters in 72 county newsrooms now file bilingual clips in minutes."
            page.fill("textarea[name=en_1]", edited)
            page.click("button:has-text('Render clips')")

            page.wait_for_selector("video", timeout=30_000)
            videos = page.locator("video")
            assert videos.count() == 2
            # The browser fetched and parsed the mp4 (range requests work): metadata loaded.
            page.wait_for_function(
                "() => [...document.querySelectorAll('video')].every(v => v.readyState >= 1)",
                timeout=15_000)
            duration = videos.first.evaluate("v => v.duration")
            assert 0.5 < duration < 2.0
            assert page.locator("a:has-text('Download MP4')").count() == 2
            page.click("summary:has-text('Script as read')")
            assert page.locator(f"td:has-text('{edited}')").count() == 1
            shot(page, tmp_path, "04-done")

            phone = browser.new_page(viewport={"width": 390, "height": 844},
                                     device_scale_factor=2)
            phone.goto(page.url)
            phone.wait_for_selector("video")
            shot(phone, tmp_path, "05-done-phone")
            phone.goto(base + "/")
            shot(phone, tmp_path, "06-form-phone")
            phone.goto(base + "/jobs")
            shot(phone, tmp_path, "07-jobs-phone", full=False)
            assert not errors, errors
        finally:
            browser.close()
