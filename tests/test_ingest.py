"""Ingest: encodings, formats, noise removal, language detection and every rejection."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import pytest

from anchor.core.errors import InputError
from anchor.ingest import (
    MAX_CHARS,
    clean_paragraphs,
    decode_bytes,
    detect_language,
    detect_variant,
    ingest,
    read_article,
)

# Written for these tests in the style of a copied newspaper page: lead photo caption,
# headline, byline between paragraphs, a paragraph cut by a page break with a photo
# caption dropped into the middle of a quote, page numbers and editor lines.
HANT_PAGE = """\


湘江畔的數字記者

長沙訊，本屆數字媒體論壇昨日在湘江之畔開幕，吸引了來自全國的三百多家媒體參加。

主辦方表示，「智能聚力」是今年論壇的主題，數字記者、虛擬主播和AI剪輯工具成為展區的焦點。

化定興 易泓

- 3 -

湘報集團推出的數字記者，能在後台收到文本後自動生成播報視頻，並支持中英雙語輸出。項目經理介紹，系統與真實記者的相似度達到95%，一條兩分鐘的新聞只需「三分



11月13日，數字媒體論壇在長沙舉行。

鐘」就能完成。

第2頁

上一頁 下一頁

（圖片來源：湘報集團）

責任編輯：王小明
"""


def _paras(text: str) -> tuple[str, ...]:
    return ingest(text).paragraphs


# ---------------------------------------------------------------- encodings

ZH_HANT = "國際傳播漸入佳境，中國聲音聲聲入耳。湖南日報推出數字記者，支持中英雙語輸出。"
ZH_HANS = "国际传播渐入佳境，中国声音声声入耳。湖南日报推出数字记者，支持中英双语输出。"


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (ZH_HANT.encode("utf-8"), "utf-8", ZH_HANT),
        (ZH_HANT.encode("utf-8-sig"), "utf-8-sig", ZH_HANT),
        (ZH_HANT.encode("utf-16"), "utf-16", ZH_HANT),  # with BOM, native order
        (b"\xfe\xff" + ZH_HANT.encode("utf-16-be"), "utf-16", ZH_HANT),
        (b"\xff\xfe" + ZH_HANS.encode("utf-16-le"), "utf-16", ZH_HANS),
        (ZH_HANS.encode("gb18030"), "gb18030", ZH_HANS),
        (ZH_HANS.encode("gb2312"), "gb18030", ZH_HANS),  # GB2312 is a subset
        (ZH_HANT.encode("gb18030"), "gb18030", ZH_HANT),  # Traditional text in GB
        (ZH_HANT.encode("big5"), "big5", ZH_HANT),
        ("中文新闻".encode("gbk"), "gb18030", "中文新闻"),  # short: a guesser gets these wrong
        ("中文新聞".encode("big5"), "big5", "中文新聞"),
    ],
)
def test_decode_bytes(data: bytes, encoding: str, text: str) -> None:
    assert decode_bytes(data) == (text, encoding)


def test_decode_falls_back_to_charset_normalizer_for_western_text() -> None:
    data = "It\u2019s a caf\u00e9 with \u201cquotes\u201d, said the owner today.".encode("cp1252")
    text, _ = decode_bytes(data)
    assert text == "It\u2019s a caf\u00e9 with \u201cquotes\u201d, said the owner today."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"])
def test_ingest_bytes_in_every_encoding_gives_the_same_article(encoding: str) -> None:
    text = "湖南日報推出數字記者\n\n" + ZH_HANT
    assert ingest(text.encode(encoding)) == ingest(text)


# ---------------------------------------------------------------- bad input


def _error(source: str | bytes | Path) -> InputError:
    with pytest.raises(InputError) as info:
        ingest(source)
    err = info.value
    assert err.hint, "every rejection carries a hint"
    assert "\n" not in err.message and "\n" not in err.hint
    return err


@pytest.mark.parametrize("source", ["", "   \n\t\u3000\n ", b"", b"  \r\n  "])
def test_empty(source: str | bytes) -> None:
    err = _error(source)
    assert err.message == "The article is empty."


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"abc\x00def\x00" * 10, "NUL bytes"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
        (bytes(range(0x80, 0x100)) * 3, "match no text encoding"),
        (b"text\x01\x02\x03\x04\x05\x06\x07\x08 with controls", "control characters"),
    ],
)
def test_binary(data: bytes, what: str) -> None:
    err = _error(data)
    assert err.message.startswith("The article is binary, not text:")
    assert what in err.message
    assert "plain text" in err.hint


def test_too_long() -> None:
    err = _error("新" * MAX_CHARS + "聞。")
    assert err.message == (
        f"The article is too long: {MAX_CHARS + 2:,} characters (the limit is {MAX_CHARS:,})."
    )
    assert err.hint == "Split it into several articles, or pass a summary of it."


def test_too_long_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a" * (MAX_CHARS * 4 + 100))
    assert "too long" in _error(path).message


def test_no_sentence_at_all() -> None:
    err = _error("新聞" * 1100)
    assert err.message == (
        "The article has no sentences: a line of 2,200 characters without any punctuation."
    )
    assert "punctuation" in err.hint


def test_short_unpunctuated_text_is_fine() -> None:
    assert ingest("Breaking news from the city council today").language == "en"


@pytest.mark.parametrize("source", ["😀😀😀 🎉🎉 👍", "★★★ ### !!! 123 ???", "ok 👍👍👍👍👍👍👍"])
def test_mostly_emoji_or_symbols(source: str) -> None:
    err = _error(source)
    assert "almost no text" in err.message and "emoji" in err.message


def test_emoji_inside_good_text_are_removed() -> None:
    art = ingest(
        "今天湖南日報推出數字記者🎉，支持中英雙語輸出👍🏽。\n\nGreat news 🎉 for all of us today."
    )
    assert art.paragraphs == (
        "今天湖南日報推出數字記者，支持中英雙語輸出。",
        "Great news for all of us today.",
    )


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Привет, это новости из Москвы. Сегодня хорошая погода, и всё хорошо.", "Cyrillic"),
        ("مرحبا بكم في نشرة الأخبار اليوم، الطقس جميل جدا في المدينة.", "Arabic"),
        ("Σήμερα ο καιρός είναι καλός στην Αθήνα και όλοι είναι χαρούμενοι.", "Greek"),
    ],
)
def test_other_scripts_are_refused(text: str, script: str) -> None:
    err = _error(text)
    assert err.message == (
        f"Not Chinese (zh) or English (en): the article looks like {script}-script text."
    )
    assert err.hint.startswith("Translate the article into Chinese or English")


def test_japanese_is_refused() -> None:
    err = _error("日本語のニュースです。今日は東京で大きな会議が開かれました。")
    assert err.message == "Not Chinese (zh) or English (en): the article looks like Japanese."


def test_other_latin_language_is_refused() -> None:
    fr = (
        "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui sera "
        "présentée au parlement dans les prochaines semaines selon le ministre du travail. "
    ) * 2
    assert _error(fr).message == (
        "Not Chinese (zh) or English (en): the article looks like another Latin-script language."
    )


def test_missing_path_and_directory(tmp_path: Path) -> None:
    err = _error(tmp_path / "nope.txt")
    assert err.message == f"Article file not found: nope.txt (in {tmp_path})"
    assert "-" in err.hint
    err = _error(tmp_path)
    assert err.message == f"{tmp_path} is a folder, not an article file."


def test_nothing_left_after_noise_removal() -> None:
    err = _error("責任編輯：王小明\n\n- 3 -\n\n第2頁\n\n上一頁 下一頁")
    assert err.message.startswith("Nothing is left of the article")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{not json",
            "x.json is not valid JSON: Expecting property name enclosed in double "
            "quotes at line 1 column 2.",
        ),
        ("[1, 2]", "x.json holds JSON list, not an object."),
        ('{"title": "t"}', 'x.json has no "body" or "text" string.'),
        ('{"title": 3, "body": "Some body text here."}', 'x.json: "title" must be a string.'),
    ],
)
def test_bad_json(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        ingest(path)
    assert info.value.message == message.replace("x.json", str(path))
    assert '"title"' in info.value.hint


# ---------------------------------------------------------------- formats


def test_json_title_and_body(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps({"title": "数字记者上岗", "body": "湖南日报推出数字记者。\n\n它支持中英双语。"}),
        encoding="utf-8",
    )
    art = ingest(path)
    assert (art.title, art.paragraphs, art.source) == (
        "数字记者上岗",
        ("湖南日报推出数字记者。", "它支持中英双语。"),
        str(path),
    )


def test_json_text_key_and_paragraph_list() -> None:
    art = ingest(json.dumps({"text": ["First paragraph here.", "Second one."]}).encode())
    assert art.paragraphs == ("First paragraph here.", "Second one.")
    assert art.title == "First paragraph here"  # no heading: first sentence, trimmed


MARKDOWN = """\
# Digital reporters go on air

