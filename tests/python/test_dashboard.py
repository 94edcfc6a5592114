"""The dashboard, the analyses, the docs and the published copy, on one
warehouse built from five weeks of every AI surface.

The fixture is seeded and placed relative to today (UTC), so that "the last
seven days" and "the latest complete week" always have data: a
recommendation feed with two rankers at six positions, writing suggestions
on three platforms from two models, support conversations across the
intent-confidence range, two experiments (one split evenly, one skewed), a
few events that break the tracking plan (under 5% of their day, so the
build passes), and an unplanned event with a one-day spike. The latest
complete ISO week has half again as many feed users as the weeks before, so
feed impressions are what moved the north star.

The browser tests open the page in headless Chromium (Debian's package,
which `scripts/dev.py test` installs) by its command line alone: the page
records script errors in the DOM, and every chart records the marks it drew.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner
from scipy import stats

from ai_events import wire
from ai_events.cli import main as cli
from ai_events.dashboard import MARTS, DashboardError, collect, render, wilson_interval
from ai_events.dashboard.publish import PUBLIC_SCHEMAS, publish
from ai_events.dbt_runner import run_dbt
from ai_events.project import PROJECT_DIR

from conftest import Warehouse, write_ndjson

pytestmark = pytest.mark.dbt

ARTIFACTS = PROJECT_DIR / "test-artifacts"
ANALYSES = PROJECT_DIR / "analyses"
Z = 1.96


TODAY = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
DAYS = 35
RANKERS = {"ranker-v1": 0.24, "ranker-v2": 0.31}
POSITIONS = 6
WRITERS = {"writer-1": 0.0, "writer-2": 0.08}
PLATFORMS = {"web": 0.46, "ios": 0.38, "android": 0.30}
SPIKE_DAYS_AGO = 10


def day_start(days_ago: int) -> dt.datetime:
    """Midnight UTC, `days_ago` days before today."""
    return TODAY.replace(hour=0) - dt.timedelta(days=days_ago)


def latest_complete_week() -> dt.date:
    """The Monday of the latest ISO week that has ended before today."""
    today = TODAY.date()
    return today - dt.timedelta(days=today.weekday() + 7)


def is_in_latest_complete_week(days_ago: int) -> bool:
    monday = latest_complete_week()
    return monday <= (TODAY - dt.timedelta(days=days_ago)).date() <= monday + dt.timedelta(days=6)


def surfaces(seed: int = 11) -> tuple[list[wire.AppEvent], list[wire.AppEvent]]:
    """(events sent through Segment, events sent through RudderStack)."""
    rng = random.Random(seed)
    segment: list[wire.AppEvent] = []
    rudderstack: list[wire.AppEvent] = []

    def event(name: str, event_id: str, when: dt.datetime, user: str, device: str, **props):
        return wire.AppEvent(name=name, event_id=event_id, timestamp=when, user_id=user,
                             properties=props, platform=device,
                             app_version="4.2.0")  # fmt: skip

    for days_ago in range(1, DAYS + 1):
        start = day_start(days_ago)
        users = 24 if is_in_latest_complete_week(days_ago) else 16
        impressions_today = 0
        for user in range(users):
            version = "ranker-v2" if user % 2 else "ranker-v1"
            request = f"r{days_ago}_{user}"
            shown = start + dt.timedelta(hours=8, minutes=user * 20)
            for position in range(1, POSITIONS + 1):
                common = {"feed_request_id": request, "item_id": f"i{position}_{user}",
                          "position": position, "model_version": version}  # fmt: skip
                segment.append(event("Item Impressed", f"im_{request}_{position}",
                                     shown + dt.timedelta(seconds=position), f"u{user}",
                                     "web", **common))  # fmt: skip
                impressions_today += 1
                click = RANKERS[version] / (1 + 0.35 * (position - 1))
                if rng.random() < click:
                    segment.append(event("Item Clicked", f"cl_{request}_{position}",
                                         shown + dt.timedelta(minutes=1, seconds=position),
                                         f"u{user}", "web", **common))  # fmt: skip
        # Impressions that break the plan: at most two in a day of 96 or more.
        bad_at = start + dt.timedelta(hours=20)
        if days_ago % 3 == 0:
            segment.append(event("Item Impressed", f"bad_mv_{days_ago}", bad_at, "u0", "web",
                                 feed_request_id=f"x{days_ago}", item_id="ix",
                                 position=1))  # fmt: skip
        if days_ago % 4 == 0:
            segment.append(event("Item Impressed", f"bad_pos_{days_ago}", bad_at, "u1", "web",
                                 feed_request_id=f"y{days_ago}", item_id="iy",
                                 position="top", model_version="ranker-v1"))  # fmt: skip
        # An unplanned event, three a day, forty on one day.
        for number in range(40 if days_ago == SPIKE_DAYS_AGO else 3):
            segment.append(event("Legacy Banner Tapped", f"lb_{days_ago}_{number}",
                                 start + dt.timedelta(hours=9, minutes=number), "u2",
                                 "web", banner="promo"))  # fmt: skip

        for platform, base in PLATFORMS.items():
            for writer, lift in WRITERS.items():
                for number in range(8):
                    suggestion = f"s{days_ago}_{platform}_{writer}_{number}"
                    user = f"w{number}"
                    shown = start + dt.timedelta(hours=10, minutes=number * 7)
                    segment.append(event("suggestion_shown", f"ss_{suggestion}", shown, user,
                                         platform, suggestion_id=suggestion,
                                         model_version=writer,
                                         platform=platform))  # fmt: skip
                    if rng.random() < base + lift:
                        segment.append(event("suggestion_accepted", f"sa_{suggestion}",
                                             shown + dt.timedelta(seconds=20), user,
                                             platform, suggestion_id=suggestion))  # fmt: skip
                        if rng.random() < 0.3:
                            segment.append(event("suggestion_edited", f"se_{suggestion}",
                                                 shown + dt.timedelta(seconds=50), user,
                                                 platform, suggestion_id=suggestion,
                                                 edit_distance=7))  # fmt: skip
                    elif rng.random() < 0.6:
                        segment.append(event("suggestion_dismissed", f"sd_{suggestion}",
                                             shown + dt.timedelta(seconds=15), user,
                                             platform, suggestion_id=suggestion))  # fmt: skip

        for number in range(20):
            conversation = f"c{days_ago}_{number}"
            user = f"h{number}"
            started = start + dt.timedelta(hours=12, minutes=number * 25)
            # Never exactly on a bucket boundary: the calibration mart buckets by
            # floor(x / 0.1), which puts 0.6 in the 0.5 bucket (0.6 / 0.1 is
            # 5.999... in floating point), unlike the count the analysis is
            # checked against.
            confidence = 0.3005 + round(0.68 * rng.random(), 3)
            steps = [
                ("conversation_started", {"model_version": "assistant-1", "platform": "web"}),
                ("message_sent", {"message_role": "user"}),
                ("intent_classified", {"intent": "refund", "confidence": confidence}),
                ("answer_retrieved", {"model_version": "assistant-1"}),
            ]
            draw = rng.random()
            if draw < confidence * 0.9:
                steps.append(("conversation_ended", {"outcome": "resolved"}))
            elif draw < confidence * 0.9 + 0.12:
                steps.append(("conversation_ended", {"outcome": "abandoned"}))
            elif number % 3:
                steps.append(("conversation_ended", {"outcome": "escalated"}))
            for step, (name, props) in enumerate(steps):
                rudderstack.append(event(name, f"{conversation}_{step}",
                                         started + dt.timedelta(seconds=30 * step), user,
                                         "web", conversation_id=conversation,
                                         **props))  # fmt: skip

    for user in range(60):
        exposed = day_start(3) + dt.timedelta(hours=7, minutes=user)
        segment.append(event("experiment_exposed", f"xe_{user}", exposed, f"x{user}", "web",
                             experiment_id="feed_layout",
                             variant=("control", "treatment")[user % 2]))  # fmt: skip
        segment.append(event("experiment_exposed", f"xs_{user}", exposed, f"x{user}", "web",
                             experiment_id="reply_tone",
                             variant="control" if user < 45 else "treatment"))  # fmt: skip
    return segment, rudderstack


# --------------------------------------------------------------------------
# The warehouse


@pytest.fixture(scope="module")
def events() -> tuple[list[wire.AppEvent], list[wire.AppEvent]]:
    return surfaces()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, events: tuple[list, list]) -> Warehouse:
    root = tmp_path_factory.mktemp("dashboard")
    segment, rudderstack = events
    sent = TODAY + dt.timedelta(seconds=1)
    records = [
        wire.collector_record("segment", wire.segment_batch(segment[i : i + 500], sent), sent)
        for i in range(0, len(segment), 500)
    ] + [
        wire.collector_record(
            "rudderstack", wire.segment_batch(rudderstack[i : i + 500], sent, True), sent
        )
        for i in range(0, len(rudderstack), 500)
    ]
    write_ndjson(root / "landing" / "all.ndjson", records)
    warehouse = Warehouse(root)
    warehouse.load(root / "landing")
    warehouse.dbt("build")
    return warehouse


def last_seven_days() -> tuple[dt.date, dt.date]:
    """The reporting period, counted here apart from the dashboard's own logic."""
    yesterday = TODAY.date() - dt.timedelta(days=1)
    return yesterday - dt.timedelta(days=6), yesterday


