"""911 calls and use of force measured as a strategy meeting asks: response times, when and
what, the call sources, use-of-force rates and subjects. Pure pandas/numpy over the rows of
queries/service/*.sql; no Streamlit. seastat.reports assembles these into reports.

Response time: from the original time queued to the first arrival, for dispatched calls only.
On-view events (call type ONVIEW), and events whose arrival equals their queue time (officer-
initiated, whatever the call type), are not dispatched and are left out, and counted. Calls with
no call type come from the older 911 Incident Response layout, whose only time is the clearance
time: no response time can be measured for them. Dispatched calls with no arrival time are
counted and shown as "no arrival recorded"; an arrival before the queue time is a recording error,
counted as such. The median and the 90th percentile (linear interpolation between order
statistics, numpy's and pandas' default) are reported, never the mean, which a few calls of hours
pull far up. The share over target is the share of arrived calls slower than the priority's target
(config.toml [service] targets).

Change tests. A share (over target, on-view) against an earlier window: the exact conditional test
of two proportions (Fisher's): given both windows' totals and the number of "successes" in both,
this window's count is hypergeometric; the two-sided p-value is twice the smaller tail, at most 1,
the convention of seastat.compstat.p_value. Counts (uses of force, call types, hours) use the
exact Poisson test of seastat.compstat; a rate per call uses it with the calls as the exposure.

Expected level. Given `periods` (the counts per period, the current one last) and `expected`
([stats] expected, overdispersion: seastat.seasonal), the expected count of uses of force, of an
hour of the week and of a call type is the one the trends page uses (compstat.expected_now: the
recent level scaled by the time of year) and every count test of the row allows for the row's
dispersion. Shares (over target, on-view) stay against the baseline periods pooled: a share is a
ratio within each period's own calls, so the season's swing in volume cancels out of it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import compstat
from .palette import DOWN, UP

COMPARED = ("previous", "last_year", "expected")     # the earlier windows a measure is set against
NOT_RECORDED = "Unknown / not recorded"
# What response times leave out (queries/service/call_status.sql), by reason
EXCLUDED = {"on-view": "On-view (call type ONVIEW)", "same time": "Arrival equals queue time (officer-initiated)",
            "no source": "No call type (older 911 Incident Response layout: no queue time)"}
SOURCES = {"source_911": "911", "source_onview": "On-view", "source_telephone": "Telephone (not 911)",
           "source_alarm": "Alarm", "source_other": "Other", "source_not_recorded": "Not recorded"}
UOF_LEVELS = ("Level 1", "Level 2", "Level 3", "OIS")
UNKNOWN_SUBJECT = {"", "-", "U", "UNKNOWN", "NOT SPECIFIED", "NOT RECORDED", "NULL", "NONE", "N/A", "DUPLICATE"}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- Statistics ------------------------------------------------------------------------------------

def two_proportion_p(x1, n1, x2, n2):
    """Two-sided exact conditional p-value that x1 of n1 and x2 of n2 share one proportion: given
    the margins, x1 ~ Hypergeometric(n1 + n2, x1 + x2, n1); twice the smaller tail, at most 1.
    NaN where either total is 0 or unknown."""
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    ok = (n1 > 0) & (n2 > 0) & ~np.isnan(n1 + n2 + x1 + x2)
    M, K, N, x = (np.where(ok, v, 1) for v in (n1 + n2, x1 + x2, n1, x1))
    tails = np.minimum(stats.hypergeom.cdf(x, M, K, N), stats.hypergeom.sf(x - 1, M, K, N))
    return np.where(ok, np.minimum(1.0, 2 * tails), np.nan)


def proportion_flags(x1, n1, x2, n2, level: float, p=None):
    """▲ where the first share is higher (p at or below `level`), ▼ where lower, '' elsewhere
    (p: two_proportion_p of the same, when the caller has it already)."""
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    significant = (two_proportion_p(x1, n1, x2, n2) if p is None else np.asarray(p)) <= level
    with np.errstate(divide="ignore", invalid="ignore"):
        higher = x1 / n1 > x2 / n2
    return np.where(significant, np.where(higher, UP, DOWN), "")


def each_value(values: pd.Series, fn) -> pd.Series:
    """fn of every value, worked out once per distinct value (a missing value: fn(None))."""
    codes, distinct = pd.factorize(values)      # missing: code -1, the last result
    return pd.Series(np.array([*map(fn, distinct), fn(None)], dtype=object)[codes], index=values.index)


# --- Areas -----------------------------------------------------------------------------------------

AREA_LEVELS = {"city": [], "precinct": ["precinct"], "sector": ["precinct", "sector"],
               "beat": ["precinct", "sector", "beat"]}


def _area_names(frame: pd.DataFrame, total: str) -> np.ndarray:
    """Each row's area as shown: `total` for the city, the precinct, 'Sector X' or 'Beat X'."""
    level = frame["level"].to_numpy(dtype=object)
    names = np.full(len(frame), total, dtype=object)
    for name, prefix in (("precinct", ""), ("sector", "Sector "), ("beat", "Beat ")):
        at = level == name
        if at.any():
            names[at] = [None if v is None else prefix + str(v)
                         for v in frame[name].to_numpy(dtype=object, na_value=None)[at]]
    return names


