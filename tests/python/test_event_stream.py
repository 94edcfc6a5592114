"""A stream analysts can trust: deduplication, corrected time, identity,
sessions, bots, dual-written renames, and incremental runs that equal a full
rebuild. Each rule is pinned with a small input and its right value."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest

from ai_events import wire

from conftest import Warehouse, write_ndjson

pytestmark = pytest.mark.dbt

UTC = dt.UTC
DAY = dt.datetime(2026, 3, 2, tzinfo=UTC)
CLICK = {"feed_request_id": "r1", "item_id": "a", "position": 1, "model_version": "v1"}


def at(hours: float) -> dt.datetime:
    return DAY + dt.timedelta(hours=hours)


def event(event_id: str, name: str, when: dt.datetime, **fields: object) -> wire.AppEvent:
    defaults: dict = {"user_id": "u1", "properties": dict(CLICK), "platform": "web"}
    defaults.update(fields)
    return wire.AppEvent(name=name, event_id=event_id, timestamp=when, **defaults)


def collected(
    events: list[wire.AppEvent], sent: dt.datetime, received: dt.datetime, protocol="segment"
) -> dict:
    if protocol == "snowplow":
        body = wire.snowplow_payload(events, sent)
    elif protocol == "amplitude":
        body = wire.amplitude_upload(events)
    else:
        body = wire.segment_batch(events, sent, rudderstack=protocol == "rudderstack")
    return wire.collector_record(protocol, body, received)


def build(warehouse: Warehouse, folder: Path, *records: dict, env: dict | None = None) -> None:
    write_ndjson(folder / "landing.ndjson", list(records))
    warehouse.load(folder)
    warehouse.dbt("build", "--exclude", "test_type:data", check=True)


def sessionized(warehouse: Warehouse, columns: str) -> list[tuple]:
    return warehouse.query(
        f"select event_id, {columns} from intermediate.int_events__sessionized order by event_id"
    )


# --------------------------------------------------------------------------
# Rules, one small input each


def test_a_retried_event_counts_once_and_keeps_the_first_copy(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    first = event("m1", "Item Clicked", at(10))
    build(
        warehouse, tmp_path / "a",
        collected([first], at(10) + dt.timedelta(seconds=5), at(10) + dt.timedelta(seconds=5)),
        # The SDK retried the batch a minute later, in a later load.
        collected([first], at(10) + dt.timedelta(seconds=65), at(10) + dt.timedelta(seconds=65)),
    )  # fmt: skip
    assert warehouse.query("select count(*) from raw.events") == [(2,)]
    assert warehouse.query(
        "select event_id, received_at from intermediate.int_events__deduplicated"
    ) == [("m1", (at(10) + dt.timedelta(seconds=5)).replace(tzinfo=None))]


def test_a_fast_device_clock_moves_the_event_to_the_previous_day(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    # The device's clock runs three hours fast: it says 01:30 on the 3rd for
    # an event that happened at 22:30 on the 2nd, and sent it 5 s later.
    device_clock = dt.timedelta(hours=3)
    true_time = at(22.5)
    clicked = event("skewed", "Item Clicked", true_time + device_clock)
    build(
        warehouse, tmp_path / "a",
        collected([clicked], true_time + device_clock + dt.timedelta(seconds=5),
                  true_time + dt.timedelta(seconds=5)),
    )  # fmt: skip
    assert sessionized(warehouse, "event_at, cast(event_at as date)") == [
        ("skewed", true_time.replace(tzinfo=None), dt.date(2026, 3, 2))
    ]


def test_zone_less_timestamps_are_utc_whatever_the_session_time_zone(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    batch = {
        "batch": [
            {"type": "track", "messageId": "no_zone", "userId": "u1", "event": "Item Clicked",
             "timestamp": "2026-03-02T23:30:00", "properties": CLICK},
            {"type": "track", "messageId": "new_york", "userId": "u1", "event": "Item Clicked",
             "timestamp": "2026-03-02T23:30:00-05:00", "properties": CLICK},
            {"type": "track", "messageId": "malformed", "userId": "u1", "event": "Item Clicked",
             "timestamp": "2026-3-2T23:30:00Z", "properties": CLICK},
        ]
    }  # fmt: skip
    write_ndjson(tmp_path / "a" / "file.ndjson", [batch])
    warehouse.load(tmp_path / "a")
    from ai_events.dbt_runner import run_dbt

    run_dbt(
        ["build", "--exclude", "test_type:data"], database=warehouse.database, quiet=True,
        target_path=warehouse.target, extra_env={"AI_EVENTS_SESSION_TIME_ZONE": "Asia/Kolkata"},
    )  # fmt: skip
    (loaded_at,) = warehouse.query("select max(loaded_at) from raw.events")[0]
    assert sessionized(warehouse, "event_at, is_event_time_fallback") == [
        ("malformed", loaded_at, True),
        ("new_york", dt.datetime(2026, 3, 3, 4, 30), False),
        ("no_zone", dt.datetime(2026, 3, 2, 23, 30), False),
    ]


def test_identity_is_stitched_back_to_earlier_anonymous_events(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    anonymous = [
        event(f"anon_{i}", "Item Clicked", at(i), user_id=None, anonymous_id="a1") for i in range(2)
    ]
    # A different visitor stays anonymous.
    stranger = event("stranger", "Item Clicked", at(1), user_id=None, anonymous_id="a2")
    login = event("login", "identify", at(30), user_id="u9", anonymous_id="a1",
                  kind="identify", properties={"plan": "pro"})  # fmt: skip
    build(
        warehouse, tmp_path / "a",
        collected([*anonymous, stranger], at(2), at(2)),
        collected([login], at(30), at(30)),
    )  # fmt: skip
    assert sessionized(warehouse, "actor_id, stitched_user_id, is_identified") == [
        ("anon_0", "u9", "u9", True),
        ("anon_1", "u9", "u9", True),
        ("login", "u9", "u9", True),
        ("stranger", "a2", None, False),
    ]
    assert warehouse.query("select anonymous_id, user_id from intermediate.int_identity__map") == [
        ("a1", "u9")
    ]


def test_sessions_break_after_more_than_thirty_minutes_and_cross_midnight(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    thirty = dt.timedelta(minutes=30)
    moments = {
        "s1_a": at(10),
        "s1_b": at(10) + thirty,  # exactly 30 minutes: same session
        "s2_a": at(10) + 2 * thirty + dt.timedelta(milliseconds=1),  # 30 min + 1 ms: new
        "s3_a": at(23) + dt.timedelta(minutes=50),  # 23:50 on the 2nd...
        "s3_b": at(24) + dt.timedelta(minutes=10),  # ...00:10 on the 3rd, one session
    }
    events = [event(k, "Item Clicked", v) for k, v in moments.items()]
    build(warehouse, tmp_path / "a", collected(events, at(25), at(25)))
    sessions = dict(sessionized(warehouse, "session_id"))
    assert sessions["s1_a"] == sessions["s1_b"]
    assert sessions["s2_a"] != sessions["s1_b"]
    assert sessions["s3_a"] == sessions["s3_b"]
    assert len(set(sessions.values())) == 3


def test_bots_are_flagged_and_left_out_of_kpis(warehouse: Warehouse, tmp_path: Path) -> None:
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    impressions = [
        event("human", "Item Impressed", at(1), user_agent="Mozilla/5.0 (iPhone)"),
        event("no_agent", "Item Impressed", at(1), user_id="u2", user_agent=None,
              properties={**CLICK, "feed_request_id": "r2"}),
        event("bot_agent", "Item Impressed", at(1), user_id="u3", user_agent=googlebot,
              properties={**CLICK, "feed_request_id": "r3"}),
        event("bot_context", "Item Impressed", at(1), user_id="u4", is_bot_by_tracker=True,
              properties={**CLICK, "feed_request_id": "r4"}),
    ]  # fmt: skip
    build(
        warehouse, tmp_path / "a",
        collected(impressions[:3], at(2), at(2)),
        collected(impressions[3:], at(2), at(2), protocol="snowplow"),
    )  # fmt: skip
    assert sessionized(warehouse, "is_bot") == [
        ("bot_agent", True), ("bot_context", True), ("human", False), ("no_agent", False),
    ]  # fmt: skip
    assert warehouse.query("select sum(impressions) from marts.fct_feed_ctr") == [(2,)]


def test_a_dual_written_rename_counts_once(warehouse: Warehouse, tmp_path: Path) -> None:
    intent = {"conversation_id": "c1", "intent": "refund", "confidence": 0.8,
              "chat_message_id": "cm1"}  # fmt: skip
    events = [
        # An app in the migration window sends both names for one action...
        event("new_name", "intent_classified", at(1), properties=intent),
        event("old_name", "intent_confidence_score", at(1) + dt.timedelta(seconds=1),
              properties=intent),
        # ...an old app only the old name: that action counts too.
        event("old_only", "intent_confidence_score", at(2),
              properties={**intent, "chat_message_id": "cm2"}),
    ]  # fmt: skip
    build(warehouse, tmp_path / "a", collected(events, at(3), at(3)))
    assert sessionized(warehouse, "event_name, is_dual_write_duplicate") == [
        ("new_name", "intent_classified", False),
        ("old_name", "intent_classified", True),
        ("old_only", "intent_classified", False),
    ]


def test_placeholder_user_ids_are_missing(warehouse: Warehouse, tmp_path: Path) -> None:
    placeholders = ["", "null", "undefined", "anonymous", "0", "-1",
                    "00000000-0000-0000-0000-000000000000", " NULL "]  # fmt: skip
    events = [
        event(f"p{i}", "Item Clicked", at(i), user_id=value, anonymous_id=f"anon{i}")
        for i, value in enumerate(placeholders)
    ]
    build(warehouse, tmp_path / "a", collected(events, at(20), at(20)))
    rows = sessionized(warehouse, "user_id, actor_id")
    assert rows == [(f"p{i}", None, f"anon{i}") for i in range(len(placeholders))]


# --------------------------------------------------------------------------
# Incremental runs equal a full rebuild


def stream_chunks(seed: int = 3) -> list[list[dict]]:
    """Four loads of collected requests: anonymous users who log in later,
    retries across loads, late events from offline devices, dual writes,
    bots, sessions across midnight."""
    rng = random.Random(seed)
    chunks: list[list[dict]] = [[] for _ in range(4)]
    counter = 0
    for number in range(12):
        user, anonymous = f"user_{number}", f"anon_{number}"
        protocol = ("segment", "rudderstack", "snowplow", "amplitude")[number % 4]
        agent = "python-requests/2.31" if number == 11 else "Mozilla/5.0"
        login_chunk = rng.randrange(4)
        for chunk in range(4):
            events = []
            for _ in range(rng.randint(3, 8)):
                counter += 1
                hours = chunk * 6 + rng.uniform(0, 6) + (18 if rng.random() < 0.2 else 0)
                identified = chunk >= login_chunk
                name = rng.choice(["Item Impressed", "item_clicked", "Item Saved"])
                properties = {
                    "feed_request_id": f"r{number}_{chunk}",
                    "position": 1 + counter % 5,
                    "item_id": f"i{counter % 7}",
                    "model_version": f"v{number % 2}",
                }
                events.append(event(
                    f"e{counter}", name, at(hours), user_id=user if identified else None,
                    anonymous_id=anonymous, properties=properties, user_agent=agent,
                ))  # fmt: skip
            if chunk == login_chunk:
                events.append(event(f"login_{number}", "identify", at(chunk * 6 + 5),
                                    user_id=user, anonymous_id=anonymous, kind="identify",
                                    properties={"plan": "free"}))  # fmt: skip
            if number == 4 and chunk == 1:
                intent = {"conversation_id": "c1", "intent": "x", "confidence": 0.5}
                events += [
                    event("dual_new", "intent_classified", at(8), properties=intent),
                    event("dual_old", "intent_confidence_score", at(8), properties=intent),
                ]
            # The other surfaces, with outcomes arriving in a later load.
            suggestion, conversation = f"g{number}_{chunk}", f"c{number}_{chunk}"
            when = at(chunk * 6 + 1)
            events += [
                event(f"ss_{suggestion}", "suggestion_shown", when, user_id=user,
                      properties={"suggestion_id": suggestion, "model_version": "w1",
                                  "platform": "web"}),
                event(f"cs_{conversation}", "conversation_started", when, user_id=user,
                      properties={"conversation_id": conversation, "model_version": "b1"}),
                event(f"ci_{conversation}", "intent_classified", when, user_id=user,
                      properties={"conversation_id": conversation, "intent": "refund",
                                  "confidence": 0.1 * (1 + number % 9)}),
                event(f"fl_{number}_{chunk}", "ranking_features_logged", at(chunk * 6),
                      user_id=user, properties={**properties, "features": {"f": number}}),
                event(f"x_{number}_{chunk}", "experiment_exposed", when, user_id=user,
                      properties={"experiment_id": "e1", "variant": "ab"[number % 2]}),
            ]  # fmt: skip
            if chunk and number % 2:
                previous = f"{number}_{chunk - 1}"
                events += [
                    event(f"sa_{previous}", "suggestion_accepted", when, user_id=user,
                          properties={"suggestion_id": f"g{previous}"}),
                    event(f"ce_{previous}", "conversation_ended", when, user_id=user,
                          properties={"conversation_id": f"c{previous}",
                                      "outcome": "resolved"}),
                ]  # fmt: skip
            if number == 5 and chunk == 2:
                events.append(event("unplanned", "Song Played", at(13), properties={}))
            sent = at(chunk * 6 + 6)
            received = sent + dt.timedelta(seconds=1)
            if number % 4 == 1 and chunk == 0:
                # An offline device: these reach us with the last load, days late.
                chunks[3].append(collected(events, sent, at(4 * 24), protocol))
                continue
            chunks[chunk].append(collected(events, sent, received, protocol))
            if rng.random() < 0.3 and chunk < 3:
                # A retry of the same batch arrives with the next load.
                chunks[chunk + 1].append(collected(events, sent, received, protocol))
    return chunks


def snapshot(warehouse: Warehouse) -> dict[str, list[tuple]]:
    tables = warehouse.query(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('staging', 'intermediate', 'marts') order by 1, 2"
    )

    def steady(row: tuple) -> tuple:
        # A float summed in parallel may differ in its last bits run to run.
        return tuple(round(v, 9) if isinstance(v, float) else v for v in row)

    return {
        f"{schema}.{table}": sorted(
            (steady(r) for r in warehouse.query(f"select * from {schema}.{table}")), key=repr
        )
        for schema, table in tables
    }


def test_incremental_runs_equal_a_full_rebuild(tmp_path: Path) -> None:
    incremental = Warehouse(tmp_path / "incremental")
    for number, records in enumerate(stream_chunks()):
        write_ndjson(tmp_path / "landing" / f"chunk_{number}.ndjson", records)
        incremental.load(tmp_path / "landing" / f"chunk_{number}.ndjson")
        incremental.dbt("build", "--exclude", "test_type:data")
    # The runs really were incremental: a row of an early load, tampered
    # with, survives another run, since only new loads are reprocessed.
    probe = Warehouse(tmp_path / "probe")
    probe.root.mkdir()
    shutil.copy(incremental.database, probe.database)
    import duckdb

    with duckdb.connect(str(probe.database)) as con:
        con.execute(
            "update intermediate.int_events__deduplicated set event_name_raw = 'tampered' "
            "where event_id = 'e1'"
        )
    probe.dbt("build", "--exclude", "test_type:data")
    assert probe.query(
        "select event_name_raw from intermediate.int_events__deduplicated where event_id = 'e1'"
    ) == [("tampered",)]

    full = Warehouse(tmp_path / "full")
    full.root.mkdir()
    shutil.copy(incremental.database, full.database)
    full.dbt("build", "--exclude", "test_type:data", "--full-refresh")

    incremental_tables, full_tables = snapshot(incremental), snapshot(full)
    assert set(incremental_tables) == set(full_tables)
    assert "intermediate.int_events__sessionized" in full_tables
    for name, rows in full_tables.items():
        assert rows, f"{name} is empty: the fixture does not exercise it"
        assert incremental_tables[name] == rows, name
