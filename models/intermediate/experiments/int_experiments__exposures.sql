-- One row per experiment and actor (after identity stitching): the variant
-- of their first exposure, when it happened, and whether they also saw
-- another variant (a contaminated assignment). Bots are left out.

with

events as (
    select * from {{ ref('int_events__sessionized') }}
    where
        event_name = 'experiment_exposed'
        and not is_bot
        and not is_dual_write_duplicate
),

ranked as (
    select
        *,
        row_number() over (
            partition by experiment_id, actor_id order by event_at, event_id
        ) as exposure_rank,
        min(variant) over (partition by experiment_id, actor_id)
            as first_variant_name,
        max(variant) over (partition by experiment_id, actor_id)
            as last_variant_name
    from events
),

final as (
    select
        experiment_id,
        actor_id,
        variant,
        event_at as first_exposed_at,
        first_variant_name <> last_variant_name as saw_several_variants
    from ranked
    where exposure_rank = 1
)

select * from final
