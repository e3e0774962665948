"""What `anchor check` measures: speech recognised and compared, facts found, caption
offsets and reading speed. Values only; judging them against the thresholds is
``verdicts``."""

from __future__ import annotations

import bisect
import difflib
import hashlib
import logging
import re
import statistics
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from anchor.captions import display_width
from anchor.core.errors import AnchorError
from anchor.core.ffmpeg import run_ffmpeg
from anchor.core.values import LANGS, Captions, Cue, Lang, Span
from anchor.language.figures import parse_figures
from anchor.language.spoken import en_number, normalize, normalize_zh
from anchor.language.text import HAN, has_cjk
from anchor.speech.align import read_pcm16, refine_word_starts
from anchor.speech.asr import Transcript, transcribe, wer  # Whisper loads on first use
from anchor.speech.level import Loudness, measure
from anchor.translate.checks import Problem, check_translation

from .thresholds import Thresholds

__all__ = [
    "CaptionTiming",
    "FactCheck",
    "ReadingSpeed",
    "caption_offsets",
    "check_captions",
    "check_facts",
    "extract_audio_args",
    "language_track",
    "reading_speed",
    "recognise",
    "sound_error_rate",
]

log = logging.getLogger(__name__)

_FIGURE_KINDS = ("number", "date")
_FACT_KINDS = (*_FIGURE_KINDS, "name")


@dataclass(frozen=True, slots=True)
class CaptionTiming:
    """Where the spoken language's cues start against the recognised words."""

    cues: int
    offsets_ms: tuple[int | None, ...]  # cue start − word start per cue; None: word not found
    tolerance_ms: int

    @property
    def matched(self) -> int:
        return sum(o is not None for o in self.offsets_ms)

    @property
    def out_of_tolerance(self) -> tuple[int, ...]:
        """1-based numbers of the cues further than the tolerance from their word."""
        return tuple(i for i, o in enumerate(self.offsets_ms, 1)
                     if o is not None and abs(o) > self.tolerance_ms)

    @property
    def median_ms(self) -> int | None:
        """Median of the absolute offsets (the signed values are in offsets_ms)."""
        found = [abs(o) for o in self.offsets_ms if o is not None]
        return round(statistics.median(found)) if found else None

    @property
    def max_ms(self) -> int | None:
        found = [abs(o) for o in self.offsets_ms if o is not None]
        return max(found) if found else None

    @property
    def share_out(self) -> float:
        return len(self.out_of_tolerance) / self.matched if self.matched else 0.0


@dataclass(frozen=True, slots=True)
class ReadingSpeed:
    """Characters per second of each cue of one caption language."""

    language: Lang
    cps: tuple[float, ...]
    limit: float

    @property
    def too_fast(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.cps, 1) if c > self.limit)

    @property
    def max_cps(self) -> float:
        return max(self.cps, default=0.0)


@dataclass(frozen=True, slots=True)
class FactCheck:
    """Figures and names of the source summary looked for in one language's script."""

    language: Lang
    figures: int  # figures and dates in the source
    problems: tuple[Problem, ...]  # kinds "number", "date", "name" (or "empty")
    missing_figures: int  # of ``figures``, how many were not found

    @property
    def missing(self) -> tuple[str, ...]:
        """What a user reads, e.g. 'number "95%" missing in en'."""
        return tuple(p.message for p in self.problems)

    @property
    def survival(self) -> float:
        """Share of the source's figures found (1.0 when it has none)."""
        return 1.0 - self.missing_figures / self.figures if self.figures else 1.0


def _key(text: str, language: Lang) -> str:
    """Letters and digits of ``text`` as spoken, lower case: what is compared between the
    captions and the recogniser. Numbers are spelled out the way the voice read them, so
    "95%" in a cue meets "百分之九十五" or "95%" from the recogniser alike."""
    spoken = normalize(unicodedata.normalize("NFKC", text), language).lower()
    if language == "en":
        # The English normaliser leaves digits for the voice to read; spell them here so
        # "95" meets a recogniser's "ninety-five" (both sides go through this alike).
        spoken = re.sub(r"(?<=\d),(?=\d{3})", "", spoken)
        spoken = re.sub(r"\d+", lambda m: " " + en_number(int(m.group())) + " ", spoken)
    return "".join(ch for ch in spoken if unicodedata.category(ch)[0] in "LN")


