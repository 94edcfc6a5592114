-- The recommendation feed by day, ranking model version and position:
-- impressions, what users did with them, and the click-through rate with
-- its confidence interval. A click counts only when it matches an
-- impression (on feed request and item), so no rate can exceed 1; clicks
-- without one are counted apart as orphan_clicks.

with

outcomes as (
    select * from {{ ref('int_feed__impression_outcomes') }}
),

orphans as (
    select * from {{ ref('int_feed__orphan_clicks') }}
),

impression_counts as (
    select
        event_date,
        model_version,
        position,
        count(*) as impressions,
        sum(case when is_clicked then 1 else 0 end) as clicks,
        sum(case when is_saved then 1 else 0 end) as saves,
        sum(case when is_shared then 1 else 0 end) as shares,
        sum(case when is_reported then 1 else 0 end) as reports,
        sum(case when is_scrolled_past then 1 else 0 end) as scrolled_past
    from outcomes
    group by event_date, model_version, position
),

orphan_counts as (
    select
        event_date,
        model_version,
        position,
        count(*) as orphan_clicks
    from orphans
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
        coalesce(impression_counts.saves, 0) as saves,
        coalesce(impression_counts.shares, 0) as shares,
        coalesce(impression_counts.reports, 0) as reports,
        coalesce(impression_counts.scrolled_past, 0) as scrolled_past,
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
        cast(position as bigint) as position,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(saves as bigint) as saves,
        cast(shares as bigint) as shares,
        cast(reports as bigint) as reports,
        cast(scrolled_past as bigint) as scrolled_past,
        cast(orphan_clicks as bigint) as orphan_clicks,
        {{ safe_rate('clicks', 'impressions') }} as click_through_rate,
        {{ wilson_bound('clicks', 'impressions', 'lower') }}
            as click_through_rate_lower,
        {{ wilson_bound('clicks', 'impressions', 'upper') }}
            as click_through_rate_upper,
        {{ safe_rate('saves', 'impressions') }} as save_rate,
        {{ safe_rate('shares', 'impressions') }} as share_rate,
        {{ safe_rate('reports', 'impressions') }} as report_rate,
        {{ safe_rate('scrolled_past', 'impressions') }} as scroll_past_rate
    from combined
)

select * from final
