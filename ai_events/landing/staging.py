"""Lines to events, in DuckDB: the SQL half of the loader.

Both ways of reading a file end in the same temp table `_lines`: DuckDB
reads a plain file from disk itself (`stage_file`, the fast path), or the
loader hands it text it decoded in Python (`stage_text`, for gzip, zip
members, byte-order marks and bytes that are not UTF-8). Everything after
that is the same SQL, so both ways give the same raw rows.

The steps, each a temp table of the load's transaction:

- `_lines`: non-blank lines, numbered from 1, a trailing CR removed (a
  pretty-printed JSON file is one line);
- `_units`: one document per line; a collector record is unwrapped into its
  request body, the request's metadata and its receive time;
- `_docs`, `_items`, `_classified`, `_split`: documents recognised and
  batches split into events (see `formats.py`);
- `_split` (where `is_object`) and `_sql_rejects`: what lands in
  `raw.events` and `raw.rejects`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qsl

import duckdb
import pandas as pd

from ai_events.landing import formats
from ai_events.landing.reading import MAX_LINE_BYTES

log = logging.getLogger(__name__)

# Marker key of a request record written by `ai-events collect`.
COLLECTOR_MARKER = "ai_events_request"
_RECORD_PREFIX = '{"' + COLLECTOR_MARKER + '"'
# ASCII whitespace that makes a line blank, as Python's bytes.strip() sees it.
_BLANK = "' ' || chr(9) || chr(13) || chr(11) || chr(12)"
_CONTROL_CLASS = r"[\x01-\x08\x0b\x0c\x0e-\x1f]"


# `_lines` from a text value: split on LF, numbered from 1, blank lines
# dropped, one trailing CR cut.
_LINES_SQL = f"""
create or replace temp table _lines as
select
    source_line,
    case when ends_with(line, chr(13)) then left(line, -1) else line end as line
