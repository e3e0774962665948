"""A render folder checked: its manifest and script read, every clip judged, and the
report written back into manifest.json."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from anchor.captions import bilingual_cues, make_captions, parse_srt
from anchor.core.ai_labels import AIGC_KEY
from anchor.core.cache import atomic_write_text
from anchor.core.errors import InputError
from anchor.core.script_io import load_script
from anchor.core.values import LANGS, Captions, Lang, Span, to_dict

from .labels import LabelCheck, check_labels
from .thresholds import Thresholds
from .verdicts import CheckReport, ClipCheck, check_clip

__all__ = ["check_output", "report_dict", "write_into_manifest"]

log = logging.getLogger(__name__)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path.name} not found in {path.parent}",
                         hint="pass a render folder (output/<slug>) of a finished render") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}", hint="re-render the article") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: not an Anchor {path.stem}")
    return data


def _timings(data: dict[str, Any], lang: Lang) -> tuple[Span, ...]:
    rows = (data.get("timings") or {}).get(lang) or []
    return tuple(Span(int(r["start_ms"]), int(r["end_ms"]), str(r.get("text", ""))) for r in rows)


def _bilingual_captions(out_dir: Path, data: dict[str, Any], texts: Mapping[Lang, Sequence[str]],
                        spoken: Lang) -> Captions:
    """Rebuild bilingual.mp4's captions as the pipeline made them, for a render that kept
    no bilingual caption file: the spoken language's cues (its .srt, made from the same
    voice track) and the other language's text timed on the spoken sentences."""
    other: Lang = "en" if spoken == "zh" else "zh"
    sentences = _timings(data, spoken)
    srt = out_dir / f"{spoken}.srt"
    if srt.is_file():
        spoken_caps = parse_srt(srt.read_text("utf-8"), spoken)
    elif sentences:
        spoken_caps = make_captions(texts[spoken], sentences, spoken)
    else:
        raise InputError(f"{out_dir.name}: no captions or timings for bilingual.mp4",
                         hint="re-render the article")
    if not sentences:
        raise InputError(f"{out_dir.name}: script.json has no {spoken} timings",
                         hint="re-render the article")
    other_caps = make_captions(texts[other], sentences, other)
    zh, en = (spoken_caps, other_caps) if spoken == "zh" else (other_caps, spoken_caps)
    return Captions(spoken, bilingual_cues(zh, en))


def check_output(out_dir: Path, thresholds: Thresholds | None = None,
                 progress: Callable[[str], None] | None = None) -> CheckReport:
    """Check every clip of a render folder (its manifest.json names them).
    ``progress`` hears one line per clip (speech recognition takes seconds each)."""
    say = progress or (lambda msg: log.info(msg))
    out_dir = Path(out_dir)
    thresholds = thresholds or Thresholds()
    if not out_dir.is_dir():
        raise InputError(f"not a folder: {out_dir}", hint="pass a render folder: output/<slug>")
    manifest = _read_json(out_dir / "manifest.json")
    script_data = _read_json(out_dir / "script.json")
    script = load_script(out_dir / "script.json")
    texts: dict[Lang, tuple[str, ...]] = {lang: script.texts(lang) for lang in LANGS}
    summary = script_data.get("summary") or None
    if summary and summary.get("sentences"):
        source_lang: Lang = summary.get("language", script.source_language)
        source: tuple[str, ...] = tuple(summary["sentences"])
    else:  # an edited script was rendered: its source-language side is the reference
        source_lang = script.source_language
        source = texts[source_lang]
    spoken_bilingual: Lang = (manifest.get("settings") or {}).get("bilingual_voice", "zh")
    clips = manifest.get("clips") or {}
    if not clips:
        raise InputError(f"{out_dir.name}: the manifest lists no clips", hint="re-render")
    results: list[ClipCheck] = []
    for label, entry in clips.items():
        video = out_dir / entry["video"]["path"]
        say(f"checking {video.name}")
        srt_entry = entry.get("srt")
        if label in LANGS:
            lang: Lang = label
            if not srt_entry:
                raise InputError(f"{out_dir.name}: no caption file for {label}.mp4")
            results.append(check_clip(video, texts[lang], out_dir / srt_entry["path"], lang,
                                      source, thresholds, source_language=source_lang,
                                      label=label))
            continue
        if "bilingual" not in label:
            log.warning("%s: clip %r is neither zh, en nor bilingual: not checked",
                        out_dir.name, label)
            continue
        lang = spoken_bilingual
        other: Lang = "en" if lang == "zh" else "zh"
        captions: Path | Captions = (out_dir / srt_entry["path"] if srt_entry
                                     else _bilingual_captions(out_dir, script_data, texts, lang))
        results.append(check_clip(video, texts[lang], captions, lang, source, thresholds,
                                  other_texts=texts[other], source_language=source_lang,
                                  label=label))
    title = script.title_warnings if script.title_needs_review else ()
    review = tuple(f"headline: {w}" for w in title) + tuple(
        f"sentence {s.index + 1}: {'; '.join(s.warnings) or 'marked'}"
        for s in script.segments if s.needs_review)
    say("checking the AI labels and the presenter's consent")
    labelled, folder = check_labels(out_dir, manifest, thresholds.require_visible_label)
    results = [_with_labels(r, labelled.get(r.label)) for r in results]
    return CheckReport(out_dir=out_dir, clips=tuple(results), thresholds=thresholds,
                       review=review, folder_problems=folder)


