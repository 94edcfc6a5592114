-- How resolution varies with the intent classifier's confidence: closed
-- conversations by day, model version and bucket of their mean intent
-- confidence (var confidence_bucket_width wide). A well-calibrated
-- classifier resolves more of the conversations it is sure about.
-- Conversations with no classified intent are left out.

{%- set width = var('confidence_bucket_width') %}

with

conversations as (
    select * from {{ ref('int_chatbot__conversations') }}
    where outcome <> 'open' and mean_intent_confidence is not null
),

bucketed as (
    select
        *,
        least(
            -- A hair's tolerance, so that 0.6 / 0.1 = 5.999... still opens
            -- the 0.6 bucket.
            floor(mean_intent_confidence / {{ width }} + 1e-9) * {{ width }},
            1 - {{ width }}
        ) as confidence_bucket_lower
    from conversations
),

final as (
    select
        cast(event_date as date) as event_date,
        cast(model_version as string) as model_version,
        cast(round(confidence_bucket_lower, 6) as double) as confidence_bucket_lower,
        cast(round(confidence_bucket_lower + {{ width }}, 6) as double)
            as confidence_bucket_upper,
        cast(count(*) as bigint) as closed_conversations,
        cast(sum(case when outcome = 'resolved' then 1 else 0 end) as bigint)
            as resolved,
        {{ safe_rate(
            "sum(case when outcome = 'resolved' then 1 else 0 end)", 'count(*)'
        ) }} as resolution_rate,
        cast(avg(mean_intent_confidence) as double) as mean_intent_confidence
    from bucketed
    group by event_date, model_version, confidence_bucket_lower
)

select * from final
