"""Stage cache keys come from what makes the result: backend, model, code; no hand versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from anchor.core import keys as stage_keys
from anchor.core.values import Summary


class _Engine:
    def __init__(self, name: str, model: str) -> None:
        self.name, self._model = name, model

    def model_name(self) -> str:
        return self._model


class _Fingerprinted(_Engine):
    def fingerprint(self) -> str:
        return f"{self.name}:{self._model}:sha256=abc"


SUMMARY = Summary("zh", "标题", ("一句话。",), (), "test")


def test_the_script_key_follows_the_backend_and_model_actually_used() -> None:
    a = stage_keys.script_key(SUMMARY, "Hans", _Engine("llama", "m.gguf"), "g")
    assert a == stage_keys.script_key(SUMMARY, "Hans", _Engine("llama", "m.gguf"), "g")
    assert a != stage_keys.script_key(SUMMARY, "Hans", _Engine("llama", "n.gguf"), "g")
    assert a != stage_keys.script_key(SUMMARY, "Hans", _Engine("transformers", "m.gguf"), "g")
    assert a != stage_keys.script_key(SUMMARY, "Hant", _Engine("llama", "m.gguf"), "g")
    assert a != stage_keys.script_key(SUMMARY, "Hans", _Engine("llama", "m.gguf"), "h")
    assert a != stage_keys.script_key(SUMMARY, "Hans", "unavailable:auto", "g")
    # a backend's own fingerprint (with its model's hash) wins over its name
    assert stage_keys.backend_identity(_Fingerprinted("llama", "m")) == "llama:m:sha256=abc"


def test_code_fingerprints_change_with_the_code(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "translate").mkdir()
    (tmp_path / "translate" / "prompts.py").write_text("PROMPT = 'a'\n")
    (tmp_path / "figures.py").write_text("X = 1\n")
    monkeypatch.setattr(stage_keys, "_PACKAGE", tmp_path)
    stage_keys.code_fingerprint.cache_clear()
    before = stage_keys.code_fingerprint("translate", "figures")
    assert before == stage_keys.code_fingerprint("figures", "translate")  # order-free
    (tmp_path / "translate" / "prompts.py").write_text("PROMPT = 'b'\n")
    stage_keys.code_fingerprint.cache_clear()
    after = stage_keys.code_fingerprint("translate", "figures")
    assert after != before
    (tmp_path / "translate" / "__pycache__").mkdir()
    (tmp_path / "translate" / "__pycache__" / "x.json").write_text("{}")
    stage_keys.code_fingerprint.cache_clear()
    assert stage_keys.code_fingerprint("translate", "figures") == after  # caches ignored
    stage_keys.code_fingerprint.cache_clear()


def test_a_stage_s_code_is_what_it_imports_and_no_more() -> None:
    script = stage_keys._closure("translate")
    # the prompts, the checks and what they use shape a script ...
    assert {"translate", "language/figures", "language/names", "language/glossary",
            "translate/headline", "language/text"} <= script
    # ... drawing and speech do not (a package's __init__ runs, its other modules do not)
    assert not {"render/encode/fast", "render/presenter/track", "speech/kokoro",
                "pipeline"} & script
    assert "speech/kokoro" in stage_keys._closure("speech.kokoro")
    assert "summarize" in stage_keys._closure("summarize")


def test_a_direction_s_own_model_gives_a_new_script_key(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """ANCHOR_MT_MODEL_ZH_EN used to be left out of the key: a stale script was reused."""
    from anchor.translate.transformers_backend import TransformersTranslator

    monkeypatch.setenv("ANCHOR_MT_MODEL", "/models/a/mt")
    monkeypatch.delenv("ANCHOR_MT_MODEL_ZH_EN", raising=False)
    monkeypatch.delenv("ANCHOR_MT_MODEL_EN_ZH", raising=False)
    before = stage_keys.script_key(SUMMARY, "Hans", TransformersTranslator(), "g")
    monkeypatch.setenv("ANCHOR_MT_MODEL_ZH_EN", "/models/b/mt")  # same base name, other model
    after = stage_keys.script_key(SUMMARY, "Hans", TransformersTranslator(), "g")
    assert before != after


def test_the_default_llm_keys_by_its_pinned_hash_before_and_after_loading(
        tmp_path: Path) -> None:
    from anchor.assets.model_store import pinned_sha256
    from anchor.translate.llama import LlamaTranslator

    default = LlamaTranslator()
    key = default.fingerprint()
    assert pinned_sha256("llm") in key
    default._path = tmp_path / "resolved.gguf"  # what loading the default sets
    assert default.fingerprint() == key  # the same key in a batch's later articles
    model = tmp_path / "other.gguf"
    model.write_bytes(b"x" * 10)
    custom = LlamaTranslator(model)
    assert custom.fingerprint() != key and str(model) in custom.fingerprint()
