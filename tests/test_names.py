"""anchor.language.names and .glossary: names found, rendered the same way every time."""

from __future__ import annotations

from pathlib import Path

import pytest

from anchor.core.errors import ConfigError, InputError
from anchor.language.glossary import Glossary, add_term, load_glossary
from anchor.language.names import find_names, person_pinyin, place_pinyin


@pytest.fixture(scope="module")
def base() -> Glossary:
    return load_glossary(project=Path("/nonexistent"))


@pytest.mark.parametrize(
    ("name", "pinyin"),
    [
        ("章立凡", "Zhang Lifan"),
        ("张千帆", "Zhang Qianfan"),
        ("单田芳", "Shan Tianfang"),
        ("曾国藩", "Zeng Guofan"),
        ("欧阳娜娜", "Ouyang Nana"),
        ("区家麟", "Ou Jialin"),
        ("吕欣", "Lyu Xin"),
        ("何威", "He Wei"),
    ],
)
def test_person_pinyin_surname_first_with_surname_readings(name: str, pinyin: str):
    assert person_pinyin(name) == pinyin


@pytest.mark.parametrize(
    ("place", "english"),
    [("马栏山", "Malanshan"), ("浏阳市", "Liuyang"), ("湘潭县", "Xiangtan County"),
     ("西安", "Xi'an"), ("橘子洲", "Juzizhou")],
)
def test_place_pinyin_translates_the_feature_word(place: str, english: str):
    assert place_pinyin(place) == english


def render(text: str, glossary: Glossary, lang: str = "zh") -> dict[str, str]:
    return {n.source: n.target for n in find_names(text, lang, glossary)}


def test_names_of_a_real_sentence(base: Glossary):
    got = render("历史学者章立凡和北京大学法学教授张千帆的微博账号同时遭到封杀。", base)
    assert got == {"章立凡": "Zhang Lifan", "北京大学": "Peking University",
                   "张千帆": "Zhang Qianfan", "微博": "Weibo"}


def test_places_from_the_base_glossary_with_their_feature_word(base: Glossary):
    got = render("马栏山位于长沙市，湘江东岸，浏阳市的烟花闻名全国。", base)
    assert got == {"马栏山": "Malanshan", "长沙市": "Changsha", "湘江": "Xiang River",
                   "浏阳市": "Liuyang"}
    assert render("海关总署周四公布数据。", base) == {
        "海关总署": "General Administration of Customs"}
    assert render("他用粤语主持节目。", base) == {"粤语": "Cantonese"}


def test_english_names_from_the_glossary_else_kept(base: Glossary):
    got = render("The Hunan Daily met Riverside City Library staff.", base, "en")
    assert got == {"Hunan Daily": "湖南日报", "Riverside City Library": "Riverside City Library"}


def test_newsroom_layers_override_the_base(tmp_path: Path):
    (tmp_path / "glossary.toml").write_text('[names]\n"湘江" = "Xiangjiang River"\n', "utf-8")
    extra = tmp_path / "desk.toml"
    extra.write_text('[names]\n"章立凡" = "Zhang Li-fan"\n', "utf-8")
    g = load_glossary(extra=extra, project=tmp_path)
    assert g.en("湘江") == ("Xiangjiang River", "project")
    assert g.en("章立凡") == ("Zhang Li-fan", "newsroom")
    assert g.en("北京大学") == ("Peking University", "base")
    assert len(g.files) == 3 and g.fingerprint
    assert render("章立凡说。", g) == {"章立凡": "Zhang Li-fan"}


def test_brand_glossary_is_a_layer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import anchor.assets.brands

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "glossary.toml").write_text('[names]\n"何威" = "Ho Wai"\n', "utf-8")
    monkeypatch.setattr(anchor.assets.brands, "brands_dir", lambda: tmp_path)
    g = load_glossary("news", project=tmp_path / "none")
    assert g.en("何威") == ("Ho Wai", "brand")


