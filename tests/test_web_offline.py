"""Offline and hostile: API docs and the CJK webfont from local files, headline download
names, hostile bodies get a 4xx, and a refused form comes back with the text kept."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from fake_pipeline import SAMPLE_ARTICLE, make_test_app, wait_for_status
from fastapi.testclient import TestClient

from anchor.web.fonts import WebFonts, find_source

BASE = "http://127.0.0.1"
HTML = {"accept": "text/html,application/xhtml+xml"}
ZH_ARTICLE = ("城市新开三座滨河公园\n"
              "市政府周六开放了三座新公园。居民称赞新的步道。明年还将开放更多公园。")


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    with TestClient(make_test_app(tmp_path), base_url=BASE) as c:
        yield c  # type: ignore[misc]


def test_api_docs_need_no_cdn(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert scripts == ["/docs/ui/swagger-ui-bundle.js", "/static/docs-init.js"]
    for url in scripts + styles:
        r = client.get(url)
        assert r.status_code == 200 and len(r.content) > 300, url
    assert b"SwaggerUIBundle" in client.get("/docs/ui/swagger-ui-bundle.js").content
    csp = client.get("/docs").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]


def test_download_names_carry_the_headline(client: TestClient) -> None:
    jid = client.post("/api/jobs", json={"text": ZH_ARTICLE, "langs": ["zh"],
                                         "auto_render": True}).json()["id"]
    wait_for_status(lambda: client.get(f"/api/jobs/{jid}").json(), ("done",))
    cd = client.get(f"/api/jobs/{jid}/files/zh.mp4").headers["content-disposition"]
    # RFC 6266: an ASCII fallback, and the UTF-8 name with the headline.
    assert cd.startswith(f'attachment; filename="job-{jid[:8]}-zh.mp4"; filename*=UTF-8\'\'')
    assert unquote(cd.split("''", 1)[1]) == "城市新开三座滨河公园-zh.mp4"
    en = client.post("/api/jobs", json={"text": 'Mayor\'s "plan": 3 parks / 2 years\nBody.',
                                        "langs": ["en"], "auto_render": True}).json()["id"]
    wait_for_status(lambda: client.get(f"/api/jobs/{en}").json(), ("done",))
    cd = client.get(f"/jobs/{en}/files/en.srt").headers["content-disposition"]
    assert cd.startswith('inline; filename="mayor-s-plan-3-parks-2-years-en.srt"')
    assert unquote(cd.split("''", 1)[1]) == "Mayor-s-plan-3-parks-2-years-en.srt"


@pytest.mark.parametrize(("body", "ctype", "status"), [
    (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
    (b'{"text": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", "application/json", 400),
    (b'{"text": "\xff\xfe broken utf-8"}', "application/json", 422),
    (b'{"text": "x", "sentences": 1' + b"0" * 5000 + b"}", "application/json", 422),
    (b'"just a string"', "application/json", 422),
    (b"{'single': 'quotes'}", "application/json", 422),
    (b"\x00\x01\x02", "application/octet-stream", 422),
    (b"--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nunterminated",
     "multipart/form-data; boundary=x", 422),
])
def test_hostile_bodies_get_4xx(client: TestClient, body: bytes, ctype: str,
                                status: int) -> None:
    r = client.post("/api/jobs", content=body, headers={"content-type": ctype})
    assert r.status_code == status, r.text
    assert r.json()["error"]


def test_deep_json_on_every_route(client: TestClient) -> None:
    jid = client.post("/api/jobs", json={"text": SAMPLE_ARTICLE}).json()["id"]
    deep = b"[" * 100_000 + b"]" * 100_000
    r = client.put(f"/api/jobs/{jid}/script", content=deep,
                   headers={"content-type": "application/json"})
    assert r.status_code == 400 and "nested too deeply" in r.json()["error"]
    # strings that look like brackets are not nesting
    ok = client.post("/api/jobs", json={"text": "[[[[" * 50 + "\n" + SAMPLE_ARTICLE})
    assert ok.status_code == 201, ok.text


def test_an_oversize_paste_comes_back_with_the_text(client: TestClient) -> None:
    big = ("Huge story\n" + "A sentence of the article that goes on. " * 130_000)[:5_000_000]
    r = client.post("/jobs", data={"text": big, "title": "My headline", "langs": ["en"]},
                    headers=HTML)
    assert r.status_code == 413 and "<form" in r.text
    assert "the text is 5,000,000 characters; the limit is 200,000" in r.text
    assert 'value="My headline"' in r.text
    assert r.text.count("A sentence of the article that goes on.") > 100_000  # all of it
    assert "up to 200,000 characters" in r.text  # the form states its limit


def test_every_refusal_in_the_browser_is_a_page(client: TestClient) -> None:
    # Over even the page limit: a page that says what happened, not raw JSON.
    r = client.post("/jobs", content=b"x" * 17_000_000,
                    headers={**HTML, "content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "request too large" in r.text and "200,000 characters" in r.text
    # The API keeps its JSON for the same thing.
    r = client.post("/api/jobs", content=b"x" * 2_000_000,
                    headers={**HTML, "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "request too large"
    # A cross-site form post from a browser: a page too.
    r = client.post("/jobs", data={"text": "x"}, headers={**HTML, "Origin": "http://evil.example"})
    assert r.status_code == 403 and "<html" in r.text and "cross-site" in r.text
    # A wrong file type keeps the pasted title and options.
    r = client.post("/jobs", data={"title": "Kept title", "langs": ["zh"], "aspect": "9:16"},
                    files={"file": ("story.pdf", b"%PDF-1.4", "application/pdf")}, headers=HTML)
    assert r.status_code == 422 and 'value="Kept title"' in r.text
    assert 'value="9:16" checked' in r.text and "cannot read a .pdf file" in r.text


def test_long_headline_is_refused_not_cut(client: TestClient) -> None:
    jid = client.post("/api/jobs", json={"text": SAMPLE_ARTICLE}).json()["id"]
    wait_for_status(lambda: client.get(f"/api/jobs/{jid}").json(), ("review",))
    long = "Very long headline " * 300
    r = client.post(f"/jobs/{jid}/render", data={"title_en": long, "en_0": "Edited first.",
                                                  "action": "save"}, headers=HTML)
    assert r.status_code == 422
    assert f"the English headline is {len(long.strip()):,} characters" in r.text
    assert "the limit is 200" in r.text
    assert long.strip() in r.text and "Edited first." in r.text  # both edits kept
    script = client.get(f"/api/jobs/{jid}/script").json()
    assert script["title_en"] != long.strip()  # nothing was saved, nothing was cut
    bad = {**script, "title_en": long}
    r = client.put(f"/api/jobs/{jid}/script", json=bad)
    assert r.status_code == 422 and "headline" in r.json()["error"]


def test_cjk_webfont_from_the_product_font(tmp_path: Path) -> None:
    source = find_source()
    if source is None:
        pytest.skip("Noto Sans SC not fetched (anchor models fetch font-cjk): pages fall "
                    "back to system fonts")
    fonts = WebFonts(tmp_path / "fonts", source)
    assert fonts.subset is None and "cjk-full.otf" in fonts.css()
    fonts.start()
    fonts.wait(300)
    assert fonts.subset is not None
    size = fonts.subset.stat().st_size
    assert size < source.stat().st_size / 3, size  # the subset is a fraction of 8 MB
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(fonts.subset)).getBestCmap()
    for ch in "城市新开三座滨河公园，。":
        assert ord(ch) in cmap, ch
    assert ord("㐀") not in cmap  # rare: left to the full face
    css = fonts.css()
    assert "cjk-common.woff" in css and "unicode-range" in css and "font-display: block" in css
    # the full face claims every Han plane the captions font has glyphs in (ext B: U+2xxxx)
    assert "U+20000-2A6DF" in fonts.full_range and "U+30000-3134F" in fonts.full_range
    extb = WebFonts(tmp_path / "fonts", source, extb=tmp_path / "HanaMinB.ttf")
    assert '"Anchor CJK ExtB"' in extb.css() and "U+20000-3FFFF" in extb.css()


def test_font_routes(client: TestClient) -> None:
    css = client.get("/fonts/cjk.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    page = client.get("/", headers=HTML).text
    assert '<link rel="stylesheet" href="/fonts/cjk.css">' in page
    if find_source() is None:
        assert css.text == "" and client.get("/fonts/cjk-full.otf").status_code == 404
        return
    full = client.get("/fonts/cjk-full.otf")
    assert full.status_code == 200 and full.content[:4] == b"OTTO"
