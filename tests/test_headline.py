"""anchor.translate.headline: short enough for the lower third, never cut inside a name or word."""

from __future__ import annotations

from anchor.translate.headline import fit_headline


def chars(limit: int):  # a measure by length, so the tests need no font
    return lambda t: len(t) <= limit


def test_a_headline_that_fits_is_kept_without_closing_punctuation():
    assert fit_headline("Library opens digital archive.", measure=chars(40)) == (
        "Library opens digital archive")


def test_cut_at_a_clause_break_first():
    text = "Hunan Daily launches digital reporters, who read the news in two languages"
    assert fit_headline(text, measure=chars(45)) == "Hunan Daily launches digital reporters"


def test_never_inside_a_name_or_a_word():
    text = "Censors close accounts of historian Zhang Lifan and law professor Zhang Qianfan"
    got = fit_headline(text, names=["Zhang Lifan", "Zhang Qianfan"], measure=chars(70))
    assert got == "Censors close accounts of historian Zhang Lifan and law professor"
    assert text.startswith(got) and not got.endswith(("Zhang", "Zhang Qian"))


def test_chinese_cut_between_words_not_inside_a_name():
    text = "历史学者章立凡和北京大学法学教授张千帆的微博账号同时遭到封杀"
    got = fit_headline(text, names=["章立凡", "张千帆", "北京大学"], measure=chars(18))
    assert len(got) <= 18 and text.startswith(got)
    assert not got.endswith(("张", "张千", "北京", "章立"))


def test_measured_in_the_layout_font_when_present():
    from anchor.translate.headline import headline_measure

    fit = headline_measure()
    assert fit("长沙地铁六号线开通")
    assert not fit("长" * 200)


def test_a_cut_headline_does_not_end_on_a_small_word():
    text = "China urges faster progress in billion-dollar railway link to Thailand"
    got = fit_headline(text, measure=chars(34))
    assert got == "China urges faster progress"


def test_never_inside_a_run_of_capitalised_words_it_was_not_told_about():
    """The shared sample's headline once came out "November 12, 2025, the China New":
    an English name the name finder does not know is still not cut."""
    text = "November 12, 2025, the China New Media Conference opened in Changsha, Hunan"
    got = fit_headline(text, measure=chars(36))  # "…, the China New" would fit
    assert text.startswith(got) and len(got) <= 36
    assert got == "November 12, 2025", got


def test_headline_from_a_sentence_drops_the_opening_date_and_attribution():
    from anchor.translate.headline import headline_from_sentence

    assert headline_from_sentence("11月11日至13日，2025中國新媒體大會在湖南長沙召開。") == \
        "2025中國新媒體大會在湖南長沙召開"
    assert headline_from_sentence("据介绍，这套系统由一张真人照片驱动虚拟主播，自动完成摘要。") == \
        "这套系统由一张真人照片驱动虚拟主播"
    assert headline_from_sentence("On Wednesday, Taiwan launched its own exercises.") == \
        "Taiwan launched its own exercises"
    assert headline_from_sentence("According to the report, China grew 5 percent.") == \
        "China grew 5 percent"


def test_datelines_and_captions_are_recognised():
    from anchor.translate.headline import is_dateline

    assert is_dateline("11月12日，2025中國新媒體大會在湖南長沙開幕。")
    assert is_dateline("November 12, 2025")
    assert not is_dateline("「智媒」變革何以湖南？")
    assert not is_dateline("2025中国新媒体大会在长沙召开")


def test_an_english_headline_is_written_shorter_before_it_is_cut():
    def fit(t: str) -> bool:
        return len(t) <= 36

    # the demo's headline was cut to "Digital reporter enters county-level"
    assert fit_headline("Digital reporter enters county-level media center", measure=fit) == \
        "Digital reporter enters media center"
    assert fit_headline("The 2025 China New Media Conference will be held in Changsha, Hunan "
                        "Province.", measure=fit) == "2025 China New Media Conference"
    # nothing is taken out of a name
    assert fit_headline("The Hague court hears the case of the year today", ["The Hague"],
                        measure=fit).startswith("The Hague")


def test_a_head_of_names_and_little_words_says_nothing():
    from anchor.translate.headline import says_nothing

    names = ["China", "Papua New Guinea", "中国", "巴布亚新几内亚"]
    assert says_nothing("China and Papua New Guinea", names)
    assert says_nothing("中国与巴布亚新几内亚", names)
    assert not says_nothing("China and Papua New Guinea hold talks", names)
    assert not says_nothing("Musk visits China", ["Musk", "China"])
