"""`ai-events build`: the run a scheduler starts, safe to start often.

One run, under a lock so that two never overlap:

1. regenerate what dbt reads from `taxonomy/` and `kpis/`;
2. load whatever landed since the last run (files already loaded are
   skipped by content hash);
3. `dbt build` (models, contracts, data tests, unit tests);
4. the source freshness rules of the raw landing (as `dbt source
   freshness` evaluates them);
5. the Great Expectations checkpoint, which writes Data Docs;
6. a row in `ops.build_runs`: when it ran, what it loaded, what failed.

Every failing check is reported with the table, the check, how many rows
fail and a few of them; warnings are reported and do not fail the run.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ai_events.dbt_runner import run_dbt
from ai_events.landing.loader import LoadSummary, load_paths
from ai_events.project import target_path

log = logging.getLogger(__name__)

EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
RUN_LOG_DDL = """
create schema if not exists ops;
create table if not exists ops.build_runs (
    run_id varchar not null primary key,
    started_at timestamp not null,
    finished_at timestamp not null,
    status varchar not null,
    files_loaded bigint,
    events_landed bigint,
    items_rejected bigint,
    files_skipped bigint,
    models_built bigint,
    tests_passed bigint,
    checks_failed bigint,
    checks_warned bigint,
    expectations_evaluated bigint,
    message varchar
);
"""


class BuildLocked(Exception):
    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(
            f"another ai-events build is running ({holder.strip() or 'holder unknown'}; "
            f"lock {path}); this run does nothing and exits"
        )


@contextmanager
def build_lock(database: Path) -> Iterator[Path]:
    """Hold the build lock of a warehouse, or raise BuildLocked at once.

    The lock is an flock on a file beside the DuckDB file: the kernel
    releases it when the process dies, so a crashed run never blocks the next.
    """
    path = database.with_name(database.name + ".build.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read()
        handle.close()
        raise BuildLocked(path, holder) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {_now():%Y-%m-%d %H:%M:%S} UTC\n")
        handle.flush()
        yield path
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class CheckResult:
    """A check that did not pass: a dbt node, a freshness rule, an expectation."""

    kind: str  # model, data test, unit test, freshness, expectation
    table: str
    check: str
    severity: str  # error or warning
    failing: int | None = None
    examples: list = field(default_factory=list)
    message: str = ""

    def describe(self) -> str:
        text = f"{self.kind} {self.check} on {self.table}"
        if self.failing is not None:
            text += f": {self.failing} failing row{'s' if self.failing != 1 else ''}"
        if self.message:
            text += f": {self.message}"
        if self.examples:
            text += "\n      e.g. " + "\n           ".join(
                json.dumps(e, default=str) for e in self.examples[:5]
            )
        return text


@dataclass
class BuildResult:
    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    load: LoadSummary | None = None
    dbt_returncode: int | None = None
    models_built: int = 0
    tests_passed: int = 0
    checks: list[CheckResult] = field(default_factory=list)
    expectations_evaluated: int = 0
    data_docs: Path | None = None

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if c.severity == "error"]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if c.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.failures and self.dbt_returncode in (0, None)

    def summary(self) -> str:
        lines = []
        if self.load is not None:
            lines.append(f"loaded: {self.load.describe()}")
        lines.append(
            f"dbt: {self.models_built} models built, {self.tests_passed} tests passed, "
            f"{len(self.failures)} checks failed, {len(self.warnings)} warnings"
        )
        if self.data_docs is not None:
            lines.append(
                f"quality: {self.expectations_evaluated} expectations evaluated; "
                f"Data Docs: {self.data_docs}"
            )
        for check in self.failures:
            lines.append(f"  FAILED  {check.describe()}")
        for check in self.warnings:
            # A warning is a line: the rows behind it are in the table it names.
            lines.append(f"  warning {check.describe().splitlines()[0]}")
        lines.append(
            f"build {self.run_id}: {'succeeded' if self.ok else 'FAILED'} in "
            f"{((self.finished_at or _now()) - self.started_at).total_seconds():.1f} s"
        )
        return "\n".join(lines)


# --------------------------------------------------------------------------
# Reading dbt's artifacts


def _relation(node: dict) -> str:
    return f"{node.get('schema')}.{node.get('alias') or node.get('name')}"


def dbt_checks(target: Path, database: Path) -> tuple[list[CheckResult], int, int]:
    """Failed and warned nodes of the last dbt run, with a few failing rows
    of each failed data test; and the counts of models built and tests passed."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())
    lookup = {**nodes["nodes"], **nodes.get("unit_tests", {}), **nodes.get("sources", {})}
    checks: list[CheckResult] = []
    models = tests = 0
    for result in results:
        node = lookup.get(result["unique_id"], {})
        kind = node.get("resource_type", "node")
        status = result["status"]
        if status in ("success", "pass"):
            models += kind == "model"
            tests += kind in ("test", "unit_test")
            continue
        if status not in ("fail", "error", "warn"):
            continue
        table, check = _subject(node, lookup)
        examples = []
        if status in ("fail", "warn") and kind == "test" and result.get("compiled_code"):
            examples = _failing_rows(database, result["compiled_code"])
        message = ""
        if not (kind == "test" and status in ("fail", "warn")):
            lines = (result.get("message") or "").strip().splitlines()
            message = lines[0] if lines else ""
        checks.append(
            CheckResult(
                kind={"test": "data test", "unit_test": "unit test"}.get(kind, kind),
                table=table,
                check=check,
                severity="warning" if status == "warn" else "error",
                failing=result.get("failures") if kind == "test" else None,
                examples=examples,
                message=message,
            )
        )
    return checks, models, tests


