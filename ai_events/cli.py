"""The `ai-events` command line."""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import signal
import sys
from pathlib import Path

import click
import duckdb

from ai_events.project import database_path, landing_path

log = logging.getLogger("ai_events")

TARGET_OPTION = click.option(
    "--target",
    type=click.Choice(["duckdb", "spark"]),
    default=lambda: os.environ.get("AI_EVENTS_TARGET", "duckdb"),
    show_default="$AI_EVENTS_TARGET, else duckdb",
    help="The engine to land for and build on.",
)


def _setup_logging(verbose: bool) -> None:
    """Our own messages at info (debug with -v); libraries only when they warn."""
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s" if verbose else "%(message)s",
        datefmt="%H:%M:%S",
    )
    log.setLevel(logging.DEBUG if verbose else logging.INFO)


def explain(error: Exception) -> str | None:
    """What to tell the user for an error of the machine or of their input
    (not of ai-events itself), or None to let it show as a traceback."""
    from ai_events.taxonomy.registry import RegistryError

    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, RegistryError):
        return f"the tracking plan does not read: {first} (run `ai-events taxonomy lint`)"
    if isinstance(error, duckdb.IOException) and "lock" in str(error).lower():
        return (
            f"the warehouse is open in another process: {first}. DuckDB lets one "
            "process write a file, and no reader while it does: wait for the build or "
            "load that holds it, or close the tool connected to it (BI tools should "
            "read `ai-events publish`'s copy)"
        )
    if isinstance(error, duckdb.Error):
        return f"DuckDB cannot use the warehouse: {first}"
    if isinstance(error, OSError):
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        return f"{error.strerror or first}{where}"
    if isinstance(error, OverflowError):
        return f"a value is out of range: {first}"
    return None


