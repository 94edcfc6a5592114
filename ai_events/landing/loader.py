"""Land tracker files in DuckDB, whole and unchanged, and account for every line.

`load_paths` walks files and folders, and for each file:

1. reads its bytes and skips it when a file with the same SHA-256 was loaded;
2. decodes it (gzip, zip members, a byte-order mark, UTF-16/32) and splits
   it into lines; a line that cannot be text becomes a reject with its bytes;
3. unwraps requests written by the collector, keeping the request's metadata;
4. hands the lines to DuckDB, which recognises each document's format and
   splits batches into one row per event (see `formats.py`);
5. writes the events, the rejects and the load's manifest row in one
   transaction, so a crash leaves nothing behind and a rerun loads the file
   exactly once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import duckdb
import pandas as pd
from tqdm import tqdm

from ai_events.landing import formats
from ai_events.landing.schema import ensure_landing

log = logging.getLogger(__name__)

# Marker key of a request record written by `ai-events collect`.
COLLECTOR_MARKER = "ai_events_request"
# A single line longer than this is kept as a reject instead of parsed.
MAX_LINE_BYTES = 64 * 1024 * 1024
# Files whose names say they are still being written by the collector.
OPEN_SUFFIX = ".open"

_BAD_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class LoadError(Exception):
    """A path given to the loader cannot be read at all."""


@dataclass
class Reject:
    source_line: int | None
    reason: str
    detail: str
    raw_text: str | None = None
    raw_bytes: bytes | None = None
    source_index: int | None = None


@dataclass
class Unit:
    """One JSON document to classify, with where it came from."""

    source_line: int
    text: str
    received_at: dt.datetime | None = None
    request: str | None = None  # JSON text of the collector's request metadata
    hint: str | None = None  # a format named by the request path


@dataclass
class FileResult:
    source_file: str
    skipped: bool = False
    lines_read: int = 0
    events_landed: int = 0
    items_rejected: int = 0
    detected_format: str | None = None


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


@dataclass
class SourceFile:
    """A file to load: a path on disk, or a member of a zip archive."""

    name: str
    data: bytes


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------
# Finding and reading files


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every regular file under the given paths, sorted, skipping hidden files
    and collector files that are still open for writing."""
    for path in paths:
        if not path.exists():
            raise LoadError(f"{path}: no such file or folder")
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            if not candidate.is_file():
                continue
            relative = candidate.relative_to(path) if path.is_dir() else Path(candidate.name)
            if any(part.startswith(".") for part in relative.parts):
                continue
            if candidate.name.endswith(OPEN_SUFFIX):
                log.debug("skipping %s: the collector is still writing it", candidate)
                continue
            yield candidate