def test_bad_glossaries_say_what_to_write(tmp_path: Path):
    bad = tmp_path / "g.toml"
    bad.write_text("[names\n", "utf-8")
    with pytest.raises(ConfigError):
        load_glossary(extra=bad, project=tmp_path)
    bad.write_text('[names]\n"x" = 3\n', "utf-8")
    with pytest.raises(ConfigError, match="map Chinese text"):
        load_glossary(extra=bad, project=tmp_path)
    with pytest.raises(InputError, match="not found"):
        load_glossary(extra=tmp_path / "missing.toml", project=tmp_path)


def test_add_term_writes_a_loadable_file(tmp_path: Path):
    path = tmp_path / "glossary.toml"
    add_term(path, "言论空间", "room for free speech")
    add_term(path, "章立凡", "Zhang Lifan")
    add_term(path, "言论空间", "space for speech")
    g = load_glossary(project=tmp_path)
    assert g.en("言论空间") == ("space for speech", "project")
    assert g.en("章立凡") == ("Zhang Lifan", "project")
    with pytest.raises(InputError):
        add_term(path, 'a"b', "x")


def test_glossary_alternates_are_accepted_but_one_is_written(base: Glossary):
    from anchor.translate.checks import name_problems

    (n,) = find_names("美国表示反对。", "zh", base)
    assert (n.target, n.also) == ("the United States", ("US", "U.S.", "America", "American"))
    assert name_problems([n], "The US objected.", "en") == []
    assert name_problems([n], "Washington objected.", "en") != []
    assert base.zh("U.S.") == ("美国", "base")


def test_taiwan_and_hong_kong_people_are_not_forced_into_pinyin(base: Glossary):
    from anchor.translate.checks import name_problems

    got = {n.source: (n.target, n.origin) for n in find_names(
        "国民党参选人马英九领先民进党参选人王大明，当选中华民国总统。", "zh", base)}
    assert got["马英九"] == ("Ma Ying-jeou", "base")
    assert got["中华民国"] == ("Republic of China", "base")
    assert got["王大明"] == ("Wang Daming", "unsure")
    (p,) = name_problems([n for n in find_names("台湾的王大明说。", "zh", base)
                          if n.source == "王大明"], "Wang Ta-ming said.", "en")
    assert "has no glossary spelling" in str(p)


def test_everyday_words_and_foreign_places_are_not_forced_into_pinyin(base: Glossary):
    # jieba tags 毛巾 ("towel") as a name and 南太平洋-like transliterations as places
    assert render("肩膀上挂上一卷湿毛巾。", base) == {}
    assert render("他访问了瓦努阿图和斐济。", base) == {}
    assert render("长沙理工大学的学生。", base).get("长沙理工大学") is None
    assert render("湖南大学的学生。", base) == {"湖南大学": "Hunan University"}


def test_a_glossary_place_takes_only_an_administrative_feature_word(base: Glossary):
    assert render("这个南太平洋岛国正在谈判。", base) == {"南太平洋": "South Pacific"}
    assert render("湖南省的长沙市。", base) == {"湖南省": "Hunan Province", "长沙市": "Changsha"}


def test_names_jieba_tags_nrfg_are_people_too(base: Glossary):
    assert render("总理李强会见了他。", base) == {"李强": "Li Qiang"}


def test_foreign_names_in_characters_are_left_to_the_glossary(base: Glossary):
    got = render("与会领导人包括日本首相岸田文雄、澳大利亚总理安东尼·阿尔巴尼斯。", base)
    assert got.get("岸田文雄") == "Fumio Kishida"
    assert "安东尼" not in got and "田文雄" not in got
    assert render("Secretary Lloyd Austin's trip.", base, "en") == {
        "Secretary Lloyd Austin": "Secretary Lloyd Austin"}


def test_a_measure_word_is_no_surname(base: Glossary):
    assert render("这套系统由一张真人照片驱动虚拟主播。", base) == {}


