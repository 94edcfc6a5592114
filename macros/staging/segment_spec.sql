{#
    Flattening for the Segment spec, which Segment and RudderStack share:
    the CTEs `landed`, `parsed` and `flattened` (with the columns
    conform_events expects) for one protocol's rows of raw.events.

    - The batch's envelope context is merged under the message's own.
    - The single-call endpoints (/v1/track, ...) imply the type by path.
    - Properties: a track's or page's `properties`, an identify's or group's
      `traits` (a group's groupId added), an alias's previousId.
    - Time: the device's event time corrected by Segment's rule (receive
      time minus the device's delay between event and send) where the
      receive time is known: Segment's or RudderStack's own receivedAt, or
      our collector's. A file loaded directly has no receive time of ours.
#}
{% macro segment_spec_flattened(protocol) %}
    {%- set context_names = ai_events.context_property_names() -%}

    landed as (
        select * from {{ source('raw', 'events') }}
        where source_protocol = '{{ protocol }}'
    ),

    parsed as (
        select
            landed.*,
            {{ ai_events.json_struct('payload', {
                'messageId': 'text', 'type': 'text', 'event': 'text',
                'userId': 'text', 'anonymousId': 'text', 'timestamp': 'text',
                'originalTimestamp': 'text', 'sentAt': 'text',
                'receivedAt': 'text', 'previousId': 'text', 'groupId': 'text',
                'channel': 'text', 'properties': 'json', 'traits': 'json',
                'context': 'json',
            }) }} as message,
            {{ ai_events.json_struct('envelope', {
                'sentAt': 'text', 'receivedAt': 'text', 'context': 'json',
            }) }} as batch,
            {{ ai_events.json_struct('request', {'path': 'text', 'user_agent': 'text'}) }}
                as collected
        from landed
    ),

    with_context as (
        select
            *,
            case
                when batch.context is null then message.context
                else {{ ai_events.json_merge('batch.context', 'message.context') }}
            end as merged_context
        from parsed
    ),

    with_context_fields as (
        select
            *,
            {{ ai_events.json_struct('merged_context', {
                'userAgent': 'text', 'user_agent': 'text',
                'library': {'name': 'text'}, 'os': {'name': 'text'},
                'device': {'id': 'text', 'type': 'text'},
                'app': {'version': 'text'}, 'traits': 'json',
            }) }} as context,
            {{ ai_events.json_raw_fields('merged_context', context_names) }}
                as custom_context
        from with_context
    ),

    typed as (
        select
            *,
            coalesce(
                message.type,
                regexp_extract(collected.path, '/v1/([a-z]+)$', 1)
            ) as call_type,
            {{ ai_events.parse_iso_timestamp(
                'coalesce(message.originalTimestamp, message.timestamp)'
            ) }} as device_event_at,
            {{ ai_events.parse_iso_timestamp('coalesce(message.sentAt, batch.sentAt)') }}
                as device_sent_at,
            coalesce(
                {{ ai_events.parse_iso_timestamp(
                    'coalesce(message.receivedAt, batch.receivedAt)'
                ) }},
                case when request is not null then received_at end
            ) as server_received_at
        from with_context_fields
    ),

    flattened as (
        select
            coalesce(
                message.messageId,
                'sha256:' || {{ ai_events.sha256_hex('cast(payload as string)') }}
            ) as event_id,
            source_protocol,
            call_type as event_type,
            case when call_type = 'track' then message.event else call_type end
                as event_name_raw,
            {{ ai_events.normalize_event_name(
                "case when call_type = 'track' then message.event else call_type end"
            ) }} as event_name_normalized,
            {{ ai_events.clean_identifier('message.userId') }} as user_id,
            {{ ai_events.clean_identifier('message.anonymousId') }} as anonymous_id,
            {{ ai_events.clean_identifier('context.device.id') }} as device_id,
            case
                when
                    device_event_at is not null
                    and device_sent_at is not null
                    and server_received_at is not null
                    then {{ ai_events.skew_corrected_at(
                        'device_event_at', 'device_sent_at', 'server_received_at'
                    ) }}
                else coalesce(device_event_at, server_received_at, received_at)
            end as event_at,
            device_event_at as original_at,
            device_sent_at as sent_at,
            server_received_at as received_at,
            device_event_at is null as is_event_time_fallback,
            coalesce(context.userAgent, context.user_agent, collected.user_agent)
                as user_agent,
            false as is_bot_by_tracker,
            load_id,
            loaded_at,
            source_file,
            source_line,
            source_index,
            case
                when call_type = 'identify'
                    then coalesce(message.traits, context.traits)
                when call_type = 'group'
                    then {{ ai_events.json_merge(
                        'message.traits',
                        ai_events.json_object_of([('group_id', 'message.groupId')]),
                    ) }}
                when call_type = 'alias'
                    then {{ ai_events.json_object_of([('previous_id', 'message.previousId')]) }}
                else message.properties
            end as properties,
            {{ ai_events.context_property_columns({
                'platform':
                    'coalesce(custom_context.platform, '
                    ~ ai_events.json_quote_text(
                        'coalesce('
                        ~ ai_events.normalize_platform('context.os.name') ~ ', '
                        ~ ai_events.normalize_platform('context.device.type') ~ ', '
                        ~ ai_events.normalize_platform('message.channel') ~ ', '
                        ~ ai_events.normalize_platform('context.library.name') ~ ')'
                    ) ~ ')',
                'app_version':
                    'coalesce(custom_context.app_version, '
                    ~ ai_events.json_quote_text('context.app.version') ~ ')',
            }) | indent(12) }}
        from typed
    )
{% endmacro %}
