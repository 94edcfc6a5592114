-- One row per item impression: an item shown in a feed response, by a
-- person (bots are left out). An impression is identified by its feed
-- request and item, so a repeated impression event for the same pair counts
-- once; the earliest is kept. The same item shown to the same user in two
-- feed responses is two impressions.

with

events as (
    select * from {{ ref('int_events__sessionized') }}
    where
        event_name = 'item_impressed'
        and not is_bot
        and not is_dual_write_duplicate
),

ranked as (
    select
        *,
        row_number() over (
            partition by feed_request_id, item_id
            order by event_at, event_id
        ) as impression_rank
    from events
),

final as (
    select
        feed_request_id,
        item_id,
        position,
        model_version,
        coalesce(surface, '(unknown)') as surface,
        coalesce(platform, '(unknown)') as platform,
        actor_id,
        session_id,
        past_engagement_score,
        session_length,
        event_at as impressed_at,
        cast(event_at as date) as event_date,
        event_id as impression_event_id
    from ranked
    where impression_rank = 1
)

select * from final
