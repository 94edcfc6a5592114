"""Tracker wire formats: how a landed document is recognised and split into events.

A *document* is one JSON object read from a line (or a whole file, or an
element of a JSON array). Each document is classified as one of the formats
below, then split into one raw row per event (the loader's docstring says how
every piece is accounted for).
Classification and splitting run as SQL inside DuckDB so that a million events
cost a scan, not a Python loop.

- segment_batch (segment): `{"batch": [...], "sentAt", "context", ...}`
- segment_message (segment): one `track`, `identify`, `page`, ... message
- rudderstack_batch (rudderstack): a batch whose messages carry `channel` or
  `rudderId`, or one as the RudderStack server stores it (`requestIP`)
- rudderstack_message (rudderstack): one message with `channel` or `rudderId`
- snowplow_tp2 (snowplow): `{"schema": "iglu:.../payload_data/...", "data": [...]}`
- snowplow_tp2_event (snowplow): one tracker-protocol event (`e` with `eid`,
  `tv` or `p`)
- snowplow_enriched (snowplow_enriched): an enriched event as JSON
  (`event_id`, `collector_tstamp`)
- amplitude_upload (amplitude): `{"api_key", "events": [...]}`, HTTP API v2
  and batch
- amplitude_event (amplitude): one HTTP API event (`event_type`)
- amplitude_export (amplitude_export): one export-file event (`event_type`
  with `uuid` or `server_upload_time`)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    protocol: str
    # JSON path of the event array inside the document; None when the
    # document is itself one event.
    events_key: str | None


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("segment_batch", "segment", "batch"),
        Format("segment_message", "segment", None),
        Format("rudderstack_batch", "rudderstack", "batch"),
        Format("rudderstack_message", "rudderstack", None),
        Format("snowplow_tp2", "snowplow", "data"),
        Format("snowplow_tp2_event", "snowplow", None),
        Format("snowplow_enriched", "snowplow_enriched", None),
        Format("amplitude_upload", "amplitude", "events"),
        Format("amplitude_event", "amplitude", None),
        Format("amplitude_export", "amplitude_export", None),
    )
}

# Names a user may pass to `--format`: a protocol picks its formats by shape,
# a format name forces exactly that format.
PROTOCOL_CHOICES = ("segment", "rudderstack", "snowplow", "amplitude")
FORMAT_CHOICES = ("auto", *PROTOCOL_CHOICES, *FORMATS)

SEGMENT_TYPES = "('track','identify','page','screen','group','alias')"

# Every key detection looks at, probed once per document: `json_type(doc,
# PROBE_PATHS)` parses the document once, where a json_exists per key would
# parse it again for each. A missing key probes as NULL.
PROBE_PATHS = (
    "$.batch",
    "$.data",
    "$.events",
    "$.requestIP",
    "$.batch[0].channel",
    "$.batch[0].rudderId",
    "$.api_key",
    "$.event_id",
    "$.collector_tstamp",
    "$.e",
    "$.eid",
    "$.tv",
    "$.p",
    "$.event_type",
    "$.uuid",
    "$.server_upload_time",
    "$.channel",
    "$.rudderId",
)
# Keys whose text detection compares, extracted once per document.
TEXT_PATHS = ("$.schema", "$.type")


def probe_sql(doc: str = "doc") -> str:
    """SQL for the `probe` (JSON types) and `texts` columns detection reads."""
    paths = ", ".join(f"'{p}'" for p in PROBE_PATHS)
    texts = ", ".join(f"'{p}'" for p in TEXT_PATHS)
    return f"json_type({doc}, [{paths}]) as probe, json_extract_string({doc}, [{texts}]) as texts"


def _type(path: str) -> str:
    return f"probe[{PROBE_PATHS.index(path) + 1}]"


def _has(*paths: str) -> str:
    return " or ".join(f"{_type(p)} is not null" for p in paths)


def _text(path: str) -> str:
    return f"texts[{TEXT_PATHS.index(path) + 1}]"


# Recognise a document by its keys, from the `probe` and `texts` columns.
# The order matters: the first match wins.
_DETECT = f"""
case
    when {_type("$.batch")} = 'ARRAY' then
        case
            when {_has("$.requestIP", "$.batch[0].channel", "$.batch[0].rudderId")}
                then 'rudderstack_batch'
            else 'segment_batch'
        end
    when {_type("$.data")} = 'ARRAY'
        and {_text("$.schema")} like 'iglu:com.snowplowanalytics.snowplow/payload_data/%'
        then 'snowplow_tp2'
    when {_type("$.events")} = 'ARRAY' and ({_has("$.api_key")})
        then 'amplitude_upload'
    when ({_has("$.event_id")}) and ({_has("$.collector_tstamp")})
        then 'snowplow_enriched'
    when ({_has("$.e")}) and ({_has("$.eid", "$.tv", "$.p")})
        then 'snowplow_tp2_event'
    when {_has("$.event_type")} then
        case
            when {_has("$.uuid", "$.server_upload_time")} then 'amplitude_export'
            else 'amplitude_event'
        end
    when {_text("$.type")} in {SEGMENT_TYPES} then
        case
            when {_has("$.channel", "$.rudderId")} then 'rudderstack_message'
            else 'segment_message'
        end
