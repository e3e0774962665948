"""`anchor check`: does a rendered clip say, show and time what the script says?

For each clip of a render folder:

- **Speech**: the clip's audio goes through speech recognition (Whisper base,
  offline) and is compared with the script: character error rate for Mandarin,
  word error rate for English (``anchor.asr``). Mandarin is judged by sound by
  default (toneless pinyin syllables): on the sample article Whisper base wrote
  示例 as 势力 and 双语 as 双鱼, 15 % CER for a voice that was 3.8 % off by sound.
- **Facts**: every figure, date and Latin-script name of the source-language
  summary must appear in the script of each language the clip speaks or shows
  (the same comparison the translation stage runs, ``anchor.translate.checks``).
  A reporter's edit or a translation that changed "95%" into "85%" fails here.
- **Caption timing**: each cue of the spoken language should appear when the
  word that opens it is spoken. Cue text and recognised words are matched by
  their letters (not by time, so a shifted track is found as shifted), and the
  offset is the cue's start minus that word's start. Whisper's word starts swallow
  the pause before a word, so they are first moved onto the audible onset.
- **Reading speed**: characters per second of each cue, per language (flagged
  above the limit, not failed: a fast cue is uncomfortable, not wrong).

Library code: returns values, raises AnchorError; the CLI prints and sets the exit code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import re
import statistics
import tempfile
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .align import read_pcm16, refine_word_starts
from .asr import Transcript, cer, transcribe, wer  # Whisper loads on first use
from .errors import AnchorError, InputError
from .figures import parse_figures
from .loudness import Loudness, measure
from .models import LANGS, Captions, Cue, Lang, Span, to_dict
from .script_io import load_script
from .text import HAN, has_cjk, parse_bool
from .translate.checks import Problem, check_translation

__all__ = [
    "CaptionTiming",
    "CheckReport",
    "ClipCheck",
    "FactCheck",
    "ReadingSpeed",
    "Thresholds",
    "caption_offsets",
    "check_captions",
    "check_clip",
    "check_facts",
    "check_output",
    "extract_audio_args",
    "language_track",
    "reading_speed",
    "report_dict",
    "sound_error_rate",
    "write_into_manifest",
]

log = logging.getLogger(__name__)

_FIGURE_KINDS = ("number", "date")
_FACT_KINDS = (*_FIGURE_KINDS, "name")


def _defaults() -> dict[str, Any]:
    # The [check] table of defaults.toml is the one place these numbers are written;
    # anchor.toml, the environment and flags override them through config.
    with Path(__file__).with_name("defaults.toml").open("rb") as f:
        return dict(tomllib.load(f)["check"])


_DEFAULT = _defaults()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What a clip must meet. Figures and names failing is a miss; reading speed only warns."""

    max_cer: float = _DEFAULT["max_cer"]  # Mandarin: character error rate of the ASR round trip
    # Judge Mandarin by sound (toneless pinyin syllables) rather than by characters:
    # Whisper base writes homophones (示例 → 势力, 双语 → 双鱼) that the voice did not say.
    zh_by_sound: bool = _DEFAULT["zh_by_sound"]
    max_wer: float = _DEFAULT["max_wer"]  # English: word error rate
    # a cue further than this from its word is "out"
    max_caption_offset_ms: int = _DEFAULT["max_caption_offset_ms"]
    # fail when more than this share of the matched cues is out
    max_cues_out: float = _DEFAULT["max_cues_out"]
    # reading speed, characters per second (warning above)
    max_cps_zh: float = _DEFAULT["max_cps_zh"]
    max_cps_en: float = _DEFAULT["max_cps_en"]
    require_figures: bool = _DEFAULT["require_figures"]  # a missing figure or date fails the clip
    # a missing Latin-script name fails the clip (else warns)
    require_names: bool = _DEFAULT["require_names"]
    # When set, fail a clip further than lufs_tolerance from it. TOML has no null, so
    # "unset" cannot live in defaults.toml: None here means no loudness gate.
    target_lufs: float | None = None
    lufs_tolerance: float = _DEFAULT["lufs_tolerance"]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Thresholds:
        """Thresholds from a config table or CLI options; None values keep the default,
        unknown keys are an error (a typo must not silently keep the default)."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(data) - set(fields)
        if unknown:
            raise InputError(f"unknown check threshold(s): {', '.join(sorted(unknown))}",
                             hint=f"known: {', '.join(fields)}")
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if raw is None:
                continue
            default = getattr(cls(), key)
            try:
                if isinstance(default, bool):
                    values[key] = parse_bool(raw)
                elif isinstance(default, int):
                    values[key] = int(raw)
                else:
                    values[key] = float(raw)
            except (TypeError, ValueError) as exc:
                kind = "true or false" if isinstance(default, bool) else "a number"
                raise InputError(f"check threshold {key}: {raw!r} is not {kind}") from exc
        return cls(**values)

    def max_error(self, language: Lang) -> float:
        return self.max_cer if language == "zh" else self.max_wer

    def max_cps(self, language: Lang) -> float:
        return self.max_cps_zh if language == "zh" else self.max_cps_en


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


@dataclass(frozen=True, slots=True)
class ClipCheck:
    label: str  # "zh", "en" or "bilingual"
    video: Path
    language: Lang  # the spoken language
    metric: str  # "cer" or "wer"
    error_rate: float | None  # CER or WER; None when the audio could not be recognised
    sound_error_rate: float | None  # zh: error rate over toneless pinyin syllables
    transcript: str
    facts: tuple[FactCheck, ...]  # one per language spoken or shown
    timing: CaptionTiming
    reading: tuple[ReadingSpeed, ...]  # one per caption language
    loudness: Loudness | None
    problems: tuple[str, ...]  # missed thresholds: the clip fails
    warnings: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class CheckReport:
    out_dir: Path
    clips: tuple[ClipCheck, ...]
    thresholds: Thresholds
    # parts of script.json still marked for review (a name, figure or meaning the
    # translate checks faulted); a person clears "review" after correcting them
    review: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.clips) and not self.review

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(f"{c.label}: {p}" for c in self.clips for p in c.problems) + tuple(
            f"marked for review: {r}" for r in self.review)


# ------------------------------------------------------------------ pure parts


def _key(text: str, language: Lang) -> str:
    """Letters and digits of ``text`` as spoken, lower case: what is compared between the
    captions and the recogniser. Numbers are spelled out the way the voice read them, so
    "95%" in a cue meets "百分之九十五" or "95%" from the recogniser alike."""
    from .tts.normalize import en_number, normalize

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
    import bisect
    import difflib

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

    from .tts.normalize import normalize_zh

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
        from .captions import display_width

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
    from .ffmpeg import run_ffmpeg

    run_ffmpeg(extract_audio_args(video, wav), what=f"reading the audio of {video.name}")


def _read_captions(srt: Path | Captions, language: Lang) -> Captions:
    if isinstance(srt, Captions):
        return srt
    from .captions import parse_srt

    try:
        return parse_srt(Path(srt).read_text("utf-8"), language)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read captions {srt}", hint="re-render the clip") from exc


def _pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.1 else f"{x:.1%}"


def check_clip(
    video: Path,
    script_texts: Sequence[str],
    srt: Path | Captions,
    language: Lang,
    source_texts: Sequence[str] | None = None,
    thresholds: Thresholds | None = None,
    *,
    other_texts: Sequence[str] | None = None,
    source_language: Lang | None = None,
    label: str | None = None,
    transcript: Transcript | None = None,
) -> ClipCheck:
    """Check one clip whose voice speaks ``script_texts`` in ``language``.

    ``srt`` is the clip's caption file (or Captions). ``other_texts`` makes it a bilingual
    clip: the captions then hold both languages and ``other_texts`` is the script of the
    language shown but not spoken. ``source_texts`` is the source-language summary whose
    figures and names must survive (the script's own sentences when None: then only the
    ASR, captions and reading speed say anything). ``transcript`` reuses a recognition of
    the same audio (bilingual.mp4 speaks the zh or en track again).
    """
    video = Path(video)
    thresholds = thresholds or Thresholds()
    if not video.is_file():
        raise InputError(f"clip not found: {video}", hint="render first, or check the path")
    bilingual = other_texts is not None
    other: Lang = "en" if language == "zh" else "zh"
    problems: list[str] = []
    warnings: list[str] = []

    loudness: Loudness | None = None
    if transcript is None:
        try:
            transcript, loudness = _recognise(video, language)
        except AnchorError as exc:
            problems.append(f"audio unreadable: {exc.message}")
    else:
        try:
            loudness = measure(video)
        except AnchorError as exc:
            warnings.append(f"loudness not measured: {exc.message}")

    # speech round trip
    metric = "cer" if language == "zh" else "wer"
    error_rate: float | None = None
    sound_rate: float | None = None
    if transcript is not None:
        ref = ("" if language == "zh" else " ").join(script_texts)
        error_rate = (cer if language == "zh" else wer)(ref, transcript.text)
        judged, what = error_rate, metric.upper()
        if language == "zh":
            sound_rate = sound_error_rate(ref, transcript.text)
            if thresholds.zh_by_sound:
                judged, what = sound_rate, "CER by sound"
        if judged > thresholds.max_error(language):
            also = f" (by characters {_pct(error_rate)})" if judged is not error_rate else ""
            problems.append(f"{what} {_pct(judged)} > {_pct(thresholds.max_error(language))}"
                            f"{also}: the voice does not say what the script says")

    # facts
    source = tuple(source_texts) if source_texts is not None else tuple(script_texts)
    facts = [check_facts(source, script_texts, language, source_language)]
    if bilingual:
        facts.append(check_facts(source, tuple(other_texts or ()), other, source_language))
    for fc in facts:
        for p in fc.problems:
            required = thresholds.require_names if p.kind == "name" else thresholds.require_figures
            (problems if required else warnings).append(p.message)

    # captions
    captions = _read_captions(srt, language)
    words = transcript.words if transcript is not None else ()
    timing, reading = check_captions(captions, language, words, thresholds, bilingual=bilingual)
    if timing.cues == 0:
        problems.append(f"no {language} captions")
    elif transcript is not None:
        out = timing.out_of_tolerance
        summary = (f"{len(out)} of {timing.matched} {language} cues start more than "
                   f"{thresholds.max_caption_offset_ms} ms from their spoken word "
                   f"(median {timing.median_ms} ms, max {timing.max_ms} ms)")
        if timing.matched == 0:
            problems.append(f"caption timing not checkable: no {language} cue matched the "
                            "recognised words")
        elif timing.share_out > thresholds.max_cues_out:
            problems.append(summary)
        elif out:
            warnings.append(summary)
        if 0 < timing.matched < timing.cues:
            warnings.append(f"{timing.cues - timing.matched} {language} cue(s) not found in "
                            "the recognised speech")
    for rs in reading:
        if rs.too_fast:
            cues = ", ".join(map(str, rs.too_fast[:8])) + ("…" if len(rs.too_fast) > 8 else "")
            warnings.append(f"{len(rs.too_fast)} {rs.language} cue(s) above {rs.limit:g} "
                            f"chars/s (max {rs.max_cps:.1f}): cue {cues}")

    # loudness, judged only when a target is set
    if loudness is not None and thresholds.target_lufs is not None:
        if loudness.silent:
            problems.append("the audio is silent")
        elif abs(loudness.integrated_lufs - thresholds.target_lufs) > thresholds.lufs_tolerance:
            problems.append(f"loudness {loudness.integrated_lufs:.1f} LUFS, target "
                            f"{thresholds.target_lufs:g} ± {thresholds.lufs_tolerance:g}")

    return ClipCheck(
        label=label or ("bilingual" if bilingual else language),
        video=video, language=language, metric=metric, error_rate=error_rate,
        sound_error_rate=sound_rate,
        transcript=transcript.text if transcript is not None else "", facts=tuple(facts),
        timing=timing, reading=reading, loudness=loudness, problems=tuple(problems),
        warnings=tuple(warnings),
    )


# Recognitions of this process, by the hash of the decoded audio: zh.mp4 and a bilingual.mp4
# spoken in zh carry the same track, and Whisper is the slow part of a check.
_TRANSCRIPTS: dict[tuple[str, str], Transcript] = {}


def _recognise(video: Path, language: Lang) -> tuple[Transcript, Loudness | None]:
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


# ------------------------------------------------------------------ a render folder


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path.name} not found in {path.parent}",
                         hint="pass a render folder (output/<slug>) of a finished render") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}", hint="re-render the article") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: not an Anchor {path.stem}")
    return data


def _timings(data: dict[str, Any], lang: Lang) -> tuple[Span, ...]:
    rows = (data.get("timings") or {}).get(lang) or []
    return tuple(Span(int(r["start_ms"]), int(r["end_ms"]), str(r.get("text", ""))) for r in rows)


def _bilingual_captions(out_dir: Path, data: dict[str, Any], texts: Mapping[Lang, Sequence[str]],
                        spoken: Lang) -> Captions:
    """Rebuild bilingual.mp4's captions as the pipeline made them, for a render that kept
    no bilingual caption file: the spoken language's cues (its .srt, made from the same
    voice track) and the other language's text timed on the spoken sentences."""
    from .captions import bilingual_cues, make_captions, parse_srt

    other: Lang = "en" if spoken == "zh" else "zh"
    sentences = _timings(data, spoken)
    srt = out_dir / f"{spoken}.srt"
    if srt.is_file():
        spoken_caps = parse_srt(srt.read_text("utf-8"), spoken)
    elif sentences:
        spoken_caps = make_captions(texts[spoken], sentences, spoken)
    else:
        raise InputError(f"{out_dir.name}: no captions or timings for bilingual.mp4",
                         hint="re-render the article")
    if not sentences:
        raise InputError(f"{out_dir.name}: script.json has no {spoken} timings",
                         hint="re-render the article")
    other_caps = make_captions(texts[other], sentences, other)
    zh, en = (spoken_caps, other_caps) if spoken == "zh" else (other_caps, spoken_caps)
    return Captions(spoken, bilingual_cues(zh, en))


