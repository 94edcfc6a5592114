"""Five weeks of every AI surface, for the dashboard and the analyses.

Seeded and placed relative to today (UTC), so that "the last seven days"
and "the latest complete week" always have data: a recommendation feed with
two rankers at six positions, writing suggestions on three platforms from
two models, support conversations across the intent-confidence range, two
experiments (one split evenly, one skewed), a few events that break the
tracking plan (always under 5% of their day, so the build passes), an
unplanned event and a one-day spike of it that the volume monitor flags.
The latest complete ISO week has half again as many feed users as the
weeks before it, so feed impressions are what moved the north star.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from ai_events import wire

from conftest import Warehouse, write_ndjson

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
            confidence = round(0.3 + 0.68 * rng.random(), 3)
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
            elif number % 3 or number >= 15:
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


def build(root: Path) -> Warehouse:
    """Land the fixture in a warehouse of its own under `root` and build it."""
    segment, rudderstack = surfaces()
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
