"""A read-only copy of the public schemas, for BI tools to hold open.

DuckDB lets one process write a file and, while it does, no other process
open it at all; and a process that holds a file open, even read-only, stops
the next build from taking the write lock. A BI tool pointed at the live
warehouse therefore breaks builds or fails while they run. `publish`
copies the public schemas (`marts`, `ml`) into a separate file after a
build: it writes a new file beside the target and renames it over the old
one, so a reader that holds the old copy keeps reading it undisturbed, and
the next connection sees the new one.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ai_events.dashboard.data import DashboardError, never_built, not_the_warehouse, open_warehouse

log = logging.getLogger(__name__)

PUBLIC_SCHEMAS = ("marts", "ml")


@dataclass(frozen=True)
class PublishSummary:
    path: Path
    tables: int
    rows: int

    def describe(self) -> str:
        return f"published {self.tables} tables ({self.rows} rows) of {', '.join(PUBLIC_SCHEMAS)}"


def quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def publish(database: Path, out: Path) -> PublishSummary:
    """Copy the public schemas of `database` into `out`, replacing it whole."""
    not_the_warehouse(out, database, "published copy")
    with open_warehouse(database) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in PUBLIC_SCHEMAS)}) "
            "order by table_schema, table_name",
            list(PUBLIC_SCHEMAS),
        ).fetchall()
    if not any(schema == "marts" for schema, _ in tables):
        raise never_built(database)
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = out.with_name(f".{out.name}.{os.getpid()}.publishing")
    scratch.unlink(missing_ok=True)
    rows = 0
    try:
        with duckdb.connect(str(scratch)) as target:
            target.execute(f"attach {quoted_literal(database)} as source (read_only)")
            for schema in sorted({schema for schema, _ in tables}):
                target.execute(f"create schema {quoted(schema)}")
            for schema, table in tables:
                name = f"{quoted(schema)}.{quoted(table)}"
                target.execute(f"create table {name} as select * from source.{name}")
                rows += target.execute(f"select count(*) from {name}").fetchone()[0]
            target.execute("detach source")
            target.execute("checkpoint")
        os.replace(scratch, out)
    except duckdb.Error as error:
        raise DashboardError(f"could not publish {database}: {error}") from error
    finally:
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)
    summary = PublishSummary(out, len(tables), rows)
    log.debug("%s to %s", summary.describe(), out)
    return summary


def quoted_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
