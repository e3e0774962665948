"""Captions: reading limits, line-break rules, timing, SRT/VTT text and bilingual cues."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from anchor.captions import (
    MAX_CUE_MS,
    MAX_LINES,
    MIN_CUE_MS,
    bilingual_cues,
    display_width,
    line_limit,
    make_captions,
    parse_srt,
    to_srt,
    to_vtt,
    write_captions,
)
from anchor.core.values import Captions, Cue, Lang, Span

ZH = (
    "湖南日報正敞開懷抱擁抱「新聞+政務+服務」等場景，讓媒體發展的路子更寬更廣。",
    "「記者只需在後台輸入文本，系統就能驅動已精調好的『數字記者』生成播報視頻，並支持中英雙語"
    "輸出。」項目經理介紹，屏幕上播報新聞的記者都是基於真實記者1:1復刻的數字人，"
    "它們與真實記者能達到95%的相似度。",
    "AI大模型、5G+AR、大數據分析等技術的深度滲透，正引發2025年媒體的顛覆性變革。",
    "文化插上科技雙翼湖湘文脈煥發新生而且沒有任何標點符號的一句很長很長的話也要能好好地分成幾段字幕",
)
EN = (
    "Hunan Daily is embracing scenarios such as news, government services and public "
    "services, widening the road for media development.",
    '"Reporters only need to type text in the back office, and the system can drive a '
    "fine-tuned 'digital reporter' to generate a broadcast video in Chinese and English,\" "
    "said He Wei, a project manager, adding that the digital humans reach 95% similarity "
    "with real reporters.",
    "AI models, 5G+AR and big-data analysis are driving a disruptive change in the media "
    "of Hunan in 2025.",
    "A sentence without any commas that simply goes on and on about the conference in "
    "Changsha where newsrooms showed their digital presenters to thousands of visitors",
)
CLOSING = "，。、；：！？」』）》…,.;:!?)"
OPENING = "「『（《(“"


def _spans(texts: tuple[str, ...], ms_per_unit: int, gap: int = 300) -> list[Span]:
    """Sentence spans at a steady speaking rate: per character (zh) or letter (en)."""
    spans, t = [], 0
    for s in texts:
        d = len(s) * ms_per_unit
        spans.append(Span(t, t + d, s))
        t += d + gap
    return spans


ZH_SPANS = _spans(ZH, 230)  # ~4.3 characters a second, a newsreader's pace
EN_SPANS = _spans(EN, 65)  # ~15 characters a second


@pytest.fixture(scope="module")
def zh_caps() -> Captions:
    return make_captions(ZH, ZH_SPANS, "zh")


@pytest.fixture(scope="module")
def en_caps() -> Captions:
    return make_captions(EN, EN_SPANS, "en")


def _caps(lang: Lang, zh_caps: Captions, en_caps: Captions) -> tuple[Captions, list[Span]]:
    return (zh_caps, ZH_SPANS) if lang == "zh" else (en_caps, EN_SPANS)


# ---------------------------------------------------------------- layout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lines_within_limits(lang: Lang, zh_caps: Captions, en_caps: Captions) -> None:
    caps, _ = _caps(lang, zh_caps, en_caps)
    assert caps.language == lang
    assert len(caps.cues) >= 8
    for cue in caps.cues:
        assert 1 <= len(cue.lines) <= MAX_LINES
        for line in cue.lines:
            assert line and line == line.strip()
            assert display_width(line, lang) <= line_limit(lang), line
    assert line_limit("zh") == 16 and line_limit("en") == 42


def test_zh_width_counts_han_as_one() -> None:
    assert display_width("湖南日報推出數字記者", "zh") == 10
    assert display_width("5G+AR", "zh") == 2.5
    assert display_width("Hello", "en") == 5


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(
    lang: Lang, zh_caps: Captions, en_caps: Captions
) -> None:
    caps, _ = _caps(lang, zh_caps, en_caps)
    for cue in caps.cues:
        for line in cue.lines:
            assert line[0] not in CLOSING, line
            assert line[-1] not in OPENING, line


def test_zh_lines_drop_trailing_comma_and_full_stop(zh_caps: Captions) -> None:
    for cue in zh_caps.cues:
        for line in cue.lines:
            assert line.rstrip("」』”）》")[-1] not in "，。、；：", line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_all_words_appear_in_order(lang: Lang, zh_caps: Captions, en_caps: Captions) -> None:
    caps, _ = _caps(lang, zh_caps, en_caps)
    texts = ZH if lang == "zh" else EN
    shown = "".join(c for cue in caps.cues for line in cue.lines for c in line if c.isalnum())
    assert shown == "".join(c for t in texts for c in t if c.isalnum())


def test_numbers_and_latin_words_are_not_broken(zh_caps: Captions, en_caps: Captions) -> None:
    zh_lines = [line for cue in zh_caps.cues for line in cue.lines]
    for token in ("5G+AR", "95%", "2025年", "1:1", "AI大模型"):
        assert any(token in line for line in zh_lines), token
    en_lines = [line for cue in en_caps.cues for line in cue.lines]
    for token in ("5G+AR", "95%", "big-data", "fine-tuned"):
        assert any(token in line for line in en_lines), token


def test_zh_breaks_at_clause_punctuation_when_it_can() -> None:
    caps = make_captions(
        ["湖南日報擁抱新聞政務服務等場景，讓媒體發展的路子更寬更廣。"], [Span(0, 7000, "")], "zh"
    )
    assert [c.lines for c in caps.cues] == [
        ("湖南日報擁抱新聞政務服務等場景",),
        ("讓媒體發展的路子更寬更廣",),
    ]


def test_zh_break_inside_a_clause_falls_between_words() -> None:
    text = "文化插上科技雙翼湖湘文脈煥發新生"  # 16 + more characters, no punctuation
    caps = make_captions([text + "創新不斷"], [Span(0, 4000, "")], "zh")
    lines = [line for cue in caps.cues for line in cue.lines]
    assert "".join(lines) == text + "創新不斷"
    # no line boundary splits a two-character word such as 科技/雙翼/文脈/煥發/新生/創新
    joints = list(itertools.accumulate(len(line) for line in lines))[:-1]
    for word in ("科技", "雙翼", "湖湘", "文脈", "煥發", "新生", "創新", "不斷"):
        start = (text + "創新不斷").index(word)
        assert start + 1 not in joints, (word, lines)


def test_en_lines_are_balanced() -> None:
    text = "The city council opened a new public library on Tuesday in the district."
    caps = make_captions([text], [Span(0, 4500, "")], "en")
    assert [c.lines for c in caps.cues] == [
        ("The city council opened a new public", "library on Tuesday in the district."),
    ]


# ---------------------------------------------------------------- timing


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_timing_monotonic_inside_spans(lang: Lang, zh_caps: Captions, en_caps: Captions) -> None:
    caps, spans = _caps(lang, zh_caps, en_caps)
    for a, b in itertools.pairwise(caps.cues):
        assert a.end_ms <= b.start_ms
    for cue in caps.cues:
        assert cue.start_ms < cue.end_ms
        assert isinstance(cue.start_ms, int) and isinstance(cue.end_ms, int)
        assert any(s.start_ms <= cue.start_ms and cue.end_ms <= s.end_ms for s in spans)
    # every sentence is covered from its start to its end
    for span in spans:
        inside = [c for c in caps.cues if span.start_ms <= c.start_ms < span.end_ms]
        assert inside[0].start_ms == span.start_ms and inside[-1].end_ms == span.end_ms


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cue_durations(lang: Lang, zh_caps: Captions, en_caps: Captions) -> None:
    caps, _ = _caps(lang, zh_caps, en_caps)
    for cue in caps.cues:
        assert MIN_CUE_MS <= cue.end_ms - cue.start_ms <= MAX_CUE_MS, cue


def test_slow_short_text_is_split_to_stay_under_the_maximum() -> None:
    caps = make_captions(["湖南日報推出數字記者支持雙語輸出"], [Span(0, 16_000, "")], "zh")
    assert len(caps.cues) >= 3
    assert all(c.end_ms - c.start_ms <= MAX_CUE_MS for c in caps.cues)


def test_short_pieces_are_merged_or_lengthened() -> None:
    # "好，" alone would get ~300 ms: it is merged into a cue of at least a second
    caps = make_captions(["好，我們開始吧，今天的新聞有三條。"], [Span(0, 3000, "")], "zh")
    assert all(c.end_ms - c.start_ms >= MIN_CUE_MS for c in caps.cues)
    assert caps.cues[0].lines[0].startswith("好")


def test_a_sentence_shorter_than_a_second_keeps_its_span() -> None:
    caps = make_captions(["好。", "Yes."], [Span(0, 400, ""), Span(500, 900, "")], "zh")
    assert caps.cues == (Cue(0, 400, ("好",)), Cue(500, 900, ("Yes.",)))


def test_time_is_shared_by_spoken_length() -> None:
    # Two clauses of 8 and 24 characters: the cut falls near a quarter of the span.
    text = "湖南日報推出新品，讓媒體發展的路子更寬更廣也讓新聞生產更有時效性和互動性。"
    caps = make_captions([text], [Span(1000, 9000, "")], "zh")
    assert len(caps.cues) == 2
    cut = caps.cues[0].end_ms
    assert 2800 <= cut <= 3400, cut


def test_word_timings_place_the_cuts() -> None:
    words = [
        Span(120, 400, "Reporters"),
        Span(400, 560, "type"),
        Span(560, 700, "the"),
        Span(700, 1100, "text,"),
        Span(1600, 1800, "and"),
        Span(1800, 1950, "the"),
        Span(1950, 2400, "system"),
        Span(2400, 2800, "drives"),
        Span(2800, 2900, "a"),
        Span(2900, 3500, "presenter"),
        Span(3500, 3700, "built"),
        Span(3700, 3850, "from"),
        Span(3850, 3950, "a"),
        Span(3950, 4400, "photo"),
        Span(4400, 4600, "of"),
        Span(4600, 4700, "a"),
        Span(4700, 4900, "real"),
        Span(4900, 5400, "person."),
    ]
    text = " ".join(w.text for w in words)
    caps = make_captions([text], [Span(0, 5600, text)], "en", words=list(reversed(words)))
    starts = {w.start_ms for w in words}
    cuts = [c.start_ms for c in caps.cues[1:]]
    assert cuts and all(t in starts for t in cuts)
    assert caps.cues[0].start_ms == 0 and caps.cues[-1].end_ms == 5600


def test_word_timings_survive_numbers_read_out() -> None:
    # The voice read "95%" as 百分之九十五: the letters around it still place the cut.
    said = [
        "它們",
        "與",
        "真實",
        "記者",
        "能",
        "達到",
        "百分之九十五",
        "的",
        "相似度",
        "湖南",
        "日報",
        "推出",
        "數字",
        "記者",
        "支持",
        "中英",
        "雙語",
        "輸出",
    ]
    words, t = [], 200
    for w in said:
        words.append(Span(t, t + 180 * len(w), w))
        t += 180 * len(w) + (400 if w == "相似度" else 20)
    text = "它們與真實記者能達到95%的相似度，湖南日報推出數字記者，支持中英雙語輸出。"
    caps = make_captions([text], [Span(0, t + 200, text)], "zh", words)
    assert caps.cues[0].lines == ("它們與真實記者能達到95%的相似度",)
    assert caps.cues[1].start_ms == words[9].start_ms  # 湖南, after the pause


def test_overlapping_and_empty_sentences() -> None:
    caps = make_captions(
        ["First sentence is here.", "", "Second sentence starts early."],
        [Span(0, 2000, ""), Span(2000, 2500, ""), Span(1500, 4000, "")],
        "en",
    )
    assert [(c.start_ms, c.end_ms) for c in caps.cues] == [(0, 2000), (2000, 4000)]


def test_mismatched_lengths_are_a_bug() -> None:
    with pytest.raises(ValueError, match="2 texts for 1 sentence spans"):
        make_captions(["a", "b"], [Span(0, 1, "")], "en")


# ---------------------------------------------------------------- files

SMALL = Captions(
    "zh",
    (
        Cue(0, 1500, ("湖南日報推出數字記者",)),
        Cue(1500, 4250, ("支持中英雙語輸出", "Q&A <live>")),
        Cue(3_723_004, 3_725_000, ("一小時以後",)),
    ),
)


def test_srt_text() -> None:
    assert to_srt(SMALL) == (
        "1\n00:00:00,000 --> 00:00:01,500\n湖南日報推出數字記者\n\n"
        "2\n00:00:01,500 --> 00:00:04,250\n支持中英雙語輸出\nQ&A <live>\n\n"
        "3\n01:02:03,004 --> 01:02:05,000\n一小時以後\n"
    )


def test_vtt_text() -> None:
    # pysubs2 numbers VTT cues (optional cue identifiers in WebVTT; players ignore them)
    assert to_vtt(SMALL) == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:01.500\n湖南日報推出數字記者\n\n"
        "2\n00:00:01.500 --> 00:00:04.250\n支持中英雙語輸出\nQ&amp;A &lt;live&gt;\n\n"
        "3\n01:02:03.004 --> 01:02:05.000\n一小時以後\n"
    )


def test_caption_text_is_not_read_as_markup() -> None:
    """SRT/VTT go through pysubs2, which knows ASS override tags ({...}) and SRT's HTML
    tags; a caption's own braces and angle brackets are text and must survive."""
    odd = Captions("en", (Cue(0, 1000, ("Rates {up} <b>5%</b>", "M&A, 1 < 2")),))
    assert to_srt(odd) == "1\n00:00:00,000 --> 00:00:01,000\nRates {up} <b>5%</b>\nM&A, 1 < 2\n"
    assert "Rates {up} &lt;b&gt;5%&lt;/b&gt;\nM&amp;A, 1 &lt; 2\n" in to_vtt(odd)
    assert parse_srt(to_srt(odd)) == odd
    empty = Captions("en", ())
    assert (to_srt(empty), to_vtt(empty)) == ("", "WEBVTT\n")


