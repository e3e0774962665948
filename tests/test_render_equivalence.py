"""The fast renderer and the moviepy reference show the same picture."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from render_helpers import CUES, decode, fake_factory, psnr, tiny_spec

from anchor.assets.brands import load_brand
from anchor.check.labels import read_aigc
from anchor.core.ai_labels import VisibleLabel, aigc_json, aigc_label
from anchor.core.values import FigureCard
from anchor.render.encode.fast import render_fast
from anchor.render.encode.probe import probe
from anchor.render.encode.reference import render_moviepy


@pytest.mark.slow
@pytest.mark.parametrize("size", [(320, 180), (360, 640)])
def test_fast_matches_moviepy(tmp_path: Path, size: tuple[int, int]) -> None:
    spec = tiny_spec(tmp_path, *size, cues=CUES)
    fast = render_fast(spec, tmp_path / "fast.mp4", track_factory=fake_factory)
    ref = render_moviepy(spec, tmp_path / "ref.mp4", track_factory=fake_factory)
    a, b = probe(fast.video), probe(ref.video)
    assert (a.width, a.height, a.video_frames) == (b.width, b.height, b.video_frames) == (
        *size, 60)
    assert b.faststart and b.audio_codec == "aac"
    fa, fb = decode(fast.video), decode(ref.video)
    # frames with the first caption, both sides of a cue change, the second
    # caption's end, and a frame with no caption
    for i in (5, 29, 30, 42, 55):
        assert psnr(fa[i], fb[i]) >= 30, f"frame {i}: {psnr(fa[i], fb[i]):.1f} dB"


@pytest.mark.slow
@pytest.mark.parametrize("size", [(320, 180), (180, 320), (240, 240)])
def test_fast_matches_moviepy_with_graphics(tmp_path: Path, size: tuple[int, int]) -> None:
    """Brand with ticker, a ring-chart card, intro and outro bumpers and the AI labels (the
    tab over everything from frame 0, the AIGC metadata key): the same picture and label."""
    brand = dataclasses.replace(load_brand("hunan-red"), ticker="快讯 · 数字记者系统上线")
    aigc = aigc_json(aigc_label("湘江新闻", "anchor:test:bilingual"))
    spec = dataclasses.replace(
        tiny_spec(tmp_path, *size, ms=3000, cues=(dataclasses.replace(CUES[0], start_ms=500,
                                                                      end_ms=1500),)),
        branding=brand, intro_ms=400, outro_ms=400, dateline="2025年11月12日",
        cards=(FigureCard(500, 2400, "95%", "", "相似度", 95.0),),
        ai_label=VisibleLabel("AI合成主播\nAI-generated presenter"), aigc=aigc)
    fast = render_fast(spec, tmp_path / "fast.mp4", track_factory=fake_factory)
    ref = render_moviepy(spec, tmp_path / "ref.mp4", track_factory=fake_factory)
    assert read_aigc(fast.video) == read_aigc(ref.video) == json.loads(aigc)
    assert dict(fast.extra)["ai_label"] == dict(ref.extra)["ai_label"]
    fa, fb = decode(fast.video), decode(ref.video)
    assert len(fa) == len(fb) == 90
    box = json.loads(dict(fast.extra)["ai_label"])["box"]
    x, y, w, h = box
    for i in (0, 45, 89):  # the tab itself, on the intro, the studio and the outro
        assert psnr(fa[i][y:y + h, x:x + w], fb[i][y:y + h, x:x + w]) >= 30, i
    # intro reveal and hold, card coming in and standing, ticker, outro
    for i in (2, 10, 16, 20, 40, 60, 72, 80, 89):
        assert psnr(fa[i], fb[i]) >= 30, f"frame {i}: {psnr(fa[i], fb[i]):.1f} dB"