end
"""

# When the user forces a protocol, only that protocol's formats are tried.
_PROTOCOL_FORMATS = {
    "segment": ("segment_batch", "segment_message"),
    "rudderstack": ("rudderstack_batch", "rudderstack_message"),
    "snowplow": ("snowplow_tp2", "snowplow_tp2_event", "snowplow_enriched"),
    "amplitude": ("amplitude_upload", "amplitude_event", "amplitude_export"),
}


def detect_expression(choice: str) -> str:
    """SQL that names the format of a document from its `probe` and `texts`
    columns (see `probe_sql`), NULL when it has no known shape.

    `choice` is `auto`, a protocol or a format name (see FORMAT_CHOICES). A
    forced protocol keeps the shape detection but maps a Segment-spec document
    onto the protocol asked for, since Segment and RudderStack share a spec.
    """
    if choice == "auto":
        return _DETECT
    if choice in FORMATS:
        return f"'{choice}'"
    if choice not in _PROTOCOL_FORMATS:
        raise ValueError(f"unknown format {choice!r}; choose one of {', '.join(FORMAT_CHOICES)}")
    allowed = ", ".join(f"'{name}'" for name in _PROTOCOL_FORMATS[choice])
    detected = f"({_DETECT})"
    if choice in ("segment", "rudderstack"):
        other = "rudderstack" if choice == "segment" else "segment"
        detected = f"replace({detected}, '{other}_', '{choice}_')"
    return f"case when {detected} in ({allowed}) then {detected} end"


def events_key_case(column: str = "format") -> str:
    """SQL giving the JSON key that holds the event array for a format, else NULL."""
    arms = " ".join(
        f"when '{f.name}' then '{f.events_key}'" for f in FORMATS.values() if f.events_key
    )
    return f"(case {column} {arms} end)"


def elements_case(key_column: str = "events_key", doc_column: str = "doc") -> str:
    """SQL giving the list of events under a document's events key.

    JSON paths with a wildcard must be constants, hence one arm per key.
    """
    keys = sorted({f.events_key for f in FORMATS.values() if f.events_key})
    arms = " ".join(f"when '{k}' then json_extract({doc_column}, '$.{k}[*]')" for k in keys)
    return f"(case {key_column} {arms} end)"


def protocol_case(column: str = "format") -> str:
    """SQL giving the protocol of a format."""
    arms = " ".join(f"when '{f.name}' then '{f.protocol}'" for f in FORMATS.values())
    return f"(case {column} {arms} end)"
