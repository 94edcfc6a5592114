"""`ai-events taxonomy lint`: the registry's conventions, checked.

Errors fail the lint (and CI); warnings are reported and pass.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ai_events.taxonomy.registry import Registry, normalize_name

SNAKE_WORDS = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
OBJECT_ACTION = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
# Words that read as a finished action without ending in -ed.
IRREGULAR_ACTIONS = {"shown", "sent", "given", "seen", "done", "made", "read", "taken", "past"}
# Columns of the conformed event table that a property must not shadow.
RESERVED_COLUMNS = {
    "event_id", "event_name", "event_name_raw", "event_type", "event_at", "event_date",
    "user_id", "anonymous_id", "device_id", "actor_id", "session_id", "source_protocol",
    "received_at", "sent_at", "original_at", "loaded_at", "load_id", "is_bot",
    "quarantine_reasons", "is_quarantined", "unplanned_properties", "coerced_properties",
}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    severity: str  # error or warning
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


def _type_matches(kind: str, value: object) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return False


def lint(registry: Registry, today: dt.date | None = None) -> list[Finding]:
    today = today or dt.date.today()
    findings: list[Finding] = []

    def error(where: str, message: str) -> None:
        findings.append(Finding("error", where, message))

    def warning(where: str, message: str) -> None:
        findings.append(Finding("warning", where, message))

    for prop in registry.properties.values():
        where = f"properties.yml: {prop.name}"
        if not SNAKE_WORDS.match(prop.name):
            error(where, "property names are snake_case")
        if prop.name in RESERVED_COLUMNS:
            error(where, "the name is a column of the conformed event table; choose another")
        if not prop.description.strip():
            error(where, "no description")
        if prop.privacy == "personal_data" and prop.handling is None:
            error(where, "personal data needs `handling: pseudonymise` or `handling: drop`")
        if prop.privacy != "personal_data" and prop.handling is not None:
            error(where, "`handling` applies only to personal data")
        if prop.handling == "pseudonymise" and prop.type not in ("string", "integer"):
            # The hash is of the value's text, and engines write numbers
            # differently (1e20 or 1.0E20): DuckDB and Spark would disagree.
            error(where, "only string and integer properties can be pseudonymised")
        if prop.allowed and any(not _type_matches(prop.type, v) for v in prop.allowed):
            error(where, f"allowed values must all be of type {prop.type}")
        if (prop.minimum is not None or prop.maximum is not None) and prop.type not in (
            "integer",
            "number",
        ):
            error(where, "minimum and maximum apply only to integer and number properties")

    used = {p.name for e in registry.events.values() for p in e.properties}
    for name in sorted(set(registry.properties) - used):
        warning(f"properties.yml: {name}", "no event carries this property")

    seen_names: dict[str, str] = {}
    for event in registry.events.values():
        where = f"events/{event.source_file}: {event.name}"
        if not OBJECT_ACTION.match(event.name):
            error(where, "event names are object_action in snake_case, such as item_clicked")
        elif event.status == "active" and not any(
            w.endswith("ed") or w in IRREGULAR_ACTIONS for w in event.name.split("_")[1:]
        ):
            warning(where, "the action does not read as done (item_clicked, not item_click)")
        if not event.description.strip():
            error(where, "no description")
        if not event.owner.strip():
            error(where, "no owner (set `owner:` on the event or its file)")
        for name in (event.name, *event.aliases):
            normalized = normalize_name(name)
            if normalized in seen_names and seen_names[normalized] != event.name:
                error(
                    where,
                    f"{name!r} normalises to {normalized!r}, which {seen_names[normalized]} "
                    "already uses",
                )
            seen_names.setdefault(normalized, event.name)
        if event.status == "deprecated":
            if event.replaced_by is None:
                error(where, "a deprecated event names its replacement (`replaced_by`)")
            if event.dual_write_until is None:
                error(where, "a deprecated event needs a dual-write window (`dual_write.until`)")
            elif event.dual_write_until < today:
                warning(
                    where,
                    f"its dual-write window ended on {event.dual_write_until}; events under this "
                    "name are quarantined, and the entry can be removed",
                )
            target = registry.events.get(event.replaced_by or "")
            if target is not None and target.status == "deprecated":
                error(where, f"its replacement {target.name} is deprecated too")
        elif event.replaced_by is not None or event.dual_write_until is not None:
            error(where, "only a deprecated event has `replaced_by` and `dual_write`")
        for prop in event.properties:
            prop_where = f"{where}: {prop.name}"
            dictionary = registry.properties[prop.name]
            if prop.allowed is not None:
                outside = set(prop.allowed) - set(dictionary.allowed or prop.allowed)
                if outside:
                    error(prop_where, f"allows {sorted(outside)}, which the dictionary does not")
            for bound, looser in (("minimum", lambda a, b: a < b), ("maximum", lambda a, b: a > b)):
                own, base = getattr(prop, bound), getattr(dictionary, bound)
                if own is not None and base is not None and looser(own, base):
                    error(prop_where, f"{bound} {own} is looser than the dictionary's {base}")
    return findings
