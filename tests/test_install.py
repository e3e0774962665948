"""What a user installs: the locked package set, a wheel that carries its assets, and files
written with the usual permissions."""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement

from anchor.assets.model_store import MODELS
from anchor.core.cache import atomic_path, atomic_write_text

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker is not None and not Marker(str(req.marker)).evaluate():
            continue
        (spec,) = req.specifier
        pins[req.name.lower()] = spec.version
    return pins


def test_lock_pins_every_dependency_of_the_project() -> None:
    pins = _locked()
    for req in md.requires("anchor-news") or []:
        r = Requirement(req)
        if r.marker is not None and ("extra" in str(r.marker) or not r.marker.evaluate()):
            continue  # an extra's, or another Python's
        assert r.name.lower().replace("_", "-") in {p.replace("_", "-") for p in pins}, r.name


def test_installed_packages_are_the_locked_ones() -> None:
    """CI tests the locked set: every locked package that is installed has the locked
    version (a local build label such as torch's +cpu aside)."""
    wrong = []
    for name, version in _locked().items():
        try:
            have = md.version(name)
        except md.PackageNotFoundError:
            continue  # an extra that is not installed here, or another platform's package
        if have.split("+")[0] != version:
            wrong.append(f"{name} {have} (lock: {version})")
    assert not wrong, "installed set differs from requirements.lock: " + ", ".join(wrong)


def test_every_model_file_is_pinned_by_size_and_sha256() -> None:
    for spec in MODELS.values():
        assert spec.checks, spec.name
        for rel, size, digest in spec.checks:
            assert size > 0, (spec.name, rel)
            assert re.fullmatch(r"[0-9a-f]{64}", digest), (spec.name, rel)


def test_outputs_are_written_readable_by_the_group_and_others(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "manifest.json", "{}")
        with atomic_path(tmp_path / "a.wav", ".part.wav") as tmp:
            tmp.write_bytes(b"RIFF")
    finally:
        os.umask(old)
    for name in ("manifest.json", "a.wav"):
        mode = (tmp_path / name).stat().st_mode & 0o777
        # the module read the umask at import; under the usual 022 that is 0644
        assert mode & 0o044 == 0o044, oct(mode)
    assert not list(tmp_path.glob(".*")), "no temporary file may be left"


def test_wheel_carries_the_assets_and_runs_from_elsewhere(tmp_path: Path) -> None:
    """A wheel built from the checkout finds its presenters, voices, brands and the demo
    article when run from an unrelated folder (not through the checkout)."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(ROOT)], check=True, capture_output=True)
    (wheel,) = dist.glob("anchor_news-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("anchor/_assets/avatars/astra.png", "anchor/_assets/avatars/xia.png",
                   "anchor/_assets/avatars/xia-matte.png", "anchor/_assets/voices/zh-female.toml",
                   "anchor/_assets/brands/default/brand.toml", "anchor/core/defaults.toml",
                   "anchor/_assets/samples/digital-reporter.zh.txt"):
        assert needed in names, needed
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("ANCHOR_ASSETS", None)
    probe = subprocess.run(
        [sys.executable, "-c", "import anchor, anchor.core.paths as p; print(anchor.__file__); "
                               "print(p.assets_root())"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    module_file, assets = probe.stdout.split()
    assert module_file.startswith(str(target)), module_file
    assert Path(assets) == target / "anchor" / "_assets"
    for cmd in ("avatars", "voices", "brands"):
        proc = subprocess.run([sys.executable, "-m", "anchor", cmd], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
    listing = subprocess.run([sys.executable, "-m", "anchor", "avatars"], cwd=elsewhere,
                             env=env, capture_output=True, text=True).stdout
    assert "astra" in listing and "lin" in listing and "xia" in listing