def _area_index(frames: list[pd.DataFrame], total: str, city: bool = True) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """The areas of rows counted per area (level 'city' / 'precinct': reports.AREA_QUERIES) as a
    table (level, area, precinct) in the order areas are shown, with the city first even without
    rows when `city`; and each frame's rows' positions in it."""
    names = [_area_names(f, total) for f in frames]
    every = {"level": [np.array(["city"] * city, dtype=object), *(f["level"].to_numpy(dtype=object) for f in frames)],
             "area": [np.array([total] * city, dtype=object), *names],
             "precinct": [np.array([None] * city, dtype=object),
                          *(f["precinct"].to_numpy(dtype=object, na_value=None) for f in frames)]}
    every = {c: np.concatenate(v) for c, v in every.items()}
    first = np.sort(np.unique(every["area"].astype(str), return_index=True)[1])
    first = first[_area_order({c: v[first] for c, v in every.items()})]
    areas = pd.DataFrame({c: v[first] for c, v in every.items()})
    index = pd.Index(areas["area"])
    return areas, [index.get_indexer(n) for n in names]


def _summed(at: np.ndarray, column: np.ndarray, shape: tuple[int, int], weights: np.ndarray) -> np.ndarray:
    """areas x columns: `weights` added up at each row's area `at` and column (-1: neither)."""
    out = np.zeros(shape)
    ok = (at >= 0) & (column >= 0)
    np.add.at(out, (at[ok], column[ok]), weights[ok])
    return out


def _area_order(table, within=None) -> np.ndarray:
    """The order of rows (a frame, or a dict of arrays) by level (city first), precinct (the usual
    order), sector and beat, then by `within` (an array of ranks), then as they were."""
    size = len(table["level"])
    text = {c: pd.Series(table[c]).to_numpy(dtype=object, na_value="").astype(str) if c in table
            else np.full(size, "") for c in ("precinct", "sector", "beat")}
    distinct, codes = np.unique(text["precinct"], return_inverse=True)
    rank = np.array([compstat.precinct_order(p)[0] if p else -1 for p in distinct])[codes.reshape(-1)]
    level = pd.Index(list(AREA_LEVELS)).get_indexer(pd.Series(table["level"]))
    keys = [text["beat"], text["sector"], text["precinct"], rank, level]
    return np.lexsort(keys if within is None else [within, *keys])


def _expected(counts: np.ndarray, periods, expected, windows, offense=None, level=None) -> pd.DataFrame | None:
    """compstat.expected_now for rows counted per period (`counts`: periods x rows, the current
    one last): expected, before, k, dispersion; or None (the baseline's mean and the plain test)
    without periods or baseline. offense / level: the rows' season groups and their total rows
    ('city'), as compstat.expected_now reads them."""
    if expected is None or not len(periods) or "baseline" not in windows:
        return None
    rows = pd.DataFrame({"offense": "all" if offense is None else offense,
                         "level": "cell" if level is None else level}, index=range(counts.shape[1]))
    return compstat.expected_now(counts, rows, expected)


# --- Response times --------------------------------------------------------------------------------

def priority_order(priority) -> tuple[int, float, str]:
    """Priorities 1, 2, 3 ... in order, then anything else by name ('not recorded' last)."""
    text = str(priority)
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text)