def language_track(cues: Sequence[Cue], language: Lang, *, bilingual: bool) -> tuple[Cue, ...]:
    """The cues of one language. A bilingual track changes whenever either language
    changes, so its lines are split by script (Han → zh) and consecutive cues showing the
    same lines are joined back into the cue a viewer reads."""
    if not bilingual:
        return tuple(c for c in cues if any(line.strip() for line in c.lines))
    out: list[Cue] = []
    for cue in cues:
        lines = tuple(ln for ln in cue.lines if ln.strip() and (has_cjk(ln) == (language == "zh")))
        if not lines:
            continue
        if out and out[-1].lines == lines and cue.start_ms - out[-1].end_ms <= 1:
            out[-1] = Cue(out[-1].start_ms, cue.end_ms, lines)
        else:
            out.append(Cue(cue.start_ms, cue.end_ms, lines))
    return tuple(out)


def caption_offsets(cues: Sequence[Cue], words: Sequence[Span],
                    language: Lang) -> tuple[int | None, ...]:
    """Per cue, its start minus the start of the recognised word that opens it (ms;
    positive: the caption comes late). None where that word was not recognised.

    Cue texts and words are matched as two letter streams (difflib), so the match
    does not depend on the times being right. A cue's opening letter maps to a place
    in the word stream; inside a word (Whisper's Chinese "words" are often several
    characters) the time is interpolated across that word.
    """
    cue_keys = [_key(c.text, language) for c in cues]
    word_keys = [_key(w.text, language) for w in words]
    cue_text, spoken = "".join(cue_keys), "".join(word_keys)
    if not cue_text or not spoken:
        return tuple(None for _ in cues)
    matcher = difflib.SequenceMatcher(None, cue_text, spoken, autojunk=False)
    to_spoken: dict[int, int] = {}
    # a letter or two in common is chance ("n" of "nothing" in "different"), not a match
    min_block = 2 if language == "zh" else 3
    for block in matcher.get_matching_blocks():
        if block.size < min_block:
            continue
        for d in range(block.size):
            to_spoken[block.a + d] = block.b + d
    word_starts = [0]
    for k in word_keys:
        word_starts.append(word_starts[-1] + len(k))
    out: list[int | None] = []
    pos = 0
    for cue, key in zip(cues, cue_keys, strict=True):
        # Look for the cue's opening among its first few letters only: further in, a
        # match says little about when the cue's first word was spoken.
        first = (cue.text.split() or [""])[0]
        window = min(len(key), 3 if language == "zh" else max(2, len(first)))
        hit = next((pos + i for i in range(window) if pos + i in to_spoken), None)
        pos += len(key)
        if hit is None:
            out.append(None)
            continue
        b = to_spoken[hit] - (hit - (pos - len(key)))  # back to where the cue's opening lies
        b = min(max(b, 0), len(spoken) - 1)
        w = bisect.bisect_right(word_starts, b) - 1
        w = min(max(w, 0), len(words) - 1)
        while w < len(words) - 1 and not word_keys[w]:
            w += 1  # punctuation-only words hold no letters to start at
        span = words[w]
        inside = b - word_starts[w]
        frac = inside / len(word_keys[w]) if word_keys[w] else 0.0
        t = span.start_ms + round((span.end_ms - span.start_ms) * frac)
        out.append(cue.start_ms - t)
    return tuple(out)


_SYLLABLE_RE = re.compile(rf"[{HAN}]|[^\W_]+")


def _syllables(text: str) -> list[str]:
    """Toneless pinyin of each Han character; Latin and digit runs stay one token."""
    from pypinyin import Style, lazy_pinyin  # installed with misaki[zh]

    spoken = normalize_zh(unicodedata.normalize("NFKC", text)).lower()
    out: list[str] = []
    for tok in _SYLLABLE_RE.findall(spoken):
        out.extend(lazy_pinyin(tok, style=Style.NORMAL) if has_cjk(tok) else [tok])
    return out


def sound_error_rate(ref: str, hyp: str) -> float:
    """Mandarin error rate by sound: edits over toneless pinyin syllables, so a homophone
    the recogniser chose (势力 for 示例) is no error, a wrong or missing syllable is."""
    # each syllable a "word": asr.wer's edit distance does the counting
    return wer(" ".join(_syllables(ref)), " ".join(_syllables(hyp)))


def _cue_chars(cue: Cue, language: Lang) -> float:
    """Characters a viewer reads. English: every character, lines joined by a space (the
    usual subtitle count). Chinese: display width without spaces, so a Han character
    counts 1 and a Latin letter or digit 1/2 ("5G+AR" is not read like five Han)."""
    if language == "zh":
        return sum(display_width(line.replace(" ", ""), "zh") for line in cue.lines)
    return float(len(" ".join(line.strip() for line in cue.lines)))


