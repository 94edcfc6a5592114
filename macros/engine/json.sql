{#
    JSON access, one macro per operation, dispatched per engine so that
    models read the same everywhere. `path` is a JSONPath such as
    '$.properties.position'.
#}

{# A scalar at `path` as text; JSON null and a missing key give NULL. #}
{% macro json_text(column, path) %}
    {{ return(adapter.dispatch('json_text', 'ai_events')(column, path)) }}
{% endmacro %}

{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}

{# The JSON value at `path` (object, array or scalar), still as JSON. #}
{% macro json_value(column, path) %}
    {{ return(adapter.dispatch('json_value', 'ai_events')(column, path)) }}
{% endmacro %}

{% macro default__json_value(column, path) -%}
    json_extract({{ column }}, '{{ path }}')
{%- endmacro %}

{# Two JSON objects merged, keys of `patch` winning (RFC 7396). #}
{% macro json_merge(base, patch) %}
    {{ return(adapter.dispatch('json_merge', 'ai_events')(base, patch)) }}
{% endmacro %}

{% macro default__json_merge(base, patch) -%}
    json_merge_patch(
        coalesce({{ base }}, '{}'::json), coalesce({{ patch }}, '{}'::json)
    )
{%- endmacro %}

{#
    The JSON type of the value at `path`: one of 'string', 'integer',
    'number', 'boolean', 'object', 'array' or 'null' (a JSON null), and
    NULL when the key is missing. 'integer' is a number written without a
    fraction or exponent that fits in 64 bits (signed, or unsigned up to
    2^64 - 1); every other number is 'number', so 3 is an integer, 3.0 and
    3e0 are numbers, and "3" is a string.
#}
{% macro json_type_at(column, path) %}
    {{ return(adapter.dispatch('json_type_at', 'ai_events')(column, path)) }}
{% endmacro %}

{% macro default__json_type_at(column, path) -%}
    case json_type({{ column }}, '{{ path }}')
        when 'VARCHAR' then 'string'
        when 'BIGINT' then 'integer'
        when 'UBIGINT' then 'integer'
        when 'DOUBLE' then 'number'
        when 'BOOLEAN' then 'boolean'
        when 'OBJECT' then 'object'
        when 'ARRAY' then 'array'
        when 'NULL' then 'null'
        else lower(json_type({{ column }}, '{{ path }}'))
    end
{%- endmacro %}

{#
    The keys of the JSON object at `path` (the whole text by default), in
    document order, as an array of strings; NULL when the value there is
    not an object.
#}
{% macro json_keys_of(column, path='$') %}
    {{ return(adapter.dispatch('json_keys_of', 'ai_events')(column, path)) }}
{% endmacro %}

{% macro default__json_keys_of(column, path='$') -%}
    case
        when json_type({{ column }}, '{{ path }}') = 'OBJECT'
            then json_keys({{ column }}, '{{ path }}')
    end
{%- endmacro %}

{#
    Spark. get_json_object gives a scalar as text and an object or array as
    its JSON text, like DuckDB's json_extract_string, but it cannot tell a
    string "3" from a number 3. The type comes from the VARIANT type of
    Spark 4 (parse_json, schema_of_variant): it tells strings, booleans,
    nulls, objects and arrays apart, and whether a number is integral, but
    it stores 3.0 as the decimal 3, so the text of the number decides
    between 'integer' and 'number'.

    Known differences from DuckDB, on inputs no tracker sends: a key given
    twice, and a number too large for a double (1E400).
#}
{% macro spark__json_text(column, path) -%}
    get_json_object({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_type_at(column, path) -%}
    {%- set value = "variant_get(try_parse_json(" ~ column ~ "), '" ~ path ~ "')" -%}
    case
        when {{ value }} is null then null
        when is_variant_null({{ value }}) then 'null'
        when schema_of_variant({{ value }}) = 'STRING' then 'string'
        when schema_of_variant({{ value }}) = 'BOOLEAN' then 'boolean'
        when schema_of_variant({{ value }}) like 'OBJECT%' then 'object'
        when schema_of_variant({{ value }}) like 'ARRAY%' then 'array'
        when
            get_json_object({{ column }}, '{{ path }}') rlike '^-?[0-9]+$'
            and try_variant_get({{ value }}, '$', 'decimal(38,0)')
            between -9223372036854775808 and 18446744073709551615
            then 'integer'
        else 'number'
    end
{%- endmacro %}

{# A string is quoted again, and a JSON null is the text null, as DuckDB's. #}
{% macro spark__json_value(column, path) -%}
    case {{ ai_events.spark__json_type_at(column, path) }}
        when 'string'
            then to_json(variant_get(try_parse_json({{ column }}), '{{ path }}'))
        when 'null' then 'null'
        else get_json_object({{ column }}, '{{ path }}')
    end
{%- endmacro %}

{% macro spark__json_keys_of(column, path='$') -%}
    json_object_keys(
        case
            when {{ ai_events.spark__json_type_at(column, path) }} = 'object'
                then get_json_object({{ column }}, '{{ path }}')
        end
    )
{%- endmacro %}

{#
    RFC 7396 on Spark, which has no JSON merge: each object becomes a map
    from key to the JSON text of its value, the maps are merged (keys of
    `base` that `patch` leaves alone first, in order, then the keys of
    `patch`, in order, dropping those whose value is null, which is the
    order DuckDB gives), and the result is written back as JSON text.
    Objects on both sides are merged the same way, `depth` levels down;
    below that the patch's object replaces the base's.
#}
{% macro spark__json_merge(base, patch, depth=4) -%}
    transform(
        array(named_struct('base', {{ base }}, 'patch', {{ patch }})),
        merge_input -> case
            when
                merge_input.patch is not null
                and from_json(merge_input.patch, 'map<string,string>') is null
                then merge_input.patch
            else {{ ai_events._spark_json_object_text(
                ai_events._spark_json_merge_members(
                    'coalesce('
                    ~ ai_events._spark_json_members('merge_input.base', depth)
                    ~ ', ' ~ ai_events._spark_json_no_members() ~ ')',
                    'coalesce('
                    ~ ai_events._spark_json_members('merge_input.patch', depth)
                    ~ ', ' ~ ai_events._spark_json_no_members() ~ ')',
                    depth,
                ),
                depth,
            ) }}
        end
    )[0]
{%- endmacro %}

{% macro _spark_json_no_members() -%}
    cast(map() as map<string, string>)
{%- endmacro %}

{# key -> the JSON text of its value, for a JSON object; NULL otherwise. #}
{% macro _spark_json_members(text, level) -%}
    map_zip_with(
        from_json({{ text }}, 'map<string,string>'),
        from_json({{ text }}, 'map<string,variant>'),
        (key{{ level }}, text{{ level }}, value{{ level }}) -> case
            when value{{ level }} is null or is_variant_null(value{{ level }})
                then 'null'
            when schema_of_variant(value{{ level }}) = 'STRING'
                then to_json(value{{ level }})
            else text{{ level }}
        end
    )
{%- endmacro %}

{% macro _spark_json_object_text(members, level) -%}
    concat('{', array_join(transform(
        map_entries({{ members }}),
        entry{{ level }} -> concat(
            substr(
                to_json(array(entry{{ level }}.key)),
                2,
                length(to_json(array(entry{{ level }}.key))) - 2
            ),
            ':',
            entry{{ level }}.value
        )
    ), ','), '}')
{%- endmacro %}

{# Both sides are bound once, as fields of a one-element array. #}
{% macro _spark_json_merge_members(base_members, patch_members, level) -%}
    {%- set side = 'sides' ~ level -%}
    {%- set key = 'key' ~ level -%}
    {%- set value = 'value' ~ level -%}
    {%- set kept_patch -%}
        map_filter(
            {{ side }}.patch, ({{ key }}, {{ value }}) -> {{ value }} <> 'null'
        )
    {%- endset -%}
    transform(
        array(named_struct(
            'base', {{ base_members }}, 'patch', {{ patch_members }}
        )),
        {{ side }} -> map_concat(
            map_filter(
                {{ side }}.base,
                ({{ key }}, {{ value }}) -> not map_contains_key({{ side }}.patch, {{ key }})
            ),
        {%- if level > 0 %}
            transform_values(
                {{ kept_patch }},
                ({{ key }}, {{ value }}) -> case
                    when
                        {{ value }} like '{{ '{' }}%'
                        and {{ side }}.base[{{ key }}] like '{{ '{' }}%'
                        then {{ ai_events._spark_json_object_text(
                            ai_events._spark_json_merge_members(
                                ai_events._spark_json_members(
                                    side ~ '.base[' ~ key ~ ']', level - 1
                                ),
                                ai_events._spark_json_members(value, level - 1),
                                level - 1,
                            ),
                            level - 1,
                        ) }}
                    else {{ value }}
                end
            )
        {%- else %}
            {{ kept_patch }}
        {%- endif %}
        )
    )[0]
{%- endmacro %}
