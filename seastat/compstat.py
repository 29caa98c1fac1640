"""The CompStat report as pure functions: comparison windows, counts rolled up from beats to
sectors, precincts and the city, changes, significance flags, and the expected-range band of
the trend charts. No Streamlit here; queries/trends/*.sql does the counting.

Method. A change is flagged when the Poisson square-root z-score (Wheeler)

    z = 2 (sqrt(now) - sqrt(before)) / sqrt(1 + 1/k)

reaches ±z_threshold ([stats] in config.toml). 2·sqrt(X) of a Poisson count X has variance
about 1 whatever its mean, so a difference against the mean of k periods has variance about
1 + 1/k: k = 1 compares two single counts (previous period, same period last year, 28 days,
year to date), k = 26 compares with the rolling mean of the prior periods (Wheeler's own
2(sqrt(now) - sqrt(mean)) is the k -> infinity limit). The expected range of a period is the set
of counts this test would not flag against the mean of the previous `baseline_periods` periods,
so a point outside the chart's band is exactly a flagged period.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import PRECINCTS, Settings
from .periods import Grid, Window, comparison

METHOD = ("▲ / ▼ mark a change unlikely to be chance: the Poisson square-root z-score "
          "z = 2(√now − √before)/√(1 + 1/k), with k the number of periods averaged in the baseline, "
          "reaches ±{threshold:g}; the grey band on the charts is the range this test expects "
          "from the mean of the previous {periods} periods.")

CITY = "City-wide"
SELECTED = "Selected areas"
UNASSIGNED = "Unassigned (UNKNOWN/OOJ)"
UNASSIGNED_PRECINCTS = ("UNKNOWN", "OOJ")
CRIME_AGAINST = ("PERSON", "PROPERTY", "SOCIETY", "NOT_A_CRIME", "UNKNOWN")
UP, DOWN = "▲", "▼"
LEVELS = ("city", "precinct", "sector", "beat")
AREA_COLUMNS = ("precinct", "sector", "beat")

# Table windows in column order, with the header each gets on screen.
WINDOWS = {
    "current": "This period", "previous": "Previous", "expected": "Expected",
    "last_year": "Last year", "last_28": "Last 28 days", "prior_28": "Prior 28 days",
    "ytd": "YTD", "prior_ytd": "Prior YTD",
}


@dataclass(frozen=True)
class Change:
    key: str      # column prefix in the table
    label: str    # header on screen
    now: str      # window names
    before: str


CHANGES = (
    Change("previous", "± previous", "current", "previous"),
    Change("expected", "± expected", "current", "expected"),
    Change("last_year", "± last year", "current", "last_year"),
    Change("28d", "± 28 days", "last_28", "prior_28"),
    Change("ytd", "± YTD", "ytd", "prior_ytd"),
)


# --- Statistics ----------------------------------------------------------------------------

def z_score(now, before, k=1.0):
    """Square-root z-score of `now` against `before` (a count, or the mean of k counts)."""
    now, before, k = (np.asarray(v, dtype=float) for v in (now, before, k))
    return 2 * (np.sqrt(now) - np.sqrt(before)) / np.sqrt(1 + 1 / k)


def flags(z, threshold: float):
    """▲ where z >= threshold, ▼ where z <= -threshold, '' elsewhere (and where z is unknown)."""
    z = np.asarray(z, dtype=float)
    return np.where(z >= threshold, UP, np.where(z <= -threshold, DOWN, ""))


def expected_range(mean, k, threshold: float):
    """(lower, upper): the counts whose z-score against the mean of k periods stays inside ±threshold."""
    mean, k = np.asarray(mean, dtype=float), np.asarray(k, dtype=float)
    half_width = threshold * np.sqrt(1 + 1 / k) / 2     # on the sqrt scale
    root = np.sqrt(mean)
    return np.clip(root - half_width, 0, None) ** 2, (root + half_width) ** 2


def percent_change(now, before):
    """(now - before) / before in percent; NaN (never inf) from a zero or unknown baseline."""
    now, before = np.asarray(now, dtype=float), np.asarray(before, dtype=float)
    out = np.full(np.broadcast(now, before).shape, np.nan)
    np.divide((now - before) * 100, before, out=out, where=before > 0)
    return out


# --- Windows -------------------------------------------------------------------------------

def report_windows(grid: Grid, period: Window, first_day: dt.date, baseline_periods: int) -> dict[str, Window]:
    """The windows the table counts, by name. A window that starts before the data does is left
    out: its zero would mean "no data", not "no incidents". 'baseline' holds up to
    `baseline_periods` whole periods before `period`, and is left out with fewer than half of them."""
    c = comparison(grid, period)
    windows = {"current": c.current, "previous": c.previous, "last_year": c.last_year,
               "last_28": c.last_28, "prior_28": c.prior_28, "ytd": c.ytd, "prior_ytd": c.prior_ytd}
    windows = {name: w for name, w in windows.items() if w.start >= first_day}
    covered = [p for p in grid.periods_back(period, baseline_periods) if p.start >= first_day]
    if len(covered) >= max(1, math.ceil(baseline_periods / 2)):
        windows["baseline"] = Window(covered[0].start, period.start)
    return windows


def trend_periods(grid: Grid, period: Window, first_day: dt.date, shown: int, baseline_periods: int) -> list[Window]:
    """The `shown` periods up to `period` and the baseline periods before them, oldest first,
    none before the data begins."""
    back = grid.periods_back(period, shown - 1 + baseline_periods) + [period]
    return [p for p in back if p.start >= first_day]


def as_params(windows: dict[str, Window]) -> list[dict]:
    """Windows as the $windows parameter of queries/trends/window_counts.sql."""
    return [{"name": name, "start": w.start, "end": w.end} for name, w in windows.items()]


# --- Offense rows --------------------------------------------------------------------------

def offense_rows(dataset: str, settings: Settings, offenses: list[str]) -> dict[str, tuple[str, tuple | None]]:
    """The table's offense rows for a dataset: key -> (label, offenses it adds up; None = all).
    Crime: each CompStat group with its types, then all offenses; use of force: each incident
    type, then all; calls: all calls (calls have no offense grouping)."""
    if dataset == "crime":
        rows = {}
        for group, types in settings.offense_groups.items():
            rows[group] = (group.capitalize(), tuple(types))
            rows |= {t: (t.replace("_", " ").capitalize(), (t,)) for t in types}
        return rows | {"all": ("All offenses", None)}
    if dataset == "use_of_force":
        return {t: (t, (t,)) for t in sorted(offenses)} | {"all": ("All uses of force", None)}
    return {"all": ("All calls", None)}


def default_rows(dataset: str, settings: Settings, rows: dict) -> list[str]:
    """Crime opens on the headline groups (violent, property, all); other datasets on every row."""
    if dataset == "crime":
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


def _precinct_rank(precinct) -> int:
    return PRECINCTS.index(precinct) if precinct in PRECINCTS else len(PRECINCTS)


# --- The CompStat table --------------------------------------------------------------------

def compstat_table(counts: pd.DataFrame, areas: pd.DataFrame, windows: dict[str, Window], rows: dict,
                   *, threshold: float, period_days: int, total: str = CITY) -> pd.DataFrame:
    """One row per area (total, precincts, sectors, beats) and offense row.

    counts: window, precinct, sector, beat, offense, n (queries/trends/window_counts.sql);
    areas: every precinct/sector/beat to show, so an area with no events shows zeros;
    windows: the counted windows (report_windows); a missing one shows as NaN, never as zero.
    Columns: level, precinct, sector, beat, area, offense, offense_label, a count per window
    ('expected' is the baseline mean, 'expected_periods' its k), then per change
    <key>_change, <key>_pct, <key>_z and <key>_flag."""
    keys = list(rows)
    wide = (_by_row(assign_unassigned(counts), rows)
            .pivot_table(index=[*AREA_COLUMNS, "offense"], columns="window", values="n", aggfunc="sum"))
    grid = pd.MultiIndex.from_frame(
        assign_unassigned(areas[list(AREA_COLUMNS)]).drop_duplicates().merge(pd.DataFrame({"offense": keys}), how="cross"))
    counted = [name for name in ("current", "previous", "baseline", "last_year", "last_28", "prior_28", "ytd", "prior_ytd")
               if name in windows]
    wide = wide.reindex(index=grid, columns=counted).fillna(0).reset_index()

    levels = []
    for level, by in zip(LEVELS, ([], ["precinct"], ["precinct", "sector"], list(AREA_COLUMNS))):
        part = wide.groupby([*by, "offense"], as_index=False)[counted].sum()
        levels.append(part.assign(level=level))
    table = pd.concat(levels, ignore_index=True)
    table = table.reindex(columns=["level", *AREA_COLUMNS, "offense", *WINDOWS, "baseline"])
    table["area"] = _area_labels(table, total)
    table["offense_label"] = table["offense"].map({k: label for k, (label, _) in rows.items()})

    k = windows["baseline"].days / period_days if "baseline" in windows else np.nan
    table["expected"] = table["baseline"] / k
    table["expected_periods"] = k
    for change in CHANGES:
        now, before = table[change.now], table[change.before]
        z = z_score(now, before, k if change.before == "expected" else 1)
        table[f"{change.key}_change"] = now - before
        table[f"{change.key}_pct"] = percent_change(now, before)
        table[f"{change.key}_z"] = z
        table[f"{change.key}_flag"] = flags(z, threshold)

    order = pd.DataFrame({
        "level": table["level"].map(LEVELS.index) > 0,
        "precinct": table["precinct"].map(_precinct_rank),
        "precinct_name": table["precinct"].fillna(""),
        "sector": table["sector"].fillna(""), "beat": table["beat"].fillna(""),
        "offense": table["offense"].map(keys.index),
    })
    return table.loc[order.sort_values(list(order.columns)).index].drop(columns="baseline").reset_index(drop=True)


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


# --- On screen -----------------------------------------------------------------------------

def change_text(now: float, before: float, flag: str) -> str:
    """'▲ +35%'; a zero baseline reads '+5 from 0' (or '0'); an unknown window '—'."""
    if pd.isna(now) or pd.isna(before):
        return "—"
    if before == 0:
        text = "0" if now == 0 else f"+{now:,.0f} from 0"
    else:
        text = f"{(now - before) / before:+.0%}"
    return f"{flag} {text}" if flag else text


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the meeting reads it: counts with thousands separators, each change as a
    flagged percent, '—' where a window has no data; the area named once per block of rows."""
    def count(values: pd.Series, decimals: int = 0) -> pd.Series:
        return values.map(lambda v: "—" if pd.isna(v) else f"{v:,.{decimals}f}")

    out = pd.DataFrame({"Area": table["area"].where(table["area"] != table["area"].shift(), ""),
                        "Offense": table["offense_label"]})
    for window, header in WINDOWS.items():
        out[header] = count(table[window], 1 if window == "expected" else 0)
        for change in CHANGES:
            if change.before == window:
                out[change.label] = [change_text(n, b, f) for n, b, f in zip(
                    table[change.now], table[change.before], table[f"{change.key}_flag"])]
    return out.reset_index(drop=True)


