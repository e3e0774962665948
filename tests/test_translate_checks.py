"""anchor.translate.checks and the retry logic around it (pure: no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from anchor.core.values import Summary
from anchor.translate import clean_output, correction_prompt, translate_text
from anchor.translate.checks import check_translation, problem_weight, target_form

ZH = "湖南日报项目经理何威介绍，数字人基于真实记者1:1复刻，与真实记者能达到95%的相似度。"
EN_GOOD = (
    "He Wei, a project manager at Hunan Daily, said the digital humans are 1:1 replicas of "
    "real reporters and reach 95% similarity to them."
)


def messages(source: str, output: str, src: str = "zh", dst: str = "en") -> list[str]:
    return [str(p) for p in check_translation(source, output, src, dst)]  # type: ignore[arg-type]


def test_faithful_translation_passes():
    assert messages(ZH, EN_GOOD) == []


def test_missing_number_is_reported():
    out = EN_GOOD.replace("1:1 ", "")
    assert messages(ZH, out) == ['number "1:1" missing in en']


@pytest.mark.parametrize(
    "written",
    ["95%", "95 %", "95 percent", "95 per cent", "ninety-five percent"],
)
def test_percent_forms_are_equal(written: str):
    assert messages("相似度达到95%。", f"The similarity reaches {written}.") == []


def test_percent_in_chinese_words():
    assert messages("They reach 95% similarity.", "相似度达到百分之九十五。", "en", "zh") == []


def test_chinese_units_against_english_scale_words():
    src = "海外下载量超2.97亿，播放量10億次，覆盖195个国家。"
    good = "Downloads passed 297 million and views 1 billion, in 195 countries."
    assert messages(src, good) == []
    wrong = "Downloads passed 2.97 billion and views 10 billion, in 195 countries."
    # the same digits at the wrong scale are one problem each, saying what was written
    assert messages(src, wrong) == [
        'number "超2.97亿" has another value in en: "passed 2.97 billion"',
        'number "10億" has another value in en: "10 billion"',
    ]


def test_english_scale_words_against_chinese_units():
    src = "The deals are worth $3.5 billion, or 35 million yuan per firm."
    assert messages(src, "交易总额35亿美元，每家公司3500万元。", "en", "zh") == []
    assert messages(src, "交易总额3.5亿美元，每家公司3500万元。", "en", "zh") == [
        'number "$3.5 billion" has another value in zh: "3.5亿美元"'
    ]


def test_thousands_separators():
    assert messages("用户达1234567人。", "Users reached 1,234,567.") == []


def test_spelled_out_small_numbers_and_folds():
    src = "效率提升10倍，6家企业签约，3只猫。"
    assert messages(src, "Efficiency rose tenfold as six firms signed; three cats.") == []
    assert messages("Six firms signed.", "六家企业签约。", "en", "zh") == []


def test_dates_between_languages():
    assert messages("11月11日至13日，大会在长沙召开。",
                    "The conference was held in Changsha from November 11 to 13.") == []
    assert messages("今年8月通过备案。", "It was approved in August.") == []
    assert messages("今年8月通过备案。", "It was approved this year.") == [
        'date "8月" missing in en'
    ]
    assert messages("On Nov. 13, 2025, six firms signed.", "2025年11月13日，六家企业签约。",
                    "en", "zh") == []


def test_weekday_must_survive():
    src = "The Hunan Daily unveiled digital reporters on Thursday."
    assert messages(src, "湖南日报周四推出数字记者。", "en", "zh") == []
    assert messages(src, "湖南日报推出数字记者。", "en", "zh") == [
        'weekday "Thursday" missing in zh'
    ]
    assert messages("湖南日报星期日推出数字记者。", "Hunan Daily launched them on Sunday.") == []


def test_latin_names_must_survive_into_english():
    src = "芒果TV国际APP推出《Trapped in the Billionaire's Golden Cage》，AI与5G+AR技术。"
    out = ("Mango TV's international app launched Trapped in the Billionaire’s Golden Cage, "
           "with AI and 5G + AR technology.")
    assert messages(src, out) == []
    assert messages(src, out.replace("5G + AR", "AR")) == ['name "5G+AR" missing in en']


def test_english_names_may_be_translated_but_acronyms_stay():
    src = "The Hunan Daily uses AI and 5G to launch reporters."
    assert messages(src, "湖南日报利用AI和5G推出记者。", "en", "zh") == []
    assert messages(src, "湖南日报利用人工智能和5G推出记者。", "en", "zh") == [
        'name "AI" missing in zh'
    ]


def test_chinese_left_in_english():
    src = "目前芒果TV国际APP海外下载量超2.97亿。"
    out = "Currently the 芒果TV international APP has over 297 million downloads."
    assert messages(src, out) == ['Chinese text "芒果" left in en']


def test_chinese_output_must_be_mostly_chinese():
    src = "The Hunan Daily unveiled digital reporters."
    assert messages(src, "The Hunan Daily unveiled digital reporters.", "en", "zh") == [
        "zh translation is mostly not Chinese (0% Han)"
    ]
    # Latin names carried over do not count against the Chinese output
    assert messages("AI and 5G+AR power it.", "AI和5G+AR为其提供动力。", "en", "zh") == []


def test_empty_and_length():
    assert messages(ZH, "  ") == ["empty en translation"]
    assert messages(ZH, "Hunan Daily.") == [
        "en translation is only 0.1x the expected length",
        'number "1:1" missing in en',
        'number "95%" missing in en',
    ]
    assert messages(ZH, " ".join([EN_GOOD] * 4)) == ["en translation is 4.0x the expected length"]
    assert messages(ZH, " ".join([EN_GOOD] * 2)) == []  # wordy is not wrong


def test_problem_weight_orders_attempts():
    src = "海外下载量超2.97亿。"
    worse = check_translation(src, "下载量 2.97 billion", "zh", "en")
    better = check_translation(src, "Downloads passed 2.97 billion.", "zh", "en")
    assert problem_weight(better) < problem_weight(worse)


@pytest.mark.parametrize(
    ("item", "target", "expected"),
    [
        ("2.97億", "en", "297 million"),
        ("10亿", "en", "1 billion"),
        ("$3.5 billion", "zh", "35亿美元"),
        ("Thursday", "zh", "星期四"),
        ("周日", "en", "Sunday"),
        ("11月12日", "en", "November 12"),
        ("Nov. 12, 2025", "zh", "2025年11月12日"),
        ("95%", "en", ""),
    ],
)
def test_target_form(item: str, target: str, expected: str):
    assert target_form(item, target) == expected  # type: ignore[arg-type]


# ------------------------------------------------------------------ output cleaning


def test_clean_output_strips_labels_notes_and_wrapping_quotes():
    raw = 'Translation: "Hunan Daily launched digital reporters."\nNote: literal translation.'
    assert clean_output(raw, "en", source="湖南日报推出数字记者。") == (
        "Hunan Daily launched digital reporters."
    )


def test_clean_output_keeps_quotes_the_source_had():
    raw = "“Reporters only type text,” he said."
    assert clean_output(raw, "en", source="「記者只需輸入文本。」") == raw


def test_clean_output_makes_english_punctuation_ascii():
    assert clean_output("Changsha，Hunan：AI。", "en") == "Changsha, Hunan: AI."


# ------------------------------------------------------------------ retry logic


class Scripted:
    """A fake backend that answers from a list and records the corrections."""

    name = "scripted"

    def __init__(self, answers: list[str], steer: bool = True) -> None:
        self.answers = list(answers)
        self.corrections: list[str] = []
        self.steer = steer

    def available(self) -> bool:
        return True

    def model_name(self) -> str:
        return "fake"

    def steerable(self, source: str, target: str) -> bool:
        return self.steer

    def translate(self, text, source, target, *, title=False, example=None, previous="",
                  correction=""):  # type: ignore[no-untyped-def]
        if correction:
            self.corrections.append(correction)
        return self.answers.pop(0)


def test_retry_names_missing_items_and_keeps_the_better_attempt():
    fake = Scripted(["Downloads passed 2.97 billion.", "Downloads passed 297 million."])
    got = translate_text(fake, "海外下载量超2.97亿。", "zh", "en")  # type: ignore[arg-type]
    assert got.text == "Downloads passed 297 million."
    assert got.problems == () and got.attempts == 2
    assert '"more than 297 million" (for "超2.97亿")' in fake.corrections[0]


def test_retry_that_fails_keeps_first_attempt_and_warns():
    fake = Scripted(["Downloads passed 2.97 billion.", "Downloads went up."])
    got = translate_text(fake, "海外下载量超2.97亿。", "zh", "en")  # type: ignore[arg-type]
    assert got.text == "Downloads passed 2.97 billion."
    assert [str(p) for p in got.problems] == [
        'number "超2.97亿" has another value in en: "passed 2.97 billion"']


def test_no_retry_for_deterministic_backends():
    fake = Scripted(["Downloads passed 2.97 billion."], steer=False)
    got = translate_text(fake, "海外下载量超2.97亿。", "zh", "en")  # type: ignore[arg-type]
    assert got.attempts == 1 and fake.corrections == []


def test_correction_prompt_mentions_chinese_left_over():
    probs = check_translation("通过网信办备案。", "It passed the 备案.", "zh", "en")
    text = correction_prompt(probs, "en")
    assert "备案" in text and text.endswith("Output only the corrected translation.")


def test_translate_end_to_end_with_fake_backend(monkeypatch: pytest.MonkeyPatch):
    import anchor.translate as tr

    fake = Scripted(["Smart media: why Hunan?", "Downloads passed 297 million."])
    monkeypatch.setitem(tr._INSTANCES, "scripted", fake)  # type: ignore[arg-type]
    monkeypatch.setitem(tr.BACKENDS, "scripted", Scripted)  # type: ignore[arg-type]
    summary = Summary("zh", "「智媒」變革何以湖南？", ("海外下載量超2.97億。",), ("2.97億",), "x")
    script = tr.translate(summary, zh_variant="Hant", backend="scripted")
    assert script.title_zh == "「智媒」變革何以湖南？"  # the source's own script is kept
    assert script.title_en == "Smart media: why Hunan?"
    assert script.segments[0].zh == "海外下載量超2.97億。"
    assert script.segments[0].en == "Downloads passed 297 million."
    assert script.backend == "scripted:fake" and script.warnings == ()


# ------------------------------------------------------------------ names, figures, flags


class Recording(Scripted):
    """Scripted, and remembers what the model was given to read."""

    def __init__(self, answers: list[str]) -> None:
        super().__init__(answers)
        self.inputs: list[str] = []

    def translate(self, text, source, target, **kw):  # type: ignore[no-untyped-def,override]
        self.inputs.append(text)
        return super().translate(text, source, target, **kw)


def test_the_model_reads_names_and_figures_already_rendered():
    from anchor.language.glossary import load_glossary

    fake = Recording(["Historian Zhang Lifan's account, with more than 100,000 followers, "
                      "and 4.3 billion yuan."])
    got = translate_text(fake, "历史学者章立凡的账号拥有10万多粉丝，投资43亿元。", "zh", "en",  # type: ignore[arg-type]
                         glossary=load_glossary())
    assert fake.inputs[0] == ("历史学者 Zhang Lifan 的账号拥有more than 100,000粉丝，"
                              "投资4.3 billion yuan。")
    assert got.problems == ()


def test_a_misspelt_name_is_retried_then_flagged():
    from anchor.language.glossary import load_glossary

    fake = Scripted(["Zhang Liangfan spoke.", "Zhang Tianfan spoke."])
    got = translate_text(fake, "章立凡发言。", "zh", "en", glossary=load_glossary())  # type: ignore[arg-type]
    assert [str(p) for p in got.problems] == ['name "章立凡" should read "Zhang Lifan" in en']
    assert '"Zhang Lifan" (for "章立凡")' in fake.corrections[0]


def test_old_path_leaves_the_sentence_alone():
    from anchor.language.glossary import load_glossary

    fake = Recording(["x"] * 2)
    translate_text(fake, "投资43亿元。", "zh", "en", glossary=load_glossary(),  # type: ignore[arg-type]
                   fidelity=False)
    assert fake.inputs[0] == "投资43亿元。"


def test_failing_sentences_are_marked_for_review(monkeypatch: pytest.MonkeyPatch):
    import anchor.translate as tr

    fake = Scripted(["Views", "It got 10 billion views.", "It got 10 billion views.",
                     "It rained."])
    monkeypatch.setitem(tr._INSTANCES, "scripted", fake)  # type: ignore[arg-type]
    monkeypatch.setitem(tr.BACKENDS, "scripted", Scripted)  # type: ignore[arg-type]
    summary = Summary("zh", "播放量", ("播放量10亿次。", "下雨了。"), (), "x")
    script = tr.translate(summary, backend="scripted")
    assert script.segments[0].review and not script.segments[1].review
    assert script.flagged == (0,)
    assert script.segments[0].warnings == (
        'number "10亿" has another value in en: "10 billion"',)
    assert script.glossary and script.glossary[0].endswith("glossary.toml")


def test_mixed_sentences_are_translated_into_both_languages(monkeypatch: pytest.MonkeyPatch):
    import anchor.translate as tr

    fake = Scripted(["股市下跌", "股市今天下跌，投资者十分担心。",
                     "Stocks fell today and investors are very worried."])
    monkeypatch.setitem(tr._INSTANCES, "scripted", fake)  # type: ignore[arg-type]
    monkeypatch.setitem(tr.BACKENDS, "scripted", Scripted)  # type: ignore[arg-type]
    summary = Summary("en", "Stocks fall", ("Stocks fell today, 投资者十分担心。",), (), "x")
    script = tr.translate(summary, backend="scripted")
    seg = script.segments[0]
    assert seg.zh == "股市今天下跌，投资者十分担心。"
    assert seg.en == "Stocks fell today and investors are very worried."


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("Keep it short, in headline style.", ['the output repeats the instructions '
                                               '("Keep it short")']),
        ("Headline: Hunan launches reporters", ["the output starts with a label"]),
        ("“Hunan launches reporters”", ["the whole output is wrapped in quotes"]),
        ("Hunan launches reporters", []),
    ],
)
def test_prompt_leaks(out: str, expected: list[str]):
    from anchor.translate.checks import leak_problems

    assert [str(p) for p in leak_problems(out, "湖南推出数字记者")] == expected


@pytest.mark.parametrize(
    ("text", "lang", "mixed"),
    [
        ("他说 this is a very important step。", "zh", True),
        ("芒果TV国际APP推出AI与5G+AR技术。", "zh", False),
        ("The firm, 据报道亏损严重, closed.", "en", True),
        ("The 湖南 office opened.", "en", False),
    ],
)
def test_mixed_script(text: str, lang: str, mixed: bool):
    from anchor.translate.checks import mixed_script

    assert mixed_script(text, lang) is mixed  # type: ignore[arg-type]


def test_a_common_word_left_in_chinese_is_translated_alone_not_spelt_as_a_name():
    # the demo's "1,260 double-language Duanshipin": 短视频 is no name to spell in pinyin
    fake = Scripted(["The system made 1,260 bilingual 短视频.",
                     "The system made 1,260 bilingual 短视频.", "Short videos"])
    got = translate_text(fake, "系统共制作了1,260条双语短视频。", "zh", "en")  # type: ignore[arg-type]
    assert got.text == "The system made 1,260 bilingual short videos."
    assert got.problems and 'translated alone "短视频" as "short videos"' in str(got.problems[0])


def test_a_name_left_in_chinese_is_still_spelt_in_pinyin():
    fake = Scripted(["Historian 章立凡 spoke.", "Historian 章立凡 spoke."])
    got = translate_text(fake, "历史学者章立凡发言。", "zh", "en")  # type: ignore[arg-type]
    assert got.text == "Historian Zhang Lifan spoke."  # surname first, given name joined
    assert "romanised" in str(got.problems[0])


def test_a_headline_too_long_for_the_screen_is_asked_for_shorter_before_any_cut():
    from anchor.language.glossary import load_glossary
    from anchor.translate import shorter_headline

    def measure(t: str) -> bool:
        return len(t) <= 36

    long = "Digital reporter enters county-level integrated media centers"
    fake = Scripted(["Digital reporters reach county media"])
    short, problems = shorter_headline(fake, "数字记者走进县级融媒体中心", long, "zh", "en",  # type: ignore[arg-type]
                                       load_glossary(), measure=measure)
    assert short == "Digital reporters reach county media" and problems == ()
    assert "at most" in fake.corrections[0]
    # an answer that still does not fit, or leaks the instruction, is not taken
    for bad in ("Digital reporters enter all the county-level media centres of Hunan",
                "Output only the headline.", "Digital news wins prize"):  # too long, a leak,
        # another headline (the 1.5B once shortened "China is the third-largest economy in
        # the world" into "China's GDP surpasses that of the US")
        again, _ = shorter_headline(Scripted([bad]), "数字记者走进县级融媒体中心", long,  # type: ignore[arg-type]
                                    "zh", "en", load_glossary(), measure=measure)
        assert again == long


def test_a_headline_cut_that_loses_a_name_is_flagged(monkeypatch: pytest.MonkeyPatch):
    import anchor.translate as tr
    import anchor.translate.headline as hl

    # the measure lets 36 characters through: "... scholars visit" loses "Taiwan"
    monkeypatch.setattr(tr, "fit_headline", lambda t, names=(), measure=None:
                        hl.fit_headline(t, names, measure=lambda s: len(s) <= 36))
    monkeypatch.setattr(tr, "fits", lambda t, measure=None: len(t) <= 36)
    fake = Scripted(["Foreign lawmakers and scholars visit Taiwan to observe the election",
                     "Foreign lawmakers and scholars visit Taiwan to observe the election",
                     "They arrived."])
    monkeypatch.setitem(tr._INSTANCES, "scripted", fake)  # type: ignore[arg-type]
    monkeypatch.setitem(tr.BACKENDS, "scripted", Scripted)  # type: ignore[arg-type]
    summary = Summary("zh", "外国议员学者抵台湾实地观摩大选", ("他们抵达了。",), (), "x")
    script = tr.translate(summary, backend="scripted")
    assert "Taiwan" not in script.title_en
    assert any("台湾" in w for w in script.title_warnings) and -1 in script.flagged


def test_a_headline_cut_down_to_its_names_is_flagged(monkeypatch: pytest.MonkeyPatch):
    """"China and Papua New Guinea hold talks on a security and policing agreement" cut to
    fit left "China and Papua New Guinea": every name there, and no news."""
    import anchor.translate as tr
    import anchor.translate.headline as hl

    monkeypatch.setattr(tr, "fit_headline", lambda t, names=(), measure=None:
                        hl.fit_headline(t, names, measure=lambda s: len(s) <= 30))
    monkeypatch.setattr(tr, "fits", lambda t, measure=None: len(t) <= 30)
    long = "China and Papua New Guinea hold talks on a security and policing agreement"
    fake = Scripted([long, long, "They met."])
    monkeypatch.setitem(tr._INSTANCES, "scripted", fake)  # type: ignore[arg-type]
    monkeypatch.setitem(tr.BACKENDS, "scripted", Scripted)  # type: ignore[arg-type]
    summary = Summary("zh", "中国与巴布亚新几内亚就签署安全警务合作协议举行谈判", ("他们会面了。",),
                      (), "x")
    script = tr.translate(summary, backend="scripted")
    assert script.title_en == "China and Papua New Guinea"
    assert any("says no news" in w for w in script.title_warnings) and -1 in script.flagged


def test_single_characters_and_spelt_answers_are_not_taken_as_translations():
    # "Ma Ying-jeou and thank you Long palace" (谢 and 廷 of 谢长廷 translated one by one)
    fake = Scripted(["Ma and 谢 Chang 廷 spoke.", "Ma and 谢 Chang 廷 spoke."])
    got = translate_text(fake, "马英九和谢长廷发言。", "zh", "en")  # type: ignore[arg-type]
    assert "thank" not in got.text and fake.answers == []  # no word-alone calls
    fake = Scripted(["He is 彬彬 polite.", "He is 彬彬 polite.", "bingbing"])
    got = translate_text(fake, "他彬彬有礼。", "zh", "en")  # type: ignore[arg-type]
    assert "romanised" in str(got.problems[0])


# ------------------------------------------------------------------ invented names


def test_pinyin_split() -> None:
    from anchor.language.names import pinyin_split

    assert pinyin_split("Binbin") == ["bin", "bin"]
    assert pinyin_split("Xi'an") == ["xi", "an"]
    assert pinyin_split("Trump") is None
    assert pinyin_split("Thailand") is None


def test_a_common_word_spelt_as_a_name_is_flagged() -> None:
    """移英港人货车佬彬彬有礼 ("... is polite") came out as "... truck driver Binbin"."""
    from anchor.language.glossary import load_glossary
    from anchor.language.names import find_names
    from anchor.translate.invented import invented_names

    g = load_glossary(project=Path("/nonexistent"))
    src = "但对于香港年青人来说，货柜车司机却可以是彬彬有礼，还会礼让行人。"
    names = find_names(src, "zh", g)
    bad = invented_names(src, "For young Hong Kongers, the truck driver Binbin gives way "
                              "to pedestrians.", names, g)
    assert [p.wrote for p in bad] == ["Binbin"]
    assert "彬彬有礼" in str(bad[0]) and bad[0].item == ""
    good = invented_names(src, "For young Hong Kongers, truck drivers can be polite and "
                               "give way to pedestrians.", names, g)
    assert good == []


def test_the_sources_own_names_are_not_invented() -> None:
    from anchor.language.glossary import load_glossary
    from anchor.language.names import find_names
    from anchor.translate.invented import invented_names

    g = load_glossary(project=Path("/nonexistent"))
    src = "章立凡和张千帆在新华社的报道中被提及。"
    out = "Zhang Lifan and Zhang Qianfan were mentioned in a Xinhua News Agency report."
    assert invented_names(src, out, find_names(src, "zh", g), g) == []
    # a person the source does not have: another official put in the minister's place
    src2 = "中国外长王毅星期一在曼谷会晤泰国总理。"
    out2 = "Premier Li Keqiang met the Thai prime minister in Bangkok on Monday."
    got = invented_names(src2, out2, find_names(src2, "zh", g), g)
    assert [p.wrote for p in got] == ["Keqiang"]


def test_correction_prompt_asks_to_drop_an_invented_name() -> None:
    from anchor.translate.checks import Problem

    text = correction_prompt([Problem("name", "", "x", "Binbin")], "en")
    assert '"Binbin" is no name in the source' in text
    assert "must contain" not in text


# ------------------------------------------------------------------ affiliations

_VOTE = ("根据目前已经统计的票数来看，国民党总统参选人马英九得票已经接近740万张，"
         "遥遥领先民进党总统参选人谢长廷218多万张票。")


@pytest.mark.parametrize(
    ("out", "swapped"),
    [
        # the real output: every name there, each party on the other man
        ("According to the current tally, Ma Ying-jeou, the Democratic Progressive Party "
         "(DPP) candidate, has nearly 7.4 million votes, while Frank Hsieh, the Kuomintang "
         "(KMT) candidate, has more than 2.18 million votes.", ["马英九", "谢长廷"]),
        ("Democratic Progressive Party candidate Ma Ying-jeou leads Kuomintang candidate "
         "Frank Hsieh by more than 2.18 million votes.", ["马英九", "谢长廷"]),
        ("Kuomintang presidential candidate Ma Ying-jeou has nearly 7.4 million votes, far "
         "ahead of Democratic Progressive Party candidate Frank Hsieh.", []),
        ("Ma Ying-jeou, the Kuomintang candidate, has nearly 7.4 million votes, ahead of "
         "Frank Hsieh of the DPP.", []),
    ],
)
def test_a_swapped_party_is_flagged(out: str, swapped: list[str]) -> None:
    from anchor.language.glossary import load_glossary
    from anchor.language.names import find_names
    from anchor.translate.affiliation import affiliation_problems

    g = load_glossary(project=Path("/nonexistent"))
    got = affiliation_problems(_VOTE, out, find_names(_VOTE, "zh", g))
    assert [p.item for p in got] == swapped
    assert all(p.kind == "affiliation" and "check who is who" in str(p) for p in got)


def test_a_list_of_leaders_ties_no_one_to_the_next_country() -> None:
    """"Australia Prime Minister Anthony Albanese (Antony Albanese), and India Prime
    Minister Narendra Modi": India follows Albanese in a list, it is not his."""
    from anchor.language.glossary import load_glossary
    from anchor.language.names import find_names
    from anchor.translate.affiliation import affiliation_problems

    g = load_glossary(project=Path("/nonexistent"))
    src = ("与会领导人包括日本首相岸田文雄、澳大利亚总理安东尼·阿尔巴尼斯(Antony Albanese)"
           "和印度总理纳伦德拉·莫迪(Narendra Modi)。")
    out = ("Leaders included Japan Prime Minister Fumio Kishida, Australia Prime Minister "
           "Anthony Albanese (Antony Albanese), and India Prime Minister Narendra Modi "
           "(Narendra Modi).")
    assert affiliation_problems(src, out, find_names(src, "zh", g)) == []