WINDOWS = ("current", "previous", "last_year", "baseline")   # what /service sets a period against


def windows(settings, period, first_day) -> dict:
    """This period, the previous one, the same period last year and the baseline periods (the
    expected level), each only where the data from `first_day` covers it."""
    found = compstat.report_windows(settings.grid, period, first_day, settings.stats.baseline_periods,
                                    settings.periods.rolling_days)
    return {name: w for name, w in found.items() if name in WINDOWS}


def window_key(window) -> str:
    """How publish names a window it measured response times in (service/response_times.parquet)."""
    return f"{window.start.isoformat()}/{window.end.isoformat()}"


def response_params(windows: dict, targets: dict[str, float], precincts=()) -> dict:
    """The parameters of queries/service/response_times.sql for the named windows."""
    return dict(windows=compstat.as_params(windows), scan_from=min(w.start for w in windows.values()),
                scan_to=max(w.end for w in windows.values()), precincts=list(precincts),
                unassigned=compstat.UNASSIGNED,
                targets=[{"priority": p, "target_seconds": m * 60} for p, m in targets.items()])


def response_table(summary: pd.DataFrame, windows: dict, targets: dict[str, float], *, min_calls: int,
                   level: float, total: str = compstat.CITY) -> pd.DataFrame:
    """Response times per area and priority, this period against the earlier windows.

    summary: queries/service/response_times.sql (level, window, precinct, sector, beat, priority,
    calls, arrived, no_arrival, arrival_before_queue, over_target, median_minutes, p90_minutes);
    windows: name -> Window of the windows counted ('current', and any of 'previous', 'last_year',
    'baseline': the expected level is the baseline periods pooled); targets: priority -> minutes.
    Columns: level, area, precinct, sector, beat, priority, target_minutes, calls (dispatched),
    arrived, no_arrival, arrival_before_queue, median_minutes, p90_minutes, over_target,
    share_over_target, too_few (fewer than `min_calls` arrived calls: too few to say), then per
    earlier window c in previous, last_year, expected: c_calls, c_arrived, c_median_minutes,
    c_p90_minutes, c_share_over_target, c_p, c_flag (▲ a larger share over target: slower; flags
    only where both windows have `min_calls` arrived calls)."""
    counts = ["calls", "arrived", "no_arrival", "arrival_before_queue", "over_target"]
    order = ["current", *COMPARED]          # the summary's windows, the baseline as 'expected'
    col = pd.Index(["current", "previous", "last_year", "baseline"]).get_indexer(summary["window"])
    mine = (col >= 0) & summary["window"].isin(list(windows)).to_numpy()
    long, col = summary[mine], col[mine]
    priority = long["priority"].to_numpy(dtype=object).astype(str).astype(object)
    keys = pd.DataFrame({"level": long["level"].to_numpy(dtype=object), "area": _area_names(long, total),
                         "priority": priority})
    values = {c: long[c].to_numpy(dtype=float, na_value=np.nan) for c in [*counts, "median_minutes", "p90_minutes"]}
    with np.errstate(divide="ignore", invalid="ignore"):
        values["share_over_target"] = np.where(values["arrived"] > 0, values["over_target"] / values["arrived"], np.nan)
    values["share_over_target"][~np.isin(priority, list(targets))] = np.nan

    # one table row per area and priority (in order of first appearance), one column per window
    row = keys.groupby(["level", "area", "priority"], sort=False, dropna=False).ngroup().to_numpy()
    first = np.unique(row, return_index=True)[1]
    table = pd.concat([keys.iloc[first].reset_index(drop=True),
                       long.iloc[first][["precinct", "sector", "beat"]].reset_index(drop=True)], axis=1)
    target = np.array([targets.get(p, np.nan) for p in table["priority"]], dtype=float)
    out = {"target_minutes": target}
    for column, measured in values.items():
        wide = np.full((len(table), len(order)), np.nan)
        wide[row, col] = measured
        for i, window in enumerate(order):
            prefix = "" if window == "current" else f"{window}_"
            present = window == "current" or {"previous": "previous", "last_year": "last_year",
                                                 "expected": "baseline"}[window] in windows
            values = wide[:, i]
            if column in counts:
                values = np.nan_to_num(values) if present else np.full(len(table), np.nan)
            out[f"{prefix}{column}"] = values
    for column in counts[:4]:
        out[column] = out[column].astype(np.int64)
    has_target = ~np.isnan(target)
    for window in ("", *(f"{w}_" for w in COMPARED)):
        out[f"{window}over_target"] = np.where(has_target, out[f"{window}over_target"], np.nan)
    out["too_few"] = out["arrived"] < min_calls
    for window in COMPARED:
        enough = (out["arrived"] >= min_calls) & (out[f"{window}_arrived"] >= min_calls)
        args = (out["over_target"], out["arrived"], out[f"{window}_over_target"], out[f"{window}_arrived"])
        p = two_proportion_p(*args)
        out[f"{window}_p"] = np.where(has_target, p, np.nan)
        out[f"{window}_flag"] = np.where(enough & has_target, proportion_flags(*args, level, p=p), "")
    if "baseline" in windows:      # expected counts: the baseline's mean per period (tested above on its totals)
        periods = windows["baseline"].days / windows["current"].days
        for column in ("calls", "arrived", "over_target"):
            out[f"expected_{column}"] = out[f"expected_{column}"] / periods
    ranks = {p: i for i, p in enumerate(sorted(set(table["priority"]), key=priority_order))}
    shown = _area_order(table, within=table["priority"].map(ranks).to_numpy())
    table = pd.DataFrame({**{c: table[c].to_numpy()[shown] for c in table}, **{c: v[shown] for c, v in out.items()}})
    columns = ["level", "area", "precinct", "sector", "beat", "priority", "target_minutes", *counts[:4],
               "median_minutes", "p90_minutes", "over_target", "share_over_target", "too_few"]
    for window in COMPARED:
        columns += [f"{window}_{c}" for c in ("calls", "arrived", "median_minutes", "p90_minutes",
                                              "over_target", "share_over_target", "p", "flag")]
    return table[columns]


