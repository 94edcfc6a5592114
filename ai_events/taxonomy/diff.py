"""`ai-events taxonomy diff BASE`: every change to the registry since a git
revision, classified as SchemaVer does.

- addition: a new event, a new optional property, a newly allowed value;
  consumers keep working.
- revision: a loosened constraint, a deprecation, a changed description,
  owner or purpose.
- breaking: a removed event or property, a type change, a new required
  property, a property made required, a removed allowed value, a narrowed
  range, a change of privacy class or handling.

A breaking change to an event must come with a new MODEL version (the first
number of 1-0-0): the diff fails otherwise. An addition or revision without
any version bump is a warning.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from ai_events.project import PROJECT_DIR
from ai_events.taxonomy.registry import Event, Registry, RegistryError, load_registry

ORDER = {"breaking": 0, "revision": 1, "addition": 2}


@dataclass(frozen=True)
class Change:
    kind: str  # addition, revision or breaking
    event: str | None  # None for a dictionary-wide change with no event
    message: str

    def __str__(self) -> str:
        subject = self.event or "properties.yml"
        return f"{self.kind:8}  {subject}: {self.message}"


@dataclass
class DiffResult:
    changes: list[Change]
    errors: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def registry_at(revision: str, root: Path | None = None) -> Registry:
    """The registry as it was at a git revision."""
    root = root or PROJECT_DIR / "taxonomy"

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", *args], cwd=root.parent, capture_output=True, text=True, check=False
        )

    check = git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if check.returncode != 0:
        raise RegistryError(f"git revision {revision!r} not found in {root.parent}")

    def read(path: Path) -> str | None:
        relative = path.relative_to(root.parent).as_posix()
        if path.name == "events":
            listed = git("ls-tree", "--name-only", f"{revision}:./{relative}")
            return listed.stdout if listed.returncode == 0 else None
        shown = git("show", f"{revision}:./{relative}")
        return shown.stdout if shown.returncode == 0 else None

    return load_registry(root, read=read)


def _property_changes(old: Registry, new: Registry, event: Event, before: Event) -> list[Change]:
    changes = []
    name = event.name
    old_props = {p.name: p for p in before.properties}
    new_props = {p.name: p for p in event.properties}
    for prop in sorted(set(old_props) - set(new_props)):
        changes.append(Change("breaking", name, f"property {prop} removed"))
    for prop in sorted(set(new_props) - set(old_props)):
        if new_props[prop].required:
            changes.append(Change("breaking", name, f"new required property {prop}"))
        else:
            changes.append(Change("addition", name, f"new optional property {prop}"))
    for prop in sorted(set(old_props) & set(new_props)):
        was, now = old_props[prop], new_props[prop]
        if now.required and not was.required:
            changes.append(Change("breaking", name, f"property {prop} made required"))
        elif was.required and not now.required:
            changes.append(Change("revision", name, f"property {prop} made optional"))
        was_def, now_def = old.properties[prop], new.properties[prop]
        if was_def.type != now_def.type:
            changes.append(
                Change("breaking", name, f"{prop} changed type {was_def.type} -> {now_def.type}")
            )
        if (was_def.privacy, was_def.handling) != (now_def.privacy, now_def.handling):
            changes.append(
                Change(
                    "breaking",
                    name,
                    f"{prop} privacy {was_def.privacy}/{was_def.handling} -> "
                    f"{now_def.privacy}/{now_def.handling}",
                )
            )
        was_allowed = old.constraint(before, was, "allowed")
        now_allowed = new.constraint(event, now, "allowed")
        if was_allowed != now_allowed:
            if now_allowed is not None and (
                was_allowed is None or set(was_allowed) - set(now_allowed)
            ):
                changes.append(Change("breaking", name, f"{prop} allows fewer values"))
            else:
                changes.append(Change("addition", name, f"{prop} allows more values"))
        for bound, narrower in (("minimum", lambda a, b: a > b), ("maximum", lambda a, b: a < b)):
            was_bound = old.constraint(before, was, bound)
            now_bound = new.constraint(event, now, bound)
            if was_bound == now_bound:
                continue
            if now_bound is not None and (was_bound is None or narrower(now_bound, was_bound)):
                changes.append(
                    Change("breaking", name, f"{prop} {bound} {was_bound} -> {now_bound}")
                )
            else:
                changes.append(
                    Change("revision", name, f"{prop} {bound} {was_bound} -> {now_bound}")
                )
    return changes


def _metadata_changes(event: Event, before: Event) -> list[Change]:
    changes = []
    for attribute in ("description", "owner", "purpose", "emitted_by", "aliases", "action_key"):
        if getattr(event, attribute) != getattr(before, attribute):
            changes.append(Change("revision", event.name, f"{attribute} changed"))
    if (event.status, event.replaced_by, event.dual_write_until) != (
        before.status,
        before.replaced_by,
        before.dual_write_until,
    ):
        changes.append(Change("revision", event.name, f"status {before.status} -> {event.status}"))
    return changes


def diff_registries(old: Registry, new: Registry) -> DiffResult:
    changes: list[Change] = []
    for name in sorted(set(old.events) - set(new.events)):
        changes.append(Change("breaking", name, "event removed"))
    for name in sorted(set(new.events) - set(old.events)):
        changes.append(Change("addition", name, f"new event, version {new.events[name].version}"))
    errors: list[str] = []
    warnings: list[str] = []
    for name in sorted(set(old.events) & set(new.events)):
        event, before = new.events[name], old.events[name]
        own = _property_changes(old, new, event, before) + _metadata_changes(event, before)
        changes.extend(own)
        if not own:
            continue
        worst = min(ORDER[c.kind] for c in own)
        was, now = before.version_parts, event.version_parts
        if worst == ORDER["breaking"] and now[0] <= was[0]:
            errors.append(
                f"{name}: breaking change without a new MODEL version "
                f"({before.version} -> {event.version}; expected {was[0] + 1}-0-0)"
            )
        elif now <= was:
            warnings.append(
                f"{name}: changed without a version bump ({before.version} -> {event.version})"
            )
    for prop in sorted(set(old.properties) - set(new.properties)):
        if not any(prop in {p.name for p in e.properties} for e in old.events.values()):
            changes.append(Change("revision", None, f"unused property {prop} removed"))
    changes.sort(key=lambda c: (ORDER[c.kind], c.event or "", c.message))
    return DiffResult(changes, errors, warnings)


def diff_against(revision: str, root: Path | None = None) -> DiffResult:
    root = root or PROJECT_DIR / "taxonomy"
    return diff_registries(registry_at(revision, root), load_registry(root))
