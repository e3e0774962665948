"""The edit list: which shot and which visual each sentence gets, chosen after translation.

Deterministic rules, the way a news package is cut:

- the first and the last sentence are on the presenter (she opens and closes the story);
- a sentence between them goes to its visual where one fits, in this order: a chart when
  it (or it and the next sentence) compares figures of one kind; a story picture about
  the same thing (anchor.edit.relevance: its caption and the sentence measured on e5
  embeddings, its place in the article as evidence; the best pairs first, each picture
  once); a quote card for a direct quote. A sentence with no relevant picture keeps the
  presenter: a picture is never put on a sentence because it is still unused;
- a picture that fills the frame goes full screen, a smaller one over the shoulder, one
  too small or unreadable nowhere (one warning, the sentence stays on the presenter);
  charts go full screen, quote cards over the shoulder;
- a person first named with a role, on a sentence that keeps the presenter, gets a name
  strap.

A segment whose ``shot`` is already set (an edited script) is left as it is: a person's
choice wins. Choosing never touches the text, so the translation's cache key is the
same whatever the edit; a re-render after an edit reuses the speech too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from anchor.core.values import ArticleImage, Lang, Script, Segment, Visual
from anchor.render.visuals.picture import PictureError, check_picture, fits

from .charts import chart_of, chart_source
from .quotes import quote_of, speaker_of
from .relevance import MIN_Z, NEAR_BONUS, NEAR_Z, scores

__all__ = ["image_shot", "picture_matches", "plan_edit", "sentence_paragraphs"]

log = logging.getLogger(__name__)


def sentence_paragraphs(script: Script, paragraphs: Sequence[str]) -> list[int]:
    """The paragraph of the article each sentence of the script comes from (-1: none)."""
    lang = script.source_language
    squash = [re.sub(r"\s+", "", p) for p in paragraphs]
    out = []
    for seg in script.segments:
        key = re.sub(r"\s+", "", seg.text(lang))[:16]
        out.append(next((i for i, p in enumerate(squash) if key and key in p), -1))
    return out


def image_shot(image: ArticleImage, full: tuple[int, int], ots: tuple[int, int], *,
               portrait: bool = False) -> str:
    """"full" when the picture fills the frame, "ots" when it fills the shoulder box,
    "" (with one warning) when it is unreadable or too small for either. In a vertical
    or square frame a picture goes above the presenter ("ots"); full screen only when
    it is itself upright (a landscape picture would lose its sides)."""
    try:
        info = check_picture(image.path)
    except PictureError as exc:
        log.warning("%s; its sentence stays on the presenter (%s)", exc.message, exc.hint)
        return ""
    if fits(info, *full) and (not portrait or info.height > info.width):
        return "full"
    if fits(info, *ots):
        return "ots"
    log.warning("picture %s is %dx%d, smaller than its box; its sentence stays on the "
                "presenter (use a larger original)", image.path.name, info.width, info.height)
    return ""


def _image_visual(image: ArticleImage) -> Visual:
    return Visual(kind="image", image=image.path, caption=image.caption or image.alt,
                  credit=image.credit)


def _chart(script: Script, i: int) -> Visual | None:
    """A chart of sentence ``i``'s figures, or of ``i`` and ``i + 1`` together when each
    gives one figure of the comparison (neither makes a chart alone)."""
    lang: Lang = script.source_language
    other: Lang = "en" if lang == "zh" else "zh"
    n = len(script.segments)

    def both(span: tuple[int, ...]) -> Visual | None:
        texts = [script.segments[k].text(lang) for k in span]
        # both languages must make the same chart, or the two clips would disagree
        mine = chart_of(texts, lang)
        theirs = chart_of([script.segments[k].text(other) for k in span], other)
        if mine and theirs and [b.value for b in mine.bars] == [b.value for b in theirs.bars]:
            return Visual(kind="chart", sentences=span, source=chart_source(texts, lang))
        return None

    alone = both((i,))
    if alone is not None or i + 1 >= n:
        return alone
    if chart_of([script.segments[i].text(lang)], lang) or \
            chart_of([script.segments[i + 1].text(lang)], lang):
        return None  # one of them compares its own figures: its chart, not a joint one
    return both((i, i + 1))


def _quote(seg: Segment) -> Visual | None:
    if not (quote_of(seg.zh) and quote_of(seg.en)):
        return None
    zh, en = speaker_of(seg.zh, "zh"), speaker_of(seg.en, "en")
    if zh is None and en is None:
        return None
    return Visual(kind="quote", name_zh=zh.name if zh else "", name_en=en.name if en else "",
                  role_zh=zh.role if zh else "", role_en=en.role if en else "")


def _strap(seg: Segment) -> Visual | None:
    zh, en = speaker_of(seg.zh, "zh"), speaker_of(seg.en, "en")
    if en is None or not en.role:
        return None
    return Visual(kind="strap", name_zh=zh.name if zh else en.name, name_en=en.name,
                  role_zh=zh.role if zh else "", role_en=en.role)


def picture_matches(script: Script, images: Sequence[ArticleImage], where: Sequence[int],
                    free: Sequence[int], usable: Sequence[int]) -> dict[int, int]:
    """Sentence → picture for the sentences ``free`` and the pictures ``usable``: a pair
    only where the picture is relevant (``MIN_Z``, or ``NEAR_Z`` beside its sentence),
    the best first, each picture and each sentence once."""
    if not free or not usable:
        return {}
    z = scores([images[k] for k in usable], script)
    pairs: list[tuple[float, int, int]] = []
    for row, k in enumerate(usable):
        for i in free:
            v = float(z[row, i])
            if np.isnan(v):
                continue
            near = images[k].paragraph >= 0 and where[i] - images[k].paragraph in (0, 1)
            if v >= MIN_Z or (near and v >= NEAR_Z):
                pairs.append((v + (NEAR_BONUS if near else 0.0), k, i))
    out: dict[int, int] = {}
    taken: set[int] = set()
    for _score, k, i in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if i not in out and k not in taken:
            out[i] = k
            taken.add(k)
    return out


def plan_edit(script: Script, images: Sequence[ArticleImage] = (),
              paragraphs: Sequence[str] = (), *, full: tuple[int, int] = (1920, 1080),
              ots: tuple[int, int] = (768, 432), portrait: bool = False) -> Script:
    """``script`` with a shot and a visual on every segment that has none yet. ``full``
    and ``ots`` are the sizes a picture must fill (anchor.render.graphics.layout says them);
    ``portrait``: a vertical or square frame, where a picture goes above the presenter
    (``ots``) and full screen only when it is itself upright."""
    segs = list(script.segments)
    n = len(segs)
    if all(s.shot for s in segs):
        return script
    where = sentence_paragraphs(script, paragraphs) if paragraphs else [-1] * n
    shots = {k: image_shot(img, full, ots, portrait=portrait) for k, img in enumerate(images)}
    usable = [k for k in range(len(images)) if shots[k]]
    used: set[int] = {k for k in usable for s in segs
                      if s.visual and s.visual.image == images[k].path}
    chosen: dict[int, tuple[str, Visual | None]] = {}
    named: set[str] = set()
    middle = range(1, n - 1) if n >= 3 else range(0)
    for i in middle:  # charts first: a comparison of figures is the clearest visual
        if segs[i].shot or i in chosen:
            continue
        chart = _chart(script, i)
        if chart is not None and chart.sentences[-1] < n - 1:
            for k in chart.sentences:  # a chart over two sentences stays up for both
                if not segs[k].shot:
                    chosen[k] = ("full" if not portrait else "ots", chart)
    free = [i for i in middle if not segs[i].shot and i not in chosen]
    for i, k in picture_matches(script, images, where, free,
                                [k for k in usable if k not in used]).items():
        chosen[i] = (shots[k], _image_visual(images[k]))
    for i in middle:
        if segs[i].shot or i in chosen:
            continue
        quote = _quote(segs[i])
        if quote is not None:
            chosen[i] = ("ots", quote)
            named.update({quote.name_en, quote.name_zh} - {""})
    for i in range(n):
        if segs[i].shot or i in chosen:
            continue
        strap = _strap(segs[i])
        if strap is not None and strap.name_en not in named:
            named.add(strap.name_en)
            chosen[i] = ("presenter", strap)
        else:
            chosen[i] = ("presenter", None)
    out = [replace(s, shot=chosen[i][0], visual=chosen[i][1]) if i in chosen else s
           for i, s in enumerate(segs)]
    return replace(script, segments=tuple(out))
