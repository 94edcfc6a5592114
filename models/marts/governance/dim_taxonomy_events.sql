-- The registry's events, one row each, as the tracking plan in
-- taxonomy/events/*.yml defines them.

with

registered as (
    {{ taxonomy_event_rows() }}
),

final as (
    select
        cast(event_name as varchar) as event_name,
        cast(domain as varchar) as domain,
        cast(owner as varchar) as owner,
        cast(description as varchar) as description,
        cast(emitted_by as varchar) as emitted_by,
        cast(purposes as varchar) as purposes,
        cast(version as varchar) as version,
        cast(status as varchar) as status,
        cast(replaced_by as varchar) as replaced_by,
        cast(dual_write_from as date) as dual_write_from,
        cast(dual_write_until as date) as dual_write_until,
        cast(property_count as integer) as property_count,
        cast(required_property_count as integer) as required_property_count
    from registered
)

select * from final
