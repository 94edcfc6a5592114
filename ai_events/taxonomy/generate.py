"""Files generated from the registry; never edit them by hand.

- `macros/taxonomy/registry.sql`: the registry as a dbt macro, which the
  staging models read at compile time to validate and type every event;
- `taxonomy/schemas/<event>/jsonschema/<version>.json`: a self-describing
  JSON Schema per event version, for trackers and Iglu registries;
- `taxonomy/DATA_DICTIONARY.md` and the dbt doc block
  `models/marts/governance/_taxonomy__docs.md`: the dictionary analysts read.

`generate(check=True)` writes nothing and reports the files that differ
from what the registry says, so that CI catches a registry edited without
regenerating.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

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


def registry_macro(registry: Registry) -> str:
    # One entry a line, so that a registry change reads as a small diff.
    payload = json.dumps(registry_document(registry), sort_keys=True, ensure_ascii=True, indent=1)
    # A Jinja single-quoted string: escape backslashes, then quotes.
    literal = payload.replace("\\", "\\\\").replace("'", "\\'")
    return (
        f"{{# {HEADER} #}}\n"
        "{% macro taxonomy_registry() %}\n"
        f"    {{{{ return(fromjson('{literal}')) }}}}\n"
        "{% endmacro %}\n"
    )


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
    return (
        f"{{# {HEADER} #}}\n"
        "{% docs taxonomy_data_dictionary %}\n"
        f"{data_dictionary(registry)}"
        "{% enddocs %}\n"
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