def test_only_name_like_words_count_as_names():
    from anchor.language.names import looks_like_name

    for name in ("章立凡", "李强", "浏阳", "马栏山"):
        assert looks_like_name(name), name
    # common nouns, including ones jieba does not know (短视频) or tags nz (双语)
    for word in ("短视频", "备案", "双语", "毛巾", "言论"):
        assert not looks_like_name(word), word


def test_a_title_case_headline_is_not_one_long_name():
    from anchor.language.glossary import load_glossary
    from anchor.language.names import title_names

    g = load_glossary()
    body = ["The Pentagon is now releasing details of Lloyd Austin's hospitalization."]
    assert title_names("China May Be Facing Economic Slowdown", "en", g, body) == []
    got = [n.source for n in title_names("Pentagon: Austin Treated for Prostate Cancer", "en",
                                         g, body)]
    assert got == ["Pentagon"]
    # a headline in sentence case keeps its capitalised names
    assert [n.source for n in title_names("Lloyd Austin treated in hospital", "en", g)] == [
        "Lloyd Austin"]


# ------------------------------------------------------------------ country pairs


@pytest.mark.parametrize(
    ("text", "source", "target"),
    [
        ("中泰高铁拖延已久", "中泰", "China-Thailand"),
        ("中美关系紧张", "中美", "China-US"),
        ("俄乌战争进入第三年", "俄乌", "Russia-Ukraine"),
        ("美日韩三国外长会晤", "美日韩", "US, Japan and South Korea"),
    ],
)
def test_country_pairs_are_names_with_parts(base: Glossary, text: str, source: str,
                                            target: str) -> None:
    pair = next(n for n in find_names(text, "zh", base) if n.source == source)
    assert pair.target == target
    assert len(pair.parts) == len(source)


@pytest.mark.parametrize(
    ("text", "not_a_pair"),
    [
        ("其中美国最多", "中美"),  # 其中 + 美国
        ("在比赛中美国队获胜", "中美"),
        ("生产过程中印刷了说明", "中印"),  # 中 + 印刷
        ("中美洲国家", "中美"),  # Central America, from the glossary
        ("中英文新闻", "中英"),  # Chinese and English
        ("新中国成立七十周年", "新中"),  # "New China", no Singapore in it
        ("中老年人的健康", "中老"),  # middle-aged and elderly, no Laos
    ],
)
def test_characters_that_only_look_like_a_pair(base: Glossary, text: str,
                                               not_a_pair: str) -> None:
    assert all(n.source != not_a_pair for n in find_names(text, "zh", base))


def test_a_pair_is_checked_part_by_part(base: Glossary) -> None:
    from anchor.translate.checks import name_problems

    names = [n for n in find_names("中泰高铁拖延已久", "zh", base) if n.source == "中泰"]
    for ok in ("The China-Thailand railway", "The Sino-Thai railway",
               "The railway between Thailand and China"):
        assert name_problems(names, ok, "en") == [], ok
    wrong = name_problems(names, "The Chinese-Taiwan railway", "en")
    assert [p.item for p in wrong] == ["中泰"]


@pytest.mark.parametrize(
    ("text", "person", "found"),
    [
        ("担任美国总统是他一生的荣幸。", "荣幸", False),  # "an honour", tagged nr by jieba
        ("他很敬佩这位老人。", "敬佩", False),
        ("特斯拉首席执行官马斯克访问中国，并受总理李强的接见。", "李强", True),  # a role before
        ("李强说，经济正在恢复。", "李强", True),  # a verb of speech after
        ("北京人权律师余文生和妻子许艳被羁押。", "许艳", True),  # not a dictionary word
    ],
)
def test_a_dictionary_word_is_a_person_only_in_a_persons_place(
        base: Glossary, text: str, person: str, found: bool) -> None:
    assert any(n.source == person for n in find_names(text, "zh", base)) is found
