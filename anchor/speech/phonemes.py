"""Phoneme strings that remember their words, and word/phoneme times from predicted durations.

Kokoro and hibari predict a duration for every input token (one phoneme character) before
they make a sample of audio; ``assets.model_store`` exposes those durations as a second output.
Each duration counts frames of ``FRAME_SAMPLES`` samples, and the audio is exactly their sum,
so token *k* sounds from ``sum(d[:k])`` to ``sum(d[:k + 1])`` frames (less LEAD_FRAMES). To
turn that into word times, the phoneme string is built word by word (the same string the G2P
would give in one call; tests hold that), keeping for every character the index of the word
it came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from anchor.core.timing import samples_to_ms
from anchor.core.values import Span
from anchor.language.text import HAN, jieba

__all__ = ["FRAME_SAMPLES", "Layout", "Timed", "chunk_offsets", "en_pieces", "layout",
           "time_tokens", "zh_pieces"]

# 24 kHz audio, an STFT hop of 300 samples, two hops per predicted frame (both models)
FRAME_SAMPLES = 600
# The decoder's convolutions start a sound before the frames the durations give it: measured
# against voice-activity onsets after pauses (the demo article in Mandarin on Kokoro, the river
# article in English on hibari), words became audible a median 60 / 42 ms before their first
# frame, never after it. Every time is moved this many frames earlier; tests check the result
# on other sentences.
LEAD_FRAMES = 2
_HAN = HAN
_AFTER = set("ʰːˑ↗↘↓→")  # belong to the phoneme before them: aspiration, length, tone
_BEFORE = set("ˈˌ")  # stress marks the syllable that follows


@dataclass(frozen=True, slots=True)
class Layout:
    """A phoneme string, and for each character the word it came from (-1: a joiner)."""

    phonemes: str
    owners: tuple[int, ...]
    words: tuple[str, ...]  # the spoken text of each word


@dataclass(frozen=True, slots=True)
class Timed:
    """Word and phoneme spans in ms from the start of the audio they were predicted for."""

    words: tuple[Span, ...]
    phonemes: tuple[Span, ...]


def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def layout(pieces: Iterable[tuple[str, str]]) -> Layout:
    """``pieces``: (spoken text, phonemes) in order; text without letters or digits is a joiner.

    Whitespace runs become one space, and the ends are stripped, as the synthesiser reads it.
    """
    chars: list[str] = []
    owners: list[int] = []
    words: list[str] = []
    for text, phonemes in pieces:
        owner = -1
        if _is_word(text) and phonemes.strip():
            owner = len(words)
            words.append(text)
        for ch in phonemes:
            if ch.isspace():
                if not chars or chars[-1] == " ":
                    continue
                chars.append(" ")
                owners.append(-1)
            else:
                chars.append(ch)
                owners.append(owner)
    while chars and chars[-1] == " ":
        chars.pop()
        owners.pop()
    return Layout("".join(chars), tuple(owners), tuple(words))


# ------------------------------------------------------------------------ G2P, by word


def zh_pieces(text: str) -> list[tuple[str, str]]:
    """misaki's ``ZHG2P()(text)`` (its default, jieba + pypinyin path), one piece per word."""
    import cn2an
    from misaki.zh import ZHG2P

    segmenter = jieba()
    if not text.strip():
        return []
    text = ZHG2P.map_punctuation(cn2an.transform(text, "an2cn"))
    pieces: list[tuple[str, str]] = []
    for segment in re.findall(f"[{_HAN}]+|[^{_HAN}]+", text):
        if re.match(f"[{_HAN}]", segment):
            for i, word in enumerate(segmenter.lcut(segment, cut_all=False)):
                if i:
                    pieces.append(("", " "))
                pieces.append((word, ZHG2P.word2ipa(word).replace(chr(815), "")))
        else:
            pieces.append(("", segment.replace(chr(815), "")))
    return pieces


def en_pieces(g2p: Any, text: str) -> list[tuple[str, str]]:
    """hibari's ``G2P(...)(text)`` (misaki's English G2P), one piece per token."""
    from hibari.g2p.normalize import normalize

    tokens = g2p.phonemize_tokens(g2p.tokenize(normalize(text)))
    pieces: list[tuple[str, str]] = []
    for tk in tokens:
        pieces.append((tk.text, g2p.unk if tk.phonemes is None else tk.phonemes))
        if tk.whitespace:
            pieces.append(("", " "))
    return pieces


# ------------------------------------------------------------------------ timing


def chunk_offsets(phonemes: str, chunks: Sequence[str]) -> list[int]:
    """Where each chunk (cut from ``phonemes`` at spaces, in order) starts in it."""
    offsets: list[int] = []
    pos = 0
    for chunk in chunks:
        at = phonemes.find(chunk, pos)
        if at < 0:
            raise ValueError(f"chunk not found in the phoneme string: {chunk[:40]!r}")
        offsets.append(at)
        pos = at + len(chunk)
    return offsets


def time_tokens(lay: Layout, runs: Sequence[tuple[int, str, int, np.ndarray]],
                vocab: dict[str, int], rate: int) -> Timed:
    """Word and phoneme spans of ``lay`` spoken as ``runs``.

    A run is (offset of its chunk in ``lay.phonemes``, the chunk, the sample where its audio
    starts, the durations the model predicted for it: the two pads plus one per token).
    """
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    phones: list[list[Any]] = []  # [start sample, end sample, text, owner]
    pending = ""
    for offset, chunk, base, durations in runs:
        positions = [offset + i for i, ch in enumerate(chunk) if ch in vocab]
        d = np.asarray(durations, dtype=np.int64).ravel()
        if len(d) != len(positions) + 2:
            raise ValueError(f"{len(d)} durations for {len(positions)} tokens and two pads")
        ends = base + np.cumsum(d) * FRAME_SAMPLES
        for k, pos in enumerate(positions):
            start, end = int(ends[k]), int(ends[k + 1])  # ends[0] closes the leading pad
            owner, ch = lay.owners[pos], lay.phonemes[pos]
            if owner >= 0:
                first.setdefault(owner, start)
                last[owner] = end
            if ch in _BEFORE:
                pending += ch
            elif ch in _AFTER or (unicodedata.category(ch) == "Lm" and phones):
                if phones and phones[-1][3] == owner:
                    phones[-1][1] = end
                    phones[-1][2] = f"{phones[-1][2]}{ch}"
            elif ch.isalpha():
                phones.append([start, end, pending + ch, owner])
                pending = ""
            else:
                pending = ""  # a space or a pause: the stress mark before it has no vowel

    lead = LEAD_FRAMES * FRAME_SAMPLES

    def ms(sample: int) -> int:
        return samples_to_ms(max(0, sample - lead), rate)

    words = tuple(Span(ms(first[i]), ms(last[i]), lay.words[i]) for i in sorted(first))
    phonemes = tuple(Span(ms(s), ms(e), t) for s, e, t, _ in phones)
    return Timed(words, phonemes)
