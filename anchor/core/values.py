"""Frozen values that flow between stages, and their JSON form.

Every stage takes one of these and returns the next, so any stage result can be
written to disk, edited by a person (the script) and read back.
All times are integer milliseconds.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TypeVar

from .ai_labels import VisibleLabel

__all__ = [
    "SHOTS",
    "VISUAL_KINDS",
    "Article",
    "ArticleImage",
    "Avatar",
    "Bar",
    "Box",
    "Branding",
    "Captions",
    "Consent",
    "Cue",
    "Cut",
    "FigureCard",
    "Lang",
    "RenderResult",
    "RenderSpec",
    "Script",
    "Segment",
    "Span",
    "Speech",
    "Summary",
    "Visual",
    "VoicePreset",
    "from_dict",
    "from_json",
    "to_dict",
    "to_json",
]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True, slots=True)
class ArticleImage:
    """A picture of the story: a Markdown image, an HTML <figure>, a web upload or a batch
    manifest's ``images`` column. Checked (decoded, sized) only when it is put on screen."""

    path: Path  # absolute once ingested
    caption: str = ""
    credit: str = ""  # shown as "Photo: …"
    alt: str = ""
    paragraph: int = -1  # the paragraph it stands beside (-1: not placed in the text)


@dataclass(frozen=True, slots=True)
class Article:
    """An ingested article: decoded, cleaned, language and script detected."""

    title: str
    paragraphs: tuple[str, ...]
    language: Lang
    variant: str  # "Hans" or "Hant" for Chinese, "" for English
    source: str  # path, "-" for stdin, or "inline"
    sha256: str  # of the cleaned text; the cache key of later stages
    images: tuple[ArticleImage, ...] = ()  # not in sha256: pictures never change the script

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Summary:
    """Broadcast summary in the source language, sentences in article order."""

    language: Lang
    title: str
    sentences: tuple[str, ...]
    key_figures: tuple[str, ...]  # numbers, percentages, years found in the sentences
    backend: str


# The shots of the edit list (anchor.edit.plan): the presenter alone, the presenter with the
# visual in a box over the shoulder, the visual full screen while the voice goes on.
SHOTS = ("presenter", "ots", "full")
VISUAL_KINDS = ("image", "chart", "quote", "strap")


@dataclass(frozen=True, slots=True)
class Visual:
    """What a sentence shows besides the presenter (``Segment.visual``).

    image: one of the story's pictures (``image``, with ``caption`` and ``credit``).
    chart: the comparable figures of ``sentences`` (script indexes), parsed from each
    clip's own text when it is drawn, never typed here. quote: the words in quotation
    marks of the sentence, with the speaker. strap: a name strap (name and role) when a
    person is first named. ``name_*``/``role_*`` are the speaker's in each language.
    """

    kind: str
    image: Path | None = None
    caption: str = ""
    credit: str = ""
    sentences: tuple[int, ...] = ()
    source: str = ""  # chart: where the figures come from ("" : the story)
    name_zh: str = ""
    name_en: str = ""
    role_zh: str = ""
    role_en: str = ""

    def name(self, lang: str) -> str:
        """The name in ``lang``, else as the other language writes it (a foreign name
        stays in its own letters rather than going missing)."""
        own, other = (self.name_zh, self.name_en) if lang == "zh" else (self.name_en, self.name_zh)
        return own or other

    def role(self, lang: str) -> str:
        return self.role_zh if lang == "zh" else self.role_en