def read_sources(path: Path) -> Iterator[SourceFile]:
    """The file itself, or each member of it when it is a zip archive."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.infolist():
                    if member.is_dir():
                        continue
                    yield SourceFile(f"{path}!{member.filename}", archive.read(member))
            return
        except zipfile.BadZipFile:
            log.debug("%s starts like a zip archive but is not one; reading it as text", path)
    yield SourceFile(str(path), data)


def decompress(data: bytes) -> tuple[bytes, Reject | None]:
    """Undo gzip (several members allowed). A stream cut short keeps what
    decompressed before the cut and reports the rest as a reject."""
    if data[:2] != b"\x1f\x8b":
        return data, None
    out = io.BytesIO()
    remaining = data
    while remaining[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(wbits=31)
        try:
            out.write(inflater.decompress(remaining))
        except zlib.error as error:
            return out.getvalue(), Reject(
                None, "gzip_corrupt", f"gzip stream is corrupt: {error}", raw_bytes=data
            )
        if not inflater.eof:
            return out.getvalue(), Reject(
                None,
                "gzip_truncated",
                f"gzip stream ends early after {len(data)} compressed bytes; "
                "the lines before the cut were loaded",
                raw_bytes=data,
            )
        remaining = inflater.unused_data
    if remaining.strip(b"\x00"):
        return out.getvalue(), Reject(
            None,
            "gzip_trailing_bytes",
            "bytes after the end of the gzip stream",
            raw_bytes=remaining,
        )
    return out.getvalue(), None


def decode_text(data: bytes) -> tuple[bytes, str | None]:
    """Strip a byte-order mark; re-encode UTF-16/32 text as UTF-8.

    Returns the UTF-8 bytes and the encoding named by the mark, if any.
    """
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            if encoding == "utf-8":
                return data[len(mark) :], encoding
            try:
                return data[len(mark) :].decode(encoding).encode("utf-8"), encoding
            except UnicodeDecodeError:
                return data, None
    return data, None


def split_lines(data: bytes) -> tuple[list[tuple[int, str]], list[Reject], int]:
    """Split into (line number, text) pairs; lines that cannot be text are rejects.

    Returns the lines, the rejects and the number of non-blank lines read.
    """
    lines: list[tuple[int, str]] = []
    rejects: list[Reject] = []
    read = 0
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip():
            continue
        read += 1
        if len(raw) > MAX_LINE_BYTES:
            rejects.append(
                Reject(
                    number,
                    "line_too_large",
                    f"{len(raw)} bytes, limit {MAX_LINE_BYTES}",
                    raw_bytes=raw,
                )
            )
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            rejects.append(
                Reject(number, "invalid_utf8", f"not UTF-8 at byte {error.start}", raw_bytes=raw)
            )
            continue
        bad = _BAD_CONTROL.search(raw)
        if bad:
            reason = "nul_byte" if bad.group() == b"\x00" else "control_character"
            rejects.append(
                Reject(
                    number,
                    reason,
                    f"raw control byte 0x{bad.group()[0]:02x} at byte {bad.start()}",
                    raw_text=text.replace("\x00", "\\u0000"),
                    raw_bytes=raw,
                )
            )
            continue
        lines.append((number, text))
    return lines, rejects, read


def whole_document(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A pretty-printed JSON file spans lines: read it as one document."""
    if len(lines) < 2:
        return lines
    try:
        json.loads(lines[0][1])
        return lines
    except ValueError:
        pass
    text = "\n".join(line for _, line in lines)
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return lines
    return [(lines[0][0], text)]


def unwrap_collector(number: int, text: str) -> Unit | Reject:
    """A collector request record: its body becomes the unit, the rest metadata."""
    try:
        record = json.loads(text)
        request = record[COLLECTOR_MARKER]
        received_at = dt.datetime.fromisoformat(record["received_at"]).astimezone(dt.UTC)
        body: str = record["body"]
    except (ValueError, KeyError, TypeError) as error:
        return Reject(number, "invalid_collector_record", str(error), raw_text=text)
    if record.get("body_encoding") == "base64":
        return Reject(
            number,
            request.get("rejected", "undecodable_body"),
            request.get("detail", "the collector could not decode this body"),
            raw_text=text,
        )
    if request.get("method") == "GET":
        # Snowplow's GET pixel: the event is the query string.
        body = json.dumps(dict(parse_qsl(body, keep_blank_values=True)), ensure_ascii=False)
    return Unit(
        source_line=number,
        text=body,
        received_at=received_at.replace(tzinfo=None),
        request=json.dumps(request, ensure_ascii=False),
        hint=request.get("format"),
    )


def to_units(lines: list[tuple[int, str]]) -> tuple[list[Unit], list[Reject]]:
    units: list[Unit] = []
    rejects: list[Reject] = []
    prefix = '{"' + COLLECTOR_MARKER + '"'
    for number, text in lines:
        if text.startswith(prefix):
            unwrapped = unwrap_collector(number, text)
            (units if isinstance(unwrapped, Unit) else rejects).append(unwrapped)
        else:
            units.append(Unit(number, text))
    return units, rejects


# --------------------------------------------------------------------------
# Splitting documents into events, in DuckDB


