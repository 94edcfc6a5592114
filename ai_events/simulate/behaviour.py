"""Simulated people and what they do: the true events, before any tracker.

A person has one to three devices (web, iOS, Android), each with its own
tracker, app version and anonymous id. People with an account identify on a
device at some session, so their earlier events there are anonymous. Each
session opens a page or screen and uses one or more surfaces: the feed, the
editor's writing suggestions, the support chatbot. The first use of a
surface in a session logs the experiment exposure that decides its model.

Times are integers: milliseconds since the epoch, UTC. An `Action` is one
true event; `delivery.py` renders it in the device's tracker format.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from ai_events.simulate.dirt import Dirt
from ai_events.simulate.parameters import Experiment, Planted

DAY_MS = 86_400_000
SECOND_MS = 1000

# Which tracker a device's app uses, by platform: web mostly Segment or
# Snowplow, iOS Amplitude or RudderStack, Android a mix of all four.
TRACKERS = {
    "web": (("segment", 0.55), ("snowplow", 0.35), ("rudderstack", 0.10)),
    "ios": (("amplitude", 0.50), ("rudderstack", 0.35), ("segment", 0.15)),
    "android": (
        ("rudderstack", 0.35),
        ("amplitude", 0.30),
        ("segment", 0.20),
        ("snowplow", 0.15),
    ),
}
PLATFORM_SHARE = (("web", 0.45), ("ios", 0.30), ("android", 0.25))
CURRENT_VERSIONS = ("3.2.0", "3.1.4", "3.1.2")
DUAL_WRITE_VERSION = "3.0.2"
LEGACY_VERSION = "2.9.1"
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0",
)
BOT_AGENTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/128.0.0.0 Safari/537.36",
    "python-requests/2.32.3",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
)
# Device clock offsets, for skewed devices: 90 s to four days either way.
SKEWS_MS = (90_000, 900_000, 3 * 3_600_000, 26 * 3_600_000, 4 * DAY_MS)
PLANS = (("free", 0.6), ("pro", 0.3), ("team", 0.08), ("enterprise", 0.02))
INTENTS = ("refund", "billing", "login_help", "bug_report", "cancel", "how_to")
CHAT_LINES = (
    "how do I change my plan",
    "the app logs me out",
    "I was charged twice",
    "can I export my notes",
    "thanks, that helped",
)
SURFACES = (("home", 0.7), ("search", 0.2), ("related", 0.1))
REPORT_REASONS = ("spam", "offensive", "misleading", "not_interested", "other")
PAGES = {
    "home": ("/", "Home"),
    "feed": ("/feed", "Feed"),
    "compose": ("/compose", "Editor"),
    "chat": ("/support", "Support"),
}


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    """One value from (value, weight) pairs."""
    point = rng.random() * sum(w for _, w in weighted)
    for value, weight in weighted:
        point -= weight
        if point < 0:
            return value
    return weighted[-1][0]


def pick_arm(rng: random.Random, experiment: Experiment) -> str:
    return pick(rng, tuple((v, share) for v, (_, share) in experiment.arms.items()))


@dataclass(eq=False)
class Device:
    """One app install: the tracker, version and clock an event comes through."""

    platform: str
    tracker: str
    anonymous_id: str
    app_version: str
    user_agent: str | None
    request_agent: str
    clock_skew_ms: int = 0
    name_style: str = "snake"  # snake, title or kebab
    flush_at: int = 20
    is_bot: bool = False
    bot_by_tracker: bool = False
    identify_at_session: int | None = None
    sessions: int = 0
    user_id: str | None = None  # set once the device has identified

    @property
    def legacy_names(self) -> bool:
        return self.app_version == LEGACY_VERSION

    @property
    def dual_writes(self) -> bool:
        return self.app_version == DUAL_WRITE_VERSION


@dataclass(slots=True, eq=False)
class Action:
    """One true event: what happened, when (ms, UTC) and on which device."""

    name: str  # the taxonomy's name
    at: int
    device: Device
    properties: dict
    event_id: str
    user_id: str | None
    context: dict
    group: int  # the events a device sends together (a session)


@dataclass(eq=False)
class Person:
    user_id: str
    is_bot: bool
    has_account: bool
    email: str
    plan: str
    engagement: float
    devices: list[Device]
    variants: dict[str, str]  # experiment id -> variant
    actions: list[Action] = field(default_factory=list)
    # Where in `actions` each lost impression would have been.
    lost: list[int] = field(default_factory=list)


class Behaviour:
    """Draws people and their sessions from one seeded random stream."""

    def __init__(
        self, rng: random.Random, planted: Planted, dirt: Dirt, start_ms: int, days: int
    ) -> None:
        self.rng = rng
        self.planted = planted
        self.dirt = dirt
        self.start_ms = start_ms
        self.days = days
        self._group = 0
        self.experiments = (
            planted.feed_experiment,
            planted.compose_experiment,
            planted.chatbot_experiment,
        )

    def next_group(self) -> int:
        """A new send group: the events a device sends together."""
        self._group += 1
        return self._group

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def short_id(self, prefix: str) -> str:
        return f"{prefix}_{self.rng.getrandbits(64):016x}"

    # -- people and devices ---------------------------------------------

    def person(self) -> Person:
        rng = self.rng
        is_bot = rng.random() < self.dirt.bots
        if is_bot:
            platforms = ["web"]
        else:
            count = 1 + (rng.random() < 0.30) + (rng.random() < 0.08)
            platforms = []
            while len(platforms) < count:
                platform = pick(rng, PLATFORM_SHARE)
                if platform not in platforms:
                    platforms.append(platform)
        user_id = self.short_id("usr")
        person = Person(
            user_id=user_id,
            is_bot=is_bot,
            has_account=not is_bot and rng.random() < 0.7,
            email=f"{user_id.removeprefix('usr_')[:10]}@example.com",
            plan=pick(rng, PLANS),
            engagement=rng.betavariate(2, 5),
            devices=[self.device(p, is_bot) for p in platforms],
            variants={e.experiment_id: pick_arm(rng, e) for e in self.experiments},
        )
        for device in person.devices:
            if person.has_account:
                # Logged in from the first session on some devices, later on others.
                device.identify_at_session = 0 if rng.random() < 0.4 else rng.randint(1, 4)
        return person

    def device(self, platform: str, is_bot: bool) -> Device:
        rng, dirt = self.rng, self.dirt
        tracker = pick(rng, (("segment", 0.6), ("snowplow", 0.4))) if is_bot else None
        tracker = tracker or pick(rng, TRACKERS[platform])
        if rng.random() < dirt.legacy_names:
            version = LEGACY_VERSION
        elif rng.random() < dirt.dual_write:
            version = DUAL_WRITE_VERSION
        else:
            version = rng.choice(CURRENT_VERSIONS)
        skew = 0
        if tracker != "amplitude" and rng.random() < dirt.clock_skew:
            skew = rng.choice(SKEWS_MS) * rng.choice((-1, 1)) + rng.randint(-999, 999)
        style = "snake"
        if rng.random() < dirt.name_variants:
            style = rng.choice(("title", "kebab"))
        if is_bot:
            agent = rng.choice(BOT_AGENTS)
            # Snowplow's enrichment flags some bots whose agent looks human.
            if tracker == "snowplow" and rng.random() < 0.5:
                agent = rng.choice(BROWSERS)
            user_agent, request_agent = agent, agent
        elif platform == "web":
            user_agent = rng.choice(BROWSERS)
            request_agent = user_agent
        else:
            user_agent = None
            request_agent = f"{tracker}-{platform}-sdk/{version}"
        return Device(
            platform=platform,
            tracker=tracker,
            anonymous_id=self.new_id(),
            app_version=version,
            user_agent=user_agent,
            request_agent=request_agent,
            clock_skew_ms=skew,
            name_style=style,
            flush_at=rng.randint(20, 100),
            is_bot=is_bot,
            bot_by_tracker=is_bot and tracker == "snowplow",
        )

    # -- a person's activity --------------------------------------------

    def activity(self, person: Person) -> list[Action]:
        """Every true event of the person, in the order they were generated
        (which is causal: an impression before its click)."""
        rng = self.rng
        active_days = min(self.days, 1 + int(rng.expovariate(1 / 3)))
        days = sorted(rng.sample(range(self.days), active_days))
        starts = []
        for day in days:
            for _ in range(1 + (rng.random() < 0.35) + (rng.random() < 0.1)):
                starts.append(self.start_ms + day * DAY_MS + rng.randrange(DAY_MS))
        for start in sorted(starts):
            self.session(person, rng.choice(person.devices), start)
        return person.actions

    def session(self, person: Person, device: Device, start: int) -> None:
        rng = self.rng
        session = _Session(self, person, device, start, self.next_group())
        number = device.sessions
        device.sessions += 1
        session.view("home")
        if device.identify_at_session == number and device.user_id is None:
            session.identify()
        if person.is_bot:
            surfaces = ["feed"]
        else:
            surfaces = [
                s
                for s, share in (("feed", 0.75), ("compose", 0.35), ("chat", 0.15))
                if rng.random() < share
            ] or ["feed"]
        for surface in surfaces:
            getattr(session, surface)()


def _variant_model(person: Person, experiment: Experiment) -> tuple[str, str]:
    variant = person.variants[experiment.experiment_id]
    return variant, experiment.arms[variant][0]


class _Session:
    """One visit on one device: appends the person's actions as time passes."""

    def __init__(
        self, behaviour: Behaviour, person: Person, device: Device, start: int, group: int
    ) -> None:
        self.behaviour = behaviour
        self.rng = behaviour.rng
        self.planted = behaviour.planted
        self.person = person
        self.device = device
        self.start = start
        self.t = start
        self.group = group

    def emit(self, name: str, at: int, properties: dict, group: int | None = None) -> None:
        person, device = self.person, self.device
        score = round(min(1.0, max(0.0, person.engagement + self.rng.uniform(-0.05, 0.05))), 3)
        # A deferred event (its own send group) starts a short session of its own.
        elapsed = (at - self.start) // SECOND_MS if group is None else self.rng.randint(5, 600)
        context = {"past_engagement_score": score, "session_length": max(0, elapsed)}
        person.actions.append(
            Action(
                name=name,
                at=at,
                device=device,
                properties=properties,
                event_id=self.behaviour.new_id(),
                user_id=device.user_id,
                context=context,
                group=self.group if group is None else group,
            )
        )

    def wait(self, low_ms: int, high_ms: int) -> int:
        self.t += self.rng.randint(low_ms, high_ms)
        return self.t

    def view(self, page: str) -> None:
        path, title = PAGES[page]
        if self.device.platform == "web":
            self.emit("page_viewed", self.wait(0, 2000), {"path": path, "title": title})
        else:
            self.emit("screen_viewed", self.wait(0, 2000), {"title": title})

    def identify(self) -> None:
        person = self.person
        self.device.user_id = person.user_id
        self.emit(
            "user_identified", self.wait(1000, 20_000), {"email": person.email, "plan": person.plan}
        )

    def expose(self, experiment: Experiment) -> str:
        variant, model = _variant_model(self.person, experiment)
        self.emit(
            "experiment_exposed",
            self.wait(50, 500),
            {
                "experiment_id": experiment.experiment_id,
                "variant": variant,
                "platform": self.device.platform,
            },
        )
        return model

    def feed(self) -> None:
        rng, planted = self.rng, self.planted
        self.view("feed")
        model = self.expose(planted.feed_experiment)
        for _ in range(rng.randint(1, 3)):
            self.feed_request(model)
            self.wait(5_000, 30_000)

    def feed_request(self, model: str) -> None:
        rng, planted, lost = self.rng, self.planted, self.behaviour.dirt.lost_impressions
        request_id = self.behaviour.short_id("fr")
        surface = pick(rng, SURFACES)
        served = self.wait(200, 1500)
        last = served
        for position, item in enumerate(rng.sample(range(50_000), rng.randint(6, 12)), start=1):
            item_id = f"item_{item:05d}"
            shown = served + 60 * position
            keys = {"feed_request_id": request_id, "item_id": item_id}
            placed = {**keys, "position": position, "model_version": model}
            features = {
                "score": round(rng.random(), 4),
                "item_age_hours": rng.randint(0, 240),
                "author_affinity": round(rng.random(), 3),
            }
            self.emit(
                "ranking_features_logged",
                served - 20,
                {**keys, "model_version": model, "features": features, "position": position},
            )
            if rng.random() >= lost:
                self.emit("item_impressed", shown, {**placed, "surface": surface})
            else:
                self.person.lost.append(len(self.person.actions))
            if self.person.is_bot:
                clicked = rng.random() < planted.bot_click
            else:
                clicked = rng.random() < planted.click_probability(model, position)
            if clicked:
                at = shown + rng.randint(1_500, 45_000)
                self.emit("item_clicked", at, {**placed, "surface": surface})
                if rng.random() < planted.second_click:
                    self.emit("item_clicked", at + rng.randint(20_000, 300_000), {**placed})
                if rng.random() < planted.save_given_click:
                    self.emit("item_saved", at + rng.randint(5_000, 90_000), dict(placed))
                if rng.random() < planted.share_given_click:
                    self.emit("item_shared", at + rng.randint(5_000, 90_000), dict(placed))
                last = max(last, at)
            elif rng.random() < planted.report_given_no_click:
                reason = rng.choice(REPORT_REASONS)
                self.emit(
                    "item_reported",
                    shown + rng.randint(2_000, 20_000),
                    {**placed, "reason": reason},
                )
            elif rng.random() < planted.scroll_past_given_no_click:
                at = shown + rng.randint(800, 6_000)
                self.emit(
                    "feed_scrolled_past", at, {**keys, "position": position, "model_version": model}
                )
        self.t = max(self.t, last)

    def compose(self) -> None:
        rng, planted = self.rng, self.planted
        platform = self.device.platform
        self.view("compose")
        model = self.expose(planted.compose_experiment)
        for _ in range(rng.randint(2, 8)):
            suggestion = self.behaviour.short_id("sg")
            shown = self.wait(3_000, 60_000)
            self.emit(
                "suggestion_shown",
                shown,
                {
                    "suggestion_id": suggestion,
                    "model_version": model,
                    "platform": platform,
                    "suggestion_length": rng.randint(12, 240),
                    "latency_ms": rng.randint(80, 1_800),
                },
            )
            keys = {"suggestion_id": suggestion, "platform": platform}
            if rng.random() < planted.acceptance_probability(platform, model):
                group = None
                accepted = shown + rng.randint(800, 12_000)
                if rng.random() < planted.accept_on_later_day:
                    # A reopened draft: sent on its own, days later.
                    group = self.behaviour.next_group()
                    accepted = shown + rng.randint(1, 3) * DAY_MS + rng.randint(0, 3_600_000)
                self.emit("suggestion_accepted", accepted, dict(keys), group)
                if rng.random() < planted.edit_given_accept:
                    edited = accepted + rng.randint(2_000, 40_000)
                    self.emit(
                        "suggestion_edited",
                        edited,
                        {**keys, "edit_distance": rng.randint(1, 60)},
                        group,
                    )
            elif rng.random() < planted.dismiss_given_no_accept:
                self.emit("suggestion_dismissed", shown + rng.randint(500, 6_000), dict(keys))

    def chat(self) -> None:
        rng, planted = self.rng, self.planted
        self.view("chat")
        model = self.expose(planted.chatbot_experiment)
        conversation = self.behaviour.short_id("cv")
        keys = {"conversation_id": conversation}
        self.emit("conversation_started", self.wait(500, 5_000), {**keys, "model_version": model})
        confidences: list[float] = []
        for _ in range(rng.randint(1, 3)):
            message = self.behaviour.short_id("msg")
            self.emit(
                "message_sent",
                self.wait(5_000, 60_000),
                {**keys, "chat_message_id": message, "message_role": "user",
                 "message_text": rng.choice(CHAT_LINES)},
            )  # fmt: skip
            confidence = round(rng.betavariate(4, 2), 3)
            confidences.append(confidence)
            self.emit(
                "intent_classified",
                self.wait(50, 400),
                {**keys, "chat_message_id": message, "intent": rng.choice(INTENTS),
                 "confidence": confidence, "model_version": model},
            )  # fmt: skip
            self.emit(
                "answer_retrieved",
                self.wait(300, 3_000),
                {**keys, "model_version": model, "retrieved_document_count": rng.randint(0, 8),
                 "latency_ms": rng.randint(300, 3_000)},
            )  # fmt: skip
            self.emit(
                "message_sent",
                self.wait(10, 200),
                {
                    **keys,
                    "chat_message_id": self.behaviour.short_id("msg"),
                    "message_role": "assistant",
                },
            )
        # The first classification decides how the conversation goes.
        if rng.random() < planted.resolve_probability(confidences[0]):
            outcome = "resolved"
        elif rng.random() < planted.escalate_given_unresolved:
            outcome = "escalated"
        else:
            outcome = "abandoned"
        if rng.random() < planted.feedback:
            good = outcome == "resolved" and rng.random() < 0.85
            rating = "thumbs_up" if good else "thumbs_down"
            self.emit("feedback_given", self.wait(1_000, 20_000), {**keys, "rating": rating})
        if outcome != "abandoned" or rng.random() < planted.abandoned_with_end_event:
            self.emit("conversation_ended", self.wait(1_000, 30_000), {**keys, "outcome": outcome})
