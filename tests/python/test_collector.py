"""The collector: the four real tracker SDKs send to it unchanged, every
event they were asked to send lands with its name and properties, and bad
requests get an answer that says why.

Each SDK test drives an SDK from the package index against a collector on
127.0.0.1, checks that the SDK took the collector's answers as success, then
loads the landing folder and finds each event by its id.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
import requests
import rudderstack.analytics as rudder_analytics
from amplitude import Amplitude, BaseEvent, Config, EventOptions, Identify
from segment.analytics import Client as SegmentClient
from snowplow_tracker import (
    Emitter,
    PageView,
    SelfDescribing,
    SelfDescribingJson,
    StructuredEvent,
    Tracker,
)

from ai_events.collector import CollectorConfig, CollectorServer, serve
from ai_events.landing.loader import LoadSummary, load_paths

SEGMENT_KEY = "test-segment-key"
RUDDER_KEY = "test-rudder-key"
AMPLITUDE_KEY = "test-amplitude-key"
MAX_BODY_BYTES = 1024 * 1024
# The field each protocol's SDK fills with a unique event id.
EVENT_ID_KEYS = {
    "segment": "messageId",
    "rudderstack": "messageId",
    "snowplow": "eid",
    "amplitude": "insert_id",
}

SUGGESTION_SCHEMA = "iglu:com.example/suggestion_accepted/jsonschema/1-0-0"
WHEN = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)


@dataclass
class RunningCollector:
    """A collector serving on a free port of 127.0.0.1, in a thread."""

    server: CollectorServer
    landing: Path
    database: Path
    thread: threading.Thread = field(init=False)
    stopped: bool = False

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop serving and rotate the open landing file."""
        if not self.stopped:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            self.stopped = True

    def landed_files(self) -> list[Path]:
        return sorted(p for p in self.landing.rglob("*") if p.is_file())

    def load(self) -> tuple[LoadSummary, dict[str, dict[str, dict]]]:
        """Load the landing folder; every event by protocol and event id."""
        with duckdb.connect(str(self.database)) as con:
            summary = load_paths(con, [self.landing])
            rows = con.execute(
                "select source_protocol, source_format, source_line, source_index, "
                "envelope, request, payload from raw.events"
            ).fetchall()
        by_protocol: dict[str, dict[str, dict]] = {}
        for protocol, fmt, line, index, envelope, request, payload in rows:
            event = json.loads(payload)
            events = by_protocol.setdefault(protocol, {})
            event_id = event[EVENT_ID_KEYS[protocol]]
            assert event_id not in events, f"{event_id} landed twice"
            events[event_id] = {
                "source_format": fmt,
                "source_line": line,
                "source_index": index,
                "envelope": json.loads(envelope) if envelope else None,
                "request": json.loads(request),
                "payload": event,
            }
        return summary, by_protocol

    def rejects(self) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(
                "select source_line, reason, detail, raw_text from raw.rejects"
            ).fetchall()


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[RunningCollector]:
    config = CollectorConfig(
        tmp_path / "landing",
        write_keys={
            SEGMENT_KEY: "segment",
            RUDDER_KEY: "rudderstack",
            AMPLITUDE_KEY: "amplitude",
        },
        max_body_bytes=MAX_BODY_BYTES,
    )
    running = RunningCollector(
        serve(config, "127.0.0.1", 0), config.landing_dir, tmp_path / "warehouse.duckdb"
    )
    yield running
    running.stop()


def landed(collector: RunningCollector) -> dict[str, dict]:
    """Stop the collector, load its landing folder; every event by protocol and id."""
    collector.stop()
    summary, rows = collector.load()
    assert summary.items_rejected == 0, collector.rejects()
    return rows


def segment_spec_calls(client: object) -> dict[str, dict]:
    """Make every Segment-spec call on a Segment or RudderStack client; return
    what each was asked to send, by message id."""
    sent: dict[str, dict] = {}

    def call(kind: str, **fields: object) -> None:
        message_id = str(uuid.uuid4())
        getattr(client, kind)(message_id=message_id, timestamp=WHEN, **fields)
        sent[message_id] = {"type": kind, **fields}

    properties = {"item_id": "item_0042", "position": 3, "score": 0.87, "tags": ["a", "é"]}
    call("track", user_id="user_1", event="Item Clicked", properties=properties)
    call("track", user_id="user_1", event="Item Impressed", properties={"position": 1})
    call("identify", user_id="user_1", traits={"plan": "pro", "seats": 4})
    call("page", user_id="user_1", name="Feed", properties={"path": "/feed"})
    call("screen", user_id="user_1", name="Chat", properties={"tab": "support"})
    call("group", user_id="user_1", group_id="org_7", traits={"industry": "media"})
    call("alias", previous_id="anon_9", user_id="user_1")
    return sent


