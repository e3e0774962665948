"""The pipeline puts the brand's bumpers on the clip's timeline: the voice starts after
the intro in the MP4, and the SRT/VTT and script.json timings say so.

Quick: a tone stands in for the voice, a flat picture for the presenter, and the frame
is 320x180; everything else (loudness, captions, compose, render, files) is real.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from render_helpers import fake_factory

import anchor.core.settings
from anchor.captions import parse_srt
from anchor.core.settings import load_settings
from anchor.core.values import Script, Segment, Span, Speech
from anchor.pipeline import render_article
from anchor.render.encode.probe import probe

SCRIPT = Script(
    title_zh="数字记者上线", title_en="Digital reporters go live", source_language="zh",
    zh_variant="Hans",
    segments=(Segment(0, "湖南省72个县级融媒体中心启用数字记者系统。",
                      "72 county media centres in Hunan switched on the system."),
              Segment(1, "相似度达到95%。", "The likeness reaches 95 percent.")),
    backend="test",
)


def _fake_speak(texts, language, voice, backend="auto", *, out_wav: Path, cache_dir=None,
                progress=None) -> Speech:
    rate, spans, chunks, t = 24000, [], [], 0
    for text in texts:
        n = int(1.6 * rate)
        k = np.arange(n) / rate
        chunks.append(0.3 * np.sin(2 * np.pi * 190 * k) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * k)))
        chunks.append(np.zeros(int(0.2 * rate)))
        spans.append(Span(t, t + 1600, text))
        t += 1800
    pcm = (np.concatenate(chunks) * 32767).astype("<i2")
    with wave.open(str(out_wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return Speech(language, out_wav, rate, t, tuple(spans), (), "fake", "fake")


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("anchor.speech.speak", _fake_speak)
    monkeypatch.setitem(anchor.core.settings.ASPECTS, "16:9", (320, 180))
    monkeypatch.setattr("anchor.render.scene.presenter_track", fake_factory)


def _article(tmp_path: Path) -> str:
    path = tmp_path / "a.txt"
    path.write_text("数字记者上线\n\n湖南省72个县级融媒体中心启用数字记者系统，相似度达到95%。\n",
                    encoding="utf-8")
    return str(path)


def _audio_rms(video: Path, start_s: float, end_s: float) -> float:
    with av.open(str(video)) as c:
        chunks = [f.to_ndarray().mean(axis=0) for f in c.decode(audio=0)]
        rate = c.streams.audio[0].rate
    x = np.concatenate(chunks)[int(start_s * rate) : int(end_s * rate)]
    return float(np.sqrt(np.mean(x**2)))


def test_speech_and_captions_start_after_the_intro(tmp_path: Path, quick: None) -> None:
    settings = load_settings(None, {"out": str(tmp_path), "langs": "zh", "bilingual": False,
                                    "align": "", "date": "2025-11-12"}, env={})
    intro, outro = settings.branding.intro_ms, settings.branding.outro_ms
    assert 2000 <= intro <= 4000 and outro > 0
    res = render_article(_article(tmp_path), settings, script=SCRIPT, out_dir=tmp_path / "clip")
    out = res.out_dir
    video = out / "zh.mp4"
    info = probe(video)
    assert info.video_duration_ms is not None
    assert abs(info.video_duration_ms - (intro + 3600 + outro)) <= 80
    # silence under the intro card, the voice right after it
    assert _audio_rms(video, 0.1, intro / 1000 - 0.1) < 1e-3
    assert _audio_rms(video, intro / 1000 + 0.1, intro / 1000 + 1.4) > 0.01
    # the captions are on the MP4's clock
    cues = parse_srt((out / "zh.srt").read_text("utf-8"), "zh").cues
    assert cues[0].start_ms >= intro and cues[-1].end_ms <= intro + 3600
    assert "00:00:0" + f"{intro // 1000},{intro % 1000:03d}" in (out / "zh.vtt").read_text(
        "utf-8").replace(".", ",")
    timings = json.loads((out / "script.json").read_text("utf-8"))["timings"]["zh"]
    assert timings[0]["start_ms"] == intro
    assert (out / "thumbnail.png").is_file() and (out / "manifest.json").is_file()


def test_no_bumpers_speech_from_the_start(tmp_path: Path, quick: None) -> None:
    settings = load_settings(None, {"out": str(tmp_path), "langs": "en", "bilingual": False,
                                    "align": "", "bumpers": False}, env={})
    res = render_article(_article(tmp_path), settings, script=SCRIPT, out_dir=tmp_path / "clip")
    cues = parse_srt((res.out_dir / "en.srt").read_text("utf-8"), "en").cues
    assert cues[0].start_ms < 300
    info = probe(res.out_dir / "en.mp4")
    assert info.video_duration_ms is not None and abs(info.video_duration_ms - 3600) <= 80