def empty_marts(source: Path, target: Path, leave_out: tuple[str, ...] = ()) -> Path:
    """A warehouse with every mart the dashboard reads, and no rows in any."""
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as source (read_only)")
        con.execute("create schema marts")
        for mart in MARTS:
            if mart not in leave_out:
                con.execute(f"create table marts.{mart} as from source.marts.{mart} limit 0")
    return target


# --------------------------------------------------------------------------
# Headless Chromium, by its command line


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
)
WINDOW_WIDTH = 1280


def chromium() -> str:
    """Debian's Chromium; skipped only where this user could not install it."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() == 0:
        pytest.fail("chromium is missing: `python3.11 scripts/dev.py test` installs it")
    pytest.skip("chromium is missing and only root can install it (apt-get install chromium)")


def run_chromium(page: Path, *args: str, height: int = 900) -> str:
    """Open `page` in a fresh profile, let its scripts run, return stdout."""
    with tempfile.TemporaryDirectory(prefix="ai-events-chromium-") as profile:
        completed = subprocess.run(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW_WIDTH},{height}",
                "--virtual-time-budget=10000",
                *args,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


@dataclass
class Element:
    """An element of the DOM Chromium dumped."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.walk()

    def find_all(self, tag: str | None = None, **attrs: str | bool) -> list[Element]:
        """Elements by tag and attributes (`data_chart=True`: present at all)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            e
            for e in self.walk()
            if (tag is None or e.tag == tag)
            and all(
                (name in e.attrs) if value is True else e.attrs.get(name) == value
                for name, value in wanted.items()
            )
        ]

    def find(self, tag: str | None = None, **attrs: str | bool) -> Element:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} elements match {tag} {attrs}"
        return found[0]

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


# Elements HTML never closes.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    return builder.root


def rendered(page: Path) -> Element:
    """The page's DOM after its scripts ran."""
    return parse(run_chromium(page, "--dump-dom"))


