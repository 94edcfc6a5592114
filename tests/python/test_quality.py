"""Quality checks and scheduled builds: every kind of check fails on a
broken input and passes on the good one; a build is locked, logged, and
says what failed, where, how many and which rows."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ai_events import wire
from ai_events.build import build_lock, run_build
from ai_events.quality.checkpoint import run_quality

from conftest import Warehouse, write_ndjson

pytestmark = pytest.mark.dbt

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def clicks(day: int, count: int, prefix: str = "c", drop_position: int = 0) -> list:
    events = []
    for number in range(count):
        properties = {"feed_request_id": f"{prefix}{day}_{number}", "item_id": "a",
                      "position": 1 + number % 3, "model_version": "v1"}  # fmt: skip
        if number < drop_position:
            del properties["position"]
        when = NOW.replace(hour=12) - dt.timedelta(days=day, minutes=number)
        events.append(wire.AppEvent(name="Item Impressed", event_id=f"{prefix}{day}_{number}",
                                    timestamp=when, user_id=f"u{number % 7}",
                                    properties=properties))  # fmt: skip
    return events


def land(folder: Path, events: list) -> Path:
    records = [
        wire.collector_record("segment", wire.segment_batch(events[i : i + 500], NOW), NOW)
        for i in range(0, len(events), 500)
    ]
    return write_ndjson(folder / "landing.ndjson", records)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, object]:
    root = tmp_path_factory.mktemp("quality")
    land(root / "landing", [e for day in range(1, 8) for e in clicks(day, 20)])
    warehouse = Warehouse(root)
    result = run_build(warehouse.database, root / "landing", root / "gx", target=warehouse.target)
    return warehouse, result


def test_a_good_build_passes_and_is_recorded(built) -> None:
    warehouse, result = built
    assert result.ok, result.summary()
    assert result.load.events_landed == 140
    assert result.models_built > 20 and result.tests_passed > 100
    assert result.expectations_evaluated > 100
    runs = warehouse.query(
        "select run_id, status, events_landed, checks_failed, finished_at >= started_at "
        "from ops.build_runs"
    )
    assert runs == [(result.run_id, "success", 140, 0, True)]


def test_data_docs_are_html_that_name_the_suites(built) -> None:
    _, result = built
    index = result.data_docs.read_text()
    assert index.lstrip().lower().startswith("<!doctype html")
    assert "marts__fct_feed_ctr" in index and "row counts between layers" in index.replace("_", " ")


def test_every_model_has_a_data_test(built) -> None:
    warehouse, _ = built
    manifest = json.loads((warehouse.target / "manifest.json").read_text())
    tested = {
        parent
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        for parent in node["depends_on"]["nodes"]
    }
    models = [n for n, node in manifest["nodes"].items() if node["resource_type"] == "model"]
    assert len(models) > 25
    assert [m for m in models if m not in tested] == []


def broken_copy(warehouse: Warehouse, tmp_path: Path, *statements: str) -> Path:
    copy = tmp_path / "broken.duckdb"
    shutil.copy(warehouse.database, copy)
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement)
    return copy


@pytest.mark.parametrize(
    ("breakage", "table", "expectation"),
    [
        ("alter table marts.fct_feed_ctr drop column saves", "marts.fct_feed_ctr",
         "expect_table_columns_to_match_ordered_list"),
        ("alter table marts.fct_feed_ctr alter impressions type varchar",
         "marts.fct_feed_ctr (column types)", "expect_column_pair_values_to_be_in_set"),
        ("update intermediate.int_events__deduplicated set event_id = null "
         "where event_id = 'c1_0'", "intermediate.int_events__deduplicated",
         "expect_column_values_to_not_be_null"),
        ("update intermediate.int_events__deduplicated set platform = 'windows-phone' "
         "where event_id = 'c1_1'", "intermediate.int_events__conformed",
         "expect_column_values_to_be_in_set"),
        ("update marts.fct_feed_ctr set click_through_rate = 1.25 where position = 2",
         "marts.fct_feed_ctr", "expect_column_values_to_be_between"),
        ("delete from intermediate.int_feed__impressions where impression_event_id = 'c2_3'",
         "row counts between layers", "expect_column_pair_values_to_be_equal"),
    ],
)  # fmt: skip
def test_each_kind_of_expectation_fails_on_a_broken_input(
    built, tmp_path: Path, breakage: str, table: str, expectation: str
) -> None:
    warehouse, result = built
    manifest = warehouse.target / "manifest.json"
    broken = broken_copy(warehouse, tmp_path, breakage)
    report = run_quality(broken, manifest, tmp_path / "gx")
    failed = {(o.table, o.expectation) for o in report.failures}
    assert (table, expectation) in failed, [o.describe() for o in report.failures]
    # The same checks pass on the good warehouse.
    assert result.ok and not [c for c in result.checks if c.kind == "expectation"]


def test_a_failing_dbt_test_is_reported_with_its_table_count_and_rows(tmp_path: Path) -> None:
    # A release drops `position` from a third of the impressions on one day.
    events = [e for day in range(1, 4) for e in clicks(day, 12, drop_position=4 if day == 1 else 0)]
    land(tmp_path / "landing", events)
    database = tmp_path / "wh.duckdb"
    result = run_build(database, tmp_path / "landing", tmp_path / "gx", target=tmp_path / "t")
    assert not result.ok
    failed = [c for c in result.failures if "conformance_above_alert_rate" in c.check]
    assert len(failed) == 1, result.summary()
    check = failed[0]
    assert (check.kind, check.table, check.failing) == (
        "data test",
        "marts.fct_tracking_plan_conformance",
        1,
    )
    assert check.examples[0]["event_name"] == "item_impressed"
    assert check.examples[0]["quarantined_events"] == 4
    text = result.summary()
    assert "FAILED  data test" in text and "fct_tracking_plan_conformance" in text
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select status, checks_failed from ops.build_runs").fetchall() == [
            ("failed", 1)
        ]


def test_stale_landing_fails_freshness(built, tmp_path: Path) -> None:
    warehouse, _ = built
    stale = broken_copy(
        warehouse, tmp_path, "update raw.events set loaded_at = loaded_at - interval 30 hours"
    )
    result = run_build(stale, None, tmp_path / "gx", target=tmp_path / "t", quality=False)
    freshness = [c for c in result.checks if c.kind == "freshness"]
    assert [(c.table, c.severity) for c in freshness] == [("raw.events", "error")]
    assert "h ago" in freshness[0].message and not result.ok


def test_a_second_build_waits_for_nobody(built, tmp_path: Path) -> None:
    warehouse, _ = built
    with build_lock(warehouse.database):
        completed = subprocess.run(
            [sys.executable, "-m", "ai_events", "build", "--no-load"],
            env={**os.environ, "AI_EVENTS_DB": str(warehouse.database)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert completed.returncode == 75
    assert "another ai-events build is running" in completed.stderr
    assert f"pid {os.getpid()}" in completed.stderr


def daily_events(name: str, counts: dict[int, int], prefix: str, broken: dict[int, int]) -> list:
    """`counts[days_ago]` events of `name` on each day; `broken[days_ago]` of
    them without the required `position`."""
    events = []
    for days_ago, count in counts.items():
        day = (NOW - dt.timedelta(days=days_ago)).replace(hour=1, minute=0, second=0)
        for number in range(count):
            properties = {"feed_request_id": f"{prefix}{days_ago}_{number}", "item_id": "a",
                          "position": 1, "model_version": "v1"}  # fmt: skip
            if number < broken.get(days_ago, 0):
                del properties["position"]
            events.append(wire.AppEvent(
                name=name, event_id=f"{prefix}{days_ago}_{number}", user_id="u1",
                timestamp=day + dt.timedelta(seconds=20 * number), properties=properties,
            ))  # fmt: skip
    return events


def weekly_rhythm(days_ago: int) -> int:
    """Busy weekdays, quiet weekends, a little noise."""
    weekday = (NOW - dt.timedelta(days=days_ago)).weekday()
    return (40 if weekday >= 5 else 100) + (days_ago * 7) % 9 - 4


def test_an_eighty_percent_drop_is_flagged_and_a_weekly_rhythm_is_not(tmp_path: Path) -> None:
    history = {days_ago: weekly_rhythm(days_ago) for days_ago in range(1, 43)}
    dropped = dict(history)
    dropped[1] = round(history[1] * 0.2)
    events = daily_events("Item Impressed", dropped, "i", {}) + daily_events(
        "Item Clicked", history, "c", {}
    )
    land(tmp_path / "landing", events)
    warehouse = Warehouse(tmp_path)
    warehouse.load(tmp_path / "landing")
    warehouse.dbt("run", "-s", "+fct_event_volume_anomalies")
    flagged = warehouse.query(
        "select event_name, event_date, anomaly_direction, round(events_over_baseline, 1) "
        "from marts.fct_event_volume_anomalies where is_anomaly"
    )
    yesterday = (NOW - dt.timedelta(days=1)).date()
    assert flagged == [("item_impressed", yesterday, "drop", 0.2)]
    (checked,) = warehouse.query(
        "select count(*) from marts.fct_event_volume_anomalies where history_weeks >= 2"
    )[0]
    assert checked == 2 * 28  # every day after two weeks of history was judged


def test_a_drop_in_conformance_is_flagged(tmp_path: Path) -> None:
    counts = {days_ago: 30 for days_ago in range(1, 15)}
    land(tmp_path / "landing", daily_events("Item Impressed", counts, "i", {1: 10, 9: 1}))
    warehouse = Warehouse(tmp_path)
    warehouse.load(tmp_path / "landing")
    warehouse.dbt("run", "-s", "+fct_conformance_monitoring")
    rows = warehouse.query(
        "select event_date, round(conformance_rate, 3), is_conformance_drop "
        "from marts.fct_conformance_monitoring order by event_date"
    )
    drops = [(day, rate) for day, rate, is_drop in rows if is_drop]
    # Day 9 lost one event in thirty, within the threshold; day 1 lost a third.
    assert drops == [((NOW - dt.timedelta(days=1)).date(), 0.667)]
    assert len(rows) == 14


def test_a_dbt_that_never_starts_is_reported_not_an_old_runs_results(
    built, tmp_path: Path, monkeypatch
) -> None:
    warehouse, _ = built
    copy = broken_copy(warehouse, tmp_path, "select 1")
    target = tmp_path / "t"
    shutil.copytree(warehouse.target, target)  # the good run's results are there
    monkeypatch.setenv("AI_EVENTS_THREADS", "many")  # the profile cannot be read
    result = run_build(copy, None, tmp_path / "gx", target=target)
    assert not result.ok and (result.models_built, result.tests_passed) == (0, 0)
    assert [(c.kind, c.check) for c in result.failures] == [("dbt", "build")]
    with duckdb.connect(str(copy), read_only=True) as con:
        [(status, models, message)] = con.execute(
            "select status, models_built, message from ops.build_runs "
            "order by started_at desc limit 1"
        ).fetchall()
    assert (status, models) == ("failed", 0) and "before it ran any model" in message


def test_a_locked_warehouse_is_one_line_that_says_what_to_do(built, tmp_path: Path) -> None:
    warehouse, _ = built
    copy = broken_copy(warehouse, tmp_path, "select 1")
    with duckdb.connect(str(copy), read_only=True):
        completed = subprocess.run(
            [sys.executable, "-m", "ai_events", "load", str(tmp_path)],
            env={**os.environ, "AI_EVENTS_DB": str(copy)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert completed.returncode == 1
    assert "the warehouse is open in another process" in completed.stderr
    assert "Traceback" not in completed.stderr
