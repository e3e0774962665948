"""Lip shapes from what is said: phonemes timed on the word timings, per video frame.

Each word's phonemes (misaki for Mandarin, hibari's port of misaki for English:
the phonemes Kokoro speaks) are spread over the word's voiced time, longer for
vowels than consonants. Every phoneme falls in one of twelve visemes, each a
target for the jaw (how far it drops), the lips' width (rounded −1 .. spread +1)
and a dominance: how strongly it holds its shape against its neighbours. A frame
blends the targets of the phonemes around it, weighted by dominance and by
distance in time (coarticulation: an "oo" rounds the consonant before it, a "t"
takes the shape of its vowel). Two visemes are not blended but enforced: the lips
close on m/b/p, and the lower lip meets the upper teeth on f/v, each on at least
one frame however short the sound. The voice's loudness then scales how far the
jaw drops, and gaps between words close the mouth.

Without word timings or a G2P (a hand-made voice track), the same per-frame
targets come from the audio alone (``anchor.render.presenter.lipsync``): openness from
loudness, roundness from the spectrum, and the lips close in the loudness dips
between syllables.

Also here, because they are timed on the same words: phrase starts (a small nod)
and stressed words (a brow raise).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anchor.core.timing import Fps, frame_count, ms_at_frame
from anchor.core.values import Lang, Span

from .lipsync import LipParams, _round_flags, analyse_features, openness

__all__ = [
    "VISEMES",
    "MouthTrack",
    "Phone",
    "mouth_track",
    "phones_of",
    "time_phones",
    "viseme_of",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Target:
    jaw: float  # 0 shut .. 1 the widest "a" of loud speech
    width: float  # -1 rounded (o, u, w) .. +1 spread (i, e)
    dominance: float  # how strongly the shape resists its neighbours
    reach_ms: float  # how far before and after the sound it colours its neighbours
    weight: float  # relative length inside a word


# Twelve visemes. Dominance and reach after Cohen & Massaro's coarticulation model:
# rounding spreads far (lips anticipate an "oo" by a syllable), tongue consonants
# barely show on the lips and take their vowel's shape.
VISEMES: dict[str, _Target] = {
    "rest": _Target(0.0, 0.0, 0.7, 60, 1.0),
    "mbp": _Target(0.0, 0.0, 1.0, 40, 0.9),
    "fv": _Target(0.12, 0.25, 0.9, 40, 1.1),
    "dtln": _Target(0.3, 0.25, 0.25, 30, 0.8),
    "kgh": _Target(0.35, 0.0, 0.2, 30, 0.8),
    "sz": _Target(0.1, 0.6, 0.6, 40, 1.1),
    "sh": _Target(0.18, -0.6, 0.6, 60, 1.1),
    "aa": _Target(1.0, 0.2, 0.5, 50, 2.2),
    "eh": _Target(0.6, 0.45, 0.45, 50, 2.0),
    "iy": _Target(0.3, 1.0, 0.5, 50, 2.0),
    "ow": _Target(0.7, -0.85, 0.65, 90, 2.2),
    "uw": _Target(0.3, -1.0, 0.7, 100, 2.0),
}

# Kokoro/misaki phoneme symbols (IPA plus a few capitals for English diphthongs).
_CHARS: dict[str, str] = {}
for _v, _cs in {
    "mbp": "mbpɱ",
    "fv": "fv",
    "dtln": "tdnlɾθðɫ",
    "kgh": "kgɡŋhxɣʔ",
    "sz": "szʦʣ",
    "sh": "ʃʒʧʤɕʑʨʥʂʐʈɖɹɻrʁ",
    "aa": "aɑæʌɐ",
    "eh": "eɛəɜɚɘɤᵊɨɵ",
    "iy": "iɪjᵻ",
    "ow": "oɔɒ",
    "uw": "uʊwɥyʏɯ",
}.items():
    for _c in _cs:
        _CHARS[_c] = _v
# English diphthongs as misaki writes them: two visemes each.
_DIPHTHONGS = {"A": ("eh", "iy"), "I": ("aa", "iy"), "W": ("aa", "uw"), "Y": ("ow", "iy"),
               "O": ("ow", "uw"), "Q": ("eh", "uw")}
_VOWELS = {"aa", "eh", "iy", "ow", "uw"}


def viseme_of(symbol: str) -> str | None:
    """The viseme of one phoneme symbol; None for tones, stress marks and spaces."""
    return _CHARS.get(symbol)


@dataclass(frozen=True, slots=True)
class Phone:
    """One viseme-bearing sound on the clip's timeline."""

    start_ms: float
    end_ms: float
    viseme: str
    word: int  # index of the word it belongs to


