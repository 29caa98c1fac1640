"""Comparisons for the partner-agency meeting, as pure functions: two slices (a place, a period or
a dataset) counted on aligned windows, their difference in words and numbers, the ratios between
crime reports, 911 calls and use of force, the offense mix behind a difference, and the charts
that put two slices side by side on one axis.

queries/compare/counts.sql and queries/trends/window_counts.sql count; seastat.compstat supplies
the offense rows, the exact Poisson test and the order of the areas. A ratio whose denominator
is zero is NaN and reads "not available", never inf and never an error.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import compstat
from .config import PRECINCTS
from .periods import Grid, Window, comparison

MODES = {"places": "Place against place", "periods": "Period against period",
         "datasets": "Crime, calls and use of force", "use_of_force": "Use of force"}
AGAINST = {"previous": "The previous period", "last_year": "The same period last year", "chosen": "A period I choose"}
LEVELS = {"city": "City-wide", "precinct": "Precinct", "sector": "Sector", "beat": "Beat"}
DATASETS = ("crime", "calls", "use_of_force")


# --- Slices -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    level: str = "city"      # city, precinct, sector or beat
    value: str = ""          # the precinct, sector or beat as the data spells it

    @property
    def label(self) -> str:
        return {"city": compstat.CITY, "precinct": self.value}.get(self.level, f"{LEVELS[self.level]} {self.value}")

    def rows(self, df: pd.DataFrame) -> pd.Series:
        """Which rows of a counts frame fall inside the area."""
        return pd.Series(True, index=df.index) if self.level == "city" else df[self.level] == self.value


@dataclass(frozen=True)
class Slice:
    key: str          # the name of its window in the query
    window: Window
    area: Area
    label: str


def area_options(areas: pd.DataFrame, level: str) -> list[str]:
    """The places of one level in the data (UNKNOWN and OOJ included: they are real rows)."""
    values = areas[level].dropna().unique()
    return sorted(values, key=compstat.precinct_order if level == "precinct" else str)


def period_name(w: Window) -> str:
    """'Nov 2 – 15, 2026', 'Dec 28, 2026 – Jan 10, 2027': short enough for a sentence."""
    if w.start.year != w.last_day.year:
        return f"{w.start:%b} {w.start.day}, {w.start.year} – {w.last_day:%b} {w.last_day.day}, {w.last_day.year}"
    end = f"{w.last_day.day}" if w.start.month == w.last_day.month else f"{w.last_day:%b} {w.last_day.day}"
    return f"{w.start:%b} {w.start.day} – {end}, {w.start.year}"


def period_against(grid: Grid, period: Window, against: str) -> Window:
    """The CompStat window `period` is compared with: 'previous' or 'last_year' (52 weeks back)."""
    return getattr(comparison(grid, period), against)


def windows_param(*slices: Slice) -> list[dict]:
    """The slices' windows as the $windows parameter of queries/compare/counts.sql or trends/window_counts.sql."""
    return compstat.as_params({s.key: s.window for s in slices})


def chosen(counts: pd.DataFrame, s: Slice, offenses: tuple | None = None) -> pd.DataFrame:
    """The rows of queries/compare/counts.sql in slice `s` (offenses: None = all)."""
    rows = counts[(counts["window"] == s.key) & s.area.rows(counts)]
    return rows if offenses is None else rows[rows["offense"].isin(offenses)]


def level_order(levels) -> list[str]:
    """Use-of-force incident types from the least to the most serious: Level 1, 2, 3, then OIS."""
    return sorted(levels, key=lambda level: ("OIS" in level, level))


# --- Differences and ratios ---------------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    a: str
    n_a: int
    b: str
    n_b: int
    p: float          # exact Poisson test of one rate in both (compstat.p_value)
    flag: str         # ▲ / ▼ when p is at or below the configured level, else ''

    @property
    def change(self) -> int:
        return self.n_a - self.n_b

    @property
    def percent(self) -> float:
        """(A - B) / B in percent; NaN when B is zero."""
        return float(ratio(self.change * 100, self.n_b))


def difference(a: str, n_a: int, b: str, n_b: int, level: float) -> Difference:
    """Slice A against slice B (equal windows), with the test the CompStat table uses."""
    return Difference(a, int(n_a), b, int(n_b), float(compstat.p_value(n_a, n_b)),
                      compstat.flags(n_a, n_b, 1, level).item())


def ratio(numerator, denominator, per: float = 1.0):
    """numerator / denominator x per; NaN where the denominator is zero or unknown."""
    num, den = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num * per, den, out=out, where=den != 0)     # NaN stays NaN
    return out if out.ndim else float(out)


# --- Places side by side -------------------------------------------------------------------------

def area_totals(counts: pd.DataFrame) -> pd.Series:
    """Counts by area: city-wide, the five precincts (zero when none), the unassigned line
    (UNKNOWN/OOJ), then any other precinct value, so the lines under the city add up to it."""
    by = compstat.assign_unassigned(counts).groupby("precinct")["n"].sum()
    areas = [*PRECINCTS, compstat.UNASSIGNED]
    areas += sorted(set(by.index) - set(areas), key=compstat.precinct_order)
    return pd.concat([pd.Series({compstat.CITY: by.sum()}), by.reindex(areas, fill_value=0)]).astype(int)


def dataset_table(crime: pd.DataFrame, calls: pd.DataFrame, use_of_force: pd.DataFrame) -> pd.DataFrame:
    """Per area, for one window: crime reports, 911 calls, uses of force, calls per reported crime,
    uses of force per 1,000 calls."""
    table = pd.DataFrame({"crime": area_totals(crime), "calls": area_totals(calls),
                          "use_of_force": area_totals(use_of_force)}).fillna(0).astype(int)
    return _with_ratios(table).rename_axis("area").reset_index()


