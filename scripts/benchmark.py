#!/usr/bin/env python3.11
"""Benchmark the pipeline against DuckDB's own scan speed, on simulated files.

    .venv/bin/python scripts/benchmark.py --events 1000000
    .venv/bin/python scripts/benchmark.py --events 1000000 --events 10000000

For each size, on the same landing files:

1. simulate them (`ai-events simulate`; timed, but not part of any ratio);
2. the floor: DuckDB reads every landing file once into a typed table
   (read_ndjson, the request body parsed, its batch unnested into typed
   columns), and nothing else;
3. the full pipeline: `ai-events load`, then `ai-events build --no-load`
   (the taxonomy check, `dbt build` with every data test);
4. the incremental run: a batch of 1% new events (a tenth of them days
   late) loaded and built on top.

Every step runs as a subprocess; its wall time and peak resident memory
(from wait4, which counts the step's own children) are recorded. The
figures are printed and appended to benchmarks/results.md with the date,
sizes, git commit and package versions, and the slowest dbt nodes of each
build (from run_results.json). This is a measurement, not a test: nothing
fails on a missed target, the results say by how much it was missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results.md"
GIB = 1024**3

# The targets of issue 8.
FULL_OVER_FLOOR = 4.0
INCREMENTAL_OVER_FULL = 0.10
PEAK_AT_10M_GIB = 6.0

FLOOR_SQL = """
create or replace table landed as
with records as (
    select
        ai_events_request.protocol as protocol,
        try_cast(received_at as timestamptz) as received_at,
        try_cast(body as json) as body
    from read_ndjson(
        $files,
        columns = {
            ai_events_request: 'struct(protocol varchar)',
            received_at: 'varchar',
            body: 'varchar'
        },
        ignore_errors = true,
        maximum_object_size = 268435456
    )
),

events as (
    select
        protocol,
        received_at,
        unnest(
            case protocol
                when 'snowplow' then body -> '$.data[*]'
                when 'amplitude' then body -> '$.events[*]'
                else body -> '$.batch[*]'
            end
        ) as payload
    from records
    where body is not null
)

select
    protocol,
    received_at,
    coalesce(payload ->> 'messageId', payload ->> 'eid', payload ->> 'insert_id') as event_id,
    coalesce(payload ->> 'event', payload ->> 'event_type', payload ->> 'e', payload ->> 'type')
        as event_name,
    coalesce(
        try_cast(coalesce(payload ->> 'originalTimestamp', payload ->> 'timestamp')
            as timestamptz),
        epoch_ms(try_cast(coalesce(payload ->> 'dtm', payload ->> 'time') as bigint))
    ) as event_at,
    coalesce(payload ->> 'userId', payload ->> 'uid', payload ->> 'user_id') as user_id,
    coalesce(payload ->> 'anonymousId', payload ->> 'duid', payload ->> 'device_id')
        as anonymous_id,
    payload
from events
"""


@dataclass
class Step:
    name: str
    seconds: float
    peak_rss: int  # bytes
    cpu_seconds: float
    log: Path


@dataclass
class Run:
    events: int
    steps: dict[str, Step] = field(default_factory=dict)
    truth: dict = field(default_factory=dict)
    batch_events: int = 0
    floor_rows: int = 0
    nodes: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def seconds(self, *names: str) -> float:
        return sum(self.steps[n].seconds for n in names)

    def peak(self, *names: str) -> int:
        return max(self.steps[n].peak_rss for n in names)


def say(message: str) -> None:
    print(f"[benchmark] {message}", flush=True)


def run_step(name: str, args: list[str], logs: Path, env: dict[str, str] | None = None) -> Step:
    """Run one step as a subprocess; its time, peak RSS and CPU time."""
    log = logs / f"{name}.log"
    say(f"{name}: {' '.join(args)}")
    started = time.perf_counter()
    with open(log, "w") as handle:
        process = subprocess.Popen(
            args, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, env=env or os.environ.copy()
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"[benchmark] {name} failed ({process.returncode}); see {log}")
    step = Step(name, seconds, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime, log)
    say(f"{name}: {seconds:.1f} s, peak {step.peak_rss / GIB:.2f} GiB")
    return step


def floor(landing: Path, database: Path) -> None:
    """Step 2, in its own process: the landing files into one typed table."""
    import duckdb

    files = sorted(str(p) for p in landing.rglob("*.ndjson"))
    with duckdb.connect(str(database)) as con:
        con.execute("set threads = ?", [int(os.environ.get("AI_EVENTS_THREADS", "2"))])
        con.execute(FLOOR_SQL.replace("$files", "?"), [files])
        rows = con.execute("select count(*) from landed").fetchall()[0][0]
    print(json.dumps({"rows": rows}))


def slowest_nodes(target: Path, count: int = 8) -> list[tuple[str, float]]:
    """The slowest nodes of a dbt run, after the sum over all of them."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = [(r["unique_id"], float(r["execution_time"])) for r in results]
    total = (f"all {len(timed)} nodes together", sum(seconds for _, seconds in timed))
    return [total, *sorted(timed, key=lambda item: -item[1])[:count]]


