"""Judging one clip: its measurements against the thresholds, as problems (the clip
fails) and warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from anchor.captions import parse_srt
from anchor.core.errors import AnchorError, InputError
from anchor.core.values import Captions, Lang
from anchor.speech.asr import Transcript, cer, wer
from anchor.speech.level import Loudness, measure

from .metrics import (
    CaptionTiming,
    FactCheck,
    ReadingSpeed,
    check_captions,
    check_facts,
    recognise,
    sound_error_rate,
)
from .thresholds import Thresholds

__all__ = ["CheckReport", "ClipCheck", "check_clip"]


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
    labels: str = ""  # the AI labels found (anchor.check.labels), in words

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
    folder_problems: tuple[str, ...] = ()  # of the folder itself (the thumbnail's label)

    @property
    def passed(self) -> bool:
        return (all(c.passed for c in self.clips) and not self.review
                and not self.folder_problems)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(f"{c.label}: {p}" for c in self.clips for p in c.problems) + tuple(
            f"marked for review: {r}" for r in self.review) + self.folder_problems


def _read_captions(srt: Path | Captions, language: Lang) -> Captions:
    if isinstance(srt, Captions):
        return srt
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
            transcript, loudness = recognise(video, language)
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