Hunan Daily showed **digital reporters** at the
[China New Media Conference](https://example.com/cnmc) in *Changsha*.

![A presenter on screen](presenter.png)

```python
print("this is code, not news")
```

## Two languages

- Each clip is read in `Mandarin` and English.
- Reporters type the text in a back office.

> The system drives a presenter built from a photo.

Prices rose 5\\*2 times, said the_editor_in_chief. [Read more][1]

[1]: https://example.com/more
"""


def test_markdown_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    art = ingest(path)
    assert art.title == "Digital reporters go on air"
    assert art.paragraphs == (
        "Hunan Daily showed digital reporters at the China New Media Conference in Changsha.",
        "Two languages",
        "Each clip is read in Mandarin and English.",
        "Reporters type the text in a back office.",
        "The system drives a presenter built from a photo.",
        "Prices rose 5*2 times, said the_editor_in_chief. Read more",
    )


MARKDOWN_CASES = [
    (  # links: inline, reference, collapsed; an autolink is only an address
        "# Links\n\nRead the [full report](https://example.com/r \"T\") and the [annex][a] or "
        "[this][].\nAn autolink <https://example.com/x> goes.\n\n[a]: https://example.com/a\n"
        "[this]: https://example.com/t\n",
        "Links", ("Read the full report and the annex or this. An autolink goes.",),
    ),
    (  # emphasis, strikethrough and entities; intraword underscores and spaced stars stay
        "# Emphasis\n\nThe **council** voted *twelve* to __three__ for the _new_ plan, a "
        "***big*** step.\nWords like snake_case_name and 5 * 3 * 2 = 30 stay. ~~Struck~~ "
        "words, Q&amp;A.\n",
        "Emphasis", ("The council voted twelve to three for the new plan, a big step. Words "
                     "like snake_case_name and 5 * 3 * 2 = 30 stay. Struck words, Q&A.",),
    ),
    (  # lists, nested and ordered: each item its own paragraph
        "# Lists\n\nThe plan has three parts:\n\n- clear the river banks;\n- build 200 "
        "stations;\n  * nested item.\n\n1. First, the volunteers met.\n2) Then they worked.\n",
        "Lists", ("The plan has three parts:", "clear the river banks;", "build 200 stations;",
                  "nested item.", "First, the volunteers met.", "Then they worked."),
    ),
    (  # code: spans keep their text, fenced blocks go, an indented line is still the story
        "# Code\n\nUse `anchor render` to make a clip.\n\n```\nprint(1)\n```\n\n~~~\nx\n~~~\n\n"
        "    An indented line is kept.\n",
        "Code", ("Use anchor render to make a clip.", "An indented line is kept."),
    ),
    (  # headings: setext title, later headings are paragraphs, closing hashes go
        "Setext title\n============\n\nFirst paragraph.\n\nSecond heading\n--------------\n\n"
        "### Third heading ###\n\nBody.\n",
        "Setext title", ("First paragraph.", "Second heading", "Third heading", "Body."),
    ),
    (  # images (with their alt text) go, inline or by reference
        "# Images\n\n![A photo of the river](river.jpg) The river was clean.\n\n"
        "![ref image][img]\n\nText after.\n\n[img]: pic.png\n",
        "Images", ("The river was clean.", "Text after."),
    ),
    (  # HTML: tags go and their text stays, <br> breaks, comments and scripts go
        "# HTML\n\nSome <b>bold</b> text, <span class=\"x\">a span</span>.\n\n"
        "<!-- an editor's comment -->\n\n<div>\nBlock HTML text stays.\n</div>\n\n"
        "<script>alert(1)</script>\n\nThe end.\n",
        "HTML", ("Some bold text, a span.", "Block HTML text stays.", "The end."),
    ),
    (  # a table's rows read as one paragraph; footnote marks and notes go
        "# Table\n\n| City | Volunteers |\n|------|-----------:|\n| Changsha | 3,400 |\n\n"
        "The figure was 62%.[^1]\n\n[^1]: Source: the association.\n",
        "Table", ("City Volunteers Changsha 3,400", "The figure was 62%."),
    ),
]


@pytest.mark.parametrize(("text", "title", "paragraphs"), MARKDOWN_CASES)
def test_markdown_cases(tmp_path: Path, text: str, title: str,
                        paragraphs: tuple[str, ...]) -> None:
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    art = ingest(path)
    assert (art.title, art.paragraphs) == (title, paragraphs)


def test_markdown_front_matter_title_and_sniffed_from_stdin(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    text = '---\ntitle: "Front matter title"\n---\n\n# Heading\n\nBody text with a [link](x).\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    art = read_article("-")
    assert (art.title, art.paragraphs, art.source) == (
        "Front matter title",
        ("Heading", "Body text with a link."),
        "-",
    )


def test_read_article_txt(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(("# not markdown in a .txt\n\n" + ZH_HANS).encode("gb18030"))
    art = read_article(str(path))
    assert art.paragraphs == (ZH_HANS,)
    assert art.title == "# not markdown in a .txt"


# ---------------------------------------------------------------- cleaning


def test_traditional_page_noise_and_byline_are_removed() -> None:
    art = ingest(HANT_PAGE)
    assert art.title == "湘江畔的數字記者"
    assert art.paragraphs == (
        "長沙訊，本屆數字媒體論壇昨日在湘江之畔開幕，吸引了來自全國的三百多家媒體參加。",
        "主辦方表示，「智能聚力」是今年論壇的主題，數字記者、虛擬主播和AI剪輯工具成為展區的焦點。",
        "湘報集團推出的數字記者，能在後台收到文本後自動生成播報視頻，並支持中英雙語輸出。"
        "項目經理介紹，系統與真實記者的相似度達到95%，一條兩分鐘的新聞只需「三分鐘」就能完成。",
    )
    assert (art.language, art.variant) == ("zh", "Hant")


def test_removed_lines_are_reported_with_a_reason() -> None:
    _, removed = clean_paragraphs(HANT_PAGE, "zh")
    assert removed == (
        "byline: 化定興 易泓",
        "page: - 3 -",
        "page: 第2頁",
        "page: 上一頁 下一頁",
        "credit: （圖片來源：湘報集團）",
        "credit: 責任編輯：王小明",
        "photo caption: 11月13日，數字媒體論壇在長沙舉行。",
    )


def test_wide_gap_captions_are_removed_only_where_wide_gaps_are_rare() -> None:
    body = "\n\n".join(f"第{i}段的內容很長，說了很多事情。" for i in range(6))
    with_caption = body + "\n\n\n\n11月13日，論壇在長沙舉行。\n\n最後一段，還有內容。"
    paras, _ = clean_paragraphs(with_caption, "zh")
    assert "11月13日，論壇在長沙舉行。" not in paras
    # A document that separates every paragraph by wide gaps keeps its short lines.
    spaced = with_caption.replace("\n\n", "\n\n\n")
    paras, _ = clean_paragraphs(spaced, "zh")
    assert "11月13日，論壇在長沙舉行。" in paras


def test_caption_inside_a_cut_sentence_without_wide_gaps() -> None:
    text = (
        "湘報集團推出的數字記者，一條新聞只需「三分\n\n"
        "數字媒體論壇在長沙舉行。\n\n"
        "鐘」就能完成。\n\n"
        "論壇上，記者們說，「這樣很方便\n\n"
        "也很快」。"
    )
    paras, removed = clean_paragraphs(text, "zh")
    assert paras == (
        "湘報集團推出的數字記者，一條新聞只需「三分鐘」就能完成。",
        "論壇上，記者們說，「這樣很方便也很快」。",
    )
    assert removed == ("photo caption: 數字媒體論壇在長沙舉行。",)
    # a short sentence after an unfinished one, not followed by its rest, is kept
    paras, removed = clean_paragraphs("他說，「這是第一段\n\n這是第二段。\n\n第三段開始了。", "zh")
    assert paras == ("他說，「這是第一段這是第二段。", "第三段開始了。") and removed == ()


@pytest.mark.parametrize(
    "line",
    [
        "责任编辑：李四",
        "來源：新華社",
        "記者 王小明 攝",
        "新华社记者 张三 摄",
        "（記者 王小明 攝）",
        "文/王小明 圖/李四",
        "圖為湖南日報展區的數字記者。",
        "图为活动现场",
        "▲ 活動現場",
        "Photo: Reuters",
        "(Photo by Alex Lee/AP)",
        "By Jane Doe and John Smith, Reuters",
        "- 3 -",
        "— 12 —",
        "7",
        "12/40",
        "第3页",
        "第3頁/共10頁",
        "Page 3 of 10",
        "(continued)",
        "Continued on page 4",
        "（未完待續）",
        "（下轉第2版）",
        "上一頁 下一頁",
        "上一页 1 2 3 下一页",
        "« Previous | Next »",
        "Advertisement",
        "© 2025 Hunan Daily. All rights reserved.",
    ],
)
def test_noise_lines(line: str) -> None:
    text = f"第一段有內容，說了很多事情。\n\n{line}\n\n第二段也有內容，說了別的事情。"
    paras, removed = clean_paragraphs(text, "zh")
    assert paras == ("第一段有內容，說了很多事情。", "第二段也有內容，說了別的事情。")
    assert len(removed) == 1 and removed[0].endswith(line)


@pytest.mark.parametrize(
    "line",
    [
        "智能聚力 系統變革",  # a headline of two four-character phrases, not two names
        "湖湘媒體步步向「新」 文化產品深深得「心」",
        "記者王小明說，這是一個好消息。",
        "來源不明的消息在網上流傳。",
        "By the end of the year, the library will open.",
        "1:1",
    ],
)
def test_text_that_looks_a_bit_like_noise_is_kept(line: str) -> None:
    paras, removed = clean_paragraphs(f"第一段有內容。\n\n{line}\n\n第二段也有內容。", "zh")
    assert line in paras and removed == ()


def test_whitespace_and_fullwidth_forms() -> None:
    art = ingest(
        "　　湖南日報　推出  ＡＩ數字記者，相似度９５％，成本３．５億元！\r\n\r\n"
        "　　第二段：「引號」保留。"
    )
    assert art.paragraphs == (
        "湖南日報 推出 AI數字記者，相似度95%，成本3.5億元！",
        "第二段：「引號」保留。",
    )


def test_hard_wrapped_english_is_unwrapped() -> None:
    text = (
        "City Opens New Library\n\n"
        "The city council opened a new public library on Tuesday, the first to be\n"
        "built in the district for forty years. The building holds 120,000 books and\n"
        "a studio where residents can record podcasts.\n\n"
        "By Jane Doe\n\n"
        "The library cost $12 million, paid for by a bond approved by voters, and it\n"
        "will be open\n\n- 2 -\n\nseven days a week from next month.\n"
    )
    art = ingest(text)
    assert art.title == "City Opens New Library"
    assert art.paragraphs == (
        "The city council opened a new public library on Tuesday, the first to be built in "
        "the district for forty years. The building holds 120,000 books and a studio where "
        "residents can record podcasts.",
        "The library cost $12 million, paid for by a bond approved by voters, and it will be "
        "open seven days a week from next month.",
    )
    assert (art.language, art.variant) == ("en", "")


def test_one_paragraph_per_line_is_kept() -> None:
    text = "第一段，說了很多事情。\n第二段，說了別的事情。\n第三段，還有內容。"
    assert _paras(text) == tuple(text.split("\n"))


# ---------------------------------------------------------------- title, language, hash


def test_title_rules() -> None:
    assert ingest("短標題\n\n正文第一句。正文第二句。").title == "短標題"
    assert ingest("短標題\n\n正文第一句。", title="指定標題").title == "指定標題"
    art = ingest("正文第一句，說了很多。正文第二句。")
    assert art.title == "正文第一句，說了很多"
    assert art.paragraphs == ("正文第一句，說了很多。正文第二句。",)
    long_first = (
        "湖南日報推出的數字記者在後台收到文本後，能自動生成播報視頻並支持中英雙語輸出和多平台分發。"
    )
    assert ingest(long_first).title == "湖南日報推出的數字記者在後台收到文本後"
    # an explicit title repeated as the first line is not read twice
    assert ingest("標題\n\n正文說了很多事情。", title="標題").paragraphs == ("正文說了很多事情。",)


@pytest.mark.parametrize(
    ("text", "language", "variant"),
    [
        (ZH_HANS, "zh", "Hans"),
        (ZH_HANT, "zh", "Hant"),
        ("The council opened a new library on Tuesday.", "en", ""),
        # mixed: dominant language wins, Latin names inside Chinese are fine
        (
            "產業園一公司推出《Trapped in the Billionaire's Golden Cage》，"
            "上線首周便斬獲10億次播放量。",
            "zh",
            "Hant",
        ),
        ("Hunan Daily (湖南日报) showed its digital reporters at the conference.", "en", ""),
        ("新闻 news 新闻 news 报道。", "zh", "Hans"),
    ],
)
def test_language_and_variant(text: str, language: str, variant: str) -> None:
    art = ingest(text)
    assert (art.language, art.variant) == (language, variant)
    assert detect_language(text) == language


def test_variant_of_shared_characters_defaults_to_hans() -> None:
    assert detect_variant("中文大会在长沙") == "Hans"  # 会/长 are simplified
    assert detect_variant("中文大會在長沙") == "Hant"
    assert detect_variant("中文") == "Hans"  # shared by both scripts
    assert detect_variant("English only") == ""


def test_sha256_covers_title_and_cleaned_text() -> None:
    art = ingest("標題\n\n正文第一句。\n\n- 3 -\n\n正文第二句。")
    expected = hashlib.sha256("標題\n\n正文第一句。\n正文第二句。".encode()).hexdigest()
    assert art.sha256 == expected
    assert ingest("標題\n\n正文第一句。\n\n正文第二句。").sha256 == expected  # noise-insensitive
    assert ingest("標題\n\n正文第一句。\n\n正文第二句。", title="別的").sha256 != expected


def test_inline_source_name() -> None:
    assert ingest("Some English text here.", name="form").source == "form"