def reading_speed(cues: Sequence[Cue], language: Lang, limit: float) -> ReadingSpeed:
    cps = tuple(
        round(_cue_chars(c, language) / max(c.end_ms - c.start_ms, 1) * 1000, 2) for c in cues
    )
    return ReadingSpeed(language=language, cps=cps, limit=limit)


def _guess_language(texts: Sequence[str]) -> Lang:
    return "zh" if any(has_cjk(t) for t in texts) else "en"


def check_facts(source_texts: Sequence[str], texts: Sequence[str], language: Lang,
                source_language: Lang | None = None) -> FactCheck:
    """Figures, dates and Latin names of ``source_texts`` looked for in ``texts``.

    Sentence by sentence when both have the same number of sentences (a figure must stay
    in its sentence), else the whole texts (a reporter merged or split sentences).
    """
    src_lang = source_language or _guess_language(source_texts)
    if len(source_texts) == len(texts):
        pairs = list(zip(source_texts, texts, strict=True))
    else:
        joiner = "" if src_lang == "zh" else " "
        pairs = [(joiner.join(source_texts), ("" if language == "zh" else " ").join(texts))]
    problems: list[Problem] = []
    figures = missing_figures = 0
    for src, out in pairs:
        src_figures = [f.text for f in parse_figures(src) if not f.soft]
        figures += len(src_figures)
        if not out.strip():
            # check_translation reports only "empty" then; every fact is missing
            problems.append(Problem("empty", "", f"sentence missing in {language}: {src[:40]}"))
            missing_figures += len(src_figures)
            continue
        for p in check_translation(src, out, src_lang, language):
            if p.kind in _FACT_KINDS:
                problems.append(p)
                missing_figures += p.kind in _FIGURE_KINDS and p.item in src_figures
    return FactCheck(language=language, figures=figures, problems=tuple(problems),
                     missing_figures=missing_figures)


def check_captions(captions: Captions | Sequence[Cue], language: Lang,
                   words: Sequence[Span], thresholds: Thresholds, *,
                   bilingual: bool = False) -> tuple[CaptionTiming, tuple[ReadingSpeed, ...]]:
    """Timing of the ``language`` cues against ``words``, and the reading speed of every
    caption language present (both for a bilingual track)."""
    cues = captions.cues if isinstance(captions, Captions) else tuple(captions)
    spoken = language_track(cues, language, bilingual=bilingual)
    timing = CaptionTiming(cues=len(spoken), offsets_ms=caption_offsets(spoken, words, language),
                           tolerance_ms=thresholds.max_caption_offset_ms)
    shown: tuple[Lang, ...] = LANGS if bilingual else (language,)
    reading = tuple(
        reading_speed(language_track(cues, lang, bilingual=bilingual), lang,
                      thresholds.max_cps(lang))
        for lang in shown
    )
    return timing, reading


def extract_audio_args(video: Path, wav: Path) -> list[str]:
    """ffmpeg arguments: the clip's first audio stream as 16 kHz mono PCM (Whisper's rate)."""
    return ["-i", str(video), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", "16000",
            "-c:a", "pcm_s16le", "-f", "wav", str(wav)]


def _extract_audio(video: Path, wav: Path) -> None:
    run_ffmpeg(extract_audio_args(video, wav), what=f"reading the audio of {video.name}")


# Recognitions of this process, by the hash of the decoded audio: zh.mp4 and a bilingual.mp4
# spoken in zh carry the same track, and Whisper is the slow part of a check.
_TRANSCRIPTS: dict[tuple[str, str], Transcript] = {}


def recognise(video: Path, language: Lang) -> tuple[Transcript, Loudness | None]:
    """What the clip's voice says (Whisper, once per audio track and process), and how
    loud the clip is (None when it could not be measured)."""
    with tempfile.TemporaryDirectory(prefix="anchor-check-") as tmp:
        wav = Path(tmp) / "audio.wav"
        _extract_audio(video, wav)
        data = wav.read_bytes()
        key = (hashlib.sha256(data).hexdigest(), language)
        if key not in _TRANSCRIPTS:
            log.info("recognising the speech of %s", video.name)
            raw = transcribe(wav, language)
            _TRANSCRIPTS[key] = Transcript(raw.text,
                                           refine_word_starts(raw.words, *read_pcm16(wav)))
    try:
        loudness: Loudness | None = measure(video)
    except AnchorError as exc:
        log.warning("loudness of %s not measured: %s", video.name, exc.message)
        loudness = None
    return _TRANSCRIPTS[key], loudness
