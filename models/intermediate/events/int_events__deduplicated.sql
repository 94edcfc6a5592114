-- Every distinct event, once: the staged events of all four trackers,
-- deduplicated on the protocol's event id (Segment and RudderStack
-- messageId, Snowplow eid, Amplitude insert_id or an export's uuid; a hash
-- of the payload when the tracker sent none). Retries and overlapping
-- exports land the same id more than once; the copy kept is the first
-- received, then the first loaded, then the first in its file, so the
-- choice never depends on the order rows are read in.

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
    from staged
),

deduplicated as (
    select
        {{ conformed_event_columns() | join(',\n        ') }}
    from ranked
    where copy_rank = 1
)

select * from deduplicated