def excluded_calls(status: pd.DataFrame, city: pd.DataFrame) -> pd.DataFrame:
    """What the response times leave out or cannot measure in one window, with counts: reason,
    calls. status: queries/service/call_status.sql; city: the window's city rows of
    queries/service/response_times.sql."""
    counts = {"no source": status["no_source"].sum(), "on-view": status["on_view"].sum(),
              "same time": status["same_time"].sum(), "no arrival": city["no_arrival"].sum(),
              "before queue": city["arrival_before_queue"].sum()}
    reasons = {**EXCLUDED, "no arrival": "Dispatched, no arrival recorded",
               "before queue": "Dispatched, arrival before queue time (recording error)"}
    return pd.DataFrame({"reason": list(reasons.values()), "calls": [int(counts[s]) for s in reasons]})


# --- Call sources ----------------------------------------------------------------------------------

def source_key(call_type) -> str:
    """A call's source (Call Type) as one of SOURCES' keys."""
    if call_type is None or (isinstance(call_type, float) and np.isnan(call_type)) or pd.isna(call_type):
        return "source_not_recorded"
    text = str(call_type).strip().upper()
    if text == "911":
        return "source_911"
    if text == "ONVIEW":
        return "source_onview"
    if text.startswith("TELEPHONE"):
        return "source_telephone"
    if text.startswith("ALARM"):
        return "source_alarm"
    return "source_other"


