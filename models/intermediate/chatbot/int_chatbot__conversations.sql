-- One row per support conversation, from its start to its outcome. The
-- outcome is the conversation_ended event's; a conversation without one is
-- abandoned once var chatbot_abandon_idle_minutes pass without an event
-- (measured against the latest event in the warehouse, so a rebuild gives
-- the same answer), and open until then. A conversation known only from
-- later events (its start event lost) starts at its first event.

{%- set idle_us = var('chatbot_abandon_idle_minutes') * 60 * 1000000 %}

with

events as (
    select * from {{ ref('int_events__sessionized') }}
    where
        conversation_id is not null
        and event_name in (
            'conversation_started',
            'message_sent',
            'intent_classified',
            'answer_retrieved',
            'feedback_given',
            'conversation_ended'
        )
        and not is_bot
        and not is_dual_write_duplicate
),

clock as (
    select max(event_at) as as_of
    from {{ ref('int_events__sessionized') }}
),

ordered as (
    select
        *,
        row_number() over (
            partition by conversation_id, event_name order by event_at, event_id
        ) as first_of_kind,
        row_number() over (
            partition by conversation_id, event_name
            order by event_at desc, event_id desc
        ) as last_of_kind
    from events
),

summarised as (
    select
        conversation_id,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        min(case when event_name = 'conversation_started' then event_at end)
            as started_event_at,
        max(
            case
                when event_name = 'conversation_started' and first_of_kind = 1
                    then model_version
            end
        ) as started_model_version,
        max(
            case
                when event_name = 'answer_retrieved' and first_of_kind = 1
                    then model_version
            end
        ) as answer_model_version,
        max(
            case
                when event_name = 'conversation_started' and first_of_kind = 1
                    then platform
            end
        ) as started_platform,
        max(case when first_of_kind = 1 then actor_id end) as any_actor_id,
        sum(case when event_name = 'message_sent' then 1 else 0 end) as messages,
        sum(
            case
                when event_name = 'message_sent' and message_role = 'user' then 1
                else 0
            end
        ) as user_messages,
        sum(case when event_name = 'intent_classified' then 1 else 0 end)
            as intents_classified,
        count(distinct case when event_name = 'intent_classified' then intent end)
            as distinct_intents,
        avg(case when event_name = 'intent_classified' then confidence end)
            as mean_intent_confidence,
        max(
            case
                when event_name = 'intent_classified' and first_of_kind = 1
                    then intent
            end
        ) as first_intent,
        sum(case when event_name = 'answer_retrieved' then 1 else 0 end)
            as answers,
        max(
            case
                when event_name = 'feedback_given' and last_of_kind = 1 then rating
            end
        ) as last_rating,
        max(
            case
                when event_name = 'conversation_ended' and first_of_kind = 1
                    then outcome
            end
        ) as ended_outcome,
        min(case when event_name = 'conversation_ended' then event_at end)
            as ended_at
    from ordered
    group by conversation_id
),

final as (
    select
        summarised.conversation_id,
        summarised.any_actor_id as actor_id,
        coalesce(summarised.started_event_at, summarised.first_event_at)
            as started_at,
        cast(
            coalesce(summarised.started_event_at, summarised.first_event_at)
            as date
        ) as event_date,
        coalesce(summarised.ended_at, summarised.last_event_at) as last_activity_at,
        summarised.ended_at,
        summarised.started_event_at is not null as has_start_event,
        coalesce(
            summarised.started_model_version,
            summarised.answer_model_version,
            '(unknown)'
        ) as model_version,
        coalesce(summarised.started_platform, '(unknown)') as platform,
        summarised.messages,
        summarised.user_messages,
        summarised.intents_classified,
        summarised.distinct_intents,
        summarised.first_intent,
        summarised.mean_intent_confidence,
        summarised.answers,
        summarised.last_rating as feedback_rating,
        case
            when summarised.ended_outcome is not null then summarised.ended_outcome
            when
                {{ epoch_microseconds('clock.as_of') }}
                - {{ epoch_microseconds('summarised.last_event_at') }} > {{ idle_us }}
                then 'abandoned'
            else 'open'
        end as outcome,
        summarised.ended_outcome is null as is_outcome_inferred
    from summarised
    cross join clock
)

select * from final
