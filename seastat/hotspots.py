"""Where incidents concentrate: H3 cell counts, Gi* hot spots, emerging hot spots, the
concentration curve, and how well last period's hot spots predicted this one.

Pure functions on pandas/numpy over data they are given (no files): the page builds the study
area once from the boundaries (`study_area`) and feeds `analyse` the aggregated query results.

How a hot spot is decided. A place's neighbourhood is the place and the places touching it, as in
Getis-Ord Gi*: an H3 cell and its six neighbours, a beat and the beats sharing a border or corner
with it. If incidents fell anywhere in the city with no preference, at the city's rate per cell
(per km² for beats), a neighbourhood would expect that rate times its size. Its p-value is the
chance of a Poisson count with that mean reaching what the neighbourhood got (Choynowski's
probability map; the Poisson model of Kulldorff's scan statistic). A place is a hot spot when that
p-value survives a Benjamini-Hochberg false-discovery-rate correction at `significance` over all
places of the map, period by period (as ArcGIS's Emerging Hot Spot Analysis corrects each time
step), and still would without its busiest neighbour, so a quiet cell is not called hot only
because it borders one very busy cell (Gi*'s "halo"). The hot spots found are then set aside and
the rest of the city is tested once more at its own rate (Zhang, Assuncao & Kulldorff 2010): one
extreme place does not raise every other place's expected count. Overlapping
neighbourhoods share cells, so their tests are positively dependent, under which Benjamini-Hochberg
still holds (Benjamini & Yekutieli 2001): on maps of pure chance fewer than one period in twenty
shows any hot spot at 5 %. The rate compared against is the whole study area's, which is the
question a hot-spot map asks (where do incidents concentrate?): a concentrated place is hot every
period it stays concentrated, and the busiest place is the surest hot spot. It is not a test of
change (the trend page's is). `exposure` can replace area by another baseline (say each beat's
usual share), and the same test then asks where incidents exceed that baseline.

Why not esda's permutation p-values, or the exact randomisation p-value this module used before:
both shuffle whole cell counts among cells, so a neighbourhood holding one very busy cell has a
p-value of at least about k/N (the chance that a random draw includes that cell), which no
false-discovery correction over ~2,800 cells lets through: the busiest places were the ones that
could never be flagged, and one such cell hid every other hot spot. Placing incidents at random,
not counts, is the null a count map needs.

The z-score shown is Gi*'s z with the variance a Poisson count has: the neighbourhood's excess over
its expected count in standard deviations (esda's `G_Local(star=True)` z-score rescaled from the
counts' sample variance). Its Mann-Kendall trend over the periods drives the emerging labels. A
hot spot needs enough incidents to be told from chance: a seven-cell patch at three times a
surrounding rate of three incidents per resolution-9 cell per period is found (its centre hot)
in 99 % of periods, at two incidents in about 86 %, at one in about a fifth (at five times the
rate: 99 % even at one); a lone busy cell needs about 20 incidents.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import h3
import libpysal
import numpy as np
import pandas as pd
from scipy import sparse, special, stats
from shapely.geometry import Polygon

from .config import HotspotSettings
from .periods import Grid, Window

LABELS = ("intensifying", "persistent", "new", "fading", "none")
HOT_LABELS = ("persistent", "intensifying")      # what a steady hot spot should be called
UTM_10N = "EPSG:32610"        # metres, for areas and nearest-beat look-ups around Seattle


# --- The study area ------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class HexGrid:
    """Every H3 cell at `resolution` that touches a beat: the area Gi*, PAI and the curve use."""
    resolution: int
    cells: pd.DataFrame               # cell (H3 id), beat (the beat holding the cell's centre, or nearest)
    weights: libpysal.weights.W       # binary; a cell's neighbourhood is itself and the adjacent cells
    hoods: sparse.csr_matrix          # the same neighbourhoods as a 0/1 matrix, one row per cell

    places: dict = field(default_factory=dict, repr=False)   # (longitude, latitude) -> position, see `positions`

    @property
    def size(self) -> int:
        return len(self.cells)

    @cached_property
    def position(self) -> dict[str, int]:
        return dict(zip(self.cells["cell"], range(self.size)))

    def positions(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Each place's row in `cells` (-1: off the grid). SPD coordinates are a fixed set of
        100-block points that recur every period and filter, so H3 is asked once per place."""
        known = self.places
        for place in zip(lon.tolist(), lat.tolist()):
            if place not in known:
                known[place] = self.position.get(h3.latlng_to_cell(place[1], place[0], self.resolution), -1)
        return np.array([known[place] for place in zip(lon.tolist(), lat.tolist())], dtype=int)