@dataclass(frozen=True, slots=True)
class Segment:
    """One sentence of the script in both languages."""

    index: int
    zh: str
    en: str
    warnings: tuple[str, ...] = ()  # e.g. "number 95% missing in en"
    review: bool = False  # the checks still fault it after retries: a person must look
    # who confirmed it as it stands after the checks spoke (ticked "checked", or edited
    # it): a review flag with a name here is cleared, and the name goes into the manifest
    checked_by: str = ""
    # The edit list: chosen after translation (anchor.edit.plan), so never in the script's
    # cache key; "" until chosen (an old script.json), then one of SHOTS.
    shot: str = ""
    visual: Visual | None = None

    @property
    def needs_review(self) -> bool:
        """Marked for review and nobody has checked it yet."""
        return self.review and not self.checked_by

    def text(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class Script:
    """The bilingual broadcast script a reporter may edit before rendering."""

    title_zh: str
    title_en: str
    source_language: Lang
    zh_variant: str  # "Hans" or "Hant": the script the zh text is written in
    segments: tuple[Segment, ...]
    backend: str  # translation backend and model that produced it
    title_warnings: tuple[str, ...] = ()  # what the checks found wrong with the headline
    glossary: tuple[str, ...] = ()  # the glossary files the names were rendered from
    title_checked_by: str = ""  # who confirmed the headline despite its warnings

    @property
    def title_needs_review(self) -> bool:
        return bool(self.title_warnings) and not self.title_checked_by

    def title(self, lang: Lang) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def texts(self, lang: Lang) -> tuple[str, ...]:
        return tuple(s.text(lang) for s in self.segments)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(f"headline: {w}" for w in self.title_warnings) + tuple(
            f"sentence {s.index + 1}: {w}" for s in self.segments for w in s.warnings)

    @property
    def flagged(self) -> tuple[int, ...]:
        """Indexes of the sentences marked for review (-1: the headline)."""
        return ((-1,) if self.title_needs_review else ()) + tuple(
            s.index for s in self.segments if s.needs_review)


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the audio track: a sentence or a word."""

    start_ms: int
    end_ms: int
    text: str

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True, slots=True)
class Speech:
    """One language's voice track: a mono WAV plus where each sentence lies in it."""

    language: Lang
    audio: Path
    sample_rate: int
    duration_ms: int
    sentences: tuple[Span, ...]  # one per script segment, same order
    words: tuple[Span, ...]  # word timings where the backend gives them, else ()
    backend: str
    voice: str
    # Phoneme timings where the backend predicts them (Kokoro, hibari): one span per
    # articulated phoneme in misaki's IPA (tone, length and aspiration marks kept with it,
    # a stress mark with the phoneme after it), for visemes. Gaps are pauses. Else ().
    phonemes: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class Captions:
    language: Lang
    cues: tuple[Cue, ...]


@dataclass(frozen=True, slots=True)
class Box:
    """A pixel rectangle in an image or a frame."""

    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2


@dataclass(frozen=True, slots=True)
class Consent:
    """Whose face a presenter shows and whether they agreed to present: the [consent]
    table of its TOML (anchor.assets.consent reads and writes it, and says who may render)."""

    real_person: bool | None = None  # None: the TOML does not say (refused for a render)
    person: str = ""  # who the face belongs to
    agreed: bool = False  # they gave their separate consent to be a presenter
    date: str = ""  # when, YYYY-MM-DD
    record: str = ""  # where the signed consent is kept
    note: str = ""  # e.g. "drawn by scripts/make_avatar.py: no real person"
    tests_only: bool = False  # kept for tests of what it exercises, never to publish


@dataclass(frozen=True, slots=True)
class Avatar:
    """A presenter: a portrait photo plus optional hints from its TOML."""

    name: str
    display_name: str
    title: str  # shown under the name in the lower third
    image: Path
    language_names: tuple[tuple[str, str], ...] = ()  # (lang, name) overrides
    language_titles: tuple[tuple[str, str], ...] = ()  # (lang, title) overrides
    face: Box | None = None  # hints in image pixels; detected when absent
    eyes: tuple[Box, ...] = ()
    mouth: Box | None = None
    voice_zh: str = ""
    voice_en: str = ""
    licence: str = ""
    # Face landmarks from the TOML's [landmarks] (anchor.render.presenter.landmarks.GROUPS), in
    # image pixels: (group, points). Empty: detected from the photo (and cached).
    landmarks: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = ()
    consent: Consent = field(default_factory=Consent)
    # The person's alpha matte (8-bit, the image's size; 255 = the presenter), where the
    # TOML names one: for compositing the presenter onto a set.
    matte: Path | None = None

    def name_in(self, lang: str) -> str:
        return dict(self.language_names).get(lang, self.display_name)

    def title_in(self, lang: str) -> str:
        return dict(self.language_titles).get(lang, self.title)


@dataclass(frozen=True, slots=True)
class VoicePreset:
    """A named voice: which voice each backend uses for one language."""

    name: str
    language: Lang
    label: str
    offline_backend: str  # "kokoro" or "hibari"
    offline_voice: str
    edge_voice: str
    speed: float = 1.0
    edge_rate: str = "+0%"
    edge_pitch: str = "+0Hz"


@dataclass(frozen=True, slots=True)
class Branding:
    """A channel's look. Loaded from ``brands/NAME/brand.toml`` (anchor.assets.brands); the
    defaults here are the plain look with no ticker and no bumpers, for library use."""

    channel: str = "Anchor News"
    primary: str = "#0B3D91"  # lower-third band
    accent: str = "#E03C31"  # logo bug and rules
    text: str = "#FFFFFF"
    background_top: str = "#14213D"
    background_bottom: str = "#2B4C7E"
    logo: Path | None = None
    name: str = ""  # the brand folder it came from
    highlight: str = "#FFC72C"  # the big number on figure cards, the ticker's label
    font: Path | None = None  # graphics and captions; None: the bundled Noto Sans SC
    headline_font: Path | None = None  # headlines (lower third, bumpers, cover); None: font
    lower_third: str = "band"  # "band": full-width band; "label": band with a label box
    label: str = ""  # text of the lower third's label box, e.g. "要闻"
    ticker: str = ""  # scrolling text at the bottom, "" for none; {headline} {date} {channel}
    ticker_label: str = ""  # fixed box at the ticker's left, e.g. "快讯"
    ticker_speed: float = 0.12  # frame heights per second
    intro_ms: int = 0  # title card before the speech (2000–4000 for a bumper)
    outro_ms: int = 0  # end card after the speech
    source: str = ""  # "source" line of the intro; "" shows the channel
    tagline: str = ""  # line under the logo on the outro
    disclosure: str = ""  # outro line saying the presenter is AI-made
    # The visible AI label (anchor.core.ai_labels): wording ("" = the default per language),
    # place, text height as a share of the frame's shorter side, how long from the first
    # frame, whether it stays in its corner, and its colours.
    ai_label: str = ""
    ai_label_position: str = "top-right"
    ai_label_size: float = 0.05
    ai_label_opening_ms: int = 3000
    ai_label_throughout: bool = True
    ai_label_background: str = "#0E131B"
    ai_label_colour: str = "#FFFFFF"
    producer: str = ""  # the newsroom's name or code in the files' AIGC label; "" = channel
    translations: tuple[tuple[str, str, str], ...] = ()  # (lang, field, text) overrides
    fingerprint: str = ""  # hash of the brand's files: an edited logo changes the render key
    # The studio ([studio] in brand.toml): the set behind the cut-out presenter. An image of
    # the brand's own set, or None for a generated one (panels, desk line, light); "photo"
    # keeps the photo's own backdrop instead of cutting the presenter out.
    studio_image: Path | None = None
    studio_backdrop: str = "set"  # "set" or "photo"

    def in_language(self, lang: str) -> Branding:
        """This look with its texts (label, ticker, tagline, ...) in ``lang``."""
        changes: dict[str, Any] = {k: v for lg, k, v in self.translations if lg == lang}
        return dataclasses.replace(self, **changes) if changes else self


@dataclass(frozen=True, slots=True)
class FigureCard:
    """A key figure shown on screen while its sentence is spoken."""

    start_ms: int
    end_ms: int
    figure: str  # as displayed: "95%", "1,260", "$3.5", "11月12日"
    unit: str = ""  # small text after the figure: "个", "tonnes", "billion"
    label: str = ""  # what is counted, from the sentence: "县级融媒体中心"
    percent: float | None = None  # 0–100 for percentages: drawn as a ring chart


@dataclass(frozen=True, slots=True)
class Bar:
    """One value of a chart: its label, how the figure is written, and its value."""

    label: str
    shown: str
    value: float


@dataclass(frozen=True, slots=True)
class Cut:
    """One stretch of a clip's edit, on the clip's clock: which shot, and what the visual
    shows in this clip's language (anchor.compose.spec resolves the script's edit list)."""

    start_ms: int
    end_ms: int
    shot: str  # one of SHOTS
    visual: Visual | None = None
    text: str = ""  # quote: the quoted words in this language
    bars: tuple[Bar, ...] = ()  # chart: parsed from this language's sentences
    unit: str = ""  # chart: the unit of every bar ("%", "yuan", "visitors")
    title: str = ""  # chart: what is compared


@dataclass(frozen=True, slots=True)
class RenderSpec:
    """Everything the renderer needs for one clip, and nothing it must look up."""

    language: str  # "zh", "en" or "bilingual"
    width: int
    height: int
    fps: Fraction  # exact: 30000/1001 for 29.97
    duration_ms: int
    audio: Path
    avatar: Avatar
    headline: str
    presenter: str
    presenter_title: str
    cues: tuple[Cue, ...]
    branding: Branding
    font_file: Path
    seed: int = 0
    preset: str = "veryfast"
    crf: int = 20
    words: tuple[Span, ...] = ()
    # The clip's timeline: intro_ms of title card, the speech, outro_ms of end card.
    # The audio already holds the silence and every time above is on this timeline.
    intro_ms: int = 0
    outro_ms: int = 0
    cards: tuple[FigureCard, ...] = ()
    dateline: str = ""  # the date as the bumpers show it
    headline_other: str = ""  # the other language's headline (bilingual bumpers)
    voice_language: str = ""  # the language spoken on ``audio``: the lip shapes' phonemes
    ai_label: VisibleLabel | None = None  # the visible AI label; None: none drawn
    aigc: str = ""  # the implicit label (JSON) written into the MP4 and the thumbnail
    # The package: the presenter on the brand's set, and the edit's cuts. False and ()
    # draw the single presenter shot of a photo in a box (library default, old tests).
    studio: bool = False
    cuts: tuple[Cut, ...] = ()
    lang: str = ""  # the language of the texts on screen (zh or en)


@dataclass(frozen=True, slots=True)
class RenderResult:
    language: str
    video: Path
    srt: Path | None
    vtt: Path | None
    duration_ms: int
    width: int
    height: int
    renderer: str
    seconds: float = 0.0
    extra: tuple[tuple[str, str], ...] = field(default=())


# --------------------------------------------------------------------------- JSON

T = TypeVar("T")


def to_dict(value: Any) -> Any:
    """Plain JSON-ready form of a stage value (dataclasses, tuples, paths)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_dict(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Fraction):  # a frame rate: 30, or "30000/1001"
        return value.numerator if value.denominator == 1 else str(value)
    if isinstance(value, dict):
        return {str(k): to_dict(v) for k, v in value.items()}
    return value


def _convert(tp: Any, raw: Any) -> Any:
    origin = typing.get_origin(tp)
    if raw is None:
        return None
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], raw) if len(args) == 1 else raw
    if origin is Literal:
        return raw
    if origin is tuple:
        items = typing.get_args(tp)
        if len(items) == 2 and items[1] is Ellipsis:
            return tuple(_convert(items[0], v) for v in raw)
        return tuple(_convert(a, v) for a, v in zip(items, raw, strict=True))
    if tp is Path:
        return Path(raw)
    if tp is Fraction:
        return Fraction(raw)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return from_dict(tp, raw)
    if tp is float and isinstance(raw, int):
        return float(raw)
    return raw


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build a stage value from its plain form; unknown keys are an error."""
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise TypeError(f"{cls.__name__}: unknown field(s) {', '.join(sorted(unknown))}")
    kwargs = {k: _convert(hints[k], v) for k, v in data.items()}
    return cls(**kwargs)


def to_json(value: Any) -> str:
    return json.dumps(to_dict(value), ensure_ascii=False, indent=2) + "\n"


def from_json(cls: type[T], text: str) -> T:
    return from_dict(cls, json.loads(text))
