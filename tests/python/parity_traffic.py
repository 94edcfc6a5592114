"""Three weeks of traffic on every surface and tracker, for the parity test.

Written as the collector records requests (and as export files land), with
fixed ids and times, so that every table of the `marts` and `ml` schemas has
rows: feed impressions, clicks and the other item actions with the ranker's
logged features, writing suggestions, support conversations with every
outcome, two experiments, an anonymous user stitched by an identify that
carries an email, sessions split by inactivity, bots by user agent and by
Snowplow's robots context, a rename sent under both names, device clocks
that are off, quarantined events of several reasons (few enough per day and
event that the conformance alert still passes), Snowplow enriched events
and an Amplitude export keyed by `$insert_id`, and unusable lines that
become rejects.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from ai_events import wire

FIRST_DAY = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)  # a Monday, in the dual-write window
DAYS = 21
SEGMENT_USERS = 8
OTHER_USERS = 4
BOT_AGENT = "Mozilla/5.0 (compatible; Googlebot/2.1)"
BROWSER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"

# Unusable lines, each one reject of its own reason.
MALFORMED_LINES = (
    "this is not json",
    '{"batch": [{"type": "track"',
    "42",
    "[]",
    '{"batch": []}',
    '{"shape": "unknown"}',
)


@dataclass
class Tracker:
    """One tracker's events, grouped into the requests that carry them."""

    protocol: str
    platform: str
    app_version: str
    # Device clock error: the device's times (event and send) run this far off.
    clock_error: dt.timedelta = dt.timedelta(0)
    requests: list[tuple[dt.datetime, list[wire.AppEvent]]] = field(default_factory=list)

    def send(self, events: list[wire.AppEvent]) -> None:
        """One request carrying `events`, received shortly after the last."""
        received = max(e.timestamp for e in events) + dt.timedelta(seconds=3)
        for event in events:
            event.timestamp += self.clock_error
            event.platform = event.platform or self.platform
            event.app_version = event.app_version or self.app_version
        self.requests.append((received, events))

    def records(self) -> list[dict]:
        """The collector's records of every request."""
        records = []
        for received, events in self.requests:
            sent = received - dt.timedelta(seconds=1) + self.clock_error
            if self.protocol == "snowplow":
                body = wire.snowplow_payload(events, sent)
            elif self.protocol == "amplitude":
                body = wire.amplitude_upload(events)
            else:
                body = wire.segment_batch(events, sent, self.protocol == "rudderstack")
            agent = next((e.user_agent for e in events if e.user_agent), BROWSER_AGENT)
            records.append(wire.collector_record(self.protocol, body, received, agent))
        return records


def track(
    event_id: str, name: str, when: dt.datetime, user: str | None, **properties: object
) -> wire.AppEvent:
    return wire.AppEvent(
        name=name, event_id=event_id, timestamp=when, user_id=user, properties=properties
    )


def feed_events(prefix: str, user: str, day: int, when: dt.datetime) -> list[wire.AppEvent]:
    """A feed request of three items, the features logged for each, and
    what the user did with them."""
    request = f"{prefix}-{day}"
    version = ("ranker-a", "ranker-b")[(day + len(request)) % 2]
    events = []
    for position in (1, 2, 3):
        item = f"item-{(day + position) % 5}"
        shown = when + dt.timedelta(seconds=position)
        common = {
            "feed_request_id": request,
            "item_id": item,
            "position": position,
            "model_version": version,
        }
        key = f"{request}-{position}"
        events.append(
            track(f"rf-{key}", "ranking_features_logged", shown - dt.timedelta(seconds=1),
                  user, features={"score": position / 10, "rank": position}, **common)
        )  # fmt: skip
        impression = track(f"im-{key}", "Item Impressed", shown, user,
                           surface=("home", "search")[day % 2], **common)  # fmt: skip
        impression.context = {"past_engagement_score": 0.25 * (position % 4),
                              "session_length": day + position}  # fmt: skip
        events.append(impression)
        outcome = (day + position + len(prefix)) % 5
        action_at = shown + dt.timedelta(minutes=1)
        if outcome == 0:
            events.append(track(f"cl-{key}", "item_clicked", action_at, user, **common))
            events.append(track(f"sv-{key}", "item_saved", action_at, user, **common))
        elif outcome == 1:
            events.append(track(f"cl-{key}", "ItemClicked", action_at, user, **common))
        elif outcome == 2:
            events.append(track(f"sh-{key}", "item_shared", action_at, user, **common))
        elif outcome == 3:
            events.append(track(f"sp-{key}", "feed_scrolled_past", action_at, user, **common))
    if day % 7 == 3:
        events.append(track(f"rp-{request}", "item_reported", when + dt.timedelta(minutes=2),
                            user, feed_request_id=request, item_id=f"item-{(day + 1) % 5}",
                            reason="spam"))  # fmt: skip
    return events


