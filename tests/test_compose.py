"""Compose: the brand, cards, bumpers and date that go into a clip's RenderSpec."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from anchor.assets.avatars import load_avatar
from anchor.compose.spec import compose, dateline
from anchor.core.settings import load_settings
from anchor.core.values import Cue, Script, Segment, Span, Speech

SCRIPT = Script("数字记者上线", "Digital reporters go live", "zh", "Hans", (
    Segment(0, "湖南省72个县级融媒体中心启用数字记者系统。",
            "72 county media centres in Hunan switched on the system."),
    Segment(1, "专家提醒，内容仍需人工审核。", "Experts say people must still check it."),
), "test")
SPEECH = Speech("zh", Path("voice.wav"), 24000, 9000,
                (Span(3000, 6000, ""), Span(6200, 8000, "")), (), "t", "t")


def _spec(label: str = "zh", **overrides: object):
    settings = load_settings(None, {"brand": "hunan-red", "date": "2025-11-12", **overrides},
                             env={})
    return compose(label=label, script=SCRIPT, speech=SPEECH,
                   cues=(Cue(3000, 6000, ("湖南省72个县级融媒体中心",)),),
                   avatar=load_avatar("astra"), settings=settings,
                   headline_lang="en" if label == "en" else "zh")


def test_brand_cards_bumpers_and_date_in_the_spec() -> None:
    spec = _spec()
    assert (spec.intro_ms, spec.outro_ms) == (3000, 2500)
    assert spec.dateline == "2025年11月12日 星期三"
    assert "{" not in spec.branding.ticker and spec.headline in spec.branding.ticker
    assert [(c.figure, c.unit, c.start_ms) for c in spec.cards] == [("72", "个", 3000)]
    assert spec.headline_other == ""
    assert spec.branding.headline_font is not None


def test_english_clip_gets_the_brands_english_texts() -> None:
    spec = _spec("en")
    assert spec.branding.label == "NEWS" and spec.branding.channel == "Xiang News"
    assert spec.dateline == "Wednesday 12 November 2025"
    assert spec.branding.ticker.startswith("Wednesday 12 November 2025")


def test_bilingual_bumper_has_both_headlines() -> None:
    spec = _spec("bilingual")
    assert spec.headline == SCRIPT.title_zh and spec.headline_other == SCRIPT.title_en


@pytest.mark.parametrize("key", ["cards", "bumpers"])
def test_switches(key: str) -> None:
    spec = _spec(**{key: False})
    if key == "cards":
        assert spec.cards == ()
    else:
        assert spec.intro_ms == spec.outro_ms == 0


def test_dateline() -> None:
    day = datetime.date(2026, 3, 1)
    assert dateline("zh", day) == "2026年3月1日 星期日"
    assert dateline("en", day) == "Sunday 1 March 2026"
