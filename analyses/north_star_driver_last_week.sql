-- What moved the north-star metric in the latest complete ISO week (Monday
-- to Sunday) against the week before: from the north star, step down to the
-- child with the largest absolute contribution_to_parent_change, until a
-- leaf or a node whose children did not move. One row per step.

with recursive

last_week as (
    select *
    from {{ ref('fct_kpi_tree') }}
    where
        period = 'week'
        and period_start = cast(date_trunc('week', current_date) as date) - 7
),

ranked as (
    select
        *,
        row_number() over (
            partition by parent_node_id
            order by abs(contribution_to_parent_change) desc, node_id
        ) as contribution_rank
    from last_week
),

driver_path as (
    select
        node_id,
        0 as step
    from ranked
    where is_north_star

    union all

    select
        ranked.node_id,
        driver_path.step + 1 as step
    from ranked
    inner join driver_path
        on ranked.parent_node_id = driver_path.node_id
    where
        ranked.contribution_rank = 1
        and ranked.contribution_to_parent_change <> 0
),

final as (
    select
        driver_path.step,
        last_week.node_id,
        last_week.node_name,
        last_week.parent_node_id,
        last_week.period_start,
        last_week.value,
        last_week.previous_value,
        last_week.change,
        last_week.change_ratio,
        last_week.contribution_to_parent_change
    from driver_path
    inner join last_week
        on driver_path.node_id = last_week.node_id
)

select * from final
order by step
