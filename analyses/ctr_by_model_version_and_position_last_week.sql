-- Click-through rate by ranking model version and position over the last
-- seven complete days: a ratio of sums over the days, never an average of
-- the daily rates.

select
    model_version,
    position,
    sum(impressions) as impressions,
    sum(clicks) as clicks,
    sum(clicks) / nullif(sum(impressions), 0) as click_through_rate
from {{ ref('fct_feed_ctr') }}
where
    event_date >= current_date - 7
    and event_date < current_date
group by model_version, position
order by model_version, position
