"""The edit list: shots chosen after translation, deterministically, kept when a person set
them; charts from parsed figures; quotes and speakers; images from Markdown and HTML."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from anchor.compose.spec import cuts_of
from anchor.core.errors import InputError
from anchor.core.script_io import parse_script
from anchor.core.values import ArticleImage, Script, Segment, Span, Visual, to_dict
from anchor.edit.charts import chart_of
from anchor.edit.plan import plan_edit
from anchor.edit.quotes import quote_of, speaker_of
from anchor.ingest import ingest


def _photo(path: Path, w: int = 2000, h: int = 1200) -> Path:
    Image.fromarray(np.random.default_rng(3).integers(0, 255, (h, w, 3), dtype=np.uint8)
                    ).save(path, quality=80)
    return path


SEGMENTS = (
    Segment(0, "河畔科学节周日闭幕。", "The Riverside Science Festival closed on Sunday."),
    Segment(1, "今年有超过4.8万名游客到访，去年为3.1万名。",
            "More than 48,000 visitors came this year, up from 31,000 last year."),
    Segment(2, "火箭展区排起了长队。", "The rocket exhibit drew the longest queues."),
    Segment(3, "节日主任梅林说：“这是最好的一年，孩子们问了最难的问题。”",
            "“It was the best year yet, and the children asked the hardest questions,” "
            "said Mei Lin, the festival's director."),
    Segment(4, "明年春天还会再办。", "The festival will return next spring."),
)


def _script() -> Script:
    return Script("科学节创纪录", "Festival draws record crowds", "en", "Hans", SEGMENTS, "test")


def test_first_and_last_on_the_presenter_and_the_middle_on_visuals(tmp_path: Path) -> None:
    photo = _photo(tmp_path / "rocket.jpg")
    paragraphs = [s.en for s in SEGMENTS]
    images = [ArticleImage(photo, "A rocket", "SpaceX", paragraph=1)]
    out = plan_edit(_script(), images, paragraphs)
    shots = [(s.shot, s.visual.kind if s.visual else None) for s in out.segments]
    assert shots == [("presenter", None), ("full", "chart"), ("full", "image"),
                     ("ots", "quote"), ("presenter", None)]
    assert out.segments[2].visual is not None and out.segments[2].visual.credit == "SpaceX"
    assert out.segments[3].visual is not None and out.segments[3].visual.name_en == "Mei Lin"
    # deterministic, and the text (what the translation cache holds) is untouched
    assert plan_edit(_script(), images, paragraphs) == out
    assert [(s.zh, s.en) for s in out.segments] == [(s.zh, s.en) for s in SEGMENTS]


def test_a_person_s_choice_is_kept(tmp_path: Path) -> None:
    mine = _script()
    segs = list(mine.segments)
    segs[1] = Segment(1, segs[1].zh, segs[1].en, shot="presenter")
    out = plan_edit(Script(mine.title_zh, mine.title_en, "en", "Hans", tuple(segs), "test"))
    assert out.segments[1].shot == "presenter" and out.segments[1].visual is None


def test_charts_only_compare_figures_of_one_kind() -> None:
    c = chart_of(["More than 48,000 visitors came this year, up from 31,000 last year."], "en")
    assert c is not None
    assert [(b.label, b.value) for b in c.bars] == [("last year", 31000.0),
                                                    ("this year", 48000.0)]
    assert c.unit == "visitors"
    zh = chart_of(["出口额4月为12亿元，5月达到15亿元。"], "zh")
    assert zh is not None and [b.label for b in zh.bars] == ["4月", "5月"] and zh.unit == "元"
    # the counted noun after 万, not the clause before the figure, is the unit
    visitors = chart_of(["组织者今年吸引了4.8万游客，去年吸引了3.1万游客。"], "zh")
    assert visitors is not None and visitors.unit == "游客"
    assert [b.value for b in visitors.bars] == [31000.0, 48000.0]
    pct = chart_of(["The share rose from 24% in 2015 to 46% now."], "en")
    assert pct is not None and [b.label for b in pct.bars] == ["2015", "now"]
    assert pct.unit == "%"
    # a count and a percentage are not one comparison; one figure is no chart
    assert chart_of(["3,400 volunteers cleared 62% of the litter."], "en") is None
    assert chart_of(["He said 3 people came."], "en") is None


def test_quotes_and_speakers() -> None:
    en = SEGMENTS[3].en
    assert quote_of(en).startswith("It was the best year yet")
    who = speaker_of(en, "en")
    assert who is not None and who.name == "Mei Lin" and "director" in who.role
    zh = speaker_of(SEGMENTS[3].zh, "zh")
    assert zh is not None and zh.name == "梅林"
    assert quote_of("No quotes here at all.") == ""


def test_cuts_follow_the_sentences_on_the_clip_clock() -> None:
    script = plan_edit(_script())
    spans = tuple(Span(1000 + 2000 * i, 2800 + 2000 * i, s.en) for i, s in enumerate(SEGMENTS))
    cuts = cuts_of(script, spans, "en")
    assert cuts[0].start_ms == 1000 and cuts[-1].end_ms == spans[-1].end_ms
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(cuts))
    assert cuts[1].end_ms == (spans[1].end_ms + spans[2].start_ms) // 2  # mid-pause
    chart = next(c for c in cuts if c.visual is not None and c.visual.kind == "chart")
    assert [b.value for b in chart.bars] == [31000.0, 48000.0]  # parsed, not stored


def test_script_json_keeps_the_edit_and_old_scripts_still_load(tmp_path: Path) -> None:
    script = plan_edit(_script())
    raw = json.loads(json.dumps(to_dict(script)))
    assert parse_script(raw) == script
    old = json.loads(json.dumps(to_dict(_script())))
    for seg in old["segments"]:
        seg.pop("shot")
        seg.pop("visual")
    assert parse_script(old).segments[0].shot == ""


@pytest.mark.parametrize("change, needle", [
    ({"shot": "closeup"}, "unknown shot"),
    ({"shot": "full", "visual": None}, "needs a visual"),
    ({"shot": "ots", "visual": {"kind": "video"}}, "unknown visual kind"),
    ({"shot": "full", "visual": {"kind": "chart", "sentences": [9]}}, "needs \"sentences\""),
    ({"shot": "ots", "visual": {"kind": "image"}}, "needs \"image\""),
])
def test_a_bad_edit_is_an_input_error(change: dict[str, object], needle: str) -> None:
    raw = to_dict(_script())
    raw["segments"][1].update(change)
    with pytest.raises(InputError, match=needle):
        parse_script(raw)


def test_markdown_and_html_images_with_captions_and_credits(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text(
        "# Festival\n\nThe festival opened on Saturday.\n\n"
        '![A rocket on its pad](rocket.jpg "Photo: SpaceX")\n\n'
        "The rocket exhibit drew queues all weekend long.\n\n"
        '<figure><img src="sky.jpg" alt="galaxies"><figcaption>The deep field. '
        '<span class="credit">Photo: NASA</span></figcaption></figure>\n\n'
        "The planetarium showed galaxies every hour.\n\n"
        "![remote](https://example.com/x.jpg)\n", encoding="utf-8")
    art = ingest(tmp_path / "story.md")
    assert [(i.path.name, i.caption, i.credit, i.paragraph) for i in art.images] == [
        ("rocket.jpg", "A rocket on its pad", "SpaceX", 0),
        ("sky.jpg", "The deep field.", "NASA", 1)]
    assert all(i.path.is_absolute() for i in art.images)
    # the caption is not read aloud, and pictures never change the article's key
    assert not any("deep field" in p for p in art.paragraphs)
    plain = ingest("# Festival\n\nThe festival opened on Saturday.\n\n"
                   "The rocket exhibit drew queues all weekend long.\n\n"
                   "The planetarium showed galaxies every hour.\n")
    assert plain.sha256 == art.sha256


def test_extra_images_come_after_the_article_s_own(tmp_path: Path) -> None:
    extra = ArticleImage(tmp_path / "upload.jpg", "Uploaded", "Reporter")
    art = ingest("A story about a festival that opened today.", images=[extra])
    assert art.images == (extra,)


def test_a_visual_round_trips_through_json(tmp_path: Path) -> None:
    seg = Segment(0, "句子。", "A sentence.", shot="ots",
                  visual=Visual(kind="image", image=tmp_path / "a.jpg", credit="X"))
    raw = json.loads(json.dumps(to_dict(seg)))
    assert raw["visual"]["image"] == str(tmp_path / "a.jpg")


def test_a_batch_manifest_names_the_pictures(tmp_path: Path) -> None:
    from anchor.jobs.batch import read_batch

    (tmp_path / "m.csv").write_text("path,images\na.md,pics/one.jpg;pics/two.jpg\n",
                                    encoding="utf-8")
    (tmp_path / "m.jsonl").write_text('{"text": "A story.", "images": ["x.jpg"]}\n',
                                      encoding="utf-8")
    csv_item = read_batch(tmp_path / "m.csv")[0]
    assert csv_item.images == (str(tmp_path / "pics" / "one.jpg"),
                               str(tmp_path / "pics" / "two.jpg"))
    assert read_batch(tmp_path / "m.jsonl")[0].images == (str(tmp_path / "x.jpg"),)


def test_a_chinese_chart_says_its_unit_once() -> None:
    c = chart_of(["据节日组织方统计，今年游客超过4.8万人，去年为3.1万人。"], "zh")
    assert c is not None
    assert [(b.label, b.shown) for b in c.bars] == [("去年", "3.1万"), ("今年", "4.8万")]
    assert c.unit == "人" and c.title == "游客"
