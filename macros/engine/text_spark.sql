{#
    Spark variants of the text macros of text.sql (kept in a file of their
    own so that text.sql reads the same on every branch).
#}

{# Spark's find-anywhere match is rlike, on a Java regular expression. #}
{% macro spark__regex_matches(expression, pattern) -%}
    {{ expression }} rlike '{{ pattern }}'
{%- endmacro %}

{% macro spark__string_literal(value) %}
    {{ return("'" ~ value | replace("\\", "\\\\") | replace("'", "''") ~ "'") }}
{% endmacro %}

{# An empty list still has a type, so that membership tests compile. #}
{% macro spark__string_list(values) -%}
    cast(
        array({% for v in values %}'{{ v }}'{{ ', ' if not loop.last }}{% endfor %})
        as array<string>
    )
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{#
    base64url to text. Spark's decoder skips blanks that DuckDB's refuses,
    so those are refused first; padding is added as on DuckDB; bytes that
    are not UTF-8 give NULL.
#}
{% macro spark__base64url_decode_text(expression) -%}
    case
        when {{ expression }} rlike '^[A-Za-z0-9+/_=-]*\\z'
            then try_validate_utf8(cast(try_to_binary(
                rpad(
                    translate({{ expression }}, '-_', '+/'),
                    cast(ceil(length({{ expression }}) / 4.0) * 4 as integer),
                    '='
                ),
                'base64'
            ) as string))
    end
{%- endmacro %}

{% macro spark__epoch_ms_to_timestamp(expression) -%}
    timestamp_millis(try_cast({{ expression }} as bigint))
{%- endmacro %}

{#
    Spark's split takes a Java pattern: \Q...\E makes the delimiter plain
    text, which therefore cannot hold a quote or a backslash.
#}
{% macro spark__explode_split(expression, delimiter) -%}
    {%- if "'" in delimiter or "\\" in delimiter -%}
        {{ exceptions.raise_compiler_error(
            "explode_split on Spark: the delimiter cannot hold a quote or a backslash"
        ) }}
    {%- endif -%}
    explode(split({{ expression }}, '\\Q{{ delimiter }}\\E'))
{%- endmacro %}
