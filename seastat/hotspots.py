"""Where incidents concentrate: H3 cell counts, Getis-Ord Gi* hot spots, emerging hot spots,
the concentration curve, and how well last period's hot spots predicted this one.

Pure functions on pandas/numpy; the page feeds them the aggregated query results.

Gi* and multiple testing. The z-score is esda's `G_Local` (star, binary weights; H3 neighbours on
the grid, Queen contiguity between beats), computed here in one sparse product per period, as
esda rebuilds the weights on every call (tests check both agree). esda's pseudo p-values are
not used: esda holds the focal value fixed in each permutation, so one very busy cell among quiet
neighbours is never flagged, and 999 permutations cannot go below p = 0.001, which no correction
over ~2,800 cells lets through. The p-value here is exact under total randomisation (all counts
placed at random over the study area, the null of Gi*'s z-score): the chance that k cells drawn
at random hold at least the neighbourhood's total, counted by dynamic programming, valid however
sparse the counts. A unit is a hot spot when z > 0 and it survives a Benjamini-Hochberg
false-discovery-rate correction at `significance`, so uniform noise gives no hot spots.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import h3
import libpysal
import numpy as np
import pandas as pd
from scipy import special, stats
from shapely.geometry import Polygon

from .config import HotspotSettings
from .geo import load_boundaries
from .periods import Grid, Window

LABELS = ("intensifying", "persistent", "new", "fading", "none")
UTM_10N = "EPSG:32610"        # metres, for nearest-beat look-ups around Seattle


# --- The study area ------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class HexGrid:
    """Every H3 cell at `resolution` that touches a beat: the area Gi*, PAI and the curve use."""
    resolution: int
    cells: pd.DataFrame               # cell (H3 id), beat (the beat holding the cell's centre, or nearest)
    weights: libpysal.weights.W       # binary; a cell's neighbourhood is itself and the adjacent cells

    @property
    def size(self) -> int:
        return len(self.cells)


@cache
def hex_grid(boundaries_dir: Path, resolution: int) -> HexGrid:
    beats = load_boundaries(Path(boundaries_dir))["beat"]
    shape = h3.geo_to_h3shape(beats.geometry.union_all().__geo_interface__)
    cells = sorted(h3.h3shape_to_cells_experimental(shape, resolution, contain="overlap"))
    centres = gpd.GeoDataFrame(
        {"cell": cells}, crs="EPSG:4326",
        geometry=gpd.points_from_xy([h3.cell_to_latlng(c)[1] for c in cells], [h3.cell_to_latlng(c)[0] for c in cells]))
    nearest = gpd.sjoin_nearest(centres.to_crs(UTM_10N), beats[["beat", "geometry"]].to_crs(UTM_10N))
    table = nearest[~nearest.index.duplicated()][["cell", "beat"]].reset_index(drop=True)
    position = {c: i for i, c in enumerate(cells)}
    neighbours = {i: [position[n] for n in h3.grid_disk(c, 1) if n != c and n in position] for c, i in position.items()}
    return HexGrid(resolution, table, with_self(libpysal.weights.W(neighbours, silence_warnings=True)))


@cache
def beat_weights(boundaries_dir: Path) -> libpysal.weights.W:
    """Queen contiguity between the beats (each also its own neighbour), in the boundary file's order."""
    return with_self(libpysal.weights.Queen.from_dataframe(load_boundaries(Path(boundaries_dir))["beat"],
                                                           use_index=False))


def cell_counts(points: pd.DataFrame, grid: HexGrid, periods: int) -> tuple[np.ndarray, np.ndarray]:
    """(periods x cells) incident counts from counts with coordinates (period, longitude, latitude,
    incidents), and per period the incidents whose coordinates fall outside the study area."""
    counts = np.zeros((periods, grid.size))
    outside = np.zeros(periods, dtype=int)
    if points.empty:
        return counts, outside
    places = points[["longitude", "latitude"]].drop_duplicates()
    places["cell"] = [h3.latlng_to_cell(lat, lon, grid.resolution)
                      for lon, lat in zip(places["longitude"], places["latitude"])]
    located = points.merge(places, on=["longitude", "latitude"])
    position = pd.Series(np.arange(grid.size), index=grid.cells["cell"])
    located["position"] = located["cell"].map(position)
    inside = located["position"].notna()
    np.add.at(counts, (located.loc[inside, "period"].to_numpy(int), located.loc[inside, "position"].to_numpy(int)),
              located.loc[inside, "incidents"].to_numpy(float))
    np.add.at(outside, located.loc[~inside, "period"].to_numpy(int), located.loc[~inside, "incidents"].to_numpy(int))
    return counts, outside


