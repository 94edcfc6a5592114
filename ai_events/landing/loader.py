"""Land tracker files in DuckDB, whole and unchanged, and account for every unit.

`load_paths` walks files and folders, and for each file:

1. reads its bytes and skips it when a file with the same SHA-256 was loaded;
2. stages its lines in DuckDB: a plain file (no compression, no byte-order
   mark, valid UTF-8) is read by DuckDB itself; anything else is decoded in
   Python first (gzip, zip members, UTF-16/32), and bytes that cannot be
   text become rejects (`reading.py`);
3. unwraps requests written by the collector, recognises each document's
   format and splits batches into one row per event (`staging.py`);
4. writes the events, the rejects and the load's manifest row in one
   transaction, so a crash leaves nothing behind and a rerun loads the file
   exactly once.

Nothing read is lost. The loader accounts in *units*; each unit becomes
exactly one row, in `raw.events` or in `raw.rejects`:

- an event: a document that is one event, or one element of a batch;
- a batch element that is not an event (a string, a number, ...);
- a batch with no elements (one unit for the whole batch);
- a non-blank line that is not usable: not UTF-8, not JSON, a JSON scalar,
  an empty JSON array, an object of no known shape, a broken collector
  record;
- a problem with the file as a whole: a gzip stream that is corrupt, cut
  short or followed by stray bytes (the lines before the cut still count
  as above), a UTF-16/32 file that does not decode, a file with no data.

A line holding a JSON array counts its elements, each as a document. Blank
lines are not units. `raw.loads.lines_read` is the number of units read,
counted from the documents apart from the rows landed, and every load checks
`lines_read = events_landed + items_rejected` before it commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from tqdm import tqdm

from ai_events.landing import formats, staging
from ai_events.landing.reading import (
    OPEN_SUFFIX,
    LoadError,
    Reject,
    SourceFile,
    decode_lines,
    decompress,
    is_plain,
    iter_files,
    read_sources,
    strip_bom,
)
from ai_events.landing.schema import ensure_landing
from ai_events.landing.staging import COLLECTOR_MARKER

__all__ = [
    "COLLECTOR_MARKER",
    "OPEN_SUFFIX",
    "FileResult",
    "LoadError",
    "LoadSummary",
    "Loader",
    "load_paths",
]

log = logging.getLogger(__name__)

_TEMP_TABLES = (
    "_lines",
    "_docs",
    "_items",
    "_classified",
    "_batches",
    "_split",
    "_sql_rejects",
    "_record_rejects",
)


class UnaccountedUnits(LoadError):
    """The rows a file would land do not add up to the units read from it."""


@dataclass
class FileResult:
    source_file: str
    skipped: bool = False
    lines_read: int = 0
    events_landed: int = 0
    items_rejected: int = 0
    detected_format: str | None = None
    read_by: str | None = None  # duckdb (the fast path) or python


@dataclass
class LoadSummary:
    files: list[FileResult] = field(default_factory=list)

    @property
    def files_loaded(self) -> int:
        return sum(1 for f in self.files if not f.skipped)

    @property
    def files_skipped(self) -> int:
        return sum(1 for f in self.files if f.skipped)

    @property
    def lines_read(self) -> int:
        return sum(f.lines_read for f in self.files)

    @property
    def events_landed(self) -> int:
        return sum(f.events_landed for f in self.files)

    @property
    def items_rejected(self) -> int:
        return sum(f.items_rejected for f in self.files)

    def describe(self) -> str:
        return (
            f"{self.files_loaded} files loaded, {self.events_landed} events landed, "
            f"{self.items_rejected} lines or items rejected, "
            f"{self.files_skipped} files skipped as already loaded"
        )


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def explain_invalid_json(text: str) -> str:
    """Where a line stops being JSON, in the words of Python's parser."""
    try:
        json.loads(text)
    except RecursionError:
        return "not valid JSON, and nested too deeply to say where"
    except ValueError as error:
        return f"not valid JSON: {error}"
    return "not valid JSON as DuckDB reads it (for example a lone UTF-16 surrogate escape)"


