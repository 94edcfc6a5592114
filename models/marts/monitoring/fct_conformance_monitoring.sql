-- The tracking-plan conformance of every planned event by day, against the
-- rate of the seven days before: a drop of more than
-- var conformance_drop_threshold is flagged (a client release that broke a
-- property shows here the day it ships).

with

events as (
    select
        cast(event_at as date) as event_date,
        registry_event_name as event_name,
        is_quarantined
    from {{ ref('int_events__deduplicated') }}
    where registry_event_name is not null
),

daily as (
    select
        event_date,
        event_name,
        count(*) as events,
        sum(case when is_quarantined then 0 else 1 end) as conformed_events
    from events
    group by event_date, event_name
),

with_baseline as (
    select
        daily.event_date,
        daily.event_name,
        daily.events,
        daily.conformed_events,
        sum(earlier.events) as baseline_events,
        sum(earlier.conformed_events) as baseline_conformed_events
    from daily
    left join daily as earlier
        on
            daily.event_name = earlier.event_name
            and earlier.event_date
            >= {{ dbt.dateadd('day', -7, 'daily.event_date') }}
            and daily.event_date > earlier.event_date
    group by
        daily.event_date, daily.event_name, daily.events, daily.conformed_events
),

final as (
    select
        cast(event_date as date) as event_date,
        cast(event_name as string) as event_name,
        cast(events as bigint) as events,
        cast(conformed_events as bigint) as conformed_events,
        {{ safe_rate('conformed_events', 'events') }} as conformance_rate,
        cast(coalesce(baseline_events, 0) as bigint) as baseline_events,
        {{ safe_rate('baseline_conformed_events', 'baseline_events') }}
            as baseline_conformance_rate,
        coalesce(
            events >= {{ var('conformance_drop_min_events') }}
            and baseline_events >= {{ var('conformance_drop_min_events') }}
            and cast(conformed_events as double) / events
            < cast(baseline_conformed_events as double) / baseline_events
            - {{ var('conformance_drop_threshold') }},
            false
        ) as is_conformance_drop
    from with_baseline
)

select * from final
