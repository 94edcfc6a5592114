-- Snowplow events, one row per event landed: tracker-protocol-2 events (POST
-- payload_data and GET pixel requests) and enriched events as JSON,
-- flattened to one shape, timed and checked against the tracking plan.
--
-- A self-describing event takes its name from its schema URI
-- (iglu:com.acme/item_clicked/jsonschema/1-0-0 names item_clicked). Time
-- follows Snowplow's derived timestamp: the true timestamp when the tracker
-- set one, else the collector's receive time less the device's delay
-- between creating and sending the event, else the device's own time.

{{ config(materialized=staging_materialization()) }}

with

landed as (
    select * from {{ source('raw', 'events') }}
    where source_protocol in ('snowplow', 'snowplow_enriched')
),

-- Tracker protocol 2 ---------------------------------------------------------

tracker_events as (
    select
        landed.*,
        {{ json_struct('payload', {
            'e': 'text', 'eid': 'text', 'p': 'text', 'uid': 'text',
            'duid': 'text', 'nuid': 'text', 'dtm': 'text', 'stm': 'text',
            'ttm': 'text', 'url': 'text', 'page': 'text', 'ua': 'text',
            'ue_pr': 'text', 'ue_px': 'text', 'co': 'text', 'cx': 'text',
            'se_ca': 'text', 'se_ac': 'text', 'se_la': 'text',
            'se_pr': 'text', 'se_va': 'text',
        }) }} as tp,
        {{ json_struct('request', {'user_agent': 'text'}) }} as collected
    from landed
    where source_protocol = 'snowplow'
),

tracker_decoded as (
    select
        *,
        coalesce(
            nullif(tp.ue_pr, ''), {{ base64url_decode_text("nullif(tp.ue_px, '')") }}
        ) as self_describing_decoded,
        coalesce(nullif(tp.co, ''), {{ base64url_decode_text("nullif(tp.cx, '')") }})
            as contexts_decoded
    from tracker_events
),

-- Garbled JSON (a broken tracker) reads as none: the event is then
-- quarantined, not the whole model failed.
tracker_validated as (
    select
        *,
        {{ json_if_valid('self_describing_decoded') }} as self_describing_text,
        {{ json_if_valid('contexts_decoded') }} as contexts_text
    from tracker_decoded
),

tracker_parsed as (
    select
        *,
        {{ json_struct('self_describing_text', {
            'data': {'schema': 'text', 'data': 'json'},
        }) }} as self_describing,
        {{ epoch_ms_to_timestamp('tp.dtm') }} as device_created_at,
        {{ epoch_ms_to_timestamp('tp.stm') }} as device_sent_at,
        {{ epoch_ms_to_timestamp('tp.ttm') }} as true_at,
        case when request is not null then received_at end as collector_at
    from tracker_validated
),

tracker_flattened as (
    select
        coalesce(
            tp.eid, 'sha256:' || {{ sha256_hex('cast(payload as string)') }}
        ) as event_id,
        source_protocol,
        case tp.e
            when 'pv' then 'page'
            when 'pp' then 'page_ping'
            when 'ue' then 'track'
            when 'se' then 'track'
            when 'tr' then 'transaction'
            when 'ti' then 'transaction_item'
            else tp.e
        end as event_type,
        case tp.e
            when 'ue'
                then regexp_extract(
                    self_describing.data.schema, '^iglu:[^/]+/([^/]+)/', 1
                )
            when 'pv' then 'page_view'
            when 'pp' then 'page_ping'
            when 'se' then tp.se_ac
            else tp.e
        end as event_name_raw,
        tp.uid as user_id_text,
        tp.duid as anonymous_id_text,
        tp.nuid as device_id_text,
        device_created_at,
        device_sent_at,
        true_at,
        collector_at,
        cast(null as timestamp) as derived_at,
        coalesce(tp.ua, collected.user_agent) as user_agent,
        case
            when tp.e = 'ue' then self_describing.data.data
            when tp.e in ('pv', 'pp')
                then {{ json_object_of([
                    ('path', "regexp_extract(tp.url, '^[a-zA-Z]+://[^/]+([^?#]*)', 1)"),
                    ('title', 'tp.page'),
                ]) }}
            when tp.e = 'se'
                then {{ json_object_of([
                    ('category', 'tp.se_ca'), ('label', 'tp.se_la'),
                    ('property', 'tp.se_pr'), ('value', 'tp.se_va'),
                ]) }}
        end as properties,
        tp.p as tracker_platform,
        {{ json_unquote(
            'cast(' ~ json_first_in_array('contexts_text', '$.data', '$.data.osType')
            ~ ' as string)'
        ) }} as context_os_type,
        cast(
            {{ json_first_in_array('contexts_text', '$.data', '$.data.spiderOrRobot') }}
            as string
        ) as context_spider_or_robot,
        {{ context_property_columns(
            default=json_first_in_array('contexts_text', '$.data', '$.data.{name}'),
            prefix='custom_',
        ) | indent(8) }},
        load_id,
        loaded_at,
        source_file,
        source_line,
        source_index
    from tracker_parsed
),

