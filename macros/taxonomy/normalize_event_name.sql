{#
    The canonical form of an incoming event name: snake_case, so that
    'Item Clicked', 'item-clicked', 'ItemClicked' and 'item_clicked' are
    one name. CamelCase boundaries become underscores, every run of other
    characters becomes one underscore, and the ends are trimmed.
#}
{% macro normalize_event_name(expression) %}
    {{ return(adapter.dispatch('normalize_event_name', 'ai_events')(expression)) }}
{% endmacro %}

{% macro default__normalize_event_name(expression) -%}
    trim(
        regexp_replace(
            lower(
                regexp_replace(trim({{ expression }}), '([a-z0-9])([A-Z])', '\1_\2', 'g')
            ),
            '[^a-z0-9]+',
            '_',
            'g'
        ),
        '_'
    )
{%- endmacro %}

{# Spark: Java regular expressions replace every match and write $1 for \1. #}
{% macro spark__normalize_event_name(expression) -%}
    trim(
        both '_' from regexp_replace(
            lower(
                regexp_replace(trim({{ expression }}), '([a-z0-9])([A-Z])', '$1_$2')
            ),
            '[^a-z0-9]+',
            '_'
        )
    )
{%- endmacro %}
