{#
    Taxonomy migrations: while a deprecated name and its replacement are both
    sent for one action (a dual write), the action must count once.

    dual_write_duplicates(events_cte) emits a select of the event ids of
    old-name events that have a twin under the new name: the same actor, the
    same values of the replacement's identifying properties (its action_key,
    else its required properties), and event times at most
    var dual_write_tolerance_seconds apart. Old-name events without a twin
    (old clients that send only the old name) are kept.
#}
{% macro dual_write_duplicates(events_cte) %}
    {%- set registry = ai_events.taxonomy_registry() -%}
    {%- set tolerance_us = var('dual_write_tolerance_seconds') * 1000000 -%}
    {%- set arms = [] -%}
    {%- for name, event in registry.events.items() if event.replaced_by -%}
        {%- set replacement = registry.events[event.replaced_by] -%}
        {%- set key_match = [] -%}
        {%- for key in replacement.action_key -%}
            {%- do key_match.append(
                '(old.' ~ key ~ ' = new.' ~ key
                ~ ' or (old.' ~ key ~ ' is null and new.' ~ key ~ ' is null))'
            ) -%}
        {%- endfor -%}
        {%- do arms.append(
            'select old.event_id from ' ~ events_cte ~ ' as old'
            ~ ' inner join ' ~ events_cte ~ ' as new'
            ~ " on old.registry_event_name = '" ~ name ~ "'"
            ~ " and new.registry_event_name = '" ~ event.replaced_by ~ "'"
            ~ ' and old.actor_id = new.actor_id'
            ~ ((' and ' ~ key_match | join(' and ')) if key_match else '')
            ~ ' and abs(' ~ ai_events.epoch_microseconds('old.event_at')
            ~ ' - ' ~ ai_events.epoch_microseconds('new.event_at') ~ ') <= '
            ~ tolerance_us
        ) -%}
    {%- endfor -%}
    {%- if arms -%}
        select distinct event_id from ({{ arms | join(' union all ') }}) as twins
    {%- else -%}
        select cast(null as string) as event_id where false
    {%- endif -%}
{% endmacro %}
