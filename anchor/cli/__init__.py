"""The `anchor` command. Only this layer turns AnchorError into messages and exit codes.

Exit codes: 0 ok · 1 some articles failed / render failed · 2 bad usage, input or config ·
3 missing dependency or model · 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import sys

import typer
from typer.main import get_command

from anchor.core.errors import AnchorError

from . import (
    avatars_command,
    batch_command,
    check_command,
    demo_command,
    info_command,
    models_command,
    render_command,
    script_command,
    serve_command,
    users_command,
)
from .console import err_console, setup_logging

__all__ = ["app", "main"]

app = typer.Typer(
    name="anchor",
    help="Turn a news article into Mandarin and English presenter clips, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More logs (-vv: debug)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors."),
) -> None:
    setup_logging(logging.ERROR if quiet else logging.WARNING - 10 * min(verbose, 2))


app.command("render")(render_command.render_cmd)
app.command("script")(script_command.script_cmd)
app.command("batch")(batch_command.batch_cmd)
app.command("check")(check_command.check_cmd)
app.command("serve")(serve_command.serve_cmd)
app.command("demo")(demo_command.demo_cmd)
app.command("voices")(info_command.voices_cmd)
app.command("brands")(info_command.brands_cmd)
app.command("doctor")(info_command.doctor_cmd)
app.add_typer(avatars_command.app, name="avatars")
app.add_typer(models_command.app, name="models")
app.add_typer(users_command.app, name="users")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. Usage errors are the framework's own (usage line, "did you mean", exit 2):
    the command runs in standalone mode, so whatever click typer bundles handles them.
    Only Anchor's own errors and bugs are presented here."""
    command = get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        command.main(args=args, prog_name="anchor", standalone_mode=True)
    except AnchorError as exc:
        if "--json" in args:
            print(json.dumps({"ok": False, "error": exc.message, "hint": exc.hint,
                              "exit_code": exc.exit_code}, ensure_ascii=False))
        err_console().print(f"[bold red]error:[/] {exc.message}", highlight=False)
        if exc.hint:
            err_console().print(f"[yellow]hint:[/] {exc.hint}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:  # raised outside the command (typer maps those inside to 130)
        err_console().print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: one line for the user, the traceback with -vv
        logging.getLogger("anchor").debug("internal error", exc_info=True)
        err_console().print(f"[bold red]error:[/] internal error: {type(exc).__name__}: {exc}",
                            highlight=False)
        err_console().print("[yellow]hint:[/] run again with -vv for the traceback, and "
                            "report it with that output", highlight=False)
        sys.exit(1)
