-- One row per AI writing suggestion shown, with what the user did with it.
-- Shown is the first suggestion_shown event of the suggestion; an
-- acceptance counts for the day the suggestion was shown, even when it came
-- on a later day. Edited counts only accepted suggestions. Bots are left
-- out.

with

events as (
    select * from {{ ref('int_events__sessionized') }}
    where
        event_name in (
            'suggestion_shown',
            'suggestion_accepted',
            'suggestion_edited',
            'suggestion_dismissed'
        )
        and not is_bot
        and not is_dual_write_duplicate
),

shown_ranked as (
    select
        *,
        row_number() over (
            partition by suggestion_id order by event_at, event_id
        ) as shown_rank
    from events
    where event_name = 'suggestion_shown'
),

shown as (
    select * from shown_ranked
    where shown_rank = 1
),

responses as (
    select
        suggestion_id,
        min(case when event_name = 'suggestion_accepted' then event_at end)
            as accepted_at,
        min(case when event_name = 'suggestion_edited' then event_at end)
            as edited_at,
        min(case when event_name = 'suggestion_dismissed' then event_at end)
            as dismissed_at,
        max(case when event_name = 'suggestion_edited' then edit_distance end)
            as edit_distance
    from events
    where event_name <> 'suggestion_shown'
    group by suggestion_id
),

final as (
    select
        shown.suggestion_id,
        shown.actor_id,
        shown.session_id,
        shown.platform,
        shown.model_version,
        shown.suggestion_length,
        shown.latency_ms,
        shown.past_engagement_score,
        shown.session_length,
        shown.event_at as shown_at,
        cast(shown.event_at as date) as event_date,
        shown.event_id as shown_event_id,
        responses.accepted_at,
        responses.accepted_at is not null as is_accepted,
        responses.accepted_at is not null and responses.edited_at is not null
            as is_edited,
        responses.dismissed_at is not null as is_dismissed,
        responses.edit_distance,
        case
            when responses.accepted_at is not null
                then (
                    {{ epoch_microseconds('responses.accepted_at') }}
                    - {{ epoch_microseconds('shown.event_at') }}
                ) / 1000000.0
        end as seconds_to_accept
    from shown
    left join responses
        on shown.suggestion_id = responses.suggestion_id
)

select * from final
