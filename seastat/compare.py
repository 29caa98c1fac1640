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

import altair as alt
import numpy as np
import pandas as pd

from . import compstat
from .charts import DOWN_COLOUR, UP_COLOUR
from .config import PRECINCTS
from .periods import Grid, Window, comparison

MODES = {"places": "Place against place", "periods": "Period against period",
         "datasets": "Crime, calls and use of force", "use_of_force": "Use of force"}
AGAINST = {"previous": "The previous period", "last_year": "The same period last year", "chosen": "A period I choose"}
LEVELS = {"city": "City-wide", "precinct": "Precinct", "sector": "Sector", "beat": "Beat"}
DATASETS = ("crime", "calls", "use_of_force")
NOUNS = {"crime": "offenses", "calls": "calls for service", "use_of_force": "uses of force"}
NOT_AVAILABLE = "not available"
# Slices: near-black and Okabe-Ito green (vermillion and blue already mean up and down); B is also dashed.
SLICE_COLOURS = ("#222222", "#009E73")
SLICE_DASHES = ([1, 0], [8, 4])
LEVEL_COLOURS = ["#FDD0A2", "#FD8D3C", "#D94801", "#7F2704"]    # light to dark: Level 1 ... OIS

# Column headers on screen; the CSV keeps the column names.
HEADERS = {
    "area": "Area", "crime": "Crime reports", "calls": "911 calls", "use_of_force": "Uses of force",
    "calls_per_crime": "Calls per reported crime", "use_of_force_per_1000_calls": "Uses of force per 1,000 calls",
    "category": "Offense group", "difference": "Difference", "share_a": "Share of A", "share_b": "Share of B",
    "period": "Period",
}
DATASET_MEASURES = {"crime": "Crime reports", "calls": "911 calls for service", "use_of_force": "Uses of force",
                    "calls_per_crime": "Calls per reported crime",
                    "use_of_force_per_1000_calls": "Uses of force per 1,000 calls"}


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


def noun(dataset: str, row: str, label: str) -> str:
    """What is counted, for sentences: 'offenses', 'violent offenses', '“Level 2” uses of force'."""
    if row == "all":
        return NOUNS[dataset]
    return f"{label.lower()} {NOUNS[dataset]}" if dataset == "crime" else f"“{label}” {NOUNS[dataset]}"


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


def in_words(d: Difference, what: str) -> str:
    """The difference as a sentence for the meeting, with its test."""
    if d.change == 0:
        return f"{d.a} and {d.b} had the same number of {what}: {d.n_a:,} each."
    percent = f"percent change {NOT_AVAILABLE} from zero" if d.n_b == 0 else f"{d.percent:+.0f}%"
    text = (f"{d.a} had {'more' if d.change > 0 else 'fewer'} {what} than {d.b}: "
            f"{d.n_a:,} against {d.n_b:,} ({d.change:+,}, {percent}).")
    p = "p < 0.001" if d.p < 0.001 else f"p = {d.p:.3f}"
    if d.flag:
        return f"{text} {d.flag} A difference this large is unlikely to be chance (exact Poisson test, {p})."
    return f"{text} Chance alone often gives a difference this large (exact Poisson test, {p})."


def ratio(numerator, denominator, per: float = 1.0):
    """numerator / denominator x per; NaN where the denominator is zero or unknown."""
    num, den = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num * per, den, out=out, where=den != 0)     # NaN stays NaN
    return out if out.ndim else float(out)


def ratio_text(value, decimals: int = 1) -> str:
    return NOT_AVAILABLE if pd.isna(value) else f"{value:,.{decimals}f}"


def datasets_in_words(place: str, n: dict[str, int], calls_per_crime: float, per_1000_calls: float) -> str:
    """One place and period across the three datasets, with the ratios between them."""
    return (f"{place} — crime reports: {n['crime']:,}; 911 calls for service: {n['calls']:,} "
            f"({_per(calls_per_crime, 'calls per reported crime')}); uses of force: {n['use_of_force']:,} "
            f"({_per(per_1000_calls, 'per 1,000 calls')}).")


def use_of_force_in_words(place: str, by_level: pd.Series, calls: int, per_1000_calls: float) -> str:
    """Uses of force in one place and period, every incident type named, against calls for service."""
    levels = "; ".join(f"{level}: {n:,}" for level, n in by_level.items())
    return (f"{place} — uses of force: {int(by_level.sum()):,} ({levels}); 911 calls for service: {calls:,}; "
            f"{_per(per_1000_calls, 'uses of force per 1,000 calls')}.")


