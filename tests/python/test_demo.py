"""The demo end to end: the real Segment SDK through the collector for the
last days, the simulator for the weeks before, one scheduled build. The
SDK's days must equal a count made in Python from what the SDK was asked to
send; the simulated weeks must equal the simulator's truth, every mart cell."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest

from ai_events.demo import run_demo
from ai_events.simulate import MARTS, mart_differences
from ai_events.traffic import SentEvent

pytestmark = pytest.mark.dbt


def expected_ctr(sent: list[SentEvent]) -> dict[tuple, tuple[int, int, int]]:
    """(date, model, position) -> (impressions, clicks, orphan clicks), from the events."""
    impression_cell: dict[tuple[str, str], tuple] = {}
    clicked: dict[tuple[str, str], tuple] = {}
    for event in sent:
        if event.kind != "track":
            continue
        p = event.properties
        pair = (p["feed_request_id"], p["item_id"])
        cell = (event.timestamp.date(), p["model_version"], p["position"])
        if event.event == "Item Impressed":
            impression_cell.setdefault(pair, cell)
        elif event.event == "Item Clicked":
            clicked.setdefault(pair, cell)
    impressions = Counter(impression_cell.values())
    clicks = Counter(impression_cell[pair] for pair in clicked if pair in impression_cell)
    orphans = Counter(cell for pair, cell in clicked.items() if pair not in impression_cell)
    cells = set(impressions) | set(orphans)
    return {c: (impressions[c], clicks[c], orphans[c]) for c in cells}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("demo")
    return run_demo(directory=root / "demo", target_path=root / "target", quiet=True)


def test_the_sdk_days_equal_an_independent_count(demo) -> None:
    first = demo.first_sdk_day
    expected = expected_ctr(demo.sent)
    actual = {(d, m, p): (i, c, o) for d, m, p, i, c, o, _ in demo.ctr_rows if d >= first}
    assert actual == expected
    # The traffic exercises every branch of the rate: clicks, and orphans.
    assert sum(c for _, c, _ in expected.values()) > 20
    assert sum(o for _, _, o in expected.values()) > 0
    for d, m, p, i, c, _, rate in demo.ctr_rows:
        if d >= first:
            assert rate == pytest.approx(c / i), (d, m, p)
    # The printed roll-up is a ratio of sums over the SDK's days.
    by_version_position: dict[tuple, list[int]] = {}
    for (_, m, p), (i, c, o) in expected.items():
        totals = by_version_position.setdefault((m, p), [0, 0, 0])
        totals[0] += i
        totals[1] += c
        totals[2] += o
    assert {
        (m, p): [i, c, o] for m, p, i, c, o, _ in demo.ctr_by_version_and_position
    } == by_version_position


def test_the_simulated_weeks_equal_their_truth(demo) -> None:
    first = demo.first_sdk_day
    where = {"fct_feed_ctr": f"event_date < '{first}'"}
    columns = {mart: spec.columns for mart, spec in MARTS.items()}
    with duckdb.connect(str(demo.database), read_only=True) as con:
        assert [str(d) for d in mart_differences(con, demo.simulation.truth, columns, where)] == []
        surfaces = con.execute(
            "select (select sum(suggestions_shown) from marts.fct_suggestion_funnel), "
            "(select sum(conversations) from marts.fct_chatbot_daily), "
            "(select count(*) from marts.fct_experiment_results "
            "where not has_sample_ratio_mismatch)"
        ).fetchall()[0]
    assert all(count > 0 for count in surfaces), surfaces


def test_the_demo_build_is_checked_recorded_and_drawn(demo) -> None:
    assert demo.build.ok, demo.build.summary()
    assert demo.build.load.files_loaded > 10 and demo.build.expectations_evaluated > 100
    assert demo.build.data_docs.exists() and Path(demo.dashboard).exists()
    with duckdb.connect(str(demo.database), read_only=True) as con:
        assert con.execute("select status from ops.build_runs").fetchall() == [("success",)]
