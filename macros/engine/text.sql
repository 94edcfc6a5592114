{# Text functions whose names or semantics differ between engines. #}

{# True when `pattern` (a regular expression) matches somewhere in the text. #}
{% macro regex_matches(expression, pattern) %}
    {{ return(adapter.dispatch('regex_matches', 'ai_events')(expression, pattern)) }}
{% endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#
    A text as a SQL string literal. Engines read a backslash in a literal
    differently (Spark as an escape, DuckDB as itself), so a text from
    configuration (a description, the pseudonymisation key) goes through
    this macro rather than between two quotes.
#}
{% macro string_literal(value) %}
    {{ return(adapter.dispatch('string_literal', 'ai_events')(value)) }}
{% endmacro %}

{% macro default__string_literal(value) %}
    {{ return("'" ~ value | replace("'", "''") ~ "'") }}
{% endmacro %}

{# A list literal of text values, for membership tests. #}
{% macro string_list(values) %}
    {{ return(adapter.dispatch('string_list', 'ai_events')(values)) }}
{% endmacro %}

{% macro default__string_list(values) -%}
    [{% for v in values %}'{{ v }}'{{ ', ' if not loop.last }}{% endfor %}]::varchar[]
{%- endmacro %}

{# SHA-256 of a text, as 64 lower-case hex digits. #}
{% macro sha256_hex(expression) %}
    {{ return(adapter.dispatch('sha256_hex', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{#
    Text of base64 or base64url, padded or not (Snowplow's ue_px and cx);
    NULL when it does not decode to UTF-8.
#}
{% macro base64url_decode_text(expression) %}
    {{ return(adapter.dispatch('base64url_decode_text', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__base64url_decode_text(expression) -%}
    try(
        decode(
            from_base64(
                rpad(
                    translate({{ expression }}, '-_', '+/'),
                    cast(ceil(length({{ expression }}) / 4.0) * 4 as integer),
                    '='
                )
            )
        )
    )
{%- endmacro %}

{# A timestamp (UTC) from milliseconds since the epoch. #}
{% macro epoch_ms_to_timestamp(expression) %}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__epoch_ms_to_timestamp(expression) -%}
    epoch_ms(try_cast({{ expression }} as bigint))
{%- endmacro %}

{#
    One row per part of a delimited text, as a select-list expression
    (`select id, {{ explode_split('reasons', ';') }} as reason from t`).
#}
{% macro explode_split(expression, delimiter) %}
    {{ return(adapter.dispatch('explode_split', 'ai_events')(expression, delimiter)) }}
{% endmacro %}

{% macro default__explode_split(expression, delimiter) -%}
    unnest(string_split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}
