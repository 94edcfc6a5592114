#!/usr/bin/env python3.11
"""Measure `ai-events load` on 1M Segment-format events; write benchmarks/load.md.

Run it from the repository root with the project's virtual environment:

    .venv/bin/python scripts/bench_load.py            # 1M events, writes benchmarks/load.md
    .venv/bin/python scripts/bench_load.py --events 100000 --no-write

Two landing shapes are generated in a temporary folder and deleted after:

- `collector`: what `ai-events collect` writes for the Segment SDK, one
  request record per line, each holding a `/v1/batch` body of 100 events;
- `ndjson`: one Segment message per line, as an export file holds them.

Each is loaded into a new DuckDB file twice, with DuckDB reading the file
itself (the fast path) and decoded in Python, and compared with DuckDB
reading the same file once into a typed table (`read_json`), the yardstick
of the pipeline's performance target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from ai_events.landing.loader import load_paths

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "load.md"
BATCH_SIZE = 100


def message(rng: random.Random, number: int) -> dict:
    """A feed impression as the Segment SDK sends it."""
    return {
        "type": "track",
        "event": "Item Impressed",
        "userId": f"user_{number % 5000:04d}",
        "messageId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "timestamp": "2026-11-30T12:00:00.123000+00:00",
        "properties": {
            "feed_request_id": f"req_{number // 8:012x}",
            "item_id": f"item_{number % 500:04d}",
            "position": number % 8 + 1,
            "model_version": "ranker-v2",
        },
        "context": {"library": {"name": "analytics-python", "version": "2.4.0"}},
        "integrations": {},
    }


def write_collector_landing(path: Path, events: int) -> None:
    rng = random.Random(1)
    request = {
        "method": "POST",
        "path": "/v1/batch",
        "format": "segment_batch",
        "user_agent": "analytics-python/2.4.0",
        "ip": "127.0.0.1",
        "content_type": "application/json",
        "content_encoding": None,
        "write_key": "bench-key",
        "protocol": "segment",
    }
    with open(path, "w") as handle:
        for start in range(0, events, BATCH_SIZE):
            batch = [message(rng, n) for n in range(start, min(start + BATCH_SIZE, events))]
            body = json.dumps({"batch": batch, "sentAt": "2026-11-30T12:00:01.000+00:00"})
            record = {
                "ai_events_request": request,
                "received_at": "2026-11-30T12:00:01.500000Z",
                "body": body,
            }
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def write_ndjson(path: Path, events: int) -> None:
    rng = random.Random(1)
    with open(path, "w") as handle:
        for number in range(events):
            handle.write(json.dumps(message(rng, number)) + "\n")


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def load_seconds(path: Path, database: Path, fast: bool) -> tuple[float, int, str | None]:
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        seconds, summary = timed(lambda: load_paths(con, [path], fast=fast))
    return seconds, summary.events_landed, summary.files[0].read_by


def read_json_seconds(path: Path, database: Path) -> float:
    """DuckDB reading the file once into a typed table."""
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        seconds, _ = timed(
            lambda: con.execute(
                "create table typed as select * from read_json(?, format='newline_delimited')",
                [str(path)],
            )
        )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true", help="print, do not write load.md")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="ai-events-bench-"))
    rows = []
    try:
        for shape, writer in (("collector", write_collector_landing), ("ndjson", write_ndjson)):
            path = scratch / f"{shape}.ndjson"
            writer(path, args.events)
            size_mb = path.stat().st_size / 1e6
            baseline = read_json_seconds(path, scratch / "typed.duckdb")
            for fast in (True, False):
                seconds, landed, read_by = load_seconds(path, scratch / "bench.duckdb", fast)
                assert landed == args.events, f"{shape}: {landed} of {args.events} landed"
                rows.append((shape, size_mb, read_by, seconds, landed / seconds, baseline))
                print(
                    f"{shape:9s} {size_mb:6.0f} MB  read by {read_by:6s}  {seconds:6.2f} s  "
                    f"{landed / seconds:9,.0f} events/s  (read_json {baseline:.2f} s)",
                    flush=True,
                )
    finally:
        shutil.rmtree(scratch)
    if not args.no_write:
        write_results(rows, args.events)


def write_results(rows: list[tuple], events: int) -> None:
    lines = [
        "# Loading benchmark",
        "",
        f"`ai-events load` on {events:,} Segment-format events, one file each, into a",
        "new DuckDB file. Reproduce with:",
        "",
        "```sh",
        ".venv/bin/python scripts/bench_load.py",
        "```",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, DuckDB's default settings. Load average "
        f"when it finished: {os.getloadavg()[0]:.1f} (other work on the machine "
        "slows every column alike, `read_json` too; compare the ratios).",
        "",
        "| landing shape | file | read by | load | events per second | "
        "DuckDB `read_json` once | load / read_json |",
        "|---|---|---|---|---|---|---|",
    ]
    for shape, size_mb, read_by, seconds, rate, baseline in rows:
        lines.append(
            f"| {shape} | {size_mb:.0f} MB | {read_by} | {seconds:.2f} s | {rate:,.0f} | "
            f"{baseline:.2f} s | {seconds / baseline:.1f}x |"
        )
    lines += [
        "",
        "`collector` is what the collector lands for the Segment SDK (request",
        "records, 100 events a batch); `ndjson` is one message a line. `read by",
        "duckdb` is the fast path, `python` the fallback used for gzip, zip,",
        "byte-order marks and bytes that are not UTF-8. The load includes hashing",
        "the file, splitting batches, checking that every unit is accounted for and",
        "committing to disk; `read_json` only parses the file into typed columns.",
        "",
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
