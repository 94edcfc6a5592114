{#
    Reading many fields of one JSON document with a single parse. Extracting
    fields one JSONPath at a time re-parses the document for every field,
    which at millions of events is the difference between seconds and
    minutes.
#}

{#
    The document parsed into a struct. `spec` maps each key to 'text' (the
    value as text: a string unquoted, anything else as its JSON), 'json' (the
    value's JSON text) or a nested spec. Read fields as `alias.key`.
#}
{% macro json_struct(column, spec) %}
    {{ return(adapter.dispatch('json_struct', 'ai_events')(column, spec)) }}
{% endmacro %}

{% macro default__json_struct(column, spec) -%}
    from_json({{ column }}, '{{ tojson(_duckdb_json_structure(spec)) }}')
{%- endmacro %}

{% macro _duckdb_json_structure(spec) %}
    {% set structure = {} %}
    {% for key, kind in spec.items() %}
        {% if kind is mapping %}
            {% do structure.update({key: _duckdb_json_structure(kind)}) %}
        {% elif kind == 'json' %}
            {% do structure.update({key: 'JSON'}) %}
        {% else %}
            {% do structure.update({key: 'VARCHAR'}) %}
        {% endif %}
    {% endfor %}
    {{ return(structure) }}
{% endmacro %}

{#
    Each named key's value as raw JSON text ('"3"' for the string 3, '3' for
    the number), so that its JSON type can be told; NULL when the key is
    missing or null. Read fields as `alias.key`.
#}
{% macro json_raw_fields(column, keys) %}
    {{ return(adapter.dispatch('json_raw_fields', 'ai_events')(column, keys)) }}
{% endmacro %}

{% macro default__json_raw_fields(column, keys) -%}
    {%- set structure = {} -%}
    {%- for key in keys -%}{%- do structure.update({key: 'JSON'}) -%}{%- endfor -%}
    from_json({{ column }}, '{{ tojson(structure) }}')
{%- endmacro %}

{#
    The JSON type of a raw JSON text: string, integer, number, boolean,
    object, array or null; NULL when the text is NULL. Plain text logic, the
    same on every engine.
#}
{% macro json_token_type(raw) -%}
    case
        when {{ raw }} is null then null
        when {{ raw }} = 'null' then 'null'
        when {{ raw }} in ('true', 'false') then 'boolean'
        when left({{ raw }}, 1) = '"' then 'string'
        when left({{ raw }}, 1) = '{' then 'object'
        when left({{ raw }}, 1) = '[' then 'array'
        when {{ ai_events.regex_matches(raw, '^-?[0-9]+$') }} then 'integer'
        else 'number'
    end
{%- endmacro %}

{# A JSON string's text, escapes undone ('"a\\nb"' gives a, newline, b). #}
{% macro json_unquote(raw) %}
    {{ return(adapter.dispatch('json_unquote', 'ai_events')(raw)) }}
{% endmacro %}

{% macro default__json_unquote(raw) -%}
    json_extract_string({{ raw }}, '$')
{%- endmacro %}

{# A JSON object text from alternating key literals and value expressions. #}
{% macro json_object_of(pairs) %}
    {{ return(adapter.dispatch('json_object_of', 'ai_events')(pairs)) }}
{% endmacro %}

{% macro default__json_object_of(pairs) -%}
    json_object(
        {%- for key, value in pairs %}
        '{{ key }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#
    The keys of a JSON object that are not in `known` (a list expression,
    see string_list), joined with ';'; NULL when there are none.
#}
{% macro json_keys_not_in(column, known) %}
    {{ return(adapter.dispatch('json_keys_not_in', 'ai_events')(column, known)) }}
{% endmacro %}

{% macro default__json_keys_not_in(column, known) -%}
    nullif(
        array_to_string(
            list_sort(
                list_filter(
                    json_keys({{ column }}),
                    lambda k: not list_contains({{ known }}, k)
                )
            ),
            ';'
        ),
        ''
    )
{%- endmacro %}

{#
    The value under the first key of a JSON object that starts with
    `prefix`, as JSON text (Snowplow's enriched JSON names its
    self-describing event unstruct_event_<vendor>_<name>_<model>).
#}
{% macro json_value_by_key_prefix(column, prefix) %}
    {{ return(adapter.dispatch('json_value_by_key_prefix', 'ai_events')(column, prefix)) }}
{% endmacro %}

{% macro default__json_value_by_key_prefix(column, prefix) -%}
    json_extract(
        {{ column }},
        '$."' || list_sort(
            list_filter(json_keys({{ column }}), lambda k: starts_with(k, '{{ prefix }}'))
        )[1] || '"'
    )
{%- endmacro %}

{#
    The first non-null value at `path` in any element of a JSON array at
    `array_path` (a Snowplow context entity's data, say), as JSON text.
#}
{% macro json_first_in_array(column, array_path, path) %}
    {{ return(adapter.dispatch('json_first_in_array', 'ai_events')(column, array_path, path)) }}
{% endmacro %}

{% macro default__json_first_in_array(column, array_path, path) -%}
    list_filter(
        json_extract({{ column }}, '{{ array_path }}[*]{{ path[1:] }}'),
        lambda v: v is not null and v::varchar <> 'null'
    )[1]
{%- endmacro %}

{#
    The text when it is valid JSON, else NULL: for JSON the warehouse decoded
    itself (Snowplow's base64 ue_px and cx, or ue_pr sent as text), which a
    broken tracker can garble. Parsing garbage would fail the whole model;
    NULL lets the event through staging to be quarantined.
#}
{% macro json_if_valid(expression) %}
    {{ return(adapter.dispatch('json_if_valid', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__json_if_valid(expression) -%}
    case when json_valid({{ expression }}) then {{ expression }} end
{%- endmacro %}
