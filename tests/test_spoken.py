"""Text normalisation for speech: numbers and symbols as a newsreader says them."""

from __future__ import annotations

import pytest

from anchor.language.spoken import en_number, normalize, normalize_en, normalize_zh, zh_number


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        # years: with 年 digit by digit; bare ones by context
        ("2025年中国新媒体大会在长沙举行。", "二零二五年中国新媒体大会在长沙举行。"),
        ("大会于2025举办", "大会于二零二五年举办"),
        ("到2030，", "到二零三零年，"),
        ("11月12日，2025中国新媒体大会开幕。", "十一月十二日，二零二五中国新媒体大会开幕。"),
        ("2025赛季", "二零二五赛季"),
        ("2024-2025年", "二零二四至二零二五年"),
        ("2025-03-05", "二零二五年三月五日"),
        ("共有2025人", "共有两千零二十五人"),
        ("售价2025元", "售价两千零二十五元"),
        # percentages, decimals, ratios, clock times
        ("相似度达到95%。", "相似度达到百分之九十五。"),
        ("增长95.5％", "增长百分之九十五点五"),
        ("增长5%-10%", "增长百分之五至百分之十"),
        ("下降-3%", "下降负百分之三"),
        ("增长了3.5个百分点", "增长了三点五个百分点"),
        ("比例为1:1", "比例为一比一"),
        ("比分3:2", "比分三比二"),
        ("上午10:30开会", "上午十点三十分开会"),
        ("2:05出发", "两点零五分出发"),
        ("10:00", "十点"),
        ("3/4的人", "四分之三的人"),
        # integers
        ("能说72种语言", "能说七十二种语言"),
        ("一共有1,234人", "一共有一千二百三十四人"),
        ("2个人", "两个人"),
        ("第2名", "第二名"),
        ("2000万", "两千万"),
        ("3-5年", "三至五年"),
        ("设置1+7+6框架", "设置一加七加六框架"),
        ("007号", "零零七号"),
        ("１２３人", "一百二十三人"),
        # currency and units
        ("价格是100元", "价格是一百元"),
        ("$3.5亿", "三点五亿美元"),
        ("¥100", "一百元"),
        ("HK$ 10", "十港元"),
        ("气温-5℃", "气温负五摄氏度"),
        ("面积30㎡", "面积三十平方米"),
        # Latin words keep their digits for the English phonemiser
        ("他使用了AI和GPT-4技术。", "他使用了AI和GPT-4技术。"),
        ("5G网络和H100芯片", "5G网络和H100芯片"),
        ("5G+AR技术", "5G加AR技术"),
        # quotes, dashes, symbols, spaces
        ("「数字人」能说话", "数字人能说话"),
        ("《湖南日报》报道", "湖南日报报道"),
        ("新闻——发布", "新闻，发布"),
        ("湖南 日报", "湖南日报"),
        ("新闻🎉发布#", "新闻发布"),
        ("约翰·史密斯", "约翰史密斯"),
    ],
)
def test_zh(written: str, spoken: str) -> None:
    assert normalize_zh(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Growth was 95% in 2025.", "Growth was 95 percent in 2025."),
        ("The ratio is 1:1.", "The ratio is one to one."),
        ("A 3:2 win.", "A three to two win."),
        ("At 10:30 am.", "At 10:30 am."),  # clock times are left to the backend
        ("From 5-10% and 2024-2025.", "From 5 to 10 percent and 2024 to 2025."),
        ("Open 24/7.", "Open twenty-four seven."),
        ("On 2025-03-05.", "On March 5, 2025."),
        ("It cost $3.5bn and £2m.", "It cost $3.5 billion and £2 million."),
        ("a 3.5bn deal", "a 3.5 billion deal"),
        ("HK$10 and US$3", "10 Hong Kong dollars and $3"),
        ("¥100 and RMB 5 billion", "100 yuan and 5 billion yuan"),
        ("Reporters said “hello”。They left、then came",
         "Reporters said “hello”. They left, then came"),
        ("「Smart media」 news", "Smart media news"),
        ("１２３％", "123 percent"),
        ("The 72nd event 😀 at 25°C", "The 72nd event at 25°C"),
    ],
)
def test_en(written: str, spoken: str) -> None:
    assert normalize_en(written) == spoken


@pytest.mark.parametrize(
    "already_right",
    # hibari reads these correctly: normalising them again would only risk harm
    ["It cost $3.5 billion.", "He came 1st and she came 22nd.", "In 1998, 1,250 people came.",
     "It costs $5 to go", "The 1990s were 3.14 long."],
)
def test_en_leaves_what_the_backend_reads_well(already_right: str) -> None:
    assert normalize_en(already_right) == already_right


def test_normalize_dispatches_by_language() -> None:
    assert normalize("95%", "zh") == "百分之九十五"
    assert normalize("95%", "en") == "95 percent"


@pytest.mark.parametrize(
    ("digits", "chinese"),
    [("0", "零"), ("10", "十"), ("12", "十二"), ("1005", "一千零五"), ("2000", "两千"),
     ("20000", "两万"), ("120000", "十二万"), ("3.05", "三点零五"), ("-5", "负五"),
     ("007", "零零七"), ("100000000", "一亿")],
)
def test_zh_number(digits: str, chinese: str) -> None:
    assert zh_number(digits) == chinese


@pytest.mark.parametrize(
    ("n", "words"),
    [(0, "zero"), (7, "seven"), (21, "twenty-one"), (100, "one hundred"),
     (1250, "one thousand two hundred fifty"), (2_000_000, "two million"), (-3, "minus three")],
)
def test_en_number(n: int, words: str) -> None:
    assert en_number(n) == words


@pytest.mark.parametrize("language", ["zh", "en"])
def test_plain_text_is_unchanged(language: str) -> None:
    text = "湖南日报的数字记者播报新闻。" if language == "zh" else "The reporter reads the news."
    assert normalize(text, language) == text  # type: ignore[arg-type]