# --- Getis-Ord Gi* ---------------------------------------------------------------------------------

def gi_star(y: np.ndarray, w: libpysal.weights.W, significance: float) -> pd.DataFrame:
    """Gi* per unit of `w` from its incident counts `y`: z-score, one-sided p-value (high values)
    and whether it is a hot spot."""
    y = np.asarray(y, dtype=float)
    if (y < 0).any() or not np.array_equal(y, np.round(y)):
        raise ValueError("Gi* here takes incident counts: whole numbers, none negative")
    if y.sum() == 0:
        return pd.DataFrame({"z": 0.0, "p": 1.0, "hot": False}, index=range(len(y)))
    hoods = with_self(w).sparse.tocsr()
    totals, sizes, n = hoods @ y, np.diff(hoods.indptr), len(y)
    # esda.G_Local(y, w, transform="B", star=True).Zs, written out (see the module's notes).
    with np.errstate(divide="ignore", invalid="ignore"):  # constant y: no variance, z undefined
        variance = sizes * (n - sizes) / (n - 1) / n**2 * y.var() / y.mean() ** 2
        z = np.nan_to_num((totals / y.sum() - sizes / n) / np.sqrt(variance))
    p = _p_high(y, totals, sizes)
    hot = (z > 0) & (stats.false_discovery_control(p) <= significance)
    return pd.DataFrame({"z": z, "p": p, "hot": hot})


def with_self(w: libpysal.weights.W) -> libpysal.weights.W:
    """Binary weights in which every unit is also its own neighbour: Gi*'s neighbourhoods
    (built once per map, not once per period)."""
    if (w.sparse.diagonal() > 0).all():
        return w
    star = libpysal.weights.fill_diagonal(w, 1.0)
    star.transform = "B"
    return star


