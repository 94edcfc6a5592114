#!/usr/bin/env python3.11
"""Set up the project's virtual environment, then run the demo or the tests.

These are the README's two commands:

    python3.11 scripts/dev.py demo    # set up, then run the demo
    python3.11 scripts/dev.py test    # set up, then run every check CI runs

Setting up creates `.venv/` when it is missing and installs the package with
the exact versions of `constraints.txt`. It is safe to run again: when neither
`pyproject.toml` nor `constraints.txt` changed since the last install, it
installs nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".ai-events-install-stamp"
INSTALL_INPUTS = ("pyproject.toml", "constraints.txt")


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    """Run a command from the repository root; stop with its exit code on failure."""
    printable = " ".join(str(a) for a in args)
    say(f"$ {printable}")
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if completed.returncode != 0:
        say(f"failed ({completed.returncode}): {printable}")
        sys.exit(completed.returncode)


def install_fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    if sys.version_info[:2] != (3, 11):
        say(f"Python 3.11 is required, this is {sys.version.split()[0]}: run it as python3.11")
        sys.exit(2)
    if not (BIN / "python").exists():
        say("creating .venv")
        venv.create(VENV, with_pip=True, clear=VENV.exists())
    fingerprint = install_fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        say(".venv is up to date")
        return
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "-c",
        "constraints.txt",
        "-e",
        ".[dev]",
    )
    STAMP.write_text(fingerprint)


def tool_env(**extra: str) -> dict[str, str]:
    """Environment for project tools: the venv first on PATH, no dbt telemetry."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.update(extra)
    return env


def demo(args: list[str]) -> None:
    run(BIN / "ai-events", "demo", *args, env=tool_env())


def ensure_chromium() -> None:
    """Install Debian's Chromium for the dashboard test when it is missing.

    The test opens the dashboard in headless Chromium; it is skipped only when
    the browser is missing and cannot be installed (not root, or no apt-get).
    """
    if shutil.which("chromium"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        say(
            "chromium is missing and this user cannot install it (not root or no apt-get): "
            "the dashboard browser test will be skipped; install Debian's chromium to run it"
        )
        return
    say("installing chromium for the dashboard browser test")
    apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run("apt-get", "update", "-qq", env=apt_env)
    run(
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "chromium",
        "fonts-liberation",
        env=apt_env,
    )


def test(args: list[str]) -> None:
    env = tool_env()
    ensure_chromium()
    run(BIN / "ruff", "check", ".", env=env)
    run(BIN / "ruff", "format", "--check", ".", env=env)
    with tempfile.TemporaryDirectory(prefix="ai-events-lint-") as scratch:
        # The dbt templater compiles the project, which opens the warehouse:
        # give it a throwaway database so linting never touches real data.
        lint_env = tool_env(AI_EVENTS_DB=str(Path(scratch) / "lint.duckdb"))
        run(BIN / "sqlfluff", "lint", "models", "analyses", "tests", env=lint_env)
    run(BIN / "python", "-m", "pytest", *args, env=env)


COMMANDS = {"demo": demo, "test": test}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        say(f"usage: python3.11 scripts/dev.py {{{'|'.join(COMMANDS)}}} [args...]")
        sys.exit(2)
    ensure_venv()
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
