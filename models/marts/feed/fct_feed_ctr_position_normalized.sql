-- Ranking model versions compared fairly, by day: a model that places items
-- higher gets more clicks from position alone. For each model version this
-- sets its clicks against the clicks its impressions would have earned at
-- the day's click-through rate of each position, pooled across versions
-- (clicks over expected clicks). Above 1, the model's placements earn more
-- clicks than their positions explain.

with

cells as (
    select * from {{ ref('fct_feed_ctr') }}
),

position_baseline as (
    select
        event_date,
        position,
        {{ safe_rate('sum(clicks)', 'sum(impressions)') }}
            as baseline_click_through_rate
    from cells
    group by event_date, position
),

day_baseline as (
    select
        event_date,
        {{ safe_rate('sum(clicks)', 'sum(impressions)') }} as day_click_through_rate
    from cells
    group by event_date
),

expected as (
    select
        cells.event_date,
        cells.model_version,
        sum(cells.impressions) as impressions,
        sum(cells.clicks) as clicks,
        sum(
            cells.impressions
            * coalesce(position_baseline.baseline_click_through_rate, 0)
        ) as expected_clicks,
        sum(cells.impressions * cells.position) as position_weight
    from cells
    inner join position_baseline
        on
            cells.event_date = position_baseline.event_date
            and cells.position = position_baseline.position
    where cells.impressions > 0
    group by cells.event_date, cells.model_version
),

final as (
    select
        cast(expected.event_date as date) as event_date,
        cast(expected.model_version as string) as model_version,
        cast(expected.impressions as bigint) as impressions,
        cast(expected.clicks as bigint) as clicks,
        cast(expected.expected_clicks as double) as expected_clicks,
        {{ safe_rate('expected.clicks', 'expected.expected_clicks') }}
            as clicks_over_expected_clicks,
        cast(
            {{ safe_rate('expected.clicks', 'expected.expected_clicks') }}
            * day_baseline.day_click_through_rate as double
        ) as position_normalized_click_through_rate,
        {{ safe_rate('expected.clicks', 'expected.impressions') }}
            as click_through_rate,
        cast(expected.position_weight as double) / expected.impressions
            as mean_position
    from expected
    inner join day_baseline
        on expected.event_date = day_baseline.event_date
)

select * from final
