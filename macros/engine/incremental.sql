{#
    Incremental processing, driven by load time.

    A model built incrementally takes the rows loaded since the latest
    loaded_at it already holds, less a lookback (var incremental_lookback_hours)
    that catches loads committed late; reprocessing a row twice is harmless
    because every incremental model replaces its rows by key. When the
    tracking plan changed since the model was built (its
    taxonomy_fingerprint differs), drop_rows_of_other_taxonomy empties it
    first and everything is reprocessed, so an edited registry never leaves
    old verdicts behind.
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

{% macro default__incremental_since(relation=none, column='loaded_at') -%}
    {%- set relation = relation or this -%}
    (
        select
            {{ dbt.dateadd(
                'hour',
                -1 * var('incremental_lookback_hours'),
                "coalesce(max(" ~ column ~ "), cast('1900-01-01' as timestamp))"
            ) }}
        from {{ relation }}
    )
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
    A pre-hook for incremental models: rows built under another tracking plan
    are deleted before the run, so an edited registry rebuilds the model
    from scratch (an emptied model reprocesses everything) and no verdict of
    the old plan survives.
#}
{% macro drop_rows_of_other_taxonomy() %}
    {% if is_incremental() %}
        delete from {{ this }}
        where taxonomy_fingerprint <> '{{ ai_events.taxonomy_registry().fingerprint }}'
    {% endif %}
{% endmacro %}
