"""The bench's ASS captions file (scripts/captions_ass.py): video-sized PlayRes, the CJK
font, cues placed in the layout."""

from __future__ import annotations

import sys
from pathlib import Path

import pysubs2

from anchor.core.values import Cue
from anchor.render.graphics.layout import layout_for

# The bench's helper lives in scripts/ with the bench, outside the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from captions_ass import FONT_FAMILY, ass_text, write_ass

CUES = (
    Cue(0, 1500, ("湖南日报的数字记者", "Hunan Daily's digital reporters")),
    Cue(1500, 3250, ("一行 {不是标签} a\\b",)),
    Cue(4000, 4000, ("zero length: dropped",)),
    Cue(5000, 6000, ("   ",)),
)


def test_header_and_style_match_the_video() -> None:
    lay = layout_for(1920, 1080)
    text = ass_text(CUES, lay)
    assert "PlayResX: 1920" in text and "PlayResY: 1080" in text
    subs = pysubs2.SSAFile.from_string(text)
    style = subs.styles["Default"]
    assert style.fontname == FONT_FAMILY == "Noto Sans SC"
    assert style.borderstyle == 3  # a box behind each line, like the burned captions
    assert style.alignment == pysubs2.Alignment.BOTTOM_CENTER
    # bottom of the text at the bottom of the caption area (plus the box padding)
    cap = lay.caption
    assert lay.height - style.marginv <= cap.y + cap.h
    assert style.marginl >= cap.x and lay.width - style.marginr <= cap.x + cap.w
    # libass sizes by ascent+descent: ~1.45x the em size the Pillow captions use
    assert 1.3 * lay.caption_px <= style.fontsize <= 1.6 * lay.caption_px


def test_events_keep_times_and_join_lines() -> None:
    subs = pysubs2.SSAFile.from_string(ass_text(CUES, layout_for(1080, 1920)))
    assert [(e.start, e.end) for e in subs] == [(0, 1500), (1500, 3250)]
    assert subs[0].text == "湖南日报的数字记者\\NHunan Daily's digital reporters"
    # braces and backslashes would be read as override tags: shown as look-alikes
    assert "{" not in subs[1].text and "\\b" not in subs[1].text
    assert subs[1].plaintext.startswith("一行 ｛不是标签｝")


def test_portrait_places_captions_above_the_app_ui() -> None:
    lay = layout_for(1080, 1920)
    style = pysubs2.SSAFile.from_string(ass_text(CUES, lay)).styles["Default"]
    assert lay.ui_zone is not None
    assert lay.height - style.marginv <= lay.ui_zone.y


def test_write_ass(tmp_path: Path) -> None:
    out = write_ass(CUES[:1], layout_for(320, 180), tmp_path / "sub" / "x.ass")
    assert out.read_text(encoding="utf-8").startswith("[Script Info]")
    assert not (tmp_path / "sub" / "x.ass.part").exists()
