{#
    An identifier as the warehouse keeps it: trimmed, and NULL when it is a
    placeholder a tracker or app sends for "nobody" ('', 'null',
    'undefined', 'anonymous', '0', '-1', the all-zero UUID, ... as listed in
    the var placeholder_identifiers). Such ids would otherwise join
    strangers into one user.
#}
{% macro clean_identifier(expression) -%}
    case
        when
            lower(trim(cast({{ expression }} as string)))
            not in {{ ai_events._quoted_list(var('placeholder_identifiers')) }}
            then trim(cast({{ expression }} as string))
    end
{%- endmacro %}

{#
    The platform an event came from, as the taxonomy names it (web, ios,
    android), from what a tracker says of the operating system or library.
#}
{% macro normalize_platform(expression) -%}
    case
        when lower({{ expression }}) in ('ios', 'ipados', 'iphone os', 'iphone', 'ipad')
            then 'ios'
        when lower({{ expression }}) like 'android%' then 'android'
        when
            lower({{ expression }}) in ('web', 'browser', 'javascript', 'js')
            or lower({{ expression }}) like 'analytics.js%'
            or lower({{ expression }}) like 'analytics-next%'
            then 'web'
    end
{%- endmacro %}

{#
    A text value as a JSON string (raw JSON text), NULL stays NULL: each
    backslash and double quote escaped with a backslash. The backslash is
    written chr(92) because engines read a backslash in a string literal
    differently (Spark as an escape, DuckDB as itself).
#}
{% macro json_quote_text(expression) -%}
    case
        when {{ expression }} is not null
            then
                '"'
                || replace(
                    replace({{ expression }}, chr(92), chr(92) || chr(92)),
                    '"',
                    chr(92) || '"'
                )
                || '"'
    end
{%- endmacro %}
