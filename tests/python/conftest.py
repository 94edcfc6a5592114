"""Shared helpers: a throwaway warehouse per test, loaded and built with dbt."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ai_events.dbt_runner import run_dbt
from ai_events.landing.loader import LoadSummary, load_paths
from ai_events.project import PROJECT_DIR

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "samples"


@dataclass
class Warehouse:
    """A DuckDB file of a test's own, with dbt artifacts kept beside it."""

    root: Path
    project_dir: Path | None = None

    @property
    def database(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def target(self) -> Path:
        return self.root / "target"

    def load(self, *paths: Path, format_choice: str = "auto") -> LoadSummary:
        self.root.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(self.database)) as con:
            return load_paths(con, list(paths), format_choice)

    def dbt(self, *args: str, check: bool = True) -> int:
        return run_dbt(
            list(args),
            database=self.database,
            quiet=True,
            check=check,
            target_path=self.target,
            project_dir=self.project_dir,
        )

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def failed_nodes(self) -> dict[str, str]:
        """The nodes of the last dbt run that did not pass, with their status."""
        results = json.loads((self.target / "run_results.json").read_text())["results"]
        return {
            r["unique_id"]: r["status"]
            for r in results
            if r["status"] not in ("success", "pass", "skipped")
        }


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path)


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project to edit (models, macros, taxonomy, ...)."""
    shutil.copytree(
        PROJECT_DIR,
        destination,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "target", "warehouse", "logs", "python", "__pycache__",
            "*.egg-info", "test-artifacts",
        ),
    )  # fmt: skip
    (destination / "warehouse").mkdir()
    return destination


def write_ndjson(path: Path, documents: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d) + "\n" for d in documents))
    return path