def _per(value: float, unit: str) -> str:
    return f"{unit} {NOT_AVAILABLE}: no denominator" if pd.isna(value) else f"{ratio_text(value)} {unit}"


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """A table as the meeting reads it: counts with thousands separators, ratios to one decimal
    ('not available' for a zero denominator), shares in percent, the headers in words."""
    out = pd.DataFrame(index=table.index)
    for column, values in table.items():
        if column.startswith("share"):
            out[column] = values.map(lambda v: NOT_AVAILABLE if pd.isna(v) else f"{v:.0%}")
        elif pd.api.types.is_integer_dtype(values):
            out[column] = values.map(lambda v: f"{v:,}" if column != "difference" else f"{v:+,}")
        elif pd.api.types.is_float_dtype(values):
            out[column] = values.map(ratio_text)
        else:
            out[column] = values
    return out.rename(columns=lambda c: HEADERS.get(c, c)).reset_index(drop=True)


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


def mix_in_words(mix: pd.DataFrame, a: str, b: str, what: str) -> str:
    """The groups that drive the difference, and the largest one that went the other way."""
    net = int(mix["difference"].sum())
    if mix[["a", "b"]].to_numpy().sum() == 0:
        return f"Neither {a} nor {b} had any {what}."
    named = lambda rows: ", ".join(f"{r.category} ({r.difference:+,})" for r in rows.itertuples())  # noqa: E731
    if net == 0:
        moved = mix[mix["difference"] != 0]
        return (f"{a} and {b} had the same number of {what}"
                + (f", in a different mix: {named(moved.head(3))}." if len(moved) else ", in the same mix."))
    direction = np.sign(net)
    drivers = mix[np.sign(mix["difference"]) == direction].head(3)
    text = (f"Of the {net:+,} difference between {a} and {b}, {named(drivers)} "
            f"account for {int(drivers['difference'].sum()):+,}")
    against = mix[np.sign(mix["difference"]) == -direction].head(1)
    return text + (f"; {named(against)} went the other way." if len(against) else ".")


# --- Charts (Altair, projector sizes; exported as they are shown) ------------------------------------

AXIS = dict(labelFontSize=14, titleFontSize=15)
TIME_AXIS = dict(format="%b %Y", tickCount=alt.TickCount(interval="month", step=2))


def _slice_encodings(order: list[str]) -> dict:
    legend = alt.Legend(title=None, orient="top", labelFontSize=16, symbolType="stroke", symbolStrokeWidth=4,
                        symbolSize=500, labelLimit=0)
    return dict(color=alt.Color("slice:N", sort=order, scale=alt.Scale(domain=order, range=list(SLICE_COLOURS)),
                                legend=legend),
                strokeDash=alt.StrokeDash("slice:N", sort=order, legend=legend,
                                          scale=alt.Scale(domain=order, range=list(SLICE_DASHES))))


def places_chart(series: pd.DataFrame, title: str, value_title: str, width: int = 860, height: int = 300) -> alt.Chart:
    """Two places per period on one shared count axis (place_periods)."""
    order = list(dict.fromkeys(series["slice"]))
    return alt.Chart(series).mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=50)).encode(
        x=alt.X("period_start:T", title=None, axis=alt.Axis(**TIME_AXIS, **AXIS)),
        y=alt.Y("count:Q", title=value_title, axis=alt.Axis(**AXIS)),
        tooltip=[alt.Tooltip("slice:N", title="Place"), alt.Tooltip("period:N", title="Period"),
                 alt.Tooltip("count:Q", title=value_title, format=",")],
        **_slice_encodings(order),
    ).properties(width=width, height=height, title=title)


def running_chart(series: pd.DataFrame, title: str, value_title: str, width: int = 860, height: int = 300) -> alt.Chart:
    """Two periods day by day on one axis (running_totals): where one pulls ahead, and when."""
    order = list(dict.fromkeys(series["slice"]))
    return alt.Chart(series).mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=50)).encode(
        x=alt.X("day:Q", title="Day of the period", scale=alt.Scale(domain=[1, int(series["day"].max())]),
                axis=alt.Axis(tickMinStep=1, format="d", **AXIS)),
        y=alt.Y("count:Q", title=f"{value_title}, running total", axis=alt.Axis(**AXIS)),
        tooltip=[alt.Tooltip("slice:N", title="Period"), alt.Tooltip("date:N", title="Day"),
                 alt.Tooltip("count:Q", title="Running total", format=",")],
        **_slice_encodings(order),
    ).properties(width=width, height=height, title=title)


