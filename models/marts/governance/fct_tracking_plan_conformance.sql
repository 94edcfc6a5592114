-- Conformance to the tracking plan by day, event, tracker and app version:
-- how many distinct events arrived, how many conformed and how many were
-- quarantined. An unplanned event is reported under its normalised name.

with

events as (
    select * from {{ ref('int_events__deduplicated') }}
),

registered_events as (
    select * from {{ ref('dim_taxonomy_events') }}
),

counted as (
    select
        cast(event_at as date) as event_date,
        coalesce(registry_event_name, event_name_normalized, '(no name)')
            as event_name,
        registry_event_name is not null as is_planned,
        source_protocol,
        coalesce(app_version, '(unknown)') as app_version,
        count(*) as events,
        sum(case when is_quarantined then 0 else 1 end) as conformed_events,
        sum(case when is_quarantined then 1 else 0 end) as quarantined_events,
        sum(case when coerced_properties is not null then 1 else 0 end)
            as coerced_events,
        sum(case when unplanned_properties is not null then 1 else 0 end)
            as events_with_unplanned_properties
    from events
    group by
        cast(event_at as date),
        coalesce(registry_event_name, event_name_normalized, '(no name)'),
        registry_event_name is not null,
        source_protocol,
        coalesce(app_version, '(unknown)')
),

final as (
    select
        cast(counted.event_date as date) as event_date,
        cast(counted.event_name as string) as event_name,
        cast(counted.is_planned as boolean) as is_planned,
        cast(counted.source_protocol as string) as source_protocol,
        cast(counted.app_version as string) as app_version,
        cast(registered_events.owner as string) as owner,
        cast(counted.events as bigint) as events,
        cast(counted.conformed_events as bigint) as conformed_events,
        cast(counted.quarantined_events as bigint) as quarantined_events,
        cast(counted.coerced_events as bigint) as coerced_events,
        cast(counted.events_with_unplanned_properties as bigint)
            as events_with_unplanned_properties,
        cast(counted.conformed_events / counted.events as double)
            as conformance_rate
    from counted
    left join registered_events
        on counted.event_name = registered_events.event_name
)

select * from final
