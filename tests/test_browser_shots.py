"""A reporter changes a sentence's shot on the review page, in real headless Chromium:
the story's pictures uploaded with the form, the shot editor, and the change kept.

Screenshots land in the test's tmp folder, and in $ANCHOR_SCREENSHOTS when set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import FakePipeline, make_test_app, serve_in_thread

from anchor.core.settings import Settings
from anchor.core.values import Article, Script

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
PICTURES = ROOT / "samples" / "festival"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(),
                       reason="/usr/bin/chromium absent (apt-get install chromium)"),
]


class EditingPipeline(FakePipeline):
    """The fake script, then the real edit list (anchor.edit.plan), as the real pipeline does."""

    def prepare(self, article: Article, settings: Settings, progress: Any) -> Script:
        from anchor.pipeline import plan_script_edit

        return plan_script_edit(super().prepare(article, settings, progress), article, settings)


def _shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    extra = os.environ.get("ANCHOR_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)
    return path


def test_a_reporter_changes_a_shot_in_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright not installed (pip install playwright)")
    story = (PICTURES / "festival.en.md").read_text("utf-8")
    app = make_test_app(tmp_path / "data", EditingPipeline(delay=0.3))
    with serve_in_thread(app) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "/")
            page.fill("textarea[name=text]", story)
            page.set_input_files("input[name=images]", [
                str(PICTURES / "rocket-launch.jpg"), str(PICTURES / "retina-scan.jpg")])
            page.click("button[type=submit]:has-text('Write the script')")
            page.wait_for_selector("#review-form", timeout=30_000)
            assert page.locator(".shot-editor").count() >= 3
            _shot(page, tmp_path, "shots-01-review")

            # sentence 2: the retina picture, full screen; the page applies it at once
            row = page.locator("#sentence-2")
            with page.expect_navigation():
                row.locator("select[name=shot_1]").select_option("full")
            with page.expect_navigation():
                page.select_option("#sentence-2 select[name=visual_1]", "pic:1")
            preview = page.locator("#sentence-2 .shot-preview img")
            assert "/pictures/1" in (preview.get_attribute("src") or "")
            assert page.locator("#sentence-2 select[name=shot_1]").input_value() == "full"
            page.locator("#sentence-2").scroll_into_view_if_needed()
            _shot(page, tmp_path, "shots-02-changed")
            assert not errors, errors
        finally:
            browser.close()
