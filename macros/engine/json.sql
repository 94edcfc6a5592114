{#
    JSON access, one macro per operation, dispatched per engine so that
    models read the same everywhere. `path` is a JSONPath such as
    '$.properties.position'.
#}

{# A scalar at `path` as text; JSON null and a missing key give NULL. #}
{% macro json_text(column, path) %}
    {{ return(adapter.dispatch('json_text', 'ai_events')(column, path)) }}
{% endmacro %}

{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}

{# The JSON value at `path` (object, array or scalar), still as JSON. #}
{% macro json_value(column, path) %}
    {{ return(adapter.dispatch('json_value', 'ai_events')(column, path)) }}
{% endmacro %}

{% macro default__json_value(column, path) -%}
    json_extract({{ column }}, '{{ path }}')
{%- endmacro %}

{# Two JSON objects merged, keys of `patch` winning (RFC 7396). #}
{% macro json_merge(base, patch) %}
    {{ return(adapter.dispatch('json_merge', 'ai_events')(base, patch)) }}
{% endmacro %}

{% macro default__json_merge(base, patch) -%}
    json_merge_patch(
        coalesce({{ base }}, '{}'::json), coalesce({{ patch }}, '{}'::json)
    )
{%- endmacro %}
