"""`anchor render`: one article in, a folder of clips out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from anchor.core.settings import load_settings
from anchor.pipeline import RunResult, render_article

from .console import console, err_console, progress_printer

__all__ = ["print_json", "print_result", "render_cmd"]


def render_cmd(
    article: str | None = typer.Argument(
        None, help="Article file (.txt, .md, .json with title/body) or - for stdin. "
                   "Not needed with --script.", show_default=False,
    ),
    langs: str | None = typer.Option(None, help="Clips to make: zh, en or zh,en."),
    sentences: int | None = typer.Option(None, help="Summary length in sentences."),
    avatar: str | None = typer.Option(None, help="Presenter (see `anchor avatars`)."),
    voice_zh: str | None = typer.Option(None, help="Mandarin voice preset."),
    voice_en: str | None = typer.Option(None, help="English voice preset."),
    aspect: str | None = typer.Option(None, help="16:9, 9:16 or 1:1."),
    brand: str | None = typer.Option(None, help="Look: a folder in brands/ (see `anchor brands`)."),
    cards: bool | None = typer.Option(None, "--cards/--no-cards",
                                      help="Key figures as on-screen cards."),
    bumpers: bool | None = typer.Option(None, "--bumpers/--no-bumpers",
                                        help="The brand's intro and outro cards."),
    studio: bool | None = typer.Option(None, "--studio/--no-studio",
                                       help="The news package: the presenter on the brand's "
                                            "set, each sentence on its shot and visual."),
    fps: str | None = typer.Option(
        None, help="Frame rate: 24, 25, 30, 50, 60, or NTSC 29.97 (30000/1001), 59.94, 23.976."),
    out: Path | None = typer.Option(None, help="Output folder (a subfolder per article)."),
    tts: str | None = typer.Option(
        None, help="offline (default: nothing leaves the machine) | edge (online voices: the "
                   "text is sent to Microsoft's service) | auto (edge when reachable)."),
    ffmpeg: str | None = typer.Option(
        None, help='ffmpeg to use: "" pinned build (default), "system" or a path; '
                   "used only if it passes a probe."),
    zh_variant: str | None = typer.Option(None, help="Hans (Simplified) or Hant."),
    renderer: str | None = typer.Option(None, help="fast | moviepy (reference)."),
    bilingual: bool | None = typer.Option(None, "--bilingual/--no-bilingual",
                                          help="Also make bilingual.mp4."),
    seed: int | None = typer.Option(None, help="Seed for blinks and head motion."),
    check: bool | None = typer.Option(None, "--check/--no-check",
                                      help="Check the clips (ASR, facts, caption timing); "
                                           "fail on a miss."),
    script: Path | None = typer.Option(
        None, help="Render an edited script.json instead of summarising and translating."),
    strict: bool | None = typer.Option(None, "--strict/--no-strict",
                                       help="Stop before rendering when a sentence is "
                                            "marked for review."),
    glossary: Path | None = typer.Option(None, help="A newsroom glossary TOML over the others."),
    config: Path | None = typer.Option(None, help="Config file (default ./anchor.toml)."),
    timings: bool = typer.Option(False, "--timings", help="Print time spent per stage."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Render one article into zh.mp4, en.mp4, captions, script.json and manifest.json."""
    if article is None and script is None:
        raise typer.BadParameter("give an article file (or - for stdin), or --script FILE",
                                 param_hint="ARTICLE")
    settings = load_settings(config, {
        "langs": langs, "sentences": sentences, "avatar": avatar, "voice_zh": voice_zh,
        "voice_en": voice_en, "aspect": aspect, "fps": fps, "out": out, "tts": tts,
        "zh_variant": zh_variant, "renderer": renderer, "ffmpeg": ffmpeg, "bilingual": bilingual,
        "seed": seed,
        "check": check, "brand": brand, "cards": cards, "bumpers": bumpers, "studio": studio,
        "strict": strict, "glossary": str(glossary) if glossary else None,
    })
    result = render_article(article, settings, script_file=script, progress=progress_printer())
    if as_json:
        print_json(result)
    else:
        print_result(result, timings)


def print_json(result: RunResult) -> None:
    """The manifest plus ok=true on stdout, for CI; progress stays on stderr."""
    data = {"ok": True, "out_dir": str(result.out_dir)}
    if result.manifest is not None:
        data.update(json.loads(result.manifest.read_text("utf-8")))
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_result(result: RunResult, timings: bool) -> None:
    table = Table(title=str(result.out_dir), show_edge=False)
    table.add_column("clip")
    table.add_column("duration", justify="right")
    table.add_column("size")
    table.add_column("file")
    for label, clip in result.clips.items():
        table.add_row(label, f"{clip.duration_ms / 1000:.1f} s", f"{clip.width}x{clip.height}",
                      str(clip.video))
    console().print(table)
    for w in result.warnings:
        err_console().print(f"[yellow]warning:[/] {w}")
    if timings:
        t = Table(title="time per stage", show_edge=False)
        t.add_column("stage")
        t.add_column("seconds", justify="right")
        for name, secs in result.timings.items():
            t.add_row(name, f"{secs:.1f}")
        console().print(t)
