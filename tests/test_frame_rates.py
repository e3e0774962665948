"""Fractional frame rates (29.97 = 30000/1001) end to end, on exact rational time."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from anchor.core.errors import ConfigError
from anchor.core.settings import load_settings
from anchor.core.timing import fps_text, frame_at, frame_count, ms_at_frame, parse_fps
from anchor.core.values import RenderSpec, from_json, to_json
from anchor.render.encode.fast import render_fast
from anchor.render.encode.probe import probe
from tests.render_helpers import fake_factory, tiny_spec

NTSC = Fraction(30000, 1001)


@pytest.mark.parametrize("raw", ["29.97", 29.97, "30000/1001", " 29.970 ", 29.97002997])
def test_ntsc_is_read_however_it_is_written(raw: object) -> None:
    assert parse_fps(raw) == NTSC


@pytest.mark.parametrize("raw", ["25", 25, "59.94", "23.976", "60000/1001", 60])
def test_broadcast_rates_are_accepted(raw: object) -> None:
    assert parse_fps(raw) in (Fraction(25), Fraction(60000, 1001), Fraction(24000, 1001),
                              Fraction(60))


@pytest.mark.parametrize("raw", ["31", "29.9", "abc", "30/0", "-30", 0])
def test_other_rates_are_refused(raw: object) -> None:
    with pytest.raises((ValueError, ZeroDivisionError)):
        parse_fps(raw)


def test_frame_times_do_not_drift_over_an_hour() -> None:
    # 60 s at 29.97 is 1798.2 frames: 1799 cover it; frame 1798 starts at 59 993.93 ms
    assert frame_count(60_000, NTSC) == 1799
    assert ms_at_frame(1798, NTSC) == 59_993
    # after exactly 30 000 frames the clock is at 1001 s to the millisecond
    assert ms_at_frame(30_000, NTSC) == 1_001_000
    assert frame_at(1_001_000, NTSC) == 30_000
    assert all(frame_at(ms_at_frame(f, NTSC), NTSC) in (f - 1, f) for f in range(0, 108_000,
                                                                                 997))
    assert fps_text(NTSC) == "30000/1001" and fps_text(30) == "30"


def test_settings_and_spec_json_keep_the_exact_rate(tmp_path: Path) -> None:
    s = load_settings(overrides={"fps": "29.97"}, env={})
    assert s.fps == NTSC and isinstance(s.fps, Fraction)
    assert load_settings(env={"ANCHOR_FPS": "30000/1001"}).fps == NTSC
    assert load_settings(env={}).fps == 30
    with pytest.raises(ConfigError, match="fps: 31 is not supported"):
        load_settings(overrides={"fps": "31"}, env={})
    spec = tiny_spec(tmp_path)
    text = to_json(RenderSpec(**{**{f: getattr(spec, f) for f in spec.__slots__},
                                 "fps": NTSC}))
    assert '"fps": "30000/1001"' in text
    assert from_json(RenderSpec, text).fps == NTSC
    assert '"fps": 30' in to_json(spec)  # whole rates stay numbers, as before


def test_a_2997_clip_has_the_exact_rate_and_frame_count(tmp_path: Path) -> None:
    base = tiny_spec(tmp_path, ms=2000)
    spec = RenderSpec(**{**{f: getattr(base, f) for f in base.__slots__}, "fps": NTSC})
    out = render_fast(spec, tmp_path / "ntsc.mp4", track_factory=fake_factory).video
    info = probe(out)
    assert info.fps == pytest.approx(29.97, abs=0.001)
    # 2 s is 59.94 frames: 60 are piped; -shortest may drop the one that outlasts the voice
    assert frame_count(2000, NTSC) == 60
    assert info.video_frames in (frame_at(2000, NTSC), frame_count(2000, NTSC))
    assert info.video_duration_ms is not None and info.audio_duration_ms is not None
    assert abs(info.video_duration_ms - info.audio_duration_ms) <= 1000 / NTSC + 1
