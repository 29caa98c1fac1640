"""The CompStat report as pure functions: comparison windows, counts rolled up from beats to
sectors, precincts and the city, changes, significance flags, and the expected-range band of
the trend charts. No Streamlit here; queries/trends/*.sql does the counting.

Method. A change is flagged when an exact Poisson test says it is unlikely to be chance. If the
current window's count X and the earlier count Y (over k times the current window's length: k = 1
for the previous period, the same period last year, the prior 28 days; k = 26 for the mean of the
26 prior periods; the day ratio for year to date) share one Poisson rate, then given n = X + Y,
X ~ Binomial(n, 1/(1 + k)) (the conditional "C-test"). The two-sided p-value (twice the smaller
tail, at most 1) is compared with the significance of z_threshold ([stats] in config.toml):
alpha = 2(1 - Phi(z)), 4.55 % for z = 2. Wheeler's square-root z-score 2(sqrt(X) - sqrt(Y)) is the
quick version of this test, but on two counts it flags about 16 % of pure noise at |z| >= 2, and
far more at small counts (a zero against a mean of 1.5 would be "significant"), so the exact test
is used. The expected range of a period (the charts' band) is the set of counts this test would
not flag against the previous `baseline_periods` periods, so a point outside the band is exactly
a flagged period.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import special, stats

from .config import PRECINCTS, Settings
from .datasets import FACTS
from .palette import DOWN, UP
from .periods import Grid, Window, comparison
from .seasonal import Expected

CITY = "City-wide"
SELECTED = "Selected areas"
UNASSIGNED = "Unassigned (UNKNOWN/OOJ)"
UNASSIGNED_PRECINCTS = ("UNKNOWN", "OOJ")
CRIME_AGAINST = ("PERSON", "PROPERTY", "SOCIETY", "NOT_A_CRIME", "UNKNOWN")
LEVELS = ("city", "precinct", "sector", "beat")
AREA_COLUMNS = ("precinct", "sector", "beat")

# The windows queries/trends/window_counts.sql counts for the table ('baseline': the prior periods).
COUNTED = ("current", "previous", "baseline", "last_year", "rolling", "prior_rolling", "ytd", "prior_ytd")
# Table windows in column order ('expected': the baseline's mean).
WINDOWS = ("current", "previous", "expected", "last_year", "rolling", "prior_rolling", "ytd", "prior_ytd")


@dataclass(frozen=True)
class Change:
    key: str      # column prefix in the table
    now: str      # window names
    before: str

    @property
    def beside(self) -> str:
        """The column the change is shown after: the earlier window (the baseline as its mean)."""
        return "expected" if self.before == "baseline" else self.before


CHANGES = (
    Change("previous", "current", "previous"),
    Change("expected", "current", "baseline"),    # shown beside the baseline mean
    Change("last_year", "current", "last_year"),
    Change("rolling", "rolling", "prior_rolling"),
    Change("ytd", "ytd", "prior_ytd"),
)


@dataclass(frozen=True)
class Headers:
    """What each window and each change is called on screen, in column order."""
    windows: dict[str, str]
    changes: dict[str, str]


def headers(rolling_days: int) -> Headers:
    return Headers(
        {"current": "This period", "previous": "Previous", "expected": "Expected", "last_year": "Last year",
         "rolling": f"Last {rolling_days} days", "prior_rolling": f"Prior {rolling_days} days",
         "ytd": "YTD", "prior_ytd": "Prior YTD"},
        {"previous": "± previous", "expected": "± expected", "last_year": "± last year",
         "rolling": f"± {rolling_days} days", "ytd": "± YTD"})


# --- Statistics ----------------------------------------------------------------------------

def p_value(now, before, k=1.0, dispersion=1.0):
    """Two-sided exact p-value that `now` (one window) and `before` (a window k times as long)
    come from one Poisson rate: given n = now + before, now ~ Binomial(n, 1 / (1 + k)).
    dispersion φ >= 1 (quasi-Poisson, seastat.seasonal): both counts are divided by φ first, and
    the binomial tails are the regularized incomplete beta function, which equals them exactly at
    whole counts and continues them between."""
    now, before, k, phi = (np.asarray(v, dtype=float) for v in (now, before, k, dispersion))
    x, n = now / phi, (now + before) / phi
    share = 1 / (1 + k)
    with np.errstate(invalid="ignore"):
        lower = np.where(x >= n, 1.0, special.betainc(np.maximum(n - x, 1e-300), x + 1, 1 - share))
        upper = np.where(x <= 0, 1.0, special.betainc(np.maximum(x, 1e-300), n - x + 1, share))
    unknown = np.isnan(x) | np.isnan(n) | np.isnan(share)
    return np.where(unknown, np.nan, np.minimum(1.0, 2 * np.minimum(lower, upper)))


def flags(now, before, k, level: float, dispersion=1.0):
    """▲ (up) or ▼ (down) where the change from `before` (k windows' worth) to `now` has a
    p-value at or below `level`; '' elsewhere, and where a count is unknown."""
    now, before, k = (np.asarray(v, dtype=float) for v in (now, before, k))
    significant = p_value(now, before, k, dispersion) <= level        # NaN compares False
    return np.where(significant, np.where(now * k > before, UP, DOWN), "")


def expected_range(before, k, level: float, dispersion=1.0):
    """(lower, upper): the smallest and largest counts `flags` would not mark against `before`
    counted over k windows; NaN where `before` is unknown."""
    before, k, phi = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (before, k, dispersion)))
    mean = before / k
    reach = 8 * np.sqrt(np.nan_to_num(mean * phi)) + 10 * np.nan_to_num(phi, nan=1.0)   # wider than any unflagged count
    first = np.floor(np.clip(np.nan_to_num(mean) - reach, 0, None))
    counts = first[..., None] + np.arange(int(2 * reach.max(initial=0)) + 2)
    calm = p_value(counts, before[..., None], k[..., None], phi[..., None]) > level
    lower = np.where(calm, counts, np.inf).min(axis=-1)
    upper = np.where(calm, counts, -np.inf).max(axis=-1)
    known = calm.any(axis=-1)
    return np.where(known, lower, np.nan), np.where(known, upper, np.nan)


def percent_change(now, before):
    """(now - before) / before in percent; NaN (never inf) from a zero or unknown baseline."""
    now, before = np.asarray(now, dtype=float), np.asarray(before, dtype=float)
    out = np.full(np.broadcast(now, before).shape, np.nan)
    np.divide((now - before) * 100, before, out=out, where=before > 0)
    return out


def alpha(z_threshold: float) -> float:
    """The two-sided significance level of a z-score threshold (2 -> 0.0455); Settings.level."""
    return float(2 * stats.norm.sf(z_threshold))


# --- Windows -------------------------------------------------------------------------------

def report_windows(grid: Grid, period: Window, first_day: dt.date, baseline_periods: int,
                   rolling_days: int = 28) -> dict[str, Window]:
    """The windows the table counts, by name. A window that starts before the data does is left
    out: its zero would mean "no data", not "no incidents". 'baseline' holds up to
    `baseline_periods` whole periods before `period`, and is left out with fewer than half of them."""
    c = comparison(grid, period, rolling_days)
    windows = {"current": c.current, "previous": c.previous, "last_year": c.last_year,
               "rolling": c.rolling, "prior_rolling": c.prior_rolling, "ytd": c.ytd, "prior_ytd": c.prior_ytd}
    windows = {name: w for name, w in windows.items() if w.start >= first_day}
    covered = [p for p in grid.periods_back(period, baseline_periods) if p.start >= first_day]
    if len(covered) >= max(1, math.ceil(baseline_periods / 2)):
        windows["baseline"] = Window(covered[0].start, period.start)
    return windows


def trend_periods(grid: Grid, period: Window, first_day: dt.date, shown: int, history: int) -> list[Window]:
    """The `shown` periods up to `period` and the `history` periods before them that their expected
    levels look back over (Expected.history), oldest first, none before the data begins."""
    back = grid.periods_back(period, shown - 1 + history) + [period]
    return [p for p in back if p.start >= first_day]


def as_params(windows: dict[str, Window]) -> list[dict]:
    """Windows as the $windows parameter of queries/trends/window_counts.sql."""
    return [{"name": name, "start": w.start, "end": w.end} for name, w in windows.items()]


def period_params(periods: list[Window]) -> list[dict]:
    """Periods as the $windows parameter, each named by its start date, as trend_series and the
    compare page's series look them up."""
    return as_params({p.start.isoformat(): p for p in periods})


# --- Offense rows --------------------------------------------------------------------------

def offense_rows(dataset: str, settings: Settings, offenses: list[str]) -> dict[str, tuple[str, tuple | None]]:
    """The table's offense rows for a dataset: key -> (label, offenses it adds up; None = all).
    Crime: each CompStat group of config.toml with its types, then all offenses (the groups are
    decided here, from the offense type every row was published with, for every page and the
    packet alike); use of force: each incident type, then all; calls: all calls."""
    facts = FACTS[dataset]
    everything = {"all": (facts.all_label, None)}
    if facts.has_offense_groups:
        rows = {}
        for group, types in settings.offense_groups.items():
            rows[group] = (group.replace("_", " ").capitalize(), tuple(types))
            rows |= {t: (t.replace("_", " ").capitalize(), (t,)) for t in types}
        return rows | everything
    if dataset == "use_of_force":
        return {t: (t, (t,)) for t in sorted(offenses)} | everything
    return everything


def default_rows(dataset: str, settings: Settings, rows: dict) -> list[str]:
    """Crime opens on the headline groups (violent, property, all); other datasets on every row."""
    if FACTS[dataset].has_offense_groups:
        return [*settings.offense_groups, "all"]
    return list(rows)


def _by_row(counts: pd.DataFrame, rows: dict) -> pd.DataFrame:
    """Counts relabelled by offense row; an event is in every row whose offenses include it."""
    parts = [(counts if offenses is None else counts[counts["offense"].isin(offenses)]).assign(offense=key)
             for key, (_label, offenses) in rows.items()]
    return pd.concat(parts, ignore_index=True)


# --- Areas ---------------------------------------------------------------------------------

def assign_unassigned(df: pd.DataFrame) -> pd.DataFrame:
    """UNKNOWN and OOJ precincts counted together on one 'unassigned' line."""
    return df.assign(precinct=df["precinct"].where(~df["precinct"].isin(UNASSIGNED_PRECINCTS), UNASSIGNED))


def in_areas(df: pd.DataFrame, precincts=(), sectors=(), beats=()) -> pd.Series:
    """Rows inside every non-empty area filter (raw precinct values, as in the data)."""
    keep = pd.Series(True, index=df.index)
    for column, chosen in zip(AREA_COLUMNS, (precincts, sectors, beats)):
        if chosen:
            keep &= df[column].isin(chosen)
    return keep


def precinct_order(precinct) -> tuple[int, str]:
    """Sort key: the five precincts in their usual order, then anything else by name."""
    return (PRECINCTS.index(precinct) if precinct in PRECINCTS else len(PRECINCTS), str(precinct))


# --- The CompStat table --------------------------------------------------------------------

def compstat_table(counts: pd.DataFrame, areas: pd.DataFrame, windows: dict[str, Window], rows: dict,
                   *, level: float, period_days: int, total: str = CITY, covered=None,
                   periods: list[Window] = (), expected: Expected | None = None) -> pd.DataFrame:
    """One row per area (total, precincts, sectors, beats) and offense row.

    counts: window, precinct, sector, beat, offense, n (queries/trends/window_counts.sql);
    areas: the precinct/sector/beat rows to count (the area filter), each shown even with no events;
    windows: the counted windows (report_windows); a missing one shows as NaN, never as zero;
    level: the significance level of the flags (Settings.level);
    covered(window, rows) -> a boolean mask over rows (columns level, precinct, beat, offense):
    False where no published export covers that slice, whose count is then unknown (NaN, "—"),
    never 0 (None: everything covered);
    periods (with `expected`): counts also holds these periods' counts, each named by its start
    date (the current period last, expected.history periods before it); then 'expected' is
    seastat.seasonal's expected level of the current period and every change's test allows for
    the row's dispersion (the 'dispersion' column); without them, the baseline's mean and the
    plain Poisson test.
    Columns: level, precinct, sector, beat, area, offense, offense_label, a count per window
    ('baseline' the total of the baseline periods, 'expected' the expected level, 'expected_periods'
    how many periods the baseline holds), then per change <key>_change and <key>_pct (against
    the expected level for 'expected'), <key>_p (the test's p-value) and <key>_flag."""
    keys = list(rows)
    counted = [name for name in COUNTED if name in windows]
    starts = [p.start.isoformat() for p in periods] if expected is not None else []
    table = _rollup(counts, areas, [*counted, *starts], rows)
    if covered is not None:
        for name in counted:
            table.loc[~covered(windows[name], table), name] = np.nan
    history_counts = None
    if starts:
        history_counts = _unknown_outside(table[starts], periods, table, covered)
        # An area's own counts are used over its last row_history periods only (the total's over all).
        history_counts[:-(expected.row_history + 1), (table["level"] != "city").to_numpy()] = np.nan
    table = table.reindex(columns=["level", *AREA_COLUMNS, "offense", *WINDOWS, "baseline", "expected_periods"])
    table["area"] = _area_labels(table, total)
    table["offense_label"] = table["offense"].map({k: label for k, (label, _) in rows.items()})

    table["expected_periods"] = windows["baseline"].days / period_days if "baseline" in windows else np.nan
    table["expected"] = table["baseline"] / table["expected_periods"]
    tests = {}          # change key -> (before, k) where it is not the window's own count
    phi = np.ones(len(table))
    if history_counts is not None and "baseline" in windows:
        b = expected_now(history_counts, table, expected)
        table["expected"], phi = b["expected"].to_numpy(), b["dispersion"].to_numpy()
        tests["expected"] = (b["before"].to_numpy(), b["k"].to_numpy())
    table["dispersion"] = phi
    for change in CHANGES:
        now = table[change.now]
        both = {change.now, change.before} <= set(windows)
        k = windows[change.before].days / windows[change.now].days if both else np.nan   # exposure ratio
        before, k = tests.get(change.key, (table[change.before], k))      # before / k: the earlier level
        table[f"{change.key}_change"] = now - before / k
        table[f"{change.key}_pct"] = percent_change(now, before / k)
        table[f"{change.key}_p"] = p_value(now, before, k, phi)
        table[f"{change.key}_flag"] = flags(now, before, k, level, phi)

    order = pd.DataFrame({
        "level": table["level"].map(LEVELS.index) > 0,
        "precinct": table["precinct"].map(precinct_order),
        "sector": table["sector"].fillna(""), "beat": table["beat"].fillna(""),
        "offense": table["offense"].map(keys.index),
    })
    return table.loc[order.sort_values(list(order.columns)).index].reset_index(drop=True)


def _rollup(counts: pd.DataFrame, areas: pd.DataFrame, names: list[str], rows: dict) -> pd.DataFrame:
    """level, precinct, sector, beat, offense and a count per window name: each chosen beat and
    offense row (zero where nothing happened), summed up to its sector, its precinct and the total.
    counts: per beat and offense (summed here), or per level and offense row already
    (queries/trends/table_counts.sql: a 'level' column)."""
    index = ["level", *AREA_COLUMNS, "offense"]
    if "level" not in counts.columns:
        counts = counts.merge(areas[list(AREA_COLUMNS)].drop_duplicates(), on=list(AREA_COLUMNS))  # the chosen areas
        counts = _by_row(assign_unassigned(counts), rows)
        counts = pd.concat([counts.groupby([*by, "offense", "window"], as_index=False)["n"].sum().assign(level=level)
                            for level, by in zip(LEVELS, ([], ["precinct"], ["precinct", "sector"],
                                                          list(AREA_COLUMNS)))], ignore_index=True)
    # Each count placed by position (row of the grid, column of its window), rows and windows found
    # by Arrow: pandas' unstack and reindex of the periods' wide frame cost more than the DuckDB pass.
    grid = _grid(areas, rows)
    at = _position(_keys(counts, index), _keys(grid, index))
    column = _position(_text(counts["window"]), _text(pd.Series(names)))
    kept = (at >= 0) & (column >= 0)
    wide = np.zeros((len(grid), len(names)))
    np.add.at(wide, (at[kept], column[kept]), counts["n"].to_numpy(dtype=float)[kept])
    grid[list(AREA_COLUMNS)] = grid[list(AREA_COLUMNS)].replace("", np.nan)
    return pd.concat([grid, pd.DataFrame(wide, columns=names)], axis=1).rename_axis(columns="window")


def _text(values: pd.Series) -> pa.Array:
    return pa.array(values, pa.large_string())


def _keys(df: pd.DataFrame, columns: list[str]) -> pa.Array:
    """One string per row of `columns` (missing as ''), joined by a separator no name uses."""
    return pc.binary_join_element_wise(*(_text(df[c]) for c in columns), pa.scalar("\x1f", pa.large_string()),
                                       null_handling="replace")


def _position(values: pa.Array, among: pa.Array) -> np.ndarray:
    """Where each value is in `among`; -1 where it is not."""
    return pc.index_in(values, value_set=among).fill_null(-1).to_numpy()


def _grid(areas: pd.DataFrame, rows: dict) -> pd.DataFrame:
    """Every row of the table: the total, each chosen precinct, sector and beat, by offense row
    ('' where a level has no such column); built in Python, as the areas are a few dozen."""
    beats = list(dict.fromkeys(assign_unassigned(areas[list(AREA_COLUMNS)]).itertuples(index=False, name=None)))
    places = [("city", "", "", ""),
              *(("precinct", p, "", "") for p in dict.fromkeys(p for p, _, _ in beats)),
              *(("sector", p, s, "") for p, s in dict.fromkeys((p, s) for p, s, _ in beats)),
              *(("beat", *beat) for beat in beats)]
    return pd.DataFrame([(*place, key) for place in places for key in rows], columns=["level", *AREA_COLUMNS, "offense"])


def _unknown_outside(history: pd.DataFrame, periods: list[Window], table: pd.DataFrame, covered) -> np.ndarray:
    """The rows' per-period counts (periods x rows), NaN where no export covers the period: asked
    for the whole span first, period by period only for the rows whose span is not covered."""
    h = history.to_numpy(dtype=float).T.copy()
    if covered is None:
        return h
    gaps = np.flatnonzero(~covered(Window(periods[0].start, periods[-1].end), table))
    for i, period in enumerate(periods):
        if len(gaps):
            h[i, gaps[~covered(period, table.iloc[gaps])]] = np.nan
    return h


def expected_now(history: np.ndarray, table: pd.DataFrame, expected: Expected):
    """seastat.seasonal's baseline of the last period for every row (history: periods x rows of
    `table`, the current period last), the season index of each offense row taken from its total
    row (level 'city'; without one, from the sum of the offense row's areas). The CompStat table and
    /service's tables (seastat.service) decide their expected level here."""
    out = {name: np.full(len(table), np.nan) for name in ("expected", "before", "k", "dispersion")}
    for key in table["offense"].unique():
        columns = np.flatnonzero(table["offense"].to_numpy() == key)
        city = columns[table["level"].to_numpy()[columns] == "city"]
        b = expected.of(history[:, columns], history[:, city[0]] if len(city) else None)
        for name in out:
            out[name][columns] = getattr(b, name)[-1]
    return pd.DataFrame(out)


def _area_labels(table: pd.DataFrame, total: str) -> pd.Series:
    return pd.Series(np.select(
        [table["level"] == "city", table["level"] == "precinct", table["level"] == "sector"],
        [total, table["precinct"], "Sector " + table["sector"].fillna("")],
        "Beat " + table["beat"].fillna("")), index=table.index)


def precinct_view(table: pd.DataFrame) -> pd.DataFrame:
    """The headline rows: the total and the precincts (Unassigned last)."""
    return table[table["level"].isin(["city", "precinct"])]


def drill_view(table: pd.DataFrame, precinct: str) -> pd.DataFrame:
    """One precinct's sectors, each followed by its beats."""
    return table[(table["precinct"] == precinct) & table["level"].isin(["sector", "beat"])]


# --- Exports ------------------------------------------------------------------------------

def table_export(table: pd.DataFrame) -> pd.DataFrame:
    """The numeric table for the CSV download: every level, every window, every change with its
    p-value and flag."""
    return table.rename(columns={"offense": "offense_key", "offense_label": "offense"})


# --- Trend series --------------------------------------------------------------------------

def trend_series(counts: pd.DataFrame, periods: list[Window], by: str, *, level: float, expected: Expected,
                 shown: int, total: str | None = None, covered=None, pooled: pd.Series | None = None,
                 known_from: str | None = None) -> pd.DataFrame:
    """Counts per period and area for the trend charts, with the expected range.

    counts: window (a period's ISO start date), precinct, sector, beat, n, already narrowed to
    the offenses and areas wanted; periods: every period counted, oldest first (expected.history
    before the first shown); by: 'precinct' or 'sector'; total: a label to add the sum of all
    areas as the first panel; pooled: the series the season index comes from, by period start
    (default: the sum of the areas); known_from: the first period (ISO start) `counts` holds,
    the areas' counts before it unknown (with `pooled` given: an area's own level and dispersion
    need only expected.row_history periods before the first shown).
    Long frame: area, period_start, period, count, expected, lower, upper, p, flag, dispersion —
    the last `shown` periods. expected: seastat.seasonal (NaN without enough earlier periods);
    lower/upper the expected range; flag as in the table.
    covered(period, area) -> bool: False where no published export covers that period and area
    (the total's area is None): its count is NaN, a gap in the chart, and out of the baselines."""
    counts = assign_unassigned(counts)
    wide = counts.pivot_table(index="window", columns=by, values="n", aggfunc="sum")
    areas = sorted(wide.columns, key=precinct_order if by == "precinct" else str)
    wide = wide.reindex(index=[p.start.isoformat() for p in periods], columns=areas).fillna(0)
    if by == "sector":
        wide.columns = [f"Sector {sector}" for sector in wide.columns]
    if total is not None:
        wide.insert(0, total, wide.sum(axis=1))
    if covered is not None:
        for column in wide.columns:
            area = None if column == total else column
            wide.loc[[not covered(p, area) for p in periods], column] = np.nan
    if known_from is not None:
        wide[wide.index < known_from] = np.nan
    if pooled is None:
        pooled = wide[[c for c in wide.columns if c != total]].sum(axis=1, min_count=1).where(
            wide.notna().all(axis=1))
    b = expected.of(wide.to_numpy(dtype=float), pooled.reindex(wide.index).to_numpy(dtype=float))
    before, k, phi = (a[-shown:] for a in (b.before, b.k, b.dispersion))
    wide = wide.iloc[-shown:]
    lower, upper = expected_range(before, k, level, phi)
    column = lambda a: np.asarray(a).T.ravel()      # noqa: E731  (areas one after another)
    return pd.DataFrame({
        "area": np.repeat(wide.columns.to_numpy(), len(wide)),
        "period_start": np.tile(pd.to_datetime(wide.index).to_numpy(), wide.shape[1]),
        "period": np.tile([p.label() for p in periods[-len(wide):]], wide.shape[1]),
        "count": column(wide), "expected": column(b.expected[-shown:]),
        "lower": column(lower), "upper": column(upper),
        "p": column(p_value(wide, before, k, phi)), "flag": column(flags(wide, before, k, level, phi)),
        "dispersion": column(phi),
    })
