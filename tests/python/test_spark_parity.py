"""DuckDB and Spark build the same marts from the same landing files.

The loader lands the parity fixtures once, in DuckDB: the files of
`fixtures/parity/` and three weeks of traffic on every surface and tracker
that `parity_traffic` writes. Spark reads that same landing through its
Parquet export, so both engines start from identical raw tables. Each
engine then runs one `dbt build` (models, data tests, unit tests and the
engine case tests of `tests/engine/`), and every table or view of the
`marts` and `ml` schemas, whatever exists by then, is compared row for row:
column names and types, rows order aside, floats to 1e-9. A table on one
engine only, or an empty one, fails. The rejects and the quarantined
events, counted by reason, must agree too.

Spark runs in this process: dbt-spark's session method starts the JVM for
the build, and the comparison reuses that session, so the module starts
one JVM and runs one Spark build.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner
from pyspark.sql import Row, SparkSession
from pyspark.sql.types import TimestampNTZType, TimestampType

from ai_events.project import PROJECT_DIR
from ai_events.spark_landing import SparkLanding, export_raw, spark_env

from conftest import FIXTURES, Warehouse
from parity_traffic import write_parity_landing

pytestmark = [pytest.mark.dbt, pytest.mark.spark]

PARITY_FIXTURES = FIXTURES / "parity"
MARTS = "marts"
PUBLIC_SCHEMAS = (MARTS, "ml")
FLOAT_TOLERANCE = 1e-9

# DuckDB's type names as Spark spells the same type.
DUCKDB_TO_SPARK_TYPES = {
    "VARCHAR": "string",
    "JSON": "string",
    "BOOLEAN": "boolean",
    "TINYINT": "tinyint",
    "SMALLINT": "smallint",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "FLOAT": "float",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "BLOB": "binary",
}

Table = tuple[list[tuple[str, str]], list[tuple]]


@dataclass
class Engines:
    """The two warehouses built from one landing."""

    duckdb_path: Path
    spark: SparkSession


def spark_type(duckdb_type: str) -> str:
    """A DuckDB column type in Spark's spelling (DECIMAL(p,s) and lists too)."""
    if duckdb_type.endswith("[]"):
        return f"array<{spark_type(duckdb_type[:-2])}>"
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.lower().replace(" ", "")
    return DUCKDB_TO_SPARK_TYPES.get(duckdb_type, duckdb_type.lower())


