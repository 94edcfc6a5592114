"""The demo end to end: SDK traffic, collector, loader, dbt, and a CTR table
that must equal a count made in Python from what the SDK was asked to send."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ai_events.demo import run_demo
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


def test_demo_ctr_equals_an_independent_count(tmp_path: Path) -> None:
    result = run_demo(directory=tmp_path / "demo", target_path=tmp_path / "target", quiet=True)

    assert result.load.events_landed == len(result.sent)
    assert result.load.items_rejected == 0
    expected = expected_ctr(result.sent)
    actual = {(d, m, p): (i, c, o) for d, m, p, i, c, o, _ in result.ctr_rows}
    assert actual == expected
    # The traffic must exercise every branch of the rate: clicks, and orphans.
    assert sum(c for _, c, _ in expected.values()) > 20
    assert sum(o for _, _, o in expected.values()) > 0
    for d, m, p, i, c, _, rate in result.ctr_rows:
        assert rate == pytest.approx(c / i), (d, m, p)

    # The printed roll-up is a ratio of sums over the days.
    by_version_position: dict[tuple, list[int]] = {}
    for (_, m, p), (i, c, o) in expected.items():
        totals = by_version_position.setdefault((m, p), [0, 0, 0])
        totals[0] += i
        totals[1] += c
        totals[2] += o
    assert {
        (m, p): [i, c, o] for m, p, i, c, o, _ in result.ctr_by_version_and_position
    } == by_version_position
