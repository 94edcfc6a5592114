"""A load killed in the middle of a file leaves nothing of that file behind,
and running it again gives the same raw tables as one clean run.

`ai-events load` runs in a subprocess and is killed with SIGKILL while it
works on a large file, after the small file before it has been committed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from test_malformed_inputs import raw_tables

BATCH_LINES = 2_000
EVENTS_PER_BATCH = 100


def write_landing(folder: Path) -> tuple[Path, Path]:
    """A small file and a large one (200k events) that sorts after it."""
    folder.mkdir()
    small = folder / "a_small.ndjson"
    small.write_text(json.dumps({"type": "track", "event": "Small", "messageId": "s1"}) + "\n")
    large = folder / "b_large.ndjson"
    with open(large, "w") as handle:
        for line in range(BATCH_LINES):
            batch = [
                {
                    "type": "track",
                    "event": "Item Impressed",
                    "messageId": f"m{line}-{k}",
                    "properties": {"position": k % 8 + 1, "item_id": f"item_{k:04d}"},
                }
                for k in range(EVENTS_PER_BATCH)
            ]
            handle.write(json.dumps({"batch": batch, "sentAt": "2026-11-30T12:00:00Z"}) + "\n")
    return small, large


def load_command(database: Path, *paths: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ai_events",
        "-v",
        "load",
        "--db",
        str(database),
        *map(str, paths),
    ]


def kill_while_loading(database: Path, small: Path, large: Path) -> None:
    """Start a load; kill it once the large file's transaction has begun."""
    process = subprocess.Popen(
        load_command(database, small, large),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    started = False
    for line in process.stderr:
        if f"{large}: read by" in line and "one transaction" in line:
            started = True
            break
    assert started, "the load never reached the large file"
    time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the load finished before it was killed"


def loaded_files(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select source_file, events_landed from raw.loads order by source_file"
        ).fetchall()


def test_a_killed_load_leaves_no_partial_file_and_reruns_exactly_once(tmp_path: Path) -> None:
    small, large = write_landing(tmp_path / "landing")
    crashed = tmp_path / "crashed.duckdb"
    kill_while_loading(crashed, small, large)

    # The small file committed; of the large one, nothing at all.
    assert loaded_files(crashed) == [(str(small), 1)]
    with duckdb.connect(str(crashed), read_only=True) as con:
        assert con.execute("select count(*) from raw.events").fetchall() == [(1,)]
        assert con.execute("select count(*) from raw.rejects").fetchall() == [(0,)]

    rerun = subprocess.run(load_command(crashed, small, large), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "1 files loaded, 200000 events landed" in rerun.stdout
    assert "1 files skipped as already loaded" in rerun.stdout

    clean = tmp_path / "clean.duckdb"
    once = subprocess.run(load_command(clean, small, large), capture_output=True, text=True)
    assert once.returncode == 0, once.stderr
    assert raw_tables(crashed) == raw_tables(clean)
    assert loaded_files(clean) == [(str(small), 1), (str(large), BATCH_LINES * EVENTS_PER_BATCH)]

    # The comparison can fail: a warehouse missing the large file differs.
    partial = tmp_path / "partial.duckdb"
    subprocess.run(load_command(partial, small), capture_output=True, check=True)
    assert raw_tables(partial) != raw_tables(clean)
