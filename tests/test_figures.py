"""anchor.language.figures: quantities by value, written the other language's way, and checked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anchor.language.figures import figure_problems, parse_figures, render, rewrite, zh_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("43亿", 4_300_000_000),
        ("5千850亿", 585_000_000_000),
        ("3万5千亿", 3_500_000_000_000),
        ("1.2万亿", 1_200_000_000_000),
        ("三千万", 30_000_000),
        ("十万", 100_000),
        ("二十六点四", Decimal("26.4")),
        ("26点4", Decimal("26.4")),
        ("3亿5千万", 350_000_000),
        ("二〇二五", 2025),
    ],
)
def test_zh_number(text: str, value: int | Decimal):
    assert zh_number(text) == value


@pytest.mark.parametrize("word", ["万", "亿", "abc"])
def test_zh_number_rejects_words(word: str):
    assert zh_number(word) is None


# text → (kind, value, unit, qualifier) of its only figure
@pytest.mark.parametrize(
    ("text", "kind", "value", "unit", "qualifier"),
    [
        ("43亿元", "amount", 4_300_000_000, "CNY", ""),
        ("3万5千亿美元", "amount", 3_500_000_000_000, "USD", ""),
        ("粉丝10万多人", "amount", 100_000, "", "more"),
        ("10多万人", "amount", 100_000, "", "more"),
        ("超过1.2万亿元", "amount", 1_200_000_000_000, "CNY", "more"),
        ("近3成", "percent", 30, "", "nearly"),
        ("约5000人", "amount", 5000, "", "about"),
        ("百分之26点4", "percent", Decimal("26.4"), "", ""),
        ("百分之二十", "percent", 20, "", ""),
        ("5000余家", "amount", 5000, "", "more"),
        ("300元左右", "amount", 300, "CNY", "about"),
        ("增长了3倍", "amount", 3, "times", ""),
        ("$2 trillion", "amount", 2_000_000_000_000, "USD", ""),
        ("13.4 billion", "amount", 13_400_000_000, "", ""),
        ("$13.4bn", "amount", 13_400_000_000, "USD", ""),
        ("US$3.5 billion", "amount", 3_500_000_000, "USD", ""),
        ("HK$200 million", "amount", 200_000_000, "HKD", ""),
        ("RMB 20 million", "amount", 20_000_000, "CNY", ""),
        ("¥300", "amount", 300, "CNY", ""),
        ("12,000 yuan", "amount", 12_000, "CNY", ""),
        ("more than 100,000 people", "amount", 100_000, "", "more"),
        ("nearly 5%", "percent", 5, "", "nearly"),
        ("about 26.4 percent", "percent", Decimal("26.4"), "", "about"),
        ("at least 300", "amount", 300, "", "least"),
        ("up to 40 per cent", "percent", 40, "", "upto"),
        ("two million", "amount", 2_000_000, "", ""),
        ("a billion", "amount", 1_000_000_000, "", ""),
        ("tenfold", "amount", 10, "times", ""),
    ],
)
def test_parse_amounts(text: str, kind: str, value: int | Decimal, unit: str, qualifier: str):
    (fig,) = parse_figures(text)
    assert (fig.kind, fig.value, fig.unit, fig.qualifier) == (kind, value, unit, qualifier)


@pytest.mark.parametrize(
    ("text", "ymd"),
    [
        ("2025年11月12日", (2025, 11, 12)),
        ("11月12日", (0, 11, 12)),
        ("今年8月", (0, 8, 0)),
        ("十二月二十六日", (0, 12, 26)),
        ("November 12, 2025", (2025, 11, 12)),
        ("Nov. 13", (0, 11, 13)),
        ("12 November 2025", (2025, 11, 12)),
        ("in 2023", (2023, 0, 0)),
        ("2024年", (2024, 0, 0)),
    ],
)
def test_parse_dates(text: str, ymd: tuple[int, int, int]):
    (fig,) = parse_figures(text)
    assert fig.kind == "date" and (fig.year, fig.month, fig.day) == ymd


@pytest.mark.parametrize(("text", "day"), [("on Thursday", 3), ("周日", 6), ("星期一", 0)])
def test_parse_weekdays(text: str, day: int):
    (fig,) = parse_figures(text)
    assert fig.kind == "weekday" and fig.value == day


@pytest.mark.parametrize("text", ["5G网络", "H.264", "COVID-19", "may be", "一些人", "千万不要"])
def test_not_figures(text: str):
    assert parse_figures(text) == []


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("43亿元", "en", "4.3 billion yuan"),
        ("10亿", "en", "1 billion"),
        ("10万多", "en", "more than 100,000"),
        ("3万5千亿美元", "en", "$3.5 trillion"),
        ("百分之26点4", "en", "26.4%"),
        ("2.97亿", "en", "297 million"),
        ("近3成", "en", "nearly 30%"),
        ("11月12日", "en", "November 12"),
        ("2025年11月12日", "en", "November 12, 2025"),
        ("周四", "en", "Thursday"),
        ("$13.4bn", "zh", "134亿美元"),
        ("5.3 billion", "zh", "53亿"),
        ("$2.4 million", "zh", "240万美元"),
        ("120,000", "zh", "12万"),
        ("more than 100,000", "zh", "超过10万"),
        ("13.4 billion yuan", "zh", "134亿元"),
        ("Nov. 13, 2025", "zh", "2025年11月13日"),
        ("Thursday", "zh", "星期四"),
    ],
)
def test_render(text: str, lang: str, expected: str):
    (fig,) = parse_figures(text)
    assert render(fig, lang) == expected


def test_rewrite_keeps_the_sentence_and_changes_only_figures():
    assert rewrite("该项目投资43亿元，粉丝10万多人。", "en") == (
        "该项目投资4.3 billion yuan，粉丝more than 100,000人。")
    assert rewrite("Revenue rose to $13.4bn on Thursday.", "zh") == (
        "Revenue rose to 134亿美元 on 星期四.")


CHECKS = [
    # (source, output, target, expected messages)
    ("投资43亿元。", "It invested 4.3 billion yuan.", "en", []),
    ("投资43亿元。", "It invested 43 billion yuan.", "en",
     ['number "43亿元" has another value in en: "43 billion yuan"']),
    ("投资43亿元。", "It invested 4.3 billion.", "en",
     ['number "43亿元" lost its currency in en (wrote "4.3 billion")']),
    ("粉丝10万多人。", "It has 100,000 followers.", "en",
     ['number "10万多" means "more than" but en wrote "100,000"']),
    ("粉丝10万多人。", "It has over 100,000 followers.", "en", []),
    ("拥有众多粉丝。", "He has millions of followers.", "en",
     ['en adds "millions", not in the source']),
    ("今年8月通过备案。", "It was approved in August 2023.", "en",
     ['date "8月" has another year in en: "August 2023"']),
    ("今年上线。", "It went online in 2023.", "en", ['en adds "2023", not in the source']),
    ("Sales were $13.4bn.", "销售额为134亿美元。", "zh", []),
    ("Sales were $13.4bn.", "销售额为13.4亿美元。", "zh",
     ['number "$13.4bn" has another value in zh: "13.4亿美元"']),
    ("Six firms signed on Thursday.", "六家企业周四签约。", "en" and "zh", []),
    ("The score was 3:2.", "比分为3比2。", "zh", []),
    ("相似度达到百分之九十五。", "The similarity reached 95%.", "en", []),
    ("3万5千亿美元", "$3.5 trillion", "en", []),
    ("比估计超出1%以上。", "It beat the estimate by more than 1%.", "en", []),
    ("比估计超出1%以上。", "It beat the estimate by 1%.", "en",
     ['number "超出1%以上" means "more than" but en wrote "1%"']),
]


@pytest.mark.parametrize(("source", "output", "target", "expected"), CHECKS)
def test_figure_problems(source: str, output: str, target: str, expected: list[str]):
    assert [p.message for p in figure_problems(source, output, target)] == expected


def test_words_that_start_like_months_are_not_dates():
    assert parse_figures("a decade-old mechanism") == []
    assert rewrite("a decade-old mechanism", "zh") == "a decade-old mechanism"
    (fig,) = parse_figures("the 46th president")
    assert fig.value == 46


def test_line_numbers_are_not_days():
    (fig,) = parse_figures("长沙地铁6号线")
    assert fig.kind == "amount" and fig.value == 6
    (day,) = parse_figures("26号开幕")
    assert day.kind == "date" and day.day == 26


def test_an_english_day_range_keeps_its_last_day():
    # 11月11日至13日 → "November 11-13": the 13th is there, not missing
    src = "11月11日至13日，大会在长沙召开。"
    for out in ("From November 11-13, the conference met in Changsha.",
                "From November 11 to 13, the conference met in Changsha."):
        assert figure_problems(src, out, "en") == [], out
    assert figure_problems("11月11日，大会召开。", "On November 11-13, it met.", "en")
    # "November 11 and 12 people" is a date and a count, not a range
    assert [f.kind for f in parse_figures("On November 11 and 12 people came")] == [
        "date", "amount"]


def test_may_in_a_title_case_headline_is_the_verb():
    # "China May Be Facing Economic Slowdown" came out as 中国5月将面临经济放缓
    assert parse_figures("China May Be Facing Economic Slowdown") == []
    assert [f.month for f in parse_figures("Talks resume in May")] == [5]
    assert [f.day for f in parse_figures("On May 4 they met")] == [4]


def test_a_magnitude_without_a_figure_must_survive() -> None:
    """数十个组织 → "Several organizations" lost "dozens" (read in the VOA report)."""
    from anchor.language.figures import figure_problems, magnitude_words

    lost = figure_problems("数十个非政府组织发表声明。",
                           "Several non-governmental organizations issued a statement.", "en")
    assert [p.item for p in lost] == ["数十"] and "magnitude" in lost[0].message
    assert not figure_problems("数十个非政府组织发表声明。",
                               "Dozens of non-governmental organizations issued a statement.",
                               "en")
    assert not figure_problems("几十年来首次。", "The first time in decades.", "en")
    assert not figure_problems("数百万人观看。", "Millions of people watched.", "en")
    assert figure_problems("Dozens of groups signed.", "一些团体签名。", "zh")
    assert not figure_problems("Dozens of groups signed.", "几十个团体签名。", "zh")
    assert magnitude_words("数百万", "en") == "millions of"
    assert magnitude_words("hundreds of millions of", "zh") == "数亿"
    assert magnitude_words("hundreds of", "zh") == "数百"
    assert magnitude_words("3亿", "en") == ""
