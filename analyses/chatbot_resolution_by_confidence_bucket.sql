-- Support-chatbot resolution by the intent classifier's mean confidence over
-- the last seven complete days, per model version: resolved over closed
-- conversations summed over the days. A calibrated classifier resolves more
-- of the conversations it is sure about.

select
    model_version,
    confidence_bucket_lower,
    confidence_bucket_upper,
    sum(closed_conversations) as closed_conversations,
    sum(resolved) as resolved,
    sum(resolved) / nullif(sum(closed_conversations), 0) as resolution_rate,
    sum(mean_intent_confidence * closed_conversations)
    / nullif(sum(closed_conversations), 0) as mean_intent_confidence
from {{ ref('fct_chatbot_confidence_calibration') }}
where
    event_date >= current_date - 7
    and event_date < current_date
group by model_version, confidence_bucket_lower, confidence_bucket_upper
order by model_version, confidence_bucket_lower