def page_problems(dom: Element) -> list[str]:
    """What a reader would see go wrong: script errors, charts with no marks."""
    errors = dom.find("ol", id="script-error-list").find_all("li")
    problems = [f"script error: {item.text()}" for item in errors]
    if dom.find("body").attrs.get("data-render-status") != "done":
        problems.append("the renderer did not finish")
    for figure in dom.find_all(data_chart=True):
        name = figure.attrs["data-chart"]
        drawn = [e for e in figure.walk() if "mark" in e.classes()]
        if figure.attrs.get("data-error") is not None:
            problems.append(f"{name}: failed to draw")
        if not drawn:
            problems.append(f"{name}: drew no marks")
        elif figure.attrs.get("data-marks") != str(len(drawn)):
            problems.append(
                f"{name}: says {figure.attrs.get('data-marks')} marks, has {len(drawn)}"
            )
    return problems


def write_page(html: str, path: Path) -> Path:
    path.write_text(html)
    return path


@pytest.fixture(scope="module")
def dashboard(built: Warehouse) -> tuple[dict, Path, Element]:
    """The dashboard of the fixture: its data, its file, its rendered DOM; the
    screenshot is kept in test-artifacts/."""
    data = collect(built.database)
    page = write_page(render(data), built.root / "dashboard.html")
    dom = rendered(page)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(page, ARTIFACTS / "dashboard.html")
    # The renderer writes the page's height last; a page that broke first
    # is still shot, at a fixed height, for the checks to report on.
    height = int(dom.find("body").attrs.get("data-page-height", "4000"))
    run_chromium(page, f"--screenshot={ARTIFACTS / 'dashboard.png'}", height=height)
    return data, page, dom


# --------------------------------------------------------------------------
# The page in a browser


def test_every_chart_draws_without_a_script_error(dashboard: tuple) -> None:
    dom = dashboard[2]
    assert page_problems(dom) == []
    charts = {figure.attrs["data-chart"] for figure in dom.find_all(data_chart=True)}
    assert len(charts) == 12
    assert all(figure.attrs["data-empty"] == "false" for figure in dom.find_all(data_chart=True))
    screenshot = (ARTIFACTS / "dashboard.png").read_bytes()
    assert screenshot.startswith(b"\x89PNG") and len(screenshot) > 100_000


