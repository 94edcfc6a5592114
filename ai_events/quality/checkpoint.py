"""The quality checkpoint that runs after `dbt build`.

It reads the suites of `quality/suites/*.yml` and adds what can be derived:

- for every mart and ML table whose dbt contract is enforced: its columns
  and their types as the contract says, non-null contract columns, and every
  `*_rate` column within 0 and 1;
- for the conformed events: the allowed values the registry gives each
  property.

Each table is read from DuckDB (whole, or a repeatable sample for the large
event tables), validated by Great Expectations, and the results are written
as Data Docs. Row-count relations between layers are computed in SQL and
checked as pairs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from ai_events.project import PROJECT_DIR
from ai_events.quality.gx_backend import Expectation, GreatExpectationsBackend, Outcome
from ai_events.taxonomy.generate import property_columns
from ai_events.taxonomy.registry import load_registry

log = logging.getLogger(__name__)

SUITES_DIR = PROJECT_DIR / "quality" / "suites"
PUBLIC_SCHEMAS = ("marts", "ml")
# Rates that are not proportions: an index may exceed 1.
UNBOUNDED_RATES = {"position_normalized_click_through_rate"}
DUCKDB_TYPES = {
    "string": "VARCHAR", "varchar": "VARCHAR", "bigint": "BIGINT", "integer": "INTEGER",
    "double": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP",
}  # fmt: skip


class SuiteError(ValueError):
    """A suite file cannot be used; the message names the file and entry."""


@dataclass
class TableSuite:
    table: str
    expectations: list[Expectation] = field(default_factory=list)
    key: list[str] = field(default_factory=list)
    sample_rows: int | None = None


@dataclass
class Relation:
    name: str
    left: str
    right: str
    compare: str  # equal or at_most
    source: str


@dataclass
class QualityReport:
    outcomes: list[Outcome]
    docs: Path | None

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "error"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "error"]

    def describe(self) -> str:
        passed = sum(1 for o in self.outcomes if o.success)
        return (
            f"{len(self.outcomes)} expectations: {passed} passed, "
            f"{len(self.failures)} failed, {len(self.warnings)} warnings"
        )


def _expectations(path: Path, table: str, entries: object) -> list[Expectation]:
    if not isinstance(entries, list):
        raise SuiteError(f"{path}: {table}: `expectations` must be a list")
    found = []
    for entry in entries:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise SuiteError(f"{path}: {table}: each expectation is one `name: {{arguments}}`")
        ((name, kwargs),) = entry.items()
        kwargs = dict(kwargs or {})
        severity = (kwargs.get("meta") or {}).get("severity", "error")
        found.append(Expectation(name, kwargs, severity, f"{path.name}: {table}"))
    return found


def load_suites(directory: Path = SUITES_DIR) -> tuple[dict[str, TableSuite], list[Relation]]:
    suites: dict[str, TableSuite] = {}
    relations: list[Relation] = []
    for path in sorted(directory.glob("*.yml")):
        try:
            document = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            raise SuiteError(f"{path}: not valid YAML: {error}") from error
        for table, entry in (document.get("tables") or {}).items():
            suite = suites.setdefault(table, TableSuite(table))
            suite.expectations += _expectations(path, table, entry.get("expectations", []))
            suite.key = entry.get("key", suite.key)
            suite.sample_rows = entry.get("sample_rows", suite.sample_rows)
        for entry in document.get("relations") or []:
            missing = {"name", "left", "right", "compare"} - set(entry)
            if missing or entry["compare"] not in ("equal", "at_most"):
                raise SuiteError(
                    f"{path}: relation {entry.get('name')!r} needs name, left, right and "
                    "compare (equal or at_most)"
                )
            relations.append(Relation(**entry, source=path.name))
    return suites, relations


def derived_suites(manifest_path: Path, project: Path = PROJECT_DIR) -> dict[str, TableSuite]:
    """Expectations that follow from the dbt contracts and the registry."""
    suites: dict[str, TableSuite] = {}
    manifest = json.loads(manifest_path.read_text())
    for node in manifest["nodes"].values():
        config = node.get("config", {})
        if node["resource_type"] != "model" or config.get("schema") not in PUBLIC_SCHEMAS:
            continue
        if not config.get("contract", {}).get("enforced"):
            continue
        table = f"{config['schema']}.{node['alias']}"
        suite = suites.setdefault(table, TableSuite(table))
        columns = node["columns"]
        source = f"contract of {node['name']}"
        suite.expectations.append(
            Expectation(
                "expect_table_columns_to_match_ordered_list",
                {"column_list": list(columns)},
                source=source,
            )
        )
        for name, column in columns.items():
            if any(c.get("type") == "not_null" for c in column.get("constraints", [])):
                suite.expectations.append(
                    Expectation(
                        "expect_column_values_to_not_be_null", {"column": name}, source=source
                    )
                )
            if name.endswith("_rate") and name not in UNBOUNDED_RATES:
                suite.expectations.append(
                    Expectation(
                        "expect_column_values_to_be_between",
                        {"column": name, "min_value": 0, "max_value": 1},
                        source=source,
                    )
                )
    registry = load_registry(project / "taxonomy")
    conformed = suites.setdefault(
        "intermediate.int_events__conformed", TableSuite("intermediate.int_events__conformed")
    )
    for column, name in property_columns(registry):
        allowed = registry.properties[name].allowed
        if allowed is not None:
            conformed.expectations.append(
                Expectation(
                    "expect_column_values_to_be_in_set",
                    {"column": column, "value_set": list(allowed)},
                    source=f"taxonomy/properties.yml: {name}",
                )
            )
    return suites


def contract_types(manifest_path: Path) -> dict[str, list[tuple[str, str]]]:
    """(column, DuckDB type) pairs per contracted public table."""
    manifest = json.loads(manifest_path.read_text())
    types: dict[str, list[tuple[str, str]]] = {}
    for node in manifest["nodes"].values():
        config = node.get("config", {})
        if node["resource_type"] != "model" or config.get("schema") not in PUBLIC_SCHEMAS:
            continue
        if config.get("contract", {}).get("enforced"):
            types[f"{config['schema']}.{node['alias']}"] = [
                (name, DUCKDB_TYPES.get(str(c.get("data_type")).lower(), str(c.get("data_type"))))
                for name, c in node["columns"].items()
            ]
    return types


def _read(con: duckdb.DuckDBPyConnection, table: str, sample_rows: int | None) -> pd.DataFrame:
    sample = (
        f" using sample reservoir({int(sample_rows)} rows) repeatable (7)" if sample_rows else ""
    )
    return con.execute(f"select * from {table}{sample}").df()


def _missing(table: str, error: Exception) -> Outcome:
    return Outcome(
        table, "table_exists", {}, success=False, severity="error",
        detail=f"cannot read the table: {str(error).splitlines()[0]}",
    )  # fmt: skip


def run_quality(
    database: Path,
    manifest_path: Path,
    root: Path,
    suites_dir: Path = SUITES_DIR,
    project: Path = PROJECT_DIR,
) -> QualityReport:
    """Validate the warehouse; write Data Docs under `root`."""
    suites, relations = load_suites(suites_dir)
    for table, derived in derived_suites(manifest_path, project).items():
        suite = suites.setdefault(table, TableSuite(table))
        suite.expectations = derived.expectations + suite.expectations
    types = contract_types(manifest_path)
    backend = GreatExpectationsBackend(root)
    outcomes: list[Outcome] = []
    with duckdb.connect(str(database), read_only=True) as con:
        for table, suite in sorted(suites.items()):
            try:
                frame = _read(con, table, suite.sample_rows)
            except duckdb.Error as error:
                outcomes.append(_missing(table, error))
                continue
            outcomes += backend.validate(table, frame, suite.expectations, suite.key)
        outcomes += _check_types(con, backend, types)
        outcomes += _check_relations(con, backend, relations)
    docs = backend.build_docs()
    report = QualityReport(outcomes, docs)
    log.debug("quality: %s; Data Docs at %s", report.describe(), docs)
    return report


def _check_types(
    con: duckdb.DuckDBPyConnection,
    backend: GreatExpectationsBackend,
    types: dict[str, list[tuple[str, str]]],
) -> list[Outcome]:
    """Each contracted table's (column, type) pairs, as the warehouse has them."""
    outcomes = []
    for table, expected in sorted(types.items()):
        schema, name = table.split(".")
        frame = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).df()
        outcomes += backend.validate(
            f"{table} (column types)",
            frame,
            [
                Expectation(
                    "expect_column_pair_values_to_be_in_set",
                    {
                        "column_A": "column_name",
                        "column_B": "data_type",
                        "value_pairs_set": [list(pair) for pair in expected],
                    },
                    source=f"contract of {table}",
                ),
                Expectation(
                    "expect_table_row_count_to_equal",
                    {"value": len(expected)},
                    source=f"contract of {table}",
                ),
            ],
            key=["column_name"],
        )
    return outcomes


