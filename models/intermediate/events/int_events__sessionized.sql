-- The conformed events as analysis reads them: each with its actor (the
-- user after identity stitching, else the anonymous or device id), its
-- session, and the flags that keep it out of KPIs.
--
-- - Sessions: a new session starts after more than
--   var session_inactivity_minutes (30) without an event of the same actor;
--   exactly 30 minutes keeps the session. A session may cross midnight and
--   keeps one id, a hash of the actor and the session's first event.
-- - is_bot: a user agent matching var bot_user_agent_pattern, or Snowplow's
--   spiders_and_robots context. A missing user agent is not a bot.
-- - is_dual_write_duplicate: an event under a deprecated name whose twin
--   under the new name was sent for the same action.
--
-- Incremental: only actors with new events, or whose identity changed, are
-- recomputed: from the start of the session their earliest new event joins
-- (from the beginning when their identity changed), so the result equals a
-- full rebuild.

{{ config(
    materialized=event_model_materialization(),
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{%- set gap_us = var('session_inactivity_minutes') * 60 * 1000000 %}
{%- if is_incremental() %}{% set since = incremental_since() %}{% endif %}

with

events as (
    select * from {{ ref('int_events__conformed') }}
),

identity_map as (
    select * from {{ ref('int_identity__map') }}
),

with_actor as (
    select
        events.*,
        coalesce(events.user_id, identity_map.user_id) as stitched_user_id,
        coalesce(
            events.user_id,
            identity_map.user_id,
            events.anonymous_id,
            events.device_id,
            events.event_id
        ) as actor_id
    from events
    left join identity_map
        on events.anonymous_id = identity_map.anonymous_id
),

{% if is_incremental() %}

changed_actors as (
    select
        actor_id,
        min(event_at) as first_changed_at
    from with_actor
    where loaded_at >= {{ since }}
    group by actor_id
),

remapped as (
    select
        anonymous_id,
        user_id
    from identity_map
    where linked_loaded_at >= {{ since }}
),

remapped_actors as (
    select user_id as actor_id from remapped
    union
    select existing.actor_id
    from {{ this }} as existing
    inner join remapped
        on existing.anonymous_id = remapped.anonymous_id
),

existing_sessions as (
    select
        actor_id,
        session_id,
        min(event_at) as session_start_at,
        max(event_at) as session_end_at
    from {{ this }}
    where actor_id in (select changed_actors.actor_id from changed_actors)
    group by actor_id, session_id
),

-- A new event can only join the session that was open when it happened:
-- recompute from that session's start.
recompute_starts as (
    select
        changed_actors.actor_id,
        coalesce(
            min(existing_sessions.session_start_at),
            min(changed_actors.first_changed_at)
        ) as recompute_from_at
    from changed_actors
    left join existing_sessions
        on
            changed_actors.actor_id = existing_sessions.actor_id
            and existing_sessions.session_start_at <= changed_actors.first_changed_at
            and {{ epoch_microseconds('existing_sessions.session_end_at') }}
            >= {{ epoch_microseconds('changed_actors.first_changed_at') }} - {{ gap_us }}
    group by changed_actors.actor_id
    union all
    select
        actor_id,
        cast('1900-01-01' as timestamp) as recompute_from_at
    from remapped_actors
),

recompute_bounds as (
    select
        actor_id,
        min(recompute_from_at) as recompute_from_at
    from recompute_starts
    group by actor_id
),

{% endif %}

scope as (
    select with_actor.*
    from with_actor
    {%- if is_incremental() %}
    inner join recompute_bounds
        on
            with_actor.actor_id = recompute_bounds.actor_id
            and with_actor.event_at >= recompute_bounds.recompute_from_at
    {%- endif %}
),

-- The session windows run on three narrow columns, then join back:
-- sorting them is far cheaper than sorting every wide event.
ordered as (
    select
        event_id,
        actor_id,
        event_at,
        lag(event_at) over (
            partition by actor_id order by event_at, event_id
        ) as previous_event_at
    from scope
),

session_starts as (
    select
        *,
        case
            when previous_event_at is null then 1
            when
                {{ epoch_microseconds('event_at') }}
                - {{ epoch_microseconds('previous_event_at') }} > {{ gap_us }}
                then 1
            else 0
        end as is_session_start
    from ordered
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by actor_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from session_starts
),

session_keys as (
    select
        event_id,
        first_value(event_id) over (
            partition by actor_id, session_number
            order by event_at, event_id
            rows between unbounded preceding and unbounded following
        ) as session_first_event_id
    from numbered
),

with_sessions as (
    select
        scope.*,
        session_keys.session_first_event_id
    from scope
    inner join session_keys
        on scope.event_id = session_keys.event_id
),

-- A user agent is matched once, however many events carry it.
bot_agents as (
    select user_agent
    from (select distinct user_agent from scope) as agents
    where {{ regex_matches('lower(user_agent)', var('bot_user_agent_pattern')) }}
),

dual_written as (
    {{ dual_write_duplicates('with_sessions') }}
),

final as (
    select
        {{ column_list(conformed_event_columns(), 'with_sessions') }},
        with_sessions.stitched_user_id,
        with_sessions.actor_id,
        with_sessions.stitched_user_id is not null as is_identified,
        {{ sha256_hex(
            "with_sessions.actor_id || '|' || with_sessions.session_first_event_id"
        ) }} as session_id,
        coalesce(with_sessions.is_bot_by_tracker, false)
        or bot_agents.user_agent is not null as is_bot,
        dual_written.event_id is not null as is_dual_write_duplicate,
        {{ taxonomy_fingerprint_column() }}
    from with_sessions
    left join dual_written
        on with_sessions.event_id = dual_written.event_id
    left join bot_agents
        on with_sessions.user_agent = bot_agents.user_agent
)

select * from final