def assert_segment_spec_landed(
    sent: dict[str, dict], rows: dict[str, dict], identify_traits_in_context: bool = False
) -> None:
    """Each call landed once, with its type, name, and properties or traits.

    RudderStack's SDK moves an identify call's traits into `context.traits`.
    """
    assert set(rows) == set(sent)
    for message_id, asked in sent.items():
        payload = rows[message_id]["payload"]
        if identify_traits_in_context and asked["type"] == "identify":
            payload = {**payload, "traits": payload["context"]["traits"]}
        assert payload["type"] == asked["type"]
        assert dt.datetime.fromisoformat(payload["timestamp"]) == WHEN
        for name in ("event", "name", "properties", "traits", "userId", "groupId", "previousId"):
            spec_key = {"userId": "user_id", "groupId": "group_id", "previousId": "previous_id"}
            asked_value = asked.get(spec_key.get(name, name))
            if asked_value is not None:
                assert payload[name] == asked_value, (message_id, name)


def test_segment_sdk(collector: RunningCollector) -> None:
    errors: list[str] = []
    client = SegmentClient(
        SEGMENT_KEY,
        host=collector.url,
        on_error=lambda error, batch: errors.append(str(error)),
        upload_size=3,
        max_retries=1,
    )
    sent = segment_spec_calls(client)
    client.flush()
    client.join()
    assert errors == []

    rows = landed(collector)["segment"]
    assert_segment_spec_landed(sent, rows)
    # Three calls a batch: the batch-level fields are on the envelope.
    some = next(iter(rows.values()))
    assert some["source_format"] == "segment_batch"
    assert some["envelope"]["writeKey"] == SEGMENT_KEY
    assert dt.datetime.fromisoformat(some["envelope"]["sentAt"]) > WHEN
    assert "batch" not in some["envelope"]
    assert some["request"]["path"] == "/v1/batch"
    assert {r["source_line"] for r in rows.values()} == {1, 2, 3}


def test_rudderstack_sdk_gzips_and_lands(collector: RunningCollector) -> None:
    errors: list[str] = []
    rudder_analytics.write_key = RUDDER_KEY
    rudder_analytics.dataPlaneUrl = collector.url
    rudder_analytics.on_error = lambda error, batch: errors.append(str(error))
    try:
        sent = segment_spec_calls(rudder_analytics)
        rudder_analytics.flush()
        rudder_analytics.shutdown()
    finally:
        rudder_analytics.default_client = None
    assert errors == []

    rows = landed(collector)["rudderstack"]
    assert_segment_spec_landed(sent, rows, identify_traits_in_context=True)
    for row in rows.values():
        assert row["source_format"] == "rudderstack_batch"
        assert row["payload"]["channel"] == "server"
        assert row["request"]["content_encoding"] == "gzip"


def decode_base64url(text: str) -> dict:
    """Snowplow's ue_px and cx: base64url, often without its padding."""
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@pytest.mark.parametrize(("method", "encode_base64"), [("post", True), ("get", False)])
def test_snowplow_tracker(collector: RunningCollector, method: str, encode_base64: bool) -> None:
    sent_ok: list[dict] = []
    failed: list[dict] = []
    emitter = Emitter(
        "127.0.0.1",
        protocol="http",
        port=collector.port,
        method=method,
        batch_size=2,
        on_success=sent_ok.extend,
        on_failure=lambda count, events: failed.extend(events),
    )
    tracker = Tracker("sp", emitter, app_id="ai-events-test", encode_base64=encode_base64)
    suggestion = {"suggestion_id": "sugg_1", "characters": 42, "accepted": True}
    ids = {
        "page": tracker.track(PageView(page_url="https://example.com/feed", page_title="Feed")),
        "struct": tracker.track(
            StructuredEvent(
                category="feed", action="click", label="item_7", property_="position", value=3
            )
        ),
        "self_describing": tracker.track(
            SelfDescribing(SelfDescribingJson(SUGGESTION_SCHEMA, suggestion))
        ),
    }
    tracker.flush()
    assert failed == []
    assert len(sent_ok) == 3

    rows = landed(collector)["snowplow"]
    assert set(rows) == set(ids.values())
    page, struct, self_describing = (rows[ids[k]]["payload"] for k in ids)
    assert (page["e"], page["url"], page["page"]) == ("pv", "https://example.com/feed", "Feed")
    assert (struct["e"], struct["se_ca"], struct["se_ac"], struct["se_la"]) == (
        "se",
        "feed",
        "click",
        "item_7",
    )
    # Values arrive as the strings the tracker sent.
    assert (struct["se_pr"], float(struct["se_va"])) == ("position", 3.0)
    assert self_describing["e"] == "ue"
    if encode_base64:
        assert "ue_pr" not in self_describing
        event = decode_base64url(self_describing["ue_px"])
    else:
        assert "ue_px" not in self_describing
        event = json.loads(self_describing["ue_pr"])
    assert event["data"] == {"schema": SUGGESTION_SCHEMA, "data": suggestion}
    expected_format = "snowplow_tp2" if method == "post" else "snowplow_tp2_event"
    assert {r["source_format"] for r in rows.values()} == {expected_format}
    assert {r["payload"]["aid"] for r in rows.values()} == {"ai-events-test"}


