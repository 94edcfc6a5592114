-- Identity stitching: which user each anonymous id belongs to. A link is
-- any event that carries both an anonymous id and a user id (a Segment or
-- RudderStack identify or track, a Snowplow event with uid and
-- domain_userid, an Amplitude event with user_id and device_id), or an
-- alias call naming a previous id. An anonymous id links to the user of its
-- earliest link, so a shared device's anonymous history goes to its first
-- user. Applied to every event of that anonymous id, earlier ones included.
--
-- Incremental: new links are ranked with the link already kept for the
-- same anonymous id, so the result equals a full rebuild; linked_loaded_at
-- tells the models downstream which mappings changed.

{{ config(
    materialized=event_model_materialization(),
    unique_key='anonymous_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

events as (
    select * from {{ ref('int_events__deduplicated') }}
    {% if is_incremental() -%}
    where loaded_at >= {{ incremental_since(column='linked_loaded_at') }}
    {%- endif %}
),

links as (
    select
        anonymous_id,
        user_id,
        event_at as linked_at,
        event_id as linked_by_event_id,
        loaded_at as linked_loaded_at
    from events
    where anonymous_id is not null and user_id is not null
    union all
    select
        previous_id as anonymous_id,
        user_id,
        event_at as linked_at,
        event_id as linked_by_event_id,
        loaded_at as linked_loaded_at
    from events
    where
        event_name = 'user_aliased'
        and previous_id is not null
        and user_id is not null
        and previous_id <> user_id
),

candidates as (
    select * from links
    {% if is_incremental() -%}
    union all
    select
        anonymous_id,
        user_id,
        linked_at,
        linked_by_event_id,
        linked_loaded_at
    from {{ this }}
    where anonymous_id in (select links.anonymous_id from links)
    {%- endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by anonymous_id
            order by linked_at asc, linked_by_event_id asc
        ) as link_rank
    from candidates
),

final as (
    select
        anonymous_id,
        user_id,
        linked_at,
        linked_by_event_id,
        linked_loaded_at,
        {{ taxonomy_fingerprint_column() }}
    from ranked
    where link_rank = 1
)

select * from final
