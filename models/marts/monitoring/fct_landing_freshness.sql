-- How current the raw landing is, per tracker protocol: the latest load and
-- receive times and what has landed. Ages are left to the reader (the
-- dashboard computes them when it renders), so a rebuild gives the same
-- rows.

with

landed as (
    select * from {{ source('raw', 'events') }}
),

final as (
    select
        cast(source_protocol as string) as source_protocol,
        cast(max(loaded_at) as timestamp) as last_loaded_at,
        cast(max(received_at) as timestamp) as last_received_at,
        cast(count(*) as bigint) as events_landed,
        cast(count(distinct load_id) as bigint) as loads
    from landed
    group by source_protocol
)

select * from final
