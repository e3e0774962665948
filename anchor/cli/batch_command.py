"""`anchor batch`: a folder or manifest of articles → a folder of clips and a report."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from anchor.core.settings import load_settings
from anchor.jobs.batch import BatchItem, ItemResult, read_batch, run_batch, run_one
from anchor.jobs.batch_report import write_reports
from anchor.jobs.preflight import preflight

from .console import console, err_console, is_tty, progress_printer


def batch_cmd(
    target: Path = typer.Argument(..., help="Folder of articles, or a .csv/.jsonl manifest."),
    out: Path | None = typer.Option(None, help="Output folder (a subfolder per article)."),
    workers: int = typer.Option(0, help="Parallel articles (0: sized to the machine)."),
    langs: str | None = typer.Option(None, help="Default clips to make: zh, en or zh,en."),
    avatar: str | None = typer.Option(None, help="Default presenter."),
    aspect: str | None = typer.Option(None, help="Default 16:9, 9:16 or 1:1."),
    sentences: int | None = typer.Option(None, help="Default summary length."),
    tts: str | None = typer.Option(
        None, help="offline (default) | edge (online voices: the text is sent to Microsoft's "
                   "service) | auto (edge when reachable)."),
    bilingual: bool | None = typer.Option(None, "--bilingual/--no-bilingual"),
    config: Path | None = typer.Option(None, help="Config file (default ./anchor.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report JSON on stdout."),
) -> None:
    """Render many articles; bad ones fail alone, finished ones are skipped on a re-run."""
    flags = {"out": out, "langs": langs, "avatar": avatar, "aspect": aspect,
             "sentences": sentences, "tts": tts, "bilingual": bilingual}
    # bad flags, presenter, voices or ffmpeg fail the whole batch, before any work
    preflight(load_settings(config, flags))
    items = read_batch(target)
    # LLM and TTS are shared by all workers and take turns (see pipeline locks); two slots
    # let one article render video while the next one translates or speaks.
    n = workers or max(1, min(len(items), (os.cpu_count() or 2)))

    def settings_for(item: BatchItem):
        return load_settings(config, {**flags, **dict(item.options)})

    def runner(item: BatchItem, say):
        return run_one(item, settings_for, say)

    t0 = time.perf_counter()
    if is_tty() and not as_json:
        results = _with_bars(items, runner, n)
    else:
        results = _with_lines(items, runner, n)
    seconds = time.perf_counter() - t0
    jpath, hpath = write_reports(results, load_settings(config, flags).out, seconds)
    failed = [r for r in results if not r.ok]
    if as_json:
        sys.stdout.write(jpath.read_text("utf-8"))
    else:
        ok = len(results) - len(failed)
        console().print(f"{ok}/{len(results)} articles ok, {len(failed)} failed in "
                        f"{seconds:.1f} s — report: {hpath}")
        for r in failed:
            err_console().print(f"[red]failed[/] {r.item.id}: {r.error}"
                                + (f" (hint: {r.hint})" if r.hint else ""))
    if failed:
        raise typer.Exit(1)


def _with_lines(items: list[BatchItem], runner, n: int) -> list[ItemResult]:
    say = progress_printer()
    done = 0

    def on_done(res: ItemResult, _slot: int) -> None:
        nonlocal done
        done += 1
        state = "reused" if res.cached else ("ok" if res.ok else f"FAILED: {res.error}")
        say(f"[{done}/{len(items)}] {res.item.id}: {state} ({res.seconds:.1f} s)")

    return run_batch(items, runner, n,
                     on_progress=lambda item, _s, msg: say(f"{item.id}: {msg}"),
                     on_done=on_done)


def _with_bars(items: list[BatchItem], runner, n: int) -> list[ItemResult]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
    with Progress(*columns, console=err_console(), transient=False) as bars:
        overall = bars.add_task("[bold]articles", total=len(items))
        slots = [bars.add_task(f"  worker {i + 1}: idle", total=None) for i in range(n)]

        def on_start(item: BatchItem, slot: int) -> None:
            bars.update(slots[slot], description=f"  {item.id[:32]}: starting")

        def on_progress(item: BatchItem, slot: int, msg: str) -> None:
            bars.update(slots[slot], description=f"  {item.id[:32]}: {msg}")

        def on_done(res: ItemResult, slot: int) -> None:
            bars.advance(overall)
            mark = "[green]✓[/]" if res.ok else "[red]✗[/]"
            bars.console.print(f"{mark} {res.item.id} ({res.seconds:.1f} s)"
                               + ("" if res.ok else f": {res.error}"))
            bars.update(slots[slot], description=f"  worker {slot + 1}: idle")

        return run_batch(items, runner, n, on_start, on_progress, on_done)


__all__ = ["batch_cmd"]
