"""`anchor users`: named accounts for `anchor serve` (add, list, passwd, token, revoke,
restore).

Each account gets its own token, shown once; revoking it ends its sessions at once.
Accounts live in the serve data folder (``--data``, default output/serve), so run
this with the same ``--data`` / anchor.toml as the server.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from anchor.core.errors import InputError

from .console import console, err_console

if TYPE_CHECKING:
    from anchor.web.accounts import AccountStore

app = typer.Typer(help="Reporters' and editors' accounts for `anchor serve`.",
                  no_args_is_help=True)

_DATA = typer.Option(None, "--data", help="The server's data folder (default output/serve).")
_CONFIG = typer.Option(None, "--config", help="Config file (default ./anchor.toml).")


def _store(data: Path | None, config: Path | None) -> AccountStore:
    # deferred: the web package (sqlite3) loads only for `anchor users`
    from anchor.web.accounts import AccountStore
    from anchor.web.config import load_serve_config

    cfg = load_serve_config({"data": data}, config_file=config)
    return AccountStore(cfg.data / "accounts.sqlite")


def _ask_password() -> str:
    # on stderr: stdout carries only the token, so `TOKEN=$(anchor users add ...)` works
    secret: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return secret


def _when(t: float | None) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") if t else "—"


@app.command("add")
def add_cmd(
    name: str = typer.Argument(..., help="Short name, e.g. li.wei (a-z, 0-9, . _ -)."),
    role: str = typer.Option("reporter", help="reporter (own jobs), editor (all jobs, "
                             "approves for air) or admin."),
    password: bool = typer.Option(False, "--password", help="Also set a password for the "
                                  "web sign-in (asked for, never an argument)."),
    data: Path | None = _DATA,
    config: Path | None = _CONFIG,
) -> None:
    """Create an account and print its token (once: only a hash is kept)."""
    secret = None
    if password:
        secret = _ask_password()
    token = _store(data, config).add(name, role, secret)
    err_console().print(f"Account [bold]{name.strip().lower()}[/] ({role}) created. Its token "
                        "(shown only now; API: Authorization: Bearer <token>, or paste it "
                        "at /login):", highlight=False)
    print(token)


@app.command("list")
def list_cmd(data: Path | None = _DATA, config: Path | None = _CONFIG,
             as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")
             ) -> None:
    """Show every account: role, when made, last seen, revoked or not."""
    rows = _store(data, config).list()
    if as_json:
        print(json.dumps([{"name": r.name, "role": r.role, "created": r.created,
                           "last_seen": r.last_seen, "revoked": r.revoked,
                           "password": r.has_password} for r in rows]))
        return
    if not rows:
        err_console().print("No accounts yet: anchor users add NAME --role reporter")
        return
    table = Table(show_edge=False)
    for col in ("name", "role", "password", "created", "last seen", "status"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.name, r.role, "yes" if r.has_password else "no", _when(r.created),
                      _when(r.last_seen), f"revoked {_when(r.revoked)}" if r.revoked else "active")
    console().print(table)


@app.command("revoke")
def revoke_cmd(name: str = typer.Argument(..., help="The account to disable."),
               data: Path | None = _DATA, config: Path | None = _CONFIG) -> None:
    """Disable an account's token and password and end its sessions now."""
    if not _store(data, config).revoke(name):
        raise InputError(f"no active account {name!r}", hint="see anchor users list")
    err_console().print(f"Account {name} revoked; its sessions ended.", highlight=False)


@app.command("passwd")
def passwd_cmd(name: str = typer.Argument(..., help="The account whose password to set."),
               data: Path | None = _DATA, config: Path | None = _CONFIG) -> None:
    """Set a new password for an account (asked for); its page sessions end."""
    _store(data, config).set_password(name, _ask_password())
    err_console().print(f"Password of {name} changed; its page sessions ended.",
                        highlight=False)


@app.command("token")
def token_cmd(name: str = typer.Argument(..., help="The account to give a new token."),
              data: Path | None = _DATA, config: Path | None = _CONFIG) -> None:
    """Give an account a new token (printed once); the old one stops working now."""
    token = _store(data, config).new_token(name)
    err_console().print(f"New token for {name} (the old one no longer works):",
                        highlight=False)
    print(token)


@app.command("restore")
def restore_cmd(name: str = typer.Argument(..., help="A revoked account."),
                data: Path | None = _DATA, config: Path | None = _CONFIG) -> None:
    """Give a revoked account back to the same person: role and jobs kept, a new token."""
    token = _store(data, config).restore(name)
    err_console().print(f"Account {name} restored (set a password with anchor users passwd "
                        f"{name}). Its new token:", highlight=False)
    print(token)