def check_output(out_dir: Path, thresholds: Thresholds | None = None,
                 progress: Callable[[str], None] | None = None) -> CheckReport:
    """Check every clip of a render folder (its manifest.json names them).
    ``progress`` hears one line per clip (speech recognition takes seconds each)."""
    say = progress or (lambda msg: log.info(msg))
    out_dir = Path(out_dir)
    thresholds = thresholds or Thresholds()
    if not out_dir.is_dir():
        raise InputError(f"not a folder: {out_dir}", hint="pass a render folder: output/<slug>")
    manifest = _read_json(out_dir / "manifest.json")
    script_data = _read_json(out_dir / "script.json")
    script = load_script(out_dir / "script.json")
    texts: dict[Lang, tuple[str, ...]] = {lang: script.texts(lang) for lang in LANGS}
    summary = script_data.get("summary") or None
    if summary and summary.get("sentences"):
        source_lang: Lang = summary.get("language", script.source_language)
        source: tuple[str, ...] = tuple(summary["sentences"])
    else:  # an edited script was rendered: its source-language side is the reference
        source_lang = script.source_language
        source = texts[source_lang]
    spoken_bilingual: Lang = (manifest.get("settings") or {}).get("bilingual_voice", "zh")
    clips = manifest.get("clips") or {}
    if not clips:
        raise InputError(f"{out_dir.name}: the manifest lists no clips", hint="re-render")
    results: list[ClipCheck] = []
    for label, entry in clips.items():
        video = out_dir / entry["video"]["path"]
        say(f"checking {video.name}")
        srt_entry = entry.get("srt")
        if label in LANGS:
            lang: Lang = label
            if not srt_entry:
                raise InputError(f"{out_dir.name}: no caption file for {label}.mp4")
            results.append(check_clip(video, texts[lang], out_dir / srt_entry["path"], lang,
                                      source, thresholds, source_language=source_lang,
                                      label=label))
            continue
        if "bilingual" not in label:
            log.warning("%s: clip %r is neither zh, en nor bilingual: not checked",
                        out_dir.name, label)
            continue
        lang = spoken_bilingual
        other: Lang = "en" if lang == "zh" else "zh"
        captions: Path | Captions = (out_dir / srt_entry["path"] if srt_entry
                                     else _bilingual_captions(out_dir, script_data, texts, lang))
        results.append(check_clip(video, texts[lang], captions, lang, source, thresholds,
                                  other_texts=texts[other], source_language=source_lang,
                                  label=label))
    review = tuple(f"headline: {w}" for w in script.title_warnings) + tuple(
        f"sentence {s.index + 1}: {'; '.join(s.warnings) or 'marked'}"
        for s in script.segments if s.review)
    return CheckReport(out_dir=out_dir, clips=tuple(results), thresholds=thresholds,
                       review=review)


