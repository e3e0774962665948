"""Loudness: measure a voice track and bring it to a broadcast target (EBU R128).

ffmpeg's ``loudnorm`` filter does both. One pass with ``print_format=json``
measures (integrated loudness, true peak, loudness range, gating threshold);
the second pass is given those measurements so it can apply one fixed gain
(``linear=true``) instead of riding the level as it goes. loudnorm only stays
linear when the gain leaves the true peak under the target and the loudness
range under the LRA target; otherwise it falls back to its dynamic mode (a
gentle gain rider plus a true-peak limiter), which is what a -16 LUFS target
needs for speech with a wide crest factor. Where loudnorm still misses by more
than 0.5 LU (inputs under 3 s: it caps the gain at the peak ceiling instead of
limiting), a fixed gain plus a limiter at 192 kHz does the job. The report says
which mode ran.

loudnorm resamples to 192 kHz internally (true-peak detection needs it), so the
second pass resamples back to the track's 24 kHz mono 16-bit form.

Targets: -16 LUFS integrated for online video, -23 LUFS (EBU R128) for broadcast;
true peak at most -1 dBTP either way.

``music_bed`` mixes a quiet bed under the voice and ducks it while the presenter
speaks (``sidechaincompress`` keyed by the voice). Off unless a caller asks; when
no bed file is given it generates a soft pad so the feature works offline.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import atomic_path
from .errors import InputError, RenderError
from .ffmpeg import ffmpeg_exe

__all__ = [
    "BROADCAST_LUFS",
    "ONLINE_LUFS",
    "Loudness",
    "LoudnessReport",
    "analysis_args",
    "limiter_args",
    "measure",
    "music_bed",
    "music_bed_args",
    "normalize",
    "normalize_args",
]

log = logging.getLogger(__name__)

ONLINE_LUFS = -16.0
BROADCAST_LUFS = -23.0
SAMPLE_RATE = 24000  # the speech stage's rate; the output keeps it

# loudnorm's own limits on its measured_* options; values outside make it refuse to start
_MEASURED_I = (-99.0, 0.0)
_MEASURED_TP = (-99.0, 99.0)
_MEASURED_LRA = (0.0, 99.0)
_MEASURED_THRESH = (-99.0, 0.0)
_LRA_TARGET = (1.0, 50.0)
_DEFAULT_LRA = 7.0  # loudnorm's default, used as the floor of the LRA target
# Resampling 192 kHz → 24 kHz and rounding to 16 bits move the true peak by a few
# hundredths of a dB; aiming this far under the ceiling keeps the file under it.
_TP_GUARD_DB = 0.3
_RETRY_LU = 0.5  # a result further than this from the target gets one corrected pass
_JSON_RE = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.S)


@dataclass(frozen=True, slots=True)
class Loudness:
    """EBU R128 measurements of a file. Silence reads -inf for loudness and peak."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra_lu: float
    threshold_lufs: float  # the relative gate; the second loudnorm pass needs it

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.integrated_lufs)

    def as_dict(self) -> dict[str, float | None]:
        """JSON-safe form: -inf (silence) becomes null, numbers rounded to 0.01."""
        return {
            "integrated_lufs": _finite(self.integrated_lufs),
            "true_peak_dbtp": _finite(self.true_peak_dbtp),
            "lra_lu": _finite(self.lra_lu),
        }


@dataclass(frozen=True, slots=True)
class LoudnessReport:
    """What ``normalize`` did: the measurements before and after, the target, the mode."""

    before: Loudness
    after: Loudness
    target_lufs: float
    true_peak: float
    # "linear" or "dynamic" (loudnorm's modes), "limited" (gain + limiter, where loudnorm
    # missed the target) or "none" (silence: copied)
    mode: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "target_lufs": self.target_lufs,
            "true_peak_dbtp": self.true_peak,
            "mode": self.mode,
        }


def _finite(x: float) -> float | None:
    return round(x, 2) if math.isfinite(x) else None


def _clamp(x: float, bounds: tuple[float, float]) -> float:
    return min(max(x, bounds[0]), bounds[1])


# ------------------------------------------------------------------ argument builders


def _loudnorm(target_lufs: float, true_peak: float, lra: float, extra: str = "") -> str:
    return f"loudnorm=I={target_lufs:g}:TP={true_peak:g}:LRA={lra:g}{extra}:print_format=json"