def source_table(rows: pd.DataFrame, windows: dict, *, level: float, total: str = compstat.CITY) -> pd.DataFrame:
    """Calls by source per area this period, and the on-view (proactive) share against the earlier
    windows. rows: queries/service/call_sources.sql. Columns: level, area, precinct, calls, the
    SOURCES counts, dispatched, onview_share (on-view calls among the calls whose source is
    recorded), then per earlier window c: c_onview_share, c_p, c_flag (▲ more proactive work)."""
    n = rows["n"].to_numpy(dtype=float)
    source = each_value(rows["call_type"], source_key).to_numpy()
    now = rows["window"].to_numpy(dtype=object) == "current"
    areas = _area_index([rows[now] if now.any() else rows], total, city=False)[0]   # counted this period (or ever)
    at = pd.Index(areas["area"]).get_indexer(_area_names(rows, total))
    names = ["current", "previous", "last_year", "baseline"]
    column = pd.Index(names).get_indexer(rows["window"])
    shape = (len(areas), len(names))
    counted = {"calls": _summed(at, column, shape, n),
               **{key: _summed(at, column, shape, np.where(source == key, n, 0)) for key in SOURCES},
               "dispatched": _summed(at, column, shape, np.where(rows["dispatched"].to_numpy(dtype=bool), n, 0))}
    recorded = counted["calls"] - counted["source_not_recorded"]
    table = {c: areas[c].to_numpy(dtype=object) for c in ("level", "area", "precinct")}
    table.update({value: counts[:, 0].astype(np.int64) for value, counts in counted.items()})
    onview = counted["source_onview"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["onview_share"] = np.where(recorded[:, 0] > 0, onview[:, 0] / recorded[:, 0], np.nan)
    for window in COMPARED:
        name = "baseline" if window == "expected" else window
        if name not in windows:
            table[f"{window}_onview_share"] = table[f"{window}_p"] = np.full(len(areas), np.nan)
            table[f"{window}_flag"] = np.full(len(areas), "", dtype=object)
            continue
        i = names.index(name)
        on, rec = onview[:, i], recorded[:, i]
        with np.errstate(divide="ignore", invalid="ignore"):
            table[f"{window}_onview_share"] = np.where(rec > 0, on / rec, np.nan)
        args = (onview[:, 0], recorded[:, 0], on, rec)
        table[f"{window}_p"] = p = two_proportion_p(*args)
        table[f"{window}_flag"] = proportion_flags(*args, level, p=p)
    return pd.DataFrame({c: table[c] for c in ["level", "area", "precinct", *counted, "onview_share",
                                               *[f"{w}_{c}" for w in COMPARED for c in ("onview_share", "p", "flag")]]})


# --- Call types and hours --------------------------------------------------------------------------

def call_type_table(rows: pd.DataFrame, windows: dict, *, level: float, top: int = 10, expected=None,
                    periods=()) -> pd.DataFrame:
    """The top initial and final call types this period. rows: queries/service/call_types.sql.
    Columns: which (initial / final), rank, call_type ('Not recorded' for blank), calls, share (of
    all calls this period), previous, expected, expected_p, expected_flag (exact Poisson test),
    dispersion. expected: with `periods`, the seasonal level (season index from all calls); else
    the baseline's mean per period."""
    call_type = rows["call_type"].to_numpy(dtype=object, na_value="Not recorded").astype(str)
    which_of = rows["which"].to_numpy(dtype=object)
    names = ["current", "previous", "baseline", *(p.start.isoformat() for p in periods)]
    column = pd.Index(names).get_indexer(rows["window"])
    n = rows["n"].to_numpy(dtype=float)
    k = windows["baseline"].days / windows["current"].days if "baseline" in windows else np.nan
    parts = []
    for which in ("initial", "final"):
        mine = which_of == which
        types, code = np.unique(call_type[mine], return_inverse=True)          # by name, ties keep it
        wide = _summed(code.reshape(-1), column[mine], (len(types), len(names)), n[mine])
        current, history = wide[:, 0], wide[:, 3:]
        shown = np.lexsort((-wide[:, 2], -current))[:top]                      # the most calls this period
        before = wide[shown, 2] if "baseline" in windows else np.full(len(shown), np.nan)
        k_row, phi = np.full(len(shown), k), np.ones(len(shown))
        b = _expected(np.vstack([history.sum(axis=0), history[shown]]).T, periods, expected, windows,
                      level=["city", *["type"] * len(shown)])
        if b is not None:
            before, k_row, phi = (b[c].to_numpy()[1:] for c in ("before", "k", "dispersion"))
        calls = current[shown].astype(np.int64)
        total = current.sum()
        parts.append(pd.DataFrame({
            "which": which, "rank": np.arange(1, len(shown) + 1), "call_type": types[shown].astype(object),
            "calls": calls, "share": calls / total if total else np.nan,
            "previous": wide[shown, 1] if "previous" in windows else np.nan,
            "expected": before / k_row,
            "expected_p": compstat.p_value(calls, before, k_row, phi),
            "expected_flag": compstat.flags(calls, before, k_row, level, phi),
            "dispersion": phi}))
    return pd.concat(parts, ignore_index=True)


def hour_of_week_table(rows: pd.DataFrame, windows: dict, *, level: float, expected=None,
                       periods=()) -> pd.DataFrame:
    """Calls per day of the week and hour, this period against the expected: with `periods`, the
    seasonal level of each hour of the week (season index from all calls), else the mean of the
    baseline periods. rows: queries/service/hour_of_week.sql. Columns: dow (1 = Monday), day,
    hour, calls, expected, difference, p, flag, dispersion — all 168 cells, zeros included."""
    dow, hour = np.repeat(np.arange(1, 8), 24), np.tile(np.arange(24), 7)     # cell i: day i // 24, hour i % 24
    cell = (rows["dow"].to_numpy(dtype=np.int64) - 1) * 24 + rows["hour"].to_numpy(dtype=np.int64)
    column = pd.Index(["current", "baseline", *(p.start.isoformat() for p in periods)]).get_indexer(rows["window"])
    counted = _summed(cell, column, (168, len(periods) + 2), rows["n"].to_numpy(dtype=float))
    k = np.full(168, windows["baseline"].days / windows["current"].days if "baseline" in windows else np.nan)
    before = counted[:, 1] if "baseline" in windows else np.full(168, np.nan)
    phi = np.ones(168)
    b = _expected(counted[:, 2:].T, periods, expected, windows)
    if b is not None:
        before, k, phi = (b[c].to_numpy() for c in ("before", "k", "dispersion"))
    calls = counted[:, 0].astype(np.int64)
    return pd.DataFrame({"dow": dow, "day": np.array(DAYS, dtype=object)[dow - 1], "hour": hour, "calls": calls,
                         "expected": before / k, "difference": calls - before / k,
                         "p": compstat.p_value(calls, before, k, phi), "flag": compstat.flags(calls, before, k, level, phi),
                         "dispersion": phi})


# --- Use of force ----------------------------------------------------------------------------------

def uof_level(incident_type) -> str:
    """An incident type as its level: 'Level 1', 'Level 2', 'Level 3', 'OIS' (officer-involved
    shooting, SPD's 'Level 3 - OIS'), else 'Other'."""
    text = str(incident_type).upper()
    if "OIS" in text:
        return "OIS"
    for n in ("1", "2", "3"):
        if f"LEVEL {n}" in text:
            return f"Level {n}"
    return "Other"


def use_of_force_rates(uof: pd.DataFrame, sources: pd.DataFrame, windows: dict, *, level: float,
                       total: str = compstat.CITY, expected=None, periods=()) -> pd.DataFrame:
    """Uses of force by level per area, as counts and as rates per 1,000 dispatched calls and per
    10,000 calls for service, this period against the earlier windows.

    uof: queries/service/use_of_force.sql; sources: queries/service/call_sources.sql (same
    windows). Columns: level, area, precinct, uof_level (Level 1, 2, 3, OIS, Other when present,
    All), uses, dispatched_calls, calls, per_1000_dispatched, per_10000_calls, then per earlier
    window c: c_uses, c_per_1000_dispatched, c_p and c_flag (exact Poisson test of the counts, k =
    the windows' length ratio), c_rate_p and c_rate_flag (the same test of the rate per dispatched
    call: k = the dispatched calls' ratio), then dispersion. expected_uses: with `periods` (uof's
    counts per period, the current one last) the seasonal level of each level and area (season
    index from the level's total), and every test allows for the row's dispersion; else the
    baseline's mean per period. The expected rate is the baseline periods' pooled rate: the calls
    it divides by carry the season already. A rate with no calls to divide by is NaN ('not available')."""
    kind = each_value(uof["incident_type"], uof_level).to_numpy()
    named = set(kind[uof["window"].isin(list(windows)).to_numpy()])       # not the periods' history
    kinds = [*(lv for lv in (*UOF_LEVELS, "Other") if lv in named or lv in UOF_LEVELS), "All"]
    areas, (at_uof, at_calls) = _area_index([uof, sources], total)
    # uses per area, level and window (then each period of the history): 'All' counts every level
    names = [*windows, *(p.start.isoformat() for p in periods)]
    column = pd.Index(names).get_indexer(uof["window"])
    n = uof["n"].to_numpy(dtype=float)
    uses = np.zeros((len(areas), len(kinds), len(names)))
    for k, lv in enumerate(kinds):
        uses[:, k] = _summed(at_uof, column, (len(areas), len(names)), n if lv == "All" else np.where(kind == lv, n, 0))
    history = uses.reshape(len(areas) * len(kinds), len(names))     # one row per area and level
    calls_n = sources["n"].to_numpy(dtype=float)
    column = pd.Index(list(windows)).get_indexer(sources["window"])
    shape = (len(areas), len(windows))
    dispatched = np.repeat(_summed(at_calls, column, shape, np.where(sources["dispatched"].to_numpy(dtype=bool),
                                                                     calls_n, 0)), len(kinds), axis=0)
    calls = np.repeat(_summed(at_calls, column, shape, calls_n), len(kinds), axis=0)

    def at(window: str, counts: np.ndarray = history) -> np.ndarray:
        return counts[:, list(windows).index(window)]

    table = {c: np.repeat(areas[c].to_numpy(dtype=object), len(kinds)) for c in ("level", "area", "precinct")}
    table["uof_level"] = np.tile(np.array(kinds, dtype=object), len(areas))
    uses, dispatched_now = at("current").astype(np.int64), at("current", dispatched)
    table.update(uses=uses, dispatched_calls=dispatched_now.astype(np.int64), calls=at("current", calls).astype(np.int64),
                 per_1000_dispatched=_rate(uses, dispatched_now, 1000), per_10000_calls=_rate(uses, at("current", calls), 10000))
    b = _expected(history[:, len(windows):].T, periods, expected, windows, offense=table["uof_level"],
                  level=table["level"])
    phi = np.ones(len(uses)) if b is None else b["dispersion"].to_numpy()
    for window in COMPARED:
        name = "baseline" if window == "expected" else window
        if name not in windows:
            table.update({f"{window}_{c}": np.full(len(uses), np.nan) for c in ("uses", "per_1000_dispatched", "p", "rate_p")})
            table.update({f"{window}_{c}": np.full(len(uses), "", dtype=object) for c in ("flag", "rate_flag")})
            continue
        before = at(name)
        before_calls = at(name, dispatched)
        k = windows[name].days / windows["current"].days
        with np.errstate(divide="ignore", invalid="ignore"):
            exposure = np.where((before_calls > 0) & (dispatched_now > 0), before_calls / dispatched_now, np.nan)
        table[f"{window}_per_1000_dispatched"] = _rate(before, before_calls, 1000)
        table[f"{window}_rate_p"] = compstat.p_value(uses, before, exposure, phi)
        table[f"{window}_rate_flag"] = compstat.flags(uses, before, exposure, level, phi)
        if window == "expected" and b is not None:
            before, k = b["before"].to_numpy(), b["k"].to_numpy()
        table[f"{window}_uses"] = before / k
        table[f"{window}_p"] = compstat.p_value(uses, before, k, phi)
        table[f"{window}_flag"] = compstat.flags(uses, before, k, level, phi)
    table["dispersion"] = phi
    columns = ["level", "area", "precinct", "uof_level", "uses", "dispatched_calls", "calls", "per_1000_dispatched",
               "per_10000_calls"]
    columns += [f"{w}_{c}" for w in COMPARED for c in ("uses", "per_1000_dispatched", "p", "flag", "rate_p",
                                                         "rate_flag")]
    return pd.DataFrame({c: table[c] for c in [*columns, "dispersion"]})


def _rate(numerator, denominator, per: float) -> np.ndarray:
    n, d = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(n, d).shape, np.nan)
    np.divide(n * per, d, out=out, where=d > 0)
    return out


