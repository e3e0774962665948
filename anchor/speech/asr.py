"""Speech recognition round trip: did the voice say what the script says?

Used by checks and tests to measure intelligibility (character / word error rates) and, where a
backend gives no word timings, to find them. Whisper base via faster-whisper, int8 on the CPU.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anchor.assets.model_store import ensure
from anchor.core.values import Lang, Span
from anchor.language.spoken import normalize_en, normalize_zh
from anchor.language.text import to_simplified

__all__ = ["Transcript", "cer", "transcribe", "wer"]

THREADS = 2
# Whisper writes Chinese in Traditional characters unless the prompt is in Simplified.
_ZH_PROMPT = "以下是普通话的句子。"


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    words: tuple[Span, ...]  # times in ms from the start of the file


@functools.cache
def _model() -> Any:
    # deferred: faster-whisper (CTranslate2) is a heavy backend, loaded only to transcribe
    from faster_whisper import WhisperModel

    return WhisperModel(str(ensure("whisper-base")), device="cpu", compute_type="int8",
                        cpu_threads=THREADS, local_files_only=True)


def transcribe(wav: Path, language: Lang) -> Transcript:
    """Text and word timings of the speech in ``wav``; Chinese comes back Simplified."""
    segments, _info = _model().transcribe(
        str(wav),
        language=language,
        initial_prompt=_ZH_PROMPT if language == "zh" else None,
        word_timestamps=True,
        condition_on_previous_text=False,  # one bad sentence must not derail the next
    )
    texts: list[str] = []
    words: list[Span] = []
    for seg in segments:
        texts.append(seg.text.strip())
        for w in seg.words or ():
            words.append(Span(round(w.start * 1000), round(w.end * 1000), w.word.strip()))
    joiner = "" if language == "zh" else " "
    text = joiner.join(texts)
    if language == "zh":
        text = to_simplified(text)
        words = [Span(w.start_ms, w.end_ms, to_simplified(w.text)) for w in words]
    return Transcript(text=text, words=tuple(words))


# --------------------------------------------------------------------------- metrics


def _edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance over tokens, one row at a time."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def _rate(ref: list[str], hyp: list[str]) -> float:
    if not ref:
        return 0.0 if not hyp else 1.0
    return _edit_distance(ref, hyp) / len(ref)


def _chars(text: str) -> list[str]:
    # numbers compared as spoken: the script says "95%", the recogniser may write 百分之九十五
    text = normalize_zh(unicodedata.normalize("NFKC", text)).lower()
    return [ch for ch in text if unicodedata.category(ch)[0] in "LN"]


def _words(text: str) -> list[str]:
    text = normalize_en(unicodedata.normalize("NFKC", text)).lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,250 == 1250
    text = re.sub(r"[-‐–—/]", " ", text)
    return re.findall(r"[^\W_]+(?:['’.][^\W_]+)*", text)


def cer(ref: str, hyp: str) -> float:
    """Character error rate of ``hyp`` against ``ref``, ignoring punctuation, spaces and case."""
    return _rate(_chars(ref), _chars(hyp))


def wer(ref: str, hyp: str) -> float:
    """Word error rate of ``hyp`` against ``ref``, ignoring punctuation and case."""
    return _rate(_words(ref), _words(hyp))
