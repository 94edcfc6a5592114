"""Dirt: the ways real tracker traffic departs from the events that happened.

Each rate is a probability in [0, 1] and says what it is a share of. The
truth file is computed from the true events before any dirt, bots excluded,
so a warehouse that handles a kind of dirt gets the truth back exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace


class DirtError(ValueError):
    """A dirt setting that cannot be used: the message names it."""


@dataclass(frozen=True)
class Dirt:
    # Share of requests the SDK sends again later (the first answer was
    # lost), so every event in them lands twice with the same id.
    duplicates: float = 0.02
    # Share of Segment, RudderStack and Snowplow devices whose clock is off
    # by minutes to days; their sent time lets the warehouse correct it.
    # Amplitude uploads carry no send time, so their devices keep true clocks.
    clock_skew: float = 0.10
    # Share of sessions sent one to five days after they happened (an
    # offline device): true device time, late sent and received times.
    late: float = 0.03
    # Share of devices whose app names events in Title Case or with hyphens.
    name_variants: float = 0.10
    # Share of devices on an app version before 3.0, which sends
    # intent_confidence_score instead of intent_classified (within the
    # deprecated name's dual-write window only).
    legacy_names: float = 0.10
    # Share of devices on a 3.0 build that sends both names for the same
    # classification, with identical properties.
    dual_write: float = 0.05
    # Share of users that are bots (web only, bot user agents; on Snowplow
    # also the spiders_and_robots context).
    bots: float = 0.03
    # Garbage lines per request line in the landing files.
    malformed: float = 0.005
    # Share of feed impressions whose event is lost on the device, so that
    # their clicks arrive as orphans.
    lost_impressions: float = 0.02
    # Share of requests that also carry an event the tracking plan does not
    # have (a debug event, a misspelt name): the warehouse must quarantine
    # it. It is extra, so the truth of the marts does not change.
    plan_violations: float = 0.005

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DirtError(f"dirt {name}: {value!r} is not a number")
            if not 0.0 <= value <= 1.0:
                raise DirtError(f"dirt {name}: {value} is outside [0, 1]")

    @classmethod
    def none(cls) -> Dirt:
        """Clean traffic: every rate zero."""
        return cls(**{f.name: 0.0 for f in fields(cls)})

    @classmethod
    def heavy(cls) -> Dirt:
        """Every kind of dirt at rates high enough to show in a few thousand events."""
        return cls(
            duplicates=0.15,
            clock_skew=0.4,
            late=0.1,
            name_variants=0.3,
            legacy_names=0.3,
            dual_write=0.3,
            bots=0.15,
            malformed=0.05,
            lost_impressions=0.05,
            plan_violations=0.05,
        )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def with_rates(self, **rates: float) -> Dirt:
        unknown = sorted(set(rates) - set(self.names()))
        if unknown:
            raise DirtError(f"unknown dirt {', '.join(unknown)}; known: {', '.join(self.names())}")
        return replace(self, **rates)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def parse_dirt(specs: Iterable[str], base: Dirt | None = None) -> Dirt:
    """Dirt from `NAME=RATE` settings (comma-separated or one per item) over
    `base` (the defaults); `none` sets every rate to zero first."""
    dirt = base or Dirt()
    rates: dict[str, float] = {}
    for spec in specs:
        for item in (part.strip() for part in spec.split(",")):
            if not item:
                continue
            if item == "none":
                dirt, rates = Dirt.none(), {}
                continue
            name, equals, value = item.partition("=")
            if not equals:
                raise DirtError(f"dirt {item!r}: expected NAME=RATE, such as duplicates=0.02")
            try:
                rates[name.strip()] = float(value)
            except ValueError:
                raise DirtError(f"dirt {name.strip()}: {value!r} is not a number") from None
    return dirt.with_rates(**rates)
