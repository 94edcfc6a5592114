{#
    The canonical form of an incoming event name: snake_case, so that
    'Item Clicked', 'item-clicked', 'ItemClicked' and 'item_clicked' are
    one name. CamelCase boundaries become underscores, every run of other
    characters becomes one underscore, and the ends are trimmed.
#}
{% macro normalize_event_name(expression) -%}
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
