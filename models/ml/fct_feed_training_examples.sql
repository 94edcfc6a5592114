-- Training data for the feed ranker, kept apart from product analytics:
-- one row per impression, with the features the ranker logged at serving
-- time (ranking_features_logged for the same feed request and item, the
-- latest at or before the impression) and the user and session context as
-- the impression reported it. The label is a click within
-- var ml_click_label_window_minutes; nothing else is taken from after the
-- impression.

{%- set window_us = var('ml_click_label_window_minutes') * 60 * 1000000 %}

with

impressions as (
    select * from {{ ref('int_feed__impression_outcomes') }}
),

logged_features as (
    select * from {{ ref('int_events__sessionized') }}
    where
        event_name = 'ranking_features_logged'
        and not is_bot
),

features_at_serving as (
    select
        impressions.impression_event_id,
        logged_features.features,
        logged_features.event_at as features_logged_at,
        row_number() over (
            partition by impressions.impression_event_id
            order by logged_features.event_at desc, logged_features.event_id desc
        ) as recency_rank
    from impressions
    inner join logged_features
        on
            impressions.feed_request_id = logged_features.feed_request_id
            and impressions.item_id = logged_features.item_id
            and impressions.impressed_at >= logged_features.event_at
),

final as (
    select
        cast(impressions.impression_event_id as string) as impression_event_id,
        cast(impressions.feed_request_id as string) as feed_request_id,
        cast(impressions.item_id as string) as item_id,
        cast(impressions.actor_id as string) as actor_id,
        cast(impressions.impressed_at as timestamp) as impressed_at,
        cast(impressions.event_date as date) as event_date,
        cast(impressions.model_version as string) as model_version,
        cast(impressions.position as bigint) as position,
        cast(impressions.platform as string) as platform,
        cast(impressions.surface as string) as surface,
        cast(impressions.past_engagement_score as double) as past_engagement_score,
        cast(impressions.session_length as bigint) as session_length,
        cast(features_at_serving.features as string) as features,
        cast(features_at_serving.features_logged_at as timestamp) as features_logged_at,
        coalesce(
            impressions.clicked_at is not null
            and {{ epoch_microseconds('impressions.clicked_at') }}
            - {{ epoch_microseconds('impressions.impressed_at') }} <= {{ window_us }},
            false
        ) as is_clicked_within_window
    from impressions
    left join features_at_serving
        on
            impressions.impression_event_id = features_at_serving.impression_event_id
            and features_at_serving.recency_rank = 1
)

select * from final
