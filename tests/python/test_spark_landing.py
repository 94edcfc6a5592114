"""The Spark landing: the loader's raw tables written as Parquet, JSON as
text and timestamps as UTC instants, idempotent like the loader itself.
No Spark is started here; DuckDB reads the Parquet back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from click.testing import CliRunner

from ai_events.cli import main
from ai_events.spark_landing import RAW_TABLES, SparkLanding, land_for_spark

from conftest import FIXTURES

PARITY_FIXTURES = FIXTURES / "parity"


def parquet_query(landing: SparkLanding, sql: str) -> list[tuple]:
    """Run `sql` in DuckDB over views named after the exported raw tables."""
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        for table in RAW_TABLES:
            pattern = str(landing.raw_dir / table / "*.parquet")
            con.execute(f"create view {table} as select * from read_parquet('{pattern}')")
        return con.execute(sql).fetchall()


def test_raw_tables_become_parquet_with_text_json_and_utc_instants(tmp_path: Path) -> None:
    landing = SparkLanding(tmp_path / "spark")
    summary = land_for_spark([PARITY_FIXTURES], root=landing.root)

    assert sorted(p.name for p in landing.raw_dir.iterdir()) == sorted(RAW_TABLES)
    assert parquet_query(landing, "select count(*) from events") == [(summary.events_landed,)]
    assert parquet_query(landing, "select count(*) from rejects") == [(summary.items_rejected,)]
    types = dict(parquet_query(landing, "select column_name, column_type from (describe events)"))
    assert types["payload"] == "VARCHAR"
    assert types["received_at"] == "TIMESTAMP WITH TIME ZONE"
    # The collector's receive time survives as the same instant.
    received = parquet_query(
        landing, "select min(received_at) from events where request is not null"
    )
    assert received == [(dt.datetime(2024, 5, 2, 10, 0, 2, 500000, tzinfo=dt.UTC),)]


def test_loading_again_skips_the_files_and_keeps_the_rows(tmp_path: Path) -> None:
    landing = SparkLanding(tmp_path / "spark")
    first = land_for_spark([PARITY_FIXTURES], root=landing.root)
    second = land_for_spark([PARITY_FIXTURES], root=landing.root)
    assert second.files_skipped == first.files_loaded > 0
    assert parquet_query(landing, "select count(*) from events") == [(first.events_landed,)]
    # Each export replaces the table's folder whole: no stale or partial files.
    assert [p.name for p in (landing.raw_dir / "events").iterdir()] == ["part-00000.parquet"]
    assert not [p for p in landing.raw_dir.iterdir() if p.name.startswith(".")]


def test_cli_loads_for_spark(tmp_path: Path) -> None:
    root = tmp_path / "spark"
    result = CliRunner().invoke(
        main,
        ["load", "--target", "spark", str(PARITY_FIXTURES)],
        env={"AI_EVENTS_SPARK_DIR": str(root)},
    )
    assert result.exit_code == 0, result.output
    assert "2 files loaded" in result.output
    assert (root / "raw" / "loads" / "part-00000.parquet").exists()
