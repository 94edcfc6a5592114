"""The truth: exact counts per mart cell, from the true events before dirt.

Bots are left out; lost impressions never happened as far as the warehouse
can know, so they are not impressions, and their clicks are orphans. The
definitions are the marts' own:

- fct_feed_ctr (event_date, model_version, position), the date of the
  impression's true time: impressions are distinct (feed_request_id,
  item_id) impressed; clicks, saves, shares, reports and scrolled_past are
  impressions with at least one matching event of that kind; orphan_clicks
  are distinct clicked pairs with no impression, in the cell of their first
  click.
- fct_suggestion_funnel (event_date, platform, model_version) of
  suggestion_shown: shown, accepted, edited (of accepted) and dismissed
  suggestions.
- fct_chatbot_daily (event_date, model_version) of conversation_started:
  conversations by outcome; no conversation_ended at all is abandoned.
- fct_experiment_results (experiment_id, variant): distinct users after
  identity stitching, where a device that ever identified is its user.

Cells can be dated after the period's last day (a session that runs past
midnight); an acceptance or a conversation's end counts in the cell of its
suggestion or conversation, however much later it came.

The truth file (`truth.json`, format `ai-events-simulation-truth/1`) holds:
`generator` (events, seed, start, days, period_end, dirt rates, the legacy
name's window), `planted` (the parameters, with the click probability per
model and position), `population` (people, bot_people, devices by tracker),
`emitted` (what the landing files hold: events, landed_events, requests,
retried_requests, duplicate_events, dual_write_events, plan_violation_events,
late_events, skewed_events, lost_impressions, malformed_lines by kind, lines, files,
bytes, landed events and requests by protocol) and `marts`: per mart, its
`key` and `columns` and `rows`, one object per cell with every key and
count column, sorted by key.

`compare` checks mart rows against the truth, cell by cell and column by
column, for the columns asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ai_events.simulate.behaviour import Action
from ai_events.simulate.delivery import day_of

TRUTH_FORMAT = "ai-events-simulation-truth/1"


@dataclass(frozen=True)
class MartSpec:
    key: tuple[str, ...]
    columns: tuple[str, ...]


MARTS: dict[str, MartSpec] = {
    "fct_feed_ctr": MartSpec(
        ("event_date", "model_version", "position"),
        ("impressions", "clicks", "saves", "shares", "reports", "scrolled_past", "orphan_clicks"),
    ),
    "fct_suggestion_funnel": MartSpec(
        ("event_date", "platform", "model_version"),
        (
            "suggestions_shown",
            "suggestions_accepted",
            "suggestions_edited",
            "suggestions_dismissed",
        ),
    ),
    "fct_chatbot_daily": MartSpec(
        ("event_date", "model_version"), ("conversations", "resolved", "escalated", "abandoned")
    ),
    "fct_experiment_results": MartSpec(("experiment_id", "variant"), ("exposed_users",)),
}

FEED_FLAGS = {
    "item_saved": "saves",
    "item_shared": "shares",
    "item_reported": "reports",
    "feed_scrolled_past": "scrolled_past",
}


class TruthCounter:
    """Adds up the cells of every mart, one person's true events at a time."""

    def __init__(self) -> None:
        self.cells: dict[str, defaultdict[tuple, defaultdict[str, int]]] = {
            mart: defaultdict(lambda: defaultdict(int)) for mart in MARTS
        }

    def add_person(self, actions: Sequence[Action]) -> None:
        """Count one person's delivered events. Feed requests, suggestions,
        conversations and devices belong to one person, so a person's events
        can be counted on their own."""
        impressed: dict[tuple, tuple] = {}
        first_clicks: dict[tuple, tuple[int, tuple]] = {}
        flagged: dict[str, set[tuple]] = {name: set() for name in FEED_FLAGS}
        shown: dict[str, tuple] = {}
        accepted: set[str] = set()
        edited: set[str] = set()
        dismissed: set[str] = set()
        started: dict[str, tuple] = {}
        outcomes: dict[str, str] = {}
        device_user = {a.device: a.user_id for a in actions if a.user_id is not None}
        exposed: dict[tuple, set[str]] = defaultdict(set)

        for action in actions:
            name, p = action.name, action.properties
            if name == "item_impressed":
                cell = (day_of(action.at).isoformat(), p["model_version"], p["position"])
                impressed[(p["feed_request_id"], p["item_id"])] = cell
            elif name == "item_clicked":
                pair = (p["feed_request_id"], p["item_id"])
                cell = (day_of(action.at).isoformat(), p["model_version"], p["position"])
                if pair not in first_clicks or action.at < first_clicks[pair][0]:
                    first_clicks[pair] = (action.at, cell)
            elif name in FEED_FLAGS:
                flagged[name].add((p["feed_request_id"], p["item_id"]))
            elif name == "suggestion_shown":
                shown[p["suggestion_id"]] = (
                    day_of(action.at).isoformat(),
                    p["platform"],
                    p["model_version"],
                )
            elif name == "suggestion_accepted":
                accepted.add(p["suggestion_id"])
            elif name == "suggestion_edited":
                edited.add(p["suggestion_id"])
            elif name == "suggestion_dismissed":
                dismissed.add(p["suggestion_id"])
            elif name == "conversation_started":
                started[p["conversation_id"]] = (day_of(action.at).isoformat(), p["model_version"])
            elif name == "conversation_ended":
                outcomes[p["conversation_id"]] = p["outcome"]
            elif name == "experiment_exposed":
                device = action.device
                who = action.user_id or device_user.get(device, device.anonymous_id)
                exposed[(p["experiment_id"], p["variant"])].add(who)

        feed = self.cells["fct_feed_ctr"]
        for pair, cell in impressed.items():
            counts = feed[cell]
            counts["impressions"] += 1
            counts["clicks"] += pair in first_clicks
            for name, column in FEED_FLAGS.items():
                counts[column] += pair in flagged[name]
        for pair, (_, cell) in first_clicks.items():
            if pair not in impressed:
                feed[cell]["orphan_clicks"] += 1

        funnel = self.cells["fct_suggestion_funnel"]
        for suggestion, cell in shown.items():
            counts = funnel[cell]
            counts["suggestions_shown"] += 1
            is_accepted = suggestion in accepted
            counts["suggestions_accepted"] += is_accepted
            counts["suggestions_edited"] += is_accepted and suggestion in edited
            counts["suggestions_dismissed"] += suggestion in dismissed

        chatbot = self.cells["fct_chatbot_daily"]
        for conversation, cell in started.items():
            counts = chatbot[cell]
            counts["conversations"] += 1
            counts[outcomes.get(conversation, "abandoned")] += 1

        experiments = self.cells["fct_experiment_results"]
        for cell, users in exposed.items():
            experiments[cell]["exposed_users"] += len(users)

    def tables(self) -> dict[str, dict]:
        """Every mart as {key, columns, rows}, rows sorted by key, zeros filled."""
        tables = {}
        for mart, spec in MARTS.items():
            rows = []
            for cell in sorted(self.cells[mart]):
                counts = self.cells[mart][cell]
                row = dict(zip(spec.key, cell, strict=True))
                row.update({column: int(counts.get(column, 0)) for column in spec.columns})
                rows.append(row)
            tables[mart] = {"key": list(spec.key), "columns": list(spec.columns), "rows": rows}
        return tables


