"""Compose: everything a renderer needs for one clip, as one RenderSpec.

Also the clip's timeline: with the brand's bumpers the clip opens with intro_ms of
title card and ends with outro_ms of end card, so the voice track is padded with
that much silence (``timeline_speech``) before the captions are timed on it. Every
time after that (sentences, words, cues, cards) is on the video's own clock, and the
SRT/VTT files written from those cues match the MP4.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import wave
from dataclasses import replace
from pathlib import Path

from anchor.assets.brands import visible_label
from anchor.assets.model_store import ensure
from anchor.core.ai_labels import VisibleLabel, aigc_json, aigc_label
from anchor.core.settings import Settings
from anchor.core.timing import ms_to_samples
from anchor.core.values import (
    Avatar,
    Branding,
    Cue,
    Cut,
    FigureCard,
    Lang,
    RenderSpec,
    Script,
    Span,
    Speech,
    to_json,
)
from anchor.edit.charts import chart_of
from anchor.edit.quotes import quote_of

from .figure_cards import figure_cards

__all__ = ["CJK_FONT", "bumper_ms", "clip_label", "compose", "content_id", "cuts_of", "dateline",
           "font_file", "producer", "timeline_speech"]

log = logging.getLogger(__name__)

CJK_FONT = "NotoSansSC-Regular.otf"
_WEEKDAYS_ZH = "一二三四五六日"
# spelled out here: strftime's %A and %B follow the machine's locale
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def font_file() -> Path:
    """The CJK-capable font the project installs itself (no apt step)."""
    return ensure("font-cjk") / CJK_FONT


def bumper_ms(settings: Settings) -> tuple[int, int]:
    """(intro, outro) lengths of this render: the brand's, unless bumpers are off."""
    if not settings.bumpers:
        return 0, 0
    return settings.branding.intro_ms, settings.branding.outro_ms


def _shift(spans: tuple[Span, ...], ms: int) -> tuple[Span, ...]:
    return tuple(Span(s.start_ms + ms, s.end_ms + ms, s.text) for s in spans)


def timeline_speech(speech: Speech, intro_ms: int, outro_ms: int, out_wav: Path) -> Speech:
    """``speech`` on the clip's timeline: ``intro_ms`` of silence before the voice and
    ``outro_ms`` after it (written to ``out_wav``), every sentence and word moved
    along. The voice's samples are copied unchanged, so its loudness stays as set."""
    if intro_ms <= 0 and outro_ms <= 0:
        return speech
    with wave.open(str(speech.audio), "rb") as r:
        params = r.getparams()
        pcm = r.readframes(r.getnframes())
    rate, width = params.framerate, params.sampwidth * params.nchannels
    # whole samples: at 24 kHz a millisecond is 24 of them, so the shift is exact
    before = ms_to_samples(intro_ms, rate)
    after = ms_to_samples(outro_ms, rate)
    out_wav.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out_wav), "wb") as w:
        w.setparams(params)
        w.writeframes(bytes(before * width) + pcm + bytes(after * width))
    return replace(
        speech, audio=out_wav, duration_ms=speech.duration_ms + intro_ms + outro_ms,
        sentences=_shift(speech.sentences, intro_ms), words=_shift(speech.words, intro_ms),
        phonemes=_shift(speech.phonemes, intro_ms),
    )


def dateline(lang: str, date: datetime.date) -> str:
    """The date as a news bumper writes it: 2025年11月12日 星期三 / Wednesday 12 November 2025."""
    if lang == "zh":
        return f"{date.year}年{date.month}月{date.day}日 星期{_WEEKDAYS_ZH[date.weekday()]}"
    return f"{_WEEKDAYS_EN[date.weekday()]} {date.day} {_MONTHS_EN[date.month - 1]} {date.year}"


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # an unknown placeholder stays as written


def _brand_for(branding: Branding, lang: Lang, headline: str, date: str) -> Branding:
    """The brand's texts in ``lang``, with the ticker's placeholders filled in."""
    b = branding.in_language(lang)
    ticker = b.ticker
    if ticker.strip():
        # stray braces in the text (ValueError): show it as written
        with contextlib.suppress(ValueError, IndexError):
            ticker = ticker.format_map(_Keep(headline=headline, date=date, channel=b.channel))
    return replace(b, ticker=ticker)


