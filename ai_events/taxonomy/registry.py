"""The event taxonomy kept as code: reading and checking `taxonomy/`.

The registry is two kinds of YAML file:

- `taxonomy/properties.yml`: the property dictionary, every property and
  context field with one type, one privacy class and its allowed values;
- `taxonomy/events/<domain>.yml`: a domain's events, each with its owner,
  status, SchemaVer version and the properties it carries.

`load_registry` reads both and stops at the first structural error with the
file, the event and the property at fault. Judgement calls (naming, missing
descriptions) are the linter's job (`lint.py`), not the loader's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ai_events.project import PROJECT_DIR

TAXONOMY_DIR = PROJECT_DIR / "taxonomy"

TYPES = ("string", "integer", "number", "boolean", "object", "array")
PRIVACY_CLASSES = ("none", "pseudonymous_id", "personal_data")
HANDLINGS = ("pseudonymise", "drop")
STATUSES = ("active", "deprecated")
EMITTERS = ("user", "system")
PURPOSES = ("product_analytics", "ml_training")
SCHEMAVER = re.compile(r"^(\d+)-(\d+)-(\d+)$")

_PROPERTY_KEYS = {
    "type", "privacy", "handling", "context", "allowed", "minimum", "maximum", "description",
}  # fmt: skip
_EVENT_KEYS = {
    "description", "emitted_by", "purpose", "version", "status", "replaced_by", "dual_write",
    "aliases", "action_key", "properties", "owner",
}  # fmt: skip
_EVENT_PROPERTY_KEYS = {"required", "allowed", "minimum", "maximum"}


class RegistryError(Exception):
    """The registry cannot be read: the message names the file and the entry."""


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    privacy: str
    description: str = ""
    handling: str | None = None
    context: bool = False
    allowed: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class EventProperty:
    """A property as one event carries it; constraints may narrow the dictionary's."""

    name: str
    required: bool
    allowed: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Event:
    name: str
    domain: str
    owner: str
    description: str
    emitted_by: str
    purpose: tuple[str, ...]
    version: str
    source_file: str
    status: str = "active"
    replaced_by: str | None = None
    dual_write_from: dt.date | None = None
    dual_write_until: dt.date | None = None
    aliases: tuple[str, ...] = ()
    action_key: tuple[str, ...] = ()
    properties: tuple[EventProperty, ...] = ()

    @property
    def version_parts(self) -> tuple[int, int, int]:
        model, revision, addition = SCHEMAVER.match(self.version).groups()  # type: ignore[union-attr]
        return int(model), int(revision), int(addition)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties if p.required)

    @property
    def identifying_properties(self) -> tuple[str, ...]:
        """What tells one action from another: the action key, else the required properties."""
        return self.action_key or self.required


@dataclass
class Registry:
    properties: dict[str, Property] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    root: Path = TAXONOMY_DIR

    def constraint(self, event: Event, prop: EventProperty, attribute: str) -> object:
        """An event's own constraint where it sets one, else the dictionary's."""
        own = getattr(prop, attribute)
        return own if own is not None else getattr(self.properties[prop.name], attribute)


# --------------------------------------------------------------------------
# Reading


