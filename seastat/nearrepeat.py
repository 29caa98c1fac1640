"""Near-repeat risk for burglary, robbery and motor-vehicle theft: the Knox test of whether events
close in space are also close in time more often than chance, and the places whose near-repeat
window is open now.

The Knox test (Knox 1964; Ratcliffe's Near Repeat Calculator) counts the pairs of events that are
close in space (same 100-block, within 200 m, 200-400 m) and close in time (0-7, 8-14, 15-28 days
apart). The counts expected by chance come from shuffling the events' dates among the events many
times (seeded), which keeps where and when events happen and breaks only their link; the p-value
of a cell is the share of shuffles with at least as many pairs as observed (Monte Carlo, so at
best 1 / (permutations + 1)). Pure numpy and a KD-tree over metres: a few thousand events take a
fraction of a second.

Privacy: the query never returns an event whose location is withheld, and the list of places at
risk names a 100-block only when it holds at least `min_count` recent events; the others are one
aggregate line.
"""
from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pandas as pd
import pyproj
from scipy.spatial import cKDTree

TYPES = ("burglary", "robbery", "motor_vehicle_theft")
SPACE_BANDS = ("same 100-block", "within 200 m", "200 to 400 m")
TIME_BANDS = ("0 to 7 days", "8 to 14 days", "15 to 28 days")
_DISTANCES = (200.0, 400.0)            # metres: the outer edges of the two distance bands
_DAYS = (7, 14, 28)                    # the outer edges of the time bands
METHOD_NOTE = (
    "Near-repeat risk is descriptive, not predictive: the Knox test says whether, in the past year, "
    "burglaries, robberies and vehicle thefts close in space were also close in time more often than "
    "chance (dates shuffled among the events). The places listed had such events in the last 14 days; "
    "it does not say another will happen there, and it is no basis for acting against a person.")


@cache
def _to_metres() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32610", always_xy=True)


def query_params(as_of: dt.date, lookback_days: int = 365, types: tuple[str, ...] = TYPES) -> dict:
    """The parameters of queries/hotspots/near_repeat.sql: the crime events of `types` in the
    `lookback_days` days before `as_of`."""
    end = dt.datetime.combine(as_of, dt.time())
    return dict(start=end - dt.timedelta(days=lookback_days), end=end, types=list(types))


