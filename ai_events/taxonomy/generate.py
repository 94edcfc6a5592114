"""Files generated from the registry; never edit them by hand.

- `macros/taxonomy/registry.sql`: the registry as a dbt macro, which the
  staging models read at compile time to validate and type every event;
- `taxonomy/schemas/<event>/jsonschema/<version>.json`: a self-describing
  JSON Schema per event version, for trackers and Iglu registries;
- `taxonomy/DATA_DICTIONARY.md` and the dbt doc blocks
  `models/marts/governance/_taxonomy__docs.md`: the dictionary analysts
  read, and one doc block per property;
- `macros/kpis/kpi_tree.sql`: the KPI tree of `kpis/tree.yml`, compiled;
- the YAML of the event models whose columns the registry decides (the
  four staging models and the intermediate event models): a column per
  property, described from the dictionary, with the registry's allowed
  values and ranges as data tests.

`generate(check=True)` writes nothing and reports the files that differ
from what the registry says, so that CI catches a registry edited without
regenerating.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from ai_events.kpis import compile_tree
from ai_events.project import PROJECT_DIR
from ai_events.taxonomy.registry import Event, EventProperty, Property, Registry, normalize_name

SCHEMA_VENDOR = "io.ai_events"
SELF_DESCRIBING = (
    "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
)
HEADER = "Generated from taxonomy/ by `ai-events taxonomy generate`; do not edit."

JSON_SCHEMA_TYPES = {
    "string": "string", "integer": "integer", "number": "number",
    "boolean": "boolean", "object": "object", "array": "array",
}  # fmt: skip


def registry_document(registry: Registry) -> dict:
    """What the SQL side needs, in plain JSON types, in a stable order."""
    events = {}
    for event in sorted(registry.events.values(), key=lambda e: e.name):
        properties = {}
        for prop in event.properties:
            dictionary = registry.properties[prop.name]
            properties[prop.name] = {
                "required": prop.required,
                "allowed": _list(registry.constraint(event, prop, "allowed")),
                "minimum": registry.constraint(event, prop, "minimum"),
                "maximum": registry.constraint(event, prop, "maximum"),
                "type": dictionary.type,
            }
        events[event.name] = {
            "domain": event.domain,
            "owner": event.owner,
            "description": event.description,
            "emitted_by": event.emitted_by,
            "purpose": list(event.purpose),
            "version": event.version,
            "status": event.status,
            "replaced_by": event.replaced_by,
            "dual_write_from": _date(event.dual_write_from),
            "dual_write_until": _date(event.dual_write_until),
            "action_key": list(event.identifying_properties),
            "properties": properties,
        }
    names: dict[str, str] = {}
    for event in registry.events.values():
        for name in (event.name, *event.aliases):
            names.setdefault(normalize_name(name), event.name)
    properties = {
        name: {
            "type": p.type,
            "privacy": p.privacy,
            "handling": p.handling,
            "context": p.context,
            "description": p.description,
        }
        for name, p in sorted(registry.properties.items())
    }
    document = {
        "events": events,
        "names": dict(sorted(names.items())),
        "properties": properties,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    document["fingerprint"] = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return document


def _list(value: object) -> list | None:
    return list(value) if value is not None else None  # type: ignore[call-overload]


def _date(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def json_macro(name: str, document: dict, header: str = HEADER) -> str:
    """A dbt macro returning `document`, parsed from a JSON literal."""
    # One entry a line, so that a change reads as a small diff.
    payload = json.dumps(document, sort_keys=True, ensure_ascii=True, indent=1)
    # A Jinja single-quoted string: escape backslashes, then quotes.
    literal = payload.replace("\\", "\\\\").replace("'", "\\'")
    return (
        f"{{# {header} #}}\n"
        f"{{% macro {name}() %}}\n"
        f"    {{{{ return(fromjson('{literal}')) }}}}\n"
        "{% endmacro %}\n"
    )


def registry_macro(registry: Registry) -> str:
    return json_macro("taxonomy_registry", registry_document(registry))


def json_schema(registry: Registry, event: Event) -> dict:
    properties = {}
    for prop in event.properties:
        dictionary = registry.properties[prop.name]
        schema: dict = {"type": JSON_SCHEMA_TYPES[dictionary.type]}
        if dictionary.description:
            schema["description"] = dictionary.description
        allowed = registry.constraint(event, prop, "allowed")
        if allowed is not None:
            schema["enum"] = list(allowed)  # type: ignore[call-overload]
        for bound in ("minimum", "maximum"):
            value = registry.constraint(event, prop, bound)
            if value is not None:
                schema[bound] = value
        properties[prop.name] = schema
    return {
        "$schema": SELF_DESCRIBING,
        "description": event.description,
        "self": {
            "vendor": SCHEMA_VENDOR,
            "name": event.name,
            "format": "jsonschema",
            "version": event.version,
        },
        "type": "object",
        "properties": properties,
        "required": list(event.required),
        "additionalProperties": True,
    }


def data_dictionary(registry: Registry) -> str:
    lines = [
        "# Event data dictionary",
        "",
        f"_{HEADER}_",
        "",
        "Every event the warehouse accepts, by domain. An event whose name is not "
        "here, or whose properties break these rules, is quarantined in staging "
        "with the reason (`stg_events__quarantined`).",
        "",
    ]
    domains = sorted({e.domain for e in registry.events.values()})
    for domain in domains:
        lines += [f"## {domain}", ""]
        for event in sorted(
            (e for e in registry.events.values() if e.domain == domain), key=lambda e: e.name
        ):
            status = event.status
            if event.status == "deprecated":
                status += f", use `{event.replaced_by}` (dual-write until {event.dual_write_until})"
            aliases = f"; also accepted as {', '.join(event.aliases)}" if event.aliases else ""
            lines += [
                f"### `{event.name}` {event.version}",
                "",
                f"{event.description}",
                "",
                f"Owner `{event.owner}`; emitted by the {event.emitted_by}; for "
                f"{' and '.join(event.purpose)}; {status}{aliases}.",
                "",
                "| property | type | required | values | privacy |",
                "|---|---|---|---|---|",
            ]
            for prop in event.properties:
                dictionary = registry.properties[prop.name]
                lines.append(
                    f"| `{prop.name}` | {dictionary.type} | {'yes' if prop.required else 'no'} "
                    f"| {_values(registry, event, prop)} | {_privacy(dictionary)} |"
                )
            lines.append("")
    lines += [
        "## Property dictionary",
        "",
        "| property | type | privacy | meaning |",
        "|---|---|---|---|",
    ]
    for name, prop in sorted(registry.properties.items()):
        context = " (context)" if prop.context else ""
        lines.append(f"| `{name}`{context} | {prop.type} | {_privacy(prop)} | {prop.description} |")
    return "\n".join(lines) + "\n"


def _values(registry: Registry, event: Event, prop: EventProperty) -> str:
    allowed = registry.constraint(event, prop, "allowed")
    if allowed is not None:
        return ", ".join(f"`{v}`" for v in allowed)  # type: ignore[union-attr]
    low = registry.constraint(event, prop, "minimum")
    high = registry.constraint(event, prop, "maximum")
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"{low} or more"
    if high is not None:
        return f"{high} or less"
    return ""


def _privacy(prop: Property) -> str:
    if prop.privacy == "personal_data":
        return f"personal data ({'hashed' if prop.handling == 'pseudonymise' else 'dropped'})"
    return prop.privacy.replace("_", " ")


def dbt_docs(registry: Registry) -> str:
    blocks = [
        f"{{# {HEADER} #}}\n",
        "{% docs taxonomy_data_dictionary %}\n",
        data_dictionary(registry),
        "{% enddocs %}\n",
    ]
    for name, prop in sorted(registry.properties.items()):
        meaning = prop.description
        if prop.privacy == "personal_data" and prop.handling == "pseudonymise":
            meaning += " A keyed SHA-256 hash of the value, never the value itself."
        blocks += [f"\n{{% docs property_{name} %}}\n", f"{meaning}\n", "{% enddocs %}\n"]
    return "".join(blocks)


# The columns every staging model of events gives, before the properties
# (macros/taxonomy/conform_events.sql, staged_event_columns and
# conformed_event_columns, in the same order).
STAGED_COLUMNS = (
    "event_id", "source_protocol", "event_type", "event_name_raw", "event_name_normalized",
    "user_id", "anonymous_id", "device_id", "event_at", "original_at", "sent_at",
    "received_at", "is_event_time_fallback", "user_agent", "is_bot_by_tracker", "load_id",
    "loaded_at", "source_file", "source_line", "source_index", "event_name",
    "registry_event_name", "is_quarantined", "quarantine_reasons", "coerced_properties",
    "unplanned_properties",
)  # fmt: skip
SOURCE_PROTOCOLS = (
    "segment", "rudderstack", "snowplow", "snowplow_enriched", "amplitude", "amplitude_export",
)  # fmt: skip
STAGING_MODELS = {
    "segment": (
        "stg_segment__events",
        "Segment HTTP API events, one row per event landed, flattened, timed and "
        "checked against the tracking plan.",
    ),
    "rudderstack": (
        "stg_rudderstack__events",
        "RudderStack events, one row per event landed, flattened with the Segment "
        "spec, timed and checked against the tracking plan.",
    ),
    "snowplow": (
        "stg_snowplow__events",
        "Snowplow tracker-protocol-2 and enriched events, one row per event landed, "
        "flattened, timed and checked against the tracking plan.",
    ),
    "amplitude": (
        "stg_amplitude__events",
        "Amplitude HTTP API and export events, one row per event landed, flattened, "
        "timed and checked against the tracking plan.",
    ),
}


SESSION_COLUMNS = [
    {
        "name": "stitched_user_id",
        "description": "The user id, or the user its anonymous id was stitched to.",
    },
    {
        "name": "actor_id",
        "description": (
            "Who did it: the stitched user id, else the anonymous id, else the device id."
        ),
        "data_tests": ["not_null"],
    },
    {"name": "is_identified", "description": "True when the actor is a known user."},
    {
        "name": "session_id",
        "description": (
            "The actor's session: a new one after more than session_inactivity_minutes "
            "without an event; a hash of the actor and the session's first event."
        ),
        "data_tests": ["not_null"],
    },
    {
        "name": "is_bot",
        "description": (
            "True for a user agent matching bot_user_agent_pattern or Snowplow's "
            "spiders_and_robots context; never for a missing user agent. KPIs exclude bots."
        ),
    },
    {
        "name": "is_dual_write_duplicate",
        "description": (
            "True for an event under a deprecated name whose twin under the new name was "
            "sent for the same action; KPIs count the action once."
        ),
    },
    {
        "name": "taxonomy_fingerprint",
        "description": "The tracking plan the row was built under.",
    },
]


def property_columns(registry: Registry) -> list[tuple[str, str]]:
    """(column, property) for each property column of the event models;
    dropped personal data has none, pseudonymised has <name>_hash."""
    columns = []
    for name, prop in sorted(registry.properties.items()):
        if prop.privacy == "personal_data" and prop.handling == "drop":
            continue
        column = f"{name}_hash" if prop.privacy == "personal_data" else name
        columns.append((column, name))
    return columns


def _column_entry(name: str, description: str, tests: list | None = None) -> dict:
    entry: dict = {"name": name, "description": description}
    if tests:
        entry["data_tests"] = tests
    return entry


def event_model_columns(registry: Registry, tests: str) -> list[dict]:
    """The YAML column entries of an event model, with the data tests that
    fit where it sits:

    - `staging`: the views parse every payload, so only columns that pass
      straight through from the raw landing are tested there;
    - `distinct`: the deduplicated table, where the keys are tested;
    - `conformed`: every row passed the plan, so the registry's allowed
      values and ranges become tests;
    - `none`: columns documented, tested elsewhere.
    """
    base_tests: dict[str, list] = {}
    protocols = {"accepted_values": {"arguments": {"values": list(SOURCE_PROTOCOLS)}}}
    if tests in ("staging", "distinct"):
        base_tests["load_id"] = ["not_null"]
        base_tests["source_protocol"] = ["not_null", protocols]
    if tests == "distinct":
        base_tests["event_id"] = ["not_null", "unique"]
        base_tests["event_at"] = ["not_null"]
    if tests == "conformed":
        base_tests["event_name"] = ["not_null"]
    columns = [
        _column_entry(name, f"{{{{ doc('col_{name}') }}}}", base_tests.get(name))
        for name in STAGED_COLUMNS
    ]
    for column, name in property_columns(registry):
        prop = registry.properties[name]
        checks: list = []
        if tests == "conformed" and prop.allowed is not None:
            checks.append({"accepted_values": {"arguments": {"values": list(prop.allowed)}}})
        if tests == "conformed" and (prop.minimum is not None or prop.maximum is not None):
            bounds = {}
            if prop.minimum is not None:
                bounds["min_value"] = prop.minimum
            if prop.maximum is not None:
                bounds["max_value"] = prop.maximum
            checks.append({"accepted_range": {"arguments": bounds}})
        columns.append(_column_entry(column, f"{{{{ doc('property_{name}') }}}}", checks))
    return columns


def _yaml(models: list[dict]) -> str:
    body = yaml.safe_dump({"version": 2, "models": models}, sort_keys=False, width=88)
    return f"# {HEADER}\n{body}"


def staging_models_yaml(registry: Registry, source: str) -> str:
    name, description = STAGING_MODELS[source]
    return _yaml(
        [
            {
                "name": name,
                "description": description,
                "columns": event_model_columns(registry, tests="staging"),
            }
        ]
    )


def event_models_yaml(registry: Registry) -> str:
    return _yaml(
        [
            {
                "name": "int_events__deduplicated",
                "description": (
                    "Every distinct event of the four trackers once, deduplicated on the "
                    "protocol's event id; conformed and quarantined alike."
                ),
                "columns": [
                    *event_model_columns(registry, tests="distinct"),
                    SESSION_COLUMNS[-1],
                ],
            },
            {
                "name": "int_events__sessionized",
                "description": (
                    "The conformed events with their actor after identity stitching, their "
                    "session, and the bot and dual-write flags that keep events out of KPIs."
                ),
                "columns": [*event_model_columns(registry, tests="none"), *SESSION_COLUMNS],
            },
            {
                "name": "int_events__conformed",
                "description": (
                    "The distinct events that passed the tracking plan, with a typed column "
                    "per property: what every domain model reads."
                ),
                "columns": event_model_columns(registry, tests="conformed"),
            },
        ]
    )


@dataclass
class GenerateResult:
    written: list[Path]
    stale: list[Path]


def generated_files(registry: Registry, project: Path = PROJECT_DIR) -> dict[Path, str]:
    files = {
        project / "macros" / "taxonomy" / "registry.sql": registry_macro(registry),
        project / "taxonomy" / "DATA_DICTIONARY.md": data_dictionary(registry),
        project / "models" / "marts" / "governance" / "_taxonomy__docs.md": dbt_docs(registry),
    }
    for source in STAGING_MODELS:
        files[project / "models" / "staging" / source / f"_{source}__models.yml"] = (
            staging_models_yaml(registry, source)
        )
    files[project / "models" / "intermediate" / "events" / "_events__models.yml"] = (
        event_models_yaml(registry)
    )
    files[project / "macros" / "kpis" / "kpi_tree.sql"] = json_macro(
        "kpi_tree",
        compile_tree(project / "kpis" / "tree.yml"),
        "Generated from kpis/tree.yml by `ai-events taxonomy generate`; do not edit.",
    )
    for event in registry.events.values():
        path = (
            project / "taxonomy" / "schemas" / event.name / "jsonschema" / f"{event.version}.json"
        )
        files[path] = json.dumps(json_schema(registry, event), indent=2) + "\n"
    return files


def generate(
    registry: Registry, check: bool = False, project: Path = PROJECT_DIR
) -> GenerateResult:
    """Write the generated files (or, with `check`, list those out of date).

    Schemas of earlier event versions are left in place: they describe
    events that may still arrive from old app versions.
    """
    result = GenerateResult([], [])
    for path, content in generated_files(registry, project).items():
        current = path.read_text() if path.exists() else None
        if current == content:
            continue
        if check:
            result.stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
            result.written.append(path)
    return result
