-- What users did with feed items, one row per feed request, item and kind
-- of action (click, save, share, report, scroll past), the first time they
-- did it. Bots are left out.

with

events as (
    select * from {{ ref('int_events__sessionized') }}
    where
        event_name in (
            'item_clicked',
            'item_saved',
            'item_shared',
            'item_reported',
            'feed_scrolled_past'
        )
        and not is_bot
        and not is_dual_write_duplicate
),

ranked as (
    select
        *,
        row_number() over (
            partition by feed_request_id, item_id, event_name
            order by event_at, event_id
        ) as action_rank
    from events
),

final as (
    select
        feed_request_id,
        item_id,
        case event_name
            when 'item_clicked' then 'click'
            when 'item_saved' then 'save'
            when 'item_shared' then 'share'
            when 'item_reported' then 'report'
            when 'feed_scrolled_past' then 'scroll_past'
        end as action,
        position,
        model_version,
        event_at as acted_at,
        cast(event_at as date) as event_date,
        event_id as action_event_id
    from ranked
    where action_rank = 1
)

select * from final
