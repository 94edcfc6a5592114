-- Every reason an event was quarantined for, by day, event, tracker, app
-- version, reason code and property: what the owners of instrumentation
-- fix. An event refused for two reasons counts under both.

with

quarantined as (
    select * from {{ ref('int_events__quarantined') }}
),

reasons as (
    select
        cast(event_at as date) as event_date,
        coalesce(registry_event_name, event_name_normalized, '(no name)')
            as event_name,
        source_protocol,
        coalesce(app_version, '(unknown)') as app_version,
        {{ explode_split('quarantine_reasons', ';') }} as reason
    from quarantined
),

split as (
    select
        event_date,
        event_name,
        source_protocol,
        app_version,
        split_part(reason, ':', 1) as reason_code,
        coalesce(nullif(split_part(reason, ':', 2), ''), '(event)') as property_name
    from reasons
),

final as (
    select
        cast(event_date as date) as event_date,
        cast(event_name as string) as event_name,
        cast(source_protocol as string) as source_protocol,
        cast(app_version as string) as app_version,
        cast(reason_code as string) as reason_code,
        cast(property_name as string) as property_name,
        cast(count(*) as bigint) as violations
    from split
    group by
        event_date, event_name, source_protocol, app_version, reason_code, property_name
)

select * from final
