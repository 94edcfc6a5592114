-- Writing-suggestion acceptance by platform and model version over the last
-- seven complete days: accepted over shown and edited over accepted, as
-- ratios of the summed counts, never averages of the daily rates.

select
    platform,
    model_version,
    sum(suggestions_shown) as suggestions_shown,
    sum(suggestions_accepted) as suggestions_accepted,
    sum(suggestions_edited) as suggestions_edited,
    sum(suggestions_accepted) / nullif(sum(suggestions_shown), 0)
        as acceptance_rate,
    sum(suggestions_edited) / nullif(sum(suggestions_accepted), 0) as edit_rate
from {{ ref('fct_suggestion_funnel') }}
where
    event_date >= current_date - 7
    and event_date < current_date
group by platform, model_version
order by platform, model_version