def _with_ratios(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(calls_per_crime=ratio(table["calls"], table["crime"]),
                        use_of_force_per_1000_calls=ratio(table["use_of_force"], table["calls"], 1000))


def use_of_force_table(use_of_force: pd.DataFrame, calls: pd.DataFrame, levels: list[str]) -> pd.DataFrame:
    """Per area, for one window: uses of force by incident type (every level, zeros shown), all of
    them, 911 calls and uses of force per 1,000 calls, as the department publishes them."""
    table = pd.DataFrame({level: area_totals(use_of_force[use_of_force["offense"] == level]) for level in levels})
    table["use_of_force"] = area_totals(use_of_force)
    table["calls"] = area_totals(calls)
    table = table.fillna(0).astype(int)
    table["use_of_force_per_1000_calls"] = ratio(table["use_of_force"], table["calls"], 1000)
    return table.rename_axis("area").reset_index()


# --- Series over periods (aligned on one time axis) ------------------------------------------------

def per_period(counts: pd.DataFrame, periods: list[Window], area: Area, offenses: tuple | None = None) -> pd.Series:
    """Counts per period in `area` from queries/trends/window_counts.sql run on windows named by
    their start date; periods with none are zero."""
    rows = counts[area.rows(counts)]
    rows = rows if offenses is None else rows[rows["offense"].isin(offenses)]
    return rows.groupby("window")["n"].sum().reindex([p.start.isoformat() for p in periods], fill_value=0).astype(int)


def _period_frame(periods: list[Window]) -> pd.DataFrame:
    return pd.DataFrame({"period_start": pd.to_datetime([p.start for p in periods]),
                         "period": [p.label() for p in periods]})


def place_periods(counts: pd.DataFrame, periods: list[Window], places: list[Area],
                  offenses: tuple | None) -> pd.DataFrame:
    """Two (or more) places per period, long: slice, period_start, period, count."""
    return pd.concat([_period_frame(periods).assign(slice=place.label,
                                                    count=per_period(counts, periods, place, offenses).to_numpy())
                      for place in places], ignore_index=True)


def running_totals(counts: pd.DataFrame, slices: list[Slice], offenses: tuple | None) -> pd.DataFrame:
    """Day by day running totals of each slice, aligned on the day of the window (1, 2, ...):
    slice, day, date, count. The last day's count is the slice's total."""
    parts = []
    for s in slices:
        daily = chosen(counts, s, offenses).groupby("day")["n"].sum().reindex(range(s.window.days), fill_value=0)
        dates = [s.window.start + dt.timedelta(days=d) for d in range(s.window.days)]
        parts.append(pd.DataFrame({"slice": s.label, "day": np.arange(1, s.window.days + 1),
                                   "date": [f"{d:%a %b} {d.day}, {d.year}" for d in dates],
                                   "count": daily.cumsum().to_numpy().astype(int)}))
    return pd.concat(parts, ignore_index=True)


def dataset_periods(counts: dict[str, pd.DataFrame], periods: list[Window], area: Area) -> pd.DataFrame:
    """The three datasets per period in one place, and the ratios between them."""
    wide = pd.DataFrame({name: per_period(counts[name], periods, area).to_numpy() for name in DATASETS})
    return pd.concat([_period_frame(periods), _with_ratios(wide)], axis=1)


def use_of_force_periods(use_of_force: pd.DataFrame, calls: pd.DataFrame, periods: list[Window], area: Area,
                         levels: list[str]) -> pd.DataFrame:
    """Uses of force per period in one place: by incident type, all, 911 calls, per 1,000 calls."""
    wide = pd.DataFrame({level: per_period(use_of_force, periods, area, (level,)).to_numpy() for level in levels})
    wide["use_of_force"] = per_period(use_of_force, periods, area).to_numpy()
    wide["calls"] = per_period(calls, periods, area).to_numpy()
    wide["use_of_force_per_1000_calls"] = ratio(wide["use_of_force"], wide["calls"], 1000)
    return pd.concat([_period_frame(periods), wide], axis=1)


# --- Offense mix -----------------------------------------------------------------------------------

def offense_mix(a: pd.DataFrame, b: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Which offense groups drive the difference between slice A and slice B.

    a, b: the slices' rows of queries/compare/counts.sql. One row per category: count in A, in B,
    the difference, and each slice's share of its own total (the mix, whatever the sizes).
    Largest differences first; past `top` categories
    the rest share one 'Other (n groups)' line, so the columns still add up to the totals."""
    mix = pd.DataFrame({"a": a.groupby("category")["n"].sum(), "b": b.groupby("category")["n"].sum()})
    mix = mix.fillna(0).astype(int).rename_axis("category").reset_index()
    mix["difference"] = mix["a"] - mix["b"]
    mix = mix.assign(size=mix["difference"].abs()).sort_values(["size", "category"], ascending=[False, True])
    mix = mix.drop(columns="size").reset_index(drop=True)
    if len(mix) > top:
        rest = mix.iloc[top - 1:]
        other = pd.DataFrame([{"category": f"Other ({len(rest)} groups)", "a": rest["a"].sum(), "b": rest["b"].sum(),
                               "difference": rest["difference"].sum()}])
        mix = pd.concat([mix.iloc[:top - 1], other], ignore_index=True)
    mix["share_a"] = ratio(mix["a"], mix["a"].sum())
    mix["share_b"] = ratio(mix["b"], mix["b"].sum())
    return mix
