"""Near-repeat risk for burglary, robbery and motor-vehicle theft: the Knox test of whether events
close in space are also close in time more often than chance, and the places whose near-repeat
window is open now.

The Knox test (Knox 1964; Ratcliffe's Near Repeat Calculator) counts the pairs of events that are
close in space (same 100-block, within 200 m, 200-400 m) and close in time (0-7, 8-14, 15-28 days
apart). Chance is every shuffle of the events' dates among the events, which keeps where and when
events happen and breaks only their link; the mean and variance of each cell's count over all
shuffles are exact (Mantel 1967), and the p-value is the upper tail of a count with those moments.
A KD-tree over metres finds the close pairs; a year of a large city's events of one type is tested
on a random sample of about `max_events` (draw_below), the same every time.

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
from scipy import stats
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


def query_params(as_of: dt.date, lookback_days: int = 365, recent_days: int = 14, types: tuple[str, ...] = TYPES) -> dict:
    """The span of queries/hotspots/near_repeat_*.sql: the crime events of `types` in the
    `lookback_days` days before `as_of`, and those of the last `recent_days` (places at risk)."""
    end = dt.datetime.combine(as_of, dt.time())
    return dict(start=end - dt.timedelta(days=lookback_days), end=end, types=list(types),
                recent=end - dt.timedelta(days=recent_days))


def draw_below(max_events: int, found: int) -> int:
    """The draw (uniform over 0 .. 2^64 - 1) at or below which about `max_events` of `found` events
    fall: every event when there are no more than that. The close pairs grow with the square of the
    events, billions for a large city's year; thinning at random keeps the space-time pattern:
    observed and expected pairs shrink alike."""
    return 2**64 - 1 if found <= max_events else int(max_events / found * 2**64)


def close_pairs(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, space band 0..2) for every pair of events within 400 m, or on the same 100-block."""
    x, y = _to_metres().transform(events["longitude"].to_numpy(float), events["latitude"].to_numpy(float))
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(_DISTANCES[-1], output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    blocks = pd.factorize(events["block_address"].replace("", None))[0]     # codes: comparing strings is slow
    same = (blocks[i] == blocks[j]) & (blocks[i] >= 0)                        # -1: no 100-block
    distance = np.hypot(x[i] - x[j], y[i] - y[j])
    band = np.where(same, 0, np.where(distance <= _DISTANCES[0], 1, 2))
    return i, j, band


def _time_band(gap: np.ndarray) -> np.ndarray:
    """0..2 for the time bands, 3 beyond 28 days."""
    return np.searchsorted(np.asarray(_DAYS), gap, side="left")


def _partners_in_time(days: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """For each event, how many other events lie `lo` to `hi` whole days from it."""
    counts = np.bincount(days).astype(float)
    gaps = np.arange(-hi, hi + 1)
    near = np.convolve(counts, (np.abs(gaps) >= lo).astype(float))[hi:hi + len(counts)]
    return near[days] - (lo == 0)                                 # not the event itself


def permutation_moments(n: int, space_partners: np.ndarray, time_partners: np.ndarray) -> tuple[float, float]:
    """Mean and variance of the pairs close in both space and time over every permutation of the
    dates among the n events (Mantel 1967), from each event's number of partners close in space and
    close in time. Exact: no shuffling. The three terms are pairs of pairs sharing both events, one
    event, and none."""
    a1, a2 = float(space_partners.sum()), float((space_partners.astype(float) ** 2).sum())
    b1, b2 = float(time_partners.sum()), float((time_partners.astype(float) ** 2).sum())
    n2, n3, n4 = n * (n - 1.0), n * (n - 1.0) * (n - 2.0), n * (n - 1.0) * (n - 2.0) * (n - 3.0)
    mean = a1 * b1 / n2                                           # over ordered pairs: each pair twice
    square = 2 * a1 * b1 / n2
    if n >= 3:
        square += 4 * (a2 - a1) * (b2 - b1) / n3
    if n >= 4:
        square += (a1 * a1 - 4 * a2 + 2 * a1) * (b1 * b1 - 4 * b2 + 2 * b1) / n4
    return mean / 2, max(square - mean * mean, 0.0) / 4


def upper_tail(observed: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """P(at least `observed`) for a count with this mean and variance: negative binomial when the
    pairs are over-dispersed (events sharing many pairs), Poisson otherwise."""
    observed, mean, variance = (np.asarray(a, float) for a in (observed, mean, variance))
    over = variance > mean * (1 + 1e-9)
    size = np.where(over, mean ** 2 / np.where(over, variance - mean, 1.0), 1.0)
    nb = stats.nbinom.sf(observed - 1, size, np.where(over, mean / np.where(over, variance, 1.0), 1.0))
    return np.where(mean <= 0, 1.0, np.where(over, nb, stats.poisson.sf(observed - 1, mean)))


def knox(events: pd.DataFrame) -> pd.DataFrame:
    """The Knox table of events (event_at, longitude, latitude, block_address): one row per space
    and time band with the observed pairs, the pairs expected by chance, their ratio and p-value.

    "Chance" is every shuffle of the dates among the events, which keeps where and when events
    happen and breaks only their link. Its mean and variance are exact (`permutation_moments`);
    the p-value is the upper tail of a count with those two moments (`upper_tail`). This agrees
    with Monte Carlo shuffles (tests/test_nearrepeat.py) at a fraction of their cost, and without
    Monte Carlo's floor of 1 / (shuffles + 1)."""
    days = (pd.to_datetime(events["event_at"]).dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    days = (days - days.min()).astype(np.int64) if len(days) else days.astype(np.int64)
    n = len(days)
    i, j, space = close_pairs(events)
    spaces = len(SPACE_BANDS)
    cell = _time_band(np.abs(days[i] - days[j])) * spaces + space       # time band 3: beyond 28 days
    counts = np.bincount(cell, minlength=(len(TIME_BANDS) + 1) * spaces)
    rows, observed, mean, variance = [], [], [], []
    edges = (0, *(d + 1 for d in _DAYS))
    for s, space_band in enumerate(SPACE_BANDS):
        in_band = space == s
        space_partners = np.bincount(i[in_band], minlength=n) + np.bincount(j[in_band], minlength=n)
        for t, time_band in enumerate(TIME_BANDS):
            moments = permutation_moments(n, space_partners, _partners_in_time(days, edges[t], edges[t + 1] - 1)) \
                if n >= 2 else (0.0, 0.0)
            rows.append((space_band, time_band))
            observed.append(counts[t * spaces + s])
            mean.append(moments[0])
            variance.append(moments[1])
    observed, mean = np.asarray(observed), np.asarray(mean)
    return pd.DataFrame(rows, columns=["space", "time"]).assign(
        observed=observed, expected=mean,
        ratio=np.where(mean > 0, observed / np.maximum(mean, 1e-12), np.nan),
        p=upper_tail(observed, mean, np.asarray(variance)))


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
    columns = ["block_address", "beat", "events", "offenses", "last_event", "open_until"]
    if recent.empty:
        return pd.DataFrame(columns=columns)
    recent = recent.assign(day=pd.to_datetime(recent["event_at"]).dt.normalize())
    grouped = recent.groupby(["block_address", "beat"])
    blocks = pd.DataFrame({"events": grouped.size(), "last_event": grouped["day"].max()})
    blocks = blocks[blocks["last_event"] + pd.Timedelta(days=window_days) > pd.Timestamp(as_of)]
    shown = blocks[blocks["events"] >= min_count]
    # "burglary 2, robbery 1" for the named blocks only: their events by type, in type order
    named = recent.merge(shown.index.to_frame(index=False), on=["block_address", "beat"])
    by_type = named.groupby(["block_address", "beat", "offense_type"]).size().unstack(fill_value=0)
    words = [t.replace("_", " ") for t in by_type.columns]
    offenses = pd.Series([", ".join(f"{w} {n}" for w, n in zip(words, row) if n) for row in by_type.to_numpy()],
                         index=by_type.index, dtype=object)
    blocks = blocks.assign(offenses=offenses, last_event=blocks["last_event"].dt.date).reset_index()
    blocks["open_until"] = blocks["last_event"] + dt.timedelta(days=window_days)
    shown = blocks[blocks["events"] >= min_count].sort_values(["events", "last_event", "block_address"],
                                                              ascending=[False, False, True])
    hidden = blocks[blocks["events"] < min_count]
    lines = [shown[columns]]
    if len(hidden):
        lines.append(pd.DataFrame([{"block_address": f"Other blocks ({len(hidden)}, each under {min_count})",
                                    "beat": "", "events": int(hidden["events"].sum()), "offenses": "",
                                    "last_event": hidden["last_event"].max(), "open_until": hidden["open_until"].max()}]))
    return pd.concat(lines, ignore_index=True)