def mix_chart(mix: pd.DataFrame, a: str, b: str, title: str, width: int = 380) -> alt.HConcatChart:
    """Each offense group's count in A and B on one axis, and beside it the difference, largest
    first; rises in vermillion with '+', falls in blue with '−' (readable without colour)."""
    order = list(mix["category"])
    height = 30 * len(order)          # both panels: the rows line up
    pairs = mix.melt(id_vars="category", value_vars=["a", "b"], var_name="which", value_name="count")
    pairs["slice"] = pairs["which"].map({"a": a, "b": b})
    y = alt.Y("category:N", sort=order, title=None, axis=alt.Axis(labelFontSize=14, labelLimit=330))
    counts = alt.Chart(pairs).mark_bar().encode(
        y=y, yOffset=alt.YOffset("slice:N", sort=[a, b]), x=alt.X("count:Q", title="Count", axis=alt.Axis(**AXIS)),
        color=alt.Color("slice:N", sort=[a, b], scale=alt.Scale(domain=[a, b], range=list(SLICE_COLOURS)),
                        legend=alt.Legend(title=None, orient="top", labelFontSize=16, labelLimit=0)),
        tooltip=[alt.Tooltip("category:N", title="Group"), alt.Tooltip("slice:N", title="Slice"),
                 alt.Tooltip("count:Q", format=",")],
    ).properties(width=width, height=height)
    change = mix["difference"]
    diffs = mix.assign(text=[f"{d:+,}".replace("-", "−") for d in change],
                       sign=np.select([change > 0, change < 0], ["more in A", "fewer in A"], "same"))
    base = alt.Chart(diffs).encode(y=alt.Y("category:N", sort=order, title=None, axis=None))
    bars = base.mark_bar().encode(
        x=alt.X("difference:Q", title=f"{a} − {b}" if len(a + b) < 30 else "Difference, A − B",
                axis=alt.Axis(**AXIS)),
        color=alt.Color("sign:N", scale=alt.Scale(domain=["more in A", "fewer in A", "same"],
                                                  range=[UP_COLOUR, DOWN_COLOUR, "#999999"]), legend=None),
        tooltip=[alt.Tooltip("category:N", title="Group"), alt.Tooltip("difference:Q", format="+,")])
    labels = [base.transform_filter(test).mark_text(align=align, dx=dx, fontSize=14, fontWeight="bold").encode(
        x="difference:Q", text="text:N") for test, align, dx in ((alt.datum.difference >= 0, "left", 4),
                                                                 (alt.datum.difference < 0, "right", -4))]
    return (alt.hconcat(counts, alt.layer(bars, *labels).properties(width=width * 2 // 3, height=height), spacing=10)
            .resolve_scale(color="independent").properties(title=title))


def dataset_chart(frame: pd.DataFrame, title: str, width: int = 860, height: int = 95) -> alt.FacetChart:
    """The three datasets and their ratios per period, one row each on one shared time axis
    (dataset_periods); a ratio with no denominator leaves a gap."""
    long = frame.melt(id_vars=["period_start", "period"], value_vars=list(DATASET_MEASURES),
                      var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(DATASET_MEASURES)
    return alt.Chart(long).mark_line(strokeWidth=3, color="#111111", point=alt.OverlayMarkDef(size=40)).encode(
        x=alt.X("period_start:T", title=None, axis=alt.Axis(**TIME_AXIS, **AXIS)),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(labelFontSize=13, tickCount=3, format="~s")),
        tooltip=[alt.Tooltip("measure:N", title="Measure"), alt.Tooltip("period:N", title="Period"),
                 alt.Tooltip("value:Q", title="Value", format=",.1f")],
    ).properties(width=width, height=height).facet(
        facet=alt.Facet("measure:N", sort=list(DATASET_MEASURES.values()), title=None,
                        header=alt.Header(labelFontSize=16, labelFontWeight="bold", labelAnchor="start")),
        columns=1, spacing=12,
    ).resolve_scale(y="independent").properties(title=title)


def use_of_force_chart(frame: pd.DataFrame, levels: list[str], title: str, width: int = 860) -> alt.VConcatChart:
    """Uses of force per period stacked by incident type, and under it, on the same time axis,
    uses of force per 1,000 calls for service (use_of_force_periods)."""
    long = frame.melt(id_vars=["period_start", "period"], value_vars=levels, var_name="level", value_name="n")
    long["level_order"] = long["level"].map(levels.index)
    x = alt.X("period_start:T", title=None, axis=alt.Axis(**TIME_AXIS, **AXIS))
    bars = alt.Chart(long).mark_bar(width=max(4, width // (2 * max(len(frame), 1)))).encode(
        x=x, y=alt.Y("sum(n):Q", title="Uses of force", axis=alt.Axis(**AXIS)),
        color=alt.Color("level:N", sort=levels, title=None,
                        scale=alt.Scale(domain=levels, range=(LEVEL_COLOURS * 2)[:len(levels)]),
                        legend=alt.Legend(orient="top", labelFontSize=15, labelLimit=0, symbolStrokeColor="#333")),
        order=alt.Order("level_order:Q"),
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("level:N", title="Incident type"),
                 alt.Tooltip("n:Q", title="Uses of force")],
    ).properties(width=width, height=220)
    rate = alt.Chart(frame).mark_line(strokeWidth=3, color="#111111", point=alt.OverlayMarkDef(size=40)).encode(
        x=x, y=alt.Y("use_of_force_per_1000_calls:Q", title="Per 1,000 calls", axis=alt.Axis(**AXIS)),
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("use_of_force:Q", title="Uses of force"),
                 alt.Tooltip("calls:Q", title="911 calls", format=","),
                 alt.Tooltip("use_of_force_per_1000_calls:Q", title="Per 1,000 calls", format=".1f")],
    ).properties(width=width, height=150)
    return alt.vconcat(bars, rate, spacing=12).resolve_scale(x="shared").properties(title=title)
