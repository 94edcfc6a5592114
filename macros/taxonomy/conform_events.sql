{#
    Tracking-plan enforcement, generated from the registry
    (taxonomy_registry(), itself generated from taxonomy/*.yml).

    conform_events(source_cte) emits the CTEs that take one source's
    flattened events and give each one:

    - event_name: the registered name it resolves to (through
      normalisation and aliases; a deprecated name resolves to its
      replacement), NULL when the registry does not know it;
    - a typed column for every property of the dictionary, NULL where the
      event does not carry it; personal data is dropped or replaced by a
      keyed hash (<property>_hash) here, so it never leaves staging;
    - quarantine_reasons: ';'-joined reason codes, each with the property at
      fault (unplanned_event, missing_required_property:<p>, wrong_type:<p>,
      value_not_allowed:<p>, deprecated_past_window), NULL when it conforms;
    - coerced_properties: properties accepted after a lossless conversion
      (the string "3" for an integer), unplanned_properties: keys the event
      carried that the registry does not declare for it (kept, not fatal).

    The input CTE has the columns of staged_event_columns(), plus
    `properties` (the event's properties as JSON text) and ctx_<name>
    (raw JSON text) for each context property of the dictionary. The last
    CTE is named `conformed`.
#}

{% macro staged_event_columns() %}
    {{ return([
        'event_id', 'source_protocol', 'event_type', 'event_name_raw',
        'event_name_normalized', 'user_id', 'anonymous_id', 'device_id',
        'event_at', 'original_at', 'sent_at', 'received_at',
        'is_event_time_fallback', 'user_agent', 'is_bot_by_tracker',
        'load_id', 'loaded_at', 'source_file', 'source_line', 'source_index',
    ]) }}
{% endmacro %}

{#- Every column conform_events gives, in order. -#}
{% macro conformed_event_columns() %}
    {{ return(
        ai_events.staged_event_columns()
        + ['event_name', 'registry_event_name', 'is_quarantined', 'quarantine_reasons',
           'coerced_properties', 'unplanned_properties']
        + ai_events.conformed_property_columns()
    ) }}
{% endmacro %}

{% macro context_property_names() %}
    {% set names = [] %}
    {% for name, prop in ai_events.taxonomy_registry().properties.items() %}
        {% if prop.context %}{% do names.append(name) %}{% endif %}
    {% endfor %}
    {{ return(names) }}
{% endmacro %}

{#- The output column of a property: its name, or <name>_hash; none when dropped. -#}
{% macro conformed_property_column(name, prop) %}
    {% if prop.privacy == 'personal_data' and prop.handling == 'drop' %}
        {{ return(none) }}
    {% elif prop.privacy == 'personal_data' %}
        {{ return(name ~ '_hash') }}
    {% endif %}
    {{ return(name) }}
{% endmacro %}

{% macro conformed_property_columns() %}
    {% set columns = [] %}
    {% for name, prop in ai_events.taxonomy_registry().properties.items() %}
        {% set column = ai_events.conformed_property_column(name, prop) %}
        {% if column %}{% do columns.append(column) %}{% endif %}
    {% endfor %}
    {{ return(columns) }}
{% endmacro %}

{% macro _property_value(name, kind) -%}
    {%- set raw = name ~ '__raw' -%}
    {%- set type = name ~ '__type' -%}
    {%- set text = ai_events.json_unquote(raw) -%}
    {%- if kind == 'string' -%}
        case
            when {{ type }} = 'string' then {{ text }}
            when {{ type }} in ('integer', 'number') then {{ raw }}
        end
    {%- elif kind == 'integer' -%}
        case
            when {{ type }} = 'integer' then try_cast({{ raw }} as bigint)
            when
                {{ type }} = 'number'
                and try_cast({{ raw }} as double)
                = floor(try_cast({{ raw }} as double))
                then try_cast(try_cast({{ raw }} as double) as bigint)
            when
                {{ type }} = 'string'
                and {{ ai_events.regex_matches(text, '^-?[0-9]+$') }}
                then try_cast({{ text }} as bigint)
        end
    {%- elif kind == 'number' -%}
        case
            when {{ type }} in ('integer', 'number') then try_cast({{ raw }} as double)
            when
                {{ type }} = 'string'
                and {{ ai_events.regex_matches(
                    text, '^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$'
                ) }}
                then try_cast({{ text }} as double)
        end
    {%- elif kind == 'boolean' -%}
        case
            when {{ type }} = 'boolean' then {{ raw }} = 'true'
            when {{ type }} = 'string' and lower({{ text }}) in ('true', 'false')
                then lower({{ text }}) = 'true'
        end
    {%- else -%}
        case when {{ type }} = '{{ kind }}' then {{ raw }} end
    {%- endif -%}
{%- endmacro %}

{% macro _quoted_list(values) -%}
    ({% for v in values %}{{ "'" ~ v ~ "'" if v is string else v }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro conform_events(source_cte) %}
    {%- set registry = ai_events.taxonomy_registry() -%}
    {%- set properties = registry.properties -%}
    {%- set passthrough = ai_events.staged_event_columns() -%}

    resolved as (
        select
            *,
            case event_name_normalized
                {%- for alias, canonical in registry.names.items() %}
                when '{{ alias }}' then '{{ canonical }}'
                {%- endfor %}
            end as registry_event_name
        from {{ source_cte }}
    ),

    with_raw_properties as (
        select
            *,
            {{ ai_events.json_raw_fields('properties', properties.keys() | list) }}
                as raw_properties
        from resolved
    ),

    property_texts as (
        select
            *,
            {%- for name, prop in properties.items() %}
            {%- if prop.context %}
            coalesce(
                cast(raw_properties.{{ name }} as string),
                cast(ctx_{{ name }} as string)
            ) as {{ name }}__raw
            {%- else %}
            cast(raw_properties.{{ name }} as string) as {{ name }}__raw
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        from with_raw_properties
    ),

    property_types as (
        select
            *,
            {%- for name in properties %}
            {{ ai_events.json_token_type(name ~ '__raw') }} as {{ name }}__type
            {{- ',' if not loop.last }}
            {%- endfor %}
        from property_texts
    ),

    property_values as (
        select
            *,
            {%- for name, prop in properties.items() %}
            {{ ai_events._property_value(name, prop.type) }} as {{ name }}__value
            {{- ',' if not loop.last }}
            {%- endfor %}
        from property_types
    ),

    checked as (
        select
            *,
            nullif(concat_ws(';',
                case when registry_event_name is null then 'unplanned_event' end
                {%- for event_name, event in registry.events.items() %}
                {%- if event.status == 'deprecated' and event.dual_write_until %},
                case
                    when
                        registry_event_name = '{{ event_name }}'
                        and cast(event_at as date) > cast('{{ event.dual_write_until }}' as date)
                        then 'deprecated_past_window'
                end
                {%- endif %}
                {%- endfor %}
                {%- for name, prop in properties.items() %}
                {%- set declaring = [] %}
                {%- set requiring = [] %}
                {%- set constrained = {} %}
                {%- for event_name, event in registry.events.items() %}
                {%- if name in event.properties %}
                {%- set rule = event.properties[name] %}
                {%- do declaring.append(event_name) %}
                {%- if rule.required %}{% do requiring.append(event_name) %}{% endif %}
                {%- if rule.allowed is not none or rule.minimum is not none or rule.maximum is not none %}
                {%- set signature = tojson([rule.allowed, rule.minimum, rule.maximum]) %}
                {%- do constrained.setdefault(signature, {'rule': rule, 'events': []}) %}
                {%- do constrained[signature]['events'].append(event_name) %}
                {%- endif %}
                {%- endif %}
                {%- endfor %}
                {%- if requiring %},
                case
                    when
                        registry_event_name in {{ ai_events._quoted_list(requiring) }}
                        and ({{ name }}__raw is null or {{ name }}__type = 'null')
                        then 'missing_required_property:{{ name }}'
                end
                {%- endif %}
                {%- if declaring %},
                case
                    when
                        registry_event_name in {{ ai_events._quoted_list(declaring) }}
                        and {{ name }}__type <> 'null'
                        and {{ name }}__value is null
                        then 'wrong_type:{{ name }}'
                end
                {%- endif %}
                {%- for signature, group in constrained.items() %}
                {%- set rule = group['rule'] %},
                case
                    when
                        registry_event_name in {{ ai_events._quoted_list(group['events']) }}
                        and (
                            false
                            {%- if rule.allowed is not none %}
                            or {{ name }}__value not in {{ ai_events._quoted_list(rule.allowed) }}
                            {%- endif %}
                            {%- if rule.minimum is not none %}
                            or {{ name }}__value < {{ rule.minimum }}
                            {%- endif %}
                            {%- if rule.maximum is not none %}
                            or {{ name }}__value > {{ rule.maximum }}
                            {%- endif %}
                        )
                        then 'value_not_allowed:{{ name }}'
                end
                {%- endfor %}
                {%- endfor %}
            ), '') as quarantine_reasons,
            nullif(concat_ws(';'
                {%- for name, prop in properties.items() %}
                {%- if prop.type in ('string', 'integer', 'number', 'boolean') %},
                case
                    when
                        {{ name }}__value is not null
                        and {{ name }}__type <> '{{ prop.type }}'
                        {%- if prop.type == 'number' %}
                        and {{ name }}__type <> 'integer'
                        {%- endif %}
                        then '{{ name }}'
                end
                {%- endif %}
                {%- endfor %}
            ), '') as coerced_properties,
            case registry_event_name
                {%- for event_name, event in registry.events.items() %}
                when '{{ event_name }}' then {{ ai_events.json_keys_not_in(
                    'properties', ai_events.string_list(event.properties.keys() | list)
                ) }}
                {%- endfor %}
            end as unplanned_properties
        from property_values
    ),

    conformed as (
        {%- set key = ai_events.string_literal(var('pseudonymisation_key') ~ ':') %}
        {%- set property_columns = [] %}
        {%- for name, prop in properties.items() %}
        {%- set column = ai_events.conformed_property_column(name, prop) %}
        {%- if column and column.endswith('_hash') %}
        {%- do property_columns.append(
            'case when ' ~ name ~ '__value is not null then '
            ~ ai_events.sha256_hex(key ~ ' || cast(' ~ name ~ '__value as string)')
            ~ ' end as ' ~ column
        ) %}
        {%- elif column %}
        {%- do property_columns.append(name ~ '__value as ' ~ column) %}
        {%- endif %}
        {%- endfor %}
        select
            {%- for column in passthrough %}
            {{ column }},
            {%- endfor %}
            coalesce(
                case registry_event_name
                    {%- for event_name, event in registry.events.items() %}
                    {%- if event.replaced_by %}
                    when '{{ event_name }}' then '{{ event.replaced_by }}'
                    {%- endif %}
                    {%- endfor %}
                end,
                registry_event_name
            ) as event_name,
            registry_event_name,
            quarantine_reasons is not null as is_quarantined,
            quarantine_reasons,
            coerced_properties,
            unplanned_properties,
            {{ property_columns | join(',\n            ') }}
        from checked
    )
{% endmacro %}

{#
    The ctx_<name> columns conform_events reads, one per context property of
    the dictionary, as a select list: `overrides` gives a tracker-specific
    expression per name, and `default` (with {name} in it) the expression for
    every other name, so that a context property added to the registry
    flows without editing any model.
#}
{% macro context_property_columns(overrides={}, default='custom_context.{name}', prefix='ctx_') %}
    {%- set columns = [] -%}
    {%- for name in ai_events.context_property_names() -%}
        {%- set expression = overrides.get(name, default.replace('{name}', name)) -%}
        {%- do columns.append('cast(' ~ expression ~ ' as string) as ' ~ prefix ~ name) -%}
    {%- endfor -%}
    {{ return(columns | join(',\n')) }}
{% endmacro %}
