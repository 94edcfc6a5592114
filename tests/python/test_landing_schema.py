"""The loader and dbt's on-run-start hook declare the raw tables separately;
they must declare the same tables, column for column."""

from __future__ import annotations

import duckdb
import pytest

from ai_events.landing.schema import ensure_landing

from conftest import Warehouse

pytestmark = pytest.mark.dbt

COLUMNS = """
    select table_name, column_name, data_type, is_nullable, ordinal_position
    from information_schema.columns
    where table_schema = 'raw'
    order by table_name, ordinal_position
"""


def test_loader_and_dbt_create_the_same_raw_tables(warehouse: Warehouse, tmp_path) -> None:
    # A build on a new, empty warehouse: the hook creates the raw tables and
    # every model builds on them.
    warehouse.dbt("build")
    from_dbt = warehouse.query(COLUMNS)

    with duckdb.connect(str(tmp_path / "loader.duckdb")) as con:
        ensure_landing(con)
        from_loader = con.execute(COLUMNS).fetchall()

    assert from_dbt, "dbt created no raw tables"
    assert from_dbt == from_loader