class Loader:
    """Loads files into the raw landing tables of one DuckDB connection.

    `fast` lets DuckDB read plain files from disk itself; without it every
    file is decoded in Python. Both give the same rows.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection, format_choice: str = "auto", fast: bool = True
    ) -> None:
        if format_choice not in formats.FORMAT_CHOICES:
            raise LoadError(
                f"unknown format {format_choice!r}; choose one of "
                f"{', '.join(formats.FORMAT_CHOICES)}"
            )
        self.con = con
        self.format_choice = format_choice
        self.fast = fast
        self.raw = ensure_landing(con)

    def already_loaded(self, sha256: str) -> bool:
        rows = self.con.execute(
            f"select 1 from {self.raw}.loads where content_sha256 = ? limit 1", [sha256]
        ).fetchall()
        return bool(rows)

    def load_file(self, source: SourceFile) -> FileResult:
        """Land one file in one transaction; skip it when its bytes were loaded."""
        result = FileResult(source.name)
        sha256 = hashlib.sha256(source.data).hexdigest()
        if self.already_loaded(sha256):
            result.skipped = True
            log.debug("skipping %s: content %s already loaded", source.name, sha256[:12])
            return result

        started_at = self._next_load_time()
        load_id = f"{started_at:%Y%m%dT%H%M%S}-{sha256[:12]}-{uuid.uuid4().hex[:6]}"
        log.debug("loading %s (%d bytes) as load %s", source.name, len(source.data), load_id)
        con = self.con
        # Reading happens before the transaction: a file DuckDB cannot read
        # as text fails its statement, and must not abort the transaction.
        rejects = self._stage(source, result)
        con.execute("begin transaction")
        log.debug("%s: read by %s, landing in one transaction", source.name, result.read_by)
        try:
            staging.merge_whole_document(con)
            if not rejects and not con.execute("select count(*) from _lines").fetchall()[0][0]:
                rejects.append(Reject(None, "empty_file", "the file holds no data"))
            staging.build_units(con)
            con.execute(staging.split_sql(self.format_choice))
            result.lines_read = len(rejects) + self._count_units()
            result.events_landed = self._insert_events(load_id, source.name, started_at)
            result.items_rejected = self._insert_rejects(load_id, source.name, rejects)
            if result.lines_read != result.events_landed + result.items_rejected:
                raise UnaccountedUnits(
                    f"{source.name}: {result.lines_read} units read but "
                    f"{result.events_landed} events and {result.items_rejected} rejects "
                    "would land; nothing was loaded from this file"
                )
            result.detected_format = self._main_format()
            con.execute(
                f"insert into {self.raw}.loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    source.name,
                    sha256,
                    len(source.data),
                    result.detected_format,
                    result.lines_read,
                    result.events_landed,
                    result.items_rejected,
                    started_at,
                    utc_now(),
                ],
            )
            self._drop_temp_tables()
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        log.debug(
            "%s (read by %s): %d units, %d events, %d rejected",
            source.name,
            result.read_by,
            result.lines_read,
            result.events_landed,
            result.items_rejected,
        )
        return result

    def _next_load_time(self) -> dt.datetime:
        """Now, or just after the latest load when the clock has stepped
        back: load times only grow. With one writer at a time (DuckDB's
        file lock), loads then commit in the order of their `loaded_at`,
        which is what the incremental models' watermark relies on."""
        latest = self.con.execute(f"select max(started_at) from {self.raw}.loads").fetchall()[0][0]
        now = utc_now()
        if latest is not None and now <= latest:
            return latest + dt.timedelta(microseconds=1)
        return now

    def _stage(self, source: SourceFile, result: FileResult) -> list[Reject]:
        """Put the file's lines in `_lines`; return what could not be text."""
        if (
            self.fast
            and source.path is not None
            and is_plain(source.data)
            and staging.stage_file(self.con, source.path, len(source.data))
        ):
            result.read_by = "duckdb"
            return []
        result.read_by = "python"
        rejects: list[Reject] = []
        data, problem = decompress(source.data)
        if problem is not None:
            rejects.append(problem)
        data, problem = strip_bom(data)
        if problem is not None:
            rejects.append(problem)
        decoded = decode_lines(data)
        rejects.extend(decoded.rejects)
        staging.stage_text(self.con, decoded.text)
        return rejects

    def _count_units(self) -> int:
        record_rejects = self.con.execute("select count(*) from _record_rejects").fetchall()[0][0]
        return record_rejects + self.con.execute(staging.UNITS_SQL).fetchall()[0][0]

    def _insert_events(self, load_id: str, source_file: str, loaded_at: dt.datetime) -> int:
        self.con.execute(
            f"""
            insert into {self.raw}.events
            select ?, {formats.protocol_case()}, format, ?, source_line, source_index,
                coalesce(received_at, ?), ?, envelope, request, payload
            from _split
            where is_object
            """,
            [load_id, source_file, loaded_at, loaded_at],
        )
        return self.con.fetchall()[0][0]

    def _insert_rejects(self, load_id: str, source_file: str, rejects: list[Reject]) -> int:
        """Land the rejects of every stage; return how many there were."""
        con = self.con
        self._explain_invalid_json()
        frame = pd.DataFrame(
            {
                "source_line": pd.Series([r.source_line for r in rejects], dtype="Int64"),
                "source_index": pd.Series([r.source_index for r in rejects], dtype="Int64"),
                "reason": pd.Series([r.reason for r in rejects], dtype="object"),
                "detail": pd.Series([r.detail for r in rejects], dtype="object"),
                "raw_text": pd.Series([r.raw_text for r in rejects], dtype="object"),
                "raw_bytes": pd.Series([r.raw_bytes for r in rejects], dtype="object"),
            }
        )
        con.register("_python_rejects", frame)
        try:
            con.execute(
                f"""
                insert into {self.raw}.rejects
                select ?, ?, source_line, source_index, reason, detail, raw_text, raw_bytes, ?
                from (
                    select source_line::bigint as source_line,
                        source_index::bigint as source_index,
                        reason::varchar as reason, detail::varchar as detail,
                        raw_text::varchar as raw_text, raw_bytes::blob as raw_bytes
                    from _python_rejects
                    union all
                    select source_line, null, reason, detail, raw_text, raw_bytes
                    from _record_rejects
                    union all
                    select source_line, source_index, reason, detail, raw_text, raw_bytes
                    from _sql_rejects
                )
                order by source_line nulls first, source_index nulls first, reason
                """,
                [load_id, source_file, utc_now()],
            )
        finally:
            con.unregister("_python_rejects")
        counted = con.execute(
            "select (select count(*) from _record_rejects) + (select count(*) from _sql_rejects)"
        ).fetchall()[0][0]
        return len(rejects) + counted

    def _explain_invalid_json(self) -> None:
        """Say where each line that is not JSON breaks (Python's parser words
        it better than a yes/no from DuckDB)."""
        rows = self.con.execute(
            "select distinct raw_text from _sql_rejects where reason = 'invalid_json'"
        ).fetchall()
        if not rows:
            return
        texts = [text for (text,) in rows]
        explained = pd.DataFrame(
            {
                "raw_text": pd.Series(texts, dtype="object"),
                "detail": pd.Series([explain_invalid_json(t) for t in texts], dtype="object"),
            }
        )
        self.con.register("_explained", explained)
        try:
            self.con.execute(
                "update _sql_rejects set detail = e.detail from _explained as e "
                "where _sql_rejects.reason = 'invalid_json' "
                "and _sql_rejects.raw_text = e.raw_text"
            )
        finally:
            self.con.unregister("_explained")

    def _main_format(self) -> str | None:
        rows = self.con.execute(
            "select format from _split where is_object "
            "group by format order by count(*) desc, format limit 1"
        ).fetchall()
        return rows[0][0] if rows else None

    def _drop_temp_tables(self) -> None:
        for name in _TEMP_TABLES:
            self.con.execute(f"drop table if exists {name}")


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    format_choice: str = "auto",
    progress: bool = False,
    fast: bool = True,
) -> LoadSummary:
    """Load every file under `paths`; return what was landed, rejected and skipped."""
    loader = Loader(con, format_choice, fast=fast)
    files = list(iter_files([Path(p) for p in paths]))
    summary = LoadSummary()
    total = sum(f.stat().st_size for f in files)
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc="loading",
        disable=not progress,
        leave=False,
    ) as bar:
        for path in files:
            bar.set_postfix_str(path.name, refresh=True)
            for source in read_sources(path):
                summary.files.append(loader.load_file(source))
            bar.update(path.stat().st_size)
    return summary
