"""Tracker wire formats, written: one app event as each tracker would send it.

The simulator and the tests describe an event once (`AppEvent`) and render
it as a Segment or RudderStack message, a Snowplow tracker-protocol-2 event,
or an Amplitude HTTP API event, following each tracker's public spec:

- Segment: camelCase fields, ISO-8601 timestamps, `context.app.version`,
  `context.os.name`; batches carry `sentAt`.
- RudderStack: the Segment spec plus `channel`, `originalTimestamp` and
  `rudderId`.
- Snowplow: every value a string, times in epoch milliseconds (`dtm`
  created, `stm` sent), the self-describing event base64url-encoded
  without padding in `ue_px`, context entities in `cx`.
- Amplitude: `event_type`, `time` in epoch milliseconds, `insert_id`,
  `event_properties`, `platform`, `app_version`.

`collector_record` wraps a request body the way `ai-events collect` writes
it, so that generated files load exactly like collected ones.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from ai_events.landing.loader import COLLECTOR_MARKER

SNOWPLOW_VENDOR = "io.ai_events"
SNOWPLOW_PAYLOAD = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
SNOWPLOW_UNSTRUCT = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
SNOWPLOW_CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
SNOWPLOW_MOBILE = "iglu:com.snowplowanalytics.snowplow/mobile_context/jsonschema/1-0-2"
SNOWPLOW_SPIDERS = "iglu:com.snowplowanalytics.snowplow/spiders_and_robots/jsonschema/1-0-0"
APP_CONTEXT = f"iglu:{SNOWPLOW_VENDOR}/app_context/jsonschema/1-0-0"

PLATFORM_OS = {"ios": "iOS", "android": "Android", "web": None}


@dataclass
class AppEvent:
    """One event as the app tracks it, before any tracker's encoding."""

    name: str  # as the app calls it: 'Item Clicked', 'item_clicked', ...
    event_id: str
    timestamp: dt.datetime  # by the device's clock, tz-aware
    user_id: str | None = None
    anonymous_id: str | None = None
    properties: dict = field(default_factory=dict)
    kind: str = "track"  # track, identify or page
    platform: str | None = None  # web, ios, android
    app_version: str | None = None
    user_agent: str | None = None
    # Context properties the app reports with every event.
    context: dict = field(default_factory=dict)
    is_bot_by_tracker: bool = False


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def base64url(document: dict) -> str:
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --------------------------------------------------------------------------
# Segment and RudderStack


def segment_message(event: AppEvent, rudderstack: bool = False) -> dict:
    context: dict = dict(event.context)
    if event.app_version:
        context["app"] = {"version": event.app_version}
    if event.platform in ("ios", "android"):
        context["os"] = {"name": PLATFORM_OS[event.platform]}
    elif event.platform == "web":
        context["library"] = {"name": "analytics.js", "version": "5.2.0"}
    if event.user_agent:
        context["userAgent"] = event.user_agent
    message: dict = {"type": event.kind, "messageId": event.event_id, "context": context}
    if event.user_id is not None:
        message["userId"] = event.user_id
    if event.anonymous_id is not None:
        message["anonymousId"] = event.anonymous_id
    if event.kind == "track":
        message["event"] = event.name
        message["properties"] = event.properties
    elif event.kind == "identify":
        message["traits"] = event.properties
    else:
        message["name"] = event.name
        message["properties"] = event.properties
    if rudderstack:
        message["channel"] = "mobile" if event.platform in ("ios", "android") else "web"
        message["originalTimestamp"] = iso(event.timestamp)
        message["rudderId"] = event.event_id[::-1]
    else:
        message["timestamp"] = iso(event.timestamp)
    return message


def segment_batch(events: list[AppEvent], sent_at: dt.datetime, rudderstack: bool = False) -> dict:
    batch = [segment_message(e, rudderstack) for e in events]
    if rudderstack:
        for message in batch:
            message["sentAt"] = iso(sent_at)
        return {"batch": batch}
    return {"batch": batch, "sentAt": iso(sent_at)}


# --------------------------------------------------------------------------
# Snowplow