def test_the_check_fails_on_a_script_error_and_on_a_chart_that_cannot_draw(
    built: Warehouse, dashboard: tuple
) -> None:
    data = json.loads(json.dumps(dashboard[0]))
    del data["compose"]["by_platform"][0]["acceptance"]
    html = render(data).replace("</body>", "<script>window.noSuchFunction();</script></body>")
    problems = page_problems(rendered(write_page(html, built.root / "broken.html")))
    assert any("noSuchFunction" in problem for problem in problems)
    assert "compose-acceptance-by-platform: failed to draw" in problems


def test_a_failed_last_build_is_said_above_the_charts(built: Warehouse, dashboard: tuple) -> None:
    data = json.loads(json.dumps(dashboard[0]))
    assert data["meta"]["last_build"] is None  # the fixture was built by plain dbt
    data["meta"]["last_build"] = {
        "status": "failed",
        "finished_at": "2026-12-01T06:00:00",
        "checks_failed": 2,
        "message": "data test x on marts.y",
    }
    failed = rendered(write_page(render(data), built.root / "failed.html"))
    [banner] = failed.find_all(data_banner=True)
    assert "failed 2 checks" in banner.text() and "data test x on marts.y" in banner.text()
    data["meta"]["last_build"]["status"] = "success"
    passed = rendered(write_page(render(data), built.root / "passed.html"))
    assert passed.find_all(data_banner=True) == []


def test_empty_marts_show_no_data_yet_panels_and_fail_the_marks_check(
    built: Warehouse, tmp_path: Path
) -> None:
    database = empty_marts(built.database, tmp_path / "empty.duckdb")
    page = write_page(render(collect(database)), tmp_path / "empty.html")
    dom = rendered(page)
    figures = dom.find_all(data_chart=True) + dom.find_all(data_table=True)
    assert figures and all(figure.attrs["data-empty"] == "true" for figure in figures)
    assert all("No data yet" in figure.text() for figure in figures)
    problems = page_problems(dom)
    assert not [p for p in problems if p.startswith("script error")]
    assert len([p for p in problems if p.endswith("drew no marks")]) == len(
        dom.find_all(data_chart=True)
    )


def test_the_page_needs_no_network(dashboard: tuple) -> None:
    html = dashboard[1].read_text()
    for fetching in ("<script src", "<link", "<img", "@import", "url(", "<iframe"):
        assert fetching not in html
    addresses = {chunk.split('"')[0] for chunk in html.split("http")[1:]}
    assert addresses == {"://www.w3.org/2000/svg"}, addresses


# --------------------------------------------------------------------------
# The numbers on the page against the marts


def cells(dom: Element, table: str) -> dict[str, dict[str, Element]]:
    """A data table of the page: row key -> column -> cell."""
    found = dom.find("table", data_table_of=table)
    return {
        row.attrs["data-key"]: {cell.attrs["data-col"]: cell for cell in row.find_all("td")}
        for row in found.find_all("tr", data_key=True)
    }


def value_of(cell: Element) -> float:
    return float(cell.attrs["data-value"])


HEADLINES = {
    # card: (mart, summed numerator, summed denominator)
    "feed_ctr": ("fct_feed_ctr", "clicks", "impressions"),
    "suggestion_acceptance": (
        "fct_suggestion_funnel",
        "suggestions_accepted",
        "suggestions_shown",
    ),
    "chatbot_resolution": ("fct_chatbot_daily", "resolved", "closed_conversations"),
    "conformance": ("fct_tracking_plan_conformance", "conformed_events", "events"),
    "conformance_period": ("fct_tracking_plan_conformance", "conformed_events", "events"),
}


def test_headline_numbers_equal_the_marts(built: Warehouse, dashboard: tuple) -> None:
    dom = dashboard[2]
    for metric, (mart, successes, trials) in HEADLINES.items():
        summed, total = built.query(
            f"select sum({successes}), sum({trials}) from marts.{mart} "
            "where event_date between ? and ?",
            list(last_seven_days()),
        )[0]
        shown = dom.find(data_metric=metric)
        assert value_of(shown) == pytest.approx(summed / total, abs=1e-12), metric
        assert f"{summed / total:.1%}" in shown.text(), metric
    clicks, impressions = built.query(
        "select sum(clicks), sum(impressions) from marts.fct_feed_ctr "
        "where event_date between ? and ?",
        list(last_seven_days()),
    )[0]
    assert f"{clicks:,} of {impressions:,}, last 7 days" in dom.find(data_metric="feed_ctr").text()


