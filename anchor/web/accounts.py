"""Named accounts, their tokens and passwords, server-side sessions, and login throttling.

- Each person has an account with a role: ``reporter`` (submits, sees own jobs),
  ``editor`` (sees every job, approves clips for air) or ``admin`` (an editor who may
  also see who is who). ``anchor users add/list/revoke`` manages them.
- A token is 32 random bytes shown once; only its SHA-256 is kept (a token is not
  guessable, so a slow hash adds nothing). A password, if given, is kept as scrypt.
- A page session is a random id in an HttpOnly cookie whose hash lives in the same
  database: logging out or revoking the account deletes it, so an old cookie opens
  nothing.
- ``ANCHOR_API_TOKEN`` stays valid as the ``admin`` account, so set-ups from before
  accounts keep working.

Accounts live in ``<data>/accounts.sqlite`` beside the jobs; with the Huey queue every
web server shares the ``--data`` folder, and so the accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections import deque
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from anchor.core.errors import AnchorError, InputError

from .sqlite import immediate

__all__ = ["ADMIN", "LOCAL", "ROLES", "Account", "AccountStore", "FailureLog", "Forbidden",
           "MemoryFailures", "RedisFailures", "SqliteFailures", "Throttle", "WrongPassword",
           "hash_password", "verify_password"]

Role = Literal["reporter", "editor", "admin"]
ROLES: tuple[str, ...] = ("reporter", "editor", "admin")
SESSION_SECONDS = 12 * 3600  # a working day
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class Forbidden(AnchorError):
    """Signed in, but this account's role may not do that (403)."""


class WrongPassword(Forbidden):
    """A password change with the wrong current password (403)."""


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: Role = "reporter"

    @property
    def sees_all(self) -> bool:
        """Editors and admins see every job; reporters only their own."""
        return self.role in ("editor", "admin")

    @property
    def may_approve(self) -> bool:
        return self.role in ("editor", "admin")


# The shared ANCHOR_API_TOKEN, and an open loopback server with no accounts at all.
ADMIN = Account("admin", "admin")
LOCAL = Account("local", "admin")


@dataclass(frozen=True, slots=True)
class AccountInfo:
    name: str
    role: Role
    created: float
    revoked: float | None
    has_password: bool
    last_seen: float | None


# ----------------------------------------------------------------------------- hashing

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # ~16 MiB and ~50 ms per check: OWASP's minimum


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32,
                             n=int(n), r=int(r), p=int(p))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got.hex(), key)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_name(name: str) -> str:
    name = name.strip().lower()
    if not (1 <= len(name) <= 40) or not set(name) <= _NAME_CHARS:
        raise InputError(f"{name[:40]!r} is not a usable account name",
                         hint="1–40 characters: a-z, 0-9, dot, dash, underscore")
    if name in (ADMIN.name, LOCAL.name):
        raise InputError(f"{name} is a reserved name",
                         hint="the shared ANCHOR_API_TOKEN is 'admin'; pick a person's name")
    return name


def check_name_or_empty(name: str) -> str:
    """The account name as stored, or "" for one that cannot be an account."""
    try:
        return check_name(name)
    except InputError:
        return ""


# ----------------------------------------------------------------------------- store


