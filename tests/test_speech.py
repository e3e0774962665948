"""The speech stage: track layout, cache, backend choice, edge fallback, real voices."""

from __future__ import annotations

import io
import json
import logging
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from anchor.core.errors import ConfigError, InputError
from anchor.core.values import Lang, Span, VoicePreset
from anchor.speech import BACKENDS, get_backend, speak
from anchor.speech import edge as edge_module
from anchor.speech.asr import cer, transcribe, wer
from anchor.speech.base import SAMPLE_RATE, Synth
from anchor.speech.edge import EdgeBackend, decode_mp3
from anchor.speech.kokoro import MAX_TOKENS, phonemize, split_phonemes
from anchor.speech.speak import LEAD_IN_MS, SENTENCE_PAUSE_MS, TAIL_MS, voiced_bounds
from anchor.speech.voices import load_voice


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return pcm.astype(np.float32) / 32767.0, w.getframerate()


def voiced_rms(samples: np.ndarray) -> float:
    head, tail = voiced_bounds(samples, SAMPLE_RATE)
    return float(np.sqrt(np.mean(samples[head:tail] ** 2)))


# ------------------------------------------------------------- a backend we control


class ToneBackend:
    """Speaks a 440 Hz tone, 50 ms per character, padded with silence, at 16 kHz."""

    name = "tone"
    version = "1"
    languages: tuple[Lang, ...] = ("zh", "en")
    heard: list[str] = []  # noqa: RUF012 - shared on purpose: tests read what was asked

    def available(self) -> bool:
        return True

    def voice_id(self, voice: VoicePreset) -> str:
        return "a440"

    def synthesize(self, text: str, voice: VoicePreset) -> Synth:
        self.heard.append(text)
        rate = 16_000
        n = len(text) * rate // 20
        tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)
        pad = np.zeros(rate // 5)  # 200 ms of silence each side, as real engines leave
        samples = np.concatenate([pad, tone, pad]).astype(np.float32)
        words = (Span(200, 200 + len(text) * 50, text),)
        return Synth(samples, rate, words)


@pytest.fixture
def tone(monkeypatch: pytest.MonkeyPatch) -> type[ToneBackend]:
    monkeypatch.setitem(BACKENDS, "tone", ToneBackend)
    monkeypatch.setattr(ToneBackend, "heard", [])
    return ToneBackend


def test_track_layout(tone: type[ToneBackend], tmp_path: Path) -> None:
    texts = ["增长95%。", "新闻发布。"]
    out = tmp_path / "out" / "zh.wav"
    done: list[tuple[int, int]] = []
    speech = speak(texts, "zh", load_voice("zh-female"), "tone", out_wav=out,
                   cache_dir=tmp_path / "cache", progress=lambda i, n: done.append((i, n)))
    assert done == [(1, 2), (2, 2)]
    samples, rate = read_wav(out)
    assert rate == SAMPLE_RATE == speech.sample_rate
    assert abs(len(samples) * 1000 // rate - speech.duration_ms) <= 1
    assert (speech.backend, speech.voice, speech.language) == ("tone", "a440", "zh")
    # the backend reads the normalised text; the spans keep the written one for captions
    assert tone.heard == ["增长百分之九十五。", "新闻发布。"]
    first, second = speech.sentences
    assert [first.text, second.text] == texts
    assert first.start_ms == LEAD_IN_MS
    assert second.start_ms - first.end_ms == SENTENCE_PAUSE_MS
    assert abs(speech.duration_ms - second.end_ms - TAIL_MS) <= 1
    # 50 ms a character, plus the 20 + 60 ms margins the trim keeps
    assert abs(first.duration_ms - (len(tone.heard[0]) * 50 + 80)) <= 15
    assert len(speech.words) == 2
    for word, sentence in zip(speech.words, speech.sentences, strict=True):
        assert sentence.start_ms <= word.start_ms < word.end_ms <= sentence.end_ms


def test_track_is_levelled_and_joins_do_not_click(tone: type[ToneBackend],
                                                   tmp_path: Path) -> None:
    speech = speak(["第一句。", "第二句。"], "zh", load_voice("zh-female"), "tone",
                   out_wav=tmp_path / "a.wav", cache_dir=tmp_path / "cache")
    samples, rate = read_wav(speech.audio)
    # speech is levelled to -20 dBFS RMS: for a pure tone, a peak of 0.1 * sqrt(2)
    assert np.abs(samples).max() == pytest.approx(0.1 * np.sqrt(2), rel=0.05)
    lead = samples[: LEAD_IN_MS * rate // 1000]
    assert np.abs(lead).max() < 1e-3
    for s in speech.sentences:  # the fades bring every edge of speech to zero
        start, end = s.start_ms * rate // 1000, s.end_ms * rate // 1000
        assert abs(samples[start]) < 0.01 and abs(samples[end - 1]) < 0.01


def test_sentences_are_cached(tone: type[ToneBackend], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    voice = load_voice("en-female")
    first = speak(["One.", "Two."], "en", voice, "tone", out_wav=tmp_path / "1.wav",
                  cache_dir=cache)
    assert len(tone.heard) == 2
    again = speak(["Two.", "One."], "en", voice, "tone", out_wav=tmp_path / "2.wav",
                  cache_dir=cache)
    assert len(tone.heard) == 2  # nothing synthesised the second time
    assert again.sentences[0].duration_ms == first.sentences[1].duration_ms
    assert len(list(cache.glob("*.npy"))) == 2
    assert all(json.loads(p.read_text()) for p in cache.glob("*.json"))
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_empty_sentence_keeps_its_place(tone: type[ToneBackend], tmp_path: Path) -> None:
    speech = speak(["One.", "  ", "Two."], "en", load_voice("en-female"), "tone",
                   out_wav=tmp_path / "a.wav", cache_dir=tmp_path / "c")
    one, blank, two = speech.sentences
    assert blank.duration_ms == 0 and one.end_ms <= blank.start_ms <= two.start_ms
    assert two.start_ms - one.end_ms == SENTENCE_PAUSE_MS


def test_bad_requests(tone: type[ToneBackend], tmp_path: Path) -> None:
    with pytest.raises(InputError):
        speak([], "zh", load_voice("zh-female"), "tone", out_wav=tmp_path / "a.wav")
    with pytest.raises(ConfigError):
        speak(["Hello."], "en", load_voice("zh-female"), "tone", out_wav=tmp_path / "a.wav")


# ------------------------------------------------------------------ backend choice


def test_offline_backends_follow_language_and_preset() -> None:
    assert get_backend("offline", "zh").name == "kokoro"
    assert get_backend("offline", "en").name == "hibari"
    assert get_backend("offline", "en", load_voice("en-male")).name == "kokoro"
    assert get_backend("edge", "zh").name == "edge"


def test_unknown_or_unfit_backend() -> None:
    with pytest.raises(ConfigError) as err:
        get_backend("espeak", "zh")
    assert "kokoro" in err.value.hint
    with pytest.raises(ConfigError):
        get_backend("hibari", "zh")


@pytest.fixture
def offline_probe(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    calls: list[float] = []

    def probe(timeout: float) -> bool:
        calls.append(timeout)
        return False

    monkeypatch.setattr(edge_module, "_probe_result", None)
    monkeypatch.setattr(edge_module, "_probe", probe)
    return calls


def test_auto_picks_offline_when_edge_is_unreachable(
        offline_probe: list[float], caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="anchor.speech"):
        backend = get_backend("auto", "zh", load_voice("zh-female"))
    assert backend.name == "kokoro"
    assert "kokoro" in caplog.text and "unreachable" in caplog.text
    get_backend("auto", "en")
    assert len(offline_probe) == 1  # the probe is cached


def test_probe_is_bounded_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge_module, "HOST", "anchor-test.invalid")  # reserved: never resolves
    monkeypatch.setattr(edge_module, "_probe_result", None)
    start = time.monotonic()
    assert edge_module.reachable(timeout=1.0) is False
    assert time.monotonic() - start < 1.5


# ------------------------------------------------------------------------- edge-tts


def test_decode_mp3() -> None:
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=SAMPLE_RATE, layout="mono")
        t = np.arange(SAMPLE_RATE // 2) / SAMPLE_RATE
        frame = av.AudioFrame.from_ndarray(
            (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :],
            format="flt", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    samples = decode_mp3(buf.getvalue())
    assert samples.dtype == np.float32
    assert abs(len(samples) - SAMPLE_RATE // 2) < 2000  # mp3 pads a frame or so
    assert 0.2 < np.abs(samples).max() < 0.4


def test_edge_failure_falls_back_offline_with_one_warning(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    import edge_tts.communicate

    # a host that never resolves, so the test behaves the same online and offline
    monkeypatch.setattr(edge_tts.communicate, "WSS_URL",
                        "wss://anchor-test.invalid/edge/v1?TrustedClientToken=x")
    monkeypatch.setattr(EdgeBackend, "backoff_s", (0.0,))
    monkeypatch.setattr(edge_module, "_probe_result", None)  # the failure is remembered
    start = time.monotonic()
    with caplog.at_level(logging.DEBUG):
        speech = speak(["Hello there.", "Second line."], "en", load_voice("en-female"), "edge",
                       out_wav=tmp_path / "en.wav", cache_dir=tmp_path / "cache")
    assert time.monotonic() - start < 30
    assert speech.backend == "hibari" and speech.voice == "heart"
    assert len(speech.sentences) == 2 and speech.audio.exists()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    line = warnings[0].getMessage()
    assert "edge-tts failed" in line and "offline" in line and "\n" not in line
    assert warnings[0].exc_info is None  # one clear line, no stack trace


@pytest.mark.network
def test_edge_speaks_with_word_times(tmp_path: Path) -> None:
    if not EdgeBackend().available():
        pytest.skip("edge-tts host unreachable: this machine has no internet")
    synth = EdgeBackend().synthesize("Hello from the newsroom.", load_voice("en-female"))
    assert synth.sample_rate == SAMPLE_RATE and synth.duration_ms > 800
    assert [w.text for w in synth.words][:2] == ["Hello", "from"]


# --------------------------------------------------------------- Kokoro phonemes


def test_kokoro_vocab_matches_hibari() -> None:
    """hibari's G2P feeds Kokoro English: both must use the same phoneme table."""
    import hibari

    ours = json.loads((Path(__file__).parents[1] / "anchor/speech/kokoro_vocab.json")
                      .read_text(encoding="utf-8"))["vocab"]
    theirs = json.loads((Path(hibari.__file__).parent / "assets/vocab.json")
                        .read_text(encoding="utf-8"))
    assert ours == theirs


def test_mixed_chinese_and_english_phonemes() -> None:
    from anchor.speech.kokoro import _vocab

    phonemes = phonemize("他使用了AI和ChatGPT技术。", "zh")
    english = phonemize("ChatGPT", "en")
    assert english in phonemes  # the Latin run went through the English G2P
    assert "Chat" not in phonemes
    assert set(phonemes) <= set(_vocab())


def test_long_input_is_split_at_punctuation() -> None:
    clause = "ni↓xau↓ ʂɨ↘ʨje↘, "
    phonemes = (clause * 20 + "xau↓. ") * 4
    pieces = split_phonemes(phonemes)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_TOKENS for p in pieces)
    assert all(p.endswith((".", ",")) for p in pieces)
    assert " ".join(pieces).split() == phonemes.split()


# -------------------------------------------------------------------- real voices

ZH = "湖南日报的数字记者可以用中英文播报新闻。"
EN = "The digital reporter can read the news in Chinese and English."


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["zh-female", "zh-male"])
def test_kokoro_mandarin_round_trip(preset: str, tmp_path: Path) -> None:
    speech = speak([ZH], "zh", load_voice(preset), "offline", out_wav=tmp_path / "zh.wav",
                   cache_dir=tmp_path / "cache")
    assert speech.backend == "kokoro"
    samples, _ = read_wav(speech.audio)
    (sentence,) = speech.sentences
    assert sentence.start_ms == LEAD_IN_MS
    assert abs(speech.duration_ms - sentence.end_ms - TAIL_MS) <= 1
    assert 2500 < sentence.duration_ms < 8000  # 19 characters at a newsreader's pace
    assert voiced_rms(samples) > 0.05
    heard = transcribe(speech.audio, "zh")
    assert cer(ZH, heard.text) <= 0.15, heard.text


@pytest.mark.slow
def test_hibari_english_round_trip(tmp_path: Path) -> None:
    speech = speak([EN], "en", load_voice("en-female"), "offline", out_wav=tmp_path / "en.wav",
                   cache_dir=tmp_path / "cache")
    assert (speech.backend, speech.voice) == ("hibari", "heart")
    samples, _ = read_wav(speech.audio)
    (sentence,) = speech.sentences
    assert sentence.start_ms == LEAD_IN_MS
    assert 2000 < sentence.duration_ms < 6000
    assert voiced_rms(samples) > 0.05
    heard = transcribe(speech.audio, "en")
    assert wer(EN, heard.text) <= 0.2, heard.text
    assert heard.words and heard.words[-1].end_ms <= speech.duration_ms + 100
