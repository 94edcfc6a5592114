"""From true events to landing files: each device's tracker, batches, clocks
and the dirt of the way there.

A device sends a session's events in requests of up to its SDK's flush size
(20 to 100), shortly after the last of them, or days later when it was
offline. Each request is written as the collector records it
(`wire.collector_record`), in the landing file of the day it was received.
Device readings (event and sent times) carry the device's clock skew; the
receive time is the collector's and true.

The network delay between sending and receiving is kept short enough that a
skew-corrected time (received - (sent - event)) stays on the true UTC date
of every event in the request, so the truth's dates are what a warehouse can
recover.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from ai_events import wire
from ai_events.simulate.behaviour import DAY_MS, Action, Device
from ai_events.simulate.dirt import Dirt

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ROTATE_BYTES = 32 * 1024 * 1024
LEGACY_NAME = "intent_confidence_score"
NEW_NAME = "intent_classified"
AMPLITUDE_KEY = "sim-amplitude-key"


def moment(ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=ms)


def day_of(ms: int) -> dt.date:
    return (EPOCH + dt.timedelta(days=ms // DAY_MS)).date()


def styled(name: str, style: str) -> str:
    """An event name as an app with this naming style writes it."""
    if style == "title":
        return " ".join(word[:1].upper() + word[1:] for word in name.split("_"))
    if style == "kebab":
        return name.replace("_", "-")
    return name


@dataclass
class Emitted:
    """What went into the landing files, counted as it was written."""

    events: int = 0  # true events delivered
    bot_events: int = 0
    landed_events: int = 0  # rows raw.events will hold
    requests: int = 0  # first sends
    retried_requests: int = 0
    duplicate_events: int = 0
    dual_write_events: int = 0
    plan_violation_events: int = 0  # extra events outside the plan
    legacy_name_events: int = 0
    name_variant_events: int = 0
    late_events: int = 0
    skewed_events: int = 0
    malformed_lines: int = 0
    lines: int = 0
    by_protocol: Counter = field(default_factory=Counter)
    requests_by_protocol: Counter = field(default_factory=Counter)
    malformed_by_kind: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        document = {k: v for k, v in self.__dict__.items() if not isinstance(v, Counter)}
        document["landed_events_by_protocol"] = dict(sorted(self.by_protocol.items()))
        document["requests_by_protocol"] = dict(sorted(self.requests_by_protocol.items()))
        document["malformed_lines_by_kind"] = dict(sorted(self.malformed_by_kind.items()))
        return document


class LandingWriter:
    """Landing files by receive date, rotated by size as the collector does."""

    def __init__(self, folder: Path, rotate_bytes: int = ROTATE_BYTES) -> None:
        self.folder = folder
        self.rotate_bytes = rotate_bytes
        self.files: list[Path] = []
        self._open: dict[dt.date, tuple[BinaryIO, int]] = {}
        self._sequence: Counter = Counter()
        self.bytes_written = 0

    def write(self, received_ms: int, line: bytes) -> None:
        day = day_of(received_ms)
        handle, size = self._open.get(day) or self._new_file(day)
        handle.write(line)
        size += len(line)
        self.bytes_written += len(line)
        if size >= self.rotate_bytes:
            handle.close()
            del self._open[day]
        else:
            self._open[day] = (handle, size)

    def _new_file(self, day: dt.date) -> tuple[BinaryIO, int]:
        self._sequence[day] += 1
        folder = self.folder / f"{day:%Y/%m/%d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"sim-{day:%Y%m%d}-{self._sequence[day]:04d}.ndjson"
        self.files.append(path)
        handle = open(path, "wb")  # noqa: SIM115 - kept open across requests
        self._open[day] = (handle, 0)
        return handle, 0

    def close(self) -> None:
        for handle, _ in self._open.values():
            handle.close()
        self._open.clear()
        self.files.sort()


class Delivery:
    """Renders a person's true events as their devices' requests and writes them."""

    def __init__(
        self,
        rng: random.Random,
        dirt: Dirt,
        writer: LandingWriter,
        legacy_window: tuple[dt.date, dt.date] | None,
        new_id: Callable[[], str],
        violations: random.Random,
    ) -> None:
        self.rng = rng
        self.dirt = dirt
        self.writer = writer
        self.legacy_window = legacy_window
        self.new_id = new_id
        self.emitted = Emitted()
        self.violations = violations

    def send(self, actions: list[Action]) -> None:
        """Send every action, one device's send group at a time."""
        groups: dict[int, list[Action]] = {}
        for action in actions:
            groups.setdefault(action.group, []).append(action)
        rng = self.rng
        for group in groups.values():
            group.sort(key=lambda a: a.at)
            device = group[0].device
            late_by = 0
            if rng.random() < self.dirt.late:
                late_by = rng.randint(1, 5) * DAY_MS + rng.randrange(6 * 3_600_000)
                self.emitted.late_events += len(group)
            for start in range(0, len(group), device.flush_at):
                chunk = group[start : start + device.flush_at]
                if late_by:
                    sent = group[-1].at + late_by + start * 10
                else:
                    sent = chunk[-1].at + rng.randint(200, 15_000)
                self.request(device, chunk, sent)

    def request(self, device: Device, chunk: list[Action], sent: int) -> None:
        rng, emitted = self.rng, self.emitted
        events = [event for action in chunk for event in self.render(action)]
        # The latest delay that keeps every corrected time on its true date.
        room = min(DAY_MS - action.at % DAY_MS for action in chunk) - 1
        emitted.events += len(chunk)
        if device.is_bot:
            emitted.bot_events += len(chunk)
        if device.clock_skew_ms:
            emitted.skewed_events += len(chunk)
        emitted.requests += 1
        emitted.requests_by_protocol[device.tracker] += 1
        if self.violations.random() < self.dirt.plan_violations:
            events.append(self.unplanned(self.violations.choice(events)))
            emitted.plan_violation_events += 1
        self.post(device, events, sent, min(room, rng.randint(20, 800)))
        if rng.random() < self.dirt.duplicates:
            # The answer was lost: the SDK sends the same events again.
            emitted.retried_requests += 1
            emitted.duplicate_events += len(events)
            retried = sent + rng.randint(2_000, 120_000)
            self.post(device, events, retried, min(room, rng.randint(20, 800)))

    def unplanned(self, event: wire.AppEvent) -> wire.AppEvent:
        """An event no plan has, sent beside `event`: a debug event left in a
        build, or the event's own name misspelt."""
        misspelt = event.name[:-3] + event.name[-2:]  # item_clicked -> item_clickd
        name = "debug_heartbeat" if self.violations.random() < 0.5 else misspelt
        event_id = str(uuid.UUID(int=self.violations.getrandbits(128), version=4))
        return replace(event, name=name, event_id=event_id, kind="track")

    def post(self, device: Device, events: list[wire.AppEvent], sent: int, delay: int) -> None:
        """Write one request as the collector records it."""
        device_sent = moment(sent + device.clock_skew_ms)
        tracker = device.tracker
        if tracker == "segment":
            body = wire.segment_batch(events, device_sent)
        elif tracker == "rudderstack":
            body = wire.segment_batch(events, device_sent, rudderstack=True)
        elif tracker == "snowplow":
            body = wire.snowplow_payload(events, device_sent)
        else:
            body = wire.amplitude_upload(events, AMPLITUDE_KEY)
        received = sent + delay
        record = wire.collector_record(
            tracker, body, moment(received), user_agent=device.request_agent
        )
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.writer.write(received, line.encode())
        self.emitted.lines += 1
        self.emitted.landed_events += len(events)
        self.emitted.by_protocol[tracker] += len(events)
        if self.rng.random() < self.dirt.malformed:
            self.garbage(received, line, record["body"])

    def garbage(self, received: int, line: str, body: str) -> None:
        """A line that carries no event; the loader rejects each exactly once."""
        rng = self.rng
        kind = rng.choice(("cut_record", "cut_body", "not_json", "not_utf8", "unknown_shape"))
        if kind == "cut_record":
            # A copy of the record, cut off mid-write.
            text = line[: rng.randint(30, len(line) - 2)].encode()
        elif kind == "cut_body":
            record = json.loads(line)
            record["body"] = body[: rng.randint(1, len(body) - 1)]
            text = json.dumps(record, separators=(",", ":")).encode()
        elif kind == "not_json":
            text = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        elif kind == "not_utf8":
            text = b"\xc3\x28\xa0\xa1 garbled upload \xe2\x82"
        else:
            text = b'{"status":"ok","queued":true}'
        self.writer.write(received, text + b"\n")
        self.emitted.malformed_lines += 1
        self.emitted.malformed_by_kind[kind] += 1
        self.emitted.lines += 1

    # -- rendering -------------------------------------------------------

    def render(self, action: Action) -> list[wire.AppEvent]:
        """The events an app sends for one action: usually one; two when a
        dual-writing build sends the old name too."""
        names = [action.name]
        window = self.legacy_window
        device = action.device
        if action.name == NEW_NAME and window and window[0] <= day_of(action.at) <= window[1]:
            if device.legacy_names:
                names = [LEGACY_NAME]
                self.emitted.legacy_name_events += 1
            elif device.dual_writes:
                names = [NEW_NAME, LEGACY_NAME]
                self.emitted.dual_write_events += 1
        return [
            self.app_event(action, name, action.event_id if n == 0 else self.new_id())
            for n, name in enumerate(names)
        ]

    def app_event(self, action: Action, name: str, event_id: str) -> wire.AppEvent:
        device = action.device
        tracker = device.tracker
        kind, wire_name = "track", styled(name, device.name_style)
        if name == "user_identified":
            kind, wire_name = "identify", "identify"
        elif name == "page_viewed" and tracker != "amplitude":
            kind, wire_name = "page", action.properties["title"]
        elif name == "screen_viewed" and tracker in ("segment", "rudderstack"):
            kind, wire_name = "screen", action.properties["title"]
        elif name == "screen_viewed" and tracker == "snowplow":
            wire_name = "screen_view"
        if wire_name != name and kind == "track" and device.name_style != "snake":
            self.emitted.name_variant_events += 1
        return wire.AppEvent(
            name=wire_name,
            event_id=event_id,
            timestamp=moment(action.at + device.clock_skew_ms),
            user_id=action.user_id,
            anonymous_id=device.anonymous_id,
            properties=action.properties,
            kind=kind,
            platform=device.platform,
            app_version=device.app_version,
            user_agent=device.user_agent,
            context=action.context,
            is_bot_by_tracker=device.bot_by_tracker,
        )
