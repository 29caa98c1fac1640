"""Shared-screen mode (?present=1): the meeting's fixed sequence of panels, built from
config.toml [present] (`panels`, `precinct_order`), stepping through it, and the pieces of each
panel that are not drawing (pages/present.py draws them). Pure: no Streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import compstat
from .config import PresentSettings
from .periods import Window


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

# The changes shown beside each count on a projector; the rest stay on the trends page.
SUMMARY_CHANGES = ("expected", "last_year")

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


# --- What the panels show ----------------------------------------------------------------------

def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of compstat.compstat_table turned for a projector: one column per area (in the table's
    order); per headline offense row, a line with the count this period and a line for each of its
    changes against the expected count and against last year, flagged as on the trends page."""
    areas = list(dict.fromkeys(table["area"]))
    changes = [c for c in compstat.CHANGES if c.key in SUMMARY_CHANGES]
    lines = []
    for key in dict.fromkeys(table["offense"]):
        rows = table[table["offense"] == key].set_index("area").reindex(areas)
        lines.append([rows["offense_label"].dropna().iloc[0],
                      *("—" if pd.isna(v) else f"{v:,.0f}" for v in rows["current"])])
        lines += [[c.label, *(compstat.change_text(n, b, f) for n, b, f in
                              zip(rows[c.now], rows[c.beside], rows[f"{c.key}_flag"]))] for c in changes]
    return pd.DataFrame(lines, columns=["Offense", *areas])


def styled_summary(shown: pd.DataFrame) -> "pd.io.formats.style.Styler":
    """summary() with flagged changes coloured as compstat.styled colours them (the symbol stays)
    and the count lines in bold."""
    counts = ~shown["Offense"].str.startswith("±")
    return (shown.style.hide(axis="index")
            .map(lambda text: compstat.FLAG_STYLES.get(str(text)[:1], ""))
            .set_properties(subset=pd.IndexSlice[counts[counts].index, :], **{"font-weight": "700"}))


def headline_trends(period_counts: pd.DataFrame, periods: list[Window], rows: dict, keys: list[str],
                    precinct: str, *, level: float, baseline_periods: int, shown: int) -> pd.DataFrame:
    """One precinct's trend for each headline offense row (violent, property, all), as
    compstat.trend_series with the offense row's label as the panel name ('area')."""
    inside = period_counts[period_counts["precinct"] == precinct]
    parts = []
    for key in keys:
        label, offenses = rows[key]
        counts = inside if offenses is None else inside[inside["offense"].isin(offenses)]
        series = compstat.trend_series(counts, periods, "precinct", level=level, baseline_periods=baseline_periods,
                                       shown=shown, total=label)
        parts.append(series[series["area"] == label])
    return pd.concat(parts, ignore_index=True)
