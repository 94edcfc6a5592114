{# Spark variants of the macros of intervals.sql. #}

{#- Exact to the microsecond, with no interval types. -#}
{% macro spark__skew_corrected_at(original_at, sent_at, received_at) -%}
    timestamp_micros(
        unix_micros({{ received_at }})
        - (unix_micros({{ sent_at }}) - unix_micros({{ original_at }}))
    )
{%- endmacro %}

{% macro spark__date_series(start_date, end_date) -%}
    select explode(
        sequence(
            cast({{ start_date }} as date),
            cast({{ end_date }} as date),
            interval 1 day
        )
    ) as calendar_date
{%- endmacro %}
