"""Newsroom graphics in the picture: brand, figure cards, ticker, bumpers, cover."""

from __future__ import annotations

import dataclasses
import wave
from pathlib import Path

import numpy as np
from PIL import Image
from render_helpers import CUES, decode, fake_factory, tiny_spec

from anchor.assets.brands import load_brand
from anchor.captions import make_captions, to_srt
from anchor.compose.spec import timeline_speech
from anchor.core.values import Box, Branding, FigureCard, RenderSpec, Span, Speech
from anchor.render.encode.fast import render_fast, thumbnail, to_i420, yuv_frames
from anchor.render.graphics.card import CardLayer, place_card
from anchor.render.graphics.cover import cover_image
from anchor.render.graphics.layout import intersects, layout_for
from anchor.render.scene import build_scene

CARD = FigureCard(600, 1500, "95%", "", "相似度", 95.0)


def _crop(img: np.ndarray, b: Box) -> np.ndarray:
    return img[b.y : b.y + b.h, b.x : b.x + b.w].astype(int)


def _with(spec: RenderSpec, **changes: object) -> RenderSpec:
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]


def _everything(spec: RenderSpec) -> RenderSpec:
    """The red brand with a ticker, a card, a 0.3 s intro and a 0.3 s outro."""
    brand = dataclasses.replace(load_brand("hunan-red"), ticker="快讯 Breaking · 数字记者上线")
    return _with(spec, branding=brand, cards=(CARD,), intro_ms=300, outro_ms=300,
                 dateline="2025年11月12日", cues=(dataclasses.replace(CUES[0], start_ms=400,
                                                                    end_ms=1300),))