from (
    select generate_subscripts(parts, 1) as source_line, unnest(parts) as line
    from (select string_split(content, chr(10)) as parts from ({{source}}))
)
where strlen(line) > 0 and (ascii(line) > 32 or trim(line, {_BLANK}) <> '')
"""


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, expected_bytes: int) -> bool:
    """Let DuckDB read a plain file into `_lines` itself (the fast path).

    Returns False, staging nothing, when the file is not valid UTF-8, has a
    line too long to parse, or no longer has the size whose hash was taken
    (the collector renames finished files and never writes them again); the
    caller then reads it in Python.
    """
    size = con.execute("select size from read_text(?)", [str(path)]).fetchall()[0][0]
    if size != expected_bytes:
        log.debug("%s: %d bytes now, %d hashed; reading it in Python", path, size, expected_bytes)
        return False
    try:
        con.execute(_LINES_SQL.format(source="select content from read_text(?)"), [str(path)])
    except duckdb.InvalidInputException as error:
        log.debug("%s: DuckDB cannot read it as text (%s); reading it in Python", path, error)
        return False
    longest = con.execute("select coalesce(max(strlen(line)), 0) from _lines").fetchall()[0][0]
    if longest > MAX_LINE_BYTES:
        log.debug("%s: a line of %d bytes; reading it in Python", path, longest)
        con.execute("drop table _lines")
        return False
    return True


def stage_text(con: duckdb.DuckDBPyConnection, text: str) -> None:
    """Hand text decoded in Python to DuckDB as `_lines`."""
    con.execute(_LINES_SQL.format(source="select ?::varchar as content"), [text])


def merge_whole_document(con: duckdb.DuckDBPyConnection) -> None:
    """A pretty-printed JSON file (its first line alone is not JSON, the whole
    is) becomes one line of `_lines`: one document, numbered by its first line.
    """
    first = con.execute(
        "select count(*), not json_valid(min_by(line, source_line)) from _lines"
    ).fetchall()[0]
    if first[0] < 2 or not first[1]:
        return
    joined = con.execute(
        "select json_valid(string_agg(line, chr(10) order by source_line)) from _lines"
    ).fetchall()[0][0]
    if joined:
        con.execute(
            "create or replace temp table _lines as "
            "select min(source_line) as source_line, "
            "string_agg(line, chr(10) order by source_line) as line from _lines"
        )


def build_units(con: duckdb.DuckDBPyConnection) -> None:
    """`_units` (documents with their request metadata) and `_record_rejects`.

    A collector record whose body could not be decoded becomes a reject
    with the body's bytes; a Snowplow GET record's query string becomes a
    JSON object of its parameters, values as sent.
    """
    con.execute(
        f"""
        create or replace temp table _records as
        select
            source_line,
            line,
            try(json_type(line, ['$.{COLLECTOR_MARKER}', '$.body', '$.received_at'])) as types
        from _lines
        where starts_with(line, '{_RECORD_PREFIX}');

        create or replace temp table _requests as
        select
            source_line,
            line,
            fields[1]::json as request,
            fields[2] as method,
            fields[3] as body,
            fields[4] as body_encoding,
            timezone('UTC', try_cast(fields[5] as timestamptz)) as received_at,
            fields[6] as hint,
            fields[7] as rejected,
            fields[8] as rejected_detail
        from (
            select
                source_line,
                line,
                json_extract_string(line, [
                    '$.{COLLECTOR_MARKER}', '$.{COLLECTOR_MARKER}.method', '$.body',
                    '$.body_encoding', '$.received_at', '$.{COLLECTOR_MARKER}.format',
                    '$.{COLLECTOR_MARKER}.rejected', '$.{COLLECTOR_MARKER}.detail'
                ]) as fields
            from _records
            where types = ['OBJECT', 'VARCHAR', 'VARCHAR']
        )
        """
    )
    gets = con.execute(
        "select source_line, body from _requests where method = 'GET' and body_encoding is null"
    ).fetchall()
    query_docs = pd.DataFrame(
        {
            "source_line": pd.Series([line for line, _ in gets], dtype="int64"),
            "text": pd.Series([query_string_document(body) for _, body in gets], dtype="object"),
        }
    )
    con.register("_query_docs_frame", query_docs)
    try:
        con.execute(
            "create or replace temp table _query_docs as "
            "select source_line, text::varchar as text from _query_docs_frame"
        )
    finally:
        con.unregister("_query_docs_frame")
    con.execute(
        f"""
        create or replace temp view _units as
        select
            source_line,
            null::timestamp as received_at,
            null::json as request,
            null::varchar as hint,
            line as text
        from _lines
        where not starts_with(line, '{_RECORD_PREFIX}')
        union all
        select
            r.source_line,
            r.received_at,
            r.request,
            r.hint,
            coalesce(q.text, r.body) as text
        from _requests as r
        left join _query_docs as q on q.source_line = r.source_line
        where r.body_encoding is null and r.received_at is not null;

        create or replace temp table _record_rejects as
        select
            source_line,
            'invalid_collector_record' as reason,
            'a line that starts like a collector record but lacks its request, '
                || 'body or received_at' as detail,
            line as raw_text,
            null::blob as raw_bytes
        from _records
        where types is distinct from ['OBJECT', 'VARCHAR', 'VARCHAR']
        union all
        select
            source_line,
            'invalid_collector_record',
            'the record''s received_at is not a timestamp',
            line,
            null
        from _requests
        where received_at is null
        union all
        select
            source_line,
            coalesce(rejected, 'undecodable_body'),
            coalesce(rejected_detail, 'the collector could not decode this body'),
            line,
            try(from_base64(body))
        from _requests
        where body_encoding is not null and received_at is not null;

        drop table _records;
        """
    )


def query_string_document(query: str) -> str:
    """A GET pixel's query string as a JSON object, values as sent (the last
    value of a repeated parameter wins, as in a Snowplow collector)."""
    return json.dumps(dict(parse_qsl(query, keep_blank_values=True)), ensure_ascii=False)


def split_sql(format_choice: str) -> str:
    """SQL over `_units` that fills `_events` and `_sql_rejects`.

    Each document is parsed as few times as possible: its type once, the
    keys detection needs once (`formats.probe_sql`), a batch's elements once.
    """
    detect = formats.detect_expression(format_choice)
    if format_choice == "auto":
        unrecognised = "no tracker format matches this document''s keys"
    else:
        unrecognised = (
            f"not in the {format_choice} format that --format asked for "
            "(--format auto recognises each document)"
        ).replace("'", "''")
    return f"""
create or replace temp table _docs as
select *, try(json_type(text)) as doc_type
from _units;

drop view _units;
drop table _requests;
drop table _query_docs;

create or replace temp table _items as
select source_line, received_at, request, hint, false as in_array, 0 as item_index,
    'OBJECT' as item_type, text as doc
