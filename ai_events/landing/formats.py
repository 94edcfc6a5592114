"""Tracker wire formats: how a landed document is recognised and split into events.

A *unit* is one JSON document read from a line (or a whole file). Each unit is
classified as one of the formats below, then split into one raw row per event.
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

# Recognise a document by its keys. `doc` is a JSON value (an object).
# The order matters: the first match wins.
_DETECT = f"""
case
    when json_type(doc, '$.batch') = 'ARRAY' then
        case
            when json_exists(doc, '$.requestIP')
                or json_exists(doc, '$.batch[0].channel')
                or json_exists(doc, '$.batch[0].rudderId')
                then 'rudderstack_batch'
            else 'segment_batch'
        end
    when json_type(doc, '$.data') = 'ARRAY'
        and (doc ->> '$.schema') like 'iglu:com.snowplowanalytics.snowplow/payload_data/%'
        then 'snowplow_tp2'
    when json_type(doc, '$.events') = 'ARRAY' and json_exists(doc, '$.api_key')
        then 'amplitude_upload'
    when json_exists(doc, '$.event_id') and json_exists(doc, '$.collector_tstamp')
        then 'snowplow_enriched'
    when json_exists(doc, '$.e')
        and (json_exists(doc, '$.eid') or json_exists(doc, '$.tv') or json_exists(doc, '$.p'))
        then 'snowplow_tp2_event'
    when json_exists(doc, '$.event_type') then
        case
            when json_exists(doc, '$.uuid') or json_exists(doc, '$.server_upload_time')
                then 'amplitude_export'
            else 'amplitude_event'
        end
    when (doc ->> '$.type') in {SEGMENT_TYPES} then
        case
            when json_exists(doc, '$.channel') or json_exists(doc, '$.rudderId')
                then 'rudderstack_message'
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
    """SQL that names the format of `doc`, NULL when it has no known shape.

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