def _split_sql(format_choice: str) -> str:
    """SQL over `_units` that fills `_events` and `_unit_rejects`."""
    detect = formats.detect_expression(format_choice)
    return f"""
create or replace temp table _docs as
select
    source_line, received_at, request, hint, text,
    json_valid(text) as is_json
from _units;

create or replace temp table _items as
with objects as (
    select source_line, received_at, request, hint, 0 as item_index, text::json as doc
    from _docs
    where is_json and json_type(text::json) = 'OBJECT'
),
array_elements as (
    select source_line, received_at, request, hint,
        generate_subscripts(elements, 1) - 1 as item_index,
        unnest(elements) as doc
    from (
        select *, json_extract(text::json, '$[*]') as elements
        from _docs
        where is_json and json_type(text::json) = 'ARRAY'
    )
)
select * from objects
union all
select * from array_elements;

create or replace temp table _classified as
select *,
    case
        when json_type(doc) <> 'OBJECT' then null
        when hint is not null then hint
        else {detect}
    end as format
from _items;

create or replace temp table _split as
with located as (
    select *, {formats.events_key_case()} as events_key, {formats.protocol_case()} as protocol
    from _classified
    where format is not null
),
singles as (
    select source_line, item_index, 0 as event_index, received_at, request,
        format, protocol, null::json as envelope, doc as payload
    from located
    where events_key is null
),
batches as (
    select source_line, item_index, received_at, request, format, protocol,
        json_merge_patch(doc, json_object(events_key, null)) as envelope,
        {formats.elements_case()} as elements
    from located
    where events_key is not null
),
batch_events as (
    select source_line, item_index,
        generate_subscripts(elements, 1) - 1 as event_index,
        received_at, request, format, protocol, envelope,
        unnest(elements) as payload
    from batches
)
-- The position of an event in its line: batch elements in order, and
-- array elements of a whole-array file numbered across the file.
select
    *,
    row_number() over (
        partition by source_line order by item_index, event_index
    ) - 1 as source_index
from (
    select * from singles
    union all
    select * from batch_events
);

create or replace temp table _events as
select * from _split where json_type(payload) = 'OBJECT';

create or replace temp table _unit_rejects as
select source_line, null::bigint as item_index, 'invalid_json' as reason,
    'not valid JSON' as detail, text
from _docs
where not is_json
union all
select source_line, null, 'not_an_object',
    'a JSON ' || lower(json_type(text::json)) || ' where an object or array was expected', text
from _docs
where is_json and json_type(text::json) not in ('OBJECT', 'ARRAY')
union all
select source_line, item_index, 'not_an_object',
    'array element is a JSON ' || lower(json_type(doc)), doc::varchar
from _items
where json_type(doc) <> 'OBJECT'
union all
select source_line, source_index, 'not_an_object',
    'batch element is a JSON ' || lower(json_type(payload)), payload::varchar
from _split
where json_type(payload) <> 'OBJECT'
union all
select source_line, item_index, 'unrecognised_shape',
    'no tracker format matches this document''s keys', doc::varchar
from _classified
where json_type(doc) = 'OBJECT' and format is null
union all
select c.source_line, c.item_index, 'empty_batch', 'the batch holds no events', c.doc::varchar
from _classified as c
where {formats.events_key_case("c.format")} is not null
    and coalesce(len({formats.elements_case(formats.events_key_case("c.format"), "c.doc")}), 0) = 0;
"""


# --------------------------------------------------------------------------
# Loading


