"""`anchor check`: re-listen to a render folder's clips and say whether they can be trusted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from anchor.check import (
    CheckReport,
    ClipCheck,
    Thresholds,
    check_output,
    report_dict,
    write_into_manifest,
)

from .console import console, err_console, progress_printer

__all__ = ["check_cmd", "print_report"]


def check_cmd(
    target: Path = typer.Argument(..., help="Render folder (output/<slug>) or its manifest.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON on stdout."),
    max_cer: float | None = typer.Option(None, help="Most character errors (zh), e.g. 0.15."),
    max_wer: float | None = typer.Option(None, help="Most word errors (en), e.g. 0.20."),
    max_offset_ms: int | None = typer.Option(
        None, help="A caption further than this from its spoken word is out (ms)."),
    max_cues_out: float | None = typer.Option(
        None, help="Fail when more than this share of cues is out, e.g. 0.2."),
    target_lufs: float | None = typer.Option(
        None, help="Also fail clips more than 1 LU from this loudness (e.g. -16)."),
    names: bool | None = typer.Option(
        None, "--names/--no-names", help="Fail on a missing Latin-script name (else warn)."),
    write: bool = typer.Option(True, "--write/--no-write",
                               help="Store the results in manifest.json under \"checks\"."),
) -> None:
    """Speech recognition round trip, figures and names, caption timing and reading speed.

    Exit 0 when every clip meets the thresholds, 1 when one does not.
    """
    out_dir = target.parent if target.name == "manifest.json" else target
    thresholds = Thresholds.from_mapping({
        "max_cer": max_cer, "max_wer": max_wer, "max_caption_offset_ms": max_offset_ms,
        "max_cues_out": max_cues_out, "target_lufs": target_lufs, "require_names": names,
    })
    report = check_output(out_dir, thresholds, progress=progress_printer())
    if write:
        write_into_manifest(out_dir, report)
    if as_json:
        sys.stdout.write(json.dumps({"ok": report.passed, **report_dict(report)},
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        print_report(report)
    if not report.passed:
        raise typer.Exit(1)


def _timing_cell(c: ClipCheck) -> str:
    t = c.timing
    if not t.matched:
        return "—"
    return (f"{t.median_ms}/{t.max_ms} ms, "
            f"{len(t.out_of_tolerance)}/{t.matched} out")


def _facts_cell(c: ClipCheck) -> str:
    cells = []
    for f in c.facts:
        found = f.figures - f.missing_figures
        cells.append(f"{f.language} {found}/{f.figures}")
    return ", ".join(cells)


def _reading_cell(c: ClipCheck) -> str:
    return ", ".join(f"{r.language} {r.max_cps:.1f}" for r in c.reading)


def _labels_cell(c: ClipCheck) -> str:
    if not c.labels:
        return "—"
    meta = "AIGC" if "AIGC present" in c.labels else "[red]no AIGC[/]"
    seen = ("on screen" if "found at" in c.labels else
            "[red]not on screen[/]" if "missing" in c.labels or "off" in c.labels
            else "recorded")
    return f"{meta}, {seen}"


def print_report(report: CheckReport) -> None:
    table = Table(title=f"check: {report.out_dir}", show_edge=False)
    table.add_column("clip")
    table.add_column("speech", justify="right")
    table.add_column("figures found")
    table.add_column("cue offset median/max")
    table.add_column("max chars/s")
    table.add_column("loudness", justify="right")
    table.add_column("AI labels")
    table.add_column("result")
    for c in report.clips:
        speech = "—" if c.error_rate is None else f"{c.metric.upper()} {c.error_rate:.1%}"
        if c.sound_error_rate is not None:
            speech += f" ({c.sound_error_rate:.1%} by sound)"
        loud = ("—" if c.loudness is None or c.loudness.silent
                else f"{c.loudness.integrated_lufs:.1f} LUFS")
        result = "[green]pass[/]" if c.passed else "[bold red]FAIL[/]"
        table.add_row(c.label, speech, _facts_cell(c), _timing_cell(c), _reading_cell(c),
                      loud, _labels_cell(c), result)
    console().print(table)
    for p in report.folder_problems:
        err_console().print(f"[bold red]folder:[/] {p}", highlight=False)
    for c in report.clips:
        for p in c.problems:
            err_console().print(f"[bold red]{c.label}:[/] {p}", highlight=False)
        for w in c.warnings:
            err_console().print(f"[yellow]{c.label}:[/] {w}", highlight=False)