def benchmark(events: int, seed: int, work: Path) -> Run:
    run = Run(events)
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    tool = str(BIN / "ai-events")
    sim = work / "sim"
    run.steps["simulate"] = run_step(
        "simulate", [tool, "simulate", "--events", str(events), "--seed", str(seed),
                     "--out", str(sim)], logs,
    )  # fmt: skip
    run.truth = json.loads((sim / "truth.json").read_text())
    generator = run.truth["generator"]
    end = dt.date.fromisoformat(generator["period_end"])

    run.steps["floor"] = run_step(
        "floor",
        [sys.executable, __file__, "floor", str(sim / "landing"), str(work / "floor.duckdb")],
        logs,
    )
    run.floor_rows = json.loads(run.steps["floor"].log.read_text().splitlines()[-1])["rows"]

    database = work / "warehouse.duckdb"
    env = os.environ.copy()
    env["AI_EVENTS_DB"] = str(database)
    # One target folder for both builds, as a scheduled build has: the
    # second run reuses dbt's partial parse of the first.
    env["DBT_TARGET_PATH"] = str(work / "target")
    run.steps["load"] = run_step(
        "load", [tool, "load", str(sim / "landing"), "--db", str(database)], logs, env
    )
    run.steps["build"] = run_step("build", [tool, "build", "--no-load"], logs, env)
    run.nodes["full build"] = slowest_nodes(work / "target")

    # A 1% batch: new events of the next day, and a tenth of it from the
    # last days of the period, delivered days late.
    late_events = max(1_000, events // 1_000)
    new_events = max(1_000, events // 100 - late_events)
    run.batch_events = new_events + late_events
    batch = work / "batch"
    run.steps["simulate batch"] = run_step(
        "simulate-batch-new",
        [tool, "simulate", "--events", str(new_events), "--seed", str(seed + 1), "--out",
         str(batch / "new"), "--start", end.isoformat(), "--days", "1"],
        logs,
    )  # fmt: skip
    run.steps["simulate late batch"] = run_step(
        "simulate-batch-late",
        [tool, "simulate", "--events", str(late_events), "--seed", str(seed + 2), "--out",
         str(batch / "late"), "--start", (end - dt.timedelta(days=5)).isoformat(), "--days",
         "4", "--dirt", "late=1"],
        logs,
    )  # fmt: skip
    run.steps["incremental load"] = run_step(
        "incremental-load",
        [tool, "load", str(batch / "new" / "landing"), str(batch / "late" / "landing"),
         "--db", str(database)],
        logs,
        env,
    )  # fmt: skip
    run.steps["incremental build"] = run_step(
        "incremental-build", [tool, "build", "--no-load"], logs, env
    )
    run.nodes["incremental build"] = slowest_nodes(work / "target")
    return run


# --------------------------------------------------------------------------
# Reporting


def versions() -> str:
    names = ("duckdb", "dbt-core", "dbt-duckdb")
    found = ", ".join(f"{n} {metadata.version(n)}" for n in names)
    return f"Python {platform.python_version()}, {found}"


def commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    branch = subprocess.run(
        ["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return f"{head}{' (with uncommitted changes)' if dirty else ''} on {branch}"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    threads = os.environ.get("AI_EVENTS_THREADS", "2")
    limit = os.environ.get("AI_EVENTS_MEMORY_LIMIT", "16GB")
    return (
        f"{os.cpu_count()} cores, {memory:.1f} GiB; AI_EVENTS_THREADS={threads}, "
        f"AI_EVENTS_MEMORY_LIMIT={limit}"
    )


def verdict(value: float, target: float, unit: str = "") -> str:
    if value <= target:
        return f"met (target {target:g}{unit})"
    return f"missed by {value / target:.1f}x (target {target:g}{unit})"


def report(runs: list[Run], revision: str) -> str:
    lines = [
        f"## {dt.date.today().isoformat()}: "
        + ", ".join(f"{r.events:,}" for r in runs)
        + " events",
        "",
        f"- commit {revision}",
        f"- {versions()}",
        f"- machine: {machine()}",
        "",
    ]
    previous: Run | None = None
    for run in runs:
        emitted = run.truth["emitted"]
        landed = emitted["landed_events"]
        full = run.seconds("load", "build")
        incremental = run.seconds("incremental load", "incremental build")
        floor_seconds = run.seconds("floor")
        lines += [
            f"### {run.events:,} events (seed {run.truth['generator']['seed']}, default dirt)",
            "",
            f"{landed:,} events landed (with {emitted['duplicate_events']:,} duplicates and "
            f"{emitted['dual_write_events']:,} dual writes) in {emitted['lines']:,} lines, "
            f"{emitted['files']} files, {emitted['bytes'] / 1024**2:,.0f} MiB; the floor "
            f"read {run.floor_rows:,} events. Incremental batch: {run.batch_events:,} events.",
            "",
            "| step | seconds | landed events/s | peak RSS (GiB) | CPU s |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, step in run.steps.items():
            rate = f"{landed / step.seconds:,.0f}" if name in ("floor", "load", "build") else ""
            lines.append(
                f"| {name} | {step.seconds:.1f} | {rate} | {step.peak_rss / GIB:.2f} | "
                f"{step.cpu_seconds:.1f} |"
            )
        lines += [
            f"| **full = load + build** | {full:.1f} | {landed / full:,.0f} | "
            f"{run.peak('load', 'build') / GIB:.2f} | |",
            f"| **incremental = load + build** | {incremental:.1f} | | "
            f"{run.peak('incremental load', 'incremental build') / GIB:.2f} | |",
            "",
            f"- full / floor: {full / floor_seconds:.1f}x, "
            f"{verdict(full / floor_seconds, FULL_OVER_FLOOR, 'x')}",
            f"- incremental / full: {incremental / full:.2f}, "
            f"{verdict(incremental / full, INCREMENTAL_OVER_FULL)}",
        ]
        peak = max(s.peak_rss for n, s in run.steps.items() if not n.startswith("simulate"))
        judged = verdict(peak / GIB, PEAK_AT_10M_GIB, " GiB at 10M")
        lines.append(f"- peak memory of a pipeline step: {peak / GIB:.2f} GiB, {judged}")
        if previous is not None:
            scale = run.events / previous.events
            growth = full / previous.seconds("load", "build")
            lines.append(
                f"- {previous.events:,} to {run.events:,} events ({scale:g}x): full pipeline "
                f"time {growth:.1f}x, {verdict(growth / scale, 1.0, ' of linear')}"
            )
        for build, nodes in run.nodes.items():
            lines += [
                "",
                f"dbt nodes of the {build} (run_results.json; with 2 threads, nodes "
                "overlap, and the rest of the wall time is dbt starting and parsing):",
                "",
            ]
            lines += [f"- {node}: {seconds:.1f} s" for node, seconds in nodes]
        lines.append("")
        previous = run
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "floor":
        floor(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events", type=int, action="append", help="Size to run (repeatable); default 1,000,000."
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, help="Scratch folder (default: a temporary one).")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch folder.")
    parser.add_argument(
        "--no-record", action="store_true", help=f"Print only; do not append to {RESULTS.name}."
    )
    args = parser.parse_args()
    sizes = sorted(args.events or [1_000_000])
    if any(size < 1_000 for size in sizes):
        parser.error("--events: each size must be at least 1,000")
    work = args.work or Path(tempfile.mkdtemp(prefix="ai-events-benchmark-"))
    if any(work.glob("*")):
        parser.error(f"--work {work}: is not empty")
    revision = commit()  # before any step, whatever changes while it runs
    runs = []
    try:
        for size in sizes:
            runs.append(benchmark(size, args.seed, work / f"{size}"))
            if not args.keep:
                shutil.rmtree(work / f"{size}" / "sim", ignore_errors=True)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text = report(runs, revision)
    print(text)
    if not args.no_record:
        RESULTS.parent.mkdir(exist_ok=True)
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Benchmark results\n\nAppended by `scripts/benchmark.py`; newest last.\n\n"
            )
        with open(RESULTS, "a") as handle:
            handle.write(text)
        say(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