class Main(click.Group):
    """Errors of the machine or of the input end in one line that says what
    and where (with -v, the traceback too); bugs still show theirs."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:
            message = explain(error)
            if message is None or log.isEnabledFor(logging.DEBUG):
                raise
            raise click.ClickException(message) from error


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
def main(verbose: bool) -> None:
    """ai-events: tracker events to a governed taxonomy and trustworthy KPIs."""
    _setup_logging(verbose)


@main.command()
@click.option("--seed", default=7, show_default=True, help="Seed of the generated traffic.")
@click.option("--quiet", is_flag=True, help="Show only dbt's errors.")
def demo(seed: int, quiet: bool) -> None:
    """Send six days of feed traffic through the real Segment SDK to a local
    collector, simulate four earlier weeks of the whole product through all
    four trackers, build, check, and print the feed's click-through table
    and where the warehouse and its dashboard are."""
    from ai_events.demo import CTR_HEADER, format_table, run_demo

    result = run_demo(seed=seed, quiet=quiet)
    click.echo("")
    click.echo(result.build.summary())
    sdk_days = sorted({row[0] for row in result.ctr_rows if row[0] >= result.first_sdk_day})
    click.echo("")
    click.echo(
        f"Feed click-through rate by model version and position, {sdk_days[0]} to "
        f"{sdk_days[-1]}, the days the Segment SDK sent (marts.fct_feed_ctr, summed):"
    )
    click.echo(format_table(CTR_HEADER, result.ctr_by_version_and_position))
    click.echo("")
    click.echo(f"Sent {len(result.sent)} events through the Segment SDK to the collector.")
    click.echo(f"Simulated: {result.simulation.describe()}")
    click.echo(f"Warehouse (DuckDB file): {result.database}")
    if result.build.data_docs is not None:
        click.echo(f"Data Docs: {result.build.data_docs}")
    click.echo(f"Dashboard (open in a browser, no network needed): {result.dashboard}")
    if not result.build.ok:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_choice",
    default="auto",
    show_default=True,
    help="auto, a protocol (segment, rudderstack, snowplow, amplitude) or a format name.",
)
@click.option("--db", type=click.Path(path_type=Path), help="DuckDB file (default $AI_EVENTS_DB).")
@click.option(
    "--no-fast-path",
    is_flag=True,
    help="Decode every file in Python, even those DuckDB could read itself (same rows, slower).",
)
@TARGET_OPTION
def load(
    paths: tuple[Path, ...], format_choice: str, db: Path | None, no_fast_path: bool, target: str
) -> None:
    """Land tracker files and folders in the raw tables; files already loaded
    are skipped by content hash. Ends with files loaded, events landed, lines
    or items rejected and files skipped. With --target spark, the raw tables
    are written as Parquet for the Spark target instead."""
    from ai_events.landing.loader import LoadError, load_paths

    if target == "spark":
        _load_for_spark(paths, format_choice, db)
        return
    database = db or database_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with duckdb.connect(str(database)) as con:
            summary = load_paths(
                con,
                list(paths),
                format_choice,
                progress=sys.stderr.isatty(),
                fast=not no_fast_path,
            )
    except LoadError as error:
        raise click.ClickException(str(error)) from error
    click.echo(summary.describe())
    if not summary.files_loaded and not summary.files_skipped:
        click.echo(f"warning: no file to load in {', '.join(map(str, paths))}", err=True)


def _load_for_spark(paths: tuple[Path, ...], format_choice: str, db: Path | None) -> None:
    """`load --target spark`: land in the Spark folder, export the Parquet."""
    from ai_events.landing.loader import LoadError
    from ai_events.spark_landing import land_for_spark

    if db is not None:
        raise click.BadParameter("--db names a DuckDB warehouse; not with --target spark")
    try:
        summary = land_for_spark(list(paths), format_choice, progress=sys.stderr.isatty())
    except LoadError as error:
        raise click.ClickException(str(error)) from error
    click.echo(summary.describe())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--landing",
    type=click.Path(path_type=Path),
    help="Landing folder (default $AI_EVENTS_LANDING).",
)
@click.option(
    "--write-key",
    "write_keys",
    multiple=True,
    metavar="KEY[=PROTOCOL]",
    help="Accept this write key (repeatable); PROTOCOL is segment, rudderstack or amplitude. "
    "With none given, every key is accepted.",
)
@click.option(
    "--max-body-bytes", default=16 * 1024 * 1024, show_default=True, type=click.IntRange(min=1)
)
@click.option(
    "--rotate-seconds",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
)
def collect(
    host: str,
    port: int,
    landing: Path | None,
    write_keys: tuple[str, ...],
    max_body_bytes: int,
    rotate_seconds: float,
) -> None:
    """Receive events from the Segment, RudderStack, Snowplow and Amplitude SDKs."""
    from ai_events.collector import CollectorConfig, serve

    if not math.isfinite(rotate_seconds):
        raise click.BadParameter(f"{rotate_seconds} is not a number of seconds",
                                 param_hint="--rotate-seconds")  # fmt: skip
    keys: dict[str, str] = {}
    for entry in write_keys:
        key, _, protocol = entry.partition("=")
        if not key:
            raise click.BadParameter(f"{entry!r}: the key is empty", param_hint="--write-key")
        if protocol and protocol not in ("segment", "rudderstack", "amplitude"):
            raise click.BadParameter(f"{entry}: protocol must be segment, rudderstack or amplitude")
        keys[key] = protocol or ""
    config = CollectorConfig(
        landing or landing_path(),
        write_keys=keys,
        max_body_bytes=max_body_bytes,
        rotate_seconds=rotate_seconds,
    )
    if not keys:
        log.warning("no --write-key given: accepting every write key")
    server = serve(config, host, port)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    address = f"http://{host}:{server.server_address[1]}"
    log.info("collecting on %s into %s", address, config.landing_dir)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        log.info("stopped after %d requests", server.writer.records_written)


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _read_only_options(what: str, default_out: str):
    """--db (opened read-only) and --out, for the commands that read the marts."""

    def decorate(command):
        command = click.option(
            "--out",
            type=click.Path(path_type=Path, dir_okay=False),
            help=f"The file to write (default: {default_out} beside the DuckDB file).",
        )(command)
        return click.option(
            "--db",
            type=click.Path(path_type=Path),
            help=f"DuckDB file to {what}, opened read-only (default $AI_EVENTS_DB).",
        )(command)

    return decorate


@main.command()
@_read_only_options("read", "dashboard.html")
def dashboard(db: Path | None, out: Path | None) -> None:
    """Write a self-contained HTML dashboard of the KPI and data-quality marts
    (no network needed to open it), and print its path."""
    from ai_events.dashboard import DashboardError, build_dashboard

    database = db or database_path()
    try:
        written = build_dashboard(database, out or database.with_name("dashboard.html"))
    except DashboardError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Dashboard: {written.resolve()}")


@main.command()
@_read_only_options("copy from", "published.duckdb")
def publish(db: Path | None, out: Path | None) -> None:
    """Copy the public schemas (marts, ml) to a separate DuckDB file for BI
    tools, replacing it whole: readers of the copy never block a build."""
    from ai_events.dashboard import DashboardError
    from ai_events.dashboard.publish import publish as publish_copy

    database = db or database_path()
    try:
        summary = publish_copy(database, out or database.with_name("published.duckdb"))
    except DashboardError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{summary.describe()}: {summary.path.resolve()}")


@main.command()
@click.option("--landing", type=click.Path(path_type=Path), help="Landing folder to load first.")
@click.option("--no-load", is_flag=True, help="Build without loading new files.")
@click.option("--no-quality", is_flag=True, help="Skip the Great Expectations checkpoint.")
@click.option("--full-refresh", is_flag=True, help="Rebuild the incremental models from scratch.")
@TARGET_OPTION
def build(
    landing: Path | None, no_load: bool, no_quality: bool, full_refresh: bool, target: str
) -> None:
    """Load what landed since the last run, `dbt build`, check freshness and
    quality, and record the run. Safe on a schedule: a run that finds another
    one going says so and exits with status 75."""
    from ai_events.build import EXIT_LOCKED, BuildLocked, run_build
    from ai_events.project import quality_path

    if target == "spark":
        from ai_events.taxonomy.generate import generate

        generate(_registry())
        _build_on_spark(landing, no_load)
        return
    try:
        result = run_build(
            database_path(),
            None if no_load else (landing or landing_path()),
            quality_path(database_path()),
            quality=not no_quality,
            dbt_args=["--full-refresh"] if full_refresh else [],
        )
    except BuildLocked as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(result.summary())
    if not result.ok:
        sys.exit(1)


@main.command()
@click.option("--db", type=click.Path(path_type=Path), help="DuckDB file (default $AI_EVENTS_DB).")
@click.option(
    "--manifest",
    type=click.Path(path_type=Path),
    help="dbt manifest of the last build (default target/manifest.json).",
)
def quality(db: Path | None, manifest: Path | None) -> None:
    """Run the Great Expectations checkpoint on the warehouse and write Data Docs."""
    from ai_events.dashboard.data import DashboardError, mart_tables, never_built, open_warehouse
    from ai_events.project import quality_path, target_path
    from ai_events.quality.checkpoint import SuiteError, run_quality

    manifest = manifest or target_path() / "manifest.json"
    if not manifest.exists():
        raise click.ClickException(f"{manifest}: no dbt manifest; run `ai-events build` first")
    database = db or database_path()
    try:
        with open_warehouse(database) as con:
            if not mart_tables(con):
                raise never_built(database)
    except DashboardError as error:
        raise click.ClickException(str(error)) from error
    try:
        report = run_quality(database, manifest, quality_path(database))
    except SuiteError as error:
        raise click.ClickException(str(error)) from error
    for outcome in report.failures:
        click.echo(f"  FAILED  {outcome.describe()}")
    for outcome in report.warnings:
        click.echo(f"  warning {outcome.describe()}")
    click.echo(f"{report.describe()}; Data Docs: {report.docs}")
    if report.failures:
        sys.exit(1)


def _build_on_spark(landing: Path | None, no_load: bool) -> None:
    """`build --target spark`: land for Spark, then `dbt build` on Spark."""
    from ai_events.dbt_runner import DbtFailed, run_dbt
    from ai_events.spark_landing import land_for_spark, spark_env

    folder = landing or landing_path()
    if not no_load and folder.exists():
        click.echo(land_for_spark([folder], progress=sys.stderr.isatty()).describe())
    try:
        run_dbt(["build"], extra_env=spark_env())
    except DbtFailed as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.option(
    "--events",
    required=True,
    type=click.IntRange(1_000, 10_000_000),
    help="True events to simulate, 1,000 to 10,000,000.",
)
@click.option("--seed", default=7, show_default=True, type=int, help="Seed of every choice.")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="A new or empty folder: landing files go to OUT/landing, the truth to OUT/truth.json.",
)
@click.option(
    "--start",
    default="2026-09-07",
    show_default=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="First simulated day (UTC).",
)
@click.option("--days", default=28, show_default=True, type=click.IntRange(1, 366))
@click.option(
    "--dirt",
    "dirt_specs",
    multiple=True,
    metavar="NAME=RATE[,...]",
    help="Override dirt rates (repeatable); 'none' zeroes them all first. Names: "
    "duplicates, clock_skew, late, name_variants, legacy_names, dual_write, bots, "
    "malformed, lost_impressions.",
)
def simulate(
    events: int, seed: int, out: Path, start: dt.datetime, days: int, dirt_specs: tuple[str, ...]
) -> None:
    """Write seeded, dirty tracker traffic of an AI product as landing files,
    with the exact counts per mart cell it planted (truth.json)."""
    from ai_events.simulate import DirtError, SimulationError, parse_dirt
    from ai_events.simulate import simulate as run_simulation

    try:
        dirt = parse_dirt(dirt_specs)
    except DirtError as error:
        raise click.BadParameter(str(error), param_hint="--dirt") from error
    try:
        result = run_simulation(
            events=events,
            seed=seed,
            out=out,
            dirt=dirt,
            start=start.date(),
            days=days,
            progress=sys.stderr.isatty(),
        )
    except SimulationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(result.describe())


@main.group()
def taxonomy() -> None:
    """Work with the event registry in taxonomy/."""


def _registry():
    from ai_events.taxonomy.registry import RegistryError, load_registry

    try:
        return load_registry()
    except RegistryError as error:
        raise click.ClickException(str(error)) from error


@taxonomy.command("lint")
def taxonomy_lint() -> None:
    """Check naming, descriptions, owners, privacy handling and duplicates."""
    from ai_events.taxonomy.lint import lint

    findings = lint(_registry())
    for finding in findings:
        click.echo(str(finding))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    click.echo(f"{errors} errors, {warnings} warnings")
    if errors:
        sys.exit(1)


@taxonomy.command("diff")
@click.argument("base")
def taxonomy_diff(base: str) -> None:
    """Classify every registry change since the git revision BASE; fail when a
    breaking change has no new major (MODEL) version."""
    from ai_events.taxonomy.diff import diff_against
    from ai_events.taxonomy.registry import RegistryError

    try:
        result = diff_against(base)
    except RegistryError as error:
        raise click.ClickException(str(error)) from error
    for change in result.changes:
        click.echo(str(change))
    if not result.changes:
        click.echo(f"no changes since {base}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    for error in result.errors:
        click.echo(f"error: {error}")
    if not result.ok:
        sys.exit(1)


@taxonomy.command("generate")
@click.option("--check", is_flag=True, help="Write nothing; fail when a generated file is stale.")
def taxonomy_generate(check: bool) -> None:
    """Write the files generated from the registry (dbt macro, JSON Schemas,
    data dictionary)."""
    from ai_events.taxonomy.generate import generate

    result = generate(_registry(), check=check)
    if check:
        for path in result.stale:
            click.echo(f"stale: {path}")
        if result.stale:
            click.echo("run `ai-events taxonomy generate` and commit the result")
            sys.exit(1)
        click.echo("generated files are up to date")
    else:
        for path in result.written:
            click.echo(f"wrote {path}")
        click.echo(f"{len(result.written)} files written")
