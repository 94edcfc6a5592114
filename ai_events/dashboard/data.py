"""What the dashboard shows, read from the marts of a DuckDB file opened read-only.

Rates shown for a period are ratios of the marts' summed counts, never
averages of their daily rates, and the confidence interval of such a
roll-up is recomputed here from the summed counts (the Wilson score
interval, the one the marts use per row).

The reporting period is the latest seven complete days with data: it ends
yesterday (UTC) when the warehouse is current, or on the latest day with
data when it is not. Trends cover the four weeks ending on the same day. The
KPI tree compares the latest complete ISO week with the one before.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ai_events.project import PROJECT_DIR

log = logging.getLogger(__name__)

# Every mart the dashboard reads; models/exposures.yml lists the same.
MARTS = (
    "fct_feed_ctr",
    "fct_suggestion_funnel",
    "fct_chatbot_daily",
    "fct_chatbot_confidence_calibration",
    "fct_kpi_tree",
    "fct_tracking_plan_conformance",
    "fct_tracking_plan_violations",
    "fct_event_volume_anomalies",
    "fct_landing_freshness",
)
PERIOD_DAYS = 7
TREND_DAYS = 28
KPI_HISTORY_WEEKS = 8
# The thresholds of dbt's source freshness on raw.events
# (models/staging/_raw__sources.yml).
FRESHNESS_WARN_HOURS = 6
FRESHNESS_ERROR_HOURS = 24
DEFAULT_Z = 1.96

Row = dict[str, Any]


class DashboardError(Exception):
    """A warehouse the dashboard cannot be built from; the message says what to do."""


def wilson_interval(successes: float, trials: float, z: float = DEFAULT_Z) -> tuple[float, float]:
    """The Wilson score interval of successes / trials; (nan, nan) without trials."""
    if not trials or trials <= 0:
        return (math.nan, math.nan)
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return ((centre - spread) / scale, (centre + spread) / scale)


def confidence_z(project_dir: Path = PROJECT_DIR) -> float:
    """The z of the marts' intervals: var rate_confidence_z of dbt_project.yml."""
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
        return float(project["vars"]["rate_confidence_z"])
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
        return DEFAULT_Z


@dataclass(frozen=True)
class Window:
    """The dates the dashboard reports on."""

    today: dt.date
    first_data_date: dt.date | None
    latest_data_date: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None

    @property
    def previous_start(self) -> dt.date | None:
        return self.period_start and self.period_start - dt.timedelta(days=PERIOD_DAYS)

    @property
    def previous_end(self) -> dt.date | None:
        return self.period_end and self.period_end - dt.timedelta(days=PERIOD_DAYS)

    @property
    def trend_start(self) -> dt.date | None:
        return self.period_end and self.period_end - dt.timedelta(days=TREND_DAYS - 1)


