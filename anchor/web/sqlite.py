"""What every SQLite store of the web service shares: one write transaction shape."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["immediate"]


@contextmanager
def immediate(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction on ``con`` (opened with ``isolation_level=None``).

    IMMEDIATE takes the write lock up front, so read-check-write cannot interleave with
    another writer (thread or process) between the read and the write."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
