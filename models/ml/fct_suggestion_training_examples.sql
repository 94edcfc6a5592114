-- Training data for the writing suggester, kept apart from product
-- analytics: one row per suggestion shown, with what was known when it was
-- shown (platform, model, length, latency, the user's engagement and session
-- context). The label is an acceptance within
-- var ml_accept_label_window_minutes; nothing else is taken from after the
-- suggestion was shown.

{%- set window_us = var('ml_accept_label_window_minutes') * 60 * 1000000 %}

with

suggestions as (
    select * from {{ ref('int_compose__suggestions') }}
),

final as (
    select
        cast(suggestion_id as string) as suggestion_id,
        cast(actor_id as string) as actor_id,
        cast(shown_at as timestamp) as shown_at,
        cast(event_date as date) as event_date,
        cast(platform as string) as platform,
        cast(model_version as string) as model_version,
        cast(suggestion_length as bigint) as suggestion_length,
        cast(latency_ms as bigint) as latency_ms,
        cast(past_engagement_score as double) as past_engagement_score,
        cast(session_length as bigint) as session_length,
        coalesce(
            accepted_at is not null
            and {{ epoch_microseconds('accepted_at') }}
            - {{ epoch_microseconds('shown_at') }} <= {{ window_us }},
            false
        ) as is_accepted_within_window
    from suggestions
)

select * from final