@dataclass(frozen=True, eq=False)
class StudyArea:
    """The beats, their Queen neighbourhoods and areas, and the H3 grid over them: built once
    from the boundaries (`study_area`), then used for every analysis."""
    beats: gpd.GeoDataFrame           # boundaries["beat"], in its order
    beat_weights: libpysal.weights.W  # Queen contiguity, each beat also its own neighbour
    beat_hoods: sparse.csr_matrix
    beat_area: np.ndarray             # km² per beat: a beat's share of the city under chance
    grid: HexGrid


_AREAS: dict[tuple[int, int], StudyArea] = {}


def study_area(boundaries: dict[str, gpd.GeoDataFrame], resolution: int) -> StudyArea:
    """The study area of `seastat.geo.load_boundaries`' result, built once per boundary set and
    resolution (about a second) and then served from memory."""
    beats = boundaries["beat"]
    key = (id(beats), resolution)
    if key not in _AREAS:        # the cached area holds `beats`, so its id is never reused meanwhile
        w = with_self(libpysal.weights.Queen.from_dataframe(beats, use_index=False, silence_warnings=True))
        area = beats.to_crs(UTM_10N).area.to_numpy() / 1e6
        _AREAS[key] = StudyArea(beats, w, neighbourhoods(w), area, _hex_grid(beats, resolution))
    return _AREAS[key]


def _hex_grid(beats: gpd.GeoDataFrame, resolution: int) -> HexGrid:
    shape = h3.geo_to_h3shape(beats.geometry.union_all().__geo_interface__)
    cells = sorted(h3.h3shape_to_cells_experimental(shape, resolution, contain="overlap"))
    centres = gpd.GeoDataFrame(
        {"cell": cells}, crs="EPSG:4326",
        geometry=gpd.points_from_xy([h3.cell_to_latlng(c)[1] for c in cells], [h3.cell_to_latlng(c)[0] for c in cells]))
    nearest = gpd.sjoin_nearest(centres.to_crs(UTM_10N), beats[["beat", "geometry"]].to_crs(UTM_10N))
    table = nearest[~nearest.index.duplicated()][["cell", "beat"]].reset_index(drop=True)
    position = {c: i for i, c in enumerate(cells)}
    neighbours = {i: [position[n] for n in h3.grid_disk(c, 1) if n != c and n in position] for c, i in position.items()}
    w = with_self(libpysal.weights.W(neighbours, silence_warnings=True))
    return HexGrid(resolution, table, w, neighbourhoods(w))


def with_self(w: libpysal.weights.W) -> libpysal.weights.W:
    """Binary weights in which every unit is also its own neighbour: Gi*'s neighbourhoods."""
    if (w.sparse.diagonal() > 0).all():
        return w
    star = libpysal.weights.fill_diagonal(w, 1.0)
    star.transform = "B"
    return star


def neighbourhoods(w: libpysal.weights.W | sparse.spmatrix) -> sparse.csr_matrix:
    """Gi*'s neighbourhoods as a 0/1 matrix: row i marks unit i and its neighbours (a matrix
    that already is one comes back as it is)."""
    matrix = sparse.csr_matrix(w if sparse.issparse(w) else w.sparse)
    if (matrix.data == 1).all() and (matrix.diagonal() == 1).all():
        return matrix
    links = (matrix != 0) + sparse.identity(matrix.shape[0], dtype=bool, format="csr")
    return sparse.csr_matrix(links, dtype=float)


