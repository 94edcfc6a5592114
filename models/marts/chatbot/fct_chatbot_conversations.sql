-- One row per support conversation: when it started and ended, its
-- messages, intents and their mean confidence, the answering model, the
-- user's feedback and the outcome (resolved, escalated, abandoned, or open
-- while it may still continue).

with

conversations as (
    select * from {{ ref('int_chatbot__conversations') }}
),

final as (
    select
        cast(conversation_id as string) as conversation_id,
        cast(actor_id as string) as actor_id,
        cast(event_date as date) as event_date,
        cast(started_at as timestamp) as started_at,
        cast(ended_at as timestamp) as ended_at,
        cast(last_activity_at as timestamp) as last_activity_at,
        cast(has_start_event as boolean) as has_start_event,
        cast(model_version as string) as model_version,
        cast(platform as string) as platform,
        cast(messages as bigint) as messages,
        cast(user_messages as bigint) as user_messages,
        cast(intents_classified as bigint) as intents_classified,
        cast(distinct_intents as bigint) as distinct_intents,
        cast(first_intent as string) as first_intent,
        cast(mean_intent_confidence as double) as mean_intent_confidence,
        cast(answers as bigint) as answers,
        cast(feedback_rating as string) as feedback_rating,
        cast(outcome as string) as outcome,
        cast(is_outcome_inferred as boolean) as is_outcome_inferred
    from conversations
)

select * from final
