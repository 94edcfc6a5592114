"""The KPI marts end to end on a small fixture covering every surface: the
KPI tree against an independent count, the analyst's one-select question,
sample-ratio mismatch against scipy, training data without leakage, and
contracts that stop a changed mart."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from scipy import stats

from ai_events import wire
from ai_events.dbt_runner import dbt_executable
from ai_events.project import PROJECT_DIR

from conftest import Warehouse, copy_project, write_ndjson

pytestmark = pytest.mark.dbt

TODAY = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def ago(days: int, minutes: float = 0) -> dt.datetime:
    return TODAY - dt.timedelta(days=days) + dt.timedelta(minutes=minutes)


def track(event_id: str, name: str, when: dt.datetime, user: str, **properties: object):
    return wire.AppEvent(name=name, event_id=event_id, timestamp=when, user_id=user,
                         properties=properties, platform="web")  # fmt: skip


def surfaces() -> list[wire.AppEvent]:
    events = []
    # Feed, over the last two weeks: two rankers, positions 1 to 3.
    for day in range(1, 14):
        for user in range(6):
            request = f"r{day}_{user}"
            version = "ranker-a" if user % 2 else "ranker-b"
            for position in (1, 2, 3):
                item = f"i{position}"
                shown = ago(day, user * 10 + position)
                common = {"feed_request_id": request, "item_id": item, "position": position,
                          "model_version": version}  # fmt: skip
                events.append(track(f"f{request}{item}", "ranking_features_logged",
                                    shown - dt.timedelta(seconds=1), f"u{user}",
                                    features={"score": position / 10}, **common))  # fmt: skip
                events.append(track(f"im{request}{item}", "item_impressed", shown, f"u{user}",
                                    **common))  # fmt: skip
                if (day + user + position) % 4 == 0:
                    events.append(
                        track(
                            f"cl{request}{item}",
                            "item_clicked",
                            shown + dt.timedelta(minutes=1),
                            f"u{user}",
                            **common,
                        )
                    )
    # A feature vector logged after an impression must not be used.
    events.append(track("late_features", "ranking_features_logged", ago(1, 500), "u0",
                        feed_request_id="r1_0", item_id="i1", position=1,
                        model_version="ranker-b", features={"score": 99}))  # fmt: skip
    # Writing suggestions.
    for number in range(20):
        shown = ago(number % 10 + 1, number)
        suggestion = f"g{number}"
        events.append(track(f"ss{number}", "suggestion_shown", shown, f"u{number % 6}",
                            suggestion_id=suggestion, model_version="writer-1",
                            platform=("web", "ios")[number % 2]))  # fmt: skip
        if number % 3:
            events.append(track(f"sa{number}", "suggestion_accepted",
                                shown + dt.timedelta(minutes=2), f"u{number % 6}",
                                suggestion_id=suggestion))  # fmt: skip
    # Support conversations.
    for number in range(12):
        started = ago(number % 10 + 1, 30 * number)
        conversation = f"c{number}"
        events += [
            track(f"cs{number}", "conversation_started", started, f"u{number % 6}",
                  conversation_id=conversation, model_version="bot-1"),
            track(f"ci{number}", "intent_classified", started + dt.timedelta(seconds=5),
                  f"u{number % 6}", conversation_id=conversation, intent="refund",
                  confidence=0.35 + 0.05 * number),
        ]  # fmt: skip
        if number % 4:
            outcome = "resolved" if number % 2 else "escalated"
            events.append(track(f"ce{number}", "conversation_ended",
                                started + dt.timedelta(minutes=5), f"u{number % 6}",
                                conversation_id=conversation, outcome=outcome))  # fmt: skip
    # Conversations still going when the data ends are open, not abandoned.
    for number in range(3):
        events.append(
            track(
                f"open{number}",
                "conversation_started",
                ago(0, number),
                "u1",
                conversation_id=f"open{number}",
                model_version="bot-1",
            )
        )
    events.append(track("open_done", "conversation_ended", ago(0, 1), "u1",
                        conversation_id="open0", outcome="resolved"))  # fmt: skip
    # Two experiments: one split evenly, one badly skewed.
    for user in range(60):
        events.append(track(f"x1_{user}", "experiment_exposed", ago(3), f"x{user}",
                            experiment_id="even", variant=("a", "b")[user % 2]))  # fmt: skip
        events.append(
            track(
                f"x2_{user}",
                "experiment_exposed",
                ago(3),
                f"x{user}",
                experiment_id="skewed",
                variant="a" if user < 45 else "b",
            )
        )
    return events


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("marts")
    events = surfaces()
    sent = TODAY + dt.timedelta(seconds=1)
    records = [
        wire.collector_record("segment", wire.segment_batch(events[i : i + 200], sent), sent)
        for i in range(0, len(events), 200)
    ]
    write_ndjson(root / "landing" / "all.ndjson", records)
    warehouse = Warehouse(root)
    warehouse.load(root / "landing")
    warehouse.dbt("build")
    return warehouse


def test_the_north_star_equals_an_independent_count(built: Warehouse) -> None:
    tree = {
        (period_start, node): value
        for period_start, node, value in built.query(
            "select period_start, node_id, value from marts.fct_kpi_tree where period = 'day'"
        )
    }
    counted = built.query(
        """
        select day, sum(outcomes) from (
            select event_date as day, sum(clicks) as outcomes
            from marts.fct_feed_ctr group by 1
            union all
            select event_date, sum(suggestions_accepted) from marts.fct_suggestion_funnel group by 1
            union all
            select event_date, sum(resolved) from marts.fct_chatbot_daily group by 1
        ) group by day
        """
    )
    assert len(counted) >= 13
    for day, outcomes in counted:
        assert tree[(day, "ai_assisted_outcomes")] == pytest.approx(outcomes, abs=1e-9)


def test_ctr_by_model_version_and_position_last_week_is_one_select(built: Warehouse) -> None:
    analysis = "ctr_by_model_version_and_position_last_week"
    subprocess.run(
        [dbt_executable(), "--quiet", "compile", "-s", analysis,
         "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(built.target)],
        check=True, env={**__import__("os").environ, "AI_EVENTS_DB": str(built.database)},
    )  # fmt: skip
    sql = next(built.target.rglob(f"{analysis}.sql")).read_text()
    assert sql.lower().count("select") == 1
    answer = built.query(sql)
    expected = built.query(
        "select model_version, position, sum(impressions), sum(clicks) from marts.fct_feed_ctr "
        "where event_date between current_date - 7 and current_date - 1 group by 1, 2 order by 1, 2"
    )
    assert [row[:4] for row in answer] == expected and expected


def test_sample_ratio_mismatch_matches_scipy(built: Warehouse) -> None:
    rows = built.query(
        "select experiment_id, variant, exposed_users, srm_p_value, has_sample_ratio_mismatch "
        "from marts.fct_experiment_results order by 1, 2"
    )
    by_experiment: dict[str, list] = {}
    for experiment, _, users, p_value, flagged in rows:
        by_experiment.setdefault(experiment, []).append((users, p_value, flagged))
    for experiment, variants in by_experiment.items():
        expected = stats.chisquare([users for users, _, _ in variants]).pvalue
        assert variants[0][1] == pytest.approx(expected, abs=1e-6), experiment
    assert [flag for _, _, flag in by_experiment["even"]] == [False, False]
    assert [flag for _, _, flag in by_experiment["skewed"]] == [True, True]


def test_training_data_takes_nothing_from_after_the_impression(built: Warehouse) -> None:
    rows = built.query(
        "select features, features_logged_at <= impressed_at from ml.fct_feed_training_examples "
        "where feed_request_id = 'r1_0' and item_id = 'i1'"
    )
    assert rows == [('{"score":0.1}', True)]
    (total, with_features, labelled) = built.query(
        "select count(*), count(features), count_if(is_clicked_within_window) "
        "from ml.fct_feed_training_examples"
    )[0]
    (impressions, clicks) = built.query(
        "select sum(impressions), sum(clicks) from marts.fct_feed_ctr"
    )[0]
    assert (total, with_features, labelled) == (impressions, impressions, clicks)


def test_every_public_mart_has_a_contract_and_a_primary_key_test(built: Warehouse) -> None:
    manifest = json.loads((built.target / "manifest.json").read_text())
    public = {
        node_id: node
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["schema"] in ("marts", "ml")
    }
    assert len(public) >= 12
    keyed = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        name = node.get("test_metadata", {}).get("name")
        if name in ("unique", "unique_combination_of_columns"):
            keyed.update(n for n in node["depends_on"]["nodes"] if n in public)
    for node_id, node in public.items():
        assert node["config"]["contract"]["enforced"], node_id
        assert node_id in keyed, f"{node_id} has no primary-key test"


def test_a_mart_that_changes_a_column_type_fails_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    mart = project / "models" / "marts" / "feed" / "fct_feed_ctr.sql"
    mart.write_text(
        mart.read_text().replace(
            "cast(impressions as bigint) as impressions",
            "cast(impressions as varchar) as impressions",
        )
    )
    warehouse = Warehouse(tmp_path / "wh", project_dir=project)
    assert warehouse.dbt("build", "-s", "+fct_feed_ctr", check=False) != 0
    assert any("fct_feed_ctr" in node for node in warehouse.failed_nodes())


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * (p * (1 - p) / trials + z * z / (4 * trials * trials)) ** 0.5 / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def test_confidence_intervals_are_wilson_intervals(built: Warehouse) -> None:
    rows = built.query(
        "select resolved, closed_conversations, resolution_rate_lower, resolution_rate_upper "
        "from marts.fct_chatbot_daily where closed_conversations > 0 "
        "union all select clicks, impressions, click_through_rate_lower, click_through_rate_upper "
        "from marts.fct_feed_ctr where impressions > 0"
    )
    assert len(rows) > 20
    assert built.query(
        "select conversations, open_conversations, closed_conversations, resolution_rate "
        "from marts.fct_chatbot_daily where event_date = current_date"
    ) == [(3, 2, 1, 1.0)]
    for successes, trials, lower, upper in rows:
        assert (lower, upper) == pytest.approx(wilson(successes, trials), abs=1e-12)