@contextmanager
def open_warehouse(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, or a DashboardError saying why not."""
    if not database.exists():
        raise DashboardError(
            f"no warehouse at {database}: build one with `ai-events build` "
            "(or `ai-events demo`), or pass --db"
        )
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        message = str(error).splitlines()[0]
        if "lock" in message.lower():
            raise DashboardError(
                f"{database} is locked by a process writing to it (a build or a load): "
                "DuckDB lets no reader in while a writer holds the file. Try again "
                "when it finishes; BI tools should read the copy `ai-events publish` makes"
            ) from error
        raise DashboardError(f"{database} cannot be opened as a DuckDB file: {message}") from error
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def never_built(database: Path) -> DashboardError:
    return DashboardError(
        f"{database} has no marts: it was never built. Run `ai-events build` "
        "(or `dbt build`) on it first"
    )


def not_the_warehouse(out: Path, database: Path, what: str) -> None:
    """Refuse to write `what` over the warehouse file itself."""
    if out.exists() and out.resolve() == database.resolve():
        raise DashboardError(f"{out} is the warehouse itself: write the {what} to another file")


def mart_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }


def check_marts(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    """Fail with what to do when the warehouse lacks a mart the dashboard reads."""
    present = mart_tables(con)
    missing = [mart for mart in MARTS if mart not in present]
    if len(missing) == len(MARTS):
        raise never_built(database)
    if missing:
        raise DashboardError(
            f"{database} lacks {', '.join('marts.' + m for m in missing)}: "
            "rebuild it with `ai-events build`"
        )


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[Row]:
    """Rows as dicts of JSON-ready values (dates as ISO strings)."""
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, map(plain, values), strict=True)) for values in cursor.fetchall()]


def plain(value: Any) -> Any:
    """A value JSON can hold: dates as ISO text, NaN as None, big sums as numbers."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | int):
        return float(value)
    return value


def rate(successes: float | None, trials: float | None, z: float) -> Row:
    """A rolled-up rate with its Wilson interval, from summed counts."""
    successes, trials = successes or 0, trials or 0
    measured = trials > 0
    lower, upper = wilson_interval(successes, trials, z) if measured else (None, None)
    return {
        "successes": successes,
        "trials": trials,
        "rate": successes / trials if measured else None,
        "lower": lower,
        "upper": upper,
    }


def reporting_window(con: duckdb.DuckDBPyConnection, today: dt.date) -> Window:
    """The period: the latest seven complete days with data in the activity marts."""
    first, latest = con.execute(
        """
        select min(event_date), max(event_date) from (
            select event_date from marts.fct_feed_ctr
            union all select event_date from marts.fct_suggestion_funnel
            union all select event_date from marts.fct_chatbot_daily
        )
        """
    ).fetchone()
    if latest is None:
        return Window(today, None, None, None, None)
    yesterday = today - dt.timedelta(days=1)
    # Today is still filling up: end yesterday, unless today is all there is.
    end = min(latest, yesterday) if first <= yesterday else latest
    return Window(today, first, latest, end - dt.timedelta(days=PERIOD_DAYS - 1), end)


def rated(rows: list[Row], successes: str, trials: str, z: float) -> list[Row]:
    """Add the rate of two summed counts, with its interval, to every row."""
    for row in rows:
        row.update(rate(row[successes], row[trials], z))
    return rows


def headline(
    con: duckdb.DuckDBPyConnection, w: Window, mart: str, successes: str, trials: str, z: float
) -> Row:
    """The rate of `mart` over the period and over the period before it."""

    def total(start: dt.date | None, end: dt.date | None) -> Row:
        summed = con.execute(
            f"select sum({successes}), sum({trials}) from marts.{mart} "
            "where event_date between ? and ?",
            [start, end],
        ).fetchone()
        return rate(summed[0], summed[1], z)

    return {
        "period": total(w.period_start, w.period_end),
        "previous": total(w.previous_start, w.previous_end),
    }


def feed_section(con: duckdb.DuckDBPyConnection, w: Window, z: float) -> Row:
    """Click-through by position and model version for the period, and by day."""
    by_position = query(
        con,
        """
        select model_version, position, sum(impressions) as impressions,
            sum(clicks) as clicks
        from marts.fct_feed_ctr
        where event_date between ? and ? and position is not null
        group by model_version, position
        having sum(impressions) > 0
        order by model_version, position
        """,
        [w.period_start, w.period_end],
    )
    daily = query(
        con,
        """
        select event_date, model_version, sum(impressions) as impressions,
            sum(clicks) as clicks
        from marts.fct_feed_ctr
        where event_date between ? and ?
        group by event_date, model_version
        having sum(impressions) > 0
        order by event_date, model_version
        """,
        [w.trend_start, w.period_end],
    )
    return {
        "by_position": rated(by_position, "clicks", "impressions", z),
        "daily": rated(daily, "clicks", "impressions", z),
        **headline(con, w, "fct_feed_ctr", "clicks", "impressions", z),
    }


def compose_section(con: duckdb.DuckDBPyConnection, w: Window, z: float) -> Row:
    """Acceptance and edit rates by platform and model version, and acceptance by day."""
    by_platform = query(
        con,
        """
        select platform, model_version, sum(suggestions_shown) as shown,
            sum(suggestions_accepted) as accepted, sum(suggestions_edited) as edited,
            sum(suggestions_dismissed) as dismissed
        from marts.fct_suggestion_funnel
        where event_date between ? and ?
        group by platform, model_version
        having sum(suggestions_shown) > 0
        order by platform, model_version
        """,
        [w.period_start, w.period_end],
    )
    for row in by_platform:
        row["acceptance"] = rate(row["accepted"], row["shown"], z)
        row["edit"] = rate(row["edited"], row["accepted"], z)
    daily = query(
        con,
        """
        select event_date, model_version, sum(suggestions_shown) as shown,
            sum(suggestions_accepted) as accepted
        from marts.fct_suggestion_funnel
        where event_date between ? and ?
        group by event_date, model_version
        having sum(suggestions_shown) > 0
        order by event_date, model_version
        """,
        [w.trend_start, w.period_end],
    )
    return {
        "by_platform": by_platform,
        "daily": rated(daily, "accepted", "shown", z),
        **headline(con, w, "fct_suggestion_funnel", "suggestions_accepted", "suggestions_shown", z),
    }


def chatbot_section(con: duckdb.DuckDBPyConnection, w: Window, z: float) -> Row:
    """Outcome rates by day, and resolution by intent-confidence bucket for the period."""
    daily = query(
        con,
        """
        select event_date, sum(conversations) as conversations,
            sum(closed_conversations) as closed, sum(resolved) as resolved,
            sum(escalated) as escalated, sum(abandoned) as abandoned,
            sum(open_conversations) as open_conversations
        from marts.fct_chatbot_daily
        where event_date between ? and ?
        group by event_date
        having sum(closed_conversations) > 0
        order by event_date
        """,
        [w.trend_start, w.period_end],
    )
    for row in daily:
        for outcome in ("resolved", "escalated", "abandoned"):
            row[outcome + "_rate"] = rate(row[outcome], row["closed"], z)
    by_confidence = query(
        con,
        """
        select model_version, confidence_bucket_lower, confidence_bucket_upper,
            sum(closed_conversations) as closed, sum(resolved) as resolved,
            sum(mean_intent_confidence * closed_conversations)
                / sum(closed_conversations) as mean_intent_confidence
        from marts.fct_chatbot_confidence_calibration
        where event_date between ? and ?
        group by model_version, confidence_bucket_lower, confidence_bucket_upper
        having sum(closed_conversations) > 0
        order by model_version, confidence_bucket_lower
        """,
        [w.period_start, w.period_end],
    )
    return {
        "daily": daily,
        "by_confidence": rated(by_confidence, "resolved", "closed", z),
        **headline(con, w, "fct_chatbot_daily", "resolved", "closed_conversations", z),
    }


def is_rate_node(node_id: str) -> bool:
    """Nodes named for a ratio (`*_rate`, `*_share`) show as percentages."""
    return node_id.endswith(("_rate", "_share"))


def kpi_section(con: duckdb.DuckDBPyConnection, w: Window) -> Row:
    """The KPI tree for the latest complete ISO week against the week before."""
    # A week is complete once its Sunday is over: it started a week ago or more.
    (week,) = con.execute(
        "select max(period_start) from marts.fct_kpi_tree "
        "where period = 'week' and period_start <= ?",
        [w.today - dt.timedelta(days=7)],
    ).fetchone()
    if week is None:
        return {"week_start": None, "nodes": [], "history": [], "driver_path": []}
    nodes = query(
        con,
        """
        select node_id, parent_node_id, node_name, description, formula, depth,
            is_north_star, value, previous_value, change, change_ratio,
            contribution_to_parent_change
        from marts.fct_kpi_tree
        where period = 'week' and period_start = ?
        order by depth, node_id
        """,
        [week],
    )
    for node in nodes:
        node["is_rate"] = is_rate_node(node["node_id"])
    history = query(
        con,
        """
        select period_start, value
        from marts.fct_kpi_tree
        where period = 'week' and is_north_star and period_start between ? and ?
        order by period_start
        """,
        [week - dt.timedelta(weeks=KPI_HISTORY_WEEKS - 1), week],
    )
    path = driver_path(nodes)
    for node in nodes:
        node["is_driver"] = node["node_id"] in path
    return {
        "week_start": week.isoformat(),
        "week_end": (week + dt.timedelta(days=6)).isoformat(),
        "previous_week_start": (week - dt.timedelta(days=7)).isoformat(),
        "nodes": nodes,
        "history": history,
        "driver_path": path,
    }


def driver_path(nodes: list[Row]) -> list[str]:
    """From the north star down, the child that accounts for most of each change."""
    children: dict[str | None, list[Row]] = {}
    for node in nodes:
        children.setdefault(node["parent_node_id"], []).append(node)
    if not children.get(None):
        return []
    path = [children[None][0]["node_id"]]
    while True:
        moved = [n for n in children.get(path[-1], []) if n["contribution_to_parent_change"]]
        if not moved:
            return path
        driver = max(moved, key=lambda n: abs(n["contribution_to_parent_change"]))
        path.append(driver["node_id"])


def quality_section(con: duckdb.DuckDBPyConnection, w: Window) -> Row:
    """Conformance, quarantine reasons, volume anomalies and landing freshness."""
    quality: Row = {"freshness": freshness(con)}
    conformance_dates = con.execute(
        "select max(event_date) from marts.fct_tracking_plan_conformance"
    ).fetchone()[0]
    end = w.period_end or conformance_dates
    if end is None:
        quality.update(conformance=None, violations=[], top_violations=[], anomalies=None)
        return quality
    start = end - dt.timedelta(days=PERIOD_DAYS - 1)
    trend_start = end - dt.timedelta(days=TREND_DAYS - 1)
    quality["conformance"] = {
        "period": _conformance_total(con, start, end),
        "previous": _conformance_total(
            con, start - dt.timedelta(days=PERIOD_DAYS), end - dt.timedelta(days=PERIOD_DAYS)
        ),
        "daily": query(
            con,
            """
            select event_date, sum(events) as events,
                sum(conformed_events) as conformed_events,
                sum(conformed_events) / sum(events) as conformance_rate,
                sum(case when is_planned then conformed_events else 0 end)
                    / nullif(sum(case when is_planned then events else 0 end), 0)
                    as planned_conformance_rate
            from marts.fct_tracking_plan_conformance
            where event_date between ? and ?
            group by event_date
            order by event_date
            """,
            [trend_start, end],
        ),
        "worst_events": query(
            con,
            """
            select event_name, is_planned, coalesce(max(owner), '') as owner,
                sum(events) as events, sum(quarantined_events) as quarantined_events,
                sum(conformed_events) / sum(events) as conformance_rate
            from marts.fct_tracking_plan_conformance
            where event_date between ? and ?
            group by event_name, is_planned
            having sum(quarantined_events) > 0
            order by quarantined_events desc, event_name
            limit 6
            """,
            [start, end],
        ),
    }
    quality["violations"] = query(
        con,
        """
        select reason_code, sum(violations) as violations
        from marts.fct_tracking_plan_violations
        where event_date between ? and ?
        group by reason_code
        order by violations desc, reason_code
        """,
        [start, end],
    )
    quality["top_violations"] = query(
        con,
        """
        select event_name, reason_code, property_name, sum(violations) as violations
        from marts.fct_tracking_plan_violations
        where event_date between ? and ?
        group by event_name, reason_code, property_name
        order by violations desc, event_name, reason_code, property_name
        limit 8
        """,
        [start, end],
    )
    quality["anomalies"] = anomalies(con, trend_start)
    return quality


def _conformance_total(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> Row:
    return query(
        con,
        """
        select coalesce(sum(events), 0) as events,
            coalesce(sum(conformed_events), 0) as conformed_events,
            coalesce(sum(quarantined_events), 0) as quarantined_events,
            sum(conformed_events) / nullif(sum(events), 0) as conformance_rate,
            sum(case when is_planned then conformed_events else 0 end)
                / nullif(sum(case when is_planned then events else 0 end), 0)
                as planned_conformance_rate,
            coalesce(sum(case when is_planned then 0 else events end), 0)
                as unplanned_events
        from marts.fct_tracking_plan_conformance
        where event_date between ? and ?
        """,
        [start, end],
    )[0]


def anomalies(con: duckdb.DuckDBPyConnection, since: dt.date) -> Row:
    """Volume anomalies since `since`, and the daily volume of the latest one's event."""
    found = query(
        con,
        """
        select event_date, event_name, events, baseline_events, expected_low,
            expected_high, events_over_baseline, anomaly_direction, is_latest_day
        from marts.fct_event_volume_anomalies
        where is_anomaly and event_date >= ?
        order by event_date desc, event_name
        """,
        [since],
    )
    monitored = con.execute(
        "select count(distinct event_name), max(event_date) "
        "from marts.fct_event_volume_anomalies where event_date >= ?",
        [since],
    ).fetchone()
    # The chart follows the latest anomaly on a complete day, else the
    # busiest event, to show what normal looks like.
    focus = next((a for a in found if not a["is_latest_day"]), found[0] if found else None)
    focus_event = focus["event_name"] if focus else None
    if focus_event is None:
        busiest = con.execute(
            "select event_name from marts.fct_event_volume_anomalies where event_date >= ? "
            "group by event_name order by sum(events) desc, event_name limit 1",
            [since],
        ).fetchone()
        focus_event = busiest[0] if busiest else None
    series: list[Row] = []
    if focus_event is not None:
        series = query(
            con,
            """
            select event_date, events, expected_low, expected_high, is_anomaly
            from marts.fct_event_volume_anomalies
            where event_name = ? and event_date >= ?
            order by event_date
            """,
            [focus_event, since],
        )
    return {
        "since": since.isoformat(),
        "monitored_events": monitored[0],
        "latest_date": plain(monitored[1]),
        "total": len(found),
        "rows": found[:12],
        "focus_event": focus_event,
        "focus_series": series,
    }


def freshness(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """The landing per tracker protocol; the page computes ages when it opens."""
    return query(
        con,
        """
        select source_protocol, last_loaded_at, last_received_at, events_landed, loads
        from marts.fct_landing_freshness
        order by source_protocol
        """,
    )


def last_build(con: duckdb.DuckDBPyConnection) -> Row | None:
    """The latest run of `ai-events build` (ops.build_runs), or None when the
    warehouse was built otherwise (plain dbt, a published copy)."""
    present = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'ops' and table_name = 'build_runs'"
    ).fetchall()[0][0]
    if not present:
        return None
    rows = query(
        con,
        "select status, finished_at, checks_failed, message from ops.build_runs "
        "order by started_at desc limit 1",
    )
    return rows[0] if rows else None


def collect(database: Path, now: dt.datetime | None = None, project_dir: Path = PROJECT_DIR) -> Row:
    """Everything the dashboard shows, from the marts of `database` (read-only)."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    z = confidence_z(project_dir)
    with open_warehouse(database) as con:
        check_marts(con, database)
        window = reporting_window(con, moment.date())
        data: Row = {
            "meta": {
                "generated_at": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
                "database": database.name,
                "today": window.today.isoformat(),
                "first_data_date": plain(window.first_data_date),
                "latest_data_date": plain(window.latest_data_date),
                "period_start": plain(window.period_start),
                "period_end": plain(window.period_end),
                "previous_start": plain(window.previous_start),
                "previous_end": plain(window.previous_end),
                "trend_start": plain(window.trend_start),
                "period_days": PERIOD_DAYS,
                "confidence_z": z,
                "freshness_warn_hours": FRESHNESS_WARN_HOURS,
                "freshness_error_hours": FRESHNESS_ERROR_HOURS,
                "marts": list(MARTS),
                "last_build": last_build(con),
            },
            "feed": feed_section(con, window, z),
            "compose": compose_section(con, window, z),
            "chatbot": chatbot_section(con, window, z),
            "kpi": kpi_section(con, window),
            "quality": quality_section(con, window),
        }
    log.debug("dashboard data for %s to %s", window.period_start, window.period_end)
    return data
