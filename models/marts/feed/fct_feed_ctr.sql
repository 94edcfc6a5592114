-- Click-through rate of the recommendation feed by day, ranking model
-- version and position. A click counts only when it matches an impression
-- (on feed request and item), so the rate can never exceed 1; unmatched
-- clicks are counted apart as orphan_clicks.

with

impressions as (
    select * from {{ ref('int_feed__impressions') }}
),

clicks as (
    select * from {{ ref('int_feed__clicks') }}
),

impressions_with_clicks as (
    select
        impressions.event_date,
        impressions.model_version,
        impressions.position,
        clicks.click_event_id is not null as is_clicked
    from impressions
    left join clicks
        on
            impressions.feed_request_id = clicks.feed_request_id
            and impressions.item_id = clicks.item_id
            and clicks.has_impression
),

impression_counts as (
    select
        event_date,
        model_version,
        position,
        count(*) as impressions,
        count_if(is_clicked) as clicks
    from impressions_with_clicks
    group by event_date, model_version, position
),

orphan_counts as (
    select
        event_date,
        model_version,
        position,
        count(*) as orphan_clicks
    from clicks
    where not has_impression
    group by event_date, model_version, position
),

combined as (
    select
        coalesce(impression_counts.event_date, orphan_counts.event_date)
            as event_date,
        coalesce(impression_counts.model_version, orphan_counts.model_version)
            as model_version,
        coalesce(impression_counts.position, orphan_counts.position)
            as position,
        coalesce(impression_counts.impressions, 0) as impressions,
        coalesce(impression_counts.clicks, 0) as clicks,
        coalesce(orphan_counts.orphan_clicks, 0) as orphan_clicks
    from impression_counts
    full outer join orphan_counts
        on
            impression_counts.event_date = orphan_counts.event_date
            and impression_counts.model_version = orphan_counts.model_version
            and impression_counts.position = orphan_counts.position
),

final as (
    select
        cast(event_date as date) as event_date,
        cast(model_version as string) as model_version,
        cast(position as integer) as position,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(orphan_clicks as bigint) as orphan_clicks,
        cast(
            case when impressions > 0 then clicks / impressions end as double
        ) as click_through_rate
    from combined
)

select * from final