def test_a_run_of_one_syllable_words_is_a_name_too() -> None:
    """荣幸 ("an honour") came out as "the Rong Xing of the United States"."""
    from anchor.language.glossary import load_glossary
    from anchor.language.names import find_names
    from anchor.translate.invented import invented_names

    g = load_glossary(project=Path("/nonexistent"))
    src = "他表示，担任美国总统是他一生的荣幸。"
    got = invented_names(src, "He said he had always been the Rong Xing of the United States.",
                         find_names(src, "zh", g), g)
    assert [p.wrote for p in got] == ["Rong Xing"]
    src2 = "中国外长王毅星期一在曼谷会晤泰国总理。"
    assert invented_names(src2, "Chinese Foreign Minister Wang Yi met the Thai prime minister.",
                          find_names(src2, "zh", g), g) == []


# ------------------------------------------------------------------ English into Chinese


def test_a_country_the_english_source_does_not_name_is_flagged() -> None:
    """"Two More Baltic Countries Quit China-Led Forum" came out as 俄罗斯和波罗的海国家…"""
    from anchor.language.glossary import load_glossary
    from anchor.translate.invented import invented_zh_names

    g = load_glossary(project=Path("/nonexistent"))
    src = "Two More Baltic Countries Quit China-Led Forum Amid Ukraine War"
    got = invented_zh_names(src, "俄罗斯和波罗的海国家退出中国主导的论坛", g)
    assert [p.wrote for p in got] == ["俄罗斯"]
    assert invented_zh_names(src, "又有两个波罗的海国家退出中国主导的论坛", g) == []
    # 国防部 inside 国防部长 ("Defense Secretary") is no body of its own
    assert invented_zh_names("Defense Secretary Austin was treated.", "国防部长奥斯汀接受了治疗。",
                             g) == []


