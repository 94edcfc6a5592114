-- RudderStack events (HTTP API batches and single calls, and batches as the
-- RudderStack server stores them), one row per event landed: flattened,
-- timed and checked against the tracking plan. RudderStack follows the
-- Segment spec, so the flattening is shared.

{{ config(materialized=staging_materialization()) }}

with

{{ segment_spec_flattened('rudderstack') }},

{{ conform_events('flattened') }}

select * from conformed
