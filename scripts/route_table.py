#!/usr/bin/env python3
"""Print the route × role table of `anchor serve`: every write route the app has (and each
review-form action), each role's expected status, and what it answered (✓ / ✗).

    PYTHONPATH=.:tests python scripts/route_table.py
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from route_roles import run_table


def main() -> int:
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="anchor-routes-") as tmp:
        table = run_table(Path(tmp))
    print(table.markdown())
    n = len(table.rows)
    print(f"\n{n} routes × 5 roles: {'all green' if table.green else 'NOT GREEN'}")
    return 0 if table.green else 1


if __name__ == "__main__":
    sys.exit(main())
