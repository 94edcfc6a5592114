{#
    Timestamps in the warehouse are UTC wall time in a zone-less TIMESTAMP.

    parse_iso_timestamp reads an ISO-8601 string strictly: a string with an
    offset (Z, +05:30, -0800) is converted to UTC; a string with no zone is
    taken as UTC whatever the session's time zone; anything else (such as
    '2015-2-02T00:30:12Z', with a one-digit month) gives NULL, so that the
    caller can fall back and flag it.
#}
{% macro parse_iso_timestamp(expression) %}
    {{ return(adapter.dispatch('parse_iso_timestamp', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__parse_iso_timestamp(expression) -%}
    case
        when regexp_full_match(
            {{ expression }},
            '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2})?)'
        )
            then timezone('UTC', try_cast({{ expression }} as timestamptz))
        when regexp_full_match(
            {{ expression }},
            '\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?'
        )
            then try_cast({{ expression }} as timestamp)
    end
{%- endmacro %}