def subject_category(value) -> str:
    """A subject's race or gender as published, with every way of not recording it as one
    'Unknown / not recorded'."""
    if value is None or pd.isna(value) or str(value).strip().upper() in UNKNOWN_SUBJECT:
        return NOT_RECORDED
    return str(value).strip()


def subject_table(uof: pd.DataFrame, windows: dict, *, total: str = compstat.CITY) -> pd.DataFrame:
    """Subjects of uses of force by race and by gender, as shares of every use of force in the area
    (the unknown / not recorded included, in the count and in the denominator), this period and
    over the baseline periods. Columns: level, area, precinct, attribute (race / gender), category,
    uses, share, baseline_uses, baseline_share."""
    areas, (at,) = _area_index([uof], total, city=False)
    column = pd.Index(["current", "baseline"]).get_indexer(uof["window"])
    n = uof["n"].to_numpy(dtype=float)
    parts = []
    for rank, source in enumerate(("subject_race", "subject_gender")):
        categories, code = np.unique(each_value(uof[source], subject_category).to_numpy(dtype=str), return_inverse=True)
        # one row per area and category counted in any window
        present, row = np.unique(at * len(categories) + code.reshape(-1), return_inverse=True)
        counted = np.where([w in windows for w in ("current", "baseline")],
                           _summed(row.reshape(-1), column, (len(present), 2), n), np.nan)
        area, category = present // len(categories), present % len(categories)
        part = {"area_at": area, "rank": rank, "category_at": category,
                "category": categories[category].astype(object)}
        for i, prefix in enumerate(("", "baseline_")):
            part[f"{prefix}uses"] = counted[:, i]
            part[f"{prefix}share"] = _rate(counted[:, i], np.bincount(area, weights=counted[:, i])[area], 1)
        parts.append(pd.DataFrame(part))
    table = pd.concat(parts, ignore_index=True)
    # areas as shown, race then gender, the recorded categories by uses (most first), the unknown last
    order = np.lexsort((table["category_at"], -table["uses"], table["category"] == NOT_RECORDED, table["rank"],
                        table["area_at"]))
    table = table.iloc[order].reset_index(drop=True)
    where = table["area_at"].to_numpy()
    return pd.DataFrame({"level": areas["level"].to_numpy()[where], "area": areas["area"].to_numpy()[where],
                         "precinct": areas["precinct"].to_numpy()[where],
                         "attribute": np.array(["race", "gender"], dtype=object)[table["rank"].to_numpy()],
                         "category": table["category"], "uses": table["uses"].astype(np.int64),
                         "share": table["share"], "baseline_uses": table["baseline_uses"],
                         "baseline_share": table["baseline_share"]})


