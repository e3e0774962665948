"""Kokoro-82M (int8 ONNX) run directly with onnxruntime: Mandarin and English offline voices.

We do not import ``kokoro_onnx``: its tokenizer pulls ``phonemizer`` and ``espeakng-loader``
(GPL-3.0). The session takes token ids, a style vector and a speed, as kokoro-onnx 0.6.1 calls
it, and we make the phonemes ourselves:

- Mandarin: misaki's ``ZHG2P`` (pinyin → IPA with tone arrows). It passes Latin letters through
  raw, so English runs inside Chinese ("AI", "ChatGPT") are phonemised by hibari's English G2P
  and the phoneme strings joined.
- English: hibari's G2P, a port of misaki's English G2P with the same phoneme set as Kokoro
  (hibari's vocab.json equals Kokoro's vocabulary), British rules for ``b*`` voices.

Word and phoneme times come from the model itself: ``assets.model_store`` derives a copy of the
model that also outputs the duration it predicts for every token, and ``anchor.speech.phonemes``
maps tokens back to words (no speech recognition needed). Without that copy (no ``onnx``
package when it was to be built) the plain model runs and the words are found afterwards.

The model reads at most 510 tokens at once; longer input is cut at punctuation and the pieces
joined with a short pause. The int8 model is the slow part of a run (about real time on two
cores without VNNI, 2-5x faster than real time with it), so the session is loaded once per
process, lazily, and reused.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from anchor.assets.model_store import DURATION_OUTPUT, ensure, pinned_sha256
from anchor.core.errors import BackendUnavailable, ConfigError, ModelError
from anchor.core.keys import stage_code
from anchor.core.values import Lang, VoicePreset

from .base import SAMPLE_RATE, Synth, package_version
from .phonemes import Layout, chunk_offsets, en_pieces, layout, time_tokens, zh_pieces

if TYPE_CHECKING:
    import onnxruntime

__all__ = ["KokoroBackend", "phoneme_layout", "phonemize", "split_phonemes"]

log = logging.getLogger(__name__)

MAX_TOKENS = 510  # the model's context, without the two pad tokens
THREADS = 2
_CHUNK_PAUSE_S = 0.15  # silence where a long sentence had to be cut
_DEFAULT_VOICES: dict[Lang, str] = {"zh": "zf_xiaobei", "en": "af_heart"}
_VOCAB_FILE = Path(__file__).with_name("kokoro_vocab.json")
# Latin words, with digits and joiners inside them ("GPT-4", "5G", "AT&T", "Hunan Daily")
_LATIN_RUN = re.compile(r"[A-Za-z0-9]+(?:[ '’.&\-]+[A-Za-z0-9]+)*")
_CUTS = (re.compile(r"(?<=[.!?…])\s+"), re.compile(r"(?<=[,;:—])\s+"), re.compile(r"\s+"))


# ----------------------------------------------------------------------- phonemes


@functools.cache
def _vocab() -> dict[str, int]:
    vocab: dict[str, int] = json.loads(_VOCAB_FILE.read_text(encoding="utf-8"))["vocab"]
    return vocab


@functools.cache
def _en_g2p(british: bool) -> Any:
    from hibari.g2p import G2P

    return G2P(british=british)


def phoneme_layout(text: str, language: Lang, british: bool = False) -> Layout:
    """Kokoro phonemes for ``text`` (already normalised for speech), word by word."""
    if language == "en":
        return layout(en_pieces(_en_g2p(british), text))
    pieces: list[tuple[str, str]] = []
    pos = 0
    for m in _LATIN_RUN.finditer(text):
        if not re.search(r"[A-Za-z]", m.group()):
            continue  # bare digits: ZHG2P reads them in Chinese
        pieces += [*zh_pieces(text[pos:m.start()]), ("", " "),
                   *en_pieces(_en_g2p(british), m.group()), ("", " ")]
        pos = m.end()
    pieces += zh_pieces(text[pos:])
    return layout(pieces)


def phonemize(text: str, language: Lang, british: bool = False) -> str:
    """Kokoro phonemes for ``text`` (already normalised for speech)."""
    return phoneme_layout(text, language, british).phonemes


def _token_count(phonemes: str) -> int:
    vocab = _vocab()
    return sum(1 for ch in phonemes if ch in vocab)


def _atoms(phonemes: str, limit: int) -> list[str]:
    """Pieces within ``limit``, cut at sentence, then clause, then word boundaries."""
    if _token_count(phonemes) <= limit:
        return [phonemes] if phonemes else []
    for cut in _CUTS:
        pieces = cut.split(phonemes)
        if len(pieces) > 1:
            return [atom for piece in pieces for atom in _atoms(piece.strip(), limit)]
    # one unbroken run longer than the context: slice it rather than drop the tail
    return [phonemes[i:i + limit] for i in range(0, len(phonemes), limit)]


def _pack(atoms: list[str], limit: int) -> list[str]:
    out: list[str] = []
    for atom in atoms:
        if out and _token_count(joined := f"{out[-1]} {atom}") <= limit:
            out[-1] = joined
        else:
            out.append(atom)
    return out


def split_phonemes(phonemes: str, limit: int = MAX_TOKENS) -> list[str]:
    """Pieces of at most ``limit`` tokens, cut at punctuation where possible.

    The pieces are balanced (as kokoro-onnx does): a short last piece would be read at a
    different pace and loudness from the rest of the sentence.
    """
    atoms = _atoms(" ".join(phonemes.split()), limit)
    if len(atoms) <= 1:
        return atoms
    fewest = len(_pack(atoms, limit))
    low, high = max(_token_count(a) for a in atoms), limit
    while low < high:  # the smallest limit that needs no extra piece
        middle = (low + high) // 2
        if len(_pack(atoms, middle)) <= fewest:
            high = middle
        else:
            low = middle + 1
    return _pack(atoms, low)


# ------------------------------------------------------------------------- model


@functools.cache
def _session() -> onnxruntime.InferenceSession:
    import onnxruntime as ort  # deferred: the ONNX runtime loads when Kokoro first speaks

    try:
        path = ensure("kokoro-durations")
    except ModelError as exc:  # e.g. no onnx package to build it: speak without timings
        log.warning("Kokoro without phoneme durations (%s); words will be aligned afterwards",
                    exc.message)
        path = ensure("kokoro") / "model.onnx"
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS  # the machines have two cores, shared with video work
    options.inter_op_num_threads = 1
    # No busy-waiting between operators: Kokoro speaks while video encodes (and while the
    # other language translates), and spinning threads only took CPU from them (-18 % CPU
    # per sentence measured beside other work, the same wall time).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    log.debug("loading Kokoro from %s", path)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@functools.cache
def _voices() -> Any:
    # an npz opens lazily: only the voices asked for are read from disk
    return np.load(ensure("kokoro") / "voices-v1.0.bin")


@functools.cache
def _voice_pack(name: str) -> np.ndarray:
    voices = _voices()
    if name not in voices.files:
        zh = ", ".join(v for v in voices.files if v.startswith("z"))
        raise ConfigError(f"Kokoro has no voice {name!r}",
                          hint=f"Mandarin voices: {zh}; English ones start with a or b")
    return np.asarray(voices[name], dtype=np.float32)  # (510, 1, 256): one style per length


def _infer(tokens: list[int], style: np.ndarray, speed: float
           ) -> tuple[np.ndarray, np.ndarray | None]:
    """Audio of one chunk, and the frames predicted per token (pads included) if known."""
    session = _session()
    names = {i.name for i in session.get_inputs()}
    token_input = "input_ids" if "input_ids" in names else "tokens"  # newer exports rename it
    outputs = session.run(None, {
        token_input: np.array([[0, *tokens, 0]], dtype=np.int64),
        "style": style,
        "speed": np.array([speed], dtype=np.float32),
    })
    audio = np.asarray(outputs[0], dtype=np.float32).ravel()
    timed = [o.name for o in session.get_outputs()] == ["audio", DURATION_OUTPUT]
    return audio, (np.asarray(outputs[1]).ravel() if timed else None)


class KokoroBackend:
    """Kokoro-82M voices: zf_xiaobei, zm_yunxia, ... for Mandarin; af_*, am_*, bf_* for English."""

    name = "kokoro"
    # the cache key's part: the model file's pin, the G2P packages, and this code's hash
    version = (f"kokoro-{pinned_sha256('kokoro-durations')[:16]}"
               f" misaki-{package_version('misaki')} hibari-g2p-{package_version('hibari-tts')}"
               f" code-{stage_code('speech.kokoro')[:16]}")
    languages: tuple[Lang, ...] = ("zh", "en")
    cost = 0.6  # CPU seconds per second of speech on a 2-core laptop (int8 Kokoro-82M)

    def available(self) -> bool:
        return all(importlib.util.find_spec(m) is not None
                   for m in ("onnxruntime", "misaki", "jieba", "hibari"))

    def voice_id(self, voice: VoicePreset) -> str:
        if voice.offline_backend == self.name:
            return voice.offline_voice
        return _DEFAULT_VOICES[voice.language]

    def synthesize(self, text: str, voice: VoicePreset) -> Synth:
        if not self.available():
            raise BackendUnavailable("Kokoro needs onnxruntime, misaki[zh] and hibari-tts",
                                     hint="pip install onnxruntime 'misaki[zh]' hibari-tts")
        name = self.voice_id(voice)
        pack = _voice_pack(name)
        british = name.startswith("b")  # Kokoro's b* voices are British English
        speed = min(max(voice.speed, 0.5), 2.0)
        vocab = _vocab()
        lay = phoneme_layout(text, voice.language, british)
        chunks = split_phonemes(lay.phonemes)
        parts: list[np.ndarray] = []
        runs: list[tuple[int, str, int, np.ndarray]] = []
        pos = 0
        timed = True
        for offset, chunk in zip(chunk_offsets(lay.phonemes, chunks), chunks, strict=True):
            tokens = [vocab[ch] for ch in chunk if ch in vocab]
            if not tokens:
                continue
            if parts:
                parts.append(np.zeros(int(_CHUNK_PAUSE_S * SAMPLE_RATE), np.float32))
                pos += len(parts[-1])
            # one style vector per input length: n tokens use row n - 1
            audio, durations = _infer(tokens, pack[len(tokens) - 1], speed)
            parts.append(audio)
            if durations is None:
                timed = False
            else:
                runs.append((offset, chunk, pos, durations))
            pos += len(audio)
        samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        if not timed:
            return Synth(samples, SAMPLE_RATE)
        timing = time_tokens(lay, runs, vocab, SAMPLE_RATE)
        return Synth(samples, SAMPLE_RATE, timing.words, timing.phonemes)