def test_a_template_change_changes_the_picture(tmp_path: Path) -> None:
    spec = tiny_spec(tmp_path)
    a = build_scene(_with(spec, branding=load_brand("default")), fake_factory)
    b = build_scene(_with(spec, branding=load_brand("hunan-red")), fake_factory)
    fa, fb = a.frame_rgb(45), b.frame_rgb(45)  # no caption, no card: the studio look
    for box in (a.layout.logo, a.layout.lower_third):
        assert np.abs(_crop(fa, box) - _crop(fb, box)).mean() > 15, box
    # the lower third's colour is the brand's primary
    band = a.layout.headline
    mid = Box(band.x + band.w * 3 // 4, band.y + band.h // 2, 4, 2)
    assert _crop(fa, mid)[..., 2].mean() > _crop(fa, mid)[..., 0].mean()  # navy
    band = b.layout.headline
    mid = Box(band.x + band.w * 3 // 4, band.y + band.h // 2, 4, 2)
    assert _crop(fb, mid)[..., 0].mean() > _crop(fb, mid)[..., 2].mean()  # red


def test_a_figure_card_shows_while_its_sentence_is_spoken(tmp_path: Path) -> None:
    spec = _with(tiny_spec(tmp_path), cards=(CARD,))
    out = render_fast(spec, tmp_path / "card.mp4", track_factory=fake_factory)
    frames = decode(out.video)
    scene = build_scene(spec, fake_factory)
    layer = next(x for x in scene.below if isinstance(x, CardLayer))
    sprite = layer.sprite(36)
    assert sprite is not None
    box, still = sprite.box, scene.layers.frame
    # the card keeps off the presenter's moving head and the captions
    assert not intersects(box, scene.dirty) and not intersects(box, scene.layout.caption)
    # 30 fps: the sentence is frames 18..44; the card is up at 1.2 s, gone before and after
    assert np.abs(_crop(frames[36], box) - _crop(still, box)).mean() > 20
    for i in (5, 15, 50, 59):
        assert np.abs(_crop(frames[i], box) - _crop(still, box)).mean() < 3, i
    # it animates in: the first frames of the card differ from its settled picture
    assert np.abs(_crop(frames[19], box) - _crop(frames[40], box)).mean() > 5


def test_the_fast_path_equals_whole_frames_with_every_layer(tmp_path: Path) -> None:
    """Redrawing only the boxes whose layer changed gives the very bytes of composing
    and converting each frame whole: bumpers, ticker, card, caption."""
    spec = _everything(tiny_spec(tmp_path))
    scene = build_scene(spec, fake_factory)
    n = 0
    for i, buf in enumerate(yuv_frames(scene)):
        want = to_i420(scene.frame_rgb(i)).reshape(-1)
        assert np.array_equal(np.frombuffer(buf, np.uint8), want), f"frame {i}"
        n += 1
    assert n == scene.n_frames == 60


def test_the_ticker_scrolls_in_its_band_only(tmp_path: Path) -> None:
    spec = _everything(tiny_spec(tmp_path))
    scene = build_scene(spec, fake_factory)
    band = scene.layout.ticker
    assert band is not None
    a, b = scene.frame_rgb(47), scene.frame_rgb(48)  # after the card, before the outro
    diff = np.abs(a.astype(int) - b.astype(int)).max(axis=2)
    changed = np.argwhere(diff > 0)
    rows = changed[:, 0]
    outside = rows[(rows < band.y) | (rows >= band.y + band.h)]
    # what changes outside the band is the presenter's patch only
    d = scene.dirty
    assert all(d.y <= r < d.y + d.h for r in outside)
    assert ((rows >= band.y) & (rows < band.y + band.h)).any()


def test_the_intro_and_outro_cover_the_frame(tmp_path: Path) -> None:
    spec = _everything(tiny_spec(tmp_path))
    scene = build_scene(spec, fake_factory)
    still = scene.layers.frame.astype(int)
    # 0.3 s at 30 fps: frames 0-8 intro, 51-59 outro; the presenter hidden under both
    for i in (0, 8, 51, 59):
        f = scene.frame_rgb(i).astype(int)
        assert np.abs(f - still).mean() > 25, i
        p = scene.patch_box
        assert np.abs(_crop(f, p) - _crop(still, p)).mean() > 10, i
    assert np.abs(scene.frame_rgb(9).astype(int) - still).mean() < 20


def _tone(path: Path, ms: int, rate: int = 24000) -> Path:
    t = np.arange(rate * ms // 1000) / rate
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((0.3 * np.sin(2 * np.pi * 200 * t) * 32767).astype("<i2").tobytes())
    return path


def test_the_intro_delays_the_speech_and_its_captions(tmp_path: Path) -> None:
    voice = _tone(tmp_path / "v.wav", 2000)
    speech = Speech("zh", voice, 24000, 2000, (Span(0, 900, "第一句。"), Span(1000, 2000,
                    "第二句话。")), (Span(0, 400, "第一"),), "test", "test")
    clip = timeline_speech(speech, 2500, 2000, tmp_path / "clip.wav")
    assert clip.duration_ms == 6500
    assert [(s.start_ms, s.end_ms) for s in clip.sentences] == [(2500, 3400), (3500, 4500)]
    assert clip.words[0].start_ms == 2500
    with wave.open(str(clip.audio)) as r:
        pcm = np.frombuffer(r.readframes(r.getnframes()), "<i2")
        assert r.getnframes() == 6500 * 24
    assert not pcm[: 2500 * 24].any() and not pcm[4500 * 24 :].any()
    assert np.abs(pcm[2500 * 24 : 2600 * 24]).max() > 1000  # the voice starts on time
    caps = make_captions(("第一句。", "第二句话。"), clip.sentences, "zh")
    assert caps.cues[0].start_ms >= 2500
    assert to_srt(caps).splitlines()[1].startswith("00:00:02,500 --> ")


def test_without_bumpers_the_speech_is_unchanged(tmp_path: Path) -> None:
    speech = Speech("en", _tone(tmp_path / "v.wav", 500), 24000, 500, (), (), "t", "t")
    assert timeline_speech(speech, 0, 0, tmp_path / "x.wav") is speech


def test_cards_keep_off_a_low_head_in_portrait() -> None:
    lay = layout_for(1080, 1920)
    (slot,) = lay.card_slots
    high = Box(300, 30, 400, 400)  # a head at the top: the card stands in its slot
    box = place_card(lay, high)
    assert box is not None and not intersects(box, high) and box.y + box.h == slot.y + slot.h
    low = Box(240, 160, 600, 640)  # a long face reaching down: the card gives up its top
    box = place_card(lay, low)
    assert box is not None and not intersects(box, low)
    assert box.h >= lay.card_min_h and box.y + box.h == slot.y + slot.h


def test_the_cover_carries_the_headline(tmp_path: Path) -> None:
    spec = _with(tiny_spec(tmp_path, 360, 640), branding=load_brand("hunan-red"),
                 dateline="2025年11月12日")
    png = thumbnail(spec, tmp_path / "thumb.png", track_factory=fake_factory)
    img = np.asarray(Image.open(png).convert("RGB"))
    assert img.shape == (640, 360, 3)
    scene = build_scene(spec, fake_factory)
    cover = scene.layout.cover
    assert cover is not None
    plain = cover_image(dataclasses.replace(scene, spec=_with(spec, headline=" ")),
                        scene.thumbnail_frame())
    # white headline glyphs in the cover box, absent when the headline is blank
    assert (_crop(img, cover).min(axis=2) > 230).sum() > 200
    assert (_crop(plain, cover).min(axis=2) > 230).sum() < 20
    assert np.array_equal(img, cover_image(scene, scene.thumbnail_frame()))


def test_plain_branding_draws_no_ticker_and_no_bumpers(tmp_path: Path) -> None:
    spec = _with(tiny_spec(tmp_path), branding=Branding())
    scene = build_scene(spec, fake_factory)
    assert scene.layout.ticker is None and scene.above == () and scene.below == ()
