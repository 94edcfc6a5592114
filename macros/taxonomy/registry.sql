{# Generated from taxonomy/ by `ai-events taxonomy generate`; do not edit. #}
{% macro taxonomy_registry() %}
    {{ return(fromjson('{
 "events": {
  "answer_retrieved": {
   "action_key": [
    "conversation_id",
    "model_version"
   ],
   "description": "The assistant answered from retrieved knowledge-base documents.",
   "domain": "chatbot",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "support-ai",
   "properties": {
    "conversation_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "latency_ms": {
     "allowed": null,
     "maximum": null,
     "minimum": 0,
     "required": false,
     "type": "integer"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "retrieved_document_count": {
     "allowed": null,
     "maximum": null,
     "minimum": 0,
     "required": false,
     "type": "integer"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "conversation_ended": {
   "action_key": [
    "conversation_id",
    "outcome"
   ],
   "description": "The conversation ended, resolved, escalated to a human or abandoned.",
   "domain": "chatbot",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "support-ai",
   "properties": {
    "conversation_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "outcome": {
     "allowed": [
      "resolved",
      "escalated",
      "abandoned"
     ],
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "conversation_started": {
   "action_key": [
    "conversation_id"
   ],
   "description": "A user opened a conversation with the support assistant.",
   "domain": "chatbot",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "support-ai",
   "properties": {
    "app_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "conversation_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "experiment_exposed": {
   "action_key": [
    "experiment_id",
    "variant"
   ],
   "description": "The user was exposed to an experiment arm.",
   "domain": "experiments",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "experimentation",
   "properties": {
    "experiment_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "variant": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "feed_scrolled_past": {
   "action_key": [
    "feed_request_id",
    "item_id"
   ],
   "description": "The user scrolled past an item without acting on it.",
   "domain": "feed",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "feed-ranking",
   "properties": {
    "feed_request_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "item_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "position": {
     "allowed": null,
     "maximum": null,
     "minimum": 1,
     "required": true,
     "type": "integer"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "feedback_given": {
   "action_key": [
    "conversation_id",
    "rating"
   ],
   "description": "The user rated an answer.",
   "domain": "chatbot",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "support-ai",
   "properties": {
    "conversation_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "rating": {
     "allowed": [
      "thumbs_up",
      "thumbs_down"
     ],
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "group_identified": {
   "action_key": [],
   "description": "The app tied the user to an account or workspace.",
   "domain": "identity",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "data-platform",
   "properties": {
    "group_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "plan": {
     "allowed": [
      "free",
      "pro",
      "team",
      "enterprise"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "intent_classified": {
   "action_key": [
    "conversation_id",
    "chat_message_id",
    "intent"
   ],
   "description": "The intent classifier labelled the user\'s latest message.",
   "domain": "chatbot",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "support-ai",
   "properties": {
    "chat_message_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "confidence": {
     "allowed": null,
     "maximum": 1,
     "minimum": 0,
     "required": true,
     "type": "number"
    },
    "conversation_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "intent": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "intent_confidence_score": {
   "action_key": [
    "conversation_id",
    "intent",
    "confidence"
   ],
   "description": "The old name of intent_classified, still sent by app versions before 3.0.",
   "domain": "chatbot",
   "dual_write_from": "2026-06-01",
   "dual_write_until": "2027-06-30",
   "emitted_by": "system",
   "owner": "support-ai",
   "properties": {
    "chat_message_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "confidence": {
     "allowed": null,
     "maximum": 1,
     "minimum": 0,
     "required": true,
     "type": "number"
    },
    "conversation_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "intent": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": "intent_classified",
   "status": "deprecated",
   "version": "1-0-0"
  },
  "item_clicked": {
   "action_key": [
    "feed_request_id",
    "item_id"
   ],
   "description": "The user opened an item from the feed.",
   "domain": "feed",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "feed-ranking",
   "properties": {
    "app_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "feed_request_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "item_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "position": {
     "allowed": null,
     "maximum": null,
     "minimum": 1,
     "required": true,
     "type": "integer"
    },
    "surface": {
     "allowed": [
      "home",
      "search",
      "related"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "item_impressed": {
   "action_key": [
    "feed_request_id",
    "item_id"
   ],
   "description": "An item was shown in a feed response.",
   "domain": "feed",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "feed-ranking",
   "properties": {
    "app_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "feed_request_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "item_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "past_engagement_score": {
     "allowed": null,
     "maximum": 1,
     "minimum": 0,
     "required": false,
     "type": "number"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "position": {
     "allowed": null,
     "maximum": null,
     "minimum": 1,
     "required": true,
     "type": "integer"
    },
    "session_length": {
     "allowed": null,
     "maximum": null,
     "minimum": 0,
     "required": false,
     "type": "integer"
    },
    "surface": {
     "allowed": [
      "home",
      "search",
      "related"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-1-0"
  },
  "item_reported": {
   "action_key": [
    "feed_request_id",
    "item_id"
   ],
   "description": "The user reported an item as inappropriate or unwanted.",
   "domain": "feed",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "feed-ranking",
   "properties": {
    "feed_request_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "item_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "position": {
     "allowed": null,
     "maximum": null,
     "minimum": 1,
     "required": false,
     "type": "integer"
    },
    "reason": {
     "allowed": [
      "spam",
      "offensive",
      "misleading",
      "not_interested",
      "other"
     ],
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "item_saved": {
   "action_key": [
    "feed_request_id",
    "item_id"
   ],
   "description": "The user saved an item from the feed.",
   "domain": "feed",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "feed-ranking",
   "properties": {
    "feed_request_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "item_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "position": {
     "allowed": null,
     "maximum": null,
     "minimum": 1,
     "required": true,
     "type": "integer"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "item_shared": {
   "action_key": [
    "feed_request_id",
    "item_id"
   ],
   "description": "The user shared an item from the feed.",
   "domain": "feed",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "feed-ranking",
   "properties": {
    "feed_request_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "item_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "position": {
     "allowed": null,
     "maximum": null,
     "minimum": 1,
     "required": true,
     "type": "integer"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "message_sent": {
   "action_key": [
    "conversation_id"
   ],
   "description": "A message was added to a conversation, by the user or the assistant.",
   "domain": "chatbot",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "support-ai",
   "properties": {
    "app_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "chat_message_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "conversation_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "message_role": {
     "allowed": [
      "user",
      "assistant"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "message_text": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-1-0"
  },
  "page_pinged": {
   "action_key": [],
   "description": "A page stayed open and in view (Snowplow\'s activity tracking).",
   "domain": "navigation",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "data-platform",
   "properties": {
    "path": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "title": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "page_viewed": {
   "action_key": [],
   "description": "A web page was viewed.",
   "domain": "navigation",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "data-platform",
   "properties": {
    "app_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "path": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "title": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "ranking_features_logged": {
   "action_key": [
    "feed_request_id",
    "item_id"
   ],
   "description": "The ranker logged the features it scored an item with, at serving time.",
   "domain": "ml",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "ml-platform",
   "properties": {
    "features": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "object"
    },
    "feed_request_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "item_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "position": {
     "allowed": null,
     "maximum": null,
     "minimum": 1,
     "required": false,
     "type": "integer"
    }
   },
   "purpose": [
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "screen_viewed": {
   "action_key": [],
   "description": "A mobile screen was viewed.",
   "domain": "navigation",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "data-platform",
   "properties": {
    "app_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "title": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "suggestion_accepted": {
   "action_key": [
    "suggestion_id"
   ],
   "description": "The user accepted a suggestion into their text.",
   "domain": "compose",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "writing-assistant",
   "properties": {
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "suggestion_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "suggestion_dismissed": {
   "action_key": [
    "suggestion_id"
   ],
   "description": "The user dismissed a suggestion.",
   "domain": "compose",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "writing-assistant",
   "properties": {
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "suggestion_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "suggestion_edited": {
   "action_key": [
    "suggestion_id"
   ],
   "description": "The user changed an accepted suggestion.",
   "domain": "compose",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "user",
   "owner": "writing-assistant",
   "properties": {
    "edit_distance": {
     "allowed": null,
     "maximum": null,
     "minimum": 0,
     "required": false,
     "type": "integer"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "suggestion_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "suggestion_shown": {
   "action_key": [
    "suggestion_id"
   ],
   "description": "The editor showed the user an AI writing suggestion.",
   "domain": "compose",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "writing-assistant",
   "properties": {
    "app_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "latency_ms": {
     "allowed": null,
     "maximum": null,
     "minimum": 0,
     "required": false,
     "type": "integer"
    },
    "model_version": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "past_engagement_score": {
     "allowed": null,
     "maximum": 1,
     "minimum": 0,
     "required": false,
     "type": "number"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "session_length": {
     "allowed": null,
     "maximum": null,
     "minimum": 0,
     "required": false,
     "type": "integer"
    },
    "suggestion_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": true,
     "type": "string"
    },
    "suggestion_length": {
     "allowed": null,
     "maximum": null,
     "minimum": 0,
     "required": false,
     "type": "integer"
    }
   },
   "purpose": [
    "product_analytics",
    "ml_training"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "user_aliased": {
   "action_key": [],
   "description": "The app merged a previous id into the user id.",
   "domain": "identity",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "data-platform",
   "properties": {
    "previous_id": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  },
  "user_identified": {
   "action_key": [],
   "description": "The app told the tracker who the user is, with their traits.",
   "domain": "identity",
   "dual_write_from": null,
   "dual_write_until": null,
   "emitted_by": "system",
   "owner": "data-platform",
   "properties": {
    "email": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "name": {
     "allowed": null,
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "plan": {
     "allowed": [
      "free",
      "pro",
      "team",
      "enterprise"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    },
    "platform": {
     "allowed": [
      "web",
      "ios",
      "android"
     ],
     "maximum": null,
     "minimum": null,
     "required": false,
     "type": "string"
    }
   },
   "purpose": [
    "product_analytics"
   ],
   "replaced_by": null,
   "status": "active",
   "version": "1-0-0"
  }
 },
 "fingerprint": "fbf1ca0b2baec12e",
 "names": {
  "alias": "user_aliased",
  "answer_retrieved": "answer_retrieved",
  "conversation_ended": "conversation_ended",
  "conversation_started": "conversation_started",
  "experiment_exposed": "experiment_exposed",
  "feed_item_click": "item_clicked",
  "feed_item_impression": "item_impressed",
  "feed_scrolled_past": "feed_scrolled_past",
  "feedback_given": "feedback_given",
  "group": "group_identified",
  "group_identified": "group_identified",
  "identify": "user_identified",
  "intent_classified": "intent_classified",
  "intent_confidence_score": "intent_confidence_score",
  "item_click": "item_clicked",
  "item_clicked": "item_clicked",
  "item_impressed": "item_impressed",
  "item_impression": "item_impressed",
  "item_reported": "item_reported",
  "item_saved": "item_saved",
  "item_shared": "item_shared",
  "message_sent": "message_sent",
  "page": "page_viewed",
  "page_ping": "page_pinged",
  "page_pinged": "page_pinged",
  "page_view": "page_viewed",
  "page_viewed": "page_viewed",
  "pp": "page_pinged",
  "pv": "page_viewed",
  "ranking_features_logged": "ranking_features_logged",
  "screen": "screen_viewed",
  "screen_view": "screen_viewed",
  "screen_viewed": "screen_viewed",
  "suggestion_accepted": "suggestion_accepted",
  "suggestion_dismissed": "suggestion_dismissed",
  "suggestion_edited": "suggestion_edited",
  "suggestion_shown": "suggestion_shown",
  "user_aliased": "user_aliased",
  "user_identified": "user_identified"
 },
 "properties": {
  "app_version": {
   "context": true,
   "description": "The version of the app that sent the event.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "chat_message_id": {
   "context": false,
   "description": "One message within a conversation.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "confidence": {
   "context": false,
   "description": "The classifier\'s confidence in the intent, from 0 to 1.",
   "handling": null,
   "privacy": "none",
   "type": "number"
  },
  "conversation_id": {
   "context": false,
   "description": "The support conversation, shared by every event in it.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "edit_distance": {
   "context": false,
   "description": "Characters the user changed in an accepted suggestion.",
   "handling": null,
   "privacy": "none",
   "type": "integer"
  },
  "email": {
   "context": false,
   "description": "The user\'s email address; kept only as a keyed hash.",
   "handling": "pseudonymise",
   "privacy": "personal_data",
   "type": "string"
  },
  "experiment_id": {
   "context": false,
   "description": "The experiment the user was exposed to.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "features": {
   "context": false,
   "description": "The ranking features the model saw at serving time, as an object of name to value.",
   "handling": null,
   "privacy": "none",
   "type": "object"
  },
  "feed_request_id": {
   "context": false,
   "description": "One feed response; every item shown in it shares the id.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "group_id": {
   "context": false,
   "description": "The account or workspace a group call ties the user to.",
   "handling": null,
   "privacy": "pseudonymous_id",
   "type": "string"
  },
  "intent": {
   "context": false,
   "description": "The intent the classifier assigned to the conversation\'s latest user message.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "item_id": {
   "context": false,
   "description": "The recommended item.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "latency_ms": {
   "context": false,
   "description": "Milliseconds the model took to answer or suggest.",
   "handling": null,
   "privacy": "none",
   "type": "integer"
  },
  "message_role": {
   "context": false,
   "description": "Who wrote the message.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "message_text": {
   "context": false,
   "description": "The text of a chat message; free text can hold anything, so it is never kept.",
   "handling": "drop",
   "privacy": "personal_data",
   "type": "string"
  },
  "model_version": {
   "context": false,
   "description": "The model (ranker, suggester, answerer) that served the event.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "name": {
   "context": false,
   "description": "The user\'s name; never kept.",
   "handling": "drop",
   "privacy": "personal_data",
   "type": "string"
  },
  "outcome": {
   "context": false,
   "description": "How the conversation ended.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "past_engagement_score": {
   "context": true,
   "description": "The user\'s engagement over the last 28 days, from 0 to 1, as the app knew it when the event happened.",
   "handling": null,
   "privacy": "none",
   "type": "number"
  },
  "path": {
   "context": false,
   "description": "The path of the page viewed, without query string.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "plan": {
   "context": false,
   "description": "The user\'s subscription plan.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "platform": {
   "context": true,
   "description": "The platform the event came from.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "position": {
   "context": false,
   "description": "The item\'s slot in the feed response, 1 for the top.",
   "handling": null,
   "privacy": "none",
   "type": "integer"
  },
  "previous_id": {
   "context": false,
   "description": "The id an alias call merges into the user id.",
   "handling": null,
   "privacy": "pseudonymous_id",
   "type": "string"
  },
  "rating": {
   "context": false,
   "description": "The user\'s verdict on an answer.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "reason": {
   "context": false,
   "description": "Why the user reported the item.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "retrieved_document_count": {
   "context": false,
   "description": "How many knowledge-base documents the answer was grounded on.",
   "handling": null,
   "privacy": "none",
   "type": "integer"
  },
  "session_length": {
   "context": true,
   "description": "Seconds the user had spent in the app\'s session when the event happened.",
   "handling": null,
   "privacy": "none",
   "type": "integer"
  },
  "suggestion_id": {
   "context": false,
   "description": "One AI writing suggestion, shared by its shown, accepted, edited and dismissed events.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "suggestion_length": {
   "context": false,
   "description": "Characters in the suggestion as shown.",
   "handling": null,
   "privacy": "none",
   "type": "integer"
  },
  "surface": {
   "context": false,
   "description": "Which feed the item was shown in.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "title": {
   "context": false,
   "description": "The title of the page or screen viewed.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  },
  "variant": {
   "context": false,
   "description": "The experiment arm the user was assigned.",
   "handling": null,
   "privacy": "none",
   "type": "string"
  }
 }
}')) }}
{% endmacro %}
