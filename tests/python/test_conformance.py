"""Tracking-plan enforcement in staging, on small inputs whose right answer is
known: each reason code, each alias form, the four trackers conforming to the
same typed rows, reconciliation, privacy, and a new event added by registry
alone."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from ai_events import wire
from ai_events.taxonomy.generate import generate
from ai_events.taxonomy.registry import load_registry, normalize_name

from conftest import Warehouse, copy_project, write_ndjson

pytestmark = pytest.mark.dbt

SENT = dt.datetime(2026, 3, 2, 12, 0, 5, tzinfo=dt.UTC)
AT = dt.datetime(2026, 3, 2, 12, 0, 0, tzinfo=dt.UTC)
CLICK = {"feed_request_id": "r1", "item_id": "a", "position": 3, "model_version": "v1"}


def app_event(event_id: str, name: str, properties: dict, **extra: object) -> wire.AppEvent:
    fields: dict = {"user_id": "user_1", "timestamp": AT, "platform": "web", **extra}
    return wire.AppEvent(name=name, event_id=event_id, properties=properties, **fields)


# event id -> (event, the reasons it must be quarantined for, or None)
REASON_CASES = {
    "unplanned": (app_event("unplanned", "Song Played", {}), "unplanned_event"),
    "missing": (
        app_event("missing", "Item Impressed", {k: v for k, v in CLICK.items() if k != "position"}),
        "missing_required_property:position",
    ),
    "wrong_type": (
        app_event("wrong_type", "Item Impressed", {**CLICK, "position": "third"}),
        "wrong_type:position",
    ),
    "not_allowed": (
        app_event("not_allowed", "Feedback Given", {"conversation_id": "c1", "rating": "meh"}),
        "value_not_allowed:rating",
    ),
    "out_of_range": (
        app_event("out_of_range", "Item Impressed", {**CLICK, "position": 0}),
        "value_not_allowed:position",
    ),
    "past_window": (
        app_event(
            "past_window",
            "intent_confidence_score",
            {"conversation_id": "c1", "intent": "refund", "confidence": 0.9},
            timestamp=dt.datetime(2027, 7, 1, 12, tzinfo=dt.UTC),
        ),
        "deprecated_past_window",
    ),
    "two_reasons": (
        app_event("two_reasons", "Intent Classified", {"conversation_id": "c1", "confidence": 2}),
        "value_not_allowed:confidence;missing_required_property:intent",
    ),
    "coerced": (app_event("coerced", "Item Impressed", {**CLICK, "position": "3"}), None),
    "unplanned_property": (
        app_event("unplanned_property", "Item Clicked", {**CLICK, "colour": "red"}),
        None,
    ),
    "in_window": (
        app_event(
            "in_window",
            "intent_confidence_score",
            {"conversation_id": "c1", "intent": "refund", "confidence": 0.9},
        ),
        None,
    ),
}

ALIASES = ["Item Clicked", "item-clicked", "ItemClicked", "item_clicked", "ITEM CLICKED",
           "feed_item_click"]  # fmt: skip

PERSONAL = {"email": "jane.doe@example.com", "name": "Jane Doe", "plan": "pro"}


def same_click(event_id: str) -> wire.AppEvent:
    return app_event(
        event_id, "Item Clicked", dict(CLICK), platform="ios", app_version="3.1.0",
        anonymous_id="anon_1",
    )  # fmt: skip


def write_fixture(folder: Path) -> None:
    """Landing files as the collector writes them, one per tracker."""
    reasons = [event for event, _ in REASON_CASES.values()]
    aliases = [app_event(f"alias_{i}", name, dict(CLICK)) for i, name in enumerate(ALIASES)]
    identify = app_event("identify_1", "identify", PERSONAL, kind="identify")
    # Free text and an address in unplanned places must not travel either.
    chat = app_event(
        "chat_1", "Message Sent",
        {"conversation_id": "c1", "message_text": "mail me at jane.doe@example.com",
         "client_ip": "203.0.113.7"},
    )  # fmt: skip
    segment = reasons + aliases + [identify, chat, same_click("same_segment")]
    records = [
        wire.collector_record("segment", wire.segment_batch(segment, SENT), SENT),
        # A retry of the first batch: every event in it is a duplicate.
        wire.collector_record("segment", wire.segment_batch(segment[:3], SENT), SENT),
        wire.collector_record(
            "rudderstack",
            wire.segment_batch([same_click("same_rudderstack")], SENT, rudderstack=True),
            SENT,
        ),
        wire.collector_record(
            "snowplow", wire.snowplow_payload([same_click("same_snowplow")], SENT), SENT
        ),
        wire.collector_record(
            "amplitude", wire.amplitude_upload([same_click("same_amplitude")]), SENT
        ),
    ]
    write_ndjson(folder / "collector-1.ndjson", records)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("conformance")
    write_fixture(root / "landing")
    warehouse = Warehouse(root)
    warehouse.load(root / "landing")
    # The quarantined cases fail the conformance alert; the models are built.
    warehouse.dbt("build", check=False)
    return warehouse


def test_each_reason_code(built: Warehouse) -> None:
    rows = dict(
        built.query(
            "select event_id, quarantine_reasons from intermediate.int_events__deduplicated "
            "where event_id in (" + ", ".join(f"'{k}'" for k in REASON_CASES) + ")"
        )
    )
    assert rows == {key: reasons for key, (_, reasons) in REASON_CASES.items()}
    extras = built.query(
        "select event_id, coerced_properties, unplanned_properties, position, event_name, "
        "registry_event_name from intermediate.int_events__conformed "
        "where event_id in ('coerced', 'unplanned_property', 'in_window') order by event_id"
    )
    assert extras == [
        ("coerced", "position", None, 3, "item_impressed", "item_impressed"),
        ("in_window", None, None, None, "intent_classified", "intent_confidence_score"),
        ("unplanned_property", None, "colour", 3, "item_clicked", "item_clicked"),
    ]


def test_every_alias_form_is_one_event(built: Warehouse) -> None:
    rows = built.query(
        "select event_name_raw, event_name from intermediate.int_events__conformed "
        "where event_id like 'alias_%' order by event_id"
    )
    assert rows == [(name, "item_clicked") for name in ALIASES]
    for raw, normalized in built.query(
        "select event_name_raw, event_name_normalized from intermediate.int_events__deduplicated"
    ):
        assert normalize_name(raw) == normalized, raw


def test_the_four_trackers_conform_to_the_same_typed_rows(built: Warehouse) -> None:
    rows = built.query(
        "select source_protocol, event_name, user_id, anonymous_id, event_at, feed_request_id, "
        "item_id, position, model_version, platform, app_version, is_quarantined "
        "from intermediate.int_events__deduplicated where event_id like 'same_%' "
        "order by source_protocol"
    )
    assert [r[0] for r in rows] == ["amplitude", "rudderstack", "segment", "snowplow"]
    typed = {r[1:] for r in rows}
    assert typed == {
        ("item_clicked", "user_1", "anon_1", AT.replace(tzinfo=None), "r1", "a", 3, "v1",
         "ios", "3.1.0", False)
    }  # fmt: skip


def test_landed_events_reconcile(built: Warehouse) -> None:
    (landed,) = built.query("select count(*) from raw.events")[0]
    (distinct, conformed, quarantined) = built.query(
        "select count(*), count_if(not is_quarantined), count_if(is_quarantined) "
        "from intermediate.int_events__deduplicated"
    )[0]
    duplicates = 3  # the retried batch
    expected_distinct = len(REASON_CASES) + len(ALIASES) + 2 + 4
    assert (landed, distinct) == (expected_distinct + duplicates, expected_distinct)
    assert landed == conformed + quarantined + duplicates
    assert quarantined == sum(1 for _, reasons in REASON_CASES.values() if reasons)
    assert "tests.ai_events.assert_landed_events_reconcile" not in str(built.failed_nodes())


EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
IPV4 = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")


def text_values(warehouse: Warehouse, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    columns = warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in (" + ", ".join(f"'{s}'" for s in schemas) + ") "
        "and data_type in ('VARCHAR', 'JSON')"
    )
    values = []
    for schema, table, column in columns:
        for (value,) in warehouse.query(
            f'select distinct cast("{column}" as varchar) from {schema}.{table} '
            f'where "{column}" is not null'
        ):
            values.append((f"{schema}.{table}.{column}", value))
    return values


def test_no_personal_data_leaves_staging_in_clear(built: Warehouse) -> None:
    values = text_values(built, ("staging", "intermediate", "marts", "ml"))
    assert values, "nothing was scanned"
    leaks = [(where, v) for where, v in values if EMAIL.search(v) or IPV4.search(v)]
    assert leaks == []
    # The raw landing does keep them, untouched.
    raw = " ".join(v for _, v in text_values(built, ("raw",)))
    assert "jane.doe@example.com" in raw and "203.0.113.7" in raw
    # The email is kept as a keyed hash, the name not at all.
    assert built.query(
        "select length(email_hash), plan from intermediate.int_events__conformed "
        "where event_id = 'identify_1'"
    ) == [(64, "pro")]
    columns = {c for (c,) in built.query(
        "select column_name from information_schema.columns "
        "where table_name = 'int_events__conformed'"
    )}  # fmt: skip
    assert {"email_hash", "plan"} <= columns and not {"email", "name", "message_text"} & columns


def test_the_scan_finds_a_leak_when_there_is_one(built: Warehouse, tmp_path: Path) -> None:
    """The privacy scan itself can fail: a table holding an email is caught."""
    leaky = Warehouse(tmp_path)
    shutil.copy(built.database, leaky.database)
    import duckdb

    with duckdb.connect(str(leaky.database)) as con:
        con.execute("create table marts.leak as select 'jane.doe@example.com' as note")
    leaks = [v for _, v in text_values(leaky, ("marts",)) if EMAIL.search(v)]
    assert leaks == ["jane.doe@example.com"]


def test_a_new_event_flows_from_the_registry_alone(tmp_path: Path) -> None:
    """No SQL is edited: the registry changes, and the next (incremental)
    run gives the events already built under the old plan their new
    verdict."""
    project = copy_project(tmp_path / "project")
    rated = [
        app_event("rated_ok", "Suggestion Rated", {"suggestion_id": "s1", "stars": 4}),
        app_event("rated_bad", "suggestion_rated", {"suggestion_id": "s1", "stars": 9}),
    ]
    write_ndjson(
        tmp_path / "landing" / "a.ndjson",
        [wire.collector_record("segment", wire.segment_batch(rated, SENT), SENT)],
    )
    warehouse = Warehouse(tmp_path / "wh", project_dir=project)
    warehouse.load(tmp_path / "landing")
    verdicts = (
        "select event_id, event_name, quarantine_reasons "
        "from intermediate.int_events__deduplicated order by event_id"
    )
    warehouse.dbt("build", "--exclude", "test_type:data")
    assert warehouse.query(verdicts) == [
        ("rated_bad", None, "unplanned_event"),
        ("rated_ok", None, "unplanned_event"),
    ]

    compose = project / "taxonomy" / "events" / "compose.yml"
    document = yaml.safe_load(compose.read_text())
    document["events"]["suggestion_rated"] = {
        "description": "The user rated a suggestion from one to five stars.",
        "emitted_by": "user",
        "purpose": ["product_analytics"],
        "version": "1-0-0",
        "properties": {"suggestion_id": {"required": True}, "stars": {"required": True}},
    }
    compose.write_text(yaml.safe_dump(document, sort_keys=False))
    dictionary = project / "taxonomy" / "properties.yml"
    properties = yaml.safe_load(dictionary.read_text())
    properties["properties"]["stars"] = {
        "type": "integer", "privacy": "none", "minimum": 1, "maximum": 5,
        "description": "Stars given, one to five.",
    }  # fmt: skip
    dictionary.write_text(yaml.safe_dump(properties, sort_keys=False))
    generate(load_registry(project / "taxonomy"), project=project)

    warehouse.dbt("build", check=False)
    assert warehouse.query(
        "select event_id, event_name, stars, quarantine_reasons "
        "from intermediate.int_events__deduplicated order by event_id"
    ) == [
        ("rated_bad", "suggestion_rated", 9, "value_not_allowed:stars"),
        ("rated_ok", "suggestion_rated", 4, None),
    ]


def test_garbled_snowplow_json_is_quarantined_not_fatal(tmp_path: Path) -> None:
    good = wire.snowplow_event(same_click("sp_good"), SENT)
    garbled_text = {**good, "eid": "sp_bad_pr", "ue_pr": '{"schema": "iglu:x', "cx": ""}
    garbled_text.pop("ue_px")
    garbled_base64 = {**good, "eid": "sp_bad_px", "ue_px": "not*base64!", "cx": "%%%"}
    body = {"schema": wire.SNOWPLOW_PAYLOAD, "data": [good, garbled_text, garbled_base64]}
    write_ndjson(tmp_path / "in" / "a.ndjson", [wire.collector_record("snowplow", body, SENT)])
    warehouse = Warehouse(tmp_path / "wh")
    warehouse.load(tmp_path / "in")
    warehouse.dbt("run", "-s", "+int_events__deduplicated")
    assert warehouse.query(
        "select event_id, event_name, quarantine_reasons "
        "from intermediate.int_events__deduplicated order by event_id"
    ) == [
        ("sp_bad_pr", None, "unplanned_event"),
        ("sp_bad_px", None, "unplanned_event"),
        ("sp_good", "item_clicked", None),
    ]