@pytest.mark.parametrize("endpoint", ["/2/httpapi", "/batch"])
def test_amplitude_sdk(collector: RunningCollector, endpoint: str) -> None:
    answers: list[tuple[str, int, str]] = []
    config = Config(
        server_url=collector.url + endpoint,
        use_batch=endpoint == "/batch",
        flush_queue_size=2,
        callback=lambda event, code, message: answers.append((event.event_type, code, message)),
    )
    client = Amplitude(AMPLITUDE_KEY, configuration=config)
    sent: dict[str, dict] = {}
    for number in range(3):
        insert_id = str(uuid.uuid4())
        properties = {"suggestion_id": f"sugg_{number}", "latency_ms": 120 + number}
        client.track(
            BaseEvent(
                event_type="Suggestion Shown",
                user_id="user_1",
                insert_id=insert_id,
                event_properties=properties,
            )
        )
        sent[insert_id] = {"event_type": "Suggestion Shown", "event_properties": properties}
    identify_id = str(uuid.uuid4())
    client.identify(
        Identify().set("plan", "pro"), EventOptions(user_id="user_1", insert_id=identify_id)
    )
    sent[identify_id] = {"event_type": "$identify", "user_properties": {"$set": {"plan": "pro"}}}
    client.flush()
    client.shutdown()
    assert sorted(code for _, code, _ in answers) == [200] * len(sent), answers

    rows = landed(collector)["amplitude"]
    assert set(rows) == set(sent)
    for insert_id, asked in sent.items():
        payload = rows[insert_id]["payload"]
        assert payload["user_id"] == "user_1"
        for key, value in asked.items():
            assert payload[key] == value, (insert_id, key)
        assert rows[insert_id]["envelope"]["api_key"] == AMPLITUDE_KEY
        assert rows[insert_id]["request"]["path"] == endpoint


def test_the_sdks_hear_why_a_request_was_refused(collector: RunningCollector, caplog) -> None:
    """Wrong keys: Segment and RudderStack read `code` and `message`,
    Amplitude reads `Invalid API key` and stops retrying."""
    segment_errors: list[Exception] = []
    client = SegmentClient(
        "not-a-key",
        host=collector.url,
        on_error=lambda error, batch: segment_errors.append(error),
        max_retries=0,
    )
    client.track(user_id="u", event="x")
    client.flush()
    client.join()
    assert [(e.status, e.code, e.message) for e in segment_errors] == [
        (401, "invalid_write_key", "unknown write key")
    ]

    rudder_errors: list[Exception] = []
    rudder = rudder_analytics.Client(
        "not-a-key", host=collector.url, on_error=lambda e, b: rudder_errors.append(e)
    )
    rudder.track(user_id="u", event="x")
    rudder.flush()
    rudder.join()
    assert [(e.status, e.code) for e in rudder_errors] == [(401, "invalid_write_key")]

    caplog.set_level(logging.ERROR, logger="amplitude")
    amplitude = Amplitude(
        "not-a-key", configuration=Config(server_url=collector.url + "/2/httpapi")
    )
    amplitude.track(BaseEvent(event_type="x", user_id="user_1"))
    amplitude.flush()
    amplitude.shutdown()
    assert "Invalid API Key" in caplog.text

    collector.stop()
    assert collector.landed_files() == []


def test_a_broken_landing_makes_the_sdk_check_fail() -> None:
    """The comparison above can fail: an event whose properties changed on
    the way is caught."""
    sent = {"m1": {"type": "track", "event": "Item Clicked", "properties": {"position": 3}}}
    payload = {"type": "track", "event": "Item Clicked", "timestamp": WHEN.isoformat()}
    rows = {"m1": {"payload": {**payload, "properties": {}}}}
    with pytest.raises(AssertionError):
        assert_segment_spec_landed(sent, rows)
    with pytest.raises(AssertionError):
        assert_segment_spec_landed(sent, {})


