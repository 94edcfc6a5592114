-- The AI writing suggestion funnel by day shown, platform and model
-- version: shown, accepted, edited after acceptance, dismissed, with the
-- rates and the time to accept.

with

suggestions as (
    select * from {{ ref('int_compose__suggestions') }}
),

counted as (
    select
        event_date,
        platform,
        model_version,
        count(*) as suggestions_shown,
        sum(case when is_accepted then 1 else 0 end) as suggestions_accepted,
        sum(case when is_edited then 1 else 0 end) as suggestions_edited,
        sum(case when is_dismissed then 1 else 0 end) as suggestions_dismissed,
        sum(seconds_to_accept) as total_seconds_to_accept,
        median(seconds_to_accept) as median_seconds_to_accept
    from suggestions
    group by event_date, platform, model_version
),

final as (
    select
        cast(event_date as date) as event_date,
        cast(platform as string) as platform,
        cast(model_version as string) as model_version,
        cast(suggestions_shown as bigint) as suggestions_shown,
        cast(suggestions_accepted as bigint) as suggestions_accepted,
        cast(suggestions_edited as bigint) as suggestions_edited,
        cast(suggestions_dismissed as bigint) as suggestions_dismissed,
        {{ safe_rate('suggestions_accepted', 'suggestions_shown') }}
            as acceptance_rate,
        {{ wilson_bound('suggestions_accepted', 'suggestions_shown', 'lower') }}
            as acceptance_rate_lower,
        {{ wilson_bound('suggestions_accepted', 'suggestions_shown', 'upper') }}
            as acceptance_rate_upper,
        {{ safe_rate('suggestions_edited', 'suggestions_accepted') }} as edit_rate,
        {{ safe_rate('suggestions_dismissed', 'suggestions_shown') }}
            as dismissal_rate,
        cast(total_seconds_to_accept as double) as total_seconds_to_accept,
        {{ safe_rate('total_seconds_to_accept', 'suggestions_accepted') }}
            as mean_seconds_to_accept,
        cast(median_seconds_to_accept as double) as median_seconds_to_accept
    from counted
)

select * from final