def _subject(node: dict, lookup: dict) -> tuple[str, str]:
    """The table a node is about, and the check's name with its arguments."""
    kind = node.get("resource_type")
    if kind == "model":
        return _relation(node), "build"
    if kind == "unit_test":
        return node.get("model", "?"), node.get("name", "?")
    metadata = node.get("test_metadata") or {}
    attached = lookup.get(node.get("attached_node") or "", {})
    parents = [lookup.get(p, {}) for p in node.get("depends_on", {}).get("nodes", [])]
    target = attached or (parents[0] if parents else {})
    table = _relation(target) if target else "?"
    if metadata:
        arguments = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k != "model"}
        column = node.get("column_name")
        described = ", ".join(f"{k}={v}" for k, v in arguments.items() if v is not None)
        name = metadata.get("name", node.get("name"))
        own_name = node.get("name", "")
        if own_name and not own_name.startswith(name):
            # A test given a name of its own in YAML: that name says what it checks.
            return table, f"{own_name} ({name})"
        return table, f"{name}({column or described})" if column else f"{name}({described})"
    return table, node.get("name", "?")


def _failing_rows(database: Path, compiled: str, limit: int = 5) -> list[dict]:
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            cursor = con.execute(f"select * from ({compiled}) as failing limit {limit}")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error as error:
        log.debug("could not fetch failing rows: %s", error)
        return []


_PERIODS = {"minute": 60, "hour": 3600, "day": 86400}


def freshness_checks(
    target: Path, database: Path, now: dt.datetime | None = None
) -> list[CheckResult]:
    """The sources' freshness rules (warn_after, error_after in their YAML),
    evaluated the way `dbt source freshness` does, without starting dbt a
    second time: the age of the newest loaded_at_field."""
    manifest = json.loads((target / "manifest.json").read_text())
    now = now or _now()
    checks = []
    with duckdb.connect(str(database), read_only=True) as con:
        for source in manifest.get("sources", {}).values():
            rules = source.get("freshness") or {}
            column = source.get("loaded_at_field")
            limits = {
                severity: rule["count"] * _PERIODS[rule["period"]]
                for severity, rule in (("warning", rules.get("warn_after")),
                                       ("error", rules.get("error_after")))
                if rule and rule.get("count") and rule.get("period") in _PERIODS
            }  # fmt: skip
            if not column or not limits:
                continue
            table = f"{source['schema']}.{source['identifier']}"
            newest = con.execute(f"select max({column}) from {table}").fetchall()[0][0]
            age = None if newest is None else (now - newest).total_seconds()
            for severity in ("error", "warning"):
                if severity in limits and (age is None or age > limits[severity]):
                    checks.append(
                        CheckResult(
                            kind="freshness",
                            table=table,
                            check=f"source freshness ({column})",
                            severity=severity,
                            message="no rows yet"
                            if age is None
                            else (
                                f"latest load {age / 3600:.1f} h ago, limit "
                                f"{limits[severity] / 3600:g} h"
                            ),
                        )
                    )
                    break
    return checks


