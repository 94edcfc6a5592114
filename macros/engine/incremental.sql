{#
    Incremental processing, driven by load time.

    A model built incrementally takes the rows loaded since the latest
    loaded_at it already holds, less a lookback (var incremental_lookback_hours)
    that catches loads committed late; reprocessing a row twice is harmless
    because every incremental model replaces its rows by key. When the
    tracking plan changed since the model was built (its
    taxonomy_fingerprint differs), drop_event_models_of_other_taxonomy drops
    it before the run, and the run builds it from scratch: an edited registry
    leaves no old verdict behind, and a property added to the plan becomes a
    column.
#}

{#- How models that merge rows by key are materialised on this engine. -#}
{% macro event_model_materialization() %}
    {{ return(adapter.dispatch('event_model_materialization', 'ai_events')()) }}
{% endmacro %}

{% macro default__event_model_materialization() %}
    {{ return('incremental') }}
{% endmacro %}

{#- The loaded_at from which rows are (re)processed in an incremental run. -#}
{% macro incremental_since(relation=none, column='loaded_at') %}
    {{ return(adapter.dispatch('incremental_since', 'ai_events')(relation, column)) }}
{% endmacro %}

{#-
    Rendered as a literal while dbt executes, so that the engine can push
    the filter down to the scan of the raw events (a subquery here keeps
    DuckDB from skipping old rows before it has flattened them).
-#}
{% macro default__incremental_since(relation=none, column='loaded_at') -%}
    {%- set relation = relation or this -%}
    {%- set since = dbt.dateadd(
        'hour',
        -1 * var('incremental_lookback_hours'),
        "coalesce(max(" ~ column ~ "), cast('1900-01-01' as timestamp))"
    ) -%}
    {%- if execute -%}
        {%- set query -%}
            select cast({{ since }} as varchar) from {{ relation }}
        {%- endset -%}
        cast('{{ run_query(query).columns[0].values()[0] }}' as timestamp)
    {%- else -%}
        (select {{ since }} from {{ relation }})
    {%- endif -%}
{%- endmacro %}

{#- A column recording which tracking plan a row was built under. -#}
{% macro taxonomy_fingerprint_column() -%}
    cast('{{ taxonomy_registry().fingerprint }}' as string) as taxonomy_fingerprint
{%- endmacro %}

{#- Microseconds since the epoch, for exact time differences. -#}
{% macro epoch_microseconds(expression) %}
    {{ return(adapter.dispatch('epoch_microseconds', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__epoch_microseconds(expression) -%}
    epoch_us({{ expression }})
{%- endmacro %}

{#
    An on-run-start hook: every selected incremental model of this project
    that holds rows built under another tracking plan (or no rows at all) is
    dropped, so that the run builds it from scratch. It has to happen before
    the models compile: whether a run is incremental, and which columns the
    model has, is decided then.
#}
{% macro drop_event_models_of_other_taxonomy() %}
    {%- if execute and not flags.FULL_REFRESH -%}
        {%- set fingerprint = ai_events.taxonomy_registry().fingerprint -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model'
            and node.package_name == project_name
            and node.config.materialized == 'incremental'
            and node.unique_id in selected_resources -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias
            ) -%}
            {%- if relation is not none -%}
                {%- set query -%}
                    select count(*) = 0 or count(
                        case when taxonomy_fingerprint <> '{{ fingerprint }}' then 1 end
                    ) > 0
                    from {{ relation }}
                {%- endset -%}
                {%- if run_query(query).columns[0].values()[0] -%}
                    {%- do log(
                        'ai_events: ' ~ node.name
                        ~ ' was built under another tracking plan (or is empty); rebuilding it',
                        info=true
                    ) -%}
                    {%- do adapter.drop_relation(relation) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