def analysis_args(src: Path, target_lufs: float = ONLINE_LUFS, true_peak: float = -1.0,
                  lra: float = _DEFAULT_LRA) -> list[str]:
    """ffmpeg arguments of the measuring pass: decode, loudnorm, discard the audio."""
    return ["-i", str(src), "-map", "0:a:0", "-af", _loudnorm(target_lufs, true_peak, lra),
            "-f", "null", "-"]


def normalize_args(src: Path, dst: Path, measured: Loudness, target_lufs: float,
                   true_peak: float, lra: float) -> list[str]:
    """ffmpeg arguments of the correcting pass, given the first pass's measurements."""
    extra = (
        f":measured_I={_clamp(measured.integrated_lufs, _MEASURED_I):.2f}"
        f":measured_TP={_clamp(measured.true_peak_dbtp, _MEASURED_TP):.2f}"
        f":measured_LRA={_clamp(measured.lra_lu, _MEASURED_LRA):.2f}"
        f":measured_thresh={_clamp(measured.threshold_lufs, _MEASURED_THRESH):.2f}"
        ":linear=true"
    )
    # loudnorm works at 192 kHz; bring it back to the speech rate, mono, 16-bit
    chain = f"{_loudnorm(target_lufs, true_peak, lra, extra)},aresample={SAMPLE_RATE}"
    return ["-i", str(src), "-map", "0:a:0", "-af", chain, "-ac", "1", "-ar", str(SAMPLE_RATE),
            "-c:a", "pcm_s16le", "-f", "wav", str(dst)]


def _convert_args(src: Path, dst: Path) -> list[str]:
    return ["-i", str(src), "-map", "0:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE),
            "-c:a", "pcm_s16le", "-f", "wav", str(dst)]


# ------------------------------------------------------------------ running ffmpeg


def _run(args: Sequence[str], what: str) -> str:
    """Run ffmpeg and return its stderr. loudnorm prints its JSON at the info level, which
    ``anchor.ffmpeg.run_ffmpeg`` silences (it runs with -loglevel error), so this runs the
    same executable itself with -loglevel info."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-y",
           *args]
    log.debug("%s: %s", what, " ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise RenderError(f"{what} failed: {tail}", hint="run with -v to see the ffmpeg command")
    return proc.stderr


def _parse(stderr: str) -> dict[str, str]:
    """The last loudnorm JSON block in ffmpeg's stderr."""
    blocks = _JSON_RE.findall(stderr)
    if not blocks:
        raise RenderError("loudnorm printed no measurements",
                          hint="the ffmpeg build may lack the loudnorm filter")
    data: dict[str, str] = json.loads(blocks[-1])
    return data


def _num(raw: str) -> float:
    """loudnorm's numbers are strings; silence gives "-inf" (float() reads it)."""
    try:
        return float(raw)
    except (TypeError, ValueError):
        return float("nan")


def _loudness(data: dict[str, str], prefix: str = "input") -> Loudness:
    return Loudness(
        integrated_lufs=_num(data[f"{prefix}_i"]),
        true_peak_dbtp=_num(data[f"{prefix}_tp"]),
        lra_lu=_num(data[f"{prefix}_lra"]),
        threshold_lufs=_num(data[f"{prefix}_thresh"]),
    )


def _check_input(path: Path) -> None:
    if not path.is_file():
        raise InputError(f"audio file not found: {path}")


