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
