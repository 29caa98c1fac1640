"""Shared-screen mode (?present=1): the meeting's fixed sequence of panels, built from
config.toml [present] (`panels`, `precinct_order`), stepping through it, and its style.
Pure: no Streamlit here; pages/present.py lays the panels out from seastat.reports.
"""
from __future__ import annotations

from dataclasses import dataclass

from .config import PresentSettings


@dataclass(frozen=True)
class Panel:
    kind: str                    # city, precinct, hotspots, change, datasets, use_of_force
    title: str
    precinct: str | None = None


# The comparisons shown for the 'compare' entry of [present] panels, in this order.
COMPARE_PANELS = (
    Panel("change", "Since the same period last year"),
    Panel("datasets", "Crime, 911 calls and use of force"),
    Panel("use_of_force", "Use of force by level"),
)

# Large type, nothing but the panel: no header bar, no sidebar, a narrow margin. Streamlit sizes
# its type in rem, so the root font size scales all of it.
CSS = """<style>
html { font-size: 20px; }
header[data-testid="stHeader"], section[data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"] { display: none; }
[data-testid="stMainBlockContainer"] { padding: 0.75rem 1.5rem 2rem; max-width: 100%; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stTable"] th, [data-testid="stTable"] td { font-size: 1.15rem; }
</style>"""


def sequence(present: PresentSettings) -> list[Panel]:
    """The panels in meeting order: [present] panels, with 'precincts' one panel per precinct
    in precinct_order and 'compare' the COMPARE_PANELS."""
    expand = {
        "city": [Panel("city", "City-wide")],
        "precincts": [Panel("precinct", f"{p} Precinct", p) for p in present.precinct_order],
        "hotspots": [Panel("hotspots", "Hot spots")],
        "compare": list(COMPARE_PANELS),
    }
    return [panel for name in present.panels for panel in expand[name]]


def parse_step(raw: str, count: int) -> int:
    """A ?step= value: 1 to count (ValueError otherwise, so the link falls back with a notice)."""
    step = int(raw)
    if not 1 <= step <= count:
        raise ValueError(raw)
    return step


def next_step(step: int, count: int) -> int:
    return min(step + 1, count)


def previous_step(step: int) -> int:
    return max(step - 1, 1)
