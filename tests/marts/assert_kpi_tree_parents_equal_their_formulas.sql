-- Every parent of the KPI tree equals its formula over its children's
-- values as published in fct_kpi_tree, and its children's contributions add
-- up to its change. Returns the periods and nodes where either fails.

with

published as (
    select * from {{ ref('fct_kpi_tree') }}
),

pivoted as (
    select
        period,
        period_start,
        {{ kpi_pivot_columns() }}
    from published
    group by period, period_start
),

recomputed as (
    {{ kpi_formula_checks('pivoted', 'published') }}
),

contributions as (
    select
        parent_node_id as node_id,
        period,
        period_start,
        sum(contribution_to_parent_change) as summed_contributions
    from published
    where parent_node_id is not null
    group by parent_node_id, period, period_start
),

checks as (
    select
        recomputed.*,
        published.change as published_change,
        contributions.summed_contributions
    from recomputed
    inner join published
        on
            recomputed.node_id = published.node_id
            and recomputed.period = published.period
            and recomputed.period_start = published.period_start
    left join contributions
        on
            recomputed.node_id = contributions.node_id
            and recomputed.period = contributions.period
            and recomputed.period_start = contributions.period_start
)

select * from checks
where
    abs(published_value - formula_value)
    > 1e-9 * greatest(1, abs(published_value))
    or (
        published_change is not null
        and abs(published_change - summed_contributions)
        > 1e-9 * greatest(1, abs(published_change))
    )