def test_english_left_inside_chinese_is_flagged() -> None:
    got = check_translation("Two More Baltic Countries Quit China-Led Forum",
                            "波罗的海国家退出中国-led论坛", "en", "zh")
    assert [p.item for p in got if p.kind == "script"] == ["led"]
    assert "write it in Chinese" in correction_prompt(got, "zh")
    assert check_translation("The app Clubhouse uses 5G and AI.", "Clubhouse应用使用5G和AI。",
                             "en", "zh") == []


def test_a_glossary_name_opening_a_sentence_is_a_name() -> None:
    from anchor.language.glossary import load_glossary
    from anchor.language.names import find_names

    g = load_glossary(project=Path("/nonexistent"))
    names = find_names("Austin was treated for prostate cancer in late December.", "en", g)
    assert [(n.source, n.target) for n in names] == [("Austin", "奥斯汀")]
    # an opening adjective is not the entry's own name: 中国 in its place in the model's
    # input ("中国 government statistics show ...") made it invent a figure
    names = find_names("Chinese government statistics show the economy slowed.", "en", g)
    assert names == []


def test_a_pinyin_name_written_in_characters_is_kept() -> None:
    """"said Li Na" → 李娜说: the characters that spell the name are the right Chinese."""
    from anchor.language.glossary import load_glossary
    from anchor.language.names import find_names
    from anchor.translate import fact_problems

    g = load_glossary(project=Path("/nonexistent"))
    src = '"Every bottle counts," said Li Na, a retired teacher.'
    names = find_names(src, "en", g)
    assert [n.source for n in names] == ["Li Na"]  # "Every" opens the quote: no name
    assert fact_problems(src, "“每个瓶子都很重要，”退休教师李娜说。", "en", "zh", names, g) == []
    lost = fact_problems(src, "“每个瓶子都很重要，”退休教师王芳说。", "en", "zh", names, g)
    assert [p.item for p in lost] == ["Li Na"]
