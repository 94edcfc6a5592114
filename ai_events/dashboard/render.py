"""One HTML file: the template with its CSS, its renderer and the data inlined."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ai_events.dashboard.data import collect, not_the_warehouse

ASSETS = Path(__file__).parent / "assets"
CSS_SLOT = "/*DASHBOARD_CSS*/"
JS_SLOT = "/*DASHBOARD_JS*/"
DATA_SLOT = "/*DASHBOARD_DATA*/"


def embedded_json(data: Any) -> str:
    """JSON safe inside a <script> element: no `<` that could close it."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render(data: dict[str, Any]) -> str:
    """The dashboard page for `data` (what `collect` returns)."""
    page = (ASSETS / "dashboard.html").read_text()
    for slot in (CSS_SLOT, JS_SLOT, DATA_SLOT):
        if page.count(slot) != 1:
            raise ValueError(f"dashboard.html must hold {slot} exactly once")
    # The data goes in last, so nothing in it is ever taken for a slot.
    page = page.replace(CSS_SLOT, (ASSETS / "dashboard.css").read_text().strip())
    page = page.replace(JS_SLOT, (ASSETS / "dashboard.js").read_text().strip())
    return page.replace(DATA_SLOT, embedded_json(data))


def build_dashboard(database: Path, out: Path, now: dt.datetime | None = None) -> Path:
    """Read the marts of `database`, write the dashboard to `out`, return its path.

    The file is written beside `out` and renamed over it, so a browser never
    opens half a page.
    """
    not_the_warehouse(out, database, "dashboard")
    page = render(collect(database, now=now))
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=".dashboard-", suffix=".html", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
        os.chmod(scratch, 0o644)
        os.replace(scratch, out)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return out
