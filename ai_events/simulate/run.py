"""`simulate`: seeded users of an AI product, written as landing files with
the truth of what they did.

The same arguments give byte-identical files: one random stream drives
every choice, people are generated one after another, and nothing reads the
clock. `events` counts the true events delivered (bots included; lost
impressions, retried copies, dual-written copies and garbage lines come on
top of it), and the last person's events are cut where the count is reached.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ai_events.simulate.behaviour import Behaviour
from ai_events.simulate.delivery import EPOCH, NEW_NAME, ROTATE_BYTES, Delivery, LandingWriter
from ai_events.simulate.dirt import Dirt
from ai_events.simulate.parameters import Planted
from ai_events.simulate.truth import TRUTH_FORMAT, TruthCounter

log = logging.getLogger(__name__)

MIN_EVENTS = 1_000
MAX_EVENTS = 10_000_000
DEFAULT_START = dt.date(2026, 9, 7)
DEFAULT_DAYS = 28
TRUTH_FILE = "truth.json"
LANDING_FOLDER = "landing"


class SimulationError(Exception):
    """The simulation cannot run as asked: the message says what and where."""


@dataclass
class SimulationResult:
    out: Path
    landing: Path  # load this folder
    truth_path: Path
    truth: dict
    files: list[Path]

    @property
    def emitted(self) -> dict:
        return self.truth["emitted"]

    def describe(self) -> str:
        e, p = self.emitted, self.truth["population"]
        return "\n".join(
            [
                f"{e['events']} events of {p['people']} people ({p['bot_people']} bots, "
                f"{e['bot_events']} bot events) on {p['devices']} devices",
                f"{e['landed_events']} events landed in {e['requests']} requests "
                f"(+{e['retried_requests']} retried) across {len(self.files)} files, "
                f"{e['lines']} lines",
                f"dirt: {e['duplicate_events']} duplicate events, "
                f"{e['dual_write_events']} dual-written, {e['legacy_name_events']} legacy names, "
                f"{e['name_variant_events']} name variants, {e['late_events']} late, "
                f"{e['skewed_events']} on skewed clocks, {e['lost_impressions']} lost "
                f"impressions, {e['plan_violation_events']} events outside the plan, "
                f"{e['malformed_lines']} malformed lines",
                f"landing: {self.landing}",
                f"truth: {self.truth_path}",
            ]
        )


def legacy_window() -> tuple[dt.date, dt.date] | None:
    """The dual-write window of the deprecated name of intent_classified."""
    from ai_events.taxonomy.registry import RegistryError, load_registry

    try:
        registry = load_registry()
    except RegistryError as error:
        raise SimulationError(f"the tracking plan cannot be read: {error}") from error
    for event in registry.events.values():
        if event.replaced_by == NEW_NAME and event.dual_write_until is not None:
            start = event.dual_write_from or dt.date.min
            return start, event.dual_write_until
    return None


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SimulationError(f"--out {out}: is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        raise SimulationError(
            f"--out {out}: is not empty; give a new or empty folder, so that it holds "
            "exactly one simulation"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / LANDING_FOLDER).mkdir()
    except OSError as error:
        raise SimulationError(f"--out {out}: cannot create it: {error.strerror}") from error


def simulate(
    events: int,
    *,
    out: Path | str,
    seed: int = 7,
    dirt: Dirt | None = None,
    start: dt.date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
    planted: Planted | None = None,
    progress: bool = False,
    rotate_bytes: int = ROTATE_BYTES,
) -> SimulationResult:
    """Simulate `events` true events from day `start` on for `days` days into
    `out` (landing files under `out/landing`, the truth in `out/truth.json`)."""
    if isinstance(events, bool) or not isinstance(events, int):
        raise SimulationError(f"events: {events!r} is not a whole number")
    if not MIN_EVENTS <= events <= MAX_EVENTS:
        raise SimulationError(f"events: {events} is outside {MIN_EVENTS:,} to {MAX_EVENTS:,}")
    if not isinstance(days, int) or days < 1:
        raise SimulationError(f"days: {days!r} must be a whole number of at least 1")
    dirt = dirt if dirt is not None else Dirt()
    planted = planted or Planted()
    out = Path(out)
    _prepare(out)
    window = legacy_window()

    rng = random.Random(seed)
    start_ms = int((dt.datetime.combine(start, dt.time(), dt.UTC) - EPOCH).total_seconds()) * 1000
    behaviour = Behaviour(rng, planted, dirt, start_ms, days)
    writer = LandingWriter(out / LANDING_FOLDER, rotate_bytes)
    # Events outside the plan draw from a stream of their own: turning them
    # on or off leaves every other draw, and so the rest of the traffic, as it was.
    violations = random.Random(f"{seed}:plan_violations")
    delivery = Delivery(rng, dirt, writer, window, behaviour.new_id, violations)
    counter = TruthCounter()
    population: Counter = Counter()
    trackers: Counter = Counter()
    try:
        with tqdm(
            total=events, unit="event", desc="simulating", disable=not progress, leave=False
        ) as bar:
            while delivery.emitted.events < events:
                person = behaviour.person()
                actions = behaviour.activity(person)[: events - delivery.emitted.events]
                population["lost_impressions"] += sum(1 for at in person.lost if at < len(actions))
                population["people"] += 1
                population["bot_people"] += person.is_bot
                population["devices"] += len(person.devices)
                trackers.update(d.tracker for d in person.devices)
                delivery.send(actions)
                if not person.is_bot:
                    counter.add_person(actions)
                bar.update(len(actions))
    except OSError as error:
        raise SimulationError(f"--out {out}: cannot write: {error}") from error
    finally:
        writer.close()
    emitted = delivery.emitted.as_dict()
    emitted["lost_impressions"] = population.pop("lost_impressions", 0)
    emitted["files"] = len(writer.files)
    emitted["bytes"] = writer.bytes_written
    truth = {
        "format": TRUTH_FORMAT,
        "generator": {
            "events": events,
            "seed": seed,
            "start": start.isoformat(),
            "days": days,
            "dirt": dirt.as_dict(),
            "legacy_name_window": [d.isoformat() for d in window] if window else None,
            "period_end": (start + dt.timedelta(days=days)).isoformat(),
        },
        "planted": planted.as_dict(),
        "population": {**population, "devices_by_tracker": dict(sorted(trackers.items()))},
        "emitted": emitted,
        "marts": counter.tables(),
    }
    truth_path = out / TRUTH_FILE
    truth_path.write_text(json.dumps(truth, indent=1, sort_keys=False) + "\n")
    result = SimulationResult(out, out / LANDING_FOLDER, truth_path, truth, list(writer.files))
    log.debug("simulation written: %s", result.describe())
    return result
