"""anchor.language.text: sentences, scripts, figures and names (pure, fast)."""

from __future__ import annotations

import pytest

from anchor.language.text import (
    cjk_ratio,
    extract_figures,
    has_cjk,
    has_han,
    is_han,
    jieba,
    jieba_posseg,
    latin_names,
    parse_bool,
    split_sentences,
    to_simplified,
    to_traditional,
)

# Written for these tests in the style of a Traditional-Chinese news report.
HANT = (
    "11月11日至13日，2025中國新媒體大會在湖南長沙召開。這是一場行業聚會！\n"
    "「記者只需在後台輸入文本，系統就能驅動『數字記者』生成視頻。」項目經理何威介紹，"
    "數字人與真實記者能達到95%的相似度；目前服務已延伸至全省72個縣級融媒體中心。\n"
    "「智媒變革，何以湖南？」答案很直接。\n"
)


# ------------------------------------------------------------------ split_sentences


def test_split_traditional_chinese_with_quotes():
    assert split_sentences(HANT) == [
        "11月11日至13日，2025中國新媒體大會在湖南長沙召開。",
        "這是一場行業聚會！",
        "「記者只需在後台輸入文本，系統就能驅動『數字記者』生成視頻。」",
        "項目經理何威介紹，數字人與真實記者能達到95%的相似度；",
        "目前服務已延伸至全省72個縣級融媒體中心。",
        "「智媒變革，何以湖南？」",
        "答案很直接。",
    ]


def test_split_does_not_break_inside_a_quote():
    text = "他說：「今天很好。明天也好。」之後他走了。"
    assert split_sentences(text) == ["他說：「今天很好。明天也好。」", "之後他走了。"]


def test_split_unclosed_quote_falls_back_to_punctuation():
    # multi-paragraph quotes open 「 on each paragraph and close only on the last
    assert split_sentences("「這是引文的第一段。它沒有在這一行結束") == [
        "「這是引文的第一段。",
        "它沒有在這一行結束",
    ]


def test_split_keeps_ellipsis_inside_chinese_sentence():
    text = "參觀者與虛擬主播交流……這並非科幻電影場景。"
    assert split_sentences(text) == [text]


def test_split_newlines_always_end_a_sentence():
    assert split_sentences("湘江之畔，智媒潮湧\n\n湖湘媒體步步向「新」\n") == [
        "湘江之畔，智媒潮湧",
        "湖湘媒體步步向「新」",
    ]


def test_split_english_abbreviations_decimals_initials():
    text = (
        "Mr. Smith moved to the U.S. in 2020. The U.S. economy grew 3.5% last year. "
        'J. K. Rowling said "It\'s done." Then she left. Acme Inc. earns $3.5 billion. '
        "Dr. Li arrived at 10 a.m. on Monday. Prices rose e.g. for rice. Why? "
        "“Because,” she said, “it rained.” It ended."
    )
    assert split_sentences(text) == [
        "Mr. Smith moved to the U.S. in 2020.",
        "The U.S. economy grew 3.5% last year.",
        'J. K. Rowling said "It\'s done."',
        "Then she left.",
        "Acme Inc. earns $3.5 billion.",
        "Dr. Li arrived at 10 a.m. on Monday.",
        "Prices rose e.g. for rice.",
        "Why?",
        "“Because,” she said, “it rained.”",
        "It ended.",
    ]


def test_split_question_inside_quote_followed_by_lowercase():
    assert split_sentences("“Why?” she asked. He left.") == ["“Why?” she asked.", "He left."]


def test_split_empty_and_whitespace():
    assert split_sentences("") == []
    assert split_sentences(" \n\n ") == []


# ------------------------------------------------------------------ scripts


def test_has_cjk_and_ratio():
    assert has_cjk("湖南") and has_cjk("AI大模型")
    assert not has_cjk("Hunan Daily, 95%")
    assert not has_cjk("。，「」")  # punctuation alone is not Chinese text
    assert cjk_ratio("AI大模型") == pytest.approx(3 / 5)
    assert cjk_ratio("Hello") == 0.0
    assert cjk_ratio("2025") == 0.0
    assert cjk_ratio("湖南日報") == 1.0


def test_opencc_round_trip():
    assert to_simplified("湖南日報「數字記者」") == "湖南日报「数字记者」"
    assert to_traditional("湖南日报数字记者") == "湖南日報數字記者"
    assert to_simplified("Hunan Daily") == "Hunan Daily"
    assert to_simplified("") == ""