def cuts_of(script: Script, sentences: tuple[Span, ...], lang: Lang) -> tuple[Cut, ...]:
    """The edit list of ``script`` on this clip's clock, in ``lang``: one cut per sentence
    (a visual on two sentences makes one cut), each from the middle of the pause before
    its sentence to the middle of the pause after it. A visual this language cannot draw
    (a chart whose figures differ in the translation, a quote without quotation marks)
    makes a presenter shot, with one warning."""
    cuts: list[Cut] = []
    n = min(len(sentences), len(script.segments))
    for i in range(n):
        seg, span = script.segments[i], sentences[i]
        start = span.start_ms if i == 0 else (sentences[i - 1].end_ms + span.start_ms) // 2
        end = span.end_ms if i == n - 1 else (span.end_ms + sentences[i + 1].start_ms) // 2
        shot, v = (seg.shot or "presenter"), seg.visual
        cut = Cut(start, end, shot if v is not None else "presenter", v)
        if v is not None and v.kind == "chart":
            chart = chart_of([script.segments[k].text(lang) for k in v.sentences
                              if k < len(script.segments)], lang)
            if chart is None:
                log.warning("sentence %d: the %s text gives no chart of its figures; "
                            "it stays on the presenter", i + 1, lang)
                cut = Cut(start, end, "presenter")
            else:
                cut = replace(cut, bars=chart.bars, unit=chart.unit, title=chart.title)
        elif v is not None and v.kind == "quote":
            words = quote_of(seg.text(lang))
            if not words:
                log.warning("sentence %d: no quotation marks in the %s text for a quote "
                            "card; it stays on the presenter", i + 1, lang)
                cut = Cut(start, end, "presenter")
            else:
                cut = replace(cut, text=words)
        if cuts and cut.visual is not None and cuts[-1].visual == cut.visual \
                and cuts[-1].shot == cut.shot:
            cuts[-1] = replace(cuts[-1], end_ms=end)  # one visual over both sentences
        else:
            cuts.append(cut)
    return tuple(cuts)


def _cards_on_presenter(cards: tuple[FigureCard, ...], cuts: tuple[Cut, ...]
                        ) -> tuple[FigureCard, ...]:
    """Figure cards only where the presenter is alone: a visual says more, and the card's
    slot is the visual's box."""
    busy = [(c.start_ms, c.end_ms) for c in cuts if c.visual is not None]
    return tuple(card for card in cards
                 if not any(a < card.end_ms and card.start_ms < b for a, b in busy))


def _spec_font(branding: Branding) -> Path:
    return branding.font if branding.font is not None else font_file()


def producer(settings: Settings) -> str:
    """Who the files' AIGC label names as the producer: the brand's (or [branding]'s)
    producer, else its channel name."""
    b = settings.branding
    return b.producer.strip() or b.channel.strip() or "Anchor"


def content_id(key: str, label: str) -> str:
    """The content ID of one output of a render (a clip, the thumbnail): its render key
    (the same inputs give the same ID, so renders stay bit-exact) and what it is."""
    return f"anchor:{key[:32]}:{label}"


def clip_label(settings: Settings, label: str, spoken: Lang) -> VisibleLabel | None:
    """The visible AI label of one clip (both languages on a bilingual one), or None
    when the settings switch it off."""
    if not settings.ai_label:
        return None
    langs: tuple[str, ...] = ("zh", "en") if label == "bilingual" else (spoken,)
    return visible_label(settings.branding, langs)


def compose(
    *,
    label: str,
    script: Script,
    speech: Speech,
    cues: tuple[Cue, ...],
    avatar: Avatar,
    settings: Settings,
    headline_lang: str,
    key: str = "",
) -> RenderSpec:
    """The spec of one clip. ``speech`` is already on the clip's timeline
    (``timeline_speech``): its sentences time the figure cards. ``key`` (the render key)
    makes the content ID of the clip's AIGC label; without it, the script's hash does."""
    width, height = settings.size
    lang: Lang = "zh" if headline_lang == "zh" else "en"
    other: Lang = "en" if lang == "zh" else "zh"
    day = datetime.date.fromisoformat(settings.date) if settings.date else datetime.date.today()
    date = dateline(lang, day)
    headline = script.title(lang)
    branding = _brand_for(settings.branding, lang, headline, date)
    intro_ms, outro_ms = bumper_ms(settings)
    cards = (figure_cards(script.texts(lang), speech.sentences, lang, cues)
             if settings.cards else ())
    cuts = cuts_of(script, speech.sentences, lang) if settings.studio else ()
    if cuts:
        cards = _cards_on_presenter(cards, cuts)
    return RenderSpec(
        language=label,
        width=width,
        height=height,
        fps=settings.fps,
        duration_ms=speech.duration_ms,
        audio=speech.audio,
        avatar=avatar,
        headline=headline,
        presenter=avatar.name_in(lang),
        presenter_title=avatar.title_in(lang),
        cues=cues,
        branding=branding,
        font_file=_spec_font(branding),
        seed=settings.seed,
        preset=settings.preset,
        crf=settings.crf,
        words=speech.words,
        intro_ms=intro_ms,
        outro_ms=outro_ms,
        cards=cards,
        dateline=date,
        headline_other=script.title(other) if label == "bilingual" else "",
        voice_language=speech.language,
        ai_label=clip_label(settings, label, lang),
        aigc=aigc_json(aigc_label(producer(settings), content_id(
            key or hashlib.sha256(to_json(script).encode()).hexdigest(), label))),
        studio=settings.studio,
        cuts=cuts,
        lang=lang,
    )
