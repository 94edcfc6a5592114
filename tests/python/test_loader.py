"""The loader: formats recognised, batches split, nothing lost, loads idempotent."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from ai_events.landing.loader import LoadError, load_paths

from conftest import SAMPLES, write_ndjson


@pytest.fixture
def con(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "landing.duckdb")) as connection:
        yield connection


def test_samples_split_into_one_row_per_event(con) -> None:
    summary = load_paths(con, [SAMPLES])
    rows = con.execute(
        "select source_protocol, source_format, count(*) from raw.events group by all order by all"
    ).fetchall()
    assert rows == [
        ("amplitude", "amplitude_upload", 2),
        ("rudderstack", "rudderstack_batch", 1),
        ("segment", "segment_batch", 4),
        ("snowplow", "snowplow_tp2", 4),
    ]
    assert summary.events_landed == 11
    assert summary.items_rejected == 0


def test_envelope_keeps_the_batch_fields_and_payload_the_event(con) -> None:
    load_paths(con, [SAMPLES / "segment_http_batch.json"])
    rows = con.execute(
        "select source_index, envelope->>'$.sentAt', envelope->>'$.context.device.type', "
        "json_exists(envelope, '$.batch'), payload->>'$.timestamp' "
        "from raw.events order by source_index"
    ).fetchall()
    assert rows[0] == (
        0,
        "2024-05-01T12:00:05.654321+00:00",
        "phone",
        False,
        "2012-12-02T00:30:08.276Z",
    )
    # The malformed timestamp lands as it was sent.
    assert rows[2][4] == "2015-2-02T00:30:12.984Z"


def test_a_file_loads_once(con, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "a.ndjson", [{"batch": [{"type": "track", "event": "x"}]}])
    first = load_paths(con, [path])
    # The same bytes under another name and compressed differently are the
    # same file only when the bytes are equal: a copy is skipped...
    copy = tmp_path / "copy.ndjson"
    copy.write_bytes(path.read_bytes())
    second = load_paths(con, [path, copy])
    assert (first.events_landed, second.events_landed, second.files_skipped) == (1, 0, 2)
    # ...while a gzip of it is new bytes, and lands (dedup happens in staging).
    zipped = tmp_path / "a.ndjson.gz"
    zipped.write_bytes(gzip.compress(path.read_bytes()))
    assert load_paths(con, [zipped]).events_landed == 1


def test_load_times_only_grow_when_the_clock_steps_back(con, tmp_path, monkeypatch) -> None:
    import datetime as dt

    from ai_events.landing import loader

    clock = iter([dt.datetime(2026, 6, 1, 12, 0), dt.datetime(2026, 6, 1, 11, 0)])
    monkeypatch.setattr(loader, "utc_now", lambda: next(clock, dt.datetime(2026, 6, 1, 11, 0)))
    for name in ("first", "second"):
        path = write_ndjson(tmp_path / f"{name}.ndjson", [{"type": "track", "event": name}])
        load_paths(con, [path])
    rows = con.execute(
        "select payload->>'$.event', loaded_at from raw.events order by loaded_at"
    ).fetchall()
    # The second load's clock read an hour earlier; it still lands after
    # the first, so an incremental model's watermark cannot skip it.
    assert [event for event, _ in rows] == ["first", "second"]
    assert rows[1][1] == dt.datetime(2026, 6, 1, 12, 0, 0, 1)


def test_bad_lines_are_kept_with_their_reason(con, tmp_path: Path) -> None:
    path = tmp_path / "mixed.ndjson"
    path.write_bytes(
        b'{"type":"track","event":"ok","messageId":"1"}\n'
        b'{"type":"track","event":\n'
        b"42\n"
        b'{"hello":"world"}\n'
        b'{"batch":[]}\n'
        b'{"batch":["not an event", {"type":"track","event":"x"}]}\n'
        b"\xff\xfe not utf-8\n"
    )
    summary = load_paths(con, [path])
    rejects = con.execute(
        "select source_line, reason from raw.rejects order by source_line"
    ).fetchall()
    # The event after a rejected batch element keeps its own position.
    assert con.execute("select source_index from raw.events where source_line = 6").fetchall() == [
        (1,)
    ]
    assert rejects == [
        (2, "invalid_json"),
        (3, "not_an_object"),
        (4, "unrecognised_shape"),
        (5, "empty_batch"),
        (6, "not_an_object"),
        (7, "invalid_utf8"),
    ]
    assert summary.events_landed == 2
    # Every line read is accounted for: landed, rejected, or both (line 6).
    accounted = {
        line
        for (line,) in con.execute(
            "select source_line from raw.events union select source_line from raw.rejects"
        ).fetchall()
    }
    assert accounted == set(range(1, 8))


def test_a_missing_path_is_a_clear_error(con, tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file or folder"):
        load_paths(con, [tmp_path / "nowhere"])


def test_a_damaged_zip_is_kept_whole_as_a_zip_reject(con, tmp_path: Path) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export.json", '{"event_type": "x", "insert_id": "i1"}\n' * 50)
    cut = tmp_path / "export.zip"
    cut.write_bytes(buffer.getvalue()[:60])
    summary = load_paths(con, [cut])
    assert (summary.events_landed, summary.items_rejected) == (0, 1)
    assert con.execute("select reason, octet_length(raw_bytes) from raw.rejects").fetchall() == [
        ("zip_corrupt", 60)
    ]


def test_a_hidden_file_loads_when_named_and_an_open_one_is_skipped_aloud(
    con, tmp_path: Path, caplog
) -> None:
    hidden = write_ndjson(tmp_path / ".hidden.ndjson", [{"type": "track", "event": "x"}])
    open_file = write_ndjson(tmp_path / "c.ndjson.open", [{"type": "track", "event": "y"}])
    # In a folder, hidden files are passed over; named outright, one loads.
    assert load_paths(con, [tmp_path]).events_landed == 0
    assert load_paths(con, [hidden]).events_landed == 1
    with caplog.at_level("WARNING", logger="ai_events"):
        assert load_paths(con, [open_file]).events_landed == 0
    assert any("still writing" in record.getMessage() for record in caplog.records)
