{#
    Spark variants of the macros of json_fields.sql (kept apart so that
    json_fields.sql reads the same on every branch).

    from_json with a string field gives a string value unquoted and any
    other value as its JSON text (numbers and objects written compactly, as
    DuckDB writes them), so 'text' fields read as on DuckDB. A 'json' field
    must keep the quotes of a string, which Spark's text cannot tell apart
    from a number: such fields are read a second time as VARIANT, whose
    type says when the value is a string, and a string is then written back
    as JSON. Both readings are bound once, as fields of a one-element array.
#}

{% macro spark__json_struct(column, spec) -%}
    {%- if ai_events._spark_spec_has_json(spec) -%}
        transform(
            array(named_struct(
                'text',
                from_json({{ column }}, '{{ ai_events._spark_text_schema(spec) }}'),
                'typed',
                from_json({{ column }}, '{{ ai_events._spark_variant_schema(spec) }}')
            )),
            parsed_json -> {{ ai_events._spark_struct_of(
                spec, 'parsed_json.text', 'parsed_json.typed'
            ) }}
        )[0]
    {%- else -%}
        from_json({{ column }}, '{{ ai_events._spark_text_schema(spec) }}')
    {%- endif -%}
{%- endmacro %}

{% macro _spark_spec_has_json(spec) %}
    {%- for kind in spec.values() -%}
        {%- if kind is mapping and ai_events._spark_spec_has_json(kind) -%}
            {{ return(true) }}
        {%- elif kind == 'json' -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}

{#- struct<`key`:string, `nested`:struct<...>>, every value as text. -#}
{% macro _spark_text_schema(spec) %}
    {%- set fields = [] -%}
    {%- for key, kind in spec.items() -%}
        {%- if kind is mapping -%}
            {%- do fields.append('`' ~ key ~ '`:' ~ ai_events._spark_text_schema(kind)) -%}
        {%- else -%}
            {%- do fields.append('`' ~ key ~ '`:string') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('struct<' ~ fields | join(',') ~ '>') }}
{% endmacro %}

{#- The same struct holding only the 'json' fields, as VARIANT. -#}
{% macro _spark_variant_schema(spec) %}
    {%- set fields = [] -%}
    {%- for key, kind in spec.items() -%}
        {%- if kind is mapping and ai_events._spark_spec_has_json(kind) -%}
            {%- do fields.append('`' ~ key ~ '`:' ~ ai_events._spark_variant_schema(kind)) -%}
        {%- elif kind == 'json' -%}
            {%- do fields.append('`' ~ key ~ '`:variant') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('struct<' ~ fields | join(',') ~ '>') }}
{% endmacro %}

{% macro _spark_struct_of(spec, text, typed) %}
    {%- set fields = [] -%}
    {%- for key, kind in spec.items() -%}
        {%- set text_field = text ~ '.`' ~ key ~ '`' -%}
        {%- set typed_field = typed ~ '.`' ~ key ~ '`' -%}
        {%- if kind is mapping and ai_events._spark_spec_has_json(kind) -%}
            {%- set value = ai_events._spark_struct_of(kind, text_field, typed_field) -%}
        {%- elif kind == 'json' -%}
            {%- set value = (
                "case when schema_of_variant(" ~ typed_field ~ ") = 'STRING' then to_json("
                ~ typed_field ~ ") else " ~ text_field ~ " end"
            ) -%}
        {%- else -%}
            {%- set value = text_field -%}
        {%- endif -%}
        {%- do fields.append("'" ~ key ~ "', " ~ value) -%}
    {%- endfor -%}
    {{ return('named_struct(' ~ fields | join(', ') ~ ')') }}
{% endmacro %}

{% macro spark__json_raw_fields(column, keys) -%}
    {%- set spec = {} -%}
    {%- for key in keys -%}{%- do spec.update({key: 'json'}) -%}{%- endfor -%}
    {{ ai_events.spark__json_struct(column, spec) }}
{%- endmacro %}

{% macro spark__json_unquote(raw) -%}
    get_json_object({{ raw }}, '$')
{%- endmacro %}

{# to_json leaves out NULL fields unless told not to; DuckDB writes null. #}
{% macro spark__json_object_of(pairs) -%}
    to_json(
        named_struct(
            {%- for key, value in pairs %}
            '{{ key }}', {{ value }}{{ ',' if not loop.last }}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}

{% macro spark__json_keys_not_in(column, known) -%}
    nullif(
        array_join(
            array_sort(
                filter(
                    json_object_keys({{ column }}),
                    object_key -> not array_contains({{ known }}, object_key)
                )
            ),
            ';'
        ),
        ''
    )
{%- endmacro %}

{#
    The first matching key in sorted order, as on DuckDB; its value is JSON
    text, a string quoted (json.sql's members map).
#}
{% macro spark__json_value_by_key_prefix(column, prefix) -%}
    transform(
        array({{ ai_events._spark_json_members(column, '_prefixed') }}),
        members -> try_element_at(
            members,
            array_min(filter(
                map_keys(members),
                member_key -> startswith(member_key, '{{ prefix }}')
            ))
        )
    )[0]
{%- endmacro %}

{#
    Each element of the array, as JSON text, gives the value at `path`
    through json_value, which writes a string quoted, as DuckDB's
    json_extract does.
#}
{% macro spark__json_first_in_array(column, array_path, path) -%}
    get(
        filter(
            transform(
                from_json(get_json_object({{ column }}, '{{ array_path }}'), 'array<string>'),
                array_element -> {{ ai_events.spark__json_value('array_element', path) }}
            ),
            element_value -> element_value is not null and element_value <> 'null'
        ),
        0
    )
{%- endmacro %}

{% macro spark__json_if_valid(expression) -%}
    case when try_parse_json({{ expression }}) is not null then {{ expression }} end
{%- endmacro %}
