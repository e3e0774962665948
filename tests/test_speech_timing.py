"""Word and phoneme times from the voices' own predicted durations.

The phoneme string built word by word must be the string the G2P gives in one call (or the
audio would change); the durations must account for every sample; and where the voice starts
again after a pause, a predicted word must start there, as a voice-activity detector hears it.
The sentences here are not the ones the two-frame lead in anchor.speech.phonemes was measured on.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import numpy as np
import pytest

from anchor.assets import model_store as modelstore
from anchor.core.values import Span
from anchor.speech.align import onset_errors, read_pcm16, voice_onsets
from anchor.speech.phonemes import FRAME_SAMPLES, LEAD_FRAMES, layout, time_tokens

ZH = ("湖南日报的数字记者可以同时用中文和英文播报新闻，在2025年中国新媒体大会上首次亮相。",
      "他们使用了AI和ChatGPT技术，相似度达到百分之九十五。")
EN = ("The digital reporter, launched on Thursday, reads the news in two languages.",
      "On the 3rd of March 2024, 1,250 people paid $9.99 each, and Dr. Smith said so.")


# ------------------------------------------------------------------ phoneme strings


@pytest.mark.parametrize("text", [*ZH, "(测试)《人民日报》说：“好”。", "共有1260个中心。"])
def test_mandarin_layout_is_what_the_g2p_gives(text: str) -> None:
    from misaki.zh import ZHG2P

    from anchor.speech.kokoro import _LATIN_RUN, _en_g2p, phoneme_layout

    g2p = ZHG2P()
    parts, pos = [], 0
    for m in _LATIN_RUN.finditer(text):  # as kokoro.phonemize did before it kept words
        if re.search(r"[A-Za-z]", m.group()):
            parts += [g2p(text[pos:m.start()])[0], str(_en_g2p(False)(m.group()))]
            pos = m.end()
    parts.append(g2p(text[pos:])[0])
    whole = " ".join(" ".join(p.strip() for p in parts if p.strip()).split())
    lay = phoneme_layout(text, "zh")
    assert lay.phonemes == whole
    assert len(lay.owners) == len(lay.phonemes)
    spoken = "".join(lay.words)
    assert all(ch in spoken for ch in "数字记者" if ch in text)


@pytest.mark.parametrize("text", EN)
def test_english_layout_is_what_the_g2p_gives(text: str) -> None:
    from hibari.g2p import G2P

    from anchor.speech.kokoro import phoneme_layout

    lay = phoneme_layout(text, "en")
    assert lay.phonemes == " ".join(G2P()(text).split())
    assert "reporter" in lay.words or "March" in lay.words


def test_tokens_map_to_words_and_phonemes() -> None:
    lay = layout([("ni", "ni↓"), ("", " "), ("hao", "xau↓"), ("", ".")])
    vocab = {ch: i for i, ch in enumerate(sorted(set(lay.phonemes)), 1)}
    # pads of 10 and 5 frames around: n i ↓ ␠ x a u ↓ .
    durations = np.array([10, 2, 3, 1, 1, 2, 4, 2, 1, 6, 5])
    timed = time_tokens(lay, [(0, lay.phonemes, 0, durations)], vocab, 24000)
    frame_ms, lead = FRAME_SAMPLES * 1000 // 24000, LEAD_FRAMES * FRAME_SAMPLES * 1000 // 24000
    assert timed.words == (Span(10 * frame_ms - lead, 16 * frame_ms - lead, "ni"),
                           Span(17 * frame_ms - lead, 26 * frame_ms - lead, "hao"))
    assert [p.text for p in timed.phonemes] == ["n", "i↓", "x", "a", "u↓"]  # tone kept
    assert timed.phonemes[1] == Span(12 * frame_ms - lead, 16 * frame_ms - lead, "i↓")
    with pytest.raises(ValueError, match="durations"):
        time_tokens(lay, [(0, lay.phonemes, 0, durations[:-1])], vocab, 24000)


def test_onsets_and_errors_on_a_made_signal() -> None:
    rate = 24000
    x = np.zeros(3 * rate, np.float32)
    for start in (0.3, 1.5):  # two bursts after silence
        i = int(start * rate)
        x[i:i + rate // 2] = 0.3 * np.sin(2 * np.pi * 200 * np.arange(rate // 2) / rate)
    assert voice_onsets(x, rate) == [300, 1500]
    words = [Span(320, 700, "a"), Span(1450, 1900, "b")]
    assert onset_errors(words, [300, 1500]) == [20, -50]


# ------------------------------------------------------------------ the real voices

needs_kokoro = pytest.mark.skipif(not modelstore.is_ready("kokoro"),
                                  reason="Kokoro is not fetched (anchor models fetch kokoro)")


@pytest.mark.slow
@needs_kokoro
def test_kokoro_durations_account_for_every_sample_and_leave_the_audio_alone() -> None:
    import onnxruntime as ort

    from anchor.speech.kokoro import _infer, _vocab, _voice_pack, phonemize

    pack = _voice_pack("zf_xiaobei")
    phonemes = phonemize(ZH[0], "zh")
    tokens = [_vocab()[ch] for ch in phonemes if ch in _vocab()]
    audio, durations = _infer(tokens, pack[len(tokens) - 1], 1.0)
    assert durations is not None and len(durations) == len(tokens) + 2
    assert int(durations.sum()) * FRAME_SAMPLES == len(audio)
    plain = ort.InferenceSession(str(modelstore.ensure("kokoro") / "model.onnx"),
                                 providers=["CPUExecutionProvider"])
    (reference,) = plain.run(["audio"], {"tokens": np.array([[0, *tokens, 0]]),
                                         "style": pack[len(tokens) - 1],
                                         "speed": np.array([1.0], np.float32)})
    assert np.allclose(reference.ravel(), audio, atol=1e-4)  # same graph, one more output


@pytest.mark.slow
def test_hibari_durations_account_for_every_sample() -> None:
    from anchor.speech.hibari import _engine

    engine, timed = _engine("heart")
    assert timed
    ids = engine.ids(engine.phonemize(EN[0])[0])
    out = engine.sess.run(None, {"ids": np.asarray([ids], np.int64),
                                 "speed": np.asarray([1.0], np.float32)})
    assert len(out[6]) == len(ids)
    assert 2 * int(out[6].sum()) == out[0].shape[-1]  # two STFT frames per predicted frame


def _speak(tmp_path: Path, lang: str, texts: tuple[str, ...], preset: str) -> tuple:
    from anchor.speech import speak
    from anchor.speech.voices import load_voice

    speech = speak(list(texts), lang, load_voice(preset), "offline",
                   out_wav=tmp_path / f"{lang}.wav", cache_dir=tmp_path / "cache")
    return speech, *read_pcm16(speech.audio)


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "texts", "preset"), [
    pytest.param("zh", ZH, "zh-female", marks=needs_kokoro), ("en", EN, "en-female")])
def test_word_starts_land_on_voice_onsets(tmp_path: Path, lang: str, texts: tuple[str, ...],
                                          preset: str) -> None:
    speech, samples, rate = _speak(tmp_path, lang, texts, preset)
    assert speech.backend == ("kokoro" if lang == "zh" else "hibari")
    assert len(speech.words) >= 12 and speech.phonemes
    onsets = voice_onsets(samples, rate)
    assert len(onsets) >= 3  # each sentence, and the commas
    errors = [abs(e) for e in onset_errors(speech.words, onsets)]
    # a predicted frame is 25 ms: within two of them, and never far off
    assert statistics.median(errors) <= 50, list(zip(onsets, errors, strict=True))
    assert max(errors) <= 100, list(zip(onsets, errors, strict=True))
    # words lie inside their sentences, in order, and phonemes inside the words' stretch
    for sentence in speech.sentences:
        inside = [w for w in speech.words if sentence.start_ms <= w.start_ms < sentence.end_ms]
        assert inside and all(w.end_ms <= sentence.end_ms for w in inside)
    starts = [w.start_ms for w in speech.words]
    assert starts == sorted(starts)
    assert speech.phonemes[0].start_ms >= speech.words[0].start_ms
    assert speech.phonemes[-1].end_ms <= speech.words[-1].end_ms
