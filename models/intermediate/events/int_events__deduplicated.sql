-- Every distinct event, once: the staged events of all four trackers,
-- deduplicated on the protocol's event id (Segment and RudderStack
-- messageId, Snowplow eid, Amplitude insert_id or an export's uuid; a hash
-- of the payload when the tracker sent none). Retries and overlapping
-- exports land the same id more than once, across loads; the copy kept is
-- the first received, then the first loaded, then the first in its file,
-- so the choice never depends on the order rows are read in.
--
-- Incremental: newly loaded copies are ranked together with the copy
-- already kept for the same id, so the result equals a full rebuild.

{{ config(
    materialized=event_model_materialization(),
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{%- set columns = conformed_event_columns() %}

with

staged as (
    select * from {{ ref('stg_segment__events') }}
    union all
    select * from {{ ref('stg_rudderstack__events') }}
    union all
    select * from {{ ref('stg_snowplow__events') }}
    union all
    select * from {{ ref('stg_amplitude__events') }}
),

arrived as (
    select * from staged
    {% if is_incremental() -%}
    where loaded_at >= {{ incremental_since() }}
    {%- endif %}
),

candidates as (
    select
        {{ column_list(columns) }}
    from arrived
    {% if is_incremental() -%}
    union all
    select
        {{ column_list(columns) }}
    from {{ this }}
    where event_id in (select arrived.event_id from arrived)
    {%- endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_id
            order by
                received_at asc nulls last,
                loaded_at asc,
                load_id asc,
                source_file asc,
                source_line asc,
                source_index asc
        ) as copy_rank
    from candidates
),

deduplicated as (
    select
        {{ column_list(columns) }},
        {{ taxonomy_fingerprint_column() }}
    from ranked
    where copy_rank = 1
)

select * from deduplicated