FLAG_STYLES = {
    UP: "background-color: #FDDBC7; color: #67000D; font-weight: 700",     # orange, dark red text
    DOWN: "background-color: #D1E5F0; color: #053061; font-weight: 700",   # blue, dark blue text
}


def styled(shown: pd.DataFrame) -> "pd.io.formats.style.Styler":
    """readable() with flagged changes in orange (up) or blue (down), colour-blind safe beside
    the ▲ / ▼ symbols, and large bold numerals for the current period."""
    change_columns = [c.label for c in CHANGES]

    def flag_style(text: str) -> str:
        return FLAG_STYLES.get(text[:1], "")

    return (shown.style.hide(axis="index")
            .map(flag_style, subset=change_columns)
            .set_properties(subset=["This period"], **{"font-weight": "700"})
            .set_properties(**{"font-size": "1.15rem", "white-space": "nowrap"}))


def table_export(table: pd.DataFrame) -> pd.DataFrame:
    """The numeric table for the CSV download (every level, every change, z-scores included)."""
    return table.drop(columns=["area"]).rename(columns={"offense": "offense_key", "offense_label": "offense"})


# --- Trend series --------------------------------------------------------------------------

def trend_series(counts: pd.DataFrame, periods: list[Window], by: str, *, threshold: float,
                 baseline_periods: int, shown: int, total: str | None = None) -> pd.DataFrame:
    """Counts per period and area for the trend charts, with the expected range.

    counts: window (a period's ISO start date), precinct, sector, beat, n, already narrowed to
    the offenses and areas wanted; periods: every period counted, oldest first; by: 'precinct'
    or 'sector'; total: a label to add the sum of all areas as the first panel.
    Long frame: area, period_start, period, count, expected, lower, upper, z, flag — the last
    `shown` periods. expected is the mean of up to `baseline_periods` prior periods (NaN with
    fewer than half of them)."""
    counts = assign_unassigned(counts)
    wide = counts.pivot_table(index="window", columns=by, values="n", aggfunc="sum")
    areas = sorted(wide.columns, key=lambda a: (_precinct_rank(a), a)) if by == "precinct" else sorted(wide.columns)
    wide = wide.reindex(index=[p.start.isoformat() for p in periods], columns=areas).fillna(0)
    if total is not None:
        wide.insert(0, total, wide.sum(axis=1))
    prior = wide.shift(1).rolling(baseline_periods, min_periods=max(1, math.ceil(baseline_periods / 2)))
    expected, k = prior.mean(), prior.count()
    lower, upper = expected_range(expected, k, threshold)
    z = z_score(wide, expected, k)
    long = pd.DataFrame({
        "area": np.repeat(wide.columns.to_numpy(), len(wide)),
        "period_start": np.tile(pd.to_datetime(wide.index).to_numpy(), wide.shape[1]),
        "period": np.tile([p.label() for p in periods], wide.shape[1]),
        "count": wide.to_numpy().T.ravel(),
        "expected": expected.to_numpy().T.ravel(),
        "lower": lower.T.ravel(), "upper": upper.T.ravel(), "z": z.T.ravel(),
    })
    long["flag"] = flags(long["z"], threshold)
    keep = set(wide.index[-shown:])
    return long[long["period_start"].dt.strftime("%Y-%m-%d").isin(keep)].reset_index(drop=True)
