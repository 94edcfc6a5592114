-- Segment HTTP API events, one row per event landed: flattened, timed and
-- checked against the tracking plan (see macros/staging/segment_spec.sql
-- and macros/taxonomy/conform_events.sql).

{{ config(materialized=staging_materialization()) }}

with

{{ segment_spec_flattened('segment') }},

{{ conform_events('flattened') }}

select * from conformed