def conversation_events(conversation: str, user: str, when: dt.datetime, number: int
                        ) -> list[wire.AppEvent]:  # fmt: skip
    """A support conversation; how it ends depends on `number`."""
    minute = dt.timedelta(minutes=1)
    confidence = round(0.35 + 0.06 * (number % 10), 2)
    events = [
        track(f"cs-{conversation}", "conversation_started", when, user,
              conversation_id=conversation, model_version=("bot-1", "bot-2")[number % 2]),
        track(f"mu-{conversation}", "message_sent", when + minute, user,
              conversation_id=conversation, chat_message_id=f"{conversation}-m1",
              message_role="user", message_text="where is my refund?"),
        track(f"ic-{conversation}", "intent_classified", when + 2 * minute, user,
              conversation_id=conversation, chat_message_id=f"{conversation}-m1",
              intent=("refund", "delivery")[number % 2], confidence=confidence),
        track(f"ar-{conversation}", "answer_retrieved", when + 3 * minute, user,
              conversation_id=conversation, model_version="bot-1",
              retrieved_document_count=number % 4, latency_ms=120 + number),
        track(f"ma-{conversation}", "message_sent", when + 3 * minute, user,
              conversation_id=conversation, chat_message_id=f"{conversation}-m2",
              message_role="assistant"),
    ]  # fmt: skip
    if number % 3:
        events.append(track(f"fb-{conversation}", "feedback_given", when + 4 * minute, user,
                            conversation_id=conversation,
                            rating=("thumbs_up", "thumbs_down")[number % 2]))  # fmt: skip
    outcome = ("resolved", "escalated", None, "resolved", "abandoned")[number % 5]
    if outcome:
        events.append(track(f"ce-{conversation}", "conversation_ended", when + 5 * minute,
                            user, conversation_id=conversation, outcome=outcome))  # fmt: skip
    return events


def suggestion_events(suggestion: str, user: str, when: dt.datetime, number: int,
                      platform: str) -> list[wire.AppEvent]:  # fmt: skip
    """A writing suggestion shown, then accepted (and maybe edited) or dismissed."""
    events = [
        track(f"ss-{suggestion}", "suggestion_shown", when, user, suggestion_id=suggestion,
              model_version=("writer-1", "writer-2")[number % 2], platform=platform,
              suggestion_length=40 + number, latency_ms=200 + 10 * number)
    ]  # fmt: skip
    response = number % 4
    if response in (0, 1):
        accepted = when + dt.timedelta(seconds=5 + 7 * number)
        events.append(track(f"sa-{suggestion}", "suggestion_accepted", accepted, user,
                            suggestion_id=suggestion))  # fmt: skip
        if response == 1:
            events.append(track(f"se-{suggestion}", "suggestion_edited",
                                accepted + dt.timedelta(seconds=20), user,
                                suggestion_id=suggestion, edit_distance=number % 7))  # fmt: skip
    elif response == 2:
        events.append(track(f"sd-{suggestion}", "suggestion_dismissed",
                            when + dt.timedelta(seconds=9), user,
                            suggestion_id=suggestion))  # fmt: skip
    return events


def quarantined_impressions(day: int, user: str, when: dt.datetime) -> list[wire.AppEvent]:
    """One impression the plan refuses, on a day of its own per reason, among
    the day's conforming impressions of the same tracker (so each day's
    conformance stays above the alert rate)."""
    common = {"feed_request_id": f"bad-{day}", "item_id": "item-0", "model_version": "ranker-a"}
    cases = {
        2: {"position": "third", **common},
        3: dict(common),
        4: {"position": 0, **common},
        5: {"position": 0, "feed_request_id": f"bad-{day}", "item_id": "item-0"},
    }
    if day not in cases:
        return []
    return [track(f"bad-{day}", "Item Impressed", when, user, **cases[day])]


