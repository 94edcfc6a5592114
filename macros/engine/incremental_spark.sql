{#
    Spark variants of the macros of incremental.sql.

    Spark's Parquet tables have no delete+insert (nor merge, which needs
    Delta, Iceberg or Hudi), so the event models are rebuilt whole as
    tables: the result is the same as an incremental run's, which equals a
    full rebuild by design. drop_event_models_of_other_taxonomy passes them
    over, since no run of a table is incremental.
#}

{% macro spark__event_model_materialization() %}
    {{ return('table') }}
{% endmacro %}

{#- Time arithmetic in microseconds, exact, with no interval types. -#}
{% macro spark__incremental_since(relation=none, column='loaded_at') -%}
    {%- set relation = relation or this -%}
    (
        select
            timestamp_micros(
                unix_micros(
                    coalesce(max({{ column }}), cast('1900-01-01' as timestamp))
                )
                - {{ var('incremental_lookback_hours') * 3600 * 1000000 }}
            )
        from {{ relation }}
    )
{%- endmacro %}

{% macro spark__epoch_microseconds(expression) -%}
    unix_micros({{ expression }})
{%- endmacro %}
