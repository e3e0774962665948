"""ffmpeg is chosen by what it can do: the pinned build by default, a system or named one
only when it passes the probe, and one warning line when it does not."""

from __future__ import annotations

import logging
import os
import shutil
import stat
from pathlib import Path

import pytest

from anchor.core import ffmpeg
from anchor.core.errors import ConfigError

DEBIAN_FFMPEG = Path("/usr/bin/ffmpeg")


@pytest.fixture(autouse=True)
def _fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each test probes into its own cache and starts with no choice made."""
    monkeypatch.setenv("ANCHOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ANCHOR_FFMPEG", raising=False)
    ffmpeg.choose_ffmpeg.cache_clear()
    monkeypatch.setattr(ffmpeg, "_requested", None)
    monkeypatch.setattr(ffmpeg, "_warned", set())
    yield
    ffmpeg.choose_ffmpeg.cache_clear()


def _fake_ffmpeg(folder: Path, *, version: str, lacks: str = "", log: Path | None = None) -> Path:
    """A script that answers like ffmpeg: real listings from the pinned build, minus
    ``lacks``; it refuses -shortest_buf_duration like ffmpeg < 6.1."""
    real = ffmpeg._pinned_exe()
    assert real
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "ffmpeg"
    record = f'echo "$@" >> "{log}"' if log else ":"
    exe.write_text(f"""#!/bin/sh
{record}
case "$*" in
  *-version*) echo "ffmpeg version {version} Copyright (c) the FFmpeg developers"; exit 0;;
  *-encoders*|*-filters*) "{real}" "$@" | grep -v " {lacks or '@@none@@'} "; exit 0;;
  *shortest_buf_duration*) echo "Unrecognized option 'shortest_buf_duration'." >&2; exit 8;;
esac
exec "{real}" "$@"
""")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def test_default_is_the_pinned_build_even_with_ffmpeg_on_path(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    old = _fake_ffmpeg(tmp_path / "bin", version="5.1.6-0+deb12u1")
    monkeypatch.setenv("PATH", f"{old.parent}{os.pathsep}{os.environ['PATH']}")
    choice = ffmpeg.choose_ffmpeg("")
    assert choice.source == "pinned" and choice.path == ffmpeg._pinned_exe()
    assert not choice.warning
    assert ffmpeg.ffmpeg_exe() == choice.path


def test_old_system_ffmpeg_is_refused_with_one_warning(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture):
    old = _fake_ffmpeg(tmp_path / "bin", version="5.1.6-0+deb12u1")
    monkeypatch.setenv("PATH", f"{old.parent}{os.pathsep}{os.environ['PATH']}")
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            path = ffmpeg.use_ffmpeg("system").path
    assert path == ffmpeg._pinned_exe()
    warnings = [r.getMessage() for r in caplog.records if r.name == "anchor.core.ffmpeg"]
    assert len(warnings) == 1, warnings
    assert "5.1.6" in warnings[0] and "shortest_buf_duration" in warnings[0]
    assert "pinned" in warnings[0]


def test_missing_encoder_is_named(tmp_path: Path):
    exe = _fake_ffmpeg(tmp_path / "bin", version="7.1", lacks="libx264")
    probe = ffmpeg.probe_ffmpeg(str(exe))
    assert not probe.ok and probe.missing == ("encoder libx264",)
    choice = ffmpeg.choose_ffmpeg(str(exe))
    assert choice.source == "pinned" and "libx264" in choice.warning


def test_a_capable_named_ffmpeg_is_used(tmp_path: Path):
    # a copy of the pinned binary under another name stands for a capable system build
    exe = tmp_path / "bin" / "my-ffmpeg"
    exe.parent.mkdir()
    shutil.copy2(ffmpeg._pinned_exe() or "", exe)
    choice = ffmpeg.choose_ffmpeg(str(exe))
    assert choice.source == "named" and choice.path == str(exe) and not choice.warning


def test_named_ffmpeg_that_does_not_exist_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        ffmpeg.choose_ffmpeg(str(tmp_path / "nope"))


def test_not_ffmpeg_at_all(tmp_path: Path):
    exe = tmp_path / "ffmpeg"
    exe.write_text("#!/bin/sh\necho hello\n")
    exe.chmod(0o755)
    probe = ffmpeg.probe_ffmpeg(str(exe))
    assert not probe.ok and "not ffmpeg" in probe.missing[0]


def test_verdict_is_cached_per_binary(tmp_path: Path):
    calls = tmp_path / "calls.log"
    exe = _fake_ffmpeg(tmp_path / "bin", version="5.1.6", log=calls)
    first = ffmpeg.probe_ffmpeg(str(exe))
    n = len(calls.read_text().splitlines())
    assert n >= 3  # version, encoders, filters, trial
    again = ffmpeg.probe_ffmpeg(str(exe))
    assert again == first
    assert len(calls.read_text().splitlines()) == n, "the second probe must come from the cache"
    # a changed binary is probed anew
    exe.write_text(exe.read_text() + "\n# changed\n")
    ffmpeg.probe_ffmpeg(str(exe))
    assert len(calls.read_text().splitlines()) > n


def test_pinned_build_passes_its_own_probe():
    probe = ffmpeg.probe_ffmpeg(ffmpeg._pinned_exe() or "")
    assert probe.ok, probe.missing
    assert probe.version


@pytest.mark.skipif(not DEBIAN_FFMPEG.exists(),
                    reason="Debian's ffmpeg is not installed (./scripts/setup --test installs "
                           "it when run as root)")
def test_debian_ffmpeg_is_probed_for_real():
    probe = ffmpeg.probe_ffmpeg(str(DEBIAN_FFMPEG))
    assert probe.version
    major = int(probe.version.split(".")[0].lstrip("n")) if probe.version[0].isdigit() else 99
    if major < 6:  # Debian 12's 5.1 lacks -shortest_buf_duration: refused, not crashed on
        assert not probe.ok and any("shortest_buf_duration" in m for m in probe.missing)
    choice = ffmpeg.choose_ffmpeg("system")
    assert choice.path == (str(DEBIAN_FFMPEG) if probe.ok else ffmpeg._pinned_exe())