def segment_traffic(tracker: Tracker) -> None:
    for day in range(DAYS):
        start = FIRST_DAY + dt.timedelta(days=day)
        for number in range(SEGMENT_USERS):
            user = f"seg-{number}"
            when = start + dt.timedelta(minutes=7 * number)
            events = feed_events(f"seg{number}", user, day, when)
            if number % 2 == 0:
                # A second visit after more than the inactivity gap: a new session.
                events += feed_events(f"seg{number}b", user, day, when + dt.timedelta(minutes=45))
            events += quarantined_impressions(day, user, when) if number == 0 else []
            tracker.send(events)
        conversations = []
        for number in range(2):
            index = day * 2 + number
            conversations += conversation_events(
                f"conv-seg-{index}", f"seg-{number + 2}",
                start + dt.timedelta(hours=2, minutes=20 * number), index,
            )  # fmt: skip
        tracker.send(conversations)
        suggestions = []
        for number in range(3):
            index = day * 3 + number
            suggestions += suggestion_events(
                f"sug-seg-{index}", f"seg-{number + 3}",
                start + dt.timedelta(hours=3, minutes=10 * number), index,
                ("web", "ios")[number % 2],
            )  # fmt: skip
        tracker.send(suggestions)
    # The latest conversation of all, still open when the data ends.
    tracker.send(conversation_events(
        "conv-seg-open", "seg-5", FIRST_DAY + dt.timedelta(days=DAYS - 1, hours=9), 2
    ))  # fmt: skip
    # An anonymous visitor who signs up: the identify, with an email, stitches
    # the earlier anonymous events to the user.
    visit = FIRST_DAY + dt.timedelta(days=1, hours=4)
    anonymous = feed_events("anon", None, 1, visit)
    for event in anonymous:
        event.anonymous_id = "anon-visitor"
    identify = wire.AppEvent(
        name="identify", event_id="identify-visitor", kind="identify",
        timestamp=visit + dt.timedelta(minutes=5), user_id="seg-visitor",
        anonymous_id="anon-visitor",
        properties={"email": "visitor@example.com", "name": "Vis Itor", "plan": "pro"},
    )  # fmt: skip
    later = feed_events("visitor", "seg-visitor", 1, visit + dt.timedelta(minutes=10))
    for event in later:
        event.anonymous_id = "anon-visitor"
    tracker.send([*anonymous, identify, *later])
    # A crawler: its impressions never count.
    for day in (0, 6):
        crawl = feed_events("crawler", "seg-crawler", day, FIRST_DAY + dt.timedelta(days=day))
        for event in crawl:
            event.user_agent = BOT_AGENT
        tracker.send(crawl)
    # The rest of the plan's checks: a coerced value, an unplanned property,
    # an unplanned event.
    odd = FIRST_DAY + dt.timedelta(days=8, hours=5)
    common = {"feed_request_id": "odd-8", "item_id": "item-2", "model_version": "ranker-b"}
    tracker.send([
        track("coerced-8", "Item Impressed", odd, "seg-1", position="2", **common),
        track("unplanned-prop-8", "item_clicked", odd + dt.timedelta(minutes=1), "seg-1",
              position=2, colour="red", **common),
        track("unplanned-8", "Song Played", odd, "seg-1", song="la"),
    ])  # fmt: skip


def rudderstack_traffic(tracker: Tracker) -> None:
    for day in range(DAYS):
        start = FIRST_DAY + dt.timedelta(days=day, hours=1)
        for number in range(OTHER_USERS):
            events = feed_events(f"rud{number}", f"rud-{number}", day, start)
            tracker.send(events)
        index = day
        conversation = conversation_events(
            f"conv-rud-{index}", "rud-0", start + dt.timedelta(hours=3), index + 1
        )
        # The rename in progress: intent_classified is also sent under its
        # deprecated name; the two count once. Every third day an old client
        # sends only the old name.
        (intent,) = [e for e in conversation if e.name == "intent_classified"]
        old = track(f"old-{intent.event_id}", "intent_confidence_score",
                    intent.timestamp + dt.timedelta(seconds=2), intent.user_id,
                    **intent.properties)  # fmt: skip
        if day % 3 == 0:
            conversation.remove(intent)
        tracker.send([*conversation, old])


