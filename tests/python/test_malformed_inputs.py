"""Malformed input loads without a crash, each bad unit lands in raw.rejects,
and every load accounts for every unit it read.

The unit is defined in the loader's docstring. `expected_units` below counts
units from the bytes with Python's own parsers, apart from the loader, and
each load must land exactly that many events and rejects. Each corpus file is
loaded twice, once with DuckDB reading plain files itself (the fast path) and
once decoded in Python, and both must give the same raw tables.
"""

from __future__ import annotations

import codecs
import gzip
import json
import sys
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ai_events.landing.loader import load_paths

SEGMENT_TYPES = {"track", "identify", "page", "screen", "group", "alias"}
BOMS = {
    codecs.BOM_UTF8: "utf-8",
    codecs.BOM_UTF32_LE: "utf-32-le",
    codecs.BOM_UTF32_BE: "utf-32-be",
    codecs.BOM_UTF16_LE: "utf-16-le",
    codecs.BOM_UTF16_BE: "utf-16-be",
}
DEEP = 100_000
TEN_MB = 10 * 1024 * 1024


def with_deep_recursion(function: Callable[[], object]) -> object:
    """Run `function` where Python's JSON parser can follow 100k levels."""
    result: list[object] = []
    limit = sys.getrecursionlimit()
    stack = threading.stack_size(1024 * 1024 * 1024)
    sys.setrecursionlimit(DEEP * 4)
    try:
        thread = threading.Thread(target=lambda: result.append(function()))
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(limit)
        threading.stack_size(stack)
    return result[0]


def parse(text: str) -> tuple[bool, object]:
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def document_units(doc: object) -> tuple[int, int]:
    """(events, rejects) of one JSON document, by the shapes the trackers send."""
    if not isinstance(doc, dict):
        return 0, 1
    for key, fits in (
        ("batch", True),
        ("data", str(doc.get("schema", "")).startswith("iglu:com.snowplowanalytics.snowplow/")),
        ("events", "api_key" in doc),
    ):
        if isinstance(doc.get(key), list) and fits:
            elements = doc[key]
            if not elements:
                return 0, 1
            events = sum(1 for e in elements if isinstance(e, dict))
            return events, len(elements) - events
    single = (
        ("event_id" in doc and "collector_tstamp" in doc)
        or ("e" in doc and any(k in doc for k in ("eid", "tv", "p")))
        or "event_type" in doc
        or doc.get("type") in SEGMENT_TYPES
    )
    return (1, 0) if single else (0, 1)


def line_units(text: str) -> tuple[int, int]:
    ok, doc = parse(text)
    if not ok:
        return 0, 1
    if isinstance(doc, list):
        if not doc:
            return 0, 1
        counts = [document_units(element) for element in doc]
        return sum(e for e, _ in counts), sum(r for _, r in counts)
    if isinstance(doc, dict):
        return document_units(doc)
    return 0, 1


def expected_units(data: bytes) -> tuple[int, int]:
    """(events, rejects) that loading these bytes must land, counted in Python."""
    return with_deep_recursion(lambda: _count(data))  # type: ignore[return-value]


def _count(data: bytes) -> tuple[int, int]:
    events = rejects = 0
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(wbits=31)
        try:
            out = inflater.decompress(data)
        except zlib.error:
            return 0, 1
        if not inflater.eof or inflater.unused_data.strip(b"\x00"):
            rejects += 1
        data = out
    for mark, encoding in BOMS.items():
        if data.startswith(mark):
            data = data[len(mark) :].decode(encoding).encode()
            break
    lines = [raw.removesuffix(b"\r") for raw in data.split(b"\n")]
    lines = [raw for raw in lines if raw.strip()]
    if not lines and not rejects:
        return 0, 1
    texts: list[str] = []
    for raw in lines:
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            rejects += 1
    if len(texts) > 1 and not parse(texts[0])[0] and parse("\n".join(texts))[0]:
        texts = ["\n".join(texts)]
    for text in texts:
        line_events, line_rejects = line_units(text)
        events += line_events
        rejects += line_rejects
    return events, rejects


def event(name: str, **properties: object) -> dict:
    return {"type": "track", "event": name, "userId": "u1", "properties": properties}


def ndjson(*documents: object) -> bytes:
    return b"".join(json.dumps(d).encode() + b"\n" for d in documents)


def deep(levels: int, opening: bytes = b"[", closing: bytes = b"]") -> bytes:
    return opening * levels + closing * levels


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