-- Enriched events as JSON ----------------------------------------------------

enriched_events as (
    select
        landed.*,
        {{ json_struct('payload', {
            'event_id': 'text', 'event': 'text', 'event_name': 'text',
            'user_id': 'text', 'domain_userid': 'text',
            'network_userid': 'text', 'platform': 'text',
            'collector_tstamp': 'text', 'dvce_created_tstamp': 'text',
            'dvce_sent_tstamp': 'text', 'true_tstamp': 'text',
            'derived_tstamp': 'text', 'useragent': 'text',
            'page_urlpath': 'text', 'page_title': 'text',
            'se_category': 'text', 'se_action': 'text', 'se_label': 'text',
            'se_property': 'text', 'se_value': 'text',
            'contexts_com_snowplowanalytics_snowplow_spiders_and_robots_1': 'json',
            'contexts_com_snowplowanalytics_snowplow_mobile_context_1': 'json',
        }) }} as enriched
    from landed
    where source_protocol = 'snowplow_enriched'
),

enriched_flattened as (
    select
        coalesce(
            enriched.event_id,
            'sha256:' || {{ sha256_hex('cast(payload as string)') }}
        ) as event_id,
        source_protocol,
        case enriched.event
            when 'page_view' then 'page'
            when 'page_ping' then 'page_ping'
            when 'unstruct' then 'track'
            when 'struct' then 'track'
            else enriched.event
        end as event_type,
        case enriched.event
            when 'struct' then enriched.se_action
            else coalesce(enriched.event_name, enriched.event)
        end as event_name_raw,
        enriched.user_id as user_id_text,
        enriched.domain_userid as anonymous_id_text,
        enriched.network_userid as device_id_text,
        {{ parse_iso_timestamp('enriched.dvce_created_tstamp') }} as device_created_at,
        {{ parse_iso_timestamp('enriched.dvce_sent_tstamp') }} as device_sent_at,
        {{ parse_iso_timestamp('enriched.true_tstamp') }} as true_at,
        {{ parse_iso_timestamp('enriched.collector_tstamp') }} as collector_at,
        {{ parse_iso_timestamp('enriched.derived_tstamp') }} as derived_at,
        enriched.useragent as user_agent,
        case
            when enriched.event = 'unstruct'
                then {{ json_value_by_key_prefix('payload', 'unstruct_event_') }}
            when enriched.event in ('page_view', 'page_ping')
                then {{ json_object_of([
                    ('path', 'enriched.page_urlpath'), ('title', 'enriched.page_title'),
                ]) }}
            when enriched.event = 'struct'
                then {{ json_object_of([
                    ('category', 'enriched.se_category'),
                    ('label', 'enriched.se_label'),
                    ('property', 'enriched.se_property'),
                    ('value', 'enriched.se_value'),
                ]) }}
        end as properties,
        enriched.platform as tracker_platform,
        {{ json_text(
            'enriched.contexts_com_snowplowanalytics_snowplow_mobile_context_1',
            '$[0].osType'
        ) }} as context_os_type,
        {{ json_text(
            'enriched.contexts_com_snowplowanalytics_snowplow_spiders_and_robots_1',
            '$[0].spiderOrRobot'
        ) }} as context_spider_or_robot,
        {{ context_property_columns(default='null', prefix='custom_') | indent(8) }},
        load_id,
        loaded_at,
        source_file,
        source_line,
        source_index
    from enriched_events
),

unioned as (
    select * from tracker_flattened
    union all
    select * from enriched_flattened
),

flattened as (
    select
        event_id,
        source_protocol,
        event_type,
        event_name_raw,
        {{ normalize_event_name('event_name_raw') }} as event_name_normalized,
        {{ clean_identifier('user_id_text') }} as user_id,
        {{ clean_identifier('anonymous_id_text') }} as anonymous_id,
        {{ clean_identifier('device_id_text') }} as device_id,
        coalesce(
            true_at,
            derived_at,
            case
                when
                    device_created_at is not null
                    and device_sent_at is not null
                    and collector_at is not null
                    then {{ skew_corrected_at(
                        'device_created_at', 'device_sent_at', 'collector_at'
                    ) }}
            end,
            device_created_at,
            collector_at,
            loaded_at
        ) as event_at,
        coalesce(true_at, device_created_at) as original_at,
        device_sent_at as sent_at,
        collector_at as received_at,
        coalesce(true_at, device_created_at, derived_at) is null
            as is_event_time_fallback,
        user_agent,
        coalesce(context_spider_or_robot = 'true', false) as is_bot_by_tracker,
        load_id,
        loaded_at,
        source_file,
        source_line,
        source_index,
        properties,
        {{ context_property_columns({
            'platform':
                'coalesce(custom_platform, ' ~ json_quote_text(
                    'coalesce(' ~ normalize_platform('context_os_type')
                    ~ ', ' ~ normalize_platform('tracker_platform') ~ ')'
                ) ~ ')',
        }, default='custom_{name}') | indent(8) }}
    from unioned
),

{{ conform_events('flattened') }}

select * from conformed