def snowplow_traffic(tracker: Tracker) -> None:
    for day in range(DAYS):
        start = FIRST_DAY + dt.timedelta(days=day, hours=2)
        for number in range(OTHER_USERS):
            events = feed_events(f"snow{number}", f"snow-{number}", day, start)
            for event in events:
                event.anonymous_id = f"snow-device-{number}"
                event.is_bot_by_tracker = number == 3 and day % 5 == 0
            tracker.send(events)
    exposures = []
    for number in range(OTHER_USERS):
        when = FIRST_DAY + dt.timedelta(hours=1, minutes=number)
        exposures.append(track(f"xs-{number}", "experiment_exposed", when, f"snow-{number}",
                               experiment_id="mobile-onboarding",
                               variant=("control", "treatment")[number % 2]))  # fmt: skip
    tracker.send(exposures)


def amplitude_traffic(tracker: Tracker) -> None:
    for day in range(DAYS):
        start = FIRST_DAY + dt.timedelta(days=day, hours=5)
        for number in range(OTHER_USERS):
            user = f"amp-{number}"
            events = feed_events(f"amp{number}", user, day, start + dt.timedelta(minutes=number))
            for event in events:
                event.anonymous_id = f"amp-device-{number}"
            tracker.send(events)
        index = day * 2
        tracker.send(
            suggestion_events(f"sug-amp-{index}", "amp-1", start + dt.timedelta(hours=1),
                              index, "android")
            + suggestion_events(f"sug-amp-{index + 1}", "amp-2",
                                start + dt.timedelta(hours=1, minutes=5), index + 1,
                                "android")
        )  # fmt: skip


def skewed_experiment(tracker: Tracker) -> None:
    """Three variants exposed 7 : 3 : 2, a sample-ratio mismatch of two
    degrees of freedom."""
    events = []
    for number in range(12):
        variant = "short" if number < 7 else "medium" if number < 10 else "long"
        user = f"amp-{number}" if number < OTHER_USERS else f"amp-exposed-{number}"
        when = FIRST_DAY + dt.timedelta(hours=4, minutes=number)
        events.append(track(f"xa-{number}", "experiment_exposed", when, user,
                            experiment_id="suggestion-length", variant=variant))  # fmt: skip
    tracker.send(events)


def experiment_events() -> list[wire.AppEvent]:
    """The feed ranker test: Segment users split evenly, one of them shown
    both variants, exposed on the first day."""
    events = []
    for number in range(SEGMENT_USERS):
        when = FIRST_DAY - dt.timedelta(minutes=30 - number)
        variant = ("ranker-a", "ranker-b")[number % 2]
        events.append(track(f"xf-{number}", "experiment_exposed", when, f"seg-{number}",
                            experiment_id="feed-ranker", variant=variant))  # fmt: skip
    events.append(track("xf-0-again", "experiment_exposed", FIRST_DAY + dt.timedelta(days=2),
                        "seg-0", experiment_id="feed-ranker", variant="ranker-b"))  # fmt: skip
    return events


