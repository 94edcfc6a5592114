"""The simulator: reproducible files, exact counts, the truth's definitions,
the planted parameters, and bad input refused with a clear message. None of
these run dbt; test_simulate_pipeline.py does."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ai_events.cli import main
from ai_events.simulate import (
    Dirt,
    DirtError,
    SimulationError,
    parse_dirt,
    raw_differences,
    simulate,
)
from ai_events.simulate.behaviour import Action, Device
from ai_events.simulate.truth import TruthCounter

from conftest import Warehouse

HEAVY = Dirt.heavy()


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = simulate(events=2_000, seed=11, out=tmp_path / "a", dirt=HEAVY)
    again = simulate(events=2_000, seed=11, out=tmp_path / "b", dirt=HEAVY)
    other = simulate(events=2_000, seed=12, out=tmp_path / "c", dirt=HEAVY)
    assert len(first.files) > 1
    assert digest(first.out) == digest(again.out)
    assert digest(first.out) != digest(other.out)


def test_events_are_counted_exactly_and_dirt_comes_on_top(tmp_path: Path) -> None:
    result = simulate(events=3_000, seed=5, out=tmp_path / "sim", dirt=HEAVY)
    emitted = result.emitted
    assert emitted["events"] == 3_000
    assert emitted["landed_events"] == (
        3_000
        + emitted["duplicate_events"]
        + emitted["dual_write_events"]
        + emitted["plan_violation_events"]
    )
    assert sum(emitted["landed_events_by_protocol"].values()) == emitted["landed_events"]
    assert set(emitted["landed_events_by_protocol"]) == {
        "amplitude", "rudderstack", "segment", "snowplow"
    }  # fmt: skip
    # Every kind of dirt happened at least once at these rates.
    for count in ("duplicate_events", "dual_write_events", "legacy_name_events",
                  "name_variant_events", "late_events", "skewed_events", "malformed_lines",
                  "lost_impressions", "bot_events", "plan_violation_events"):  # fmt: skip
        assert emitted[count] > 0, count
    clean = simulate(events=3_000, seed=5, out=tmp_path / "clean", dirt=Dirt.none())
    assert clean.emitted["landed_events"] == 3_000
    assert clean.emitted["lines"] == clean.emitted["requests"]


def raw_counts(warehouse: Warehouse, emitted: dict) -> list[str]:
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        return raw_differences(con, emitted)


def test_raw_landing_holds_exactly_what_was_emitted(tmp_path: Path) -> None:
    result = simulate(events=3_000, seed=9, out=tmp_path / "sim", dirt=HEAVY)
    warehouse = Warehouse(tmp_path / "wh")
    summary = warehouse.load(result.landing)
    assert summary.files_loaded == len(result.files)
    assert summary.items_rejected == result.emitted["malformed_lines"] > 0
    assert raw_counts(warehouse, result.emitted) == []

    # The check fails when the landing holds one more duplicate and one more
    # garbage line than the simulator says it wrote.
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    lines = result.files[0].read_bytes().splitlines(keepends=True)
    (tampered / "extra.ndjson").write_bytes(lines[0] + b"not json at all\n")
    warehouse.load(tampered)
    differences = raw_counts(warehouse, result.emitted)
    assert any(d.startswith("duplicates:") for d in differences)
    assert any(d.startswith("rejects by reason:") for d in differences)


def action(name: str, at: int, device: Device, user_id: str | None = None, **properties) -> Action:
    return Action(name, at, device, properties, f"e{at}", user_id, {}, group=1)


def test_truth_follows_the_mart_definitions() -> None:
    """Small hand-made histories whose counts are known."""
    web = Device("web", "segment", "anon-web", "3.2.0", None, "ua")
    phone = Device("ios", "amplitude", "anon-phone", "3.2.0", None, "ua")
    day = 20_000 * 86_400_000  # 2024-10-04
    feed = {"model_version": "ranker-v2", "position": 2}
    history = [
        # Exposed anonymously on the web, identified there later: one user.
        action("experiment_exposed", day + 1, web, experiment_id="x", variant="a"),
        action("user_identified", day + 2, web, "u1"),
        action("experiment_exposed", day + 3, web, "u1", experiment_id="x", variant="a"),
        # The phone never identified: a user of its own.
        action("experiment_exposed", day + 4, phone, experiment_id="x", variant="a"),
        # Impression r1/a clicked twice and saved; r1/b only impressed.
        action("item_impressed", day + 10, web, feed_request_id="r1", item_id="a", **feed),
        action("item_clicked", day + 11, web, feed_request_id="r1", item_id="a", **feed),
        action("item_clicked", day + 12, web, feed_request_id="r1", item_id="a", **feed),
        action("item_saved", day + 13, web, feed_request_id="r1", item_id="a", **feed),
        action("item_impressed", day + 14, web, feed_request_id="r1", item_id="b", **feed),
        # A click whose impression was lost, on the next day: an orphan there.
        action("item_clicked", day + 86_400_000, web, feed_request_id="r2", item_id="c", **feed),
        # Shown, accepted and edited; shown and dismissed; an edit without
        # an acceptance does not count.
        action("suggestion_shown", day + 20, web, suggestion_id="s1", platform="web",
               model_version="m"),
        action("suggestion_accepted", day + 3 * 86_400_000, web, suggestion_id="s1"),
        action("suggestion_edited", day + 3 * 86_400_000 + 1, web, suggestion_id="s1"),
        action("suggestion_shown", day + 21, web, suggestion_id="s2", platform="web",
               model_version="m"),
        action("suggestion_dismissed", day + 22, web, suggestion_id="s2"),
        action("suggestion_edited", day + 23, web, suggestion_id="s2"),
        # One conversation resolved, one with no end event: abandoned.
        action("conversation_started", day + 30, phone, conversation_id="c1",
               model_version="bot-v1"),
        action("conversation_ended", day + 31, phone, conversation_id="c1", outcome="resolved"),
        action("conversation_started", day + 32, phone, conversation_id="c2",
               model_version="bot-v1"),
    ]  # fmt: skip
    counter = TruthCounter()
    counter.add_person(history)
    tables = counter.tables()
    assert tables["fct_experiment_results"]["rows"] == [
        {"experiment_id": "x", "variant": "a", "exposed_users": 2}
    ]
    zero = {"saves": 0, "shares": 0, "reports": 0, "scrolled_past": 0}
    assert tables["fct_feed_ctr"]["rows"] == [
        {"event_date": "2024-10-04", "model_version": "ranker-v2", "position": 2,
         "impressions": 2, "clicks": 1, **zero, "saves": 1, "orphan_clicks": 0},
        {"event_date": "2024-10-05", "model_version": "ranker-v2", "position": 2,
         "impressions": 0, "clicks": 0, **zero, "orphan_clicks": 1},
    ]  # fmt: skip
    assert tables["fct_suggestion_funnel"]["rows"] == [
        {"event_date": "2024-10-04", "platform": "web", "model_version": "m",
         "suggestions_shown": 2, "suggestions_accepted": 1, "suggestions_edited": 1,
         "suggestions_dismissed": 1},
    ]  # fmt: skip
    assert tables["fct_chatbot_daily"]["rows"] == [
        {"event_date": "2024-10-04", "model_version": "bot-v1", "conversations": 2,
         "resolved": 1, "escalated": 0, "abandoned": 1},
    ]  # fmt: skip


def totals(rows: list[dict], key: tuple[str, ...], numerator: str, denominator: str) -> dict:
    sums: dict[tuple, list[int]] = {}
    for row in rows:
        pair = sums.setdefault(tuple(row[k] for k in key), [0, 0])
        pair[0] += row[numerator]
        pair[1] += row[denominator]
    return sums


def within(observed: int, trials: int, probability: float, sigmas: float = 4.0) -> bool:
    spread = math.sqrt(trials * probability * (1 - probability))
    return abs(observed - trials * probability) <= sigmas * spread + 1


def test_the_truth_shows_the_planted_parameters(tmp_path: Path) -> None:
    """Clicks by model and position, and acceptance by platform and model,
    are what the parameters say, within sampling error."""
    result = simulate(events=60_000, seed=21, out=tmp_path / "sim", dirt=Dirt.none())
    planted, marts = result.truth["planted"], result.truth["marts"]
    clicks = totals(
        marts["fct_feed_ctr"]["rows"], ("model_version", "position"), "clicks", "impressions"
    )
    checked = 0
    for (model, position), (clicked, impressions) in clicks.items():
        probability = planted["click_probability"][model][str(position)]
        assert within(clicked, impressions, probability), (model, position, clicked, impressions)
        checked += 1
    assert checked >= 30
    accepted = totals(
        marts["fct_suggestion_funnel"]["rows"],
        ("platform", "model_version"),
        "suggestions_accepted",
        "suggestions_shown",
    )
    for (platform, model), (count, shown) in accepted.items():
        assert within(count, shown, planted["acceptance"][platform][model]), (platform, model)
    assert len(accepted) == 6
    # The check can fail: the clicks of the best placement are not those of the worst.
    best, worst = clicks[("ranker-v3", 1)], clicks[("ranker-v1", 12)]
    assert not within(best[0], best[1], planted["click_probability"]["ranker-v1"]["12"])
    assert worst[1] > 0


def test_bad_dirt_is_refused_with_its_name() -> None:
    with pytest.raises(DirtError, match=r"dirt bots: 1.5 is outside \[0, 1\]"):
        Dirt(bots=1.5)
    with pytest.raises(DirtError, match=r"dirt late: -0\.1 is outside"):
        parse_dirt(["late=-0.1"])
    with pytest.raises(DirtError, match="unknown dirt spam"):
        parse_dirt(["duplicates=0.1,spam=0.2"])
    with pytest.raises(DirtError, match="'lots' is not a number"):
        parse_dirt(["bots=lots"])
    with pytest.raises(DirtError, match="expected NAME=RATE"):
        parse_dirt(["bots"])
    assert parse_dirt(["none", "bots=0.5"]) == Dirt.none().with_rates(bots=0.5)
    assert parse_dirt([]) == Dirt()


def test_bad_arguments_are_refused_with_what_and_where(tmp_path: Path) -> None:
    with pytest.raises(SimulationError, match="events: 10 is outside 1,000 to 10,000,000"):
        simulate(events=10, out=tmp_path / "few")
    with pytest.raises(SimulationError, match="days: 0 must be"):
        simulate(events=1_000, out=tmp_path / "days", days=0)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "old.ndjson").write_text("{}\n")
    with pytest.raises(SimulationError, match=f"--out {busy}: is not empty"):
        simulate(events=1_000, out=busy)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SimulationError, match=f"--out {blocker}/sim: cannot create it"):
        simulate(events=1_000, out=blocker / "sim")

    runner = CliRunner()
    cases = {
        ("--events", "500"): "Invalid value for '--events'",
        ("--events", "1000", "--dirt", "bots=2"): "Invalid value for --dirt: dirt bots: 2.0",
        ("--events", "1000", "--start", "next week"): "Invalid value for '--start'",
    }
    for args, message in cases.items():
        outcome = runner.invoke(main, ["simulate", *args, "--out", str(tmp_path / "cli")])
        assert outcome.exit_code == 2 and message in outcome.output, (args, outcome.output)
    outcome = runner.invoke(main, ["simulate", "--events", "1000", "--out", str(busy)])
    assert outcome.exit_code == 1 and "is not empty" in outcome.output


def test_the_command_writes_the_files_and_says_what_it_did(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    outcome = CliRunner().invoke(
        main,
        ["simulate", "--events", "1500", "--seed", "3", "--out", str(out), "--start",
         "2027-06-29", "--days", "3", "--dirt", "none,legacy_names=1"],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    assert "1500 events of" in outcome.output and str(out / "truth.json") in outcome.output
    truth = (out / "truth.json").read_text()
    again = simulate(
        events=1_500, seed=3, out=tmp_path / "api", start=dt.date(2027, 6, 29), days=3,
        dirt=Dirt.none().with_rates(legacy_names=1.0),
    )  # fmt: skip
    assert truth == again.truth_path.read_text()
    # The old name is sent only within its dual-write window, which ends on
    # 2027-06-30: a run after it has none.
    assert again.truth["generator"]["legacy_name_window"][1] == "2027-06-30"
    assert again.emitted["legacy_name_events"] > 0
    after = simulate(
        events=1_500, seed=3, out=tmp_path / "after", start=dt.date(2027, 7, 1), days=3,
        dirt=Dirt.none().with_rates(legacy_names=1.0),
    )  # fmt: skip
    assert after.emitted["legacy_name_events"] == 0
    assert after.truth["marts"]["fct_chatbot_daily"]["rows"], "no conversations to check"
