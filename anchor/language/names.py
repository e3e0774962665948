"""Proper names of a sentence and how each is written in the other language.

A small model spells the same person three ways in three sentences (章立凡 →
"Zhang Liangfan", 张千帆 → "Zhang Kuanfang", "Zhang Tianfan") and turns places into
descriptions (马栏山 → "Ma'an Mountain"). Names are therefore rendered here, the
same way every time, and given to the model as fixed terms:

1. the glossary (the newsroom's, over the base one shipped with Anchor);
2. a Chinese personal name: pinyin, surname first, the given name joined, with the
   surname's own reading (单 Shan, 曾 Zeng, 区 Ou): 章立凡 → Zhang Lifan;
3. an unknown place: pinyin with its feature word translated (浏阳市 → Liuyang,
   湘潭县 → Xiangtan County, 马栏山 → Malanshan);
4. English → Chinese: the glossary, else the name stays in Latin letters.

Chinese names are found by jieba's part-of-speech tags (nr person, ns place, nt
organisation, nz other proper noun) plus the glossary; English names are the
capitalised spans of ``anchor.language.text.latin_names``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from .glossary import Glossary
from .text import HAN, has_cjk, is_han, jieba, jieba_posseg, latin_names, word_spans

__all__ = ["Name", "find_names", "glossary_kind", "is_person_here", "looks_like_name",
           "person_pinyin", "pinyin_split", "pinyin_word", "place_pinyin", "render_name",
           "spelt_in", "spelt_in_chinese", "title_names"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Name:
    """A name of the source and its fixed rendering in the target language."""

    source: str  # as written in the source
    target: str  # as it must appear in the translation
    kind: str  # "person", "place", "org", "other"
    origin: str  # "base", "brand", "project", "newsroom", "pinyin", "kept"
    also: tuple[str, ...] = ()  # other accepted spellings ("US" for "the United States")
    # a pair or list of countries (中泰 "China-Thailand"): each part must be named, by any
    # of its words, in any order ("Sino-Thai", "between Thailand and China")
    parts: tuple[tuple[str, ...], ...] = ()


# Surnames whose reading as a surname differs from the character's usual one, and
# the compound surnames; every other surname reads as its character does.
_SURNAME_READING = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha",
    "区": "ou", "乐": "yue", "覃": "qin", "翟": "zhai", "盖": "ge", "尉": "yu", "缪": "miao",
    "燕": "yan", "召": "shao", "华": "hua", "任": "ren", "纪": "ji", "种": "chong",
    "长孙": "zhangsun", "尉迟": "yuchi", "万俟": "moqi", "欧阳": "ouyang", "司马": "sima",
    "上官": "shangguan", "诸葛": "zhuge", "东方": "dongfang", "皇甫": "huangfu",
    "令狐": "linghu", "慕容": "murong", "夏侯": "xiahou", "司徒": "situ", "公孙": "gongsun",
    "宇文": "yuwen", "端木": "duanmu", "澹台": "tantai", "轩辕": "xuanyuan", "单于": "chanyu",
    "柏": "bai", "秘": "bi", "繁": "po", "员": "yun", "宓": "fu", "谌": "chen", "应": "ying",
    "重": "chong", "沈": "shen", "石": "shi", "薄": "bo", "相": "xiang", "都": "du",
}
# Common single-character surnames (the ~200 that cover nearly everyone): a person
# tag on a word starting with anything else is more likely a mis-tag.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝区乐郁蔺"
)
_COMPOUND_SURNAMES = {k for k in _SURNAME_READING if len(k) == 2}

# Feature words of place names: the English word, and where it goes.
_PLACE_FEATURES = (
    ("自治州", " Autonomous Prefecture"), ("自治县", " Autonomous County"),
    ("特别行政区", " Special Administrative Region"), ("开发区", " Development Zone"),
    ("新区", " New Area"), ("高新区", " High-tech Zone"),
    ("省", " Province"), ("市", ""), ("县", " County"), ("区", " District"), ("镇", " Town"),
    ("乡", " Township"), ("村", " Village"), ("街道", " Subdistrict"), ("江", " River"),
    ("河", " River"), ("湖", " Lake"), ("岛", " Island"), ("湾", " Bay"), ("峡", " Gorge"),
    ("路", " Road"), ("街", " Street"), ("桥", " Bridge"), ("港", " Port"), ("机场", " Airport"),
)
_NUMERAL_BEFORE = set("一二两三四五六七八九十百千几数每这那某整半0123456789")
_ADMIN_FEATURES = ("自治州", "自治县", "省", "市", "县", "区", "镇", "乡", "村")
_ORG_FEATURES = (
    ("大学", " University"), ("学院", " College"), ("医院", " Hospital"), ("银行", " Bank"),
    ("集团", " Group"), ("公司", " Company"), ("日报", " Daily"), ("研究院", " Research Institute"),
    ("研究所", " Institute"), ("博物馆", " Museum"), ("法院", " Court"),
)


# Countries written with one character in pairs and lists: 中泰高铁 "the China-Thailand
# railway", 美日韩, 俄乌战争, with the words that name each in English. Characters that
# are mostly something else are left out (以 Israel is "by", 加 Canada "add", 巴 Pakistan
# or Brazil, 新 Singapore "new": 新中国; 老 Laos "old": 中老年), so 以巴黎为例 is no pair;
# the glossary has the few pairs with those (中新社, 中老铁路).
_COUNTRY_ABBR = {
    "中": ("China", "Chinese", "Sino", "Beijing"),
    "美": ("US", "U.S.", "United States", "America", "American", "Washington"),
    "日": ("Japan", "Japanese", "Tokyo"),
    "韩": ("South Korea", "Korea", "Korean", "Seoul"),
    "朝": ("North Korea", "North Korean", "Pyongyang", "DPRK"),
    "俄": ("Russia", "Russian", "Moscow", "Kremlin"),
    "乌": ("Ukraine", "Ukrainian", "Kyiv", "Kiev"),
    "英": ("Britain", "British", "UK", "U.K.", "United Kingdom", "London", "England"),
    "法": ("France", "French", "Paris"),
    "德": ("Germany", "German", "Berlin"),
    "泰": ("Thailand", "Thai", "Bangkok"),
    "越": ("Vietnam", "Vietnamese", "Hanoi"),
    "印": ("India", "Indian", "New Delhi"),
    "澳": ("Australia", "Australian", "Canberra"),
    "欧": ("Europe", "European", "EU", "Brussels"),
    "非": ("Africa", "African"),
    "台": ("Taiwan", "Taiwanese", "Taipei"),
    "菲": ("Philippines", "Philippine", "Filipino", "Manila"),
    "缅": ("Myanmar", "Burma", "Burmese"),
    "蒙": ("Mongolia", "Mongolian", "Ulaanbaatar"),
}
_PAIR_RE = re.compile(f"[{''.join(_COUNTRY_ABBR)}]{{2,3}}")


def _country_pairs(text: str, rest: str) -> list[tuple[int, Name]]:
    """The country pairs and lists of ``text`` (中泰, 美日韩) where ``rest`` still has
    them (the glossary's longer terms, 中美洲 "Central America", are masked there) and
    jieba reads them as such: a word over one edge but not over the pair (其中 + 美国,
    中 + 印刷) means the characters are no pair."""
    out: list[tuple[int, Name]] = []
    spans: list[tuple[int, int]] | None = None
    for m in _PAIR_RE.finditer(rest):
        chars = m.group(0)
        if len(set(chars)) != len(chars):
            continue
        if spans is None:
            spans = word_spans(text)
        a, b = m.span()
        if any(x < a < y or x < b < y for x, y in spans if not (x <= a and y >= b)):
            continue
        parts = tuple(_COUNTRY_ABBR[c] for c in chars)
        first = [p[0] for p in parts]
        target = "-".join(first) if len(first) == 2 else f"{first[0]}, {first[1]} and {first[2]}"
        out.append((a, Name(chars, target, "place", "abbreviation", parts=parts)))
    return out


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return [s for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=False) if s.strip()]


def _join(syllables: list[str]) -> str:
    """Syllables written as one pinyin word: an apostrophe before a, e, o (Xi'an)."""
    out = ""
    for i, syl in enumerate(syllables):
        # 吕 → Lyu, 女 → nyu: the spelling of passports, readable without ü
        syl = syl.replace("v", "yu") if syl in ("lv", "nv") else syl.replace("ve", "yue")
        out += ("'" if i and syl[:1] in "aeo" else "") + syl
    return out.capitalize()


def pinyin_word(text: str) -> str:
    """Chinese ``text`` spelt as one capitalised pinyin word: 备案 → "Bei'an"."""
    return _join(_syllables(text))


@cache
def _pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable with a vowel (pypinyin's table, ü as v)."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for readings in pinyin_dict.values():
        for p in readings.split(","):
            s = to_normal(p).replace("ü", "v")
            if re.search("[aeiouv]", s):
                out.add(s)
    return frozenset(out)


def pinyin_split(word: str) -> list[str] | None:
    """``word`` as pinyin syllables, the fewest that spell it, or None when it is not
    pinyin: "Binbin" → ["bin", "bin"], "Xi'an" → ["xi", "an"], "Trump" → None."""
    syl = _pinyin_syllables()
    parts: list[str] = []
    for chunk in re.split(r"['’]", word.lower()):
        best: list[list[str] | None] = [[]] + [None] * len(chunk)
        for end in range(1, len(chunk) + 1):
            for start in range(max(0, end - 6), end):
                prev = best[start]
                if (
                    prev is not None
                    and chunk[start:end] in syl
                    and (best[end] is None or len(prev) + 1 < len(best[end] or []))
                ):
                    best[end] = [*prev, chunk[start:end]]
        if best[-1] is None:
            return None
        parts += best[-1] or []
    return parts or None


@cache
def _readings(ch: str) -> frozenset[str]:
    """Every toneless reading of one character (cached: each candidate word of a check
    reads the same source again)."""
    from pypinyin import Style, pinyin

    return frozenset(r.replace("ü", "v") for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def spelt_in(source: str, syl: list[str]) -> list[tuple[int, int]]:
    """Spans of ``source`` whose characters read ``syl``, one syllable each."""
    reads = [_readings(c) if is_han(c) else frozenset() for c in source]
    n = len(syl)
    return [
        (i, i + n)
        for i in range(len(source) - n + 1)
        if all(syl[k] in reads[i + k] for k in range(n))
    ]


def spelt_in_chinese(name: str, out: str) -> bool:
    """Whether Chinese ``out`` writes English ``name`` in characters that read as it:
    "Li Na" as 李娜. A pinyin name the glossary does not know is kept in Latin letters,
    but the characters that spell it are the right Chinese, not a lost name."""
    syl: list[str] = []
    for word in name.split():
        got = pinyin_split(word)
        if not got:
            return False
        syl += got
    return len(syl) >= 2 and bool(spelt_in(out, syl))


def person_pinyin(name: str) -> str:
    """A Chinese personal name in pinyin, surname first and with its surname reading:
    章立凡 → "Zhang Lifan", 单田芳 → "Shan Tianfang", 欧阳娜娜 → "Ouyang Nana"."""
    sur = name[:2] if name[:2] in _COMPOUND_SURNAMES else name[:1]
    given = name[len(sur):]
    sur_py = _SURNAME_READING.get(sur) or _join(_syllables(sur)).lower()
    if not given:
        return sur_py.capitalize()
    return f"{sur_py.capitalize()} {_join(_syllables(given))}"


def place_pinyin(name: str) -> str:
    """An unknown place in pinyin with its feature word in English: 浏阳市 →
    "Liuyang", 湘潭县 → "Xiangtan County", 马栏山 → "Malanshan"."""
    for zh, en in _PLACE_FEATURES:
        if name.endswith(zh) and len(name) > len(zh):
            stem = name[: -len(zh)]
            if len(stem) == 1 and en in (" River", " Lake", " Island"):
                return _join(_syllables(stem)) + en  # 湘江 → Xiang River
            return _join(_syllables(stem)) + en
    return _join(_syllables(name))


def _org_rendering(name: str, glossary: Glossary) -> str:
    for zh, en in _ORG_FEATURES:
        if name.endswith(zh) and len(name) > len(zh):
            stem = name[: -len(zh)]
            hit = glossary.en(stem)
            if hit:  # 湖南 + 大学; an unknown stem is left to the model (长沙理工大学 is not
                return hit[0].split("|")[0] + en  # "Changshaligong University")
    return ""


def _is_person(word: str) -> bool:
    sur = word[:2] if word[:2] in _COMPOUND_SURNAMES else word[:1]
    if not ((sur in _SURNAMES or sur in _COMPOUND_SURNAMES) and 2 <= len(word) <= len(sur) + 2):
        return False
    # jieba's dictionary tags some everyday words as names (毛巾 "towel" is "nr"): a word it
    # knows as common is no person to spell in pinyin; famous people belong in the glossary
    return _word_freq(word) < _COMMON_WORD_FREQ


_COMMON_WORD_FREQ = 300  # 毛巾 466, 黎明 670, 高峰 1556; 李强 159, 王菲 44, 章立凡 2


# Roles written next to a person (总理李强, 李强总理, 妻子许艳) and verbs of speech after one
# (李强说): the evidence a two-character dictionary word needs to be read as a person,
# since jieba's dictionary tags many common words as names (荣幸 "an honour", 敬佩,
# 钟声), and a misread one is forced into the translation ("the Rong Xing of the US").
_ROLES = ("总理", "主席", "总统", "外长", "部长", "书记", "市长", "省长", "县长", "委员",
          "议员", "律师", "教授", "医生", "记者", "主任", "院长", "校长", "局长", "发言人",
          "大使", "将军", "首相", "总裁", "董事长", "经理", "博士", "老师", "导演", "演员",
          "歌手", "作家", "选手", "妻子", "丈夫", "儿子", "女儿", "母亲", "父亲", "先生",
          "女士", "同志", "官员", "主持人", "代表", "总书记", "首席执行官", "创始人", "学者")
_AFTER_PERSON = ("说", "表示", "称", "指出", "认为", "强调", "透露", "告诉", "先生", "女士",
                 "教授", "博士", "夫妇", "等人", "一行", "同志", "总理", "主席")


def _person_context(text: str, word: str) -> bool:
    """A role before or after ``word`` somewhere in ``text``, or a verb of speech after it."""
    at = text.find(word)
    while at >= 0:
        before, after = text[max(0, at - 6):at], text[at + len(word):at + len(word) + 5]
        if before.endswith(_ROLES) or after.startswith(_ROLES + _AFTER_PERSON):
            return True
        at = text.find(word, at + 1)
    return False


def is_person_here(text: str, word: str, flag: str) -> bool:
    """Whether ``word`` (tagged ``flag`` by jieba) is a Chinese person's name in ``text``:
    nr or nrfg (李强 is nrfg; nrt are foreign names in characters), a known surname, not
    a common word, and a two-character dictionary word only beside a role or a verb of
    speech (荣幸 "an honour" is in jieba's dictionary as a name)."""
    if flag not in ("nr", "nrfg") or not _is_person(word):
        return False
    return len(word) != 2 or _word_freq(word) == 0 or _person_context(text, word)


def _word_freq(word: str) -> int:
    return int(jieba().dt.FREQ.get(word, 0) or 0)


def looks_like_name(word: str) -> bool:
    """Whether Chinese ``word`` has the evidence of a name that pinyin may spell: jieba
    tags it as one word that is a place (ns), an organisation (nt) or a person (nr, and
    then not a common word). A dictionary miss alone is no evidence: 短视频 "short
    video" is no word of jieba's and no name, and nz ("other proper noun") covers common
    terms such as 双语 "bilingual"."""
    if not has_cjk(word):
        return False
    toks = [(t.word, t.flag) for t in jieba_posseg().cut(word)]
    if len(toks) != 1:  # a person jieba does not know still comes out as one nr token
        return False
    tok, flag = toks[0]
    if flag in ("ns", "nt"):
        return True
    return flag.startswith("nr") and (flag == "nrt" or _is_person(tok))


def _with_alternates(n: Name) -> Name:
    """A glossary value "the United States|US|U.S.": the first is written, all count."""
    first, *rest = n.target.split("|")
    return Name(n.source, first.strip(), n.kind, n.origin, tuple(r.strip() for r in rest))


def render_name(name: str, kind: str, glossary: Glossary, *,
                pinyin_people: bool = True) -> Name | None:
    """The fixed English rendering of a Chinese name, or None when there is no safe one
    (a foreign name written in characters that the glossary does not know).
    ``pinyin_people=False`` (a Taiwan or Hong Kong story): a person the glossary does not
    know is "unsure", since Ma Ying-jeou and Frank Hsieh are not spelt in pinyin."""
    hit = glossary.en(name)
    if hit:
        return _with_alternates(Name(name, hit[0], kind, hit[1]))
    if kind == "person" and _is_person(name):
        return Name(name, person_pinyin(name), kind, "pinyin" if pinyin_people else "unsure")
    if kind == "place":
        for zh, _ in _PLACE_FEATURES:  # 浏阳市: the glossary may know 浏阳
            if name.endswith(zh) and len(name) > len(zh):
                stem_hit = glossary.en(name[: -len(zh)])
                if stem_hit:
                    feature = dict(_PLACE_FEATURES)[zh]
                    if feature in (" River", " Lake") and stem_hit[0].endswith(feature):
                        feature = ""
                    first = stem_hit[0].split("|")[0]
                    return Name(name, first + feature, kind, stem_hit[1])
        if any(name.endswith(zh) and len(name) > len(zh) for zh, _ in _PLACE_FEATURES) or (
                name.endswith("山") and len(name) <= 4):
            return Name(name, place_pinyin(name), kind, "pinyin")
        # no feature word: likely a foreign place in characters (巴布亚新几内亚 is not
        # "Babuyaxinjineiya"); the model knows those better than pinyin does
        return None
    if kind == "org":
        got = _org_rendering(name, glossary)
        if got:
            return Name(name, got, kind, "pinyin")
    return None


# A story about Taiwan, Hong Kong or Macao: its people are spelt their own way
_TW_HK_RE = re.compile(r"台湾|臺灣|台北|臺北|高雄|香港|澳门|澳門|国民党|國民黨|民进党|民進黨"
                       r"|立法院|港人")
_PLACE_ENDINGS = ("山", "江", "河", "湖", "岛", "市", "县", "省", "镇", "村")


def find_names(text: str, source: str, glossary: Glossary) -> list[Name]:
    """The names of ``text`` (language ``source``) with their fixed renderings in the
    other language, longest first within the text's order, without duplicates."""
    if source == "en" or not has_cjk(text):
        return _english_names(text, glossary)
    found: dict[str, Name] = {}
    rest = text
    # the glossary first: it knows multi-word names jieba splits (海关总署, 马栏山)
    for term in glossary.zh_terms():
        while term in rest:
            at = rest.index(term)
            # 长沙市, 湘潭县: the glossary knows the place, the feature word follows it
            # only administrative features: 南太平洋 + 岛国 is no "South Pacific Island"
            feature = next((zh for zh in _ADMIN_FEATURES
                            if rest.startswith(zh, at + len(term))), "")
            whole = term + feature
            got = render_name(whole, "place", glossary) if feature else \
                render_name(term, glossary_kind(term), glossary)
            if got:
                found.setdefault(whole, got)
            rest = rest[:at] + "\u3000" * len(whole) + rest[at + len(whole):]
    for at, pair in _country_pairs(text, rest):
        found.setdefault(pair.source, pair)
        rest = rest[:at] + "\u3000" * len(pair.source) + rest[at + len(pair.source):]
    posseg = jieba_posseg()
    pinyin_people = not _TW_HK_RE.search(text)
    for tok in posseg.cut(rest):
        word, flag = tok.word, tok.flag
        if len(word) < 2 or word in found or not has_cjk(word):
            continue
        at = text.find(word)
        if "·" in text[max(at - 1, 0):at] + text[at + len(word):at + len(word) + 1]:
            continue  # 安东尼·阿尔巴尼斯: a foreign name in characters, not a pinyin one
        if flag.startswith("nr") and at > 0 and text[at - 1] in _NUMERAL_BEFORE:
            continue  # 一张真人照片: 张 counts the photo here, it is no surname
        if flag.startswith("nr"):
            kind = "place" if word.endswith(_PLACE_ENDINGS) and len(word) >= 3 else "person"
            if kind == "person" and not is_person_here(text, word, flag):
                continue
        elif flag == "ns":
            kind = "place"
        elif flag == "nt":
            kind = "org"
        elif flag == "nz":
            kind = "other"
        else:
            continue
        got = render_name(word, kind, glossary, pinyin_people=pinyin_people)
        if got:
            found[word] = got
    order = sorted(found.values(), key=lambda n: text.find(n.source))
    return order


def glossary_kind(term: str) -> str:
    """What a glossary entry names, by jieba's tags: the glossary holds people (马英九,
    布林肯) beside places and bodies, and only says how each is written."""
    flags = [t.flag for t in jieba_posseg().cut(term)]
    if flags and all(f.startswith("nr") for f in flags):
        return "person"
    return {"ns": "place", "nt": "org"}.get(flags[0] if len(flags) == 1 else "", "other")


def title_names(title: str, source: str, glossary: Glossary,
                body: Sequence[str] = ()) -> list[Name]:
    """The names of a headline. An English headline in Title Case capitalises every
    word, so its capitalised spans are no evidence ("China May Be Facing Economic
    Slowdown" is not a name): its names are then the glossary's and those the story's
    sentences (``body``) show as names that the headline repeats."""
    found = find_names(title, source, glossary)
    words = re.findall(r"[A-Za-z][A-Za-z'’-]{3,}", title)
    caps = sum(w[0].isupper() for w in words)
    if source != "en" or has_cjk(title) or len(words) < 3 or caps < 0.6 * len(words):
        return found
    keep = [n for n in found if n.origin != "kept"]
    for sentence in body:
        for n in find_names(sentence, source, glossary):
            if n.source in title and all(k.source != n.source for k in keep):
                keep.append(n)
    return sorted(keep, key=lambda n: title.find(n.source))


def _english_names(text: str, glossary: Glossary) -> list[Name]:
    out: list[Name] = []
    # Chinese clauses inside an English sentence are not names; read around them
    latin = re.sub(f"[\u3000-\u303f{HAN}\uff00-\uffef]+", ". ", text)
    for name in latin_names(latin):
        name = re.sub(r"['’]s$", "", name)  # "Lloyd Austin's" is Lloyd Austin
        hit = glossary.zh(name)
        if hit:
            out.append(Name(name, hit[0], "other", hit[1]))
        elif re.search(r"[A-Za-z]", name):
            out.append(Name(name, name, "other", "kept"))
    # a sentence's first word is no evidence of a name to latin_names ("The", "However"),
    # but one the glossary knows is one: "Austin was treated" (奥斯汀, not 阿什顿·塔特)
    for m in re.finditer(r"(?:^|[.!?][\"”’')]*\s+)([A-Z][A-Za-z'’-]+)", latin):
        word = re.sub(r"['’]s$", "", m.group(1))
        hit = glossary.zh(word)
        # the entry's own name, not one of its other forms: an opening "Chinese" (an
        # alternative of 中国 "China|Chinese") is an adjective, and putting 中国 in its
        # place in the model's input made it invent a figure
        first = (glossary.en(hit[0]) or ("",))[0].split("|")[0].strip() if hit else ""
        if hit and first.removeprefix("the ").casefold() == word.casefold() \
                and all(word not in n.source for n in out):
            out.append(Name(word, hit[0], "other", hit[1]))
    return out
