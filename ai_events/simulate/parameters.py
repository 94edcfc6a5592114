"""The planted parameters: how the simulated users behave.

These are the answers an analysis of the simulated warehouse should find
again: click probability by ranking model and position (a position bias
times each model's relevance), acceptance of writing suggestions by platform
and suggester model, and chatbot resolution by the intent classifier's
confidence. They are written into the truth file beside the counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Experiment:
    """An experiment whose arms decide which model serves a surface."""

    experiment_id: str
    # variant -> (model version, share of users)
    arms: dict[str, tuple[str, float]]


@dataclass(frozen=True)
class Planted:
    """Behaviour the simulator draws from; every probability is per action."""

    feed_experiment: Experiment = field(
        default_factory=lambda: Experiment(
            "feed_ranker_2026q3",
            {
                "holdout": ("ranker-v1", 0.10),
                "control": ("ranker-v2", 0.45),
                "treatment": ("ranker-v3", 0.45),
            },
        )
    )
    compose_experiment: Experiment = field(
        default_factory=lambda: Experiment(
            "compose_suggester_2026q3",
            {"control": ("suggester-v1", 0.5), "treatment": ("suggester-v2", 0.5)},
        )
    )
    chatbot_experiment: Experiment = field(
        default_factory=lambda: Experiment(
            "chatbot_answerer_2026q3",
            {"control": ("answerer-v4", 0.5), "treatment": ("answerer-v5", 0.5)},
        )
    )
    # Click probability = relevance[model] * position ** -position_decay.
    relevance: dict[str, float] = field(
        default_factory=lambda: {"ranker-v1": 0.16, "ranker-v2": 0.20, "ranker-v3": 0.25}
    )
    position_decay: float = 0.7
    # A bot clicks without regard to position or model.
    bot_click: float = 0.30
    save_given_click: float = 0.12
    share_given_click: float = 0.05
    second_click: float = 0.04
    report_given_no_click: float = 0.004
    scroll_past_given_no_click: float = 0.55
    # Acceptance by platform and suggester model.
    acceptance: dict[str, dict[str, float]] = field(
        default_factory=lambda: {
            "web": {"suggester-v1": 0.24, "suggester-v2": 0.31},
            "ios": {"suggester-v1": 0.30, "suggester-v2": 0.38},
            "android": {"suggester-v1": 0.21, "suggester-v2": 0.29},
        }
    )
    edit_given_accept: float = 0.30
    dismiss_given_no_accept: float = 0.55
    # Share of acceptances that come one to three days after the suggestion
    # was shown (the user reopened a draft).
    accept_on_later_day: float = 0.06
    # P(resolved) = resolve_base + resolve_slope * confidence of the first intent.
    resolve_base: float = 0.15
    resolve_slope: float = 0.70
    escalate_given_unresolved: float = 0.55
    # An abandoned conversation says so with an end event this often; else
    # it has no end event at all.
    abandoned_with_end_event: float = 0.40
    feedback: float = 0.30

    def click_probability(self, model_version: str, position: int) -> float:
        return min(1.0, self.relevance[model_version] * position**-self.position_decay)

    def acceptance_probability(self, platform: str, model_version: str) -> float:
        return self.acceptance[platform][model_version]

    def resolve_probability(self, confidence: float) -> float:
        return min(1.0, self.resolve_base + self.resolve_slope * confidence)

    def as_dict(self) -> dict:
        """The parameters as JSON-ready values, for the truth file."""
        document = asdict(self)
        for name in ("feed_experiment", "compose_experiment", "chatbot_experiment"):
            arms = document[name]["arms"]
            document[name]["arms"] = {
                variant: {"model_version": model, "share": share}
                for variant, (model, share) in arms.items()
            }
        document["click_probability"] = {
            model: {str(p): round(self.click_probability(model, p), 6) for p in range(1, 13)}
            for model in self.relevance
        }
        return document
