-- One row per item impression: an item shown in a feed response. An
-- impression is identified by its feed request and item, so a retried or
-- repeated impression event for the same pair counts once; the earliest
-- event is kept.

with

events as (
    select * from {{ ref('stg_segment__events') }}
    where event_name = 'item_impressed'
),

typed as (
    select
        event_id,
        {{ json_text('properties', '$.feed_request_id') }} as feed_request_id,
        {{ json_text('properties', '$.item_id') }} as item_id,
        cast({{ json_text('properties', '$.position') }} as integer) as position,
        {{ json_text('properties', '$.model_version') }} as model_version,
        coalesce(user_id, anonymous_id) as actor_id,
        event_at
    from events
),

ranked as (
    select
        *,
        row_number() over (
            partition by feed_request_id, item_id
            order by event_at, event_id
        ) as impression_rank
    from typed
),

deduplicated as (
    select * from ranked
    where impression_rank = 1
),

final as (
    select
        feed_request_id,
        item_id,
        position,
        model_version,
        actor_id,
        event_at as impressed_at,
        cast(event_at as date) as event_date,
        event_id as impression_event_id
    from deduplicated
)

select * from final