def _check_relations(
    con: duckdb.DuckDBPyConnection, backend: GreatExpectationsBackend, relations: list[Relation]
) -> list[Outcome]:
    rows = []
    for relation in relations:
        try:
            left = con.execute(relation.left).fetchall()[0][0]
            right = con.execute(relation.right).fetchall()[0][0]
        except duckdb.Error as error:
            rows.append((relation.name, relation.compare, None, None, str(error).splitlines()[0]))
            continue
        rows.append((relation.name, relation.compare, left, right, ""))
    frame = pd.DataFrame(
        rows, columns=["relation", "compare", "left_count", "right_count", "error"]
    )
    expectations = [
        Expectation(
            "expect_column_pair_values_to_be_equal",
            {"column_A": "left_count", "column_B": "right_count",
             "row_condition": 'compare == "equal"', "condition_parser": "pandas"},
            source="relations",
        ),
        Expectation(
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "right_count", "column_B": "left_count", "or_equal": True,
             "row_condition": 'compare == "at_most"', "condition_parser": "pandas"},
            source="relations",
        ),
        Expectation("expect_column_values_to_not_be_null", {"column": "left_count"}),
        Expectation("expect_column_values_to_not_be_null", {"column": "right_count"}),
    ]  # fmt: skip
    return backend.validate("row counts between layers", frame, expectations, key=["relation"])
