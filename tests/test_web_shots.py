"""The review page's shot editor and the form's picture upload (no browser)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from fake_pipeline import SAMPLE_ARTICLE as ARTICLE
from fake_pipeline import make_test_app as make_app
from fake_pipeline import wait_for_status
from fastapi.testclient import TestClient
from PIL import Image

BASE = "http://127.0.0.1"
TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _jpeg(w: int = 1400, h: int = 900) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (h, w, 3), dtype=np.uint8)
                    ).save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def _submit(c: TestClient, pictures: list[tuple[str, bytes]]) -> str:
    files = [("images", (name, data, "image/jpeg")) for name, data in pictures]
    r = c.post("/jobs", data={"text": ARTICLE, "langs": ["en"], "sentences": "3"},
               files=files, follow_redirects=False)
    assert r.status_code == 303, r.text
    jid = r.headers["location"].rsplit("/", 1)[1]
    wait_for_status(lambda: c.get(f"/api/jobs/{jid}", headers=AUTH).json(), ("review",))
    return jid


def test_pictures_uploaded_with_the_story_are_offered_per_sentence(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        assert 'name="images"' in c.get("/").text
        jid = _submit(c, [("rocket.jpg", _jpeg()), ("sky.jpg", _jpeg(900, 700))])
        page = c.get(f"/jobs/{jid}").text
        assert 'id="shots-form"' in page and 'name="shot_1"' in page
        assert page.count('value="pic:1"') == 3  # both pictures, on every sentence
        assert c.get(f"/jobs/{jid}/pictures/0").headers["content-type"] == "image/jpeg"
        # a reporter puts picture 2 full screen on sentence 2
        r = c.post(f"/jobs/{jid}/shots", data={"shot_1": "full", "visual_1": "pic:1"},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].endswith("#sentence-2")
        seg = c.get(f"/api/jobs/{jid}/script", headers=AUTH).json()["segments"][1]
        assert seg["shot"] == "full" and seg["visual"]["image"].endswith("sky.jpg")
        page = c.get(f"/jobs/{jid}").text
        assert re.search(r'<option value="full" selected>', page)
        # ...then drops it again
        c.post(f"/jobs/{jid}/shots", data={"visual_1": "none"})
        seg = c.get(f"/api/jobs/{jid}/script", headers=AUTH).json()["segments"][1]
        assert seg["visual"] is None and seg["shot"] == "presenter"


def test_a_picture_uploaded_on_the_review_page(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        jid = _submit(c, [])
        r = c.post(f"/jobs/{jid}/shots", data={"shot_0": "ots"},
                   files={"upload_0": ("mine.png", _jpeg(), "image/png")},
                   follow_redirects=False)
        assert r.status_code == 303
        seg = c.get(f"/api/jobs/{jid}/script", headers=AUTH).json()["segments"][0]
        assert seg["shot"] == "ots" and seg["visual"]["kind"] == "image"
        # a bad picture is refused on the page, with its reason
        bad = c.post(f"/jobs/{jid}/shots", files={"upload_1": ("x.jpg", b"no jpeg", "image/jpeg")})
        assert bad.status_code == 422 and "cannot be read" in bad.text


def test_a_bad_picture_with_the_story_is_refused_before_any_work(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        r = c.post("/jobs", data={"text": ARTICLE, "langs": ["en"]},
                   files=[("images", ("anim.svg", b"<svg></svg>", "image/svg+xml"))])
        assert r.status_code == 422 and "only JPEG, PNG or WebP" in r.text
        assert ARTICLE.split("\n")[0][:20] in r.text  # the pasted story is handed back


def test_the_api_may_only_show_the_story_s_own_pictures(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path), base_url=BASE) as c:
        jid = _submit(c, [("rocket.jpg", _jpeg())])
        sneaky = {"segments": [{"index": 1, "shot": "full",
                                "visual": {"kind": "image", "image": "/etc/hostname"}}]}
        r = c.put(f"/api/jobs/{jid}/shots", json=sneaky, headers=AUTH)
        assert r.status_code == 422 and "not one of this story" in r.json()["error"]
        script = c.get(f"/api/jobs/{jid}/script", headers=AUTH).json()
        script["segments"][1]["visual"] = {"kind": "image", "image": "/etc/hostname"}
        script["segments"][1]["shot"] = "full"
        assert c.put(f"/api/jobs/{jid}/script", json=script, headers=AUTH).status_code == 422
        ok = {"segments": [{"index": 1, "shot": "presenter", "drop_visual": True}]}
        assert c.put(f"/api/jobs/{jid}/shots", json=ok, headers=AUTH).status_code == 200