def canonical(value: object) -> object:
    """A value as both drivers can agree on: tuples for lists and structs,
    bytes for binary."""
    if isinstance(value, Row):
        return tuple(sorted((k, canonical(v)) for k, v in value.asDict().items()))
    if isinstance(value, dict):
        return tuple(sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(canonical(v) for v in value)
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


def values_match(left: object, right: object) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        if isinstance(left, Decimal) or isinstance(right, Decimal):
            return False
        return math.isclose(left, right, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(map(values_match, left, right))
    return type(left) is type(right) and left == right


def sort_key(row: tuple) -> tuple:
    """Orders rows by their exact values; floats are rounded so that rows
    equal within the tolerance sort together."""
    return tuple((type(v).__name__, repr(round(v, 6) if isinstance(v, float) else v)) for v in row)


def rows_differences(duck_rows: list[tuple], spark_rows: list[tuple]) -> list[str]:
    """The rows of each side that find no match on the other, order aside."""
    unmatched_spark = sorted(spark_rows, key=sort_key)
    missing_on_spark = []
    for row in sorted(duck_rows, key=sort_key):
        for index, candidate in enumerate(unmatched_spark):
            if len(row) == len(candidate) and all(map(values_match, row, candidate)):
                del unmatched_spark[index]
                break
        else:
            missing_on_spark.append(row)
    return [f"only on duckdb: {row}" for row in missing_on_spark] + [
        f"only on spark: {row}" for row in unmatched_spark
    ]


def duckdb_tables(path: Path, schema: str) -> dict[str, Table]:
    """Every table and view of `schema`: its columns (name, Spark-spelled
    type) and rows, timestamps as microseconds since the epoch."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_catalog = current_database()",
                [schema],
            ).fetchall()
        ]
        tables: dict[str, Table] = {}
        for name in names:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? "
                "and table_catalog = current_database() order by ordinal_position",
                [schema, name],
            ).fetchall()
            select = ", ".join(
                f'epoch_us("{column}")' if data_type.startswith("TIMESTAMP") else f'"{column}"'
                for column, data_type in columns
            )
            rows = con.execute(f'select {select} from "{schema}"."{name}"').fetchall()
            tables[name] = (
                [(column, spark_type(data_type)) for column, data_type in columns],
                [canonical(row) for row in rows],
            )
    return tables


def spark_tables(spark: SparkSession, schema: str) -> dict[str, Table]:
    """The same as `duckdb_tables`, read through the Spark session."""
    tables: dict[str, Table] = {}
    for listed in spark.sql(f"show tables in {schema}").collect():
        if listed.isTemporary:
            continue
        frame = spark.table(f"{schema}.`{listed.tableName}`")
        select = []
        for field in frame.schema.fields:
            quoted = f"`{field.name}`"
            if isinstance(field.dataType, TimestampType):
                select.append(f"unix_micros({quoted}) as {quoted}")
            elif isinstance(field.dataType, TimestampNTZType):
                select.append(f"unix_micros(to_utc_timestamp({quoted}, 'UTC')) as {quoted}")
            else:
                select.append(quoted)
        rows = frame.selectExpr(*select).collect()
        tables[listed.tableName] = (
            [(f.name, f.dataType.simpleString()) for f in frame.schema.fields],
            [canonical(tuple(row)) for row in rows],
        )
    return tables


def compare_schemas(duck: dict[str, Table], spark: dict[str, Table]) -> list[str]:
    """Every difference between two engines' tables of one schema, in words."""
    problems = [f"{name}: only on duckdb" for name in sorted(duck.keys() - spark.keys())]
    problems += [f"{name}: only on spark" for name in sorted(spark.keys() - duck.keys())]
    for name in sorted(duck.keys() & spark.keys()):
        (duck_columns, duck_rows), (spark_columns, spark_rows) = duck[name], spark[name]
        if duck_columns != spark_columns:
            problems.append(f"{name}: columns {duck_columns} on duckdb, {spark_columns} on spark")
            continue
        if not duck_rows and not spark_rows:
            problems.append(f"{name}: empty on both engines; extend {PARITY_FIXTURES.name}/")
        problems += [f"{name}: {line}" for line in rows_differences(duck_rows, spark_rows)]
    return problems


def rejects_by_reason_duckdb(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select reason, count(*) from raw.rejects group by reason").fetchall()
    return dict(rows)


def rejects_by_reason_spark(spark: SparkSession) -> dict[str, int]:
    rows = spark.sql("select reason, count(*) as n from raw.rejects group by reason").collect()
    return {row.reason: row.n for row in rows}


QUARANTINED = "intermediate.int_events__quarantined"


def quarantined_by_reason_duckdb(path: Path) -> dict[str, int]:
    """Each reason code of a quarantined event counted once per event."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select split_part(reason, ':', 1), count(*) from ("
            f"select unnest(string_split(quarantine_reasons, ';')) as reason from {QUARANTINED}"
            ") group by 1"
        ).fetchall()
    return dict(rows)


def quarantined_by_reason_spark(spark: SparkSession) -> dict[str, int]:
    rows = spark.sql(
        "select split_part(reason, ':', 1) as code, count(*) as n from ("
        f"select explode(split(quarantine_reasons, ';')) as reason from {QUARANTINED}"
        ") group by 1"
    ).collect()
    return {row.code: row.n for row in rows}


def build_spark(project_target: Path) -> None:
    """`dbt build` on the Spark target, in this process, failing on any node."""
    result = dbtRunner().invoke(
        [
            "--quiet",
            "build",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(project_target),
        ]
    )
    if not result.success:
        failed = [
            f"{r.node.unique_id}: {r.status} {r.message}"
            for r in getattr(result.result, "results", [])
            if str(r.status) not in ("success", "pass", "skipped")
        ]
        pytest.fail(f"dbt build failed on Spark: {failed or result.exception}")


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engines]:
    root = tmp_path_factory.mktemp("parity")
    duck = Warehouse(root / "duckdb")
    duck.root.mkdir()
    duck.load(PARITY_FIXTURES, *write_parity_landing(root / "landing"))
    landing = SparkLanding(root / "spark")
    with duckdb.connect(str(duck.database)) as con:
        export_raw(con, landing.raw_dir)
    duck.dbt("build")
    with pytest.MonkeyPatch.context() as env:
        for name, value in spark_env(landing.root).items():
            env.setenv(name, value)
        # Spark otherwise picks the machine's first network address.
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        build_spark(root / "spark-target")
        spark = SparkSession.builder.getOrCreate()
        try:
            yield Engines(duck.database, spark)
        finally:
            spark.stop()


@pytest.mark.parametrize("schema", PUBLIC_SCHEMAS)
def test_public_tables_are_identical_on_duckdb_and_spark(engines: Engines, schema: str) -> None:
    duck = duckdb_tables(engines.duckdb_path, schema)
    spark = spark_tables(engines.spark, schema)
    assert duck, f"DuckDB built nothing in {schema}"
    problems = compare_schemas(duck, spark)
    assert not problems, "\n".join(problems)


def test_rejects_by_reason_agree(engines: Engines) -> None:
    duck = rejects_by_reason_duckdb(engines.duckdb_path)
    assert len(duck) >= 5, f"the parity fixtures should reject for several reasons: {duck}"
    assert rejects_by_reason_spark(engines.spark) == duck


def test_quarantined_events_by_reason_agree(engines: Engines) -> None:
    duck = quarantined_by_reason_duckdb(engines.duckdb_path)
    assert len(duck) >= 4, f"the parity fixtures should quarantine for several reasons: {duck}"
    assert quarantined_by_reason_spark(engines.spark) == duck


def test_spark_raw_tables_match_the_loaders(engines: Engines) -> None:
    """The Spark hook declares the columns the loader's export writes."""
    duck = duckdb_tables(engines.duckdb_path, "raw")
    spark = spark_tables(engines.spark, "raw")
    assert {name: cols for name, (cols, _) in spark.items()} == {
        name: cols for name, (cols, _) in duck.items()
    }
    assert compare_schemas(duck, spark) == []


def test_a_changed_or_missing_mart_fails_the_comparison(engines: Engines, tmp_path: Path) -> None:
    """The comparison can fail: a value off by more than the tolerance, a
    mart on one side only and a column of another type are all reported,
    while a difference within the tolerance is not."""
    changed = tmp_path / "changed.duckdb"
    shutil.copy(engines.duckdb_path, changed)
    spark = spark_tables(engines.spark, MARTS)

    def nudged(by: float) -> list[str]:
        with duckdb.connect(str(changed)) as con:
            con.execute(
                "update marts.fct_feed_ctr set click_through_rate = click_through_rate + ? "
                "where click_through_rate is not null",
                [by],
            )
        return compare_schemas(duckdb_tables(changed, MARTS), spark)

    assert nudged(1e-12) == []
    assert any("only on duckdb" in line for line in nudged(1e-6))

    with duckdb.connect(str(changed)) as con:
        con.execute(
            "update ml.fct_feed_training_examples set features = '{}' "
            "where impression_event_id = (select min(impression_event_id) "
            "from ml.fct_feed_training_examples where features is not null)"
        )
    ml_problems = compare_schemas(duckdb_tables(changed, "ml"), spark_tables(engines.spark, "ml"))
    assert len(ml_problems) == 2 and all("fct_feed_training_examples" in p for p in ml_problems)

    with duckdb.connect(str(changed)) as con:
        con.execute("create table marts.only_here as select 1 as x")
        con.execute("create table marts.fct_feed_ctr_typed as select 1 as x")
    spark_extra = {**spark, "fct_feed_ctr_typed": ([("x", "bigint")], [(1,)])}
    problems = compare_schemas(duckdb_tables(changed, MARTS), spark_extra)
    assert "only_here: only on duckdb" in problems
    assert any(line.startswith("fct_feed_ctr_typed: columns") for line in problems)