def _with_labels(result: ClipCheck, labels: LabelCheck | None) -> ClipCheck:
    if labels is None:
        return result
    return dataclasses.replace(
        result, problems=result.problems + labels.problems,
        warnings=result.warnings + labels.warnings,
        labels=f"{AIGC_KEY} {'present' if labels.implicit else 'missing'}; "
               f"visible label {labels.visible}")


# ------------------------------------------------------------------ JSON and the manifest


def _json_safe(value: Any) -> Any:
    """-inf (silence) and NaN are not JSON: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _clip_dict(c: ClipCheck, out_dir: Path) -> dict[str, Any]:
    try:
        video = str(c.video.relative_to(out_dir))
    except ValueError:
        video = str(c.video)
    t = c.timing
    return {
        "video": video,
        "language": c.language,
        "passed": c.passed,
        c.metric: None if c.error_rate is None else round(c.error_rate, 4),
        **({"cer_by_sound": None if c.sound_error_rate is None else round(c.sound_error_rate, 4)}
           if c.language == "zh" else {}),
        "transcript": c.transcript,
        "facts": {
            f.language: {"figures": f.figures, "survival": round(f.survival, 4),
                         "missing": list(f.missing)}
            for f in c.facts
        },
        "caption_timing": {
            "language": c.language, "cues": t.cues, "matched": t.matched,
            "median_ms": t.median_ms, "max_ms": t.max_ms, "tolerance_ms": t.tolerance_ms,
            "out_of_tolerance": list(t.out_of_tolerance), "offsets_ms": list(t.offsets_ms),
        },
        "reading_speed": {
            r.language: {"limit_cps": r.limit, "max_cps": r.max_cps,
                         "too_fast": list(r.too_fast)}
            for r in c.reading
        },
        "loudness": c.loudness.as_dict() if c.loudness is not None else None,
        "labels": c.labels,
        "problems": list(c.problems),
        "warnings": list(c.warnings),
    }


def report_dict(report: CheckReport) -> dict[str, Any]:
    """The report as plain JSON: what goes into manifest.json under "checks"."""
    return _json_safe({
        "passed": report.passed,
        "thresholds": to_dict(report.thresholds),
        "clips": {c.label: _clip_dict(c, report.out_dir) for c in report.clips},
        "problems": list(report.problems),
        "review": list(report.review),
    })


def write_into_manifest(out_dir: Path, report: CheckReport) -> Path:
    """Store the report in the folder's manifest.json under "checks" (atomically)."""
    path = Path(out_dir) / "manifest.json"
    data = _read_json(path)
    data["checks"] = report_dict(report)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return path