def test_ctr_by_position_is_a_ratio_of_sums_with_a_recomputed_wilson_band(
    built: Warehouse, dashboard: tuple
) -> None:
    shown = cells(dashboard[2], "feed-ctr-by-position")
    first, last = last_seven_days()
    rows = built.query(
        "select model_version, position, sum(impressions), sum(clicks), "
        "avg(click_through_rate_lower) from marts.fct_feed_ctr "
        "where event_date between ? and ? group by all order by all",
        [first, last],
    )
    assert len(rows) == len(shown) == 2 * POSITIONS
    for version, position, impressions, clicks, averaged_lower in rows:
        row = shown[f"{version}:{position}"]
        lower, upper = wilson_interval(clicks, impressions, Z)
        assert value_of(row["impressions"]) == impressions
        assert value_of(row["clicks"]) == clicks
        assert value_of(row["rate"]) == pytest.approx(clicks / impressions, abs=1e-12)
        assert value_of(row["lower"]) == pytest.approx(lower, abs=1e-12)
        assert value_of(row["upper"]) == pytest.approx(upper, abs=1e-12)
        assert row["rate"].text() == f"{clicks / impressions:.1%}"
        assert abs(lower - averaged_lower) > 1e-6, "the band must not be an average of bounds"


def test_wilson_interval_equals_the_marts_bounds_row_by_row(built: Warehouse) -> None:
    rows = built.query(
        "select clicks, impressions, click_through_rate_lower, click_through_rate_upper "
        "from marts.fct_feed_ctr where impressions > 0"
    )
    assert rows
    for clicks, impressions, lower, upper in rows:
        assert wilson_interval(clicks, impressions, Z) == pytest.approx((lower, upper), abs=1e-12)
    assert wilson_interval(0, 10)[0] == pytest.approx(0, abs=1e-12)
    assert wilson_interval(10, 10)[1] == pytest.approx(1, abs=1e-12)
    assert all(math.isnan(bound) for bound in wilson_interval(0, 0))


def test_suggestion_and_chatbot_tables_equal_the_marts(built: Warehouse, dashboard: tuple) -> None:
    dom = dashboard[2]
    first, last = last_seven_days()
    acceptance = cells(dom, "compose-acceptance-by-platform")
    edits = cells(dom, "compose-edit-by-platform")
    funnel = built.query(
        "select platform, model_version, sum(suggestions_shown), sum(suggestions_accepted), "
        "sum(suggestions_edited) from marts.fct_suggestion_funnel "
        "where event_date between ? and ? group by all",
        [first, last],
    )
    assert len(funnel) == len(acceptance) == len(PLATFORMS) * len(WRITERS)
    for platform, version, shown, accepted, edited in funnel:
        key = f"{platform}:{version}"
        assert value_of(acceptance[key]["rate"]) == pytest.approx(accepted / shown)
        assert value_of(edits[key]["rate"]) == pytest.approx(edited / accepted)
    calibration = cells(dom, "chatbot-resolution-by-confidence")
    buckets = built.query(
        "select model_version, confidence_bucket_lower, sum(closed_conversations), "
        "sum(resolved) from marts.fct_chatbot_confidence_calibration "
        "where event_date between ? and ? group by all",
        [first, last],
    )
    assert len(buckets) == len(calibration) >= 5
    for version, lower, closed, resolved in buckets:
        row = calibration[f"{version}:{lower}"]
        assert value_of(row["closed"]) == closed
        assert value_of(row["rate"]) == pytest.approx(resolved / closed)


def kpi_driver_path(built: Warehouse, week: dt.date) -> list[str]:
    """The driver path, walked in Python over the mart's rows."""
    rows = built.query(
        "select node_id, parent_node_id, contribution_to_parent_change from marts.fct_kpi_tree "
        "where period = 'week' and period_start = ?",
        [week],
    )
    path = [node for node, parent, _ in rows if parent is None]
    while True:
        children = [(abs(c), node) for node, parent, c in rows if parent == path[-1] and c]
        if not children:
            return path
        path.append(max(children)[1])


def test_the_kpi_tree_shows_the_week_and_the_driver_that_moved_it(
    built: Warehouse, dashboard: tuple
) -> None:
    data, _, dom = dashboard
    week = latest_complete_week()
    assert data["kpi"]["week_start"] == week.isoformat()
    (north_star,) = built.query(
        "select value from marts.fct_kpi_tree where period = 'week' and period_start = ? "
        "and is_north_star",
        [week],
    )[0]
    assert value_of(dom.find(data_metric="north_star")) == north_star
    drivers = [node.attrs["data-node"] for node in dom.find_all(data_node=True)
               if "is-driver" in node.classes()]  # fmt: skip
    assert drivers == kpi_driver_path(built, week)
    assert drivers == ["ai_assisted_outcomes", "feed_clicks", "feed_impressions"]
    contributions = {
        node.attrs["data-node"]: value_of(
            next(e for e in node.walk() if "contribution" in e.classes())
        )
        for node in dom.find_all(data_node=True)
        if node.attrs["data-node"] != "ai_assisted_outcomes"
    }
    for node, contribution in built.query(
        "select node_id, contribution_to_parent_change from marts.fct_kpi_tree "
        "where period = 'week' and period_start = ? and not is_north_star",
        [week],
    ):
        assert contributions[node] == pytest.approx(contribution, abs=1e-9)
    assert "Feed clicks" in dom.find("p", id="kpi-lede").text()