def phones_of(phonemes: str) -> list[str]:
    """Viseme sequence of a phoneme string (diphthongs split, marks dropped)."""
    out: list[str] = []
    for ch in phonemes:
        if ch in _DIPHTHONGS:
            out.extend(_DIPHTHONGS[ch])
        elif ch in _CHARS:
            out.append(_CHARS[ch])
    return out


_LETTERS = {"m": "mbp", "b": "mbp", "p": "mbp", "f": "fv", "v": "fv", "w": "uw", "u": "uw",
            "o": "ow", "a": "aa", "e": "eh", "i": "iy", "y": "iy", "s": "sz", "z": "sz",
            "c": "kgh", "k": "kgh", "g": "kgh", "q": "kgh", "h": "kgh", "x": "sz", "j": "sh",
            "r": "sh", "t": "dtln", "d": "dtln", "n": "dtln", "l": "dtln"}


_REP = {"mbp": "m", "fv": "f", "dtln": "t", "kgh": "k", "sz": "s", "sh": "ʃ", "aa": "a",
        "eh": "e", "iy": "i", "ow": "o", "uw": "u"}


def _spelled(text: str) -> str:
    """Phoneme-ish string from spelling, when no G2P is installed (English or pinyin)."""
    return "".join(_REP[_LETTERS[c]] for c in text.lower() if c in _LETTERS)


def _g2p(language: str) -> Callable[[str], str]:
    """Kokoro's phonemiser for ``language``; spelling rules when misaki/hibari are absent."""
    try:
        # deferred: the G2P packages (misaki, hibari) are optional and slow to load, and
        # anchor.speech brings every speech backend's module with it
        from anchor.speech.kokoro import phonemize

        lang: Lang = "zh" if language == "zh" else "en"
        phonemize("你好" if lang == "zh" else "test", lang)  # load the G2P now, not per word
        return lambda text: phonemize(text, lang)
    except (ImportError, OSError) as exc:
        log.info("no G2P for lip shapes (%s): using spelling", exc)
        if language == "zh":
            try:
                from pypinyin import lazy_pinyin

                return lambda text: _spelled(" ".join(lazy_pinyin(text)))
            except ImportError:
                pass
        return _spelled


def time_phones(words: Sequence[Span], phonemes: Sequence[str],
                voiced: Callable[[int, int], tuple[int, int]] | None = None) -> list[Phone]:
    """Each word's visemes spread over its (voiced) span, by their relative lengths."""
    out: list[Phone] = []
    for i, (w, ph) in enumerate(zip(words, phonemes, strict=True)):
        vis = phones_of(ph)
        if not vis or w.end_ms <= w.start_ms:
            continue
        a, b = voiced(w.start_ms, w.end_ms) if voiced else (w.start_ms, w.end_ms)
        if b - a < 0.5 * (w.end_ms - w.start_ms):
            a, b = w.start_ms, w.end_ms  # trust the word more than a faint voice
        weights = np.array([VISEMES[v].weight for v in vis])
        edges = a + (b - a) * np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
        out += [Phone(float(edges[k]), float(edges[k + 1]), v, i) for k, v in enumerate(vis)]
    return out


@dataclass(frozen=True, slots=True, eq=False)
class MouthTrack:
    """Per video frame: what the mouth, brows and head do."""

    jaw: np.ndarray  # float32 0..~1.1: jaw drop as a share of the widest
    width: np.ndarray  # float32 -1 rounded .. +1 spread
    closed: np.ndarray  # bool: lips pressed (m, b, p; pauses)
    fv: np.ndarray  # bool: lower lip under the upper teeth
    speaking: np.ndarray  # float32 0..1: inside speech (smile corners relax)
    stress_ms: tuple[int, ...]  # starts of stressed words (brow raises)
    phrase_ms: tuple[int, ...]  # starts of phrases (nods)
    phones: tuple[Phone, ...]  # what it was made from (empty: from the audio alone)
    source: str  # "phonemes" or "audio"


def _frame_times(n: int, fps: Fps, lead_ms: int) -> np.ndarray:
    edges = np.array([ms_at_frame(f, fps) for f in range(n + 1)], dtype=np.float64)
    return (edges[:-1] + edges[1:]) / 2 + lead_ms


