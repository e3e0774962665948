"""Every write route × every role answers as it must; the rows come from the app itself,
so a route added without a row fails here (see tests/route_roles.py)."""

from __future__ import annotations

from pathlib import Path

from route_roles import EXPECTED, api_routes_without_auth, run_table, world_client, write_routes


def test_every_write_route_has_a_row(tmp_path: Path) -> None:
    with world_client(tmp_path) as (world, _c):
        keys = write_routes(world.app)
        bare = api_routes_without_auth(world.app)
    missing = [k for k in keys if k not in EXPECTED]
    assert not missing, f"write routes with no expected statuses: {missing}"
    gone = [k for k in EXPECTED if k not in keys]
    assert not gone, f"rows for routes the app no longer has: {gone}"
    assert bare == [], f"API routes that take no credentials: {bare}"


def test_route_role_table_is_green(tmp_path: Path) -> None:
    table = run_table(tmp_path)
    assert table.green, "\n" + table.markdown()
