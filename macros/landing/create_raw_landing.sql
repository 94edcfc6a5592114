{#
    The raw landing tables, created empty when missing so that a plain
    `dbt build` works on a new warehouse. The loader (ai_events/landing/
    schema.py) declares the same tables; a Python test keeps both identical.
#}
{% macro create_raw_landing() %}
    {{ return(adapter.dispatch('create_raw_landing', 'ai_events')()) }}
{% endmacro %}

{% macro default__create_raw_landing() %}
    create schema if not exists raw;

    create table if not exists raw.loads (
        load_id varchar not null primary key,
        source_file varchar not null,
        content_sha256 varchar not null,
        source_bytes bigint not null,
        detected_format varchar,
        lines_read bigint not null,
        events_landed bigint not null,
        items_rejected bigint not null,
        started_at timestamp not null,
        finished_at timestamp not null
    );

    create table if not exists raw.events (
        load_id varchar not null,
        source_protocol varchar not null,
        source_format varchar not null,
        source_file varchar not null,
        source_line bigint not null,
        source_index bigint not null,
        received_at timestamp not null,
        loaded_at timestamp not null,
        envelope json,
        request json,
        payload json not null
    );

    create table if not exists raw.rejects (
        load_id varchar not null,
        source_file varchar not null,
        source_line bigint,
        source_index bigint,
        reason varchar not null,
        detail varchar,
        raw_text varchar,
        raw_bytes blob,
        rejected_at timestamp not null
    );
{% endmacro %}

{#
    Spark: the raw tables are the Parquet folders that
    `ai_events.spark_landing` writes from the loader's DuckDB tables, one
    per table under raw/ in the Spark warehouse folder
    ($AI_EVENTS_SPARK_DIR). Spark resolves a relative location against the
    warehouse folder (a schema's) and the schema's folder (a table's), so
    the schema is placed at raw/ and each table at raw/<table>. Registering
    is idempotent, and tables that already exist (say, made by an ingestion
    job on a cluster) are left alone; a folder still missing reads as an
    empty table. JSON columns are strings here, and timestamps are instants
    shown in the session's zone (UTC). Spark runs one statement per query.
#}
{% macro spark__create_raw_landing() %}
    {%- set tables = {
        'loads': [
            'load_id string',
            'source_file string',
            'content_sha256 string',
            'source_bytes bigint',
            'detected_format string',
            'lines_read bigint',
            'events_landed bigint',
            'items_rejected bigint',
            'started_at timestamp',
            'finished_at timestamp',
        ],
        'events': [
            'load_id string',
            'source_protocol string',
            'source_format string',
            'source_file string',
            'source_line bigint',
            'source_index bigint',
            'received_at timestamp',
            'loaded_at timestamp',
            'envelope string',
            'request string',
            'payload string',
        ],
        'rejects': [
            'load_id string',
            'source_file string',
            'source_line bigint',
            'source_index bigint',
            'reason string',
            'detail string',
            'raw_text string',
            'raw_bytes binary',
            'rejected_at timestamp',
        ],
    } -%}
    {%- if execute -%}
        {%- do run_query("create schema if not exists raw location 'raw'") -%}
        {%- for name, columns in tables.items() -%}
            {%- do run_query(
                'create table if not exists raw.' ~ name
                ~ ' (' ~ columns | join(', ') ~ ')'
                ~ " using parquet location '" ~ name ~ "'"
            ) -%}
            {%- do run_query('refresh table raw.' ~ name) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
