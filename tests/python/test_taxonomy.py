"""The registry kept as code: loading, lint, diff against git, generation."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ai_events.project import PROJECT_DIR
from ai_events.taxonomy.diff import diff_against
from ai_events.taxonomy.generate import generate
from ai_events.taxonomy.lint import lint
from ai_events.taxonomy.registry import RegistryError, load_registry, normalize_name

TAXONOMY = PROJECT_DIR / "taxonomy"


@pytest.fixture
def taxonomy(tmp_path: Path) -> Path:
    """A copy of the registry to edit."""
    root = tmp_path / "taxonomy"
    shutil.copytree(TAXONOMY, root, ignore=shutil.ignore_patterns("schemas", "*.md"))
    return root


def edit(path: Path, change) -> None:
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_the_repository_registry_loads_and_lints_clean() -> None:
    registry = load_registry(TAXONOMY)
    assert {"item_impressed", "intent_classified", "suggestion_shown"} <= set(registry.events)
    assert registry.events["intent_confidence_score"].replaced_by == "intent_classified"
    errors = [f for f in lint(registry) if f.severity == "error"]
    assert errors == []


def test_generated_files_are_up_to_date() -> None:
    """Editing taxonomy/ without `ai-events taxonomy generate` fails here."""
    stale = generate(load_registry(TAXONOMY), check=True).stale
    assert stale == [], f"stale: {stale}; run `ai-events taxonomy generate`"


def test_a_stale_generated_file_is_caught(tmp_path: Path) -> None:
    registry = load_registry(TAXONOMY)
    shutil.copytree(PROJECT_DIR / "kpis", tmp_path / "kpis")
    generate(registry, project=tmp_path)
    assert generate(registry, check=True, project=tmp_path).stale == []
    macro = tmp_path / "macros" / "taxonomy" / "registry.sql"
    macro.write_text(macro.read_text().replace("item_clicked", "item_klicked"))
    assert generate(registry, check=True, project=tmp_path).stale == [macro]


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Item Clicked", "item_clicked"),
        ("item-clicked", "item_clicked"),
        ("ItemClicked", "item_clicked"),
        ("item_clicked", "item_clicked"),
        ("  ITEM  CLICKED ", "item_clicked"),
        ("item.clicked", "item_clicked"),
        ("feedItemClick", "feed_item_click"),
    ],
)
def test_names_normalise_to_snake_case(raw: str, normalized: str) -> None:
    assert normalize_name(raw) == normalized


def test_structural_errors_name_the_file_and_entry(taxonomy: Path) -> None:
    feed = taxonomy / "events" / "feed.yml"
    edit(feed, lambda d: d["events"]["item_clicked"]["properties"].update({"colour": {}}))
    with pytest.raises(RegistryError, match=r"feed\.yml: event item_clicked: property colour"):
        load_registry(taxonomy)

    edit(feed, lambda d: d["events"]["item_clicked"]["properties"].pop("colour"))
    edit(feed, lambda d: d["events"]["item_clicked"].update({"version": "1.0"}))
    with pytest.raises(RegistryError, match="item_clicked: version must be SchemaVer"):
        load_registry(taxonomy)

    # A quoted "false" is text, which Python would take for true.
    edit(feed, lambda d: d["events"]["item_clicked"].update({"version": "1-0-0"}))
    edit(feed, lambda d: d["events"]["item_clicked"]["properties"]["position"].update(
        {"required": "false"}))  # fmt: skip
    with pytest.raises(RegistryError, match="property position: required: must be true or false"):
        load_registry(taxonomy)


def test_lint_reports_each_convention_broken(taxonomy: Path) -> None:
    def break_conventions(document: dict) -> None:
        events = document["events"]
        events["ItemClicked2"] = dict(events["item_saved"], description="")
        events["item_saved"]["aliases"] = ["Item Clicked"]
        events["item_shared"]["owner"] = ""

    edit(taxonomy / "events" / "feed.yml", break_conventions)
    edit(
        taxonomy / "properties.yml",
        lambda d: d["properties"].update(
            {
                "phone_number": {"type": "string", "privacy": "personal_data", "description": "x"},
                "risk_score": {"type": "number", "privacy": "personal_data",
                               "handling": "pseudonymise", "description": "x"},
            }
        ),
    )  # fmt: skip
    findings = {
        (f.severity, f.where.split(": ")[-1], f.message.split(" ")[0])
        for f in lint(load_registry(taxonomy))
    }
    assert ("error", "ItemClicked2", "event") in findings  # not snake_case
    assert ("error", "ItemClicked2", "no") in findings  # no description
    assert ("error", "item_shared", "no") in findings  # no owner
    assert ("error", "item_saved", "'Item") in findings  # alias collides with item_clicked
    assert ("error", "phone_number", "personal") in findings  # no handling
    assert ("warning", "phone_number", "no") in findings  # carried by no event
    assert ("error", "risk_score", "only") in findings  # a number's hash is engine-dependent


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def repository(taxonomy: Path) -> Path:
    root = taxonomy.parent
    git(root, "init", "-q")
    git(root, "add", "taxonomy")
    git(root, "commit", "-qm", "base")
    return root


def test_diff_classifies_changes_and_requires_a_major_version(repository: Path) -> None:
    root = repository / "taxonomy"

    def change(document: dict) -> None:
        clicked = document["events"]["item_clicked"]
        clicked["properties"]["surface"]["required"] = True  # breaking
        clicked["properties"].pop("app_version")  # breaking
        saved = document["events"]["item_saved"]
        saved["properties"]["surface"] = {"required": False}  # addition
        saved["version"] = "1-0-1"
        document["events"]["item_shared"]["description"] = "Shared."  # revision, no bump

    edit(root / "events" / "feed.yml", change)
    result = diff_against("HEAD", root)
    kinds = {(c.kind, c.event, c.message) for c in result.changes}
    assert ("breaking", "item_clicked", "property surface made required") in kinds
    assert ("breaking", "item_clicked", "property app_version removed") in kinds
    assert ("addition", "item_saved", "new optional property surface") in kinds
    assert ("revision", "item_shared", "description changed") in kinds
    assert not result.ok
    assert any("item_clicked: breaking change without a new MODEL" in e for e in result.errors)
    assert any("item_shared: changed without a version bump" in w for w in result.warnings)

    edit(
        root / "events" / "feed.yml",
        lambda d: d["events"]["item_clicked"].update({"version": "2-0-0"}),
    )
    assert diff_against("HEAD", root).ok


def test_a_type_change_in_the_dictionary_breaks_every_event_using_it(repository: Path) -> None:
    root = repository / "taxonomy"
    edit(root / "properties.yml", lambda d: d["properties"]["position"].update({"type": "string"}))
    edit(root / "properties.yml", lambda d: d["properties"]["position"].pop("minimum"))
    result = diff_against("HEAD", root)
    broken = {c.event for c in result.changes if c.kind == "breaking" and "type" in c.message}
    assert {"item_impressed", "item_clicked", "feed_scrolled_past"} <= broken
    assert not result.ok


def test_diff_against_an_unknown_revision_is_a_clear_error(repository: Path) -> None:
    with pytest.raises(RegistryError, match="revision 'nope' not found"):
        diff_against("nope", repository / "taxonomy")