def test_data_quality_panel_equals_the_marts(built: Warehouse, dashboard: tuple) -> None:
    dom = dashboard[2]
    first, last = last_seven_days()
    reasons = cells(dom, "quality-violations-by-reason")
    expected = built.query(
        "select reason_code, sum(violations) from marts.fct_tracking_plan_violations "
        "where event_date between ? and ? group by all",
        [first, last],
    )
    assert {code: value_of(row["violations"]) for code, row in reasons.items()} == dict(expected)
    assert {"unplanned_event", "missing_required_property", "wrong_type"} <= set(reasons)
    (anomalies,) = built.query(
        "select count(*) from marts.fct_event_volume_anomalies "
        "where is_anomaly and event_date >= ?",
        [last - dt.timedelta(days=27)],
    )[0]
    assert anomalies > 0
    assert value_of(dom.find(data_metric="volume_anomalies")) == anomalies
    assert "legacy_banner_tapped" in dom.find(data_chart="quality-volume-anomalies").text()
    freshness = cells(dom, "quality-freshness")
    landed = built.query(
        "select source_protocol, events_landed, "
        "epoch(current_timestamp::timestamp - last_loaded_at) / 3600 "
        "from marts.fct_landing_freshness"
    )
    assert set(freshness) == {"segment", "rudderstack"}
    for protocol, events_landed, age_now in landed:
        assert value_of(freshness[protocol]["events_landed"]) == events_landed
        # Aged when the page opened, a little before this query ran.
        assert 0 <= value_of(freshness[protocol]["age_hours"]) <= age_now + 1e-6
        assert age_now - value_of(freshness[protocol]["age_hours"]) < 0.25


# --------------------------------------------------------------------------
# Bad input


def test_bad_input_gets_a_clear_error(built: Warehouse, tmp_path: Path) -> None:
    runner = CliRunner()

    def error_of(database: Path) -> str:
        result = runner.invoke(cli, ["dashboard", "--db", str(database), "--out",
                                     str(tmp_path / "out.html")])  # fmt: skip
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        return result.output

    assert "no warehouse at" in error_of(tmp_path / "nowhere.duckdb")
    (tmp_path / "notes.duckdb").write_text("not a database\n" * 100)
    assert "cannot be opened as a DuckDB file" in error_of(tmp_path / "notes.duckdb")
    duckdb.connect(str(tmp_path / "new.duckdb")).close()
    assert "never built" in error_of(tmp_path / "new.duckdb")
    partial = empty_marts(built.database, tmp_path / "partial.duckdb", ("fct_kpi_tree",))
    assert "lacks marts.fct_kpi_tree" in error_of(partial)
    with held(empty_marts(built.database, tmp_path / "locked.duckdb"), read_only=False):
        assert "locked by a process writing" in error_of(tmp_path / "locked.duckdb")
    assert not (tmp_path / "out.html").exists()
    # --out naming the warehouse itself would overwrite it with the page.
    target = empty_marts(built.database, tmp_path / "target.duckdb")
    size = target.stat().st_size
    result = runner.invoke(cli, ["dashboard", "--db", str(target), "--out", str(target)])
    assert result.exit_code == 1 and "is the warehouse itself" in result.output
    assert target.stat().st_size == size


