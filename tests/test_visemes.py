"""Lip shapes from phonemes: the viseme table, timing on words, coarticulation, closures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import pcm16_wav

from anchor.core.values import Span
from anchor.render.presenter.visemes import VISEMES, mouth_track, phones_of, time_phones

FPS = 30
RATE = 16000


def voice(path: Path, ms: int, spans: list[tuple[int, int]], amp: float = 0.3) -> Path:
    t = np.arange(RATE * ms // 1000) / RATE
    x = np.zeros_like(t)
    tone = amp * (np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 900 * t))
    for a, b in spans:
        x[a * RATE // 1000:b * RATE // 1000] = tone[a * RATE // 1000:b * RATE // 1000]
    return pcm16_wav(path, x, RATE)


def test_between_nine_and_twelve_visemes_and_the_key_classes() -> None:
    assert 9 <= len(VISEMES) - 1 <= 12  # "rest" is silence, not a viseme of speech
    assert phones_of("mbp") == ["mbp"] * 3
    assert phones_of("fv") == ["fv", "fv"]
    assert set(phones_of("uoʊwy")) <= {"uw", "ow"}  # o, u, w, ü round
    assert set(phones_of("iɪe")) <= {"iy", "eh"}
    assert phones_of("O") == ["ow", "uw"]  # misaki's diphthongs split in two
    assert phones_of("ˈ↗ ,") == []  # stress, tones and spaces carry no shape
    assert VISEMES["uw"].width < -0.5 < 0.5 < VISEMES["iy"].width
    assert VISEMES["aa"].jaw > VISEMES["eh"].jaw > VISEMES["iy"].jaw > VISEMES["mbp"].jaw


def test_phones_fill_each_word_vowels_longest() -> None:
    phones = time_phones([Span(0, 600, "mama"), Span(800, 1000, "")], ["mama", ""])
    assert [p.viseme for p in phones] == ["mbp", "aa", "mbp", "aa"]
    assert phones[0].start_ms == 0 and phones[-1].end_ms == pytest.approx(600)
    assert (phones[1].end_ms - phones[1].start_ms) > 2 * (phones[0].end_ms - phones[0].start_ms)


def test_lips_close_on_every_m_b_p_and_round_on_oo(tmp_path: Path) -> None:
    words = [Span(300, 700, "mama"), Span(800, 1200, "boo"), Span(1300, 1700, "see")]
    wav = voice(tmp_path / "v.wav", 2200, [(w.start_ms, w.end_ms) for w in words])
    m = mouth_track(wav, FPS, 2200, words, "en")
    assert m.source == "phonemes"
    mbp = [p for p in m.phones if p.viseme == "mbp"]
    assert len(mbp) >= 3
    t = (np.arange(len(m.jaw)) + 0.5) * 1000 / FPS + 20
    for p in mbp:
        near = (t >= p.start_ms - 1000 / FPS) & (t <= p.end_ms + 1000 / FPS)
        assert m.closed[near].any(), p
    boo = (t > 1000) & (t < 1180)
    see = (t > 1500) & (t < 1680)
    assert m.width[boo].min() < -0.5 and m.width[see].max() > 0.5
    assert m.jaw[(t > 400) & (t < 700)].max() > 0.5  # "ma" opens wide
    silent = (t < 200) | (t > 1900)
    assert m.closed[silent].all() and (m.jaw[silent] < 0.06).all()
    assert 0.1 <= m.closed[(t > 300) & (t < 1700)].mean() <= 0.7
    assert m.phrase_ms[0] == 300


def test_loudness_scales_the_jaw(tmp_path: Path) -> None:
    words = [Span(300, 800, "ma"), Span(1300, 1800, "ma")]
    t = np.arange(RATE * 2200 // 1000) / RATE
    x = np.zeros_like(t)
    x[300 * 16:800 * 16] = 0.5 * np.sin(2 * np.pi * 200 * t[300 * 16:800 * 16])
    x[1300 * 16:1800 * 16] = 0.05 * np.sin(2 * np.pi * 200 * t[1300 * 16:1800 * 16])
    path = pcm16_wav(tmp_path / "v.wav", x, RATE)
    m = mouth_track(path, FPS, 2200, words, "en")
    ft = (np.arange(len(m.jaw)) + 0.5) * 1000 / FPS
    loud = m.jaw[(ft > 400) & (ft < 800)].max()
    quiet = m.jaw[(ft > 1400) & (ft < 1800)].max()
    assert loud > 1.4 * quiet > 0


def test_without_words_the_audio_drives_it_and_lips_meet_between_syllables(tmp_path: Path
                                                                           ) -> None:
    sylls = [(s, s + 160) for s in range(300, 2000, 230)]  # 70 ms dips between syllables
    wav = voice(tmp_path / "v.wav", 2300, sylls)
    m = mouth_track(wav, FPS, 2300)
    assert m.source == "audio" and not m.phones
    speech = slice(frame(300), frame(2000))
    assert m.closed[speech].mean() >= 0.1
    assert m.jaw[speech].max() > 0.5
    assert m.phrase_ms and m.phrase_ms[0] < 400


def frame(ms: int) -> int:
    return ms * FPS // 1000