GOOD = ndjson(event("Item Clicked", position=1), {"batch": [event("a"), event("b")]})
PRETTY = json.dumps({"batch": [event("pretty", n=1), event("pretty", n=2)]}, indent=2).encode()
CORPUS: dict[str, bytes] = {
    "truncated_json.ndjson": GOOD + b'{"type":"track","event":"cut' + b"\n" + GOOD,
    "latin1.ndjson": GOOD + b'{"type":"track","event":"caf\xe9"}\n' + GOOD,
    "utf16_with_bom.json": codecs.BOM_UTF16_LE + PRETTY.decode().encode("utf-16-le"),
    "utf16_without_bom.ndjson": GOOD.decode().encode("utf-16-le"),
    "utf8_bom.ndjson": codecs.BOM_UTF8 + GOOD,
    "nul_and_control_bytes.ndjson": GOOD
    + b'{"type":"track","event":"a\x00b"}\n'
    + b'{"type":"track","event":"bell\x07"}\n'
    + b"\x00\x00\x00\n",
    "gzip_cut_short.ndjson.gz": half(gzip.compress(ndjson(*(event(f"e{n}") for n in range(2000))))),
    "gzip_garbage.ndjson.gz": b"\x1f\x8b" + b"\x08" + b"not a gzip stream" * 10,
    "gzip_trailing_bytes.ndjson.gz": gzip.compress(GOOD) + b"trailing bytes",
    "ten_megabytes.ndjson": ndjson(event("big", blob="x" * TEN_MB)) + b"y" * TEN_MB + b"\n",
    "empty.ndjson": b"",
    "blank_lines.ndjson": b"\n  \n\t\r\n\n",
    "scalars.ndjson": b'42\n"text"\nnull\ntrue\n[]\n[1, {"type":"track","event":"x"}, []]\n{}\n',
    "deep_nesting.ndjson": deep(DEEP)
    + b"\n"
    + b'{"type":"track","event":"deep","properties":'
    + deep(DEEP, b'{"a":', b"}").replace(b'{"a":}', b'{"a":1}')
    + b"}\n"
    + b"[" * DEEP
    + b"\n"
    + GOOD,
    "crlf_and_blank_lines.ndjson": GOOD.replace(b"\n", b"\r\n\r\n"),
    "pretty_printed.json": PRETTY,
    "batches_with_bad_elements.ndjson": ndjson(
        {"batch": []},
        {"batch": ["a string", 7, None, event("kept")]},
        {"api_key": "k", "events": [{"event_type": "ok"}, []]},
        {"hello": "world"},
    ),
    "json_array_file.json": json.dumps(
        [event("one"), event("two"), "three", {"batch": []}]
    ).encode(),
}


def load_twice(tmp_path: Path, name: str, data: bytes) -> tuple[Path, Path]:
    """Load one file into two warehouses: fast path allowed, and Python only.

    A plain file (valid UTF-8, neither compressed nor marked) must really
    take the fast path, or comparing the two would prove nothing.
    """
    path = tmp_path / name
    path.write_bytes(data)
    databases = (tmp_path / "fast.duckdb", tmp_path / "python.duckdb")
    read_by = []
    for database, fast in zip(databases, (True, False), strict=True):
        with duckdb.connect(str(database)) as con:
            read_by.append(load_paths(con, [path], fast=fast).files[0].read_by)
    assert read_by == ["duckdb" if is_plain(data) else "python", "python"]
    return databases