def _blend(phones: Sequence[Phone], t: np.ndarray, gaps: Sequence[tuple[float, float]]
           ) -> tuple[np.ndarray, np.ndarray]:
    """Dominance-weighted jaw and width targets at times ``t`` (Cohen–Massaro)."""
    segs = [(p.start_ms, p.end_ms, VISEMES[p.viseme]) for p in phones]
    segs += [(a, b, VISEMES["rest"]) for a, b in gaps]
    num_j = np.zeros_like(t)
    num_w = np.zeros_like(t)
    den = np.full_like(t, 1e-6)
    for a, b, tg in segs:
        lo, hi = np.searchsorted(t, a - 4 * tg.reach_ms), np.searchsorted(t, b + 4 * tg.reach_ms)
        if lo >= hi:
            continue
        tt = t[lo:hi]
        dist = np.maximum(0.0, np.maximum(a - tt, tt - b))
        wt = tg.dominance * np.exp(-dist / tg.reach_ms)
        num_j[lo:hi] += wt * tg.jaw
        num_w[lo:hi] += wt * tg.width
        den[lo:hi] += wt
    return num_j / den, num_w / den


def _enforce(phones: Sequence[Phone], viseme: str, t: np.ndarray) -> np.ndarray:
    """Frames that must show ``viseme``: those inside it, or the nearest one."""
    hit = np.zeros(t.shape[0], dtype=bool)
    for p in phones:
        if p.viseme != viseme:
            continue
        lo, hi = np.searchsorted(t, p.start_ms), np.searchsorted(t, p.end_ms)
        if hi > lo:
            hit[lo:hi] = True
        else:
            k = int(np.argmin(np.abs(t - (p.start_ms + p.end_ms) / 2)))
            hit[k] = True
    return hit


_MIX = 0.5  # share of the jaw from the phonemes; the rest follows the voice's loudness


def _gain(open_: np.ndarray) -> np.ndarray:
    """Loudness → how far the jaw goes of its target: whispers barely open, loud
    syllables open fully."""
    return np.clip(0.2 + 1.1 * open_, 0.2, 1.3)


def _envelope(active: np.ndarray, fps: Fps, hold_ms: float, release_ms: float) -> np.ndarray:
    """1 while speaking, holding over short gaps, easing to 0 in a pause."""
    hold = max(1, round(hold_ms * fps / 1000))
    down = 1.0 - np.exp(-1000.0 / fps / release_ms)
    out = np.zeros(active.shape[0], np.float32)
    y, since = 0.0, hold + 1
    for i, a in enumerate(active.tolist()):
        since = 0 if a else since + 1
        target = 1.0 if since <= hold else 0.0
        y += (0.5 if target > y else down) * (target - y)
        out[i] = y
    return out


def _phrase_starts(words: Sequence[Span], pause_ms: int = 250) -> tuple[int, ...]:
    out = []
    prev_end = -10 ** 9
    for w in words:
        if w.start_ms - prev_end >= pause_ms:
            out.append(w.start_ms)
        prev_end = w.end_ms
    return tuple(out)


def _stressed(words: Sequence[Span], loud: Callable[[int, int], float]) -> tuple[int, ...]:
    """Words said louder than their neighbours (the top sixth), at most one per 2 s."""
    if not words:
        return ()
    level = np.array([loud(w.start_ms, w.end_ms) for w in words])
    cut = float(np.percentile(level, 83))
    out: list[int] = []
    for w, lv in zip(words, level.tolist(), strict=True):
        if lv >= cut and lv > 0 and (not out or w.start_ms - out[-1] >= 2000):
            out.append(w.start_ms)
    return tuple(out)


def _valleys(db: np.ndarray, open_: np.ndarray, fps: Fps) -> np.ndarray:
    """Loudness dips between syllables (>= 7 dB under the peaks either side within
    ~120 ms): the lips meet there in real speech."""
    n = db.shape[0]
    r = max(1, round(0.12 * fps))
    out = np.zeros(n, dtype=bool)
    for i in range(1, n - 1):
        if not (db[i] <= db[i - 1] and db[i] <= db[i + 1]) or open_[i] <= 0:
            continue
        left, right = db[max(0, i - r):i].max(), db[i + 1:i + 1 + r].max()
        if min(left, right) - db[i] >= 7.0:
            out[i] = True
    return out