class Loader:
    """Loads files into the raw landing tables of one DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, format_choice: str = "auto") -> None:
        if format_choice not in formats.FORMAT_CHOICES:
            raise LoadError(
                f"unknown format {format_choice!r}; choose one of "
                f"{', '.join(formats.FORMAT_CHOICES)}"
            )
        self.con = con
        self.format_choice = format_choice
        self.raw = ensure_landing(con)

    def already_loaded(self, sha256: str) -> bool:
        rows = self.con.execute(
            f"select 1 from {self.raw}.loads where content_sha256 = ? limit 1", [sha256]
        ).fetchall()
        return bool(rows)

    def load_file(self, source: SourceFile) -> FileResult:
        result = FileResult(source.name)
        sha256 = hashlib.sha256(source.data).hexdigest()
        if self.already_loaded(sha256):
            result.skipped = True
            log.debug("skipping %s: content %s already loaded", source.name, sha256[:12])
            return result

        started_at = utc_now()
        load_id = f"{started_at:%Y%m%dT%H%M%S}-{sha256[:12]}-{uuid.uuid4().hex[:6]}"
        data, container_reject = decompress(source.data)
        data, _encoding = decode_text(data)
        lines, rejects, result.lines_read = split_lines(data)
        if container_reject is not None:
            rejects.append(container_reject)
            result.lines_read += 1
        if not lines and not rejects and not data.strip():
            rejects.append(Reject(None, "empty_file", "the file holds no data"))
            result.lines_read += 1
        documents = whole_document(lines)
        if len(documents) < len(lines):
            # A pretty-printed file is one document, however many lines it spans.
            result.lines_read -= len(lines) - len(documents)
        units, unit_rejects = to_units(documents)
        rejects.extend(unit_rejects)

        con = self.con
        con.execute("begin transaction")
        try:
            self._stage_units(units)
            con.execute(_split_sql(self.format_choice))
            result.events_landed = self._insert_events(load_id, source.name, started_at)
            result.items_rejected = self._insert_rejects(load_id, source.name, rejects)
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
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        log.debug(
            "%s: %d lines, %d events, %d rejected",
            source.name,
            result.lines_read,
            result.events_landed,
            result.items_rejected,
        )
        return result

    def _stage_units(self, units: list[Unit]) -> None:
        frame = pd.DataFrame(
            {
                "source_line": pd.Series([u.source_line for u in units], dtype="int64"),
                "received_at": pd.Series([u.received_at for u in units], dtype="datetime64[us]"),
                "request": pd.Series([u.request for u in units], dtype="object"),
                "hint": pd.Series([u.hint for u in units], dtype="object"),
                "text": pd.Series([u.text for u in units], dtype="object"),
            }
        )
        self.con.register("_units_frame", frame)
        try:
            self.con.execute(
                "create or replace temp table _units as select source_line, received_at, "
                "request::varchar as request, hint::varchar as hint, text::varchar as text "
                "from _units_frame"
            )
        finally:
            self.con.unregister("_units_frame")

    def _insert_events(self, load_id: str, source_file: str, loaded_at: dt.datetime) -> int:
        self.con.execute(
            f"""
            insert into {self.raw}.events
            select ?, protocol, format, ?, source_line, source_index,
                coalesce(received_at, ?), ?, envelope, request::json, payload
            from _events
            """,
            [load_id, source_file, loaded_at, loaded_at],
        )
        return self.con.execute("select count(*) from _events").fetchall()[0][0]

    def _insert_rejects(self, load_id: str, source_file: str, rejects: list[Reject]) -> int:
        now = utc_now()
        if rejects:
            self.con.executemany(
                f"insert into {self.raw}.rejects values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        load_id,
                        source_file,
                        r.source_line,
                        r.source_index,
                        r.reason,
                        r.detail,
                        r.raw_text,
                        r.raw_bytes,
                        now,
                    ]
                    for r in rejects
                ],
            )
        self.con.execute(
            f"""
            insert into {self.raw}.rejects
            select ?, ?, source_line, item_index, reason, detail, text, null, ?
            from _unit_rejects
            """,
            [load_id, source_file, now],
        )
        unit_rejects = self.con.execute("select count(*) from _unit_rejects").fetchall()[0][0]
        return len(rejects) + unit_rejects

    def _main_format(self) -> str | None:
        rows = self.con.execute(
            "select format from _events group by format order by count(*) desc, format limit 1"
        ).fetchall()
        return rows[0][0] if rows else None


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    format_choice: str = "auto",
    progress: bool = False,
) -> LoadSummary:
    """Load every file under `paths`; return what was landed, rejected and skipped."""
    loader = Loader(con, format_choice)
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
            for source in read_sources(path):
                summary.files.append(loader.load_file(source))
            bar.update(path.stat().st_size)
    return summary