def post(collector: RunningCollector, path: str, body: bytes, **headers: str) -> requests.Response:
    auth = base64.b64encode(f"{SEGMENT_KEY}:".encode()).decode()
    return requests.post(
        collector.url + path,
        data=body,
        headers={"Authorization": f"Basic {auth}", **headers},
        timeout=10,
    )


def deep_document(levels: int) -> bytes:
    return b'{"batch":[' + b"[" * levels + b"]" * levels + b"]}"


BAD_REQUESTS = [
    # (name, path, body, headers, status, code the answer gives, landed reason)
    (
        "corrupt gzip",
        "/v1/batch",
        b"\x1f\x8bnot gzip at all",
        {"Content-Encoding": "gzip"},
        400,
        "gzip_corrupt",
        "gzip_corrupt",
    ),
    (
        "gzip cut short",
        "/v1/batch",
        gzip.compress(b'{"batch":[]}' * 50)[:-12],
        {"Content-Encoding": "gzip"},
        400,
        "gzip_truncated",
        "gzip_truncated",
    ),
    (
        "gzip bomb",
        "/v1/batch",
        gzip.compress(b"0" * (MAX_BODY_BYTES * 4)),
        {"Content-Encoding": "gzip"},
        413,
        "body_too_large",
        "body_too_large",
    ),
    (
        "not UTF-8",
        "/v1/batch",
        b'{"batch":[{"type":"track","event":"\xff"}]}',
        {},
        400,
        "invalid_utf8",
        "invalid_utf8",
    ),
    (
        "not JSON",
        "/v1/batch",
        b'{"batch":[{"type":"track"',
        {},
        400,
        "invalid_json",
        "invalid_json",
    ),
    (
        "100k levels deep",
        "/v1/batch",
        deep_document(100_000),
        {},
        400,
        "nesting_too_deep",
        "not_an_object",
    ),
    (
        "over the size limit",
        "/v1/batch",
        b" " * (MAX_BODY_BYTES + 1),
        {},
        413,
        "body_too_large",
        None,
    ),
    (
        "an encoding other than gzip",
        "/v1/batch",
        b"\x8b\x05\x80brotli bytes",
        {"Content-Encoding": "br"},
        400,
        "unsupported_encoding",
        "unsupported_encoding",
    ),
    ("unknown path", "/v2/everything", b"{}", {}, 404, "unknown_path", None),
]


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "code", "landed_as"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_a_bad_request_is_answered_with_why_and_kept_when_it_has_data(
    collector: RunningCollector,
    path: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
    landed_as: str | None,
) -> None:
    answer = post(collector, path, body, **headers)
    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert answer.json()["message"]

    summary, rows = landed_with_rejects(collector)
    assert rows == {}
    assert summary.lines_read == summary.events_landed + summary.items_rejected
    if landed_as is None:
        assert collector.landed_files() == []
    else:
        assert [reason for _, reason, _, _ in collector.rejects()] == [landed_as]


def landed_with_rejects(collector: RunningCollector) -> tuple[LoadSummary, dict]:
    collector.stop()
    if not collector.landed_files():
        return LoadSummary(), {}
    return collector.load()


def test_unknown_keys_and_amplitude_errors_are_answered_in_each_protocols_words(
    collector: RunningCollector,
) -> None:
    refused = requests.post(
        collector.url + "/v1/batch",
        json={"batch": [{"type": "track", "event": "x"}]},
        auth=("not-a-key", ""),
        timeout=10,
    )
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_write_key")

    amplitude = requests.post(
        collector.url + "/2/httpapi", data=b'{"api_key": "' + AMPLITUDE_KEY.encode(), timeout=10
    )
    assert amplitude.status_code == 400
    assert amplitude.json()["code"] == 400
    assert "not JSON" in amplitude.json()["error"]

    pixel = requests.get(collector.url + "/i?e=pv&url=x&tv=py-1", timeout=10)
    assert (pixel.status_code, pixel.headers["Content-Type"]) == (200, "image/gif")
    assert pixel.content.startswith(b"GIF89a")

    # A check that can fail: a wrong status is not taken for the right one.
    assert refused.status_code != 200


def test_a_single_call_endpoint_lands_its_message(collector: RunningCollector) -> None:
    """Segment's and RudderStack's /v1/track, /v1/identify, ... carry one
    message, often without its `type`: the path says what it is."""
    message = {"userId": "user_1", "event": "Chat Opened", "messageId": "single-1"}
    answer = post(collector, "/v1/track", json.dumps(message).encode())
    assert (answer.status_code, answer.json()) == (200, {"success": True})
    row = landed(collector)["segment"]["single-1"]
    assert (row["source_format"], row["payload"], row["request"]["path"]) == (
        "segment_message",
        message,
        "/v1/track",
    )


