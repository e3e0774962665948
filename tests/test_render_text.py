"""Pillow text helpers: wrapping Chinese and English, ellipses, caption sprites."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import font_file

from anchor.core.errors import RenderError
from anchor.render.graphics.layout import inside, layout_for
from anchor.render.graphics.lettering import (
    ELLIPSIS,
    caption_sprite,
    check_font,
    ellipsize,
    fit_lines,
    font,
    wrap,
)


@pytest.fixture(scope="module")
def noto() -> Path:
    return font_file()


def test_wrap_chinese_breaks_between_characters_not_before_punctuation(noto: Path) -> None:
    f = font(noto, 20)
    text = "湖南日报的数字记者可以同时用中文和英文播报新闻，相似度达到百分之九十五。"
    lines = wrap(text, f, 200, 9)
    assert "".join(lines) == text
    assert all(f.getlength(line) <= 200 for line in lines)
    assert not any(line[0] in "，。、" for line in lines)


def test_wrap_english_breaks_at_spaces(noto: Path) -> None:
    f = font(noto, 20)
    text = "Hunan Daily's digital reporters read the news in Chinese and English"
    lines = wrap(text, f, 220, 9)
    assert " ".join(lines) == text
    assert all(f.getlength(line) <= 220 for line in lines)


def test_wrap_cuts_with_an_ellipsis(noto: Path) -> None:
    f = font(noto, 20)
    lines = wrap("数字记者" * 40, f, 200, 2)
    assert len(lines) == 2 and lines[-1].endswith(ELLIPSIS)
    assert all(f.getlength(line) <= 200 for line in lines)
    assert ellipsize("short", f, 200) == "short"
    # English is cut between words, not inside one
    text = "Digital reporters debut at the China New Media Conference"
    kept = wrap(text, f, 260, 1)[0]
    assert kept.endswith(ELLIPSIS)
    assert text.startswith(kept[:-1]) and text[len(kept) - 1] == " "
    assert ellipsize("a much longer line of text", f, 80).endswith(ELLIPSIS)


def test_caption_sprite_sits_in_the_caption_area(noto: Path) -> None:
    for size in ((1920, 1080), (1080, 1920)):
        lay = layout_for(*size)
        sprite = caption_sprite(["数字主播播报新闻", "A digital presenter reads the news"],
                                lay, noto)
        assert sprite is not None
        assert inside(sprite.box, lay.caption)
        assert sprite.rgba.shape == (sprite.box.h, sprite.box.w, 4)
        assert sprite.box.y + sprite.box.h == lay.caption.y + lay.caption.h  # bottom-anchored
        alpha = sprite.rgba[..., 3]
        # glyphs are white and opaque, the box behind them translucent
        assert (alpha == 255).any() and ((alpha > 100) & (alpha < 200)).any()
        # nothing drawn touches the sprite's bottom row: descenders are not cut
        glyphs = (sprite.rgba[..., :3].min(axis=2) > 200) & (alpha == 255)
        assert not glyphs[-1].any()


def test_long_caption_is_rewrapped_not_cut(noto: Path) -> None:
    lay = layout_for(1080, 1920)
    words = "Hunan Daily's digital reporters can broadcast news in Chinese and English"
    sprite = caption_sprite([words], lay, noto)
    assert sprite is not None and inside(sprite.box, lay.caption)
    # taller than one line: it was wrapped
    assert sprite.box.h > 2 * lay.caption_px


def test_empty_caption_and_missing_font(tmp_path: Path, noto: Path) -> None:
    assert caption_sprite(["  "], layout_for(320, 180), noto) is None
    with pytest.raises(RenderError):
        check_font(tmp_path / "nope.otf")
    assert np.asarray(font(noto, 12).getbbox("字")).size == 4


def test_bilingual_lines_are_wrapped_apart(noto: Path) -> None:
    zh = "在2025中国新媒体大会上首次亮相。"
    en = "in Chinese and English at the same time, said the paper."
    f, lines = fit_lines([zh, en], noto, 52, 900, 400)
    assert lines[0] == zh  # the Chinese line is not merged with the English one
    assert " ".join(lines[1:]) == en
    assert all(f.getlength(line) <= 900 for line in lines)


def test_fit_prefers_a_slightly_smaller_font_to_more_lines(noto: Path) -> None:
    line = "Hunan Daily's digital reporters read the news"
    width = font(noto, 52).getlength(line)
    f, lines = fit_lines([line], noto, 52, width * 0.93, 400)
    assert lines == [line] and f.size < 52


def test_rewrapped_caption_has_no_orphan_word(noto: Path) -> None:
    line = "Hunan Daily's digital reporters can read the news"
    f = font(noto, 48)
    width = f.getlength(line) * 0.75  # too narrow even at 80%: must wrap to two lines
    f, lines = fit_lines([line], noto, 48, width, 400)
    assert len(lines) == 2 and " ".join(lines) == line
    shorter, longer = sorted(f.getlength(x) for x in lines)
    assert shorter > 0.5 * longer  # balanced, not "…read the" + "news"