def close_pairs(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, space band 0..2) for every pair of events within 400 m, or on the same 100-block."""
    x, y = _to_metres().transform(events["longitude"].to_numpy(float), events["latitude"].to_numpy(float))
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(_DISTANCES[-1], output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    blocks = events["block_address"].fillna("").to_numpy(str)
    same = (blocks[i] == blocks[j]) & (blocks[i] != "")
    distance = np.hypot(x[i] - x[j], y[i] - y[j])
    band = np.where(same, 0, np.where(distance <= _DISTANCES[0], 1, 2))
    return i, j, band


def _time_band(gap: np.ndarray) -> np.ndarray:
    """0..2 for the time bands, 3 beyond 28 days."""
    return np.searchsorted(np.asarray(_DAYS), gap, side="left")


def pairs_by_gap(days: np.ndarray, longest: int) -> np.ndarray:
    """How many unordered pairs of `days` (whole days) lie 0, 1, ..., `longest` days apart."""
    counts = np.bincount(days - days.min()).astype(np.int64)
    gaps = [int((counts * (counts - 1)).sum() // 2)]
    gaps += [int(counts[:-g] @ counts[g:]) if g < len(counts) else 0 for g in range(1, longest + 1)]
    return np.asarray(gaps)


def knox(events: pd.DataFrame, permutations: int = 199, seed: int = 0) -> pd.DataFrame:
    """The Knox table of events (event_at, longitude, latitude, block_address): one row per space
    and time band with the observed pairs, the pairs expected by chance, their ratio and the Monte
    Carlo p-value (the share of `permutations` shuffles of the dates with at least as many pairs).

    Expected is exact, not the shuffles' mean: a shuffle gives any two events a random pair of the
    dates, so a space band's pairs fall in a time band in the proportion of all pairs of dates that
    are that far apart."""
    days = (pd.to_datetime(events["event_at"]).dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    days = (days - days.min()).astype(np.int16) if len(days) else days.astype(np.int16)
    i, j, space = close_pairs(events)
    bands = len(TIME_BANDS) + 1                                   # the last: beyond 28 days
    # A pair's cell as one small code (time band x 3 + space band): one gather, one subtraction and one
    # look-up per pair and shuffle, counted with one bincount.
    lut = (np.searchsorted(np.asarray(_DAYS), np.arange(int(days.max(initial=0)) + 1), side="left")
           * len(SPACE_BANDS)).astype(np.int8)
    space = space.astype(np.int8)

    def table(d: np.ndarray) -> np.ndarray:                     # pair counts per (time band, space band)
        return np.bincount(lut[np.abs(d[i] - d[j])] + space, minlength=bands * len(SPACE_BANDS))

    observed = table(days)
    rng = np.random.default_rng(seed)
    shuffled = np.array([table(rng.permutation(days)) for _ in range(permutations)]).reshape(-1, len(observed))
    p = (1 + (shuffled >= observed).sum(axis=0)) / (permutations + 1)
    n = len(days)
    gaps = pairs_by_gap(days, _DAYS[-1]) if n else np.zeros(_DAYS[-1] + 1, dtype=np.int64)
    edges = np.concatenate([[0], np.asarray(_DAYS) + 1])
    share = np.array([gaps[lo:hi].sum() for lo, hi in zip(edges[:-1], edges[1:])]) / max(n * (n - 1) // 2, 1)
    in_space = np.bincount(space, minlength=len(SPACE_BANDS))
    rows = [(sb, tb, t * len(SPACE_BANDS) + s) for s, sb in enumerate(SPACE_BANDS) for t, tb in enumerate(TIME_BANDS)]
    frame = pd.DataFrame([(sb, tb) for sb, tb, _ in rows], columns=["space", "time"])
    cells = np.array([c for _, _, c in rows])
    expected = np.array([in_space[s] * share[t] for s in range(len(SPACE_BANDS)) for t in range(len(TIME_BANDS))])
    return frame.assign(observed=observed[cells], expected=expected,
                        ratio=np.where(expected > 0, observed[cells] / np.maximum(expected, 1e-12), np.nan),
                        p=p[cells])


def tested(events: pd.DataFrame, max_events: int, seed: int = 1) -> pd.DataFrame:
    """The events the Knox test takes: all of them, or a seeded random sample of `max_events`. The
    close pairs grow with the square of the events (a year of a large city's burglaries would be
    billions), and thinning at random keeps the space-time pattern: observed and expected shrink
    alike, so the ratio holds and a real near-repeat pattern is still found."""
    return events if len(events) <= max_events else events.sample(max_events, random_state=seed).sort_index()


def sample_note(found: dict[str, int], tested_counts: dict[str, int]) -> str:
    """A sentence naming the offense types tested on a sample, or '' when every event was tested."""
    sampled = [f"{tested_counts[t]:,} of {found[t]:,} {t.replace('_', ' ')} events" for t in found
               if tested_counts[t] < found[t]]
    return f" Tested on a random sample: {', '.join(sampled)}." if sampled else ""


def risk_places(events: pd.DataFrame, as_of: dt.date, min_count: int, recent_days: int = 14,
                window_days: int = 14) -> pd.DataFrame:
    """The 100-blocks with events in the `recent_days` before `as_of` whose near-repeat window
    (`window_days` after the last of them) is still open: block, beat, events, offenses, last
    event, open until. Blocks with fewer than `min_count` such events are one aggregate line."""
    at = pd.to_datetime(events["event_at"])
    start = pd.Timestamp(as_of) - pd.Timedelta(days=recent_days)
    recent = events[(at >= start) & (at < pd.Timestamp(as_of)) & events["block_address"].fillna("").ne("")]
    recent = recent.assign(day=pd.to_datetime(recent["event_at"]).dt.date)
    columns = ["block_address", "beat", "events", "offenses", "last_event", "open_until"]
    if recent.empty:
        return pd.DataFrame(columns=columns)
    grouped = recent.groupby(["block_address", "beat"])
    blocks = pd.DataFrame({
        "events": grouped.size(), "last_event": grouped["day"].max(),
        "offenses": grouped["offense_type"].agg(lambda t: ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in
                                                                    t.value_counts().sort_index().items())),
    }).reset_index()
    blocks["open_until"] = blocks["last_event"] + dt.timedelta(days=window_days)
    blocks = blocks[blocks["open_until"] > as_of]
    shown = blocks[blocks["events"] >= min_count].sort_values(["events", "last_event", "block_address"],
                                                              ascending=[False, False, True])
    hidden = blocks[blocks["events"] < min_count]
    lines = [shown[columns]]
    if len(hidden):
        lines.append(pd.DataFrame([{"block_address": f"Other blocks ({len(hidden)}, each under {min_count})",
                                    "beat": "", "events": int(hidden["events"].sum()), "offenses": "",
                                    "last_event": hidden["last_event"].max(), "open_until": hidden["open_until"].max()}]))
    return pd.concat(lines, ignore_index=True)
