-- Every rate with a confidence interval lies within it, and the interval
-- within 0 and 1, whatever the rate's denominator (an expression such as
-- closed conversations included), up to the rounding of doubles (a bound
-- at 0 may come out as -1e-17). Returns the rows where either fails.

with

bounded as (
    select
        'fct_feed_ctr' as mart,
        click_through_rate as rate,
        click_through_rate_lower as rate_lower,
        click_through_rate_upper as rate_upper
    from {{ ref('fct_feed_ctr') }}
    union all
    select
        'fct_suggestion_funnel' as mart,
        acceptance_rate as rate,
        acceptance_rate_lower as rate_lower,
        acceptance_rate_upper as rate_upper
    from {{ ref('fct_suggestion_funnel') }}
    union all
    select
        'fct_chatbot_daily' as mart,
        resolution_rate as rate,
        resolution_rate_lower as rate_lower,
        resolution_rate_upper as rate_upper
    from {{ ref('fct_chatbot_daily') }}
)

select * from bounded
where
    rate is not null
    and (
        rate_lower < -1e-12
        or rate_upper > 1 + 1e-12
        or rate < rate_lower - 1e-12
        or rate > rate_upper + 1e-12
    )
