"""The thin slice from raw Segment batches to fct_feed_ctr, on hand-made
input whose right answer can be counted by eye, and the same input broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Warehouse, write_ndjson

pytestmark = pytest.mark.dbt


def track(message_id: str, event: str, timestamp: str, **properties: object) -> dict:
    return {
        "type": "track",
        "messageId": message_id,
        "userId": "user_1",
        "event": event,
        "timestamp": timestamp,
        "properties": properties,
    }


def feed_batch(*, drop_position: bool = False, position_2: int = 2) -> dict:
    first = {"feed_request_id": "r1", "model_version": "v1"}
    impression_2 = {"item_id": "b", "position": position_2, **first}
    if drop_position:
        del impression_2["position"]
    return {
        "sentAt": "2024-05-01T12:00:10Z",
        "batch": [
            track("m1", "Item Impressed", "2024-05-01T12:00:00Z", item_id="a", position=1, **first),
            track("m2", "Item Impressed", "2024-05-01T12:00:00Z", **impression_2),
            # The same impression sent again under a new id: counted once.
            track("m3", "item_impressed", "2024-05-01T12:00:01Z", item_id="a", position=1, **first),
            track("m4", "Item Clicked", "2024-05-01T12:00:05Z", item_id="a", position=1, **first),
            # A click whose impression never arrived.
            track("m5", "item-clicked", "2024-05-01T12:00:06Z", item_id="z", position=3, **first),
        ],
    }


def test_ctr_from_hand_counted_events(warehouse: Warehouse, tmp_path: Path) -> None:
    # A position past 32 bits is odd but planned: it must not break the mart.
    batch = feed_batch(position_2=3_000_000_000)
    warehouse.load(write_ndjson(tmp_path / "in" / "batch.ndjson", [batch]))
    warehouse.dbt("build")
    rows = warehouse.query(
        "select event_date::varchar, model_version, position, impressions, clicks, "
        "orphan_clicks, click_through_rate from marts.fct_feed_ctr order by position"
    )
    assert rows == [
        ("2024-05-01", "v1", 1, 1, 1, 0, 1.0),
        ("2024-05-01", "v1", 3, 0, 0, 1, None),
        ("2024-05-01", "v1", 3_000_000_000, 1, 0, 0, 0.0),
    ]


def test_impression_without_position_is_quarantined_and_fails_the_build(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    warehouse.load(write_ndjson(tmp_path / "in" / "batch.ndjson", [feed_batch(drop_position=True)]))
    assert warehouse.dbt("build", check=False) != 0
    failed = warehouse.failed_nodes()
    assert any("planned_event_conformance_above_alert_rate" in node for node in failed), failed
    # The event is kept, with the reason, and never reaches the mart.
    assert warehouse.query(
        "select event_id, quarantine_reasons from intermediate.int_events__quarantined"
    ) == [("m2", "missing_required_property:position")]
    assert warehouse.query("select sum(impressions) from marts.fct_feed_ctr") == [(1,)]