def cell_counts(points: pd.DataFrame, grid: HexGrid, periods: int) -> tuple[np.ndarray, np.ndarray]:
    """(periods x cells) incident counts from counts with coordinates (period, longitude, latitude,
    incidents), and per period the incidents whose coordinates fall outside the study area."""
    counts = np.zeros((periods, grid.size))
    outside = np.zeros(periods, dtype=int)
    if points.empty:
        return counts, outside
    # SPD coordinates are 100-block level: a few thousand distinct places, each looked up once.
    place, lon, lat = _distinct(points["longitude"].to_numpy(float), points["latitude"].to_numpy(float))
    cell = grid.positions(lon, lat)[place]
    period, incidents = points["period"].to_numpy(int), points["incidents"].to_numpy(float)
    inside = cell >= 0
    np.add.at(counts, (period[inside], cell[inside]), incidents[inside])
    np.add.at(outside, period[~inside], incidents[~inside].astype(int))
    return counts, outside


def _distinct(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index of each row's place, place longitudes, place latitudes)."""
    place, uniques = pd.factorize(lon + 1j * lat)
    return place, uniques.real, uniques.imag


# --- Gi* hot spots ---------------------------------------------------------------------------------

def gi_star(y: np.ndarray, w: libpysal.weights.W | sparse.spmatrix, significance: float,
            exposure: np.ndarray | None = None) -> pd.DataFrame:
    """Gi* per unit of `w` from one period's incident counts `y`: the neighbourhood's z-score,
    expected count and one-sided p-value (see the module's notes), and whether it is a hot spot.
    `exposure` is each unit's share of the city under chance (area; default: equal units)."""
    z, p, expected, hot = _gi_star(np.atleast_2d(y), neighbourhoods(w), exposure, significance)
    return pd.DataFrame({"z": z[0], "p": p[0], "expected": expected[0], "hot": hot[0]})


# Two rounds, not "until nothing new": a real city is uneven everywhere, and at its counts each
# round's set-aside lowers the rest's rate until most of the map is "hot" (measured at Seattle's
# density: 120 cells and 15 of 53 beats after one round, 209 and 25 after two, 276 and 39 at the end;
# at ten times the density 2,624 of 2,845 cells, 658 of them with no incident of their own).
ROUNDS = 2


def _gi_star(counts: np.ndarray, hoods: sparse.csr_matrix, exposure: np.ndarray | None,
             significance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(z, p, expected, hot), each (periods x units), for (periods x units) counts.

    Rounds: test every neighbourhood against the city's rate; then take the rate of the city
    outside the hot spots found (their incidents and their area set aside) and test once more, as
    Zhang, Assuncao & Kulldorff (2010) do for several clusters: one extreme place does not raise
    every other place's expected count. Pure noise rarely passes the first round, so the second
    costs no false alarms. z, p and expected are at the last rate."""
    counts = np.asarray(counts, dtype=float)
    if (counts < 0).any() or not np.array_equal(counts, np.round(counts)):
        raise ValueError("Gi* here takes incident counts: whole numbers, none negative")
    exposure = np.ones(hoods.shape[0]) if exposure is None else np.asarray(exposure, dtype=float)
    reach = hoods @ exposure                              # each neighbourhood's area (or share)
    totals = (hoods @ counts.T).T
    # Each neighbourhood without its busiest other member: a place is not hot only because it
    # borders one busy place (Gi*'s halo around a very busy cell).
    members = _other_members(hoods)                       # (units x most neighbours), padded with units
    padded = np.concatenate([counts, np.zeros((len(counts), 1))], axis=1)
    pick = padded[:, members].argmax(axis=2)
    busiest = members[np.arange(members.shape[0]), pick]
    short_totals = totals - np.take_along_axis(padded, busiest, axis=1)
    short_reach = reach - np.append(exposure, 0.0)[busiest]
    hot = np.zeros(counts.shape, dtype=bool)
    expected, p = np.zeros(counts.shape), np.zeros(counts.shape)
    # Periods are tested independently: each round retests only the periods whose last round found
    # something (a busy city's map takes a score of rounds, most periods settling in a few).
    active = np.arange(len(counts))
    for _ in range(ROUNDS):
        if not len(active):
            break
        rest, total = ~hot[active], totals[active]
        with np.errstate(divide="ignore", invalid="ignore"):     # every unit hot already
            rate = np.nan_to_num((counts[active] * rest).sum(axis=1, keepdims=True)
                                 / (exposure * rest).sum(axis=1, keepdims=True))
        expected[active] = rate * reach
        p[active] = _at_least(total, expected[active])             # P(at least this many by chance)
        cut = np.broadcast_to(_bh_cutoff(p[active], significance), rest.shape)
        found = rest & (total > expected[active]) & (p[active] <= cut)
        found[found] = _at_least(short_totals[active][found],                # only where it can still matter
                                 (rate * short_reach[active])[found]) <= cut[found]
        hot[active] |= found
        active = active[found.any(axis=1)]
    with np.errstate(divide="ignore", invalid="ignore"):         # no incidents at all
        z = np.nan_to_num((totals - expected) / np.sqrt(expected))
    return z, p, expected, hot


def _at_least(n: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """P(a Poisson count with this mean is at least n): stats.poisson.sf(n - 1, mean) without its
    argument checks, which cost a fifth of the test on a busy map."""
    with np.errstate(invalid="ignore"):
        return np.where(n > 0, special.pdtrc(n - 1, mean), 1.0)


def _other_members(hoods: sparse.csr_matrix) -> np.ndarray:
    """Each unit's neighbours other than itself as a (units x most neighbours) index array,
    short rows padded with the index `units` (one past the last)."""
    units = hoods.shape[0]
    others = (hoods - sparse.identity(units, format="csr")).tocsr()
    others.eliminate_zeros()
    lengths = np.diff(others.indptr)
    members = np.full((units, max(int(lengths.max(initial=0)), 1)), units)
    rows = np.repeat(np.arange(units), lengths)
    members[rows, np.arange(others.nnz) - np.repeat(others.indptr[:-1], lengths)] = others.indices
    return members


def _bh_cutoff(p: np.ndarray, significance: float) -> np.ndarray:
    """Per row, the largest p-value Benjamini-Hochberg rejects at `significance` (-1: none)."""
    ranked = np.sort(p, axis=1)
    passes = ranked <= significance * np.arange(1, p.shape[1] + 1) / p.shape[1]
    last = np.where(passes.any(axis=1), p.shape[1] - 1 - np.argmax(passes[:, ::-1], axis=1), -1)
    return np.where(last >= 0, ranked[np.arange(len(p)), np.maximum(last, 0)], -1.0)[:, None]


def mann_kendall(series: np.ndarray, significance: float) -> np.ndarray:
    """Per column of a (time x units) array: +1 rising, -1 falling, 0 no significant trend."""
    n = series.shape[0]
    i, j = np.triu_indices(n, 1)
    s = np.sign(series[j] - series[i]).sum(axis=0)
    z = (s - np.sign(s)) / np.sqrt(n * (n - 1) * (2 * n + 5) / 18)
    return np.where(2 * stats.norm.sf(np.abs(z)) <= significance, np.sign(s), 0).astype(int)


def emerging_labels(z: np.ndarray, hot: np.ndarray, significance: float) -> np.ndarray:
    """Emerging hot spots from (periods x units) Gi* z-scores and hot flags, the last row current.

    An established hot spot was hot in at least half of the earlier periods. Then:
    new = hot now, not established; intensifying / persistent = hot now, established, z-scores
    rising / without trend (Mann-Kendall); fading = established but not hot now, or hot with
    falling z-scores; none = everything else."""
    now, before = hot[-1], hot[:-1]
    established = before.sum(axis=0) * 2 >= before.shape[0]
    trend = mann_kendall(z, significance)
    labels = np.full(hot.shape[1], "none", dtype=object)
    labels[now & ~established] = "new"
    labels[now & established & (trend == 0)] = "persistent"
    labels[now & established & (trend > 0)] = "intensifying"
    labels[established & (~now | (trend < 0))] = "fading"
    return labels


def hotspot_history(counts: np.ndarray, w: libpysal.weights.W | sparse.spmatrix, hs: HotspotSettings,
                    exposure: np.ndarray | None = None) -> pd.DataFrame:
    """Gi* for every period of (periods x units) counts, the last row current, and the emerging label."""
    z, p, expected, hot = _gi_star(counts, neighbourhoods(w), exposure, hs.significance)
    return pd.DataFrame({
        "incidents": counts[-1].astype(int), "previous": counts[-2].astype(int), "expected": expected[-1],
        "z": z[-1], "p": p[-1], "hot": hot[-1], "was_hot": hot[-2],
        "periods_hot": hot[:-1].sum(axis=0), "label": emerging_labels(z, hot, hs.significance),
    })


def cell_hotspots(points: pd.DataFrame, grid: HexGrid, periods: int, hs: HotspotSettings) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per grid cell (cell, beat, incidents, previous, expected, z, p, hot, was_hot,
    periods_hot, label) and the per-period incidents outside the study area."""
    counts, outside = cell_counts(points, grid, periods)
    history = hotspot_history(counts, grid.hoods, hs)
    return pd.concat([grid.cells, history], axis=1), outside


def beat_hotspots(beat_counts: pd.DataFrame, area: StudyArea, periods: int, hs: HotspotSettings) -> pd.DataFrame:
    """One row per mapped beat with its Gi* result (chance spreads incidents by area), then one
    per other beat value in the data (UNKNOWN, OOJ, retired beats), counted but not mapped."""
    beats = area.beats
    position = pd.Series(np.arange(len(beats)), index=beats["beat"].to_numpy())
    where = beat_counts["beat"].map(position)
    mapped = beat_counts[where.notna()]
    counts = np.zeros((periods, len(beats)))
    np.add.at(counts, (mapped["period"].to_numpy(int), where[where.notna()].to_numpy(int)),
              mapped["incidents"].to_numpy(float))
    result = pd.concat([beats[["precinct", "sector", "beat"]].reset_index(drop=True),
                        hotspot_history(counts, area.beat_hoods, hs, area.beat_area)], axis=1)
    keys = ["precinct", "sector", "beat"]
    others = beat_counts[where.isna()].groupby(keys + ["period"], dropna=False)["incidents"].sum().unstack(
        "period", fill_value=0).reindex(columns=range(periods), fill_value=0)
    extra = pd.DataFrame({"incidents": others[periods - 1], "previous": others[periods - 2]}).reset_index()
    extra = extra.assign(expected=np.nan, z=np.nan, p=np.nan, hot=False, was_hot=False, periods_hot=0,
                         label="not mapped")
    table = pd.concat([result, extra], ignore_index=True)
    table["change"] = table["incidents"] - table["previous"]
    return table


@dataclass(frozen=True)
class Analysis:
    """Everything the hot-spot page shows for one dataset, filter and period."""
    cells: pd.DataFrame        # one row per grid cell, see cell_hotspots
    beats: pd.DataFrame        # one row per beat (mapped first), see beat_hotspots
    blocks: pd.DataFrame       # per period, beat and 100-block counts (the block query as is)
    periods: int               # windows analysed; the last is the current period
    outside: int               # current incidents whose coordinates fall outside the study area
    total: int                 # current incidents, every row (withheld locations and UNKNOWN beats too)
    total_previous: int


def query_params(grid: Grid, period: Window, hs: HotspotSettings, dataset: str,
                 types: list[str] | tuple = ()) -> tuple[list[Window], dict]:
    """The windows analysed (the previous `emerging_periods` periods, then `period`) and the
    parameters of queries/hotspots/incidents.sql for them; `types`: the offense types (none = all)."""
    windows = grid.periods_back(period, hs.emerging_periods) + [period]
    params = dict(dataset=dataset, start=dt.datetime.combine(windows[0].start, dt.time()),
                  end=dt.datetime.combine(period.end, dt.time()), length_days=grid.length_days, types=list(types))
    return windows, params


def analyse(incidents: pd.DataFrame, area: StudyArea, periods: int, hs: HotspotSettings) -> Analysis:
    """Everything the page shows from queries/hotspots/incidents.sql over `periods` windows.
    `area` is `study_area(boundaries, hs.h3_resolution)`."""
    if area.grid.resolution != hs.h3_resolution:
        raise ValueError(f"the study area's grid is at H3 resolution {area.grid.resolution}, "
                         f"the settings ask for {hs.h3_resolution}")
    located = incidents.loc[incidents["longitude"].notna().to_numpy() & incidents["latitude"].notna().to_numpy(),
                            ["period", "longitude", "latitude", "incidents"]]
    cells, outside = cell_hotspots(located, area.grid, periods, hs)
    beat_counts = incidents.groupby(["period", "precinct", "sector", "beat"], dropna=False, as_index=False,
                                    sort=False)["incidents"].sum()
    beats = beat_hotspots(beat_counts, area, periods, hs)
    blocks = incidents[incidents["block_address"].notna().to_numpy()].groupby(
        ["period", "beat", "block_address"], dropna=False, as_index=False)["incidents"].sum()
    return Analysis(cells, beats, blocks, periods, int(outside[-1]), int(beats["incidents"].sum()),
                    int(beats["previous"].sum()))


# --- Known truth: the rates the bench reports ---------------------------------------------------

def rolling_labels(z: np.ndarray, hot: np.ndarray, window: int, significance: float) -> np.ndarray:
    """The emerging label of every unit in every period that has `window` periods before it:
    row t of the result labels period t + window from periods t .. t + window."""
    return np.vstack([emerging_labels(z[t - window:t + 1], hot[t - window:t + 1], significance)
                      for t in range(window, len(z))])


def detection_rates(area: StudyArea, seed: int, hs: HotspotSettings, periods: int = 40) -> dict:
    """The four rates of the hot-spot test on counts generated with known truth over `area`'s H3
    grid (one incident per cell per period on average, like Seattle's crime at resolution 9):

    - recall: share of periods in which each planted hot spot (seven cells at 3x, 5x and 10x the
      surrounding rate of three incidents per cell, next to one cell holding 12 % of all incidents)
      is flagged (its centre cell, whose whole neighbourhood is planted, hot);
    - false_alarm_rate: share of periods of homogeneous Poisson noise with any hot cell;
    - persistence: share of the planted spots' periods after the label's window labelled
      persistent or intensifying;
    - time_to_detect: periods from a step from 1x to 5x to the first hot period (mean), and
      new_at_step, the share of those steps labelled new in the step's period (two incidents
      per cell around them);
    - extreme_cell_hot: share of periods the 12 % cell is hot."""
    rng = np.random.default_rng(seed)
    grid, window = area.grid, hs.emerging_periods
    position = dict(zip(grid.cells["cell"], range(grid.size)))
    centres = [position[c] for c in rng.choice(grid.cells["cell"], 64, replace=False)
               if sum(n in position for n in h3.grid_disk(c, 2)) == 19]                 # inland, apart
    chosen, spots = [], []
    for c in centres:                                                                   # far enough apart
        if all(h3.grid_distance(grid.cells["cell"][c], grid.cells["cell"][o]) > 6 for o in chosen):
            chosen.append(c)
    planted, extreme, stepped = chosen[:3], chosen[3], chosen[4:7]
    rate = np.full(grid.size, 3.0)
    for c, times in zip(planted, (3, 5, 10)):
        disk = [position[n] for n in h3.grid_disk(grid.cells["cell"][c], 1)]
        rate[disk] *= times
        spots.append(c)
    rate[extreme] = 0.12 / 0.88 * rate.sum()
    steady = rng.poisson(rate, (periods, grid.size))
    z, _, _, hot = _gi_star(steady, grid.hoods, None, hs.significance)
    labels = rolling_labels(z, hot, window, hs.significance)

    noise = rng.poisson(1.0, (periods * 5, grid.size))
    false_alarm = _gi_star(noise, grid.hoods, None, hs.significance)[3].any(axis=1).mean()

    step_at = window + 2
    base = np.full((periods, grid.size), 2.0)
    for c in stepped:
        base[step_at:, [position[n] for n in h3.grid_disk(grid.cells["cell"][c], 1)]] *= 5
    z2, _, _, hot2 = _gi_star(rng.poisson(base), grid.hoods, None, hs.significance)
    first = [int(np.argmax(hot2[step_at:, c])) if hot2[step_at:, c].any() else periods - step_at for c in stepped]
    new = rolling_labels(z2, hot2, window, hs.significance)[step_at - window, stepped] == "new"
    return {"recall": float(hot[:, spots].mean()), "false_alarm_rate": float(false_alarm),
            "persistence": float(np.isin(labels[:, spots], HOT_LABELS).mean()),
            "time_to_detect": float(np.mean(first)), "new_at_step": float(new.mean()),
            "extreme_cell_hot": float(hot[:, extreme].mean()), "periods": periods, "seed": seed}


def esda_side_by_side(area: StudyArea, counts: np.ndarray, hs: HotspotSettings, permutations: int = 999,
                      seed: int = 0) -> dict:
    """Seconds for this module's Gi* and for esda's G_Local (star, binary, `permutations`) over
    the same (periods x cells) counts on `area`'s grid, and how many cells each flags now."""
    import esda  # the benchmark's comparison only

    started = time.perf_counter()
    ours = _gi_star(counts, area.grid.hoods, None, hs.significance)
    labels = emerging_labels(ours[0], ours[3], hs.significance)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = [esda.G_Local(row, area.grid.weights, transform="B", star=True, permutations=permutations,
                           seed=seed, n_jobs=1) for row in np.asarray(counts, dtype=float)]
    esda_seconds = time.perf_counter() - started
    esda_hot = [(g.Zs > 0) & (stats.false_discovery_control(g.p_sim) <= hs.significance) for g in theirs]
    return {"seastat_seconds": seconds, "esda_seconds": esda_seconds, "speed_up": esda_seconds / seconds,
            "periods": len(counts), "cells": area.grid.size, "permutations": permutations,
            "seastat_hot_now": int(ours[3][-1].sum()), "esda_hot_now": int(esda_hot[-1].sum()),
            "seastat_labelled_now": int((labels != "none").sum())}


# --- Tables ------------------------------------------------------------------------------------------

def block_table(blocks: pd.DataFrame, periods: int, total: int, total_previous: int, min_count: int) -> pd.DataFrame:
    """The hottest 100-blocks of the current period, ranked, with change and share of all incidents.

    Blocks under `min_count` this period appear only inside one "other blocks" line, and incidents
    with no published address (withheld or blank) in one more line, so the column adds up to `total`."""
    current = blocks[blocks["period"] == periods - 1].groupby(["block_address", "beat"])["incidents"].sum()
    previous = blocks[blocks["period"] == periods - 2].groupby(["block_address", "beat"])["incidents"].sum()
    both = pd.DataFrame({"incidents": current, "previous": previous}).fillna(0).astype(int).reset_index()
    shown = both[both["incidents"] >= min_count].sort_values(["incidents", "block_address"], ascending=[False, True])
    hidden = both[both["incidents"] < min_count]
    lines = pd.DataFrame([
        {"block_address": f"Other blocks (each under {min_count})", "beat": "",
         "incidents": int(hidden["incidents"].sum()), "previous": int(hidden["previous"].sum())},
        {"block_address": "No published address (withheld or blank)", "beat": "",
         "incidents": total - int(both["incidents"].sum()), "previous": total_previous - int(both["previous"].sum())},
    ])
    table = pd.concat([shown.assign(rank=range(1, len(shown) + 1)), lines], ignore_index=True)
    table["rank"] = table["rank"].astype("Int64")
    table["change"] = table["incidents"] - table["previous"]
    table["share"] = table["incidents"] / total if total else 0.0
    return table[["rank", "block_address", "beat", "incidents", "previous", "change", "share"]]


# --- Concentration and prediction ------------------------------------------------------------------

def concentration_curve(counts: np.ndarray, places: int) -> pd.DataFrame:
    """Share of incidents on the busiest share of places (`places` counts the places with none too)."""
    counts = np.sort(np.asarray(counts, dtype=float)[np.asarray(counts) > 0])[::-1]
    if counts.size == 0 or places <= 0:
        return pd.DataFrame({"place_share": [0.0, 1.0], "incident_share": [0.0, 0.0]})
    ranks = np.arange(counts.size + 1)
    shares = np.concatenate([[0.0], np.cumsum(counts) / counts.sum()])
    curve = pd.DataFrame({"place_share": ranks / places, "incident_share": shares})
    if counts.size < places:
        curve.loc[len(curve)] = [1.0, 1.0]
    return curve


def places_holding(counts: np.ndarray, places: int, share: float) -> float | None:
    """The smallest share of places that holds at least `share` of the incidents."""
    counts = np.sort(np.asarray(counts, dtype=float))[::-1]
    if counts.sum() == 0 or places <= 0:
        return None
    k = int(np.searchsorted(np.cumsum(counts) / counts.sum(), share - 1e-12)) + 1
    return k / places


def hit_rate_and_pai(predicted: np.ndarray, counts: np.ndarray) -> tuple[float | None, float | None]:
    """Of this period's incidents, the share in the predicted cells (hit rate), and that share over
    the predicted cells' share of the area (PAI; the cells are of equal area)."""
    predicted, counts = np.asarray(predicted, dtype=bool), np.asarray(counts, dtype=float)
    if not predicted.any() or counts.sum() == 0:
        return None, None
    hit = counts[predicted].sum() / counts.sum()
    return hit, hit / (predicted.sum() / predicted.size)


# --- Geometry for maps and exports -----------------------------------------------------------------

def cell_polygon(cell: str) -> Polygon:
    return Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def shown_count(n: int, min_count: int) -> int | None:
    """A count as it may be shown for one cell or block: None when under the minimum."""
    return int(n) if n >= min_count else None


def significant_cells(cells: pd.DataFrame, min_count: int) -> gpd.GeoDataFrame:
    """The hot cells and the other labelled (fading) cells as hexagons, counts under the minimum blanked."""
    chosen = cells[cells["hot"] | (cells["label"] != "none")]
    return gpd.GeoDataFrame({
        "cell": chosen["cell"].to_numpy(), "beat": chosen["beat"].to_numpy(),
        "label": chosen["label"].to_numpy(), "hot_now": chosen["hot"].to_numpy(),
        "gi_z": chosen["z"].round(2).to_numpy(), "p": chosen["p"].to_numpy(),
        "incidents": pd.array([shown_count(n, min_count) for n in chosen["incidents"]], dtype="Int64"),
        "previous": pd.array([shown_count(n, min_count) for n in chosen["previous"]], dtype="Int64"),
    }, geometry=[cell_polygon(c) for c in chosen["cell"]], crs="EPSG:4326")


def geojson_bytes(frame: gpd.GeoDataFrame, description: str) -> bytes:
    """A GeoJSON FeatureCollection whose `description` says what it holds and where it is from."""
    collection = json.loads(frame.to_json(na="null", drop_id=True))
    return json.dumps({"type": "FeatureCollection", "description": description,
                       "features": collection["features"]}).encode()
