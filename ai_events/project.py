"""Where the project's files and the warehouse live, and how to override them.

The package runs from a checkout: the dbt project (`dbt_project.yml`,
`models/`, ...) sits one folder above this package. Environment variables
override every location so that tests and schedulers can point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("AI_EVENTS_PROJECT_DIR", Path(__file__).resolve().parent.parent))
DEFAULT_DB = PROJECT_DIR / "warehouse" / "ai_events.duckdb"
DEFAULT_LANDING = PROJECT_DIR / "warehouse" / "landing"
DEFAULT_SPARK_DIR = PROJECT_DIR / "warehouse" / "spark"


def database_path() -> Path:
    """The DuckDB file: `AI_EVENTS_DB`, else `warehouse/ai_events.duckdb`."""
    configured = os.environ.get("AI_EVENTS_DB")
    path = Path(configured) if configured else DEFAULT_DB
    if not path.is_absolute():
        path = PROJECT_DIR / path
    return path


def target_path() -> Path:
    """dbt's artifacts folder: `DBT_TARGET_PATH` (dbt's own variable), else `target/`."""
    return Path(os.environ.get("DBT_TARGET_PATH") or PROJECT_DIR / "target")


def landing_path() -> Path:
    """Where collected requests land: `AI_EVENTS_LANDING`, else `warehouse/landing`."""
    configured = os.environ.get("AI_EVENTS_LANDING")
    return Path(configured).resolve() if configured else DEFAULT_LANDING


def spark_path() -> Path:
    """The Spark target's folder (metastore, tables, raw Parquet):
    `AI_EVENTS_SPARK_DIR`, else `warehouse/spark`."""
    configured = os.environ.get("AI_EVENTS_SPARK_DIR")
    path = Path(configured) if configured else DEFAULT_SPARK_DIR
    if not path.is_absolute():
        path = PROJECT_DIR / path
    return path


def quality_path(database: Path | None = None) -> Path:
    """Where the quality checkpoint keeps its state and Data Docs:
    `AI_EVENTS_QUALITY_DIR`, else `quality/` beside the warehouse file (for
    the default warehouse, `warehouse/quality`), so that two warehouses never
    share one site."""
    configured = os.environ.get("AI_EVENTS_QUALITY_DIR")
    if configured:
        return Path(configured).resolve()
    return (database or database_path()).resolve().parent / "quality"
