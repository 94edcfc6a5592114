"""A seeded simulator of an AI product's users, with the truth it planted.

    from ai_events.simulate import Dirt, simulate

    result = simulate(events=5_000, seed=7, out="warehouse/sim", dirt=Dirt())
    result.landing      # load this folder: `ai-events load` or load_paths
    result.truth        # exact counts per mart cell (see truth.py)

See `behaviour.py` for what the users do, `delivery.py` for how their
trackers send it, `dirt.py` for what goes wrong on the way and
`parameters.py` for the planted parameters.
"""

from ai_events.simulate.checks import mart_differences, raw_differences
from ai_events.simulate.dirt import Dirt, DirtError, parse_dirt
from ai_events.simulate.parameters import Planted
from ai_events.simulate.run import SimulationError, SimulationResult, simulate
from ai_events.simulate.truth import MARTS, Difference, compare

__all__ = [
    "MARTS",
    "Difference",
    "Dirt",
    "DirtError",
    "Planted",
    "SimulationError",
    "SimulationResult",
    "compare",
    "mart_differences",
    "parse_dirt",
    "raw_differences",
    "simulate",
]