def _runs_as_words(active: np.ndarray, t: np.ndarray) -> list[Span]:
    idx = np.flatnonzero(np.diff(np.concatenate([[0], active.astype(np.int8), [0]])))
    return [Span(int(t[a]), int(t[b - 1]) + 1, "~") for a, b in zip(idx[::2], idx[1::2],
                                                                    strict=True)]


def mouth_track(audio: Path, fps: Fps, duration_ms: int, words: Sequence[Span] = (),
                language: str = "", params: LipParams | None = None) -> MouthTrack:
    """The whole mapping for one clip: voice track (+ words, language) → MouthTrack."""
    p = params or LipParams()
    n = frame_count(duration_ms, fps)
    rms, centroid = analyse_features(audio, fps, duration_ms, p)
    open_ = openness(rms, fps, p)
    db = 20.0 * np.log10(np.maximum(rms, 1e-9))
    t = _frame_times(n, fps, p.lead_ms)
    speech_words = [w for w in words if w.text.strip() and w.end_ms > w.start_ms]
    frame_ms = 1000.0 / fps

    def frames_of(a: float, b: float) -> slice:
        return slice(int(np.searchsorted(t, a)), int(np.searchsorted(t, b)))

    def loud(a: int, b: int) -> float:
        s = open_[frames_of(a, b)]
        return float(s.max()) if s.size else 0.0

    def voiced(a: int, b: int) -> tuple[int, int]:
        sl = frames_of(a, b)
        on = np.flatnonzero(open_[sl] > 0.05)
        if on.size == 0:
            return a, b
        first, last = sl.start + int(on[0]), sl.start + int(on[-1])
        return (max(a, int(t[first] - frame_ms)), min(b, int(t[last] + frame_ms)))

    phones: list[Phone] = []
    if speech_words and language:
        g2p = _g2p(language)
        try:
            phonemes = [g2p(w.text) for w in speech_words]
        except Exception as exc:  # a G2P bug must not cost the clip: fall back to audio
            log.warning("phonemes of the words failed (%s): lip shapes from the audio", exc)
            phonemes = []
        if phonemes:
            phones = time_phones(speech_words, phonemes, voiced)
    if phones:
        gaps = []
        ends = [0.0] + [float(w.end_ms) for w in speech_words]
        starts = [float(w.start_ms) for w in speech_words] + [float(duration_ms)]
        gaps = [(a, b) for a, b in zip(ends, starts, strict=True) if b - a >= 60]
        jaw, width = _blend(phones, t, gaps)
        in_words = np.zeros(n, dtype=bool)
        for w in speech_words:
            in_words[frames_of(w.start_ms, w.end_ms)] = True
        jaw = _MIX * jaw * _gain(open_) + (1.0 - _MIX) * open_
        silent = ~in_words & (open_ <= 0.02)
        jaw[silent] = 0.0
        # Lips meet on m/b/p, and often at syllable edges: deep dips in loudness.
        closed = _enforce(phones, "mbp", t) | (jaw < 0.06) | _valleys(db, open_, fps)
        fv = _enforce(phones, "fv", t) & ~closed
        active = in_words
        source = "phonemes"
    else:
        rounded = _round_flags(centroid, open_, p)  # the audio's own roundness cue
        jaw = np.clip(open_ * 1.05, 0.0, 1.1)
        width = np.where(rounded, -0.9, 0.3)
        # Silence by the raw level (not the smoothed openness): the lips meet as the
        # voice stops, not a release time later.
        voiced_db = db[db > p.floor_dbfs]
        ref = float(np.percentile(voiced_db, 95)) if voiced_db.size else 0.0
        silent = db < max(p.floor_dbfs, ref - p.gate_db)
        closed = (open_ <= 0.02) | silent | _valleys(db, open_, fps)
        jaw = np.where(closed, 0.0, jaw)
        fv = np.zeros(n, dtype=bool)
        active = open_ > 0.02
        source = "audio"
        if not speech_words:  # runs of voice stand in for words (nods, brow raises)
            speech_words = _runs_as_words(active, t)
    return MouthTrack(
        jaw=jaw.astype(np.float32), width=np.asarray(width, np.float32), closed=closed,
        fv=fv, speaking=_envelope(active, fps, 400, 250),
        stress_ms=_stressed(speech_words, loud), phrase_ms=_phrase_starts(speech_words),
        phones=tuple(phones), source=source,
    )
