{#
    Text operations whose function names differ per engine, dispatched so
    that models read the same everywhere.
#}

{#
    base64url text (RFC 4648 section 5: '-' and '_' for '+' and '/', the
    '=' padding optional) decoded to UTF-8 text; NULL when it is not valid
    base64 or the bytes are not UTF-8. Plain base64 decodes too.
#}
{% macro base64url_decode_text(expression) %}
    {{ return(adapter.dispatch('base64url_decode_text', 'ai_events')(expression)) }}
{% endmacro %}

{% macro _base64url_to_padded_base64(expression) -%}
    rpad(
        translate({{ expression }}, '-_', '+/'),
        cast(
            length({{ expression }}) + (4 - length({{ expression }}) % 4) % 4
            as integer
        ),
        '='
    )
{%- endmacro %}

{% macro default__base64url_decode_text(expression) -%}
    try(decode(from_base64({{ ai_events._base64url_to_padded_base64(expression) }})))
{%- endmacro %}

{# Spark's decoder skips blanks that DuckDB's refuses: refuse them first. #}
{% macro spark__base64url_decode_text(expression) -%}
    case
        when {{ expression }} rlike '^[A-Za-z0-9+/_=-]*\\z'
            then try_validate_utf8(cast(try_to_binary(
                {{ ai_events._base64url_to_padded_base64(expression) }}, 'base64'
            ) as string))
    end
{%- endmacro %}

{# The SHA-256 of a string's UTF-8 bytes, as 64 lower-case hex digits. #}
{% macro sha256_hex(expression) %}
    {{ return(adapter.dispatch('sha256_hex', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{#
    One row per part of a string cut at every `delimiter` (plain text, not
    a pattern), empty parts kept; a NULL string gives no row. Use it alone
    in a select list: `select id, {{ split_to_rows('tags', ';') }} as tag`.
#}
{% macro split_to_rows(expression, delimiter) %}
    {%- if "'" in delimiter or "\\" in delimiter -%}
        {{ exceptions.raise_compiler_error(
            "split_to_rows: the delimiter cannot hold a quote or a backslash"
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch('split_to_rows', 'ai_events')(expression, delimiter)) }}
{% endmacro %}

{% macro default__split_to_rows(expression, delimiter) -%}
    unnest(string_split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{# Spark's split takes a Java pattern: \Q...\E makes the delimiter literal. #}
{% macro spark__split_to_rows(expression, delimiter) -%}
    explode(split({{ expression }}, '\\Q{{ delimiter }}\\E'))
{%- endmacro %}
