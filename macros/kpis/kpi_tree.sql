{# Generated from kpis/tree.yml by `ai-events taxonomy generate`; do not edit. #}
{% macro kpi_tree() %}
    {{ return(fromjson('{
 "nodes": [
  {
   "contributions": {},
   "depth": 2,
   "description": "Support conversations started.",
   "expression": "sum(conversations)",
   "formula": null,
   "formula_sql": null,
   "id": "chatbot_conversations",
   "model": "fct_chatbot_daily",
   "name": "Support conversations",
   "parent": "conversations_resolved"
  },
  {
   "contributions": {},
   "depth": 2,
   "description": "Conversations resolved over conversations started (open ones included).",
   "expression": "sum(resolved) / nullif(sum(conversations), 0)",
   "formula": null,
   "formula_sql": null,
   "id": "chatbot_resolved_share",
   "model": "fct_chatbot_daily",
   "name": "Share of conversations resolved",
   "parent": "conversations_resolved"
  },
  {
   "contributions": {},
   "depth": 2,
   "description": "Impressions clicked over impressions.",
   "expression": "sum(clicks) / nullif(sum(impressions), 0)",
   "formula": null,
   "formula_sql": null,
   "id": "feed_click_through_rate",
   "model": "fct_feed_ctr",
   "name": "Feed click-through rate",
   "parent": "feed_clicks"
  },
  {
   "contributions": {},
   "depth": 2,
   "description": "Items shown in feed responses.",
   "expression": "sum(impressions)",
   "formula": null,
   "formula_sql": null,
   "id": "feed_impressions",
   "model": "fct_feed_ctr",
   "name": "Feed impressions",
   "parent": "feed_clicks"
  },
  {
   "contributions": {},
   "depth": 2,
   "description": "Suggestions accepted over suggestions shown.",
   "expression": "sum(suggestions_accepted) / nullif(sum(suggestions_shown), 0)",
   "formula": null,
   "formula_sql": null,
   "id": "suggestion_acceptance_rate",
   "model": "fct_suggestion_funnel",
   "name": "Suggestion acceptance rate",
   "parent": "suggestions_accepted"
  },
  {
   "contributions": {},
   "depth": 2,
   "description": "AI writing suggestions shown.",
   "expression": "sum(suggestions_shown)",
   "formula": null,
   "formula_sql": null,
   "id": "suggestions_shown",
   "model": "fct_suggestion_funnel",
   "name": "Suggestions shown",
   "parent": "suggestions_accepted"
  },
  {
   "contributions": {
    "chatbot_conversations": "0.5 * (((v_chatbot_conversations * p_chatbot_resolved_share) - (p_chatbot_conversations * p_chatbot_resolved_share)) + ((v_chatbot_conversations * v_chatbot_resolved_share) - (p_chatbot_conversations * v_chatbot_resolved_share)))",
    "chatbot_resolved_share": "0.5 * (((p_chatbot_conversations * v_chatbot_resolved_share) - (p_chatbot_conversations * p_chatbot_resolved_share)) + ((v_chatbot_conversations * v_chatbot_resolved_share) - (v_chatbot_conversations * p_chatbot_resolved_share)))"
   },
   "depth": 1,
   "description": "Support conversations the assistant resolved, on the day they started.",
   "expression": null,
   "formula": "chatbot_conversations * chatbot_resolved_share",
   "formula_sql": "(v_chatbot_conversations * v_chatbot_resolved_share)",
   "id": "conversations_resolved",
   "model": null,
   "name": "Conversations resolved",
   "parent": "ai_assisted_outcomes"
  },
  {
   "contributions": {
    "feed_click_through_rate": "0.5 * (((p_feed_impressions * v_feed_click_through_rate) - (p_feed_impressions * p_feed_click_through_rate)) + ((v_feed_impressions * v_feed_click_through_rate) - (v_feed_impressions * p_feed_click_through_rate)))",
    "feed_impressions": "0.5 * (((v_feed_impressions * p_feed_click_through_rate) - (p_feed_impressions * p_feed_click_through_rate)) + ((v_feed_impressions * v_feed_click_through_rate) - (p_feed_impressions * v_feed_click_through_rate)))"
   },
   "depth": 1,
   "description": "Recommended items clicked (impressions clicked at least once).",
   "expression": null,
   "formula": "feed_impressions * feed_click_through_rate",
   "formula_sql": "(v_feed_impressions * v_feed_click_through_rate)",
   "id": "feed_clicks",
   "model": null,
   "name": "Feed clicks",
   "parent": "ai_assisted_outcomes"
  },
  {
   "contributions": {
    "suggestion_acceptance_rate": "0.5 * (((p_suggestions_shown * v_suggestion_acceptance_rate) - (p_suggestions_shown * p_suggestion_acceptance_rate)) + ((v_suggestions_shown * v_suggestion_acceptance_rate) - (v_suggestions_shown * p_suggestion_acceptance_rate)))",
    "suggestions_shown": "0.5 * (((v_suggestions_shown * p_suggestion_acceptance_rate) - (p_suggestions_shown * p_suggestion_acceptance_rate)) + ((v_suggestions_shown * v_suggestion_acceptance_rate) - (p_suggestions_shown * v_suggestion_acceptance_rate)))"
   },
   "depth": 1,
   "description": "AI writing suggestions accepted, on the day they were shown.",
   "expression": null,
   "formula": "suggestions_shown * suggestion_acceptance_rate",
   "formula_sql": "(v_suggestions_shown * v_suggestion_acceptance_rate)",
   "id": "suggestions_accepted",
   "model": null,
   "name": "Suggestions accepted",
   "parent": "ai_assisted_outcomes"
  },
  {
   "contributions": {
    "conversations_resolved": "(v_conversations_resolved - p_conversations_resolved)",
    "feed_clicks": "(v_feed_clicks - p_feed_clicks)",
    "suggestions_accepted": "(v_suggestions_accepted - p_suggestions_accepted)"
   },
   "depth": 0,
   "description": "Times an AI surface did its job for a user: a recommended item clicked, a writing suggestion accepted, a support conversation resolved by the assistant.\\n",
   "expression": null,
   "formula": "feed_clicks + suggestions_accepted + conversations_resolved",
   "formula_sql": "(v_feed_clicks + v_suggestions_accepted + v_conversations_resolved)",
   "id": "ai_assisted_outcomes",
   "model": null,
   "name": "AI-assisted outcomes",
   "parent": null
  }
 ],
 "north_star": "ai_assisted_outcomes"
}')) }}
{% endmacro %}
