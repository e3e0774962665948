"""Key figures of the script as cards: which figure, what label, when."""

from __future__ import annotations

import pytest

from anchor.compose.figure_cards import MIN_CARD_MS, figure_card, figure_cards, split_figure
from anchor.core.values import Cue, Span

SPAN = Span(1000, 5000, "")


@pytest.mark.parametrize(
    ("text", "figure", "unit", "label", "percent"),
    [
        ("11月12日，湖南省72个县级融媒体中心同时启用“数字记者”系统。",
         "72", "个", "县级融媒体中心", None),
        ("试运行期间，系统共制作了1,260条双语短视频，比人工剪辑节省约85%的时间。",
         "85%", "", "比人工剪辑节省时间", 85.0),
        ("报社表示，数字主播与真人的相似度达到95%。", "95%", "", "相似度", 95.0),
        ("全省GDP增长3.5%。", "3.5%", "", "全省GDP增长", 3.5),
        ("共清除约12吨垃圾。", "12", "吨", "垃圾", None),
        ("11月12日，系统正式上线。", "11月12日", "", "系统正式上线", None),
    ],
)
def test_chinese_figures_and_labels(text: str, figure: str, unit: str, label: str,
                                    percent: float | None) -> None:
    card = figure_card(text, SPAN, "zh")
    assert card is not None
    assert (card.figure, card.unit, card.label, card.percent) == (figure, unit, label, percent)
    assert (card.start_ms, card.end_ms) == (1000, 5000)


@pytest.mark.parametrize(
    ("text", "figure", "unit", "label"),
    [
        ("On November 12, 72 county-level media centres switched on the system.",
         "72", "", "county-level media centres"),
        ("The paper says the likeness reaches 95 percent.", "95%", "", "likeness"),
        ("Plastic bottles made up 62% of the total.", "62%", "", "Plastic bottles"),
        ("More than 3,400 volunteers cleared the riverbank, removing about 12 tonnes of "
         "waste.", "3,400", "", "volunteers"),
        ("The firm raised $3.5 billion from investors.", "$3.5", "billion", "firm raised"),
        ("The city will add 200 recycling stations by June 2026.", "200", "",
         "recycling stations"),
    ],
)
def test_english_figures_and_labels(text: str, figure: str, unit: str, label: str) -> None:
    card = figure_card(text, SPAN, "en")
    assert card is not None
    assert (card.figure, card.unit, card.label) == (figure, unit, label)


def test_no_card_without_a_figure_for_a_bare_year_or_a_short_sentence() -> None:
    assert figure_card("专家提醒，内容仍需人工审核。", SPAN, "zh") is None
    assert figure_card("到2026年底，全省都将接入这一系统。", SPAN, "zh") is None
    assert figure_card("The ratio was 1:1 in the final.", SPAN, "en") is None
    short = Span(0, MIN_CARD_MS - 1, "")
    assert figure_card("相似度达到95%。", short, "zh") is None


def test_at_most_one_card_per_sentence_on_its_span() -> None:
    texts = ("相似度达到95%，共有72个中心。", "没有数字。", "节省约85%的时间。")
    spans = (Span(0, 3000, ""), Span(3000, 6000, ""), Span(6000, 9000, ""))
    cards = figure_cards(texts, spans, "zh")
    assert [c.figure for c in cards] == ["95%", "85%"]  # the percentage wins: it has a chart
    assert [(c.start_ms, c.end_ms) for c in cards] == [(0, 3000), (6000, 9000)]


def test_split_figure() -> None:
    assert split_figure("$3.5") == ("$", 3.5, "")
    assert split_figure("1,260") == ("", 1260.0, "")
    assert split_figure("95%") == ("", 95.0, "%")
    assert split_figure("11月12日") == ("", 11.0, "月12日")


def test_a_card_comes_up_with_the_caption_that_shows_its_number() -> None:
    text = "试运行期间，系统共制作了1,260条双语短视频，比人工剪辑节省约85%的时间。"
    span = Span(10000, 19000, text)
    cues = (Cue(10000, 15000, ("试运行期间", "系统共制作了1,260条双语短视频")),
            Cue(15000, 19000, ("比人工剪辑节省约85%的时间",)))
    (card,) = figure_cards((text,), (span,), "zh", cues)
    assert (card.figure, card.start_ms, card.end_ms) == ("85%", 15000, 19000)
    # late in a long sentence: still up for MIN_CARD_MS
    late = (Cue(10000, 18500, ("试运行期间",)), Cue(18500, 19000, ("节省约85%",)))
    (card,) = figure_cards((text,), (span,), "zh", late)
    assert card.start_ms == 19000 - MIN_CARD_MS
    # no caption carries it: the whole sentence
    (card,) = figure_cards((text,), (span,), "zh", (Cue(10000, 19000, ("别的",)),))
    assert card.start_ms == 10000
