"""`anchor models`: fetch and verify the offline models (a CI warm-up step)."""

from __future__ import annotations

import typer
from rich.table import Table

from anchor.assets.model_store import MODELS, ensure, is_ready, model_path
from anchor.core.errors import InputError

from .console import console, progress_printer

app = typer.Typer(help="Fetch, verify and list the offline models.", no_args_is_help=True)


@app.command("fetch")
def fetch_cmd(names: list[str] = typer.Argument(None, help="Models to fetch (default: all).")
              ) -> None:
    """Download, join and verify the models into ANCHOR_HOME (once; later runs are instant)."""
    chosen = names or list(MODELS)
    unknown = [n for n in chosen if n not in MODELS]
    if unknown:
        raise InputError(f"unknown model {', '.join(unknown)}", hint=f"known: {', '.join(MODELS)}")
    say = progress_printer()
    for name in chosen:
        ensure(name, progress=say)


@app.command("list")
def list_cmd() -> None:
    """Show each model, its licence and whether it is ready."""
    table = Table(show_edge=False)
    for col in ("model", "ready", "licence", "source", "path"):
        table.add_column(col)
    for name, spec in MODELS.items():
        table.add_row(name, "yes" if is_ready(name) else "no", spec.licence, spec.source,
                      str(model_path(name)))
    console().print(table)
