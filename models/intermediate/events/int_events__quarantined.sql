-- The events the tracking plan refused, one row per event with its
-- reasons, and where to find the original in raw.events. The payload is
-- not copied here: it may hold personal data, which stays in the raw
-- landing.

with

events as (
    select * from {{ ref('int_events__deduplicated') }}
    where is_quarantined
),

final as (
    select
        event_id,
        source_protocol,
        event_type,
        event_name_raw,
        event_name_normalized,
        registry_event_name,
        quarantine_reasons,
        unplanned_properties,
        app_version,
        platform,
        event_at,
        cast(event_at as date) as event_date,
        load_id,
        loaded_at,
        source_file,
        source_line,
        source_index
    from events
)

select * from final
