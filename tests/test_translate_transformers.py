"""The transformers backends' real loading and generation code, on tiny models.

The tests build a Marian model (d_model=16, one layer each side) with a
SentencePiece tokenizer trained here, and a tiny Qwen2-style chat model with a
character-level tokenizer, save them with ``save_pretrained`` and load them back
through ``load_pretrained``. The weights are random, so the text is garbage: what
is checked is the path (config → tokenizer → model → generate → Script) and the
shapes. A few seconds in all; torch is an optional extra, hence the skip.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="transformers backends need the torch extra")
transformers = pytest.importorskip("transformers")
spm = pytest.importorskip("sentencepiece", reason="Marian's tokenizer needs sentencepiece")

from anchor.core.errors import BackendUnavailable  # noqa: E402
from anchor.core.values import Article, Summary  # noqa: E402
from anchor.language.text import to_traditional  # noqa: E402
from anchor.summarize import summarize  # noqa: E402
from anchor.translate import transformers_backend as tb  # noqa: E402
from anchor.translate import translate  # noqa: E402

# Marian's tokenizer asks for sacremoses, which only matters for real English text.
pytestmark = pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")

CORPUS = [
    "湖南日报推出数字记者，相似度达到95%。",
    "2025中国新媒体大会在长沙召开。",
    "目前该平台服务已延伸至全省72个县级融媒体中心。",
    "The Hunan Daily launched digital reporters with 95% similarity.",
    "The 2025 China New Media Conference opened in Changsha.",
    "The platform now serves 72 county-level media centres.",
]
SUMMARY = Summary("zh", "长沙召开新媒体大会", tuple(CORPUS[:2]), ("95%", "2025"), "test")


def _marian(folder: Path) -> Path:
    """A tiny Marian zh→en model with a SentencePiece vocabulary trained on CORPUS."""
    folder.mkdir()
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(CORPUS * 4), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "sp"), vocab_size=120,
        character_coverage=1.0, model_type="unigram", hard_vocab_limit=False,
        bos_id=-1, eos_id=1, pad_id=0, unk_id=2, pad_piece="<pad>", eos_piece="</s>",
        unk_piece="<unk>", minloglevel=2,
    )
    proc = spm.SentencePieceProcessor(model_file=str(folder / "sp.model"))
    vocab = {proc.id_to_piece(i): i for i in range(proc.get_piece_size())}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tok = transformers.MarianTokenizer(
        source_spm=str(folder / "sp.model"), target_spm=str(folder / "sp.model"),
        vocab=str(folder / "vocab.json"), source_lang="zh", target_lang="en",
    )
    config = transformers.MarianConfig(
        vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_ffn_dim=32, max_position_embeddings=256, pad_token_id=0, eos_token_id=1,
        decoder_start_token_id=0, forced_eos_token_id=1,
    )
    torch.manual_seed(0)
    model_dir = folder / "model"
    transformers.MarianMTModel(config).save_pretrained(model_dir)
    tok.save_pretrained(model_dir)
    return model_dir


def _chat_lm(folder: Path) -> Path:
    """A tiny Qwen2-style causal LM with a character-level tokenizer and a chat template."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    chars = sorted({c for line in CORPUS for c in line} | set("abcdefghijklmnopqrstuvwxyz "))
    specials = ["<pad>", "<unk>", "<|im_start|>", "<|im_end|>"]
    vocab = {t: i for i, t in enumerate(specials + chars)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split("", "isolated")  # one token per character
    tok = transformers.PreTrainedTokenizerFast(
        tokenizer_object=core, unk_token="<unk>", pad_token="<pad>", eos_token="<|im_end|>",
        additional_special_tokens=["<|im_start|>"],
    )
    tok.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    config = transformers.Qwen2Config(
        vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096,
        pad_token_id=0, eos_token_id=3, bos_token_id=2,
    )
    torch.manual_seed(0)
    model_dir = folder / "chat"
    transformers.Qwen2ForCausalLM(config).save_pretrained(model_dir)
    tok.save_pretrained(model_dir)
    return model_dir


@pytest.fixture(scope="module")
def marian_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _marian(tmp_path_factory.mktemp("mt") / "marian")


@pytest.fixture(scope="module")
def chat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _chat_lm(tmp_path_factory.mktemp("lm") / "chat")


def _check_script(script, summary: Summary, variant: str) -> None:  # type: ignore[no-untyped-def]
    conv = to_traditional if variant == "Hant" else (lambda s: s)
    assert script.source_language == "zh" and script.zh_variant == variant
    assert len(script.segments) == len(summary.sentences)
    for i, (seg, src) in enumerate(zip(script.segments, summary.sentences, strict=True)):
        assert seg.index == i
        assert seg.zh == conv(src)  # the source side is the summary, in the asked script
        assert isinstance(seg.en, str)
        assert all(isinstance(w, str) for w in seg.warnings)
    assert isinstance(script.title_en, str) and script.title_zh == conv(summary.title)


def test_marian_translates_end_to_end(marian_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANCHOR_MT_MODEL_ZH_EN", str(marian_dir))
    pre = tb.load_pretrained(str(marian_dir), purpose="translation", env="ANCHOR_MT_MODEL")
    assert not pre.causal
    assert type(pre.tokenizer).__name__ == "MarianTokenizer"
    assert type(pre.model).__name__ == "MarianMTModel"
    script = translate(SUMMARY, zh_variant="Hans", backend="transformers")
    _check_script(script, SUMMARY, "Hans")
    assert script.backend == "transformers:model"
    # random weights: the checks flag the garbage instead of letting it through
    assert script.warnings


def test_marian_model_is_loaded_once(marian_dir: Path):
    a = tb.load_pretrained(str(marian_dir), purpose="translation", env="X")
    b = tb.load_pretrained(str(marian_dir), purpose="translation", env="X")
    assert a is b


def test_chat_model_translates_and_retries(chat_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANCHOR_MT_MODEL", str(chat_dir))
    monkeypatch.delenv("ANCHOR_MT_MODEL_ZH_EN", raising=False)
    backend = tb.TransformersTranslator()
    assert backend.steerable("zh", "en")  # a chat model gets a second try
    calls: list[str] = []
    original = backend.translate

    def spy(text, source, target, **kw):  # type: ignore[no-untyped-def]
        calls.append(kw.get("correction", ""))
        return original(text, source, target, **kw)

    monkeypatch.setattr(backend, "translate", spy)
    import anchor.translate as tr

    monkeypatch.setitem(tr._INSTANCES, "transformers", backend)
    script = translate(SUMMARY, zh_variant="Hant", backend="transformers")
    _check_script(script, SUMMARY, "Hant")
    assert any(calls), "garbage output should have triggered a retry with a correction"


def test_abstractive_summary_with_tiny_models(marian_dir: Path, chat_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch):
    text = "\n".join(CORPUS[:3])
    art = Article("新媒体大会", tuple(CORPUS[:3]), "zh", "Hans", "inline",
                  hashlib.sha256(text.encode()).hexdigest())
    for folder in (marian_dir, chat_dir):  # seq2seq and causal paths
        monkeypatch.setenv("ANCHOR_SUMMARY_MODEL", str(folder))
        summary = summarize(art, 2)  # auto picks the configured model
        assert summary.backend.startswith("transformers:")
        assert 1 <= len(summary.sentences) <= 2
        assert summary.language == "zh" and summary.title == "新媒体大会"


def test_missing_folder_is_a_one_line_error(tmp_path: Path):
    with pytest.raises(BackendUnavailable) as err:
        tb.load_pretrained(str(tmp_path / "nope"), purpose="translation", env="ANCHOR_MT_MODEL")
    assert "does not exist" in str(err.value) and "\n" not in str(err.value)
    assert "ANCHOR_MT_MODEL" in err.value.hint


def test_unreachable_hub_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # what an offline machine looks like, instantly
    with pytest.raises(BackendUnavailable) as err:
        tb.load_pretrained("Helsinki-NLP/opus-mt-zh-en-not-cached", purpose="translation",
                           env="ANCHOR_MT_MODEL")
    assert "hub unreachable" in str(err.value) and "\n" not in str(err.value)