def measure(wav: Path) -> Loudness:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) of ``wav``
    (any file ffmpeg reads; its first audio stream)."""
    wav = Path(wav)
    _check_input(wav)
    return _loudness(_parse(_run(analysis_args(wav), f"measuring loudness of {wav.name}")))


@contextlib.contextmanager
def _atomic_target(dst: Path) -> Iterator[Path]:
    """A temporary path beside ``dst`` that replaces it only when the block succeeds."""
    with atomic_path(dst, ".part.wav") as tmp:
        yield tmp


def _second_pass(src: Path, dst: Path, before: Loudness, target_lufs: float,
                 true_peak: float) -> tuple[str, Loudness]:
    # A target range no narrower than the input's lets loudnorm stay linear (one gain,
    # speech dynamics untouched) whenever the peak allows it.
    lra = _clamp(max(_DEFAULT_LRA, math.ceil(before.lra_lu) + 1.0), _LRA_TARGET)
    aim_tp = max(-9.0, true_peak - _TP_GUARD_DB)
    stderr = _run(normalize_args(src, dst, before, target_lufs, aim_tp, lra),
                  f"normalising loudness of {src.name}")
    return _parse(stderr).get("normalization_type", "dynamic"), measure(dst)


def limiter_args(src: Path, dst: Path, gain_db: float, true_peak: float) -> list[str]:
    """ffmpeg arguments for a fixed gain followed by a peak limiter at 192 kHz (where the
    sample peak is close to the true peak), resampled back to 24 kHz mono 16-bit."""
    limit = _clamp(10 ** (true_peak / 20), (0.0625, 1.0))
    chain = (f"volume={gain_db:.2f}dB,aresample=192000,"
             f"alimiter=limit={limit:.4f}:attack=1:release=50:level=false:latency=true,"
             f"aresample={SAMPLE_RATE}")
    return ["-i", str(src), "-map", "0:a:0", "-af", chain, "-ac", "1", "-ar", str(SAMPLE_RATE),
            "-c:a", "pcm_s16le", "-f", "wav", str(dst)]


def _limit_instead(src: Path, dst: Path, before: Loudness, after: Loudness,
                   target_lufs: float, true_peak: float) -> tuple[str, Loudness]:
    """A gain plus limiter when loudnorm missed the target. loudnorm treats inputs under
    3 s linearly and caps the gain at the true-peak ceiling instead of limiting, so a
    short, peaky clip ends up quiet (measured: -17.4 LUFS for a -16 target). The limiter
    takes a little loudness off, so the gain is corrected once by what it missed."""
    best_mode, best = "dynamic", after
    best_file = dst.with_name(dst.name + ".limited.wav")
    gain = target_lufs - before.integrated_lufs
    try:
        for _ in range(2):
            _run(limiter_args(src, best_file, gain, true_peak - _TP_GUARD_DB),
                 f"limiting {src.name}")
            got = measure(best_file)
            if abs(target_lufs - got.integrated_lufs) < abs(target_lufs - best.integrated_lufs):
                os.replace(best_file, dst)
                best_mode, best = "limited", got
            if abs(target_lufs - got.integrated_lufs) <= _RETRY_LU:
                break
            gain += target_lufs - got.integrated_lufs
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(best_file)
    return best_mode, best


def normalize(wav_in: Path, wav_out: Path, target_lufs: float = ONLINE_LUFS,
              true_peak: float = -1.0) -> LoudnessReport:
    """Bring ``wav_in`` to ``target_lufs`` integrated with peaks at most ``true_peak`` dBTP,
    written to ``wav_out`` (24 kHz mono 16-bit; it may be the same path as ``wav_in``).

    Silence (or a track too quiet to gate) is copied unchanged: there is nothing to scale.
    """
    wav_in, wav_out = Path(wav_in), Path(wav_out)
    _check_input(wav_in)
    if not -70.0 <= target_lufs <= -5.0 or not -9.0 <= true_peak <= 0.0:
        raise InputError(f"loudness target {target_lufs:g} LUFS / {true_peak:g} dBTP is out of "
                         "range", hint="use -70..-5 LUFS and -9..0 dBTP (e.g. -16 and -1)")
    before = measure(wav_in)
    with _atomic_target(wav_out) as tmp:
        if before.silent or before.integrated_lufs < _MEASURED_I[0]:
            log.warning("%s is silent: copied without loudness normalisation", wav_in.name)
            _run(_convert_args(wav_in, tmp), "copying silent audio")
            mode, after = "none", measure(tmp)
        else:
            mode, after = _second_pass(wav_in, tmp, before, target_lufs, true_peak)
            if abs(target_lufs - after.integrated_lufs) > _RETRY_LU:
                mode, after = _limit_instead(wav_in, tmp, before, after, target_lufs,
                                             true_peak)
    log.info("loudness %s: %.1f LUFS / %.1f dBTP → %.1f LUFS / %.1f dBTP (%s)", wav_in.name,
             before.integrated_lufs, before.true_peak_dbtp, after.integrated_lufs,
             after.true_peak_dbtp, mode)
    return LoudnessReport(before=before, after=after, target_lufs=target_lufs,
                          true_peak=true_peak, mode=mode)


# ------------------------------------------------------------------ music bed

# A soft pad when no bed is given: an A-major-ninth chord of sines, slowly swelling,
# low-passed. Quiet and without beats, so it never fights the voice.
_PAD_EXPR = (
    "0.25*(sin(2*PI*110*t)+0.7*sin(2*PI*164.81*t)+0.6*sin(2*PI*220*t)"
    "+0.5*sin(2*PI*277.18*t)+0.3*sin(2*PI*493.88*t))*(0.75+0.25*sin(2*PI*0.1*t))"
)


_KEY_OVER_DB = 14.0  # speech RMS (-20 dBFS) over the ducking threshold (0.02 = -34 dBFS)


def music_bed_args(voice: Path, dst: Path, duration_ms: int, bed: Path | None = None,
                   bed_db: float = -22.0, duck_db: float = 12.0,
                   fade_ms: int = 1500) -> list[str]:
    """ffmpeg arguments mixing ``bed`` (looped; a generated pad when None) under ``voice``.

    The bed sits ``bed_db`` below full scale and drops by about ``duck_db`` more while the
    voice speaks (sidechaincompress keyed by the voice); it fades in and out over
    ``fade_ms`` and is cut to ``duration_ms``, the voice's length. 24 kHz mono 16-bit out.
    """
    if bed is None:
        source = ["-f", "lavfi", "-i", f"aevalsrc='{_PAD_EXPR}':s={SAMPLE_RATE}:c=mono"]
        bed_chain = "lowpass=f=1800,"
    else:
        source = ["-stream_loop", "-1", "-i", str(bed)]
        bed_chain = ""
    # Voice tracks sit near -20 dBFS RMS (the speech stage levels them), i.e. about
    # _KEY_OVER_DB above the -34 dBFS threshold; a ratio R takes off over*(1 - 1/R) dB.
    ratio = 20.0 if duck_db >= _KEY_OVER_DB else 1.0 / (1.0 - duck_db / _KEY_OVER_DB)
    ratio = min(20.0, max(1.0, ratio))
    dur = max(duration_ms, 1) / 1000
    fade = min(fade_ms / 1000, dur / 2)
    graph = (
        f"[0:a]aresample={SAMPLE_RATE},aformat=channel_layouts=mono,asplit=2[v][key];"
        f"[1:a]aresample={SAMPLE_RATE},aformat=channel_layouts=mono,{bed_chain}"
        f"atrim=duration={dur:.3f},volume={bed_db:g}dB,"
        f"afade=t=in:d={fade:.3f},afade=t=out:st={dur - fade:.3f}:d={fade:.3f}[b];"
        f"[b][key]sidechaincompress=threshold=0.02:ratio={ratio:.1f}:attack=30:release=600[d];"
        # normalize=0 keeps the voice at its own level; duration=first: the voice's length
        "[v][d]amix=inputs=2:duration=first:normalize=0[m]"
    )
    return ["-i", str(voice), *source, "-filter_complex", graph, "-map", "[m]", "-ac", "1",
            "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "wav", str(dst)]


def music_bed(voice: Path, out_wav: Path, bed: Path | None = None, bed_db: float = -22.0,
              duck_db: float = 12.0) -> Path:
    """Mix a quiet, ducked music bed under ``voice`` into ``out_wav`` (atomically).

    Run it before :func:`normalize`, so the loudness target applies to the mix.
    """
    voice, out_wav = Path(voice), Path(out_wav)
    _check_input(voice)
    if bed is not None:
        _check_input(Path(bed))
    args = music_bed_args(voice, Path("-"), _duration_ms(voice), bed, bed_db, duck_db)
    with _atomic_target(out_wav) as tmp:
        args[-1] = str(tmp)
        _run(args, f"mixing a music bed under {voice.name}")
    return out_wav


def _duration_ms(path: Path) -> int:
    """Length of an audio file: the WAV header when it is one, else PyAV (no ffprobe)."""
    import wave

    try:
        with wave.open(str(path), "rb") as r:
            return r.getnframes() * 1000 // r.getframerate()
    except (wave.Error, EOFError):
        import av

        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base is not None:
                return int(stream.duration * stream.time_base * 1000)
            return int((container.duration or 0) // 1000)
