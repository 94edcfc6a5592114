"""Realistic feed traffic, sent through the real Segment SDK.

`feed_traffic` makes a seeded sample of what a recommendation feed emits:
users open the feed, each feed response shows items at positions 1..N
placed by one of two ranking models, and users click some items, more often
near the top. A small share of impression events is lost on the way (as
ad blockers and crashes do), so some clicks have no impression.

`send_with_segment` hands the events to `segment-analytics-python` pointed at
a collector, exactly as an app would.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

MODEL_VERSIONS = ("ranker-v1", "ranker-v2")
# How much more a click on each model's placements is worth.
MODEL_RELEVANCE = {"ranker-v1": 1.0, "ranker-v2": 1.3}
ITEMS_PER_REQUEST = 8


@dataclass(frozen=True)
class SentEvent:
    """One call made on the SDK, as the app made it."""

    kind: str  # track or identify
    message_id: str
    user_id: str
    timestamp: dt.datetime
    event: str | None = None
    properties: dict = field(default_factory=dict)
    traits: dict = field(default_factory=dict)


def _moment_in_day(rng: random.Random, day: dt.date) -> dt.datetime:
    """A time on `day` (UTC) at least two minutes clear of either midnight,
    so that a feed request and its clicks stay on one day, and the
    milliseconds between a device's send and our receive never move an
    event across midnight."""
    second = rng.randrange(120, 86400 - 120)
    return dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(seconds=second)


def feed_traffic(
    seed: int = 7,
    users: int = 30,
    days: int = 7,
    now: dt.datetime | None = None,
    lost_impression_rate: float = 0.03,
) -> list[SentEvent]:
    """A seeded sample of feed events on the `days` days before `now` (UTC)."""
    # A stream of its own, so that its message ids never meet those of the
    # simulator run with the same seed.
    rng = random.Random(f"segment-sdk-traffic-{seed}")
    today = (now or dt.datetime.now(dt.UTC)).date()
    events: list[SentEvent] = []

    def message_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    for number in range(1, users + 1):
        user_id = f"user_{number:04d}"
        model_version = MODEL_VERSIONS[number % len(MODEL_VERSIONS)]
        first_day = today - dt.timedelta(days=days)
        events.append(
            SentEvent(
                "identify",
                message_id(),
                user_id,
                _moment_in_day(rng, first_day),
                traits={"plan": rng.choice(["free", "pro"])},
            )
        )
        for _ in range(rng.randint(1, 4)):
            opened = _moment_in_day(rng, today - dt.timedelta(days=rng.randint(1, days)))
            request_id = f"req_{rng.getrandbits(48):012x}"
            # A response never shows the same item twice.
            items = rng.sample(range(500), ITEMS_PER_REQUEST)
            for position, item in enumerate(items, start=1):
                item_id = f"item_{item:04d}"
                shown_at = opened + dt.timedelta(milliseconds=40 * position)
                properties = {
                    "feed_request_id": request_id,
                    "item_id": item_id,
                    "position": position,
                    "model_version": model_version,
                }
                if rng.random() >= lost_impression_rate:
                    events.append(
                        SentEvent(
                            "track", message_id(), user_id, shown_at, "Item Impressed", properties
                        )
                    )
                click_probability = 0.35 * MODEL_RELEVANCE[model_version] / position
                if rng.random() < click_probability:
                    clicked_at = shown_at + dt.timedelta(seconds=rng.randint(2, 40))
                    events.append(
                        SentEvent(
                            "track", message_id(), user_id, clicked_at, "Item Clicked", properties
                        )
                    )
    events.sort(key=lambda e: e.timestamp)
    return events


class DeliveryFailed(Exception):
    pass


def send_with_segment(events: list[SentEvent], host: str, write_key: str) -> None:
    """Send the events through segment-analytics-python; raise if any fail."""
    from segment.analytics import Client

    failures: list[str] = []

    def on_error(error: Exception, batch: list) -> None:
        failures.append(f"{error} ({len(batch)} events)")

    client = Client(write_key, host=host, on_error=on_error, max_retries=2, upload_interval=0.1)
    for event in events:
        if event.kind == "identify":
            client.identify(
                user_id=event.user_id,
                traits=event.traits,
                timestamp=event.timestamp,
                message_id=event.message_id,
            )
        else:
            client.track(
                user_id=event.user_id,
                event=event.event,
                properties=event.properties,
                timestamp=event.timestamp,
                message_id=event.message_id,
            )
    client.flush()
    client.join()
    if failures:
        raise DeliveryFailed("the Segment SDK could not deliver: " + "; ".join(failures))
    log.info("sent %d events through the Segment SDK", len(events))
