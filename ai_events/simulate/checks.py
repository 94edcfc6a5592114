"""Holding a warehouse to a simulation: the raw landing against what was
emitted, and mart rows against the truth, cell by cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from ai_events.simulate.truth import MARTS, Difference, compare

# What each kind of garbage line becomes in raw.rejects (see delivery.py).
REJECT_REASONS = {
    "cut_record": "invalid_collector_record",
    "cut_body": "invalid_json",
    "not_json": "invalid_json",
    "not_utf8": "invalid_utf8",
    "unknown_shape": "unrecognised_shape",
}


def raw_differences(con: duckdb.DuckDBPyConnection, emitted: Mapping) -> list[str]:
    """Where raw.events and raw.rejects hold other counts than the simulator
    wrote (`truth["emitted"]`): events, distinct ids, duplicates, events by
    protocol, rejects by reason."""
    landed, distinct = con.execute(
        "select count(*), count(distinct coalesce(payload ->> 'messageId', "
        "payload ->> 'eid', payload ->> 'insert_id')) from raw.events"
    ).fetchall()[0]
    by_protocol = dict(
        con.execute("select source_protocol, count(*) from raw.events group by all").fetchall()
    )
    reasons = dict(con.execute("select reason, count(*) from raw.rejects group by all").fetchall())
    wanted: dict[str, int] = {}
    for kind, count in emitted["malformed_lines_by_kind"].items():
        wanted[REJECT_REASONS[kind]] = wanted.get(REJECT_REASONS[kind], 0) + count
    expected = {
        "events landed": (landed, emitted["landed_events"]),
        "distinct event ids": (
            distinct,
            emitted["events"] + emitted["dual_write_events"] + emitted["plan_violation_events"],
        ),
        "duplicates": (landed - distinct, emitted["duplicate_events"]),
        "events by protocol": (by_protocol, emitted["landed_events_by_protocol"]),
        "rejects by reason": (reasons, wanted),
    }
    return [
        f"{what}: raw {got}, emitted {want}"
        for what, (got, want) in expected.items()
        if got != want
    ]


def mart_differences(
    con: duckdb.DuckDBPyConnection,
    truth: Mapping,
    columns: Mapping[str, Sequence[str]],
    where: Mapping[str, str] | None = None,
) -> list[Difference]:
    """Every cell and column where `marts.<mart>` differs from the truth, for
    the columns named per mart; `where` limits a mart's rows to those the
    simulation wrote (a warehouse holding other data too)."""
    found: list[Difference] = []
    for mart, names in columns.items():
        selected = [*MARTS[mart].key, *names]
        condition = f" where {where[mart]}" if where and mart in where else ""
        rows = con.execute(f"select {', '.join(selected)} from marts.{mart}{condition}").fetchall()
        mart_rows = [dict(zip(selected, row, strict=True)) for row in rows]
        found += compare(mart, truth["marts"][mart], mart_rows, names)
    return found
