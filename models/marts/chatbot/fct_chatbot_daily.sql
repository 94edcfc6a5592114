-- The support chatbot by day of conversation start and model version: how
-- many conversations, how they ended, and what users thought of the
-- answers. resolution_rate divides by conversations with an outcome; open
-- conversations are counted apart.

with

conversations as (
    select * from {{ ref('int_chatbot__conversations') }}
),

counted as (
    select
        event_date,
        model_version,
        count(*) as conversations,
        sum(case when outcome = 'resolved' then 1 else 0 end) as resolved,
        sum(case when outcome = 'escalated' then 1 else 0 end) as escalated,
        sum(case when outcome = 'abandoned' then 1 else 0 end) as abandoned,
        sum(case when outcome = 'open' then 1 else 0 end) as open_conversations,
        sum(case when feedback_rating is not null then 1 else 0 end)
            as rated_conversations,
        sum(case when feedback_rating = 'thumbs_up' then 1 else 0 end)
            as positively_rated_conversations,
        sum(messages) as messages,
        avg(mean_intent_confidence) as mean_intent_confidence
    from conversations
    group by event_date, model_version
),

final as (
    select
        cast(event_date as date) as event_date,
        cast(model_version as string) as model_version,
        cast(conversations as bigint) as conversations,
        cast(resolved as bigint) as resolved,
        cast(escalated as bigint) as escalated,
        cast(abandoned as bigint) as abandoned,
        cast(open_conversations as bigint) as open_conversations,
        cast(conversations - open_conversations as bigint) as closed_conversations,
        {{ safe_rate('resolved', 'conversations - open_conversations') }}
            as resolution_rate,
        {{ wilson_bound('resolved', 'conversations - open_conversations', 'lower') }}
            as resolution_rate_lower,
        {{ wilson_bound('resolved', 'conversations - open_conversations', 'upper') }}
            as resolution_rate_upper,
        {{ safe_rate('escalated', 'conversations - open_conversations') }}
            as escalation_rate,
        {{ safe_rate('abandoned', 'conversations - open_conversations') }}
            as abandonment_rate,
        cast(rated_conversations as bigint) as rated_conversations,
        cast(positively_rated_conversations as bigint)
            as positively_rated_conversations,
        {{ safe_rate('positively_rated_conversations', 'rated_conversations') }}
            as positive_feedback_rate,
        cast(messages as bigint) as messages,
        cast(mean_intent_confidence as double) as mean_intent_confidence
    from counted
)

select * from final
