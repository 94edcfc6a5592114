"""Run dbt on the project, the way a scheduler would: a separate process."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ai_events.project import PROJECT_DIR, database_path, spark_path

log = logging.getLogger(__name__)


class DbtFailed(Exception):
    def __init__(self, command: list[str], returncode: int) -> None:
        super().__init__(f"dbt {' '.join(command)} failed with exit code {returncode}")
        self.command = command
        self.returncode = returncode


def dbt_env(database: Path | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment dbt runs in: our DuckDB file (or Spark folder), no telemetry."""
    env = dict(os.environ)
    env["AI_EVENTS_DB"] = str(database or database_path())
    env.setdefault("AI_EVENTS_SPARK_DIR", str(spark_path()))
    # A local Spark binds to loopback, not the machine's first address.
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if extra:
        env.update(extra)
    return env


def dbt_executable() -> str:
    """The dbt of the environment this package runs in."""
    beside = Path(sys.executable).parent / "dbt"
    found = str(beside) if beside.exists() else shutil.which("dbt")
    if found is None:
        raise FileNotFoundError("dbt is not installed in this environment")
    return found


def run_dbt(
    args: list[str],
    database: Path | None = None,
    quiet: bool = False,
    extra_env: dict[str, str] | None = None,
    check: bool = True,
    target_path: Path | None = None,
    project_dir: Path | None = None,
) -> int:
    """Run `dbt <args>` against the project; raise DbtFailed on failure when `check`.

    `target_path` keeps dbt's artifacts (run_results.json, ...) apart, so that
    several builds can run side by side; `project_dir` runs another copy of
    the project.
    """
    project = project_dir or PROJECT_DIR
    command = [*args, "--project-dir", str(project), "--profiles-dir", str(project)]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
    if quiet:
        command.insert(0, "--quiet")
    log.debug("running dbt %s", " ".join(command))
    completed = subprocess.run(
        [dbt_executable(), *command],
        cwd=project,
        env=dbt_env(database, extra_env),
    )
    if check and completed.returncode != 0:
        raise DbtFailed(args, completed.returncode)
    return completed.returncode
