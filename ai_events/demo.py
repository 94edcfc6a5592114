"""The demo: real SDK traffic and a simulated product, loaded and built.

Everything runs on this machine. The collector listens on 127.0.0.1 and the
real Segment SDK sends it the last six days of feed traffic; the simulator
writes four earlier weeks of the whole product (feed, writing suggestions,
support chatbot, experiments) through all four trackers, dirt included,
with the truth of every mart cell. `ai-events build`'s run then loads both,
builds the marts, checks them, and the dashboard is written from them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from ai_events.build import BuildResult, run_build
from ai_events.collector import CollectorConfig, serve
from ai_events.dashboard import build_dashboard
from ai_events.project import PROJECT_DIR
from ai_events.simulate import SimulationResult, simulate
from ai_events.traffic import SentEvent, feed_traffic, send_with_segment

log = logging.getLogger(__name__)

DEMO_DIR = PROJECT_DIR / "warehouse" / "demo"
DEMO_WRITE_KEY = "demo-segment-write-key"


# The SDK sends the last SDK_DAYS days; the simulated weeks end before them,
# so the two never share a mart cell.
SDK_DAYS = 6
SIMULATED_DAYS = 28
SIMULATED_EVENTS = 40_000


@dataclass
class DemoResult:
    database: Path
    landing: Path
    sent: list[SentEvent]  # what the app asked the Segment SDK to send
    simulation: SimulationResult  # the simulated weeks, with their truth
    build: BuildResult
    ctr_rows: list[tuple]  # fct_feed_ctr, every row
    ctr_by_version_and_position: list[tuple]  # the SDK's days, summed
    dashboard: Path  # the HTML dashboard of the marts

    @property
    def first_sdk_day(self) -> dt.date:
        return min(e.timestamp for e in self.sent).date()


def collect_with_segment(landing: Path, events: list[SentEvent]) -> int:
    """Run a collector on a free local port, send the events to it through
    the Segment SDK, and stop it; return how many requests it wrote."""
    config = CollectorConfig(landing, write_keys={DEMO_WRITE_KEY: "segment"})
    server = serve(config, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host = f"http://127.0.0.1:{server.server_address[1]}"
        send_with_segment(events, host, DEMO_WRITE_KEY)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    return server.writer.records_written


def run_demo(
    directory: Path = DEMO_DIR,
    seed: int = 7,
    quiet: bool = False,
    target_path: Path | None = None,
    today: dt.date | None = None,
) -> DemoResult:
    """Start from an empty demo folder and run the whole path once."""
    if directory.exists():
        shutil.rmtree(directory)
    landing = directory / "landing"
    database = directory / "ai_events.duckdb"
    landing.mkdir(parents=True)
    today = today or dt.datetime.now(dt.UTC).date()

    simulation = simulate(
        SIMULATED_EVENTS,
        out=directory / "simulated",
        seed=seed,
        start=today - dt.timedelta(days=SDK_DAYS + 2 + SIMULATED_DAYS),
        days=SIMULATED_DAYS,
    )
    shutil.copytree(simulation.landing, landing / "simulated")
    log.info("simulated: %s", simulation.describe())

    sent = feed_traffic(seed=seed, users=60, days=SDK_DAYS)
    requests = collect_with_segment(landing / "collected", sent)
    # What the app asked the SDK to send, for anyone who wants to recount.
    with open(directory / "sent_events.ndjson", "w") as handle:
        for event in sent:
            handle.write(json.dumps(asdict(event), default=str) + "\n")
    log.info("collected %d events from the Segment SDK in %d requests", len(sent), requests)

    # The simulated experiments are not split evenly: say how they were planned,
    # so the sample-ratio check tests the assignment against its own plan.
    allocations = {
        planted["experiment_id"]: {
            variant: arm["share"] for variant, arm in planted["arms"].items()
        }
        for key, planted in simulation.truth["planted"].items()
        if key.endswith("_experiment")
    }
    build = run_build(
        database,
        landing,
        directory / "quality",
        target=target_path,
        quiet=quiet,
        dbt_args=["--vars", json.dumps({"experiment_allocations": allocations})],
    )
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select event_date, model_version, position, impressions, clicks, "
            "orphan_clicks, click_through_rate from marts.fct_feed_ctr "
            "order by event_date, model_version, position"
        ).fetchall()
        # The analyst's roll-up: a ratio of sums, never an average of rates.
        rollup = con.execute(
            """
            select
                model_version,
                position,
                sum(impressions) as impressions,
                sum(clicks) as clicks,
                sum(orphan_clicks) as orphan_clicks,
                sum(clicks) / nullif(sum(impressions), 0) as click_through_rate
            from marts.fct_feed_ctr
            where event_date >= ?
            group by model_version, position
            order by model_version, position
            """,
            [min(e.timestamp for e in sent).date()],
        ).fetchall()
    dashboard = build_dashboard(database, directory / "dashboard.html")
    return DemoResult(database, landing, sent, simulation, build, rows, rollup, dashboard)


CTR_HEADER = (
    "model_version",
    "position",
    "impressions",
    "clicks",
    "orphan_clicks",
    "click_through_rate",
)


def format_table(header: tuple[str, ...], rows: list[tuple]) -> str:
    """A plain-text table: text left-aligned, numbers right-aligned."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    body = [[cell(v) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[k], int | float) or row[k] is None for row in rows)
        for k in range(len(header))
    ]
    widths = [max([len(h)] + [len(row[k]) for row in body]) for k, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if numeric[k] else c.ljust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join(
        [line(list(header)), line(["-" * w for w in widths])] + [line(r) for r in body]
    )
