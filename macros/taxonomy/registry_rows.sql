{#
    The registry as rows, for the governance dimensions
    (dim_taxonomy_events, dim_taxonomy_properties): a VALUES list that every
    engine reads the same way.
#}

{% macro taxonomy_event_rows() %}
    {%- set registry = ai_events.taxonomy_registry() %}
select * from (
    values
    {%- for name, event in registry.events.items() %}
    (
        '{{ name }}',
        '{{ event.domain }}',
        '{{ event.owner }}',
        {{ ai_events.string_literal(event.description) }},
        '{{ event.emitted_by }}',
        '{{ event.purpose | join(",") }}',
        '{{ event.version }}',
        '{{ event.status }}',
        {{ "'" ~ event.replaced_by ~ "'" if event.replaced_by else 'null' }},
        {{ "'" ~ event.dual_write_from ~ "'" if event.dual_write_from else 'null' }},
        {{ "'" ~ event.dual_write_until ~ "'" if event.dual_write_until else 'null' }},
        {{ event.properties | length }},
        {{ event.properties.values() | selectattr('required') | list | length }}
    ){{ ',' if not loop.last }}
    {%- endfor %}
) as registry (
    event_name,
    domain,
    owner,
    description,
    emitted_by,
    purposes,
    version,
    status,
    replaced_by,
    dual_write_from,
    dual_write_until,
    property_count,
    required_property_count
)
{% endmacro %}

{% macro taxonomy_property_rows() %}
    {%- set registry = ai_events.taxonomy_registry() %}
select * from (
    values
    {%- for name, event in registry.events.items() %}
    {%- set outer_last = loop.last %}
    {%- for property_name, rule in event.properties.items() %}
    {%- set definition = registry.properties[property_name] %}
    (
        '{{ name }}',
        '{{ property_name }}',
        '{{ rule.type }}',
        {{ 'true' if rule.required else 'false' }},
        {{ "'" ~ (rule.allowed | join(',')) ~ "'" if rule.allowed else 'null' }},
        {{ rule.minimum if rule.minimum is not none else 'null' }},
        {{ rule.maximum if rule.maximum is not none else 'null' }},
        '{{ definition.privacy }}',
        {{ "'" ~ definition.handling ~ "'" if definition.handling else 'null' }},
        {{ 'true' if definition.context else 'false' }},
        {{ ai_events.string_literal(definition.description) }}
    ){{ ',' if not (outer_last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
) as registry (
    event_name,
    property_name,
    property_type,
    is_required,
    allowed_values,
    minimum_value,
    maximum_value,
    privacy_class,
    privacy_handling,
    is_context,
    description
)
{% endmacro %}
