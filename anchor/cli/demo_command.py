"""`anchor demo`: render the sample article that ships with the project."""

from __future__ import annotations

from pathlib import Path

import typer

from anchor.core.errors import InputError
from anchor.core.paths import assets_root
from anchor.core.settings import load_settings
from anchor.pipeline import render_article

from .console import progress_printer
from .render_command import print_result

DEMO_ARTICLE = "samples/digital-reporter.zh.txt"


def demo_cmd(
    out: Path = typer.Option(Path("output/demo"), help="Where the demo clips go."),
    article: str | None = typer.Option(None, help="Another article instead of the sample."),
    timings: bool = typer.Option(True, "--timings/--no-timings", help="Print stage times."),
) -> None:
    """Render the shipped sample article into output/demo/ (zh, en and bilingual clips)."""
    source = Path(article) if article else assets_root() / DEMO_ARTICLE
    if not source.is_file():
        raise InputError(f"demo article {source} not found",
                         hint="run from the project folder, or pass --article FILE")
    settings = load_settings(None, {"out": str(out.parent)})
    result = render_article(str(source), settings, out_dir=out, progress=progress_printer())
    print_result(result, timings)
