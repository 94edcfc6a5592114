-- Clicks that match no impression (on feed request and item): the
-- impression event was lost (an ad blocker, a crash, a sampling bug). They
-- are counted apart and never raise a click-through rate.

with

clicks as (
    select * from {{ ref('int_feed__item_actions') }}
    where action = 'click'
),

impressions as (
    select * from {{ ref('int_feed__impressions') }}
),

final as (
    select
        clicks.feed_request_id,
        clicks.item_id,
        clicks.event_date,
        clicks.model_version,
        clicks.position,
        clicks.acted_at as clicked_at,
        clicks.action_event_id as click_event_id
    from clicks
    left join impressions
        on
            clicks.feed_request_id = impressions.feed_request_id
            and clicks.item_id = impressions.item_id
    where impressions.impression_event_id is null
)

select * from final
