-- One row per event and property it carries, with the rules staging
-- enforces and how personal data is handled.

with

registered as (
    {{ taxonomy_property_rows() }}
),

final as (
    select
        cast(event_name as string) as event_name,
        cast(property_name as string) as property_name,
        cast(property_type as string) as property_type,
        cast(is_required as boolean) as is_required,
        cast(allowed_values as string) as allowed_values,
        cast(minimum_value as double) as minimum_value,
        cast(maximum_value as double) as maximum_value,
        cast(privacy_class as string) as privacy_class,
        cast(privacy_handling as string) as privacy_handling,
        cast(is_context as boolean) as is_context,
        cast(description as string) as description
    from registered
)

select * from final
