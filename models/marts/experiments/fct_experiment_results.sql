-- Experiments by variant: the users exposed (after identity stitching,
-- each once, in the variant they saw first) and the headline metric of each
-- AI surface for what they did from their first exposure on, with a
-- sample-ratio-mismatch check: a chi-square test of the exposures per
-- variant against the planned split (even, unless var
-- experiment_allocations says otherwise).

with

exposures as (
    select * from {{ ref('int_experiments__exposures') }}
),

impressions as (
    select * from {{ ref('int_feed__impression_outcomes') }}
),

suggestions as (
    select * from {{ ref('int_compose__suggestions') }}
),

conversations as (
    select * from {{ ref('int_chatbot__conversations') }}
),

feed_after_exposure as (
    select
        exposures.experiment_id,
        exposures.variant,
        count(*) as impressions,
        sum(case when impressions.is_clicked then 1 else 0 end) as clicks
    from exposures
    inner join impressions
        on
            exposures.actor_id = impressions.actor_id
            and exposures.first_exposed_at <= impressions.impressed_at
    group by exposures.experiment_id, exposures.variant
),

compose_after_exposure as (
    select
        exposures.experiment_id,
        exposures.variant,
        count(*) as suggestions_shown,
        sum(case when suggestions.is_accepted then 1 else 0 end)
            as suggestions_accepted
    from exposures
    inner join suggestions
        on
            exposures.actor_id = suggestions.actor_id
            and exposures.first_exposed_at <= suggestions.shown_at
    group by exposures.experiment_id, exposures.variant
),

chatbot_after_exposure as (
    select
        exposures.experiment_id,
        exposures.variant,
        count(*) as conversations,
        sum(case when conversations.outcome = 'resolved' then 1 else 0 end)
            as resolved_conversations,
        sum(case when conversations.outcome <> 'open' then 1 else 0 end)
            as closed_conversations
    from exposures
    inner join conversations
        on
            exposures.actor_id = conversations.actor_id
            and exposures.first_exposed_at <= conversations.started_at
    group by exposures.experiment_id, exposures.variant
),

by_variant as (
    select
        experiment_id,
        variant,
        count(*) as exposed_users,
        sum(case when saw_several_variants then 1 else 0 end)
            as users_in_several_variants,
        min(first_exposed_at) as first_exposed_at,
        max(first_exposed_at) as last_exposed_at
    from exposures
    group by experiment_id, variant
),

with_expected as (
    select
        *,
        sum(exposed_users) over (partition by experiment_id) as experiment_users,
        count(*) over (partition by experiment_id) as variants,
        {{ experiment_expected_share('experiment_id', 'variant') }}
            as expected_share
    from by_variant
),

chi_square as (
    select
        *,
        sum(
            power(exposed_users - expected_share * experiment_users, 2)
            / (expected_share * experiment_users)
        ) over (partition by experiment_id) as srm_chi_square
    from with_expected
),

final as (
    select
        cast(chi_square.experiment_id as string) as experiment_id,
        cast(chi_square.variant as string) as variant,
        cast(chi_square.exposed_users as bigint) as exposed_users,
        cast(chi_square.users_in_several_variants as bigint)
            as users_in_several_variants,
        cast(chi_square.first_exposed_at as timestamp) as first_exposed_at,
        cast(chi_square.last_exposed_at as timestamp) as last_exposed_at,
        cast(chi_square.expected_share as double) as expected_share,
        cast(chi_square.exposed_users as double) / chi_square.experiment_users
            as observed_share,
        cast(coalesce(feed.impressions, 0) as bigint) as impressions,
        cast(coalesce(feed.clicks, 0) as bigint) as clicks,
        {{ safe_rate('feed.clicks', 'feed.impressions') }} as click_through_rate,
        cast(coalesce(compose.suggestions_shown, 0) as bigint) as suggestions_shown,
        cast(coalesce(compose.suggestions_accepted, 0) as bigint)
            as suggestions_accepted,
        {{ safe_rate(
            'compose.suggestions_accepted', 'compose.suggestions_shown'
        ) }} as acceptance_rate,
        cast(coalesce(chatbot.conversations, 0) as bigint) as conversations,
        cast(coalesce(chatbot.resolved_conversations, 0) as bigint)
            as resolved_conversations,
        {{ safe_rate(
            'chatbot.resolved_conversations', 'chatbot.closed_conversations'
        ) }} as resolution_rate,
        cast(chi_square.srm_chi_square as double) as srm_chi_square,
        cast(
            {{ chi_square_p_value(
                'chi_square.srm_chi_square', 'chi_square.variants - 1'
            ) }} as double
        ) as srm_p_value,
        coalesce(
            {{ chi_square_p_value(
                'chi_square.srm_chi_square', 'chi_square.variants - 1'
            ) }} < {{ var('srm_p_value_threshold') }},
            false
        ) as has_sample_ratio_mismatch
    from chi_square
    left join feed_after_exposure as feed
        on
            chi_square.experiment_id = feed.experiment_id
            and chi_square.variant = feed.variant
    left join compose_after_exposure as compose
        on
            chi_square.experiment_id = compose.experiment_id
            and chi_square.variant = compose.variant
    left join chatbot_after_exposure as chatbot
        on
            chi_square.experiment_id = chatbot.experiment_id
            and chi_square.variant = chatbot.variant
)

select * from final
