"""Raw landing for the Spark target: the same loader, its tables as Parquet.

The loader in `ai_events.landing` is the one place that understands tracker
wire formats, and it writes DuckDB. For Spark it lands into a scratch DuckDB
file of the Spark folder (so files already loaded are still skipped by
content hash), then writes `raw.events`, `raw.rejects` and `raw.loads` to
Parquet under `<spark folder>/raw/<table>/`. The Spark variant of
`create_raw_landing` (dbt's on-run-start hook) registers those folders as the
tables of a `raw` schema, so the staging models read them unchanged.

Two types change on the way: JSON columns become strings, and the zone-less
UTC timestamps become Parquet instants (adjusted to UTC), which Spark reads
as TIMESTAMP and shows in the session's time zone, UTC in `profiles.yml`.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ai_events.landing.loader import LoadSummary, load_paths
from ai_events.landing.schema import RAW_SCHEMA, ensure_landing
from ai_events.project import spark_path

log = logging.getLogger(__name__)

RAW_TABLES = ("loads", "events", "rejects")
LANDING_DB_NAME = "landing.duckdb"


@dataclass(frozen=True)
class SparkLanding:
    """Where the Spark target keeps its raw landing."""

    root: Path

    @property
    def landing_db(self) -> Path:
        """The scratch DuckDB file the loader writes for Spark."""
        return self.root / LANDING_DB_NAME

    @property
    def raw_dir(self) -> Path:
        """The folder holding one Parquet folder per raw table."""
        return self.root / "raw"


def _projection(con: duckdb.DuckDBPyConnection, raw: str, table: str) -> str:
    """The select list that turns one raw table into Spark-readable columns."""
    columns = con.execute(
        """
        select column_name, data_type
        from information_schema.columns
        where table_schema = ? and table_name = ? and table_catalog = current_database()
        order by ordinal_position
        """,
        [RAW_SCHEMA, table],
    ).fetchall()
    if not columns:
        raise LookupError(f"{raw}.{table} has no columns: is this a raw landing?")
    parts = []
    for name, data_type in columns:
        quoted = '"{}"'.format(name.replace('"', '""'))
        if data_type == "JSON":
            parts.append(f"cast({quoted} as varchar) as {quoted}")
        elif data_type == "TIMESTAMP":
            # Zone-less UTC wall time becomes an instant, whatever the
            # connection's time zone is.
            parts.append(f"timezone('UTC', {quoted}) as {quoted}")
        else:
            parts.append(quoted)
    return ", ".join(parts)


def export_raw(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> dict[str, int]:
    """Write every raw table of `con` to `raw_dir/<table>/` as Parquet.

    Each table's folder is replaced whole: it is written beside the old one
    and swapped in, so a reader never sees half of an export. Returns the
    rows written per table.
    """
    raw = ensure_landing(con)
    raw_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for table in RAW_TABLES:
        final = raw_dir / table
        fresh = raw_dir / f".{table}-{uuid.uuid4().hex[:8]}"
        fresh.mkdir()
        try:
            target = str(fresh / "part-00000.parquet").replace("'", "''")
            con.execute(
                f"copy (select {_projection(con, raw, table)} from {raw}.{table}) "
                f"to '{target}' (format parquet, compression zstd)"
            )
            stale = raw_dir / f".{table}-stale-{uuid.uuid4().hex[:8]}"
            if final.exists():
                final.rename(stale)
            fresh.rename(final)
            shutil.rmtree(stale, ignore_errors=True)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        written[table] = con.execute(f"select count(*) from {raw}.{table}").fetchall()[0][0]
    log.debug("exported raw tables to %s: %s", raw_dir, written)
    return written


def land_for_spark(
    paths: Iterable[Path],
    format_choice: str = "auto",
    root: Path | None = None,
    progress: bool = False,
) -> LoadSummary:
    """Load tracker files for the Spark target, then refresh its Parquet.

    `root` is the Spark folder (default `$AI_EVENTS_SPARK_DIR`, else
    `warehouse/spark`).
    """
    landing = SparkLanding(root or spark_path())
    landing.root.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(landing.landing_db)) as con:
        summary = load_paths(con, paths, format_choice, progress=progress)
        written = export_raw(con, landing.raw_dir)
    log.info(
        "raw landing for Spark in %s: %d events, %d rejects, %d loads",
        landing.raw_dir,
        written["events"],
        written["rejects"],
        written["loads"],
    )
    return summary


def spark_env(root: Path | None = None) -> dict[str, str]:
    """The environment variables that point dbt's Spark target at `root`."""
    return {
        "AI_EVENTS_TARGET": "spark",
        "AI_EVENTS_SPARK_DIR": str((root or spark_path()).resolve()),
    }