def test_the_command_writes_the_page_and_prints_its_path(built: Warehouse, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["dashboard", "--db", str(built.database),
                                      "--out", str(tmp_path / "d.html")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Dashboard: {(tmp_path / 'd.html').resolve()}"
    assert '"fct_feed_ctr"' in (tmp_path / "d.html").read_text()


# --------------------------------------------------------------------------
# Readers, writers and the published copy


class held:
    """Another process holding a DuckDB file open, until the block ends."""

    def __init__(self, database: Path, read_only: bool) -> None:
        self.database = database
        self.read_only = read_only

    def __enter__(self) -> subprocess.Popen:
        code = (
            "import duckdb, sys\n"
            f"con = duckdb.connect({str(self.database)!r}, read_only={self.read_only})\n"
            "print(con.execute('select count(*) from marts.fct_feed_ctr').fetchone()[0],"
            " flush=True)\n"
            "sys.stdin.read()\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.rows = int(self.process.stdout.readline())
        return self.process

    def __exit__(self, *exc: object) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def test_duckdb_readers_and_the_writer_exclude_each_other(built: Warehouse, tmp_path: Path):
    """What the README says about BI tools reading the live file."""
    database = shutil.copy(built.database, tmp_path / "live.duckdb")
    with held(database, read_only=True), duckdb.connect(str(database), read_only=True) as reader:
        assert reader.execute("select count(*) from marts.fct_feed_ctr").fetchone()[0]
    with held(database, read_only=True), pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(database))
    with held(database, read_only=False), pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(database), read_only=True)


def test_publish_copies_the_public_schemas_and_never_blocks_on_readers(
    built: Warehouse, tmp_path: Path
) -> None:
    copy = tmp_path / "published.duckdb"
    first = publish(built.database, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        found = con.execute("select distinct schema_name from duckdb_tables()").fetchall()
        schemas = {schema for (schema,) in found}
        tables = con.execute(
            "select schema_name || '.' || table_name, estimated_size from duckdb_tables()"
        ).fetchall()
    assert schemas == set(PUBLIC_SCHEMAS)
    assert first.tables == len(tables) and any(t.startswith("ml.") for t, _ in tables)
    with duckdb.connect(str(copy), read_only=True) as con:
        for table, _ in tables:
            counted = con.execute(f"select count(*) from {table}").fetchall()
            assert counted == built.query(f"select count(*) from {table}"), table
    with held(copy, read_only=True) as reader:
        again = publish(built.database, copy)
        assert reader.poll() is None and again.rows == first.rows
        with duckdb.connect(str(copy), read_only=True) as con:
            assert (
                con.execute("select count(*) from marts.fct_feed_ctr").fetchone()[0]
                == (built.query("select count(*) from marts.fct_feed_ctr")[0][0])
            )
    result = CliRunner().invoke(cli, ["publish", "--db", str(built.database),
                                      "--out", str(tmp_path / "cli.duckdb")])  # fmt: skip
    assert result.exit_code == 0 and "published" in result.output, result.output
    locked = shutil.copy(built.database, tmp_path / "busy.duckdb")
    with held(locked, read_only=False), pytest.raises(DashboardError, match="locked"):
        publish(locked, tmp_path / "never.duckdb")
    assert not (tmp_path / "never.duckdb").exists()


# --------------------------------------------------------------------------
# dbt docs and exposures


def test_the_exposure_depends_on_every_mart_the_dashboard_reads() -> None:
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "exposures.yml").read_text())
    (dashboard,) = exposures["exposures"]
    assert dashboard["type"] == "dashboard"
    assert dashboard["depends_on"] == [f"ref('{mart}')" for mart in MARTS]


