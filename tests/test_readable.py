"""Characters the voices cannot read are found with their place and a suggestion, and the
voices read them by the fallback rule instead of raising (𡃁 once killed a reviewed job)."""

from __future__ import annotations

from pathlib import Path

from fake_pipeline import make_test_app
from fastapi.testclient import TestClient

from anchor.language.readable import find_unreadable, read_fallback
from anchor.language.spoken import normalize

TEXT = "香港𡃁仔今日到场。\n第二行有\ue000私用字和\x07控制符，𠀀𪚥可读。"


def test_found_with_place_and_suggestion() -> None:
    found = find_unreadable(TEXT, "zh")
    assert [(u.codepoint, u.line, u.column, u.suggestion) for u in found] == [
        ("U+210C1", 1, 3, "靓"), ("U+E000", 2, 5, ""), ("U+0007", 2, 10, "")]
    assert "private-use" in found[1].why and "control" in found[2].why
    # Han extension B with a reading (𠀀 hē, 𪚥 zhé) is fine
    assert find_unreadable("𠀀𪚥", "zh") == []
    assert [u.codepoint for u in find_unreadable("A \ue000 B", "en")] == ["U+E000"]
    assert find_unreadable("Windows\r\nline\tends\x0b", "en") == []
    assert find_unreadable("a\x07b\ufeff", "en", ingested=True) == []


def test_the_voice_reads_by_the_fallback_rule() -> None:
    from anchor.speech.phonemes import zh_pieces

    assert read_fallback(TEXT, "zh").startswith("香港靓仔今日到场。")
    spoken = normalize("香港𡃁仔今日到场", "zh")
    assert "𡃁" not in spoken
    assert zh_pieces(spoken)  # raised ValueError on 𡃁 before


def test_submission_says_where_and_offers_the_fallback(tmp_path: Path) -> None:
    with TestClient(make_test_app(tmp_path), base_url="http://127.0.0.1") as c:
        r = c.post("/api/jobs", json={"text": TEXT})
        assert r.status_code == 422
        body = r.json()
        # the control character is one the article clean-up removes: not the reporter's
        # problem; the private-use one and 𡃁 are
        assert "2 characters the voices cannot read" in body["error"]
        assert body["characters"][0] == {"char": "𡃁", "codepoint": "U+210C1", "line": 1,
                                         "column": 3, "index": 2, "suggestion": "靓",
                                         "why": body["characters"][0]["why"]}
        page = c.post("/jobs", data={"text": TEXT, "langs": "zh"},
                      headers={"accept": "text/html"})
        assert page.status_code == 422 and "Line 1, column 3" in page.text
        assert 'name="fallback_reading"' in page.text and "香港𡃁仔" in page.text
        r = c.post("/api/jobs", json={"text": TEXT, "fallback_reading": True})
        assert r.status_code == 201, r.text
        assert "will be read as suggested" in r.json()["progress"][0]["message"]
