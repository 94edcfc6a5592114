-- Segment HTTP API events, one row per event landed, flattened and typed.
-- Batch-level sentAt and context (on the envelope) fill in what a message
-- leaves out; the message's own values win.

with

landed as (
    select * from {{ source('raw', 'events') }}
    where source_protocol = 'segment'
),

flattened as (
    select
        {{ json_text('payload', '$.messageId') }} as message_id,
        source_protocol,
        coalesce(
            {{ json_text('payload', '$.type') }},
            -- The single-call endpoints (/v1/track, ...) imply the type.
            regexp_extract({{ json_text('request', '$.path') }}, '/v1/([a-z]+)$', 1)
        ) as event_type,
        {{ json_text('payload', '$.event') }} as track_event_name,
        {{ json_text('payload', '$.name') }} as page_name,
        {{ json_text('payload', '$.userId') }} as user_id,
        {{ json_text('payload', '$.anonymousId') }} as anonymous_id,
        coalesce(
            {{ json_text('payload', '$.originalTimestamp') }},
            {{ json_text('payload', '$.timestamp') }}
        ) as original_timestamp_text,
        coalesce(
            {{ json_text('payload', '$.sentAt') }},
            {{ json_text('envelope', '$.sentAt') }}
        ) as sent_at_text,
        -- A true receive time: Segment's or RudderStack's own (on exported or
        -- server-stored events), else our collector's. A file loaded directly
        -- has none; its load time says nothing about when the event arrived.
        coalesce(
            {{ json_text('payload', '$.receivedAt') }},
            {{ json_text('envelope', '$.receivedAt') }}
        ) as tracker_received_at_text,
        case when request is not null then received_at end
            as collector_received_at,
        {{ json_value('payload', '$.properties') }} as properties,
        {{ json_merge(
            json_value('envelope', '$.context'),
            json_value('payload', '$.context'),
        ) }} as context,
        load_id,
        loaded_at,
        source_file,
        source_line,
        source_index
    from landed
),

timed as (
    select
        *,
        {{ parse_iso_timestamp('original_timestamp_text') }} as original_at,
        {{ parse_iso_timestamp('sent_at_text') }} as sent_at,
        coalesce(
            {{ parse_iso_timestamp('tracker_received_at_text') }},
            collector_received_at
        ) as received_at
    from flattened
),

named as (
    select
        *,
        case
            when event_type = 'track' then track_event_name
            when event_type in ('page', 'screen') then coalesce(page_name, event_type)
            else event_type
        end as event_name_raw
    from timed
),

final as (
    select
        message_id as event_id,
        source_protocol,
        event_type,
        event_name_raw,
        {{ normalize_event_name('event_name_raw') }} as event_name,
        user_id,
        anonymous_id,
        -- Segment's clock-skew rule: the device's delay between the event
        -- and the send, taken off our own receive time.
        case
            when
                original_at is not null
                and sent_at is not null
                and received_at is not null
                then received_at - (sent_at - original_at)
            else coalesce(original_at, received_at, loaded_at)
        end as event_at,
        original_at,
        sent_at,
        received_at,
        original_at is null as is_timestamp_missing_or_malformed,
        properties,
        context,
        load_id,
        loaded_at,
        source_file,
        source_line,
        source_index
    from named
)

select * from final