def test_dbt_docs_generate_has_the_marts_the_sources_and_the_exposure(built: Warehouse) -> None:
    target = built.root / "docs"
    run_dbt(["docs", "generate"], database=built.database, quiet=True, target_path=target)
    catalog = json.loads((target / "catalog.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    marts = [node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["schema"] in PUBLIC_SCHEMAS]  # fmt: skip
    assert len(marts) >= len(MARTS)
    for node in marts:
        assert node["description"], node["unique_id"]
        documented = catalog["nodes"][node["unique_id"]]["columns"]
        assert set(documented) == {c.lower() for c in node["columns"]}, node["unique_id"]
    assert {"source.ai_events.raw.events"} <= set(catalog["sources"])
    exposure = manifest["exposures"]["exposure.ai_events.ai_events_dashboard"]
    assert exposure["type"] == "dashboard"
    assert sorted(exposure["depends_on"]["nodes"]) == sorted(f"model.ai_events.{m}" for m in MARTS)
    assert "doc.ai_events.taxonomy_data_dictionary" in manifest["docs"]
    assert (target / "index.html").exists()


# --------------------------------------------------------------------------
# The analyses


def fixture_counts(events: tuple[list, list], first: dt.date, last: dt.date) -> dict[str, Counter]:
    """Counted from what the fixture sent, apart from the warehouse."""
    names = ("impressions", "clicks", "shown", "accepted", "edited")
    counts: dict[str, Counter] = {name: Counter() for name in names}
    suggestion_cell: dict[str, tuple[str, str]] = {}
    for event in events[0]:
        day = event.timestamp.date()
        props = event.properties
        if not first <= day <= last:
            continue
        if event.event_id.startswith("im_"):
            counts["impressions"][(props["model_version"], props["position"])] += 1
        elif event.event_id.startswith("cl_"):
            counts["clicks"][(props["model_version"], props["position"])] += 1
        elif event.event_id.startswith("ss_"):
            suggestion_cell[props["suggestion_id"]] = (props["platform"], props["model_version"])
            counts["shown"][suggestion_cell[props["suggestion_id"]]] += 1
        elif event.event_id.startswith("sa_"):
            counts["accepted"][suggestion_cell[props["suggestion_id"]]] += 1
        elif event.event_id.startswith("se_"):
            counts["edited"][suggestion_cell[props["suggestion_id"]]] += 1
    return counts


def check_ctr(rows: list[tuple], built: Warehouse, counts: dict[str, Counter]) -> None:
    assert {(m, p): (i, c) for m, p, i, c, _ in rows} == {
        cell: (counts["impressions"][cell], counts["clicks"][cell])
        for cell in counts["impressions"]
    }
    assert all(rate == pytest.approx(c / i) for _, _, i, c, rate in rows)


def check_acceptance(rows: list[tuple], built: Warehouse, counts: dict[str, Counter]) -> None:
    assert {(p, m): (s, a, e) for p, m, s, a, e, _, _ in rows} == {
        cell: (counts["shown"][cell], counts["accepted"][cell], counts["edited"][cell])
        for cell in counts["shown"]
    }
    assert len(rows) == len(PLATFORMS) * len(WRITERS)
    assert all(rate == pytest.approx(a / s) and edit == pytest.approx(e / a)
               for _, _, s, a, e, rate, edit in rows)  # fmt: skip


def check_driver(rows: list[tuple], built: Warehouse, counts: dict[str, Counter]) -> None:
    week = latest_complete_week()
    assert [row[1] for row in rows] == kpi_driver_path(built, week)
    assert [row[0] for row in rows] == [0, 1, 2]
    assert [row[1] for row in rows] == ["ai_assisted_outcomes", "feed_clicks", "feed_impressions"]
    assert all(row[4] == week for row in rows)
    # 24 feed users a day, six items each, seven days.
    assert rows[-1][5] == 24 * POSITIONS * 7 and rows[-1][6] == 16 * POSITIONS * 7


def check_calibration(rows: list[tuple], built: Warehouse, counts: dict[str, Counter]) -> None:
    first, last = last_seven_days()
    expected = built.query(
        "select model_version, least(floor(mean_intent_confidence * 10) / 10, 0.9), "
        "count(*), count_if(outcome = 'resolved') from marts.fct_chatbot_conversations "
        "where outcome <> 'open' and mean_intent_confidence is not null "
        "and event_date between ? and ? group by all order by all",
        [first, last],
    )
    assert [(m, round(b, 6), n, r) for m, b, _, n, r, _, _ in rows] == [
        (m, round(b, 6), n, r) for m, b, n, r in expected
    ]
    assert len(rows) >= 5 and all(rate == pytest.approx(r / n) for *_, n, r, rate, _ in rows)


def check_srm(rows: list[tuple], built: Warehouse, counts: dict[str, Counter]) -> None:
    assert [(e, v, n) for e, v, n, *_ in rows] == [
        ("reply_tone", "control", 45),
        ("reply_tone", "treatment", 15),
    ]
    assert rows[0][6] == pytest.approx(stats.chisquare([45, 15]).pvalue, abs=1e-6)


ANALYSIS_CHECKS = {
    "ctr_by_model_version_and_position_last_week": check_ctr,
    "acceptance_by_platform_and_model_version_last_week": check_acceptance,
    "north_star_driver_last_week": check_driver,
    "chatbot_resolution_by_confidence_bucket": check_calibration,
    "experiments_with_sample_ratio_mismatch": check_srm,
}


def test_every_analysis_compiles_and_answers_from_the_marts(
    built: Warehouse, events: tuple[list, list]
) -> None:
    assert {path.stem for path in ANALYSES.glob("*.sql")} == set(ANALYSIS_CHECKS)
    target = built.root / "analyses"
    run_dbt(["compile", "--select", "resource_type:analysis"], database=built.database,
            quiet=True, target_path=target)  # fmt: skip
    counts = fixture_counts(events, *last_seven_days())
    with duckdb.connect(str(built.database), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        for name, check in ANALYSIS_CHECKS.items():
            sql = next(target.rglob(f"analyses/{name}.sql")).read_text()
            rows = con.execute(sql).fetchall()
            assert rows, f"{name} answered nothing"
            check(rows, built, counts)
