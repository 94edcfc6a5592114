"""The demo: real SDK traffic through the collector, loaded and built.

Everything runs on this machine: the collector listens on 127.0.0.1, the
Segment SDK sends to it, the loader lands the files in a DuckDB file of the
demo's own, and `dbt build` turns them into marts.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from ai_events.collector import CollectorConfig, serve
from ai_events.dashboard import build_dashboard
from ai_events.dbt_runner import run_dbt
from ai_events.landing.loader import LoadSummary, load_paths
from ai_events.project import PROJECT_DIR
from ai_events.traffic import SentEvent, feed_traffic, send_with_segment

log = logging.getLogger(__name__)

DEMO_DIR = PROJECT_DIR / "warehouse" / "demo"
DEMO_WRITE_KEY = "demo-segment-write-key"


@dataclass
class DemoResult:
    database: Path
    landing: Path
    sent: list[SentEvent]
    load: LoadSummary
    ctr_rows: list[tuple]  # fct_feed_ctr, every row
    ctr_by_version_and_position: list[tuple]  # the same, summed over the days
    dashboard: Path  # the HTML dashboard of the marts


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
) -> DemoResult:
    """Start from an empty demo folder and run the whole path once."""
    if directory.exists():
        shutil.rmtree(directory)
    landing = directory / "landing"
    database = directory / "ai_events.duckdb"
    landing.mkdir(parents=True)

    sent = feed_traffic(seed=seed, users=60)
    requests = collect_with_segment(landing, sent)
    # What the app asked the SDK to send, for anyone who wants to recount.
    with open(directory / "sent_events.ndjson", "w") as handle:
        for event in sent:
            handle.write(json.dumps(asdict(event), default=str) + "\n")
    log.info("collected %d events in %d requests", len(sent), requests)

    with duckdb.connect(str(database)) as con:
        summary = load_paths(con, [landing])
    log.info("loaded: %s", summary.describe())

    run_dbt(["build"], database=database, quiet=quiet, target_path=target_path)

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
            group by model_version, position
            order by model_version, position
            """
        ).fetchall()
    dashboard = build_dashboard(database, directory / "dashboard.html")
    log.info("dashboard (open it in a browser, no network needed): %s", dashboard)
    return DemoResult(database, landing, sent, summary, rows, rollup, dashboard)


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
