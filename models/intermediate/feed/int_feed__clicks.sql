-- One row per clicked feed item, matched to the impression it came from on
-- feed request and item. A click with no impression is kept and marked as
-- an orphan: it is counted apart and never raises the click-through rate.

with

events as (
    select * from {{ ref('stg_segment__events') }}
    where event_name = 'item_clicked'
),

impressions as (
    select * from {{ ref('int_feed__impressions') }}
),

typed as (
    select
        event_id,
        {{ json_text('properties', '$.feed_request_id') }} as feed_request_id,
        {{ json_text('properties', '$.item_id') }} as item_id,
        cast({{ json_text('properties', '$.position') }} as integer) as position,
        {{ json_text('properties', '$.model_version') }} as model_version,
        event_at
    from events
),

ranked as (
    select
        *,
        row_number() over (
            partition by feed_request_id, item_id
            order by event_at, event_id
        ) as click_rank
    from typed
),

first_clicks as (
    select * from ranked
    where click_rank = 1
),

matched as (
    select
        first_clicks.feed_request_id,
        first_clicks.item_id,
        first_clicks.event_id as click_event_id,
        first_clicks.event_at as clicked_at,
        impressions.impression_event_id is not null as has_impression,
        -- An orphan click is reported on its own day, model and position.
        coalesce(impressions.event_date, cast(first_clicks.event_at as date))
            as event_date,
        coalesce(impressions.model_version, first_clicks.model_version)
            as model_version,
        coalesce(impressions.position, first_clicks.position) as position
    from first_clicks
    left join impressions
        on
            first_clicks.feed_request_id = impressions.feed_request_id
            and first_clicks.item_id = impressions.item_id
)

select * from matched
