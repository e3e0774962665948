"""Stage cache keys come from what makes the result: backend, model, code; no hand versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from anchor import stage_keys
from anchor.models import Summary


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


def test_the_real_package_has_the_code_the_keys_name() -> None:
    root = Path(stage_keys.__file__).parent
    for part in (*stage_keys.SUMMARY_CODE, *stage_keys.SCRIPT_CODE):
        assert (root / part).is_dir() or (root / f"{part}.py").is_file(), part