def test_made_captions_to_srt() -> None:
    spans = [Span(0, 1500, ""), Span(1800, 3250, "")]
    caps = make_captions(["你好，世界。", "Hello, world."], spans, "zh")
    assert to_srt(caps) == (
        "1\n00:00:00,000 --> 00:00:01,500\n你好，世界\n\n"
        "2\n00:00:01,800 --> 00:00:03,250\nHello, world.\n"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_srt_round_trip(lang: Lang, zh_caps: Captions, en_caps: Captions) -> None:
    caps, _ = _caps(lang, zh_caps, en_caps)
    assert parse_srt(to_srt(caps)) == caps
    assert parse_srt(to_srt(SMALL), "zh") == SMALL
    assert parse_srt(to_srt(caps).replace("\n", "\r\n")) == caps


def test_write_captions(tmp_path: Path) -> None:
    srt, vtt = tmp_path / "out" / "zh.srt", tmp_path / "out" / "zh.vtt"
    write_captions(SMALL, srt, vtt)
    assert srt.read_text(encoding="utf-8") == to_srt(SMALL)
    assert vtt.read_text(encoding="utf-8") == to_vtt(SMALL)
    assert sorted(p.name for p in srt.parent.iterdir()) == ["zh.srt", "zh.vtt"]


def test_write_captions_leaves_nothing_half_written(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    srt = tmp_path / "zh.srt"
    srt.write_text("old", encoding="utf-8")

    def boom(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("anchor.core.cache.os.replace", boom)  # the one atomic writer
    with pytest.raises(OSError, match="disk full"):
        write_captions(SMALL, srt, None)
    assert srt.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["zh.srt"]


# ---------------------------------------------------------------- bilingual


def test_bilingual_cues(zh_caps: Captions) -> None:
    en_on_zh = make_captions(EN, ZH_SPANS, "en")  # English shown on the Mandarin voice
    cues = bilingual_cues(zh_caps, en_on_zh, spoken="zh")
    zh_lines = {line for c in zh_caps.cues for line in c.lines}
    en_lines = {line for c in en_on_zh.cues for line in c.lines}
    for a, b in itertools.pairwise(cues):
        assert a.end_ms <= b.start_ms
    for cue in cues:
        assert cue.end_ms - cue.start_ms >= MIN_CUE_MS
        n_zh = sum(line in zh_lines for line in cue.lines)
        assert 1 <= n_zh <= MAX_LINES and 1 <= len(cue.lines) - n_zh <= MAX_LINES
        assert all(line in zh_lines for line in cue.lines[:n_zh])  # zh above en
        assert all(line in en_lines for line in cue.lines[n_zh:])
    # every cue of each language is shown, and the spoken language keeps its times
    shown = [c.lines for c in cues]
    for c in zh_caps.cues:
        assert any(s[: len(c.lines)] == c.lines for s in shown)
        assert any(b.start_ms == c.start_ms for b in cues)
    for c in en_on_zh.cues:
        assert any(s[-len(c.lines) :] == c.lines for s in shown)
    # spans are covered exactly: bilingual cues start and end with the sentences
    assert cues[0].start_ms == ZH_SPANS[0].start_ms and cues[-1].end_ms == ZH_SPANS[-1].end_ms


def test_bilingual_equal_cuts_pair_one_to_one() -> None:
    zh = Captions("zh", (Cue(0, 2000, ("你好",)), Cue(2000, 4000, ("世界",))))
    en = Captions("en", (Cue(0, 2300, ("Hello",)), Cue(2300, 4000, ("world",))))
    assert bilingual_cues(zh, en) == (
        Cue(0, 2000, ("你好", "Hello")),
        Cue(2000, 4000, ("世界", "world")),
    )
    assert bilingual_cues(zh, en, spoken="en") == (
        Cue(0, 2300, ("你好", "Hello")),
        Cue(2300, 4000, ("世界", "world")),
    )
