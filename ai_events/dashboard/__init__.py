"""A self-contained HTML dashboard over the KPI and data-quality marts.

`collect` reads the marts from a DuckDB file opened read-only and returns
plain data; `render` embeds that data as JSON in one HTML file with its own
CSS and a small hand-written SVG renderer, so the page opens with no network.
"""

from __future__ import annotations

from ai_events.dashboard.data import MARTS, DashboardError, collect, wilson_interval
from ai_events.dashboard.render import build_dashboard, render

__all__ = ["MARTS", "DashboardError", "build_dashboard", "collect", "render", "wilson_interval"]
