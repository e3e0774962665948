"""Han extension B in real Chromium: the job list and the review page draw 𠀀 𡃁 𪚥 with a
font that has them (asked of Chromium itself: the platform fonts it used for each node),
never the box. Screenshots go to $ANCHOR_SCREENSHOTS when set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import FakePipeline, make_test_app, serve_in_thread
from test_browser_backoffice import ARGS, CHROMIUM, DESKTOP, PHONE, shot

from anchor.web.fonts import EXTB_FONTS, find_source

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(),
                       reason="/usr/bin/chromium absent (apt-get install chromium)"),
    pytest.mark.skipif(find_source() is None,
                       reason="Noto Sans SC not fetched (anchor models fetch font-cjk)"),
    pytest.mark.skipif(not any(Path(p).is_file() for p in EXTB_FONTS),
                       reason="no font with Han extension B on this server "
                              "(apt-get install fonts-hanazono)"),
]
RARE = "𠀀𡃁𪚥"
ARTICLE = (f"古村{RARE}新开三座公园\n"
           "市政府周一宣布，今年新开三座滨河公园，总面积达到十二万平方米。"
           "市民可免费入园，公园全年开放。")


def fonts_for(page: Any, selector: str) -> list[dict[str, Any]]:
    """The fonts Chromium drew the node's text with: family, custom or system, glyphs."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return list(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"])


def test_extension_b_is_drawn_on_the_job_list_and_review_page(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    app = make_test_app(tmp_path, FakePipeline(real_video=False))
    with serve_in_thread(app) as base, sync_playwright() as p:
        import httpx

        # 𡃁 has no Mandarin reading: said at submission; go on with the fallback reading
        jid = httpx.post(f"{base}/api/jobs", json={"text": ARTICLE, "langs": ["zh", "en"],
                                                   "fallback_reading": True}
                         ).json()["id"]
        for _ in range(300):
            if httpx.get(f"{base}/api/jobs/{jid}").json()["status"] == "review":
                break
            import time

            time.sleep(0.1)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page = browser.new_page(viewport=viewport)
                for url, sel, label in ((f"{base}/jobs", ".job-title", "jobs"),
                                        (f"{base}/jobs/{jid}", "h1", "review")):
                    page.goto(url)
                    page.evaluate("document.fonts.ready")
                    page.wait_for_function("document.fonts.status === 'loaded'")
                    used = fonts_for(page, sel)
                    names = {f["familyName"] for f in used}
                    # every character drawn by a real face: no font drew a box
                    assert any(f["isCustomFont"] and "Hana" in f["familyName"] for f in used), used
                    assert all(f["glyphCount"] > 0 for f in used), used
                    if label == "review":
                        assert RARE in page.inner_text("h1")
                        # text boxes inherit the page's font list (style.css: font: inherit);
                        # Chromium reports no platform fonts for their inner text
                        box = page.locator("textarea[name=title_zh]")
                        assert RARE in box.input_value()
                        assert box.evaluate("e => getComputedStyle(e).fontFamily"
                                            ).count("Anchor CJK ExtB") == 1
                    shot(page, tmp_path, f"extb-{label}-{name}")
                    print(label, name, sorted(names))
                page.close()
        finally:
            browser.close()


def test_text_boxes_grow_and_the_draft_survives(tmp_path: Path) -> None:
    """The review's text boxes fit their text; a story typed on the form outlives a reload
    (a refusal answered before the body was read cannot lose it)."""
    from playwright.sync_api import sync_playwright

    app = make_test_app(tmp_path, FakePipeline(real_video=False))
    long_en = "A long English sentence that wraps over several lines of the box. " * 6
    with serve_in_thread(app) as base, sync_playwright() as p:
        import time

        import httpx

        text = f"Parks\n{long_en}\nSecond sentence here."
        jid = httpx.post(f"{base}/api/jobs", json={"text": text, "langs": ["en"]}).json()["id"]
        while httpx.get(f"{base}/api/jobs/{jid}").json()["status"] != "review":
            time.sleep(0.1)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport=DESKTOP)
            page.goto(f"{base}/jobs/{jid}")
            box = page.locator("textarea[name=en_0]")
            before = box.evaluate("e => e.clientHeight")
            box.fill(long_en)  # a reporter pastes a long sentence: the box grows to it
            fits = box.evaluate("e => e.clientHeight >= e.scrollHeight - 2")
            assert box.evaluate("e => e.clientHeight") > before * 2
            assert fits, box.evaluate("e => [e.clientHeight, e.scrollHeight]")
            shot(page, tmp_path, "review-text-boxes")
            page.goto(base + "/")
            page.fill("#article-text", "草稿：一段还没提交的报道。")
            page.reload()
            assert page.input_value("#article-text") == "草稿：一段还没提交的报道。"
        finally:
            browser.close()


def test_flagged_sentence_in_chromium_refused_ticked_approved(tmp_path: Path) -> None:
    """The issue's click: Render with a marked sentence untouched is refused on the page;
    ticking "checked" lets it render; the approval box shows the warning and who cleared
    it. Plus the glossary page."""
    from playwright.sync_api import sync_playwright
    from test_web_review_flags import FlaggingPipeline

    app = make_test_app(tmp_path, FlaggingPipeline(real_video=False))
    with serve_in_thread(app) as base, sync_playwright() as p:
        import time

        import httpx

        jid = httpx.post(f"{base}/api/jobs", json={"text": ARTICLE, "langs": ["zh", "en"],
                                                   "fallback_reading": True}).json()["id"]
        while httpx.get(f"{base}/api/jobs/{jid}").json()["status"] != "review":
            time.sleep(0.1)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport=DESKTOP)
            page.goto(f"{base}/jobs/{jid}")
            assert page.locator("#needs-review").is_visible()
            shot(page, tmp_path, "flag-review")
            page.locator("#sentence-1").scroll_into_view_if_needed()
            shot(page, tmp_path, "flag-review-sentence", full=False)
            page.click("button:has-text('Render clips')")
            page.wait_for_load_state()
            assert "sentence 1 is marked for review" in page.inner_text(".alert")
            assert not page.locator("#needs-review").count()  # said once, not twice
            shot(page, tmp_path, "flag-render-refused")
            page.check("input[name=checked_0]")
            page.click("button:has-text('Render clips')")
            page.wait_for_selector("#approval", timeout=30_000)
            page.reload()
            record = page.inner_text("#review-record")
            assert "checked as it stands by local" in record, record
            shot(page, tmp_path, "flag-approval-record")
            page.goto(f"{base}/glossary")
            page.fill("input[name=zh]", "王建国")
            page.fill("input[name=en]", "Xi Jinping")
            page.click("button:has-text('Save name')")
            page.wait_for_load_state()
            assert "not of 王建国" in page.inner_text(".alert")
            shot(page, tmp_path, "glossary-refused")
        finally:
            browser.close()
