"""`anchor script ARTICLE`: the reviewable script.json, with its flags, without rendering.

A producer reads and corrects it, then renders it with `anchor render --script script.json`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from anchor import __version__
from anchor.core.cache import atomic_write_text
from anchor.core.settings import load_settings
from anchor.core.slug import slugify
from anchor.core.values import Script, to_dict
from anchor.pipeline import prepare_script

from .console import console, err_console, progress_printer

__all__ = ["script_cmd"]


def script_cmd(
    article: str = typer.Argument(
        ..., help="Article file (.txt, .md, .json with title/body) or - for stdin."),
    out: Path | None = typer.Option(
        None, "--out", "-o",
        help="Where to write the script (a file, or a folder for <slug>/script.json; "
             "default: the output folder)."),
    sentences: int | None = typer.Option(None, help="Summary length in sentences."),
    zh_variant: str | None = typer.Option(None, help="Hans (Simplified) or Hant."),
    brand: str | None = typer.Option(None, help="Brand whose glossary.toml applies."),
    glossary: Path | None = typer.Option(None, help="A newsroom glossary TOML over the others."),
    strict: bool | None = typer.Option(None, "--strict/--no-strict",
                                       help="Exit 2 when a sentence is marked for review."),
    config: Path | None = typer.Option(None, help="Config file (default ./anchor.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print the script.json on stdout."),
) -> None:
    """Summarise and translate ARTICLE into script.json with its review flags; no render."""
    settings = load_settings(config, {
        "sentences": sentences, "zh_variant": zh_variant, "brand": brand,
        "glossary": str(glossary) if glossary else None, "strict": strict,
    })
    art, summary, script = prepare_script(article, settings, progress=progress_printer())
    if out is None:
        out = settings.out / slugify(art.title, f"article-{art.sha256[:8]}")
    path = out if out.suffix == ".json" else out / "script.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"anchor": __version__, "summary": to_dict(summary), "script": to_dict(script),
            "review": review_dict(script)}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    atomic_write_text(path, text)
    if as_json:
        sys.stdout.write(text)
    else:
        print_review(script, path)
    if settings.strict and script.flagged:
        raise typer.Exit(2)


def review_dict(script: Script) -> dict[str, object]:
    """The flags in plain words, for script.json and the manifest."""
    items: list[dict[str, object]] = []
    if script.title_needs_review:
        items.append({"where": "headline", "reasons": list(script.title_warnings)})
    items += [{"where": f"sentence {s.index + 1}", "reasons": list(s.warnings)}
              for s in script.segments if s.needs_review]
    return {"needed": bool(items), "items": items, "glossary": list(script.glossary)}


def print_review(script: Script, path: Path) -> None:
    table = Table(title=str(path), show_edge=False, show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("zh")
    table.add_column("en")
    table.add_column("review")
    table.add_row("title", script.title_zh, script.title_en,
                  "\n".join(script.title_warnings) or "ok")
    for s in script.segments:
        table.add_row(str(s.index + 1), s.zh, s.en,
                      "[yellow]" + "\n".join(s.warnings) + "[/]" if s.review else "ok")
    console().print(table)
    n = len(script.flagged)
    if n:
        err_console().print(f"[yellow]{n} part(s) marked for review[/]: correct {path}, then "
                            f"`anchor render --script {path}`")
