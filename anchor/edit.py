"""The edit list: which shot and which visual each sentence gets, chosen after translation.

Deterministic rules, the way a news package is cut:

- the first and the last sentence are on the presenter (she opens and closes the story);
- a sentence between them goes to its visual where one fits, in this order: a chart when
  it (or it and the next sentence) compares figures of one kind; the story's picture
  placed at its paragraph; a quote card for a direct quote; a picture not used yet;
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

from .charts import chart_of, chart_source
from .models import ArticleImage, Lang, Script, Segment, Visual
from .quotes import quote_of, speaker_of
from .render.visuals.picture import PictureError, check_picture, fits

__all__ = ["image_shot", "plan_edit", "sentence_paragraphs"]

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


def image_shot(image: ArticleImage, full: tuple[int, int], ots: tuple[int, int]) -> str:
    """"full" when the picture fills the frame, "ots" when it fills the shoulder box,
    "" (with one warning) when it is unreadable or too small for either."""
    try:
        info = check_picture(image.path)
    except PictureError as exc:
        log.warning("%s; its sentence stays on the presenter (%s)", exc.message, exc.hint)
        return ""
    if fits(info, *full):
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
    lang: Lang = script.source_language
    other: Lang = "en" if lang == "zh" else "zh"
    n = len(script.segments)
    for span in ((i,), (i, i + 1)):
        if span[-1] >= n:
            continue
        texts = [script.segments[k].text(lang) for k in span]
        # both languages must make the same chart, or the two clips would disagree
        mine = chart_of(texts, lang)
        theirs = chart_of([script.segments[k].text(other) for k in span], other)
        if mine and theirs and [b.value for b in mine.bars] == [b.value for b in theirs.bars]:
            source = chart_source(texts, lang)
            return Visual(kind="chart", sentences=span, source=source)
    return None


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


def plan_edit(script: Script, images: Sequence[ArticleImage] = (),
              paragraphs: Sequence[str] = (), *, full: tuple[int, int] = (1920, 1080),
              ots: tuple[int, int] = (768, 432)) -> Script:
    """``script`` with a shot and a visual on every segment that has none yet. ``full``
    and ``ots`` are the sizes a picture must fill (anchor.render.layout says them)."""
    segs = list(script.segments)
    n = len(segs)
    if all(s.shot for s in segs):
        return script
    where = sentence_paragraphs(script, paragraphs) if paragraphs else [-1] * n
    shots = {k: image_shot(img, full, ots) for k, img in enumerate(images)}
    usable = [k for k in range(len(images)) if shots[k]]
    used: set[int] = {k for k in usable for s in segs
                      if s.visual and s.visual.image == images[k].path}
    chosen: dict[int, tuple[str, Visual | None]] = {}
    named: set[str] = set()
    middle = range(1, n - 1) if n >= 3 else range(0)
    for i in middle:
        if segs[i].shot:
            continue
        before = chosen[i - 1][1] if i - 1 in chosen else None
        if before is not None and before.kind == "chart" and i in before.sentences:
            chosen[i] = chosen[i - 1]  # a chart over two sentences stays up for both
            continue
        chart = _chart(script, i)
        if chart is not None and chart.sentences[-1] < n - 1:
            chosen[i] = ("full", chart)
            continue
        # a picture stands beside the text it shows: the paragraph after it, or before
        here = next((k for k in usable if k not in used and images[k].paragraph >= 0
                     and where[i] - images[k].paragraph in (1, 0)), None)
        if here is not None:
            used.add(here)
            chosen[i] = (shots[here], _image_visual(images[here]))
            continue
        quote = _quote(segs[i])
        if quote is not None:
            chosen[i] = ("ots", quote)
            named.update({quote.name_en, quote.name_zh} - {""})
            continue
        spare = next((k for k in usable if k not in used), None)
        if spare is not None:
            used.add(spare)
            chosen[i] = (shots[spare], _image_visual(images[spare]))
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
