-- The events that passed the tracking plan, with typed properties: what
-- every domain model reads. A view: the rows live in
-- int_events__deduplicated.

{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_events__deduplicated') }}
    where not is_quarantined
)

select * from events