# --- The partner view: what each table holds back (seastat.access.suppress_counts) --------------------
# Per table: its counts (blanked from 1 to under [hotspots] min_cell_count) and the columns computed
# from them, which would give a blanked count back. The city-wide row, a total, is kept.

def partner_rule(df: pd.DataFrame, kind: str) -> dict:
    """access.held_back's rule for a table of SMALL[kind]: its counts, what is computed from them,
    and the city-wide row kept (when the table has levels)."""
    counts, derived = SMALL[kind]
    return {"counts": counts, "derived": derived, "totals": df["level"] == "city" if "level" in df.columns else None}


def _earlier(columns, derived_from) -> dict:
    return {f"{w}_{c}": derived_from for w in COMPARED for c in columns}


SMALL = {
    "response": (("calls", "arrived", "no_arrival", "arrival_before_queue", "over_target",
                  *(f"{w}_{c}" for w in ("previous", "last_year") for c in ("calls", "arrived", "over_target"))),
                 {"median_minutes": ("arrived",), "p90_minutes": ("arrived",),
                  "share_over_target": ("over_target", "arrived"),
                  **{f"{w}_{c}": (f"{w}_over_target", f"{w}_arrived") for w in ("previous", "last_year")
                     for c in ("median_minutes", "p90_minutes", "share_over_target")},
                  **_earlier(("p", "flag"), ("over_target", "arrived"))}),
    "sources": (("calls", *SOURCES, "dispatched"),
                {"onview_share": ("source_onview",), **_earlier(("p", "flag"), ("source_onview",))}),
    "call_types": (("calls", "previous"), {"share": ("calls",), "expected_p": ("calls",), "expected_flag": ("calls",)}),
    "hours": (("calls",), {"difference": ("calls",), "p": ("calls",), "flag": ("calls",)}),
    "use_of_force": (("uses", "dispatched_calls", "calls", "previous_uses", "last_year_uses"),
                     {"per_1000_dispatched": ("uses", "dispatched_calls"), "per_10000_calls": ("uses", "calls"),
                      **_earlier(("p", "flag", "rate_p", "rate_flag"), ("uses",)),
                      "previous_per_1000_dispatched": ("previous_uses",),
                      "last_year_per_1000_dispatched": ("last_year_uses",)}),
}