def raw_request(collector: RunningCollector, head: str, body: bytes = b"") -> bytes:
    """Send bytes as they are (requests would fix a bad Content-Length), half
    close, and read the answer."""
    with socket.create_connection(("127.0.0.1", collector.port), timeout=10) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_a_body_that_lies_about_its_length_is_refused_and_not_landed(
    collector: RunningCollector,
) -> None:
    auth = base64.b64encode(f"{SEGMENT_KEY}:".encode()).decode()
    head = f"POST /v1/track HTTP/1.1\nHost: x\nAuthorization: Basic {auth}\n"
    event = json.dumps({"event": "x", "userId": "u", "messageId": "m"}).encode()
    negative = raw_request(collector, head + "Content-Length: -1\n", event * 1000)
    short = raw_request(collector, head + "Content-Length: 500\n", event)
    huge = raw_request(collector, head + "Content-Length: 999999999\n", b"{}")
    twice = raw_request(collector, head + "Content-Length: 58\nContent-Length: 5\n", event)
    signed = raw_request(collector, head + f"Content-Length: +{len(event)}\n", event)
    assert negative.startswith(b"HTTP/1.1 400") and b"bad_length" in negative
    assert short.startswith(b"HTTP/1.1 400") and b"body_cut_short" in short
    assert huge.startswith(b"HTTP/1.1 413")
    assert all(answer.startswith(b"HTTP/1.1 400") for answer in (twice, signed))
    collector.stop()
    assert collector.landed_files() == []


def test_a_key_is_good_only_for_its_protocol(collector: RunningCollector) -> None:
    on_segment = requests.post(
        collector.url + "/v1/batch",
        json={"batch": [{"type": "track", "event": "x", "messageId": "k1"}]},
        auth=(AMPLITUDE_KEY, ""),
        timeout=10,
    )
    on_amplitude = requests.post(
        collector.url + "/2/httpapi",
        json={"api_key": SEGMENT_KEY, "events": [{"event_type": "x", "insert_id": "k2"}]},
        timeout=10,
    )
    assert (on_segment.status_code, on_segment.json()["code"]) == (401, "invalid_write_key")
    assert on_amplitude.status_code == 400
    assert on_amplitude.json()["error"].startswith("Invalid API key")
    collector.stop()
    assert collector.landed_files() == []


def test_a_killed_collectors_open_file_is_closed_by_the_next_one(
    collector: RunningCollector, tmp_path: Path
) -> None:
    answer = post(collector, "/v1/track", json.dumps({"event": "x", "messageId": "kept"}).encode())
    assert answer.status_code == 200
    [open_file] = collector.landed_files()
    record = open_file.read_bytes()
    collector.stop()
    # What a collector killed mid-file leaves: its .open file, the last
    # record cut short, and a process id that no longer runs.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    landing = tmp_path / "crashed"
    folder = landing / "2026" / "12" / "04"
    folder.mkdir(parents=True)
    left = folder / f"collector-20261204T100000-{dead}-00001.ndjson.open"
    left.write_bytes(record + record[:40])
    live = folder / f"collector-20261204T100000-{os.getppid()}-00001.ndjson.open"
    live.write_bytes(record)

    with duckdb.connect(str(tmp_path / "before.duckdb")) as con:
        assert load_paths(con, [landing]).events_landed == 0
    running = RunningCollector(
        serve(CollectorConfig(landing), "127.0.0.1", 0), landing, tmp_path / "after.duckdb"
    )
    running.stop()
    # The dead collector's file is closed; the one of a live process is not.
    assert live.exists() and not left.exists()
    with duckdb.connect(str(running.database)) as con:
        summary = load_paths(con, [folder / left.name.removesuffix(".open")])
        assert (summary.events_landed, summary.items_rejected) == (1, 1)
        assert con.execute("select reason from raw.rejects").fetchall() == [
            ("invalid_collector_record",)
        ]


def test_other_methods_are_refused_in_json(collector: RunningCollector) -> None:
    put = requests.put(collector.url + "/v1/batch", data=b"{}", timeout=10)
    head = requests.head(collector.url + "/v1/batch", timeout=10)
    assert (put.status_code, put.json()["code"]) == (405, "method_not_allowed")
    assert head.status_code == 405
    collector.stop()
    assert collector.landed_files() == []
