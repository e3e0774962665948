"""One end-to-end run of `anchor serve` on the real pipeline: models, voice, ffmpeg."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from anchor.web.app import create_app
from anchor.web.config import ServeConfig
from anchor.web.testing import wait_for_status

ARTICLE = ("Volunteers clear 12 tonnes of waste from the river\n"
           "More than 3,400 volunteers spent Saturday morning clearing litter from the river. "
           "They removed about 12 tonnes of plastic, glass and old fishing nets.")


@pytest.mark.slow
def test_real_pipeline_review_edit_render(tmp_path: Path) -> None:
    app = create_app(ServeConfig(data=tmp_path))  # no pipeline given: the real one
    with TestClient(app, base_url="http://127.0.0.1") as c:
        r = c.post("/api/jobs", json={"text": ARTICLE, "langs": ["en"], "sentences": 2,
                                      "bilingual": False})
        assert r.status_code == 201, r.text
        jid = r.json()["id"]
        get = lambda: c.get(f"/api/jobs/{jid}").json()  # noqa: E731
        review = wait_for_status(get, ("review", "failed"), timeout=900, every=0.5)
        assert review["status"] == "review", review

        script = c.get(f"/api/jobs/{jid}/script").json()
        assert len(script["segments"]) == 2
        assert all(s["zh"].strip() and s["en"].strip() for s in script["segments"])
        script["segments"][1]["en"] = "They hauled out about twelve tonnes of rubbish."
        assert c.put(f"/api/jobs/{jid}/script", json=script).status_code == 200
        assert c.post(f"/api/jobs/{jid}/render").status_code == 202

        done = wait_for_status(get, ("done", "failed"), timeout=900, every=0.5)
        assert done["status"] == "done", done
        (clip,) = done["clips"]
        assert clip["label"] == "en" and clip["duration_ms"] > 2000
        assert (clip["width"], clip["height"]) == (1920, 1080)
        names = {f["name"] for f in done["files"]}
        assert {"en.mp4", "en.srt", "en.vtt", "manifest.json", "script.json"} <= names
        video = c.get(clip["video_url"])
        assert video.status_code == 200 and len(video.content) > 20_000
        assert video.content[4:8] == b"ftyp"
        srt = c.get(clip["srt_url"]).text
        assert "twelve tonnes of rubbish" in srt
        stages = " ".join(p["message"] for p in done["progress"])
        for stage in ("Picking the key sentences", "Translating", "Recording the English voice",
                      "Making the English video"):
            assert stage in stages