# --------------------------------------------------------------------------
# The run


def record_run(database: Path, result: BuildResult) -> None:
    load = result.load
    with duckdb.connect(str(database)) as con:
        con.execute(RUN_LOG_DDL)
        con.execute(
            "insert into ops.build_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.run_id, result.started_at, result.finished_at,
                "success" if result.ok else "failed",
                load.files_loaded if load else 0, load.events_landed if load else 0,
                load.items_rejected if load else 0, load.files_skipped if load else 0,
                result.models_built, result.tests_passed, len(result.failures),
                len(result.warnings), result.expectations_evaluated,
                "; ".join(c.describe().splitlines()[0] for c in result.failures)[:2000] or None,
            ],
        )  # fmt: skip


def run_build(
    database: Path,
    landing: Path | None,
    quality_root: Path,
    target: Path | None = None,
    quality: bool = True,
    dbt_args: list[str] | None = None,
    quiet: bool = False,
) -> BuildResult:
    """One scheduled run (see the module docstring). Raises BuildLocked when
    another run holds the warehouse."""
    from ai_events.quality.checkpoint import run_quality
    from ai_events.taxonomy.generate import generate
    from ai_events.taxonomy.registry import RegistryError, load_registry

    target = target or target_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    # dbt's artifacts folder is locked too: two warehouses built at once
    # through one target folder would read each other's run results.
    with build_lock(database), build_lock(target / "artifacts"):
        # A warehouse another process holds (a reader counts, see the README)
        # fails here in one line, before dbt starts and fails at length.
        duckdb.connect(str(database)).close()
        result = BuildResult(run_id=uuid.uuid4().hex[:12], started_at=_now())
        try:
            written = generate(load_registry()).written
        except RegistryError as error:
            # Nothing is built from a plan that does not read; the run says
            # why, and is recorded like any other failed run.
            result.checks.append(
                CheckResult("taxonomy", "taxonomy/", "the tracking plan reads", "error",
                            message=str(error))
            )  # fmt: skip
            result.finished_at = _now()
            record_run(database, result)
            return result
        if written:
            log.info("taxonomy: regenerated %d files", len(written))
        if landing is not None and landing.exists():
            with duckdb.connect(str(database)) as con:
                result.load = load_paths(con, [landing])
            log.info("loaded: %s", result.load.describe())
        # A dbt that stops before running anything writes no run results:
        # those of an earlier run must not be read as this run's.
        (target / "run_results.json").unlink(missing_ok=True)
        result.dbt_returncode = run_dbt(
            ["build", *(dbt_args or [])],
            database=database,
            check=False,
            target_path=target,
            quiet=quiet,
        )
        ran = (target / "run_results.json").exists()
        if ran:
            checks, result.models_built, result.tests_passed = dbt_checks(target, database)
            result.checks += checks
        else:
            stopped = (
                f"dbt exited with status {result.dbt_returncode} before it ran any model "
                "(its own message is above: a profile, a setting or the project could "
                "not be read)"
            )
            result.checks.append(CheckResult("dbt", "the project", "build", "error", None,
                                             message=stopped))  # fmt: skip
        if ran and (target / "manifest.json").exists():
            result.checks += freshness_checks(target, database)
        if ran and quality and (target / "manifest.json").exists():
            report = run_quality(database, target / "manifest.json", quality_root)
            result.expectations_evaluated = len(report.outcomes)
            result.data_docs = report.docs
            result.checks += [
                CheckResult(
                    kind="expectation",
                    table=o.table,
                    check=o.expectation + (f"({o.column})" if o.column else ""),
                    severity=o.severity,
                    failing=o.unexpected_count,
                    examples=o.examples,
                    message=o.detail,
                )
                for o in report.outcomes
                if not o.success
            ]
        result.finished_at = _now()
        record_run(database, result)
    return result