@dataclass(frozen=True)
class Difference:
    """One cell and column where the mart and the truth disagree."""

    mart: str
    cell: tuple
    column: str
    truth: int | None  # None: the truth has no such cell
    mart_value: int | None  # None: the mart has no such row

    def __str__(self) -> str:
        where = ", ".join(str(v) for v in self.cell)
        return f"{self.mart} ({where}) {self.column}: truth {self.truth}, mart {self.mart_value}"


def _cell_key(values: Iterable[object]) -> tuple:
    """A cell key in one form on both sides: dates as ISO text."""
    return tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in values)


def compare(
    mart: str, truth_table: dict, rows: Iterable[dict], columns: Sequence[str]
) -> list[Difference]:
    """Every difference between the truth's cells and a mart's rows, for
    `columns`. A cell on one side only is a difference in each column."""
    key = truth_table["key"]
    expected = {_cell_key(r[k] for k in key): r for r in truth_table["rows"]}
    actual = {_cell_key(r[k] for k in key): r for r in rows}
    differences = []
    for cell in sorted(expected.keys() | actual.keys(), key=repr):
        want, got = expected.get(cell), actual.get(cell)
        for column in columns:
            truth_value = None if want is None else want[column]
            mart_value = None if got is None else got[column]
            if truth_value != mart_value:
                differences.append(Difference(mart, cell, column, truth_value, mart_value))
    return differences