def snowplow_event(event: AppEvent, sent_at: dt.datetime) -> dict:
    """A tracker-protocol-2 event: all values strings."""
    entities: list[dict] = []
    if event.platform in ("ios", "android"):
        entities.append(
            {
                "schema": SNOWPLOW_MOBILE,
                "data": {"osType": event.platform, "osVersion": "17.0", "deviceModel": "x"},
            }
        )
    app_context = dict(event.context)
    if event.app_version:
        app_context["app_version"] = event.app_version
    if app_context:
        entities.append({"schema": APP_CONTEXT, "data": app_context})
    if event.is_bot_by_tracker:
        entities.append(
            {"schema": SNOWPLOW_SPIDERS, "data": {"spiderOrRobot": True, "category": "SPIDER"}}
        )
    payload = {
        "eid": event.event_id,
        "p": "web" if event.platform in (None, "web") else "mob",
        "tv": "py-1.1.0",
        "dtm": str(epoch_ms(event.timestamp)),
        "stm": str(epoch_ms(sent_at)),
    }
    if event.user_id is not None:
        payload["uid"] = event.user_id
    if event.anonymous_id is not None:
        payload["duid"] = event.anonymous_id
    if event.user_agent:
        payload["ua"] = event.user_agent
    if event.kind == "page":
        payload["e"] = "pv"
        payload["url"] = "https://app.example.com" + str(event.properties.get("path", "/"))
        if "title" in event.properties:
            payload["page"] = str(event.properties["title"])
    else:
        payload["e"] = "ue"
        schema_name = event.name.replace(" ", "_") if event.kind == "track" else "identify"
        payload["ue_px"] = base64url(
            {
                "schema": SNOWPLOW_UNSTRUCT,
                "data": {
                    "schema": f"iglu:{SNOWPLOW_VENDOR}/{schema_name}/jsonschema/1-0-0",
                    "data": event.properties,
                },
            }
        )
    if entities:
        payload["cx"] = base64url({"schema": SNOWPLOW_CONTEXTS, "data": entities})
    return payload


def snowplow_payload(events: list[AppEvent], sent_at: dt.datetime) -> dict:
    return {"schema": SNOWPLOW_PAYLOAD, "data": [snowplow_event(e, sent_at) for e in events]}


# --------------------------------------------------------------------------
# Amplitude


def amplitude_event(event: AppEvent) -> dict:
    amplitude: dict = {
        "event_type": "$identify" if event.kind == "identify" else event.name,
        "insert_id": event.event_id,
        "time": epoch_ms(event.timestamp),
    }
    if event.user_id is not None:
        amplitude["user_id"] = event.user_id
    if event.anonymous_id is not None:
        amplitude["device_id"] = event.anonymous_id
    if event.kind == "identify":
        amplitude["user_properties"] = {"$set": event.properties, **event.context}
    else:
        amplitude["event_properties"] = event.properties
        if event.context:
            amplitude["user_properties"] = dict(event.context)
    if event.platform:
        amplitude["platform"] = {"ios": "iOS", "android": "Android", "web": "Web"}[event.platform]
    if event.app_version:
        amplitude["app_version"] = event.app_version
    return amplitude


def amplitude_upload(events: list[AppEvent], api_key: str = "sim-amplitude-key") -> dict:
    return {"api_key": api_key, "events": [amplitude_event(e) for e in events]}


# --------------------------------------------------------------------------
# What the collector writes


COLLECTOR_PATHS = {
    "segment": "/v1/batch",
    "rudderstack": "/v1/batch",
    "snowplow": "/com.snowplowanalytics.snowplow/tp2",
    "amplitude": "/2/httpapi",
}
COLLECTOR_FORMATS = {
    "segment": "segment_batch",
    "rudderstack": "rudderstack_batch",
    "snowplow": "snowplow_tp2",
    "amplitude": "amplitude_upload",
}


def collector_record(
    protocol: str,
    body: dict | str,
    received_at: dt.datetime,
    user_agent: str | None = None,
    ip: str = "127.0.0.1",
) -> dict:
    """A request as `ai-events collect` records it."""
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    return {
        COLLECTOR_MARKER: {
            "method": "POST",
            "path": COLLECTOR_PATHS[protocol],
            "format": COLLECTOR_FORMATS[protocol],
            "user_agent": user_agent,
            "ip": ip,
            "content_type": "application/json",
            "write_key": None,
            "protocol": protocol,
        },
        "received_at": iso(received_at),
        "body": text,
    }
