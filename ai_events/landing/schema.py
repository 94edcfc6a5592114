"""The raw landing tables: what the loader writes and the dbt sources read.

The same tables are declared for dbt in `macros/landing/create_raw_landing.sql`
so that a plain `dbt build` on a new warehouse finds them;
`tests/python/test_landing_schema.py` keeps the two declarations identical.

Every timestamp column holds UTC wall time in a zone-less TIMESTAMP, the
convention of the whole warehouse.
"""

from __future__ import annotations

import duckdb

RAW_SCHEMA = "raw"

DDL = """
create schema if not exists {raw};

create table if not exists {raw}.loads (
    load_id varchar not null primary key,
    source_file varchar not null,
    content_sha256 varchar not null,
    source_bytes bigint not null,
    detected_format varchar,
    lines_read bigint not null,
    events_landed bigint not null,
    items_rejected bigint not null,
    started_at timestamp not null,
    finished_at timestamp not null
);

create table if not exists {raw}.events (
    load_id varchar not null,
    source_protocol varchar not null,
    source_format varchar not null,
    source_file varchar not null,
    source_line bigint not null,
    source_index bigint not null,
    received_at timestamp not null,
    loaded_at timestamp not null,
    envelope json,
    request json,
    payload json not null
);

create table if not exists {raw}.rejects (
    load_id varchar not null,
    source_file varchar not null,
    source_line bigint,
    source_index bigint,
    reason varchar not null,
    detail varchar,
    raw_text varchar,
    raw_bytes blob,
    rejected_at timestamp not null
);
"""


def qualified_raw_schema(con: duckdb.DuckDBPyConnection) -> str:
    """The raw schema with its catalog, so that a database file that happens
    to be called raw.duckdb cannot make `raw.events` ambiguous."""
    catalog = con.execute("select current_database()").fetchall()[0][0]
    return '"{}"."{}"'.format(catalog.replace('"', '""'), RAW_SCHEMA)


def ensure_landing(con: duckdb.DuckDBPyConnection) -> str:
    """Create the raw schema and its tables where they are missing; return
    the schema's qualified name."""
    raw = qualified_raw_schema(con)
    con.execute(DDL.format(raw=raw))
    return raw