class AccountStore:
    """Accounts and sessions in one SQLite file (WAL), shared by threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._tx() as con:
            con.execute("CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY,"
                        " role TEXT NOT NULL, token TEXT NOT NULL, password TEXT,"
                        " created REAL NOT NULL, revoked REAL, last_seen REAL)")
            con.execute("CREATE UNIQUE INDEX IF NOT EXISTS accounts_token ON accounts(token)")
            con.execute("CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY,"
                        " name TEXT NOT NULL, expires REAL NOT NULL)")
            con.execute("CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY,"
                        " name TEXT NOT NULL, created REAL NOT NULL)")

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
        return con

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate(self._con())

    # --------------------------------------------------------------- management

    def add(self, name: str, role: str = "reporter", password: str | None = None) -> str:
        """Create an account (or give a revoked one a fresh start); returns its new token."""
        name = check_name(name)
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", hint=f"one of: {', '.join(ROLES)}")
        if password is not None and len(password) < 10:
            raise InputError("that password is too short", hint="use 10 characters or more")
        token = f"anc_{secrets.token_urlsafe(32)}"
        with self._tx() as con:
            row = con.execute("SELECT revoked FROM accounts WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0] is None:
                raise InputError(f"account {name} already exists",
                                 hint=f"a new token: anchor users token {name}; a new "
                                      f"password: anchor users passwd {name}")
            if row is not None:
                # the old jobs carry this name: a new person under it would inherit them
                raise InputError(f"account {name} was revoked; its jobs keep that name",
                                 hint=f"give the same person access again with anchor users "
                                      f"restore {name}, or pick another name for someone "
                                      "new")
            con.execute("INSERT OR REPLACE INTO accounts (name, role, token, password,"
                        " created, revoked, last_seen) VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                        (name, role, _digest(token),
                         hash_password(password) if password else None, time.time()))
        return token

    def restore(self, name: str) -> str:
        """A revoked account back for the same person (role and jobs kept): a new token."""
        name = check_name(name)
        token = f"anc_{secrets.token_urlsafe(32)}"
        with self._tx() as con:
            n = con.execute("UPDATE accounts SET revoked = NULL, token = ?, password = NULL"
                            " WHERE name = ? AND revoked IS NOT NULL",
                            (_digest(token), name)).rowcount
        if not n:
            raise InputError(f"no revoked account {name!r}", hint="see anchor users list")
        return token

    def new_token(self, name: str) -> str:
        """A fresh token for an active account; the old one stops working now."""
        name = check_name(name)
        token = f"anc_{secrets.token_urlsafe(32)}"
        with self._tx() as con:
            n = con.execute("UPDATE accounts SET token = ? WHERE name = ? AND revoked IS NULL",
                            (_digest(token), name)).rowcount
        if not n:
            raise InputError(f"no active account {name!r}", hint="see anchor users list")
        return token

    def set_password(self, name: str, new: str, current: str | None = None,
                     keep_session: str | None = None) -> None:
        """Change (or set) an account's password. With ``current`` (the person's own
        change), it must match the old one, if there was one. Every other session of the
        account ends: whoever knew the old password is signed out."""
        name = check_name(name)
        if len(new) < 10:
            raise InputError("that password is too short", hint="use 10 characters or more")
        if len(new) > 500:
            raise InputError("that password is too long", hint="at most 500 characters")
        row = self._con().execute("SELECT password FROM accounts WHERE name = ? AND"
                                  " revoked IS NULL", (name,)).fetchone()
        if row is None:
            raise InputError(f"no active account {name!r}", hint="see anchor users list")
        if current is not None and row[0] and not verify_password(current, row[0]):
            raise WrongPassword("the current password is not right",
                                hint="type your current password; an administrator can set "
                                     "a new one with anchor users passwd")
        keep = _digest(keep_session) if keep_session else ""
        with self._tx() as con:
            con.execute("UPDATE accounts SET password = ? WHERE name = ?",
                        (hash_password(new), name))
            con.execute("DELETE FROM sessions WHERE name = ? AND id != ?", (name, keep))

    def revoke(self, name: str) -> bool:
        """Disable the account's token and password and end its sessions."""
        name = check_name(name)
        with self._tx() as con:
            n = con.execute("UPDATE accounts SET revoked = ? WHERE name = ? AND revoked IS NULL",
                            (time.time(), name)).rowcount
            con.execute("DELETE FROM sessions WHERE name = ?", (name,))
            con.execute("DELETE FROM devices WHERE name = ?", (name,))
        return n > 0

    def list(self) -> list[AccountInfo]:
        rows = self._con().execute("SELECT name, role, created, revoked, password IS NOT NULL,"
                                   " last_seen FROM accounts ORDER BY name").fetchall()
        return [AccountInfo(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]

    def any_active(self) -> bool:
        row = self._con().execute("SELECT 1 FROM accounts WHERE revoked IS NULL LIMIT 1")
        return row.fetchone() is not None

    # --------------------------------------------------------------- checking

    def by_token(self, token: str) -> Account | None:
        if not token.startswith("anc_"):
            return None
        row = self._con().execute("SELECT name, role FROM accounts WHERE token = ? AND"
                                  " revoked IS NULL", (_digest(token),)).fetchone()
        if row is None:
            return None
        self._seen(row[0])
        return Account(row[0], row[1])

    def by_password(self, name: str, password: str) -> Account | None:
        try:
            name = check_name(name)
        except InputError:
            return None
        row = self._con().execute("SELECT role, password FROM accounts WHERE name = ? AND"
                                  " revoked IS NULL", (name,)).fetchone()
        if row is None or not row[1]:
            verify_password(password, _DUMMY)  # same time for unknown names
            return None
        if not verify_password(password, row[1]):
            return None
        self._seen(name)
        return Account(name, row[0])

    def _seen(self, name: str) -> None:
        # best effort, at most once a minute per account: reads must not queue on writes
        con = self._con()
        con.execute("UPDATE accounts SET last_seen = ? WHERE name = ? AND"
                    " (last_seen IS NULL OR last_seen < ?)",
                    (time.time(), name, time.time() - 60))

    # --------------------------------------------------------------- sessions

    def start_session(self, account: Account) -> str:
        sid = secrets.token_urlsafe(32)
        now = time.time()
        with self._tx() as con:
            con.execute("DELETE FROM sessions WHERE expires < ?", (now,))
            con.execute("INSERT INTO sessions (id, name, expires) VALUES (?, ?, ?)",
                        (_digest(sid), account.name, now + SESSION_SECONDS))
        return sid

    def session(self, sid: str | None, admin_token_set: bool) -> Account | None:
        if not sid:
            return None
        row = self._con().execute(
            "SELECT s.name, a.role FROM sessions s LEFT JOIN accounts a ON a.name = s.name"
            " AND a.revoked IS NULL WHERE s.id = ? AND s.expires > ?",
            (_digest(sid), time.time())).fetchone()
        if row is None:
            return None
        if row[0] == ADMIN.name and row[1] is None:
            # the shared token's session: valid only while that token is still configured
            return ADMIN if admin_token_set else None
        return Account(row[0], row[1]) if row[1] else None

    def new_device(self, name: str) -> str:
        """A browser that signed in with this account's password: its own throttle, so
        someone else's wrong guesses never lock it out (OWASP's "device cookie")."""
        raw = secrets.token_urlsafe(24)
        with self._tx() as con:
            con.execute("INSERT INTO devices (id, name, created) VALUES (?, ?, ?)",
                        (_digest(raw), name, time.time()))
        return raw

    def device_owner(self, raw: str | None) -> str | None:
        if not raw or len(raw) > 100:
            return None
        row = self._con().execute("SELECT name FROM devices WHERE id = ?",
                                  (_digest(raw),)).fetchone()
        return str(row[0]) if row else None

    def end_session(self, sid: str | None) -> None:
        if sid:
            with self._tx() as con:
                con.execute("DELETE FROM sessions WHERE id = ?", (_digest(sid),))

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


_DUMMY = hash_password("not-a-password", salt=b"\0" * 16)


# ----------------------------------------------------------------------------- throttle


class FailureLog(Protocol):
    """When failed attempts happened, per key; shared by every process of the service."""

    def add(self, key: str, at: float) -> None: ...

    def since(self, key: str, since: float) -> list[float]:
        """Times of ``key``'s failures after ``since``, oldest first."""
        ...


class MemoryFailures:
    """In this process only (a bare Throttle, tests)."""

    def __init__(self) -> None:
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, at: float) -> None:
        with self._lock:
            if len(self._fails) > 10_000:  # a flood of keys: forget the idle ones
                self._fails = {k: v for k, v in self._fails.items() if v and v[-1] > at - 900}
            self._fails.setdefault(key, deque(maxlen=1000)).append(at)

    def since(self, key: str, since: float) -> list[float]:
        with self._lock:
            return [t for t in self._fails.get(key, ()) if t > since]


