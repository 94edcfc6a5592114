-- Every landed event is accounted for: each row of raw.events becomes one
-- staged row, and the staged rows are the distinct events (each conformed or
-- quarantined) plus their duplicates. Returns a row when the counts differ.

with

landed as (
    select count(*) as landed_events from {{ source('raw', 'events') }}
),

staged_ids as (
    select event_id from {{ ref('stg_segment__events') }}
    union all
    select event_id from {{ ref('stg_rudderstack__events') }}
    union all
    select event_id from {{ ref('stg_snowplow__events') }}
    union all
    select event_id from {{ ref('stg_amplitude__events') }}
),

staged as (
    select
        count(*) as staged_events,
        count(distinct event_id) as distinct_ids
    from staged_ids
),

distinct_events as (
    select
        count(*) as distinct_events,
        sum(case when is_quarantined then 0 else 1 end) as conformed_events,
        sum(case when is_quarantined then 1 else 0 end) as quarantined_events
    from {{ ref('int_events__deduplicated') }}
),

compared as (
    select
        landed.landed_events,
        staged.staged_events,
        staged.staged_events - staged.distinct_ids as duplicate_events,
        distinct_events.distinct_events,
        coalesce(distinct_events.conformed_events, 0) as conformed_events,
        coalesce(distinct_events.quarantined_events, 0) as quarantined_events
    from landed
    cross join staged
    cross join distinct_events
)

select * from compared
where
    landed_events <> staged_events
    or landed_events
    <> conformed_events + quarantined_events + duplicate_events
    or distinct_events <> conformed_events + quarantined_events