def _p_high(y: np.ndarray, totals: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """P(k cells picked at random hold at least this neighbourhood's total), k = its size: the
    exact Gi* p-value under total randomisation, where a neighbourhood of k cells is a random
    k-subset of all the cells' counts."""
    totals = totals.round().astype(int)
    tail = _subset_total_tail(y.astype(int), sizes.max(), totals.max())
    return np.minimum(tail[sizes, totals], 1.0)


def _subset_total_tail(counts: np.ndarray, k_max: int, top: int) -> np.ndarray:
    """tail[k, s] = P(the total of k distinct cells drawn at random is at least s), s <= top.
    Counted by dynamic programming over the distinct count values, smallest first, so only the
    totals reachable so far are touched; totals above `top` are lumped together at `top`, as
    only the tail up to the largest observed total is needed."""
    values, multiplicity = np.unique(np.minimum(counts, top), return_counts=True)
    ways = np.zeros((k_max + 1, top + 1))      # ways[k, s]: k-subsets with total s (min(s, top))
    ways[0, 0] = 1.0
    reach = 0                                  # no subset totals more than this yet
    for value, m in zip(values.tolist(), multiplicity.tolist()):
        # The subsets before this value; one cell of it (most large counts) reads them in place.
        before = ways[:, :reach + 1] if m == 1 else ways[:, :reach + 1].copy()
        for c in range(1, min(m, k_max) + 1):  # c cells of this value join a subset
            shift, weight = c * value, special.comb(m, c)
            kept = max(0, min(reach + 1, top + 1 - shift))      # totals still under the lump
            ways[c:, top] += weight * before[:k_max + 1 - c, kept:].sum(axis=1)
            ways[c:, shift:shift + kept] += weight * before[:k_max + 1 - c, :kept]
        reach = min(top, reach + min(m, k_max) * value)
    subsets = special.comb(len(counts), np.arange(k_max + 1))[:, None]
    return np.cumsum(ways[:, ::-1], axis=1)[:, ::-1] / subsets


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


def hotspot_history(counts: np.ndarray, w: libpysal.weights.W, hs: HotspotSettings) -> pd.DataFrame:
    """Gi* for every period of (periods x units) counts, the last row current, and the emerging label."""
    star = with_self(w)
    results = [gi_star(row, star, hs.significance) for row in counts]
    z = np.vstack([r["z"].to_numpy() for r in results])
    hot = np.vstack([r["hot"].to_numpy() for r in results])
    return pd.DataFrame({
        "incidents": counts[-1].astype(int), "previous": counts[-2].astype(int),
        "z": z[-1], "p": results[-1]["p"].to_numpy(), "hot": hot[-1], "was_hot": hot[-2],
        "periods_hot": hot[:-1].sum(axis=0), "label": emerging_labels(z, hot, hs.significance),
    })


def cell_hotspots(points: pd.DataFrame, grid: HexGrid, periods: int, hs: HotspotSettings) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per grid cell (cell, beat, incidents, previous, z, p, hot, was_hot, periods_hot,
    label) and the per-period incidents outside the study area."""
    counts, outside = cell_counts(points, grid, periods)
    history = hotspot_history(counts, grid.weights, hs)
    return pd.concat([grid.cells, history], axis=1), outside


def beat_hotspots(beat_counts: pd.DataFrame, beats: gpd.GeoDataFrame, w: libpysal.weights.W,
                  periods: int, hs: HotspotSettings) -> pd.DataFrame:
    """One row per mapped beat with its Gi* result, then one per other beat value in the data
    (UNKNOWN, OOJ, retired beats), which are counted but not mapped."""
    wide = beat_counts.pivot_table(index=["precinct", "sector", "beat"], columns="period", values="incidents",
                                   aggfunc="sum", fill_value=0).reindex(columns=range(periods), fill_value=0)
    by_beat = wide.groupby(level="beat").sum()
    mapped = by_beat.reindex(beats["beat"], fill_value=0).to_numpy(float).T
    result = pd.concat([beats[["precinct", "sector", "beat"]].reset_index(drop=True),
                        hotspot_history(mapped, w, hs)], axis=1)
    others = wide[~wide.index.get_level_values("beat").isin(beats["beat"])]
    extra = pd.DataFrame({"incidents": others[periods - 1], "previous": others[periods - 2]}).reset_index()
    extra = extra.assign(z=np.nan, p=np.nan, hot=False, was_hot=False, periods_hot=0, label="not mapped")
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


def query_params(grid: Grid, period: Window, hs: HotspotSettings, dataset: str, group: str = "all",
                 types: list[str] | tuple = ()) -> tuple[list[Window], dict]:
    """The windows analysed (the previous `emerging_periods` periods, then `period`) and the
    parameters of queries/hotspots/*.sql for them."""
    windows = grid.periods_back(period, hs.emerging_periods) + [period]
    params = dict(dataset=dataset, start=dt.datetime.combine(windows[0].start, dt.time()),
                  end=dt.datetime.combine(period.end, dt.time()), length_days=grid.length_days,
                  groups=[] if group == "all" else [group], types=list(types))
    return windows, params


def analyse(incidents: pd.DataFrame, boundaries_dir: Path, periods: int, hs: HotspotSettings) -> Analysis:
    """Everything the page shows from queries/hotspots/incidents.sql over `periods` windows."""
    grid = hex_grid(Path(boundaries_dir), hs.h3_resolution)
    located = incidents.dropna(subset=["longitude", "latitude"])
    cells, outside = cell_hotspots(located, grid, periods, hs)
    beat_counts = incidents.groupby(["period", "precinct", "sector", "beat"], dropna=False,
                                    as_index=False)["incidents"].sum()
    beats = beat_hotspots(beat_counts, load_boundaries(Path(boundaries_dir))["beat"], beat_weights(Path(boundaries_dir)),
                          periods, hs)
    blocks = incidents.dropna(subset=["block_address"]).groupby(["period", "beat", "block_address"], dropna=False,
                                                                as_index=False)["incidents"].sum()
    return Analysis(cells, beats, blocks, periods, int(outside[-1]), int(beats["incidents"].sum()),
                    int(beats["previous"].sum()))


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
