{#- A select list of `columns`, each qualified with `relation` when given. -#}
{% macro column_list(columns, relation=none, separator=',\n        ') -%}
    {%- set qualified = [] -%}
    {%- for column in columns -%}
        {%- do qualified.append((relation ~ '.' if relation else '') ~ column) -%}
    {%- endfor -%}
    {{ qualified | join(separator) }}
{%- endmacro %}