# ------------------------------------------------------------------ JSON and the manifest


def _json_safe(value: Any) -> Any:
    """-inf (silence) and NaN are not JSON: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _clip_dict(c: ClipCheck, out_dir: Path) -> dict[str, Any]:
    try:
        video = str(c.video.relative_to(out_dir))
    except ValueError:
        video = str(c.video)
    t = c.timing
    return {
        "video": video,
        "language": c.language,
        "passed": c.passed,
        c.metric: None if c.error_rate is None else round(c.error_rate, 4),
        **({"cer_by_sound": None if c.sound_error_rate is None else round(c.sound_error_rate, 4)}
           if c.language == "zh" else {}),
        "transcript": c.transcript,
        "facts": {
            f.language: {"figures": f.figures, "survival": round(f.survival, 4),
                         "missing": list(f.missing)}
            for f in c.facts
        },
        "caption_timing": {
            "language": c.language, "cues": t.cues, "matched": t.matched,
            "median_ms": t.median_ms, "max_ms": t.max_ms, "tolerance_ms": t.tolerance_ms,
            "out_of_tolerance": list(t.out_of_tolerance), "offsets_ms": list(t.offsets_ms),
        },
        "reading_speed": {
            r.language: {"limit_cps": r.limit, "max_cps": r.max_cps,
                         "too_fast": list(r.too_fast)}
            for r in c.reading
        },
        "loudness": c.loudness.as_dict() if c.loudness is not None else None,
        "problems": list(c.problems),
        "warnings": list(c.warnings),
    }


def report_dict(report: CheckReport) -> dict[str, Any]:
    """The report as plain JSON: what goes into manifest.json under "checks"."""
    return _json_safe({
        "passed": report.passed,
        "thresholds": to_dict(report.thresholds),
        "clips": {c.label: _clip_dict(c, report.out_dir) for c in report.clips},
        "problems": list(report.problems),
        "review": list(report.review),
    })


def write_into_manifest(out_dir: Path, report: CheckReport) -> Path:
    """Store the report in the folder's manifest.json under "checks" (atomically)."""
    from .cache import atomic_write_text

    path = Path(out_dir) / "manifest.json"
    data = _read_json(path)
    data["checks"] = report_dict(report)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return path
