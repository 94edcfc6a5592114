"""Formats recognised from files: Amplitude export zips, Snowplow enriched
JSON, gzip and JSON arrays; `--format` forces a protocol; the CLI reports
its counts."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ai_events.cli import main
from ai_events.landing.loader import LoadError, load_paths


def export_event(number: int) -> dict:
    """One event of an Amplitude export file."""
    return {
        "$insert_id": f"ins-{number}",
        "uuid": f"00000000-0000-4000-8000-{number:012d}",
        "event_type": "Suggestion Accepted",
        "event_time": "2026-11-30 12:00:00.000000",
        "server_upload_time": "2026-11-30 12:00:01.000000",
        "user_id": "user_1",
        "event_properties": {"suggestion_id": f"sugg_{number}"},
    }


def test_an_amplitude_export_zip_of_gzipped_members_lands(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for hour in range(2):
            lines = "".join(json.dumps(export_event(hour * 10 + n)) + "\n" for n in range(3))
            zipped.writestr(f"123/123_2026-11-30_{hour}#0.json.gz", gzip.compress(lines.encode()))
    archive.write_bytes(buffer.getvalue())
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        summary = load_paths(con, [archive])
        rows = con.execute(
            "select source_protocol, source_format, source_file, source_line, "
            "payload->>'$.event_properties.suggestion_id' from raw.events order by all"
        ).fetchall()
    assert (summary.files_loaded, summary.events_landed, summary.items_rejected) == (2, 6, 0)
    assert rows[0] == (
        "amplitude_export",
        "amplitude_export",
        f"{archive}!123/123_2026-11-30_0#0.json.gz",
        1,
        "sugg_0",
    )
    assert [r[4] for r in rows] == [f"sugg_{n}" for n in (0, 1, 2, 10, 11, 12)]


def test_snowplow_enriched_json_lands_as_its_own_protocol(tmp_path: Path) -> None:
    enriched = {
        "app_id": "web",
        "platform": "web",
        "collector_tstamp": "2026-11-30T12:00:00.000Z",
        "event": "page_view",
        "event_id": "c6ef3124-b53a-4b13-a233-0088f79dcbcb",
        "contexts_com_example_user_1": [{"plan": "pro"}],
    }
    path = tmp_path / "enriched.ndjson.gz"
    path.write_bytes(gzip.compress(json.dumps(enriched).encode() + b"\n"))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_paths(con, [path])
        rows = con.execute("select source_protocol, source_format, payload from raw.events")
        assert [(p, f, json.loads(doc)) for p, f, doc in rows.fetchall()] == [
            ("snowplow_enriched", "snowplow_enriched", enriched)
        ]


def test_a_forced_protocol_maps_the_segment_spec_and_refuses_other_shapes(tmp_path: Path) -> None:
    path = tmp_path / "batch.ndjson"
    path.write_text(json.dumps({"batch": [{"type": "track", "event": "x"}]}) + "\n")
    with duckdb.connect(str(tmp_path / "rudder.duckdb")) as con:
        load_paths(con, [path], format_choice="rudderstack")
        assert con.execute("select source_protocol, source_format from raw.events").fetchall() == [
            ("rudderstack", "rudderstack_batch")
        ]
    with duckdb.connect(str(tmp_path / "amplitude.duckdb")) as con:
        summary = load_paths(con, [path], format_choice="amplitude")
        assert (summary.events_landed, summary.items_rejected) == (0, 1)
        [(reason, detail)] = con.execute("select reason, detail from raw.rejects").fetchall()
        assert reason == "unrecognised_shape" and "the amplitude format that --format" in detail
    with (
        duckdb.connect(str(tmp_path / "bogus.duckdb")) as con,
        pytest.raises(LoadError, match="unknown format 'bogus'"),
    ):
        load_paths(con, [path], format_choice="bogus")


def test_the_cli_ends_with_its_counts_and_skips_what_it_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps([{"type": "track", "event": "x"}, "not an event"]))
    (folder / "b.ndjson.gz").write_bytes(gzip.compress(b'{"type":"identify","userId":"u"}\n'))
    database = tmp_path / "w.duckdb"
    runner = CliRunner()
    first = runner.invoke(main, ["load", "--db", str(database), str(folder)])
    again = runner.invoke(main, ["load", "--db", str(database), str(folder)])
    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines()[-1] == (
        "2 files loaded, 2 events landed, 1 lines or items rejected, "
        "0 files skipped as already loaded"
    )
    assert again.output.strip().splitlines()[-1] == (
        "0 files loaded, 0 events landed, 0 lines or items rejected, "
        "2 files skipped as already loaded"
    )
    python_only = runner.invoke(
        main, ["load", "--no-fast-path", "--db", str(tmp_path / "p.duckdb"), str(folder)]
    )
    assert python_only.output == first.output
    missing = runner.invoke(main, ["load", "--db", str(database), str(tmp_path / "nowhere")])
    assert missing.exit_code != 0
    assert "no such file or folder" in missing.output
