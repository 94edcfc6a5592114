{#
    Clock-skew correction: the receive time, less what the device's clock
    says passed between the event and its sending. The device's clock may
    be wrong by hours; the difference of two of its readings is not.
#}
{% macro skew_corrected_at(original_at, sent_at, received_at) %}
    {{ return(adapter.dispatch('skew_corrected_at', 'ai_events')(original_at, sent_at, received_at)) }}
{% endmacro %}

{% macro default__skew_corrected_at(original_at, sent_at, received_at) -%}
    {{ received_at }} - ({{ sent_at }} - {{ original_at }})
{%- endmacro %}

{#
    One row per calendar day from `start_date` to `end_date` inclusive, as a
    select of one column, calendar_date. dbt-core has no date spine of its
    own, and dbt_utils is not available offline.
#}
{% macro date_series(start_date, end_date) %}
    {{ return(adapter.dispatch('date_series', 'ai_events')(start_date, end_date)) }}
{% endmacro %}

{% macro default__date_series(start_date, end_date) -%}
    select cast(generated.range as date) as calendar_date
    from range(
        cast({{ start_date }} as timestamp),
        cast({{ end_date }} as timestamp) + interval 1 day,
        interval 1 day
    ) as generated
{%- endmacro %}