def is_plain(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return data[:2] != b"\x1f\x8b" and not any(data.startswith(mark) for mark in BOMS)


def landed_counts(database: Path) -> tuple[int, int, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select sum(lines_read), sum(events_landed), sum(items_rejected) from raw.loads"
        ).fetchall()[0]


def assert_accounted(database: Path, data: bytes) -> None:
    """Every load balances, the tables hold what the loads say, and that is
    what Python counts in the bytes."""
    with duckdb.connect(str(database), read_only=True) as con:
        unbalanced = con.execute(
            "select source_file from raw.loads where lines_read <> events_landed + items_rejected"
        ).fetchall()
        events = con.execute("select count(*) from raw.events").fetchall()[0][0]
        rejects = con.execute("select count(*) from raw.rejects").fetchall()[0][0]
    assert unbalanced == []
    units, landed, rejected = landed_counts(database)
    assert (landed, rejected) == (events, rejects)
    assert (events, rejects) == expected_units(data)
    assert units == events + rejects


RAW_COLUMNS = {
    "events": "* exclude (load_id, loaded_at, received_at)",
    "rejects": "* exclude (load_id, rejected_at)",
    "loads": "* exclude (load_id, started_at, finished_at)",
}


def raw_tables(database: Path) -> dict[str, list[tuple]]:
    """The raw tables without what differs from load to load (ids and times)."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            table: con.execute(f"select {columns} from raw.{table} order by all").fetchall()
            for table, columns in RAW_COLUMNS.items()
        }


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_malformed_file_loads_and_accounts_for_every_unit(tmp_path: Path, name: str) -> None:
    data = CORPUS[name]
    fast, python = load_twice(tmp_path, name, data)
    assert_accounted(fast, data)
    assert_accounted(python, data)
    assert raw_tables(fast) == raw_tables(python)
    with duckdb.connect(str(fast), read_only=True) as con:
        nameless = con.execute(
            "select * from raw.rejects where reason is null or detail is null "
            "or (raw_text is null and raw_bytes is null and reason <> 'empty_file')"
        ).fetchall()
    assert nameless == []


def reasons(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select source_line, reason from raw.rejects order by source_line nulls first, reason"
        ).fetchall()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("truncated_json.ndjson", [(3, "invalid_json")]),
        ("latin1.ndjson", [(3, "invalid_utf8")]),
        (
            "nul_and_control_bytes.ndjson",
            [(3, "nul_byte"), (4, "control_character"), (5, "nul_byte")],
        ),
        ("gzip_garbage.ndjson.gz", [(None, "gzip_corrupt")]),
        ("gzip_trailing_bytes.ndjson.gz", [(None, "gzip_trailing_bytes")]),
        ("ten_megabytes.ndjson", [(2, "invalid_json")]),
        ("empty.ndjson", [(None, "empty_file")]),
        ("blank_lines.ndjson", [(None, "empty_file")]),
        ("deep_nesting.ndjson", [(1, "not_an_object"), (3, "invalid_json")]),
    ],
)
def test_each_bad_unit_is_kept_with_its_reason(tmp_path: Path, name: str, expected: list) -> None:
    fast, _ = load_twice(tmp_path, name, CORPUS[name])
    assert reasons(fast) == expected


def test_a_gzip_cut_short_keeps_the_lines_before_the_cut(tmp_path: Path) -> None:
    fast, _ = load_twice(tmp_path, "cut.ndjson.gz", CORPUS["gzip_cut_short.ndjson.gz"])
    found = reasons(fast)
    assert found[0] == (None, "gzip_truncated")
    events, _ = expected_units(CORPUS["gzip_cut_short.ndjson.gz"])
    assert events > 100
    with duckdb.connect(str(fast), read_only=True) as con:
        raw = con.execute("select raw_bytes from raw.rejects where source_line is null").fetchall()
    assert raw == [(CORPUS["gzip_cut_short.ndjson.gz"],)]


def test_the_deep_event_lands_whole(tmp_path: Path) -> None:
    fast, _ = load_twice(tmp_path, "deep.ndjson", CORPUS["deep_nesting.ndjson"])
    with duckdb.connect(str(fast), read_only=True) as con:
        (payload,) = con.execute(
            "select payload from raw.events where payload->>'$.event' = 'deep'"
        ).fetchall()[0]
    assert payload.count('{"a":') == DEEP


def test_the_ten_megabyte_event_lands_unchanged(tmp_path: Path) -> None:
    fast, _ = load_twice(tmp_path, "big.ndjson", CORPUS["ten_megabytes.ndjson"])
    with duckdb.connect(str(fast), read_only=True) as con:
        (payload,) = con.execute("select payload from raw.events").fetchall()[0]
    assert payload == json.dumps(event("big", blob="x" * TEN_MB))


def test_the_accounting_check_catches_a_lost_unit(tmp_path: Path) -> None:
    """Each check above can fail: a lost event, a count that disagrees with
    the bytes, and two paths that differ are all caught."""
    data = CORPUS["batches_with_bad_elements.ndjson"]
    fast, python = load_twice(tmp_path, "batches.ndjson", data)
    with pytest.raises(AssertionError):
        assert_accounted(fast, data + ndjson(event("never loaded")))
    with duckdb.connect(str(fast)) as con:
        con.execute("delete from raw.events where payload->>'$.event' = 'kept'")
    with pytest.raises(AssertionError):
        assert_accounted(fast, data)
    assert raw_tables(fast) != raw_tables(python)
