-- The KPI tree of kpis/tree.yml, per day and per ISO week: every node's
-- value, its change against the previous period, and how much of its
-- parent's change it accounts for, so that a move of the north-star metric
-- can be traced down to the driver that caused it. Leaves are aggregates
-- over the marts; every other node is its formula over its children.

{%- set formulas = kpi_formula_ctes('with_leaves') %}

with

{{ kpi_leaf_ctes() }},

periods as (
    {{ kpi_periods_union() }}
),

with_leaves as (
    select
        periods.period,
        periods.period_start,
        {{ kpi_leaf_columns() }}
    from periods
    {{ kpi_leaf_joins() }}
),

{{ formulas.sql }},

with_previous as (
    select
        current_period.*,
        {{ kpi_previous_columns() }}
    from {{ formulas.last }} as current_period
    left join {{ formulas.last }} as previous
        on
            current_period.period = previous.period
            and previous.period_start = case
                when current_period.period = 'day'
                    then {{ dbt.dateadd('day', -1, 'current_period.period_start') }}
                else {{ dbt.dateadd('day', -7, 'current_period.period_start') }}
            end
),

unpivoted as (
    {{ kpi_unpivot('with_previous') }}
),

nodes as (
    {{ kpi_node_rows() }}
),

final as (
    select
        cast(unpivoted.period as string) as period,
        cast(unpivoted.period_start as date) as period_start,
        cast(unpivoted.node_id as string) as node_id,
        cast(nodes.parent_node_id as string) as parent_node_id,
        cast(nodes.node_name as string) as node_name,
        cast(nodes.description as string) as description,
        cast(nodes.formula as string) as formula,
        cast(nodes.depth as integer) as depth,
        nodes.parent_node_id is null as is_north_star,
        cast(unpivoted.value as double) as value,
        cast(unpivoted.previous_value as double) as previous_value,
        cast(unpivoted.value - unpivoted.previous_value as double) as change,
        cast(
            {{ safe_rate(
                'unpivoted.value - unpivoted.previous_value',
                'abs(unpivoted.previous_value)'
            ) }} as double
        ) as change_ratio,
        cast(unpivoted.contribution_to_parent_change as double)
            as contribution_to_parent_change
    from unpivoted
    inner join nodes
        on unpivoted.node_id = nodes.node_id
)

select * from final
