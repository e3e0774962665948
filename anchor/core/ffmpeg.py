"""Choose ffmpeg by what it can do, and run it in one place that turns failures into RenderError.

The default is the build pinned by imageio-ffmpeg: reproducible frames depend on one encoder
build. A system or named ffmpeg (``ffmpeg = "system"`` or a path, in anchor.toml or as
``ANCHOR_FFMPEG``) is used only when a probe shows it has the encoders, filters and options
the renderers use; otherwise one warning line says why and the pinned build is used.
Each candidate is probed once; the verdict is cached by its path, size and mtime.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from . import env
from .ai_labels import AIGC_KEY
from .errors import BackendUnavailable, ConfigError, RenderError
from .paths import anchor_home

__all__ = [
    "MUX_ARGS",
    "REQUIRED_ENCODERS",
    "REQUIRED_FILTERS",
    "FfmpegChoice",
    "FfmpegProbe",
    "choose_ffmpeg",
    "ffmpeg_exe",
    "probe_ffmpeg",
    "run_ffmpeg",
    "use_ffmpeg",
]

log = logging.getLogger(__name__)

# Container and timing options every clip is written with. They live here because they are
# the options older builds lack (-shortest_buf_duration came with ffmpeg 6.1): the probe's
# trial encode uses exactly these, so a build that passes it can write our clips.
MUX_ARGS: tuple[str, ...] = (
    "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
    "-flags:a", "+bitexact",
    # use_metadata_tags: the mp4 muxer writes custom keys (the AIGC label, anchor.core.ai_labels)
    # only with it, as mdta keys that ffprobe and PyAV read back as format tags
    "-movflags", "+faststart+use_metadata_tags",
    # -shortest holds up to shortest_buf_duration of *raw* frames (10 s by default: ~1 GB
    # at 1080p, 3.7 GB at 4K, and slower); our streams are dense, so a quarter second cuts
    # just as exactly
    "-shortest", "-shortest_buf_duration", "0.25",
)  # fmt: skip
REQUIRED_ENCODERS: tuple[str, ...] = ("libx264", "aac")
# every filter the loudness, music-bed and test-media code builds
REQUIRED_FILTERS: tuple[str, ...] = (
    "loudnorm", "aresample", "alimiter", "volume", "aformat", "asplit", "sidechaincompress",
    "amix", "atrim", "afade", "aevalsrc", "color", "sine",
)  # fmt: skip
_PROBE_VERSION = 3  # bump when the probe asks for more, so cached verdicts are redone
_TIMEOUT_S = 30


@dataclass(frozen=True, slots=True)
class FfmpegProbe:
    """What one ffmpeg binary can do."""

    path: str
    version: str  # "5.1.6-0+deb12u1", "n9.0.2-17-g2a571b6068-20260930", "" if it did not run
    missing: tuple[str, ...]  # what the renderers need and it lacks; empty = usable

    @property
    def ok(self) -> bool:
        return not self.missing


@dataclass(frozen=True, slots=True)
class FfmpegChoice:
    """The ffmpeg Anchor runs, and why (shown by `anchor doctor`)."""

    path: str
    version: str
    source: str  # "pinned" (imageio-ffmpeg), "system" (PATH) or "named" (a path)
    reason: str
    warning: str = ""  # set when the requested ffmpeg was refused


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S,
                          stdin=subprocess.DEVNULL)


def _listed(output: str, names: Sequence[str]) -> set[str]:
    """Names found in the second column of ``ffmpeg -encoders``/``-filters`` output."""
    found = set()
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] in names:
            found.add(parts[1])
    return found


def _trial_encode(exe: str) -> str:
    """Encode 0.2 s of picture and tone with the clips' own options; '' or ffmpeg's words."""
    with tempfile.TemporaryDirectory(prefix="anchor-ffprobe-") as tmp:
        cmd = [exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
               "-f", "lavfi", "-i", "color=c=black:s=64x64:r=25:d=0.2",
               "-f", "lavfi", "-i", "sine=f=440:d=0.2",
               "-map", "0:v:0", "-map", "1:a:0",
               "-c:v", "libx264", "-preset", "veryfast", "-threads", "1", "-pix_fmt", "yuv420p",
               "-c:a", "aac", *MUX_ARGS, "-metadata", f"{AIGC_KEY}=probe",
               "-f", "mp4", str(Path(tmp) / "probe.mp4")]
        proc = _run(cmd)
        if proc.returncode == 0:
            # the key's name sits in the file's mdta keys box when the muxer wrote it
            if AIGC_KEY.encode() not in (Path(tmp) / "probe.mp4").read_bytes():
                return f"does not write the {AIGC_KEY} metadata label"
            return ""
        m = re.search(r"Unrecognized option '([^']+)'", proc.stderr)
        if m:  # the usual reason: a build older than the options we write with
            return f"no -{m.group(1)} option"
        return " | ".join(proc.stderr.strip().splitlines()[-2:]) or f"exit {proc.returncode}"


def _probe_uncached(exe: str) -> FfmpegProbe:
    try:
        head = _run([exe, "-hide_banner", "-version"])
    except (OSError, subprocess.SubprocessError) as exc:
        return FfmpegProbe(exe, "", (f"does not run ({exc})",))
    m = re.search(r"ffmpeg version (\S+)", head.stdout)
    if head.returncode != 0 or not m:
        return FfmpegProbe(exe, "", ("is not ffmpeg (no version line)",))
    version = m.group(1)
    missing: list[str] = []
    try:
        enc = _listed(_run([exe, "-hide_banner", "-encoders"]).stdout, REQUIRED_ENCODERS)
        flt = _listed(_run([exe, "-hide_banner", "-filters"]).stdout, REQUIRED_FILTERS)
        missing += [f"encoder {n}" for n in REQUIRED_ENCODERS if n not in enc]
        missing += [f"filter {n}" for n in REQUIRED_FILTERS if n not in flt]
        if not missing:
            trial = _trial_encode(exe)
            if trial:
                missing.append(trial if trial.startswith("no -") else f"trial encode: {trial}")
    except (OSError, subprocess.SubprocessError) as exc:
        missing.append(f"probe failed ({exc})")
    return FfmpegProbe(exe, version, tuple(missing))


_CACHE_LOCK = threading.Lock()


def _cache_file() -> Path:
    return anchor_home() / "ffmpeg-probe.json"


def probe_ffmpeg(exe: str) -> FfmpegProbe:
    """Probe ``exe`` (a path), or return the cached verdict for this very file."""
    path = os.path.realpath(exe)
    try:
        st = os.stat(path)
    except OSError as exc:
        return FfmpegProbe(exe, "", (f"not found ({exc.strerror})",))
    key = f"{path}|{st.st_size}|{st.st_mtime_ns}|{_PROBE_VERSION}"
    cache = _cache_file()
    with _CACHE_LOCK:
        try:
            known = json.loads(cache.read_text("utf-8"))
        except (OSError, ValueError):
            known = {}
        hit = known.get(key) if isinstance(known, dict) else None
        if isinstance(hit, dict):
            try:
                return FfmpegProbe(exe, str(hit["version"]), tuple(hit["missing"]))
            except (KeyError, TypeError):
                pass
        probe = _probe_uncached(exe)
        if probe.version:  # a binary that did not run may be fixed later: do not remember
            known = known if isinstance(known, dict) else {}
            known[key] = {k: v for k, v in asdict(probe).items() if k != "path"}
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_name(f"{cache.name}.{os.getpid()}.part")
                tmp.write_text(json.dumps(known, indent=1), "utf-8")
                os.replace(tmp, cache)
            except OSError:
                pass  # a read-only cache only costs a probe next time
    return probe


def _pinned_exe() -> str | None:
    try:
        import imageio_ffmpeg
    except ImportError:  # pragma: no cover - it is a dependency
        return None
    # imageio-ffmpeg honours IMAGEIO_FFMPEG_EXE; the pinned build is the one in its wheel
    saved = os.environ.pop("IMAGEIO_FFMPEG_EXE", None)
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None
    finally:
        if saved is not None:
            os.environ["IMAGEIO_FFMPEG_EXE"] = saved


def _short(probe: FfmpegProbe) -> str:
    return probe.version.split("-")[0] or "unknown version"


@functools.cache
def choose_ffmpeg(request: str = "") -> FfmpegChoice:
    """The ffmpeg to run for ``request``: "" (pinned), "system" (PATH) or a path."""
    request = request.strip()
    pinned = _pinned_exe()
    if request in ("", "pinned"):
        if pinned:
            p = probe_ffmpeg(pinned)
            return FfmpegChoice(pinned, p.version, "pinned",
                                "the build pinned by imageio-ffmpeg (reproducible frames)")
        wanted, source = shutil.which("ffmpeg"), "system"
        if not wanted:
            raise BackendUnavailable("ffmpeg not found: imageio-ffmpeg has no build for this "
                                     "platform and none is on PATH",
                                     hint="install ffmpeg 6.1 or newer")
    elif request == "system":
        wanted, source = shutil.which("ffmpeg"), "system"
        if not wanted:
            if not pinned:
                raise BackendUnavailable("ffmpeg = system, but no ffmpeg is on PATH",
                                         hint="install ffmpeg 6.1 or newer")
            p = probe_ffmpeg(pinned)
            return FfmpegChoice(pinned, p.version, "pinned", "no ffmpeg on PATH",
                                warning="ffmpeg = system, but none is on PATH; "
                                        f"using the pinned build {_short(p)}")
    else:
        wanted, source = os.path.expanduser(request), "named"
        if not os.path.exists(wanted):
            raise ConfigError(f"ffmpeg: {request} does not exist",
                              hint='give the path of an ffmpeg binary, "system" for the '
                                   'one on PATH, or "" for the pinned build')
    probe = probe_ffmpeg(wanted)
    if probe.ok:
        why = "on PATH" if source == "system" else "named in the settings"
        return FfmpegChoice(wanted, probe.version, source, f"{why}; passed the probe")
    if not pinned:
        raise BackendUnavailable(f"ffmpeg {wanted} cannot render: {probe.missing[0]}",
                                 hint="install ffmpeg 6.1 or newer")
    pp = probe_ffmpeg(pinned)
    lacks = "; ".join(probe.missing[:2])
    return FfmpegChoice(pinned, pp.version, "pinned", f"{wanted} was refused: {lacks}",
                        warning=f"ffmpeg {wanted} ({_short(probe)}) cannot render Anchor's "
                                f"clips ({lacks}); using the pinned build {_short(pp)}")


_requested: str | None = None
_warned: set[str] = set()


def use_ffmpeg(request: str) -> FfmpegChoice:
    """Make ``request`` the process's ffmpeg (settings call this); warn once if refused."""
    global _requested
    choice = choose_ffmpeg(request)
    _requested = request
    if choice.warning and choice.warning not in _warned:
        _warned.add(choice.warning)
        log.warning("%s", choice.warning)
    return choice


def ffmpeg_exe() -> str:
    """The path of the ffmpeg to run: the settings' choice, else ``ANCHOR_FFMPEG``, else the
    pinned build."""
    request = _requested if _requested is not None else env.read(env.FFMPEG)
    return use_ffmpeg(request).path


def run_ffmpeg(args: Sequence[str], what: str = "ffmpeg") -> None:
    """Run ffmpeg with ``args`` (without the executable); raise RenderError with stderr."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise RenderError(f"{what} failed: {tail}", hint="run with -v to see the ffmpeg command")
