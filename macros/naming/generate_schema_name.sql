{#
    Schemas are named for their layer (staging, intermediate, marts, ...)
    exactly, not prefixed with the target's schema, so that analysts and BI
    tools always find `marts.fct_feed_ctr` whatever target built it.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