def normalize_name(name: str) -> str:
    """snake_case, as `macros/taxonomy/normalize_event_name.sql` does in SQL:
    'Item Clicked', 'item-clicked' and 'ItemClicked' all become item_clicked."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def _read_yaml(path: Path, text: str | None = None) -> dict:
    try:
        document = yaml.safe_load(text if text is not None else path.read_text())
    except yaml.YAMLError as error:
        raise RegistryError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise RegistryError(f"{path}: expected a mapping at the top")
    return document


def _check_keys(where: str, entry: object, allowed: set[str]) -> Mapping:
    if not isinstance(entry, Mapping):
        raise RegistryError(f"{where}: expected a mapping, got {type(entry).__name__}")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return entry


def _flag(where: str, value: object) -> bool:
    """A YAML boolean; a quoted "false" or "no" is text, and would read as true."""
    if not isinstance(value, bool):
        raise RegistryError(f"{where}: must be true or false, not {value!r}")
    return value


def _number(where: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RegistryError(f"{where}: expected a number, got {value!r}")
    return value


def _allowed(where: str, value: object) -> tuple | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise RegistryError(f"{where}: allowed must be a non-empty list")
    return tuple(value)


def _date(where: str, value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise RegistryError(f"{where}: expected a date (YYYY-MM-DD), got {value!r}") from error


def parse_properties(path: Path, document: dict) -> dict[str, Property]:
    entries = document.get("properties")
    if not isinstance(entries, dict) or not entries:
        raise RegistryError(f"{path}: expected a `properties:` mapping")
    properties: dict[str, Property] = {}
    for name, entry in entries.items():
        where = f"{path}: property {name}"
        entry = _check_keys(where, entry, _PROPERTY_KEYS)
        kind = entry.get("type")
        if kind not in TYPES:
            raise RegistryError(f"{where}: type must be one of {', '.join(TYPES)}, got {kind!r}")
        privacy = entry.get("privacy", "none")
        if privacy not in PRIVACY_CLASSES:
            raise RegistryError(
                f"{where}: privacy must be one of {', '.join(PRIVACY_CLASSES)}, got {privacy!r}"
            )
        handling = entry.get("handling")
        if handling is not None and handling not in HANDLINGS:
            raise RegistryError(f"{where}: handling must be pseudonymise or drop")
        properties[name] = Property(
            name=name,
            type=kind,
            privacy=privacy,
            description=str(entry.get("description", "") or ""),
            handling=handling,
            context=_flag(f"{where}: context", entry.get("context", False)),
            allowed=_allowed(where, entry.get("allowed")),
            minimum=_number(f"{where}: minimum", entry.get("minimum")),
            maximum=_number(f"{where}: maximum", entry.get("maximum")),
        )
    return properties


def parse_events(path: Path, document: dict, properties: dict[str, Property]) -> list[Event]:
    domain = document.get("domain")
    if not isinstance(domain, str) or not domain:
        raise RegistryError(f"{path}: expected `domain:` naming the file's domain")
    entries = document.get("events")
    if not isinstance(entries, dict) or not entries:
        raise RegistryError(f"{path}: expected an `events:` mapping")
    events = []
    for name, entry in entries.items():
        where = f"{path}: event {name}"
        entry = _check_keys(where, entry, _EVENT_KEYS)
        version = str(entry.get("version", ""))
        if not SCHEMAVER.match(version):
            raise RegistryError(
                f"{where}: version must be SchemaVer MODEL-REVISION-ADDITION such as 1-0-0, "
                f"got {version!r}"
            )
        status = entry.get("status", "active")
        if status not in STATUSES:
            raise RegistryError(f"{where}: status must be active or deprecated, got {status!r}")
        emitted_by = entry.get("emitted_by", "user")
        if emitted_by not in EMITTERS:
            raise RegistryError(f"{where}: emitted_by must be user or system")
        purpose = entry.get("purpose", ["product_analytics"])
        if not isinstance(purpose, list) or not purpose or any(p not in PURPOSES for p in purpose):
            raise RegistryError(f"{where}: purpose must list {' and/or '.join(PURPOSES)}")
        dual_write = entry.get("dual_write")
        window_from = window_until = None
        if dual_write is not None:
            dual_write = _check_keys(f"{where}: dual_write", dual_write, {"from", "until"})
            if "until" not in dual_write:
                raise RegistryError(f"{where}: dual_write needs `until`")
            window_until = _date(f"{where}: dual_write.until", dual_write["until"])
            if "from" in dual_write:
                window_from = _date(f"{where}: dual_write.from", dual_write["from"])
        event_properties = []
        for prop_name, prop_entry in (entry.get("properties") or {}).items():
            prop_where = f"{where}: property {prop_name}"
            if prop_name not in properties:
                raise RegistryError(
                    f"{prop_where}: not in the property dictionary (taxonomy/properties.yml)"
                )
            prop_entry = _check_keys(prop_where, prop_entry or {}, _EVENT_PROPERTY_KEYS)
            event_properties.append(
                EventProperty(
                    name=prop_name,
                    required=_flag(f"{prop_where}: required", prop_entry.get("required", False)),
                    allowed=_allowed(prop_where, prop_entry.get("allowed")),
                    minimum=_number(f"{prop_where}: minimum", prop_entry.get("minimum")),
                    maximum=_number(f"{prop_where}: maximum", prop_entry.get("maximum")),
                )
            )
        declared = {p.name for p in event_properties}
        action_key = tuple(entry.get("action_key") or ())
        missing_key = [k for k in action_key if k not in declared]
        if missing_key:
            raise RegistryError(f"{where}: action_key names undeclared {', '.join(missing_key)}")
        events.append(
            Event(
                name=name,
                domain=domain,
                owner=str(entry.get("owner", document.get("owner", "")) or ""),
                description=str(entry.get("description", "") or ""),
                emitted_by=emitted_by,
                purpose=tuple(purpose),
                version=version,
                source_file=path.name,
                status=status,
                replaced_by=entry.get("replaced_by"),
                dual_write_from=window_from,
                dual_write_until=window_until,
                aliases=tuple(entry.get("aliases") or ()),
                action_key=action_key,
                properties=tuple(event_properties),
            )
        )
    return events


def load_registry(
    root: Path = TAXONOMY_DIR, read: Callable[[Path], str | None] | None = None
) -> Registry:
    """Read the registry under `root`.

    `read` lets the caller supply file contents (for a git revision, say): it
    gets a path and returns its text, or None when the file does not exist;
    the file list then comes from `read(root / "events")` as newline-separated
    names.
    """
    if read is None:
        properties_path = root / "properties.yml"
        if not properties_path.exists():
            raise RegistryError(f"{properties_path}: missing; the property dictionary lives here")
        properties_text = properties_path.read_text()
        event_files = sorted((root / "events").glob("*.yml"))
        event_texts = [(p, p.read_text()) for p in event_files]
    else:
        properties_path = root / "properties.yml"
        properties_text = read(properties_path)
        if properties_text is None:
            raise RegistryError(f"{properties_path}: missing")
        listing = read(root / "events") or ""
        names = sorted(n for n in listing.splitlines() if n.endswith(".yml"))
        event_texts = [(root / "events" / n, read(root / "events" / n) or "") for n in names]

    registry = Registry(root=root)
    registry.properties = parse_properties(
        properties_path, _read_yaml(properties_path, properties_text)
    )
    for path, text in event_texts:
        for event in parse_events(path, _read_yaml(path, text), registry.properties):
            if event.name in registry.events:
                other = registry.events[event.name].source_file
                raise RegistryError(f"{path}: event {event.name} is also defined in {other}")
            registry.events[event.name] = event
    for event in registry.events.values():
        if event.replaced_by is not None and event.replaced_by not in registry.events:
            raise RegistryError(
                f"{event.source_file}: event {event.name}: replaced_by {event.replaced_by!r} "
                "is not an event of the registry"
            )
    return registry
