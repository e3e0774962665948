"""Character and word error rates used to judge the voices (pure functions)."""

from __future__ import annotations

import pytest

from anchor.speech.asr import cer, wer


def test_cer_identical_text_ignores_punctuation_and_spaces() -> None:
    assert cer("湖南日报的数字记者，可以播报新闻。", "湖南日报的数字记者 可以播报新闻") == 0.0


def test_cer_counts_substitutions_insertions_and_deletions() -> None:
    assert cer("数字记者", "数学记者") == pytest.approx(1 / 4)
    assert cer("数字记者", "数字记") == pytest.approx(1 / 4)
    assert cer("数字记者", "数字记者们") == pytest.approx(1 / 4)


def test_cer_compares_numbers_as_spoken() -> None:
    # the script writes digits; the recogniser may write the words it heard, or digits
    assert cer("相似度达到95%。", "相似度达到百分之九十五") == 0.0
    assert cer("2025年大会", "二零二五年大会") == 0.0


def test_cer_is_case_blind_for_latin_letters() -> None:
    assert cer("使用AI技术", "使用ai技术") == 0.0


def test_wer_ignores_case_and_punctuation() -> None:
    assert wer("The reporter reads the news.", "the reporter reads the news") == 0.0


def test_wer_counts_word_errors() -> None:
    assert wer("the reporter reads the news", "the reporter read the news") == pytest.approx(1 / 5)
    assert wer("the reporter reads the news", "reporter reads the news") == pytest.approx(1 / 5)


def test_wer_treats_written_and_spoken_percent_alike() -> None:
    assert wer("It grew 95% in 2025.", "It grew 95 percent in 2025") == 0.0
    assert wer("1,250 people", "1250 people") == 0.0


def test_empty_reference() -> None:
    assert cer("", "") == 0.0
    assert cer("", "多余") == 1.0
    assert wer("", "") == 0.0
