-- Every impression with what came of it: whether the item was clicked,
-- saved, shared, reported or scrolled past, matched on feed request and
-- item. Each flag counts the impression once however often the action
-- repeats, so no rate can exceed 1.

with

impressions as (
    select * from {{ ref('int_feed__impressions') }}
),

actions as (
    select * from {{ ref('int_feed__item_actions') }}
),

action_flags as (
    select
        feed_request_id,
        item_id,
        max(case when action = 'click' then acted_at end) as clicked_at,
        max(case when action = 'save' then 1 else 0 end) as is_saved,
        max(case when action = 'share' then 1 else 0 end) as is_shared,
        max(case when action = 'report' then 1 else 0 end) as is_reported,
        max(case when action = 'scroll_past' then 1 else 0 end) as is_scrolled_past
    from actions
    group by feed_request_id, item_id
),

final as (
    select
        impressions.*,
        action_flags.clicked_at,
        action_flags.clicked_at is not null as is_clicked,
        coalesce(action_flags.is_saved, 0) = 1 as is_saved,
        coalesce(action_flags.is_shared, 0) = 1 as is_shared,
        coalesce(action_flags.is_reported, 0) = 1 as is_reported,
        coalesce(action_flags.is_scrolled_past, 0) = 1 as is_scrolled_past
    from impressions
    left join action_flags
        on
            impressions.feed_request_id = action_flags.feed_request_id
            and impressions.item_id = action_flags.item_id
)

select * from final
