-- The registry's events, one row each, as the tracking plan in
-- taxonomy/events/*.yml defines them.

with

registered as (
    {{ taxonomy_event_rows() }}
),

final as (
    select
        cast(event_name as string) as event_name,
        cast(domain as string) as domain,
        cast(owner as string) as owner,
        cast(description as string) as description,
        cast(emitted_by as string) as emitted_by,
        cast(purposes as string) as purposes,
        cast(version as string) as version,
        cast(status as string) as status,
        cast(replaced_by as string) as replaced_by,
        cast(dual_write_from as date) as dual_write_from,
        cast(dual_write_until as date) as dual_write_until,
        cast(property_count as integer) as property_count,
        cast(required_property_count as integer) as required_property_count
    from registered
)

select * from final
