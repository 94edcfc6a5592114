{#
    How the staging models are materialised on each engine: views on
    DuckDB, as dbt_project.yml says for the layer. Spark stores a view's
    SQL in its metastore, and the embedded Derby metastore of a local Spark
    holds at most 32,700 characters of it, less than the tracking plan's
    checks compile to; so on Spark they are tables, which the event models
    and the tests then read without recomputing them.
#}
{% macro staging_materialization() %}
    {{ return(adapter.dispatch('staging_materialization', 'ai_events')()) }}
{% endmacro %}

{% macro default__staging_materialization() %}
    {{ return('view') }}
{% endmacro %}

{% macro spark__staging_materialization() %}
    {{ return('table') }}
{% endmacro %}