def iso_no_zone(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def amplitude_export() -> list[dict]:
    """An Amplitude export file: `$insert_id`, `uuid`, times Amplitude has
    already corrected, and an `$identify` whose traits are under `$set`."""
    rows = []
    when = FIRST_DAY + dt.timedelta(days=10, hours=6)
    for event in feed_events("export", "amp-export", 10, when):
        rows.append({
            "$insert_id": event.event_id,
            "uuid": f"uuid-{event.event_id}",
            "event_type": event.name,
            "user_id": event.user_id,
            "device_id": "amp-export-device",
            "event_time": iso_no_zone(event.timestamp),
            "client_event_time": iso_no_zone(event.timestamp + dt.timedelta(minutes=9)),
            "server_upload_time": iso_no_zone(event.timestamp + dt.timedelta(seconds=4)),
            "platform": "Android",
            "version_name": "7.1.0",
            "event_properties": event.properties,
            "user_properties": {"past_engagement_score": 0.5},
        })  # fmt: skip
    rows.append({
        "$insert_id": "export-identify",
        "uuid": "uuid-export-identify",
        "event_type": "$identify",
        "user_id": "amp-export",
        "device_id": "amp-export-device",
        "event_time": iso_no_zone(when - dt.timedelta(minutes=1)),
        "server_upload_time": iso_no_zone(when),
        "platform": "Android",
        "user_properties": {"$set": {"plan": "team", "email": "export@example.com"}},
    })  # fmt: skip
    return rows


def snowplow_enriched() -> list[dict]:
    """Enriched events as JSON: a self-describing event under its
    unstruct_event_ key, a page view, and a robot by Snowplow's context."""
    when = FIRST_DAY + dt.timedelta(days=12, hours=7)
    base = {"user_id": "snow-enriched", "domain_userid": "enriched-device", "platform": "web",
            "useragent": BROWSER_AGENT}  # fmt: skip
    stamp = iso_no_zone
    click = {"feed_request_id": "enriched-12", "item_id": "item-3", "position": 2,
             "model_version": "ranker-a"}  # fmt: skip
    return [
        {**base, "event_id": "enriched-impression", "event": "unstruct",
         "event_name": "item_impressed", "collector_tstamp": stamp(when),
         "dvce_created_tstamp": stamp(when), "derived_tstamp": stamp(when),
         "unstruct_event_io_ai_events_item_impressed_1": click},
        {**base, "event_id": "enriched-click", "event": "unstruct",
         "event_name": "item_clicked", "collector_tstamp": stamp(when + dt.timedelta(minutes=1)),
         "dvce_created_tstamp": stamp(when + dt.timedelta(minutes=1)),
         "dvce_sent_tstamp": stamp(when + dt.timedelta(minutes=1, seconds=1)),
         "unstruct_event_io_ai_events_item_clicked_1": click},
        {**base, "event_id": "enriched-page", "event": "page_view",
         "collector_tstamp": stamp(when), "page_urlpath": "/feed", "page_title": "Für dich"},
        {**base, "event_id": "enriched-robot", "event": "unstruct", "event_name": "item_impressed",
         "collector_tstamp": stamp(when), "derived_tstamp": stamp(when),
         "unstruct_event_io_ai_events_item_impressed_1": {**click, "feed_request_id": "robot"},
         "contexts_com_snowplowanalytics_snowplow_spiders_and_robots_1": [
             {"spiderOrRobot": True, "category": "SPIDER"}]},
    ]  # fmt: skip


def write_parity_landing(folder: Path) -> list[Path]:
    """Write the landing files into `folder`; returns them."""
    folder.mkdir(parents=True, exist_ok=True)
    trackers = [
        Tracker("segment", "web", "5.4.0"),
        Tracker("rudderstack", "android", "5.3.1", clock_error=dt.timedelta(hours=3)),
        Tracker("snowplow", "ios", "5.4.0", clock_error=dt.timedelta(minutes=-20)),
        Tracker("amplitude", "ios", "5.2.0"),
    ]
    segment, rudderstack, snowplow, amplitude = trackers
    segment_traffic(segment)
    segment.send(experiment_events())
    rudderstack_traffic(rudderstack)
    snowplow_traffic(snowplow)
    amplitude_traffic(amplitude)
    skewed_experiment(amplitude)
    paths = []
    for tracker in trackers:
        path = folder / f"collector-{tracker.protocol}.ndjson"
        path.write_text("".join(json.dumps(r) + "\n" for r in tracker.records()))
        paths.append(path)
    exports = {
        "amplitude-export.ndjson": amplitude_export(),
        "snowplow-enriched.ndjson": snowplow_enriched(),
    }
    for name, rows in exports.items():
        path = folder / name
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        paths.append(path)
    malformed = folder / "malformed.ndjson"
    malformed.write_text("".join(line + "\n" for line in MALFORMED_LINES))
    paths.append(malformed)
    return paths
