"""One end-to-end run of `anchor serve` on the real pipeline: models, voice, ffmpeg."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fake_pipeline import wait_for_status
from fastapi.testclient import TestClient

from anchor.web.app import create_app
from anchor.web.config import ServeConfig

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


def _cpu_s() -> float:
    """CPU seconds this process (all its threads) has used so far."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _busy(seconds: float = 3.0) -> float:
    """Share of one core this process used over the next ``seconds``."""
    t0, c0 = time.monotonic(), _cpu_s()
    time.sleep(seconds)
    return (_cpu_s() - c0) / (time.monotonic() - t0)


def _ffmpeg_children() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"ffmpeg" in cmd and stat.rsplit(")", 1)[1].split()[0] != "Z":
            pids.append(int(entry))
    return pids


@pytest.mark.slow
def test_real_pipeline_cancel_stops_the_model_and_ffmpeg(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         ) -> None:
    """Cancel while the LLM translates, then while ffmpeg encodes: both really stop."""

    app = create_app(ServeConfig(data=tmp_path / "data"))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        get = lambda j: c.get(f"/api/jobs/{j}").json()  # noqa: E731

        def until(jid: str, cond: Any, timeout: float) -> dict[str, Any]:
            deadline = time.monotonic() + timeout
            while True:
                job = get(jid)
                if cond(job):
                    return job
                assert job["status"] not in ("failed", "done", "review"), job
                assert time.monotonic() < deadline, job
                time.sleep(0.2)

        # 1. the translation model
        # a fresh article each run: a cached script would skip the translator altogether
        run = uuid.uuid4().int % 10**6
        # twelve distinct sentences: long enough to translate that the cancel lands during
        # generation on a quiet machine too (a short one finished first and got a 409)
        fresh = ARTICLE + "".join(
            f" Team {k} of the clean-up, number {run + k} this year, filled {k + 3} trucks"
            f" along {k * 2 + 1} kilometres of the {('east', 'west')[k % 2]} bank."
            for k in range(12))
        jid = c.post("/api/jobs", json={"text": fresh, "langs": ["en"], "sentences": 12,
                                        "bilingual": False}).json()["id"]
        until(jid, lambda j: j["stage"].startswith("Translating"), 900)
        # past loading the model (one native call no interrupt can cut short): generating
        time.sleep(10)
        before = _busy()
        t0 = time.monotonic()
        assert c.post(f"/api/jobs/{jid}/cancel").status_code == 202
        until_stopped = until(jid, lambda j: j["stage"].startswith("Work stopped"), 120)
        took = time.monotonic() - t0
        after = _busy()
        print(f"\ntranslation: {before:.2f} cores busy before the cancel, stopped after "
              f"{took:.1f} s, {after:.2f} cores busy after")
        assert until_stopped["status"] == "cancelled"
        assert after < max(0.1, before / 3), (before, after)

        # 2. the encoder
        jid = c.post("/api/jobs", json={"text": ARTICLE, "langs": ["en"], "sentences": 2,
                                        "bilingual": False, "auto_render": True,
                                        "aspect": "9:16"}).json()["id"]  # not a cached clip
        deadline = time.monotonic() + 900
        while not (_ffmpeg_children() and get(jid)["stage"].startswith("Making")):
            job = get(jid)
            assert job["status"] not in ("failed", "done"), job
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        pids = _ffmpeg_children()
        stage = get(jid)["stage"]
        t0 = time.monotonic()
        assert c.post(f"/api/jobs/{jid}/cancel").status_code == 202
        while _ffmpeg_children():
            assert time.monotonic() - t0 < 10, "ffmpeg still runs after the cancel"
            time.sleep(0.05)
        gone = time.monotonic() - t0
        job = until(jid, lambda j: j["stage"].startswith("Work stopped"), 60)
        after = _busy()
        print(f"encoder: ffmpeg {pids} during '{stage}' ended {gone:.2f} s after the cancel; "
              f"job says '{job['stage']}'; {after:.2f} cores busy after")
        assert not (tmp_path / "data" / "jobs" / jid).exists()
        assert after < 0.1