class SqliteFailures:
    """A ``failures`` table in the job store's database (jobs.sqlite)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        with immediate(self._con()) as con:
            con.execute("CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL,"
                        " at REAL NOT NULL)")
            con.execute("CREATE INDEX IF NOT EXISTS failures_key ON failures(key, at)")

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
        return con

    def add(self, key: str, at: float) -> None:
        with immediate(self._con()) as con:
            con.execute("INSERT INTO failures (key, at) VALUES (?, ?)", (key, at))
            con.execute("DELETE FROM failures WHERE at < ?", (at - 3600,))

    def since(self, key: str, since: float) -> list[float]:
        rows = self._con().execute("SELECT at FROM failures WHERE key = ? AND at > ?"
                                   " ORDER BY at", (key, since)).fetchall()
        return [r[0] for r in rows]


class RedisFailures:
    """One sorted set per key in Redis, expiring an hour after its last failure."""

    def __init__(self, client: Any, prefix: str = "anchor:") -> None:
        self.client, self.prefix = client, prefix

    def add(self, key: str, at: float) -> None:
        k = f"{self.prefix}fail:{key}"
        with self.client.pipeline() as pipe:
            pipe.zadd(k, {f"{at}:{secrets.token_hex(4)}": at})
            pipe.zremrangebyscore(k, "-inf", at - 3600)
            pipe.expire(k, 3600)
            pipe.execute()

    def since(self, key: str, since: float) -> list[float]:
        got = self.client.zrangebyscore(f"{self.prefix}fail:{key}", f"({since}", "+inf",
                                        withscores=True)
        return [float(score) for _, score in got]


class Throttle:
    """Failed attempts counted per key (``addr:`` an address, ``tok:`` a token presented,
    ``acct:`` an account's password, ``dev:`` a known browser); a key at its limit in
    its window gets 429 until its oldest failure leaves the window.

    Counts live in ``failures`` (the job store's database or Redis), so every process
    of the service shares them. Addresses get the generous ``address_limit``: behind a
    newsroom's proxy or NAT one address is many people.
    """

    def __init__(self, limit: int = 5, window_s: float = 60.0,
                 failures: FailureLog | None = None, address_limit: int = 60,
                 account_window_s: float = 300.0) -> None:
        self.limit, self.window_s = limit, window_s
        self.address_limit, self.account_window_s = address_limit, account_window_s
        self.failures = failures or MemoryFailures()

    def _rule(self, key: str) -> tuple[int, float]:
        if key.startswith("addr:"):
            return self.address_limit, self.window_s
        if key.startswith("acct:"):
            return self.limit, self.account_window_s
        return self.limit, self.window_s

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Seconds ``key`` must wait before trying again (0: go ahead)."""
        now = time.time() if now is None else now
        limit, window = self._rule(key)
        fails = self.failures.since(key, now - window)
        if len(fails) < limit:
            return 0
        return max(1, int(fails[-limit] + window - now + 0.999))

    def wait(self, keys: list[str], now: float | None = None) -> int:
        return max((self.retry_after(k, now) for k in keys), default=0)

    def failed(self, key: str | list[str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        for k in [key] if isinstance(key, str) else key:
            self.failures.add(k, now)
