-- Amplitude events, one row per event landed: HTTP API v2 uploads (and the
-- batch API) and export files, flattened to one shape, timed and checked
-- against the tracking plan.
--
-- The event id is insert_id, Amplitude's own deduplication key ($insert_id
-- in exports), else the export's uuid. Time: an export's event_time is
-- already corrected by Amplitude for the device's clock; an upload carries
-- only the device's `time` (epoch milliseconds) and no send time, so its
-- clock skew cannot be corrected. $identify calls become user_identified,
-- with the traits set in user_properties.$set.

{{ config(materialized=staging_materialization()) }}

{%- set context_names = context_property_names() %}

with

landed as (
    select * from {{ source('raw', 'events') }}
    where source_protocol in ('amplitude', 'amplitude_export')
),

parsed as (
    select
        landed.*,
        {{ json_struct('payload', {
            'insert_id': 'text', '$insert_id': 'text', 'uuid': 'text',
            'event_type': 'text', 'user_id': 'text', 'device_id': 'text',
            'time': 'text', 'event_time': 'text', 'client_event_time': 'text',
            'client_upload_time': 'text', 'server_received_time': 'text',
            'server_upload_time': 'text', 'platform': 'text', 'os_name': 'text',
            'app_version': 'text', 'version_name': 'text',
            'user_agent': 'text', 'event_properties': 'json',
            'user_properties': 'json',
        }) }} as amp,
        {{ json_struct('request', {'user_agent': 'text'}) }} as collected
    from landed
),

with_user_properties as (
    select
        *,
        {{ json_struct('amp.user_properties', {'$set': 'json'}) }} as user_properties,
        {{ json_raw_fields('amp.user_properties', context_names) }} as custom_context,
        {{ epoch_ms_to_timestamp('amp.time') }} as device_event_at,
        {{ parse_iso_timestamp('amp.event_time') }} as amplitude_event_at,
        {{ parse_iso_timestamp('amp.client_event_time') }} as client_event_at,
        {{ parse_iso_timestamp('amp.client_upload_time') }} as client_upload_at,
        coalesce(
            {{ parse_iso_timestamp('amp.server_received_time') }},
            {{ parse_iso_timestamp('amp.server_upload_time') }},
            case when request is not null then received_at end
        ) as server_received_at
    from parsed
),

flattened as (
    select
        coalesce(
            amp.insert_id,
            amp.{{ adapter.quote('$insert_id') }},
            amp.uuid,
            'sha256:' || {{ sha256_hex('cast(payload as string)') }}
        ) as event_id,
        source_protocol,
        case amp.event_type when '$identify' then 'identify' else 'track' end
            as event_type,
        case amp.event_type when '$identify' then 'identify' else amp.event_type end
            as event_name_raw,
        {{ normalize_event_name(
            "case amp.event_type when '$identify' then 'identify' "
            ~ "else amp.event_type end"
        ) }} as event_name_normalized,
        {{ clean_identifier('amp.user_id') }} as user_id,
        {{ clean_identifier('amp.device_id') }} as anonymous_id,
        {{ clean_identifier('amp.device_id') }} as device_id,
        coalesce(
            amplitude_event_at,
            case
                when
                    client_event_at is not null
                    and client_upload_at is not null
                    and server_received_at is not null
                    then {{ skew_corrected_at(
                        'client_event_at', 'client_upload_at', 'server_received_at'
                    ) }}
            end,
            device_event_at,
            client_event_at,
            server_received_at,
            loaded_at
        ) as event_at,
        coalesce(device_event_at, client_event_at) as original_at,
        client_upload_at as sent_at,
        server_received_at as received_at,
        coalesce(amplitude_event_at, device_event_at, client_event_at) is null
            as is_event_time_fallback,
        coalesce(amp.user_agent, collected.user_agent) as user_agent,
        false as is_bot_by_tracker,
        load_id,
        loaded_at,
        source_file,
        source_line,
        source_index,
        case
            when amp.event_type = '$identify'
                then user_properties.{{ adapter.quote('$set') }}
            else amp.event_properties
        end as properties,
        {{ context_property_columns({
            'platform':
                'coalesce(cast(custom_context.platform as string), '
                ~ json_quote_text(
                    'coalesce(' ~ normalize_platform('amp.platform') ~ ', '
                    ~ normalize_platform('amp.os_name') ~ ')'
                ) ~ ')',
            'app_version':
                'coalesce(cast(custom_context.app_version as string), '
                ~ json_quote_text('coalesce(amp.app_version, amp.version_name)') ~ ')',
        }) | indent(8) }}
    from with_user_properties
),

{{ conform_events('flattened') }}

select * from conformed