# ------------------------------------------------------------------ figures


def test_figures_in_chinese():
    text = (
        "數字人與真實記者1:1復刻，相似度95%，已延伸至全省72個縣級融媒體中心。"
        "2025中國新媒體大會於11月12日開幕，海外下載量超2.97億、覆蓋195個國家，"
        "「1+7+6」活動框架，上線首周10億次播放，今年8月通過備案。"
    )
    assert extract_figures(text) == (
        "1:1", "95%", "72", "2025", "11月12日", "2.97億", "195", "1+7+6", "10億", "8月",
    )


def test_figures_skip_digits_inside_names():
    assert extract_figures("AI大模型、5G+AR、H.264、Qwen2.5和COVID-19") == ()


def test_figures_in_english():
    text = (
        "The firm raised $3.5 billion, up 95 percent, on November 12, 2025; 1,234,567 users; "
        "3rd place; 12 March 2024; a score of 1:1; 3.5bn; US$2 million and 40% more in "
        "August 2025."
    )
    assert extract_figures(text) == (
        "$3.5 billion", "95 percent", "November 12, 2025", "1,234,567", "3rd",
        "12 March 2024", "1:1", "3.5bn", "US$2 million", "40%", "August 2025",
    )


def test_figures_fullwidth_and_duplicates():
    assert extract_figures("相似度９５％，又是95%。") == ("95%",)


def test_figures_keep_decimal_at_sentence_end():
    assert extract_figures("Growth was 3.5. Then 2025 came.") == ("3.5", "2025")


# ------------------------------------------------------------------ names


def test_latin_names_inside_chinese():
    text = ("AI大模型、5G+AR等技術；芒果TV國際APP；"
            "產業園推出《Trapped in the Billionaire's Golden Cage》。")
    assert latin_names(text) == (
        "AI", "5G+AR", "TV", "APP", "Trapped in the Billionaire's Golden Cage",
    )


def test_latin_names_in_english():
    text = (
        "The Hunan Daily launched AI reporters on Thursday. Officials at the Bank of China "
        "said iPhone sales rose. However, Li Wei disagreed about 5G+AR and COVID-19."
    )
    assert latin_names(text) == (
        "Hunan Daily", "AI", "Bank of China", "iPhone", "Li Wei", "5G+AR", "COVID-19",
    )


def test_latin_names_none():
    assert latin_names("湖南日報推出數字記者。") == ()
    assert latin_names("the quick brown fox.") == ()


def test_attribution_after_a_quote_stays_with_the_quote() -> None:
    text = "“现在一个人十分钟就能发出去。”浏阳市融媒体中心负责人王立说。专家同时提醒。"
    assert split_sentences(text) == [
        "“现在一个人十分钟就能发出去。”浏阳市融媒体中心负责人王立说。",
        "专家同时提醒。",
    ]
    assert split_sentences("「我們很高興。」他說。今天下雨。") == [
        "「我們很高興。」他說。",
        "今天下雨。",
    ]
    # a sentence that merely ends in 说 after an ordinary sentence is not glued
    assert split_sentences("今天下雨。他说。") == ["今天下雨。", "他说。"]


# ------------------------------------------------------------------ shared helpers


def test_han_range_covers_extensions_but_not_kana_or_punctuation() -> None:
    # unified, extension A (㐀), compatibility (豈), extension B (𠀀)
    for ch in ("中", "㐀", "豈", "\U00020000"):
        assert is_han(ch), ch
    # kana, hangul, CJK punctuation and full-width forms are not Han
    for ch in ("か", "한", "。", "，", "Ａ", "a", "1"):
        assert not is_han(ch), ch
    assert has_han("abc 中 def") and not has_han("カタカナ")


def test_parse_bool_is_the_one_yes_no_reader() -> None:
    assert parse_bool(True) is True and parse_bool(False) is False
    for word in ("1", "true", "Yes", " ON "):
        assert parse_bool(word) is True
    for word in ("0", "false", "No", "off"):
        assert parse_bool(word) is False
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert parse_bool("maybe", default=False) is False


def test_jieba_is_set_up_once_and_segments() -> None:
    assert jieba() is jieba()
    assert jieba().lcut("我们在北京") == ["我们", "在", "北京"]
    assert ("北京", "ns") in {(w.word, w.flag) for w in jieba_posseg().cut("我们在北京")}