from _docs
where doc_type = 'OBJECT'
union all
select source_line, received_at, request, hint, true, item_index, json_type(doc), doc::varchar
from (
    select source_line, received_at, request, hint,
        generate_subscripts(elements, 1) - 1 as item_index,
        unnest(elements) as doc
    from (
        select *, json_extract(text, '$[*]') as elements
        from _docs
        where doc_type = 'ARRAY'
    )
);

create or replace temp table _classified as
with hinted as (
    select * exclude (hint), hint as format
    from _items
    where item_type = 'OBJECT' and hint is not null
),
probed as (
    select *, {formats.probe_sql()}
    from _items
    where item_type = 'OBJECT' and hint is null
),
unhinted as (
    select * exclude (hint, probe, texts), {detect} as format
    from probed
),
not_objects as (
    select * exclude (hint), null::varchar as format
    from _items
    where item_type <> 'OBJECT'
),
detected as (
    select * from hinted
    union all by name
    select * from unhinted
    union all by name
    select * from not_objects
)
select *, {formats.events_key_case()} as events_key
from detected;

drop table _items;

create or replace temp table _batches as
select source_line, received_at, request, in_array, item_index, format, events_key,
    json_merge_patch(doc, json_object(events_key, null)) as envelope,
    {formats.elements_case()} as elements
from _classified
where events_key is not null;

create or replace temp table _split as
with singles as (
    select source_line, in_array, item_index, 0 as event_index, received_at, request,
        format, null::json as envelope, doc::json as payload, true as is_object
    from _classified
    where format is not null and events_key is null
),
batch_events as (
    select source_line, in_array, item_index, event_index,
        received_at, request, format, envelope, payload,
        starts_with(payload::varchar, '{{') as is_object
    from (
        select *,
            generate_subscripts(elements, 1) - 1 as event_index,
            unnest(elements) as payload
        from _batches
    )
),
unsplit as (
    select * from singles
    union all by name
    select * from batch_events
)
-- The position of an event in its line: a batch's elements in order; the
-- elements of a JSON array (and the events of batches in it) numbered
-- across the array.
select *, event_index as source_index
from unsplit
where not in_array
union all
select *,
    row_number() over (partition by source_line order by item_index, event_index) - 1
from unsplit
where in_array;

create or replace temp table _sql_rejects as
with unparsed as (
    select source_line, text,
        case
            when contains(text, chr(0)) then chr(0)
            else nullif(regexp_extract(text, '{_CONTROL_CLASS}'), '')
        end as control
    from _docs
    where doc_type is null
)
select source_line, null::bigint as source_index,
    case
        when control = chr(0) then 'nul_byte'
        when control is not null then 'control_character'
        else 'invalid_json'
    end as reason,
    case
        when control is null then 'not valid JSON'
        else printf(
            'raw control byte 0x%02x at byte %d',
            ascii(control), strlen(left(text, instr(text, control) - 1))
        )
    end as detail,
    text as raw_text,
    case when control is not null then encode(text) end as raw_bytes
from unparsed
union all
select source_line, null, 'not_an_object',
    'a JSON ' || lower(doc_type) || ' where an object or array was expected', text, null
from _docs
where doc_type not in ('OBJECT', 'ARRAY')
union all
select source_line, null, 'empty_array', 'a JSON array with no elements', text, null
from _docs
where doc_type = 'ARRAY' and json_array_length(text) = 0
union all
select source_line, item_index, 'not_an_object',
    'array element is a JSON ' || lower(item_type), doc::varchar, null
from _classified
where item_type <> 'OBJECT'
union all
select source_line, source_index, 'not_an_object',
    'batch element is a JSON ' || lower(json_type(payload)), payload::varchar, null
from _split
where not is_object
union all
select source_line, item_index, 'unrecognised_shape',
    '{unrecognised}', doc::varchar, null
from _classified
where item_type = 'OBJECT' and format is null
union all
select b.source_line, b.item_index, 'empty_batch',
    'the batch holds no events under "' || b.events_key || '"', c.doc::varchar, null
from _batches as b
join _classified as c using (source_line, item_index)
where coalesce(len(b.elements), 0) = 0;
"""


# Units counted from the documents, apart from the tables that land them:
# the loader checks that every unit became exactly one event or reject.
UNITS_SQL = """
select
    (select count(*) from _docs where doc_type is null or doc_type not in ('OBJECT', 'ARRAY'))
    + (select count(*) from _docs where doc_type = 'ARRAY' and json_array_length(text) = 0)
    + (select count(*) from _classified where events_key is null)
    + (select coalesce(sum(greatest(coalesce(len(elements), 0), 1)), 0) from _batches)
"""
