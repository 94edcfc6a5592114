{#
    The SQL pieces of marts.fct_kpi_tree, built from kpi_tree() (itself
    compiled from kpis/tree.yml): one CTE of values per leaf measure, the
    formulas applied children first, and the tree unpivoted to one row per
    node and period.
#}

{% macro kpi_leaf_ctes() %}
    {%- set ctes = [] -%}
    {%- for node in ai_events.kpi_tree().nodes if node.model -%}
        {%- set week = dbt.date_trunc('week', 'event_date') -%}
        {%- do ctes.append(
            'leaf_' ~ node.id ~ ' as (\n'
            ~ "    select 'day' as period, cast(event_date as date) as period_start, "
            ~ node.expression ~ ' as value\n'
            ~ '    from ' ~ ref(node.model) ~ '\n'
            ~ '    group by cast(event_date as date)\n'
            ~ '    union all\n'
            ~ "    select 'week' as period, cast(" ~ week ~ ' as date) as period_start, '
            ~ node.expression ~ ' as value\n'
            ~ '    from ' ~ ref(node.model) ~ '\n'
            ~ '    group by cast(' ~ week ~ ' as date)\n'
            ~ ')'
        ) -%}
    {%- endfor -%}
    {{ return(ctes | join(',\n\n')) }}
{% endmacro %}

{% macro kpi_periods_union() %}
    {%- set parts = [] -%}
    {%- for node in ai_events.kpi_tree().nodes if node.model -%}
        {%- do parts.append('select period, period_start from leaf_' ~ node.id) -%}
    {%- endfor -%}
    {{ return(parts | join('\n    union\n    ')) }}
{% endmacro %}

{% macro kpi_leaf_columns() %}
    {%- set columns = [] -%}
    {%- for node in ai_events.kpi_tree().nodes if node.model -%}
        {%- do columns.append(
            'coalesce(leaf_' ~ node.id ~ '.value, 0) as v_' ~ node.id
        ) -%}
    {%- endfor -%}
    {{ return(columns | join(',\n        ')) }}
{% endmacro %}

{% macro kpi_leaf_joins() %}
    {%- set joins = [] -%}
    {%- for node in ai_events.kpi_tree().nodes if node.model -%}
        {%- do joins.append(
            'left join leaf_' ~ node.id ~ '\n        on periods.period = leaf_' ~ node.id
            ~ '.period and periods.period_start = leaf_' ~ node.id ~ '.period_start'
        ) -%}
    {%- endfor -%}
    {{ return(joins | join('\n    ')) }}
{% endmacro %}

{#- Formula columns, children before parents (kpi_tree() is so ordered). -#}
{% macro kpi_formula_ctes(first_cte) %}
    {%- set ctes = [] -%}
    {%- set previous = namespace(name=first_cte) -%}
    {%- for node in ai_events.kpi_tree().nodes if node.formula_sql -%}
        {%- do ctes.append(
            'with_' ~ node.id ~ ' as (\n    select\n        *,\n        '
            ~ node.formula_sql ~ ' as v_' ~ node.id ~ '\n    from ' ~ previous.name ~ '\n)'
        ) -%}
        {%- set previous.name = 'with_' ~ node.id -%}
    {%- endfor -%}
    {{ return({'sql': ctes | join(',\n\n'), 'last': previous.name}) }}
{% endmacro %}

{% macro kpi_previous_columns() %}
    {%- set columns = [] -%}
    {%- for node in ai_events.kpi_tree().nodes -%}
        {%- do columns.append('previous.v_' ~ node.id ~ ' as p_' ~ node.id) -%}
    {%- endfor -%}
    {{ return(columns | join(',\n        ')) }}
{% endmacro %}

{#- One select per node, unpivoting the wide table. -#}
{% macro kpi_unpivot(relation) %}
    {%- set tree = ai_events.kpi_tree() -%}
    {%- set contribution = {} -%}
    {%- for node in tree.nodes -%}
        {%- for child, expression in node.contributions.items() -%}
            {%- do contribution.update({child: expression}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set selects = [] -%}
    {%- for node in tree.nodes -%}
        {%- do selects.append(
            'select period, period_start, '
            ~ "'" ~ node.id ~ "' as node_id, "
            ~ 'v_' ~ node.id ~ ' as value, '
            ~ 'p_' ~ node.id ~ ' as previous_value, '
            ~ contribution.get(node.id, 'null') ~ ' as contribution_to_parent_change'
            ~ ' from ' ~ relation
        ) -%}
    {%- endfor -%}
    {{ return(selects | join('\n    union all\n    ')) }}
{% endmacro %}

{#- The tree's nodes as rows: id, parent, name, definition, depth. -#}
{% macro kpi_node_rows() %}
    {%- set rows = [] -%}
    {%- for node in ai_events.kpi_tree().nodes -%}
        {%- set definition = node.formula or (node.expression ~ ' over ' ~ node.model) -%}
        {%- do rows.append(
            "('" ~ node.id ~ "', "
            ~ ("'" ~ node.parent ~ "'" if node.parent else 'null') ~ ", "
            ~ ai_events.string_literal(node.name) ~ ", "
            ~ ai_events.string_literal(node.description) ~ ", "
            ~ ai_events.string_literal(definition) ~ ", "
            ~ node.depth ~ ')'
        ) -%}
    {%- endfor -%}
    select * from (
        values
        {{ rows | join(',\n        ') }}
    ) as tree (node_id, parent_node_id, node_name, description, formula, depth)
{% endmacro %}

{#- For the tree's own test: each node's published value as a column v_<node>. -#}
{% macro kpi_pivot_columns() %}
    {%- set columns = [] -%}
    {%- for node in ai_events.kpi_tree().nodes -%}
        {%- do columns.append(
            "max(case when node_id = '" ~ node.id ~ "' then value end) as v_" ~ node.id
        ) -%}
    {%- endfor -%}
    {{ return(columns | join(',\n        ')) }}
{% endmacro %}

{#- For the tree's own test: per parent, its formula recomputed from its children. -#}
{% macro kpi_formula_checks(pivoted, published) %}
    {%- set selects = [] -%}
    {%- for node in ai_events.kpi_tree().nodes if node.formula_sql -%}
        {%- do selects.append(
            'select ' ~ pivoted ~ '.period, ' ~ pivoted ~ '.period_start, '
            ~ "'" ~ node.id ~ "' as node_id, "
            ~ pivoted ~ '.v_' ~ node.id ~ ' as published_value, '
            ~ node.formula_sql ~ ' as formula_value'
            ~ ' from ' ~ pivoted
        ) -%}
    {%- endfor -%}
    {{ return(selects | join('\n    union all\n    ')) }}
{% endmacro %}
