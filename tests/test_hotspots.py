"""Hot spots: the Gi* test on counts with known truth (planted hot spots, pure noise, one extreme
cell, a step up), its p-value against simulation, the emerging labels, the concentration curve and
the tables against independent pandas counts, privacy of every export, and the map builders."""
from __future__ import annotations

import datetime as dt
import io
import json

import esda
import geopandas as gpd
import h3
import libpysal
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import SYNTH_STORE
from PIL import Image

from seastat import charts, export, hotspots, maps
from seastat.geo import load_boundaries
from seastat.periods import Grid

CRIME = SYNTH_STORE / "current" / "crime"
HOT = ("persistent", "intensifying")              # what a steady hot spot must be called


# --- Fixtures: the study area, and the synthetic store's latest complete period ------------------

@pytest.fixture(scope="module")
def hs(settings):
    return settings.hotspots


@pytest.fixture(scope="module")
def boundaries(settings):
    return load_boundaries(settings.boundaries_dir)


@pytest.fixture(scope="module")
def area(boundaries, hs):
    return hotspots.study_area(boundaries, hs.h3_resolution)


@pytest.fixture(scope="module")
def grid(area):
    return area.grid


@pytest.fixture(scope="module")
def windows(settings, synth_store):
    g = Grid(settings.periods.anchor, settings.periods.length_days)
    last = dt.datetime.fromisoformat(synth_store.manifest["datasets"]["crime"]["max_event_at"]).date()
    period = g.latest_complete(last)
    return g.periods_back(period, settings.hotspots.emerging_periods) + [period]


def query_params(settings, windows, **filters):
    return dict(dataset="crime", start=dt.datetime.combine(windows[0].start, dt.time()),
                end=dt.datetime.combine(windows[-1].end, dt.time()), length_days=settings.periods.length_days,
                types=filters.get("types", []))


def run_analysis(synth_store, settings, windows, **filters) -> hotspots.Analysis:
    params = query_params(settings, windows, **filters)
    area = hotspots.study_area(load_boundaries(settings.boundaries_dir), settings.hotspots.h3_resolution)
    return hotspots.analyse(synth_store.df("hotspots/incidents", **params), area, len(windows), settings.hotspots)


@pytest.fixture(scope="module")
def analysis(synth_store, settings, windows):
    return run_analysis(synth_store, settings, windows)


@pytest.fixture(scope="module")
def parquet_crime():
    return pd.read_parquet(CRIME)


def in_window(frame: pd.DataFrame, window) -> pd.DataFrame:
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    return frame[(frame["event_at"] >= start) & (frame["event_at"] < end)]


# --- Known truth: generated counts over the real H3 grid and the real beats --------------------

# Places well inside the city (their cell and two rings of neighbours are all on the grid).
SPOTS = {3: (47.6615, -122.3130), 5: (47.5450, -122.2850), 10: (47.6900, -122.3550)}   # times the rate
# Robberies per 2018-present beat, 2018-01-01 to 2021-09-21, counted from the real SPD export
# ../shared/data/real/crime/myronbanez__MUSA508-Seattle-TOD__SPD_Crime_Data__2008-Present.csv:
# a real, very uneven population of incidents over the beats.
ROBBERIES = {
    "B1": 117, "B2": 108, "B3": 60, "C1": 119, "C2": 39, "C3": 100, "D1": 150, "D2": 82, "D3": 71, "E1": 139,
    "E2": 200, "E3": 102, "F1": 83, "F2": 136, "F3": 61, "G1": 57, "G2": 67, "G3": 62, "J1": 70, "J2": 54,
    "J3": 84, "K1": 199, "K2": 161, "K3": 332, "L1": 81, "L2": 164, "L3": 95, "M1": 151, "M2": 199, "M3": 244,
    "N1": 39, "N2": 174, "N3": 142, "O1": 106, "O2": 27, "O3": 66, "Q1": 42, "Q2": 52, "Q3": 154, "R1": 114,
    "R2": 227, "R3": 115, "S1": 114, "S2": 133, "S3": 143, "U1": 100, "U2": 220, "U3": 114, "W1": 56, "W2": 85,
    "W3": 37}


def cell_at(grid, lat, lng) -> str:
    return h3.latlng_to_cell(lat, lng, grid.resolution)


def positions(grid, cells) -> np.ndarray:
    return np.flatnonzero(grid.cells["cell"].isin(set(cells)).to_numpy())


def e2_cell(boundaries, grid) -> str:
    """The cell at the heart of beat E2, the beat that holds 13.8 % of the synthetic store's crime."""
    point = boundaries["beat"].set_index("beat").geometry["E2"].representative_point()
    return cell_at(grid, point.y, point.x)


def hot_by_period(counts, w, hs, exposure=None) -> np.ndarray:
    """(periods x units) hot flags, each period tested on its own, as the page tests the current one."""
    extra = {} if exposure is None else {"exposure": exposure}
    return np.vstack([hotspots.gi_star(row, w, hs.significance, **extra)["hot"].to_numpy() for row in counts])


def labels_by_period(counts, w, hs, exposure=None) -> np.ndarray:
    """The label of every unit in every period that has `emerging_periods` periods before it, as the
    page would show it on that period (row 0 = period `emerging_periods`)."""
    extra = {} if exposure is None else {"exposure": exposure}
    n = hs.emerging_periods
    return np.vstack([hotspots.hotspot_history(counts[t - n:t + 1], w, hs, **extra)["label"].to_numpy()
                      for t in range(n, len(counts))])


def beat_index(area, *names) -> list[int]:
    order = list(area.beats["beat"])
    return [order.index(name) for name in names]


def beat_neighbours(area, i) -> set[int]:
    return {i, *area.beat_weights.neighbors[i]}


def test_the_known_truth_places_are_where_the_tests_need_them(area, grid, boundaries):
    on_grid = set(grid.cells["cell"])
    for lat, lng in SPOTS.values():
        assert set(h3.grid_disk(cell_at(grid, lat, lng), 2)) <= on_grid
    centres = [cell_at(grid, lat, lng) for lat, lng in SPOTS.values()] + [e2_cell(boundaries, grid)]
    assert min(h3.grid_distance(a, b) for i, a in enumerate(centres) for b in centres[i + 1:]) > 8
    assert grid.cells.set_index("cell")["beat"][e2_cell(boundaries, grid)] == "E2"
    assert set(ROBBERIES) == set(area.beats["beat"])


# --- The four checks on the H3 grid ------------------------------------------------------------

def test_planted_hot_spots_are_found_and_persistent_beside_one_extreme_cell(grid, boundaries, hs):
    """Seven-cell hot spots at 3x, 5x and 10x a surrounding rate of three incidents per cell,
    steady for 30 periods, while one cell holds 12 % of all incidents: the heart of each (the cell
    whose whole neighbourhood is planted) is hot in at least 90 % of periods and called persistent
    or intensifying in at least 90 % once the label has its window; away from the planted places
    (two rings) nothing is hot in more than 5 % of periods."""
    rng = np.random.default_rng(20)
    rate = np.full(grid.size, 3.0)
    centres = {}
    for times, (lat, lng) in SPOTS.items():
        centres[times] = positions(grid, [cell_at(grid, lat, lng)])[0]
        rate[positions(grid, h3.grid_disk(cell_at(grid, lat, lng), 1))] *= times
    extreme = positions(grid, [e2_cell(boundaries, grid)])[0]
    rate[extreme] = 0.12 / 0.88 * rate.sum()
    counts = rng.poisson(rate, (30, grid.size)).astype(float)
    assert 0.10 < (counts[:, extreme] / counts.sum(axis=1)).min()

    hot = hot_by_period(counts, grid.weights, hs)
    labels = labels_by_period(counts, grid.weights, hs)
    spots = [*centres.values(), extreme]
    for times, c in [*centres.items(), ("extreme", extreme)]:
        assert hot[:, c].mean() >= 0.9, f"the {times} hot spot found in {hot[:, c].mean():.0%} of periods"
    # Mann-Kendall calls a steady series rising or falling one window in twenty: judged over all four
    assert np.isin(labels[:, spots], HOT).mean() >= 0.9, labels[:, spots].T
    assert hot[:, extreme].all()
    near = positions(grid, {n for c in [*centres.values(), extreme] for n in h3.grid_disk(grid.cells["cell"][c], 2)})
    elsewhere = np.delete(hot, near, axis=1)
    assert elsewhere.any(axis=1).mean() <= 0.05


@pytest.mark.parametrize("rate", [0.05, 0.3, 1.0, 4.0])
def test_pure_noise_on_the_grid_gives_a_false_hot_spot_in_at_most_5_percent_of_periods(grid, hs, rate):
    """Homogeneous Poisson counts over the city's cells, from sparse (140 incidents a period) to
    busy (11,000): at the configured FDR of 5 %, at most one period in twenty shows any hot spot."""
    counts = np.random.default_rng(int(rate * 100)).poisson(rate, (200, grid.size)).astype(float)
    hot = hot_by_period(counts, grid.weights, hs)
    assert hot.any(axis=1).mean() <= hs.significance


def test_one_extreme_cell_and_its_beat_are_hot_every_period(area, grid, boundaries, hs):
    """One cell in beat E2 holds 10-15 % of the city's incidents every period (about one incident
    per cell elsewhere): that cell, and beat E2, which it dominates, are hot every period."""
    rng = np.random.default_rng(14)
    extreme = positions(grid, [e2_cell(boundaries, grid)])[0]
    counts = rng.poisson(1.0, (20, grid.size)).astype(float)
    share = rng.uniform(0.10, 0.15, 20)
    counts[:, extreme] = np.round(share / (1 - share) * np.delete(counts, extreme, axis=1).sum(axis=1))
    assert hot_by_period(counts, grid.weights, hs)[:, extreme].all()

    by_beat = pd.DataFrame(counts.T).groupby(grid.cells["beat"].to_numpy()).sum()
    beats = by_beat.reindex(area.beats["beat"]).fillna(0).to_numpy().T
    e2 = beat_index(area, "E2")[0]
    assert (counts[:, extreme] > beats[:, e2] / 2).all()                     # the cell dominates its beat
    assert hot_by_period(beats, area.beat_weights, hs, area.beat_area)[:, e2].all()


def test_a_step_up_is_new_at_once_then_persistent(grid, hs):
    """Three places at the surrounding rate (two incidents per cell) for ten periods, then at five
    times it: each is hot and labelled new in the first period of the step, and persistent or
    intensifying once it has been hot in half of the label's window."""
    rng = np.random.default_rng(31)
    step, periods, window = 10, 22, hs.emerging_periods
    rate = np.full((periods, grid.size), 2.0)
    centres = []
    for lat, lng in SPOTS.values():
        centres.append(positions(grid, [cell_at(grid, lat, lng)])[0])
        rate[step:, positions(grid, h3.grid_disk(cell_at(grid, lat, lng), 1))] *= 5
    counts = rng.poisson(rate).astype(float)
    hot = hot_by_period(counts, grid.weights, hs)
    labels = labels_by_period(counts, grid.weights, hs)            # row r is period r + window
    for c in centres:
        assert not hot[:step, c].any()
        assert hot[step, c]                                         # time to detect: no period lost
        assert labels[step - window, c] == "new"
        settled = labels[step + window // 2 - window:, c]           # hot in half the window by then
        assert np.isin(settled, HOT).mean() >= 0.9, settled


# --- The four checks on the beats (Queen contiguity; chance spreads incidents by area) ---------

PLANTED_BEATS = {"B2": 3, "R2": 5, "L2": 10}


def area_rates(area, total: float) -> np.ndarray:
    return total * area.beat_area / area.beat_area.sum()


def test_planted_beats_are_found_and_persistent_beside_an_extreme_beat(area, hs):
    """Three beats at 3x, 5x and 10x the city's rate per km² for 30 periods, while E2 holds 12 % of
    all incidents: each planted beat is hot in at least 90 % of periods and persistent or
    intensifying in at least 90 % after the label's window; beats that neither are planted nor
    touch one are hardly ever hot."""
    rng = np.random.default_rng(8)
    rate = area_rates(area, 2400.0)
    planted = dict(zip(beat_index(area, *PLANTED_BEATS), PLANTED_BEATS.values()))
    for i, times in planted.items():
        rate[i] *= times
    e2 = beat_index(area, "E2")[0]
    rate[e2] = 0.12 / 0.88 * np.delete(rate, e2).sum()
    counts = rng.poisson(rate, (30, len(rate))).astype(float)
    hot = hot_by_period(counts, area.beat_weights, hs, area.beat_area)
    labels = labels_by_period(counts, area.beat_weights, hs, area.beat_area)
    for i in [*planted, e2]:
        assert hot[:, i].mean() >= 0.9, f"beat {area.beats['beat'][i]}: hot in {hot[:, i].mean():.0%}"
    # Mann-Kendall calls a steady series rising or falling one window in twenty: judged over all four
    assert np.isin(labels[:, [*planted, e2]], HOT).mean() >= 0.9, labels[:, [*planted, e2]].T
    touching = set().union(*(beat_neighbours(area, i) for i in [*planted, e2]))
    elsewhere = np.delete(hot, sorted(touching), axis=1)
    assert elsewhere.any(axis=1).mean() <= 0.05


@pytest.mark.parametrize("total", [60, 600, 2400])
def test_pure_noise_on_the_beats_gives_a_false_hot_spot_in_at_most_5_percent_of_periods(area, hs, total):
    """Two kinds of noise over the beats, each tested against its own null: homogeneous Poisson
    over the city's area (the page's null), and Poisson proportional to the real beat populations
    of robberies, given to the test as the baseline. The second is the hard case for a count test:
    expected counts differ twelvefold between beats."""
    rng = np.random.default_rng(total)
    baseline = np.array([ROBBERIES[b] for b in area.beats["beat"]], dtype=float)
    for rate, exposure in [(area_rates(area, total), area.beat_area),
                           (total * baseline / baseline.sum(), baseline)]:
        counts = rng.poisson(rate, (300, len(rate))).astype(float)
        hot = hot_by_period(counts, area.beat_weights, hs, exposure)
        assert hot.any(axis=1).mean() <= hs.significance


def test_a_beat_stepping_up_is_new_at_once_then_persistent(area, hs):
    rng = np.random.default_rng(5)
    step, periods, window = 10, 22, hs.emerging_periods
    rate = np.tile(area_rates(area, 2400.0), (periods, 1))
    r2 = beat_index(area, "R2")[0]
    rate[step:, r2] *= 5
    counts = rng.poisson(rate).astype(float)
    hot = hot_by_period(counts, area.beat_weights, hs, area.beat_area)
    labels = labels_by_period(counts, area.beat_weights, hs, area.beat_area)
    assert not hot[:step, r2].any() and hot[step, r2]
    assert labels[step - window, r2] == "new"
    assert np.isin(labels[step + window // 2 - window:, r2], HOT).mean() >= 0.9


def test_detection_rates_for_the_bench_meet_the_checks(area, hs):
    rates = hotspots.detection_rates(area, seed=3, hs=hs)
    assert rates["recall"] >= 0.9 and rates["persistence"] >= 0.9
    assert rates["false_alarm_rate"] <= hs.significance
    assert rates["time_to_detect"] <= 1 and rates["new_at_step"] == 1.0
    assert rates["extreme_cell_hot"] == 1.0


# --- The statistic itself ----------------------------------------------------------------------

def test_p_value_is_the_chance_of_so_many_incidents_at_the_citys_rate():
    """Draw each unit's count at the city's rate (per unit of an uneven exposure) many times: the
    share of draws that put at least the observed total in a neighbourhood is its p-value."""
    w = libpysal.weights.lat2W(4, 5, rook=False)
    exposure = np.random.default_rng(1).uniform(0.5, 3.0, 20)
    y = np.array([0, 3, 1, 0, 2, 2, 0, 1, 4, 0, 0, 5, 2, 1, 0, 0, 3, 1, 0, 2], dtype=float)
    result = hotspots.gi_star(y, w, 0.05, exposure=exposure)
    assert not result["hot"].any()
    rate = y.sum() / exposure.sum()
    draws = np.random.default_rng(2).poisson(rate * exposure, (40_000, 20))
    for i in range(20):
        hood = [i, *w.neighbors[i]]
        simulated = (draws[:, hood].sum(axis=1) >= y[hood].sum()).mean()
        assert result["p"][i] == pytest.approx(simulated, abs=max(4 * np.sqrt(simulated / 40_000), 5e-4))


def test_z_is_esdas_gi_star_with_the_variance_of_a_count(grid):
    """On equal cells the z-score is esda's Gi* z-score rescaled from the counts' sample variance
    to a Poisson count's: the same neighbourhood excess, in Poisson standard deviations."""
    y = np.random.default_rng(5).poisson(2.0, grid.size).astype(float)
    ours = hotspots.gi_star(y, grid.weights, 0.05)
    assert not ours["hot"].any()                   # one round: the rate is the whole city's
    expected = esda.G_Local(y, grid.weights, transform="B", star=True, permutations=0).Zs
    n, k = grid.size, np.diff(hotspots.neighbourhoods(grid.weights).indptr)
    np.testing.assert_allclose(ours["z"], expected * np.sqrt(y.var() / y.mean() * (n - k) / (n - 1)), rtol=1e-9)


def test_gi_star_on_a_lattice_flags_the_planted_block_only(hs):
    w = libpysal.weights.lat2W(25, 25, rook=False)
    y = np.random.default_rng(3).poisson(2.0, 625).astype(float)
    block = [r * 25 + c for r in range(10, 13) for c in range(4, 7)]
    y[block] += 9
    hot = set(np.flatnonzero(hotspots.gi_star(y, w, hs.significance)["hot"]))
    assert set(block) <= hot
    assert hot <= {r * 25 + c for r in range(9, 14) for c in range(3, 8)}


def test_a_quiet_cell_beside_a_busy_one_is_not_a_hot_spot(grid, boundaries, hs):
    """Gi*'s neighbourhood of a cell with nothing in it still holds its busy neighbour; the cell
    itself must be busier than chance makes it to be called a hot spot."""
    y = np.random.default_rng(9).poisson(1.0, grid.size).astype(float)
    busy = e2_cell(boundaries, grid)
    y[positions(grid, [busy])] = 300
    quiet = positions(grid, set(h3.grid_disk(busy, 1)) - {busy})
    y[quiet] = 0
    result = hotspots.gi_star(y, grid.weights, hs.significance)
    assert result["hot"][positions(grid, [busy])].all()
    assert not result["hot"][quiet].any()
    assert (result["p"][quiet] < 1e-10).all()                       # though their neighbourhoods are hot


def test_gi_star_takes_counts_only(grid, hs):
    with pytest.raises(ValueError, match="whole numbers"):
        hotspots.gi_star(np.full(grid.size, 0.5), grid.weights, hs.significance)
    empty = hotspots.gi_star(np.zeros(grid.size), grid.weights, hs.significance)
    assert not empty["hot"].any()


# --- The study area is built from boundaries in memory -------------------------------------------

def test_the_study_area_comes_from_the_boundaries_given_and_is_built_once(boundaries, hs):
    east = {name: frame[frame["precinct"] == "East"].reset_index(drop=True) for name, frame in boundaries.items()}
    area = hotspots.study_area(east, hs.h3_resolution)
    assert hotspots.study_area(east, hs.h3_resolution) is area
    assert set(area.grid.cells["beat"]) == set(east["beat"]["beat"])
    assert list(area.beats["beat"]) == list(east["beat"]["beat"])
    km2 = east["beat"].to_crs("EPSG:32610").area.sum() / 1e6
    assert area.beat_area.sum() == pytest.approx(km2)
    # ~0.105 km² per resolution-9 cell; the grid covers the beats and overlaps their edges
    assert km2 / 0.105 < area.grid.size < 1.6 * km2 / 0.105
    incidents = pd.DataFrame({"period": [0, 1, 1], "precinct": "East", "sector": "E", "beat": "E2",
                              "block_address": "1XX BLOCK OF PINE ST", "longitude": -122.3205,
                              "latitude": 47.6150, "incidents": [2, 3, 4]})
    result = hotspots.analyse(incidents, area, 2, hs)
    assert result.total == 7 and result.cells["incidents"].sum() == 7 and result.outside == 0


# --- Emerging hot spots --------------------------------------------------------------------------

def test_emerging_labels_on_hand_built_periods():
    """Seven periods, the last current; one column per case."""
    hot = np.array([
        # new  persist intens fadeA  fadeB  none1  none2  new2
        [0,    1,      1,     1,     1,     0,     0,     0],
        [0,    1,      1,     1,     1,     0,     0,     1],
        [0,    1,      1,     1,     1,     0,     1,     0],
        [0,    1,      1,     0,     1,     0,     0,     0],
        [0,    1,      1,     1,     1,     0,     0,     1],
        [0,    1,      1,     0,     1,     0,     0,     0],
        [1,    1,      1,     0,     1,     0,     0,     1],
    ], dtype=bool)
    z = np.array([
        [0.1,  5.0,    2.5,   5.0,   9.0,   0.1,   0.0,   0.0],
        [0.2,  4.6,    3.0,   5.2,   8.0,   0.3,   0.0,   4.0],
        [0.0,  5.3,    3.6,   4.9,   7.0,   0.2,   4.0,   0.0],
        [0.1,  4.8,    4.2,   1.0,   6.0,   0.1,   0.0,   0.0],
        [0.3,  5.1,    4.9,   4.5,   5.0,   0.0,   0.0,   4.0],
        [0.1,  4.9,    5.5,   0.5,   4.0,   0.2,   0.0,   0.0],
        [6.0,  5.0,    6.1,   0.8,   3.5,   0.1,   0.0,   4.1],
    ])
    labels = hotspots.emerging_labels(z, hot, significance=0.05)
    assert list(labels) == ["new", "persistent", "intensifying", "fading", "fading", "none", "none", "new"]


def test_emerging_labels_from_counts_over_periods(grid, hs):
    """Clusters planted through the periods come out with the label their history implies."""
    periods = hs.emerging_periods + 1
    rng = np.random.default_rng(5)
    spots = {"new": (47.69, -122.35), "persistent": (47.60, -122.33), "fading": (47.55, -122.30)}
    on = {"new": [periods - 1], "persistent": range(periods), "fading": range(periods - 2)}
    counts = rng.poisson(0.8, (periods, grid.size)).astype(float)
    centres = {}
    for name, (lat, lng) in spots.items():
        centres[name] = h3.latlng_to_cell(lat, lng, grid.resolution)
        cluster = grid.cells["cell"].isin(h3.grid_disk(centres[name], 1)).to_numpy()
        for p in on[name]:
            counts[p, cluster] += rng.poisson(7.0, cluster.sum())
    history = hotspots.hotspot_history(counts, grid.weights, hs)
    label_of = dict(zip(grid.cells["cell"], history["label"]))
    for name, centre in centres.items():
        assert label_of[centre] == name
    assert set(history["label"]) <= {"new", "persistent", "fading", "none"}


# --- The tables against independent pandas counts ------------------------------------------------

def test_beat_counts_add_up_to_every_row(analysis, parquet_crime, windows):
    now = in_window(parquet_crime, windows[-1])
    before = in_window(parquet_crime, windows[-2])
    assert analysis.total == len(now)
    assert analysis.total_previous == len(before)
    expected = now["beat"].value_counts()
    got = analysis.beats.groupby("beat")["incidents"].sum()           # UNKNOWN beats sit in two precincts
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()
    unmapped = analysis.beats[analysis.beats["label"] == "not mapped"]
    assert set(unmapped["precinct"]) == {"OOJ", "UNKNOWN"} and set(unmapped["beat"]) == {"UNKNOWN"}


def test_cell_counts_match_the_parquet_points(analysis, parquet_crime, windows, grid):
    now = in_window(parquet_crime, windows[-1])
    located = now[~now["location_withheld"] & now["longitude"].notna()]
    cells = [h3.latlng_to_cell(lat, lon, grid.resolution) for lon, lat in zip(located["longitude"], located["latitude"])]
    expected = pd.Series(cells).value_counts()
    got = analysis.cells.set_index("cell")["incidents"]
    assert got[got > 0].sort_index().to_dict() == expected[expected.index.isin(got.index)].sort_index().to_dict()
    assert analysis.outside == expected[~expected.index.isin(got.index)].sum()


def test_block_table_ranks_suppresses_and_adds_up(analysis, parquet_crime, windows, hs):
    table = hotspots.block_table(analysis.blocks, analysis.periods, analysis.total, analysis.total_previous,
                                 hs.min_cell_count)
    now = in_window(parquet_crime, windows[-1])
    published = now[~now["location_withheld"] & now["block_address"].fillna("").ne("")]
    expected = published.groupby(["block_address", "beat"]).size()
    listed = table[table["rank"].notna()]
    assert len(listed) == (expected >= hs.min_cell_count).sum()
    assert (listed["incidents"] >= hs.min_cell_count).all()
    assert listed["incidents"].is_monotonic_decreasing
    assert listed.set_index(["block_address", "beat"])["incidents"].to_dict() == \
        expected[expected >= hs.min_cell_count].to_dict()
    assert table["incidents"].sum() == len(now)                 # nothing dropped
    other = table.loc[table["block_address"].str.startswith("Other blocks"), "incidents"].item()
    assert other == expected[expected < hs.min_cell_count].sum()
    assert table["share"].sum() == pytest.approx(1.0)


# --- Concentration and prediction ----------------------------------------------------------------

def test_concentration_curve_matches_an_independent_computation(analysis, parquet_crime, windows, synth_store):
    now = in_window(parquet_crime, windows[-1])
    has_block = ~parquet_crime["location_withheld"] & parquet_crime["block_address"].fillna("").ne("")
    places = parquet_crime.loc[has_block, "block_address"].nunique()
    counts = now[has_block.loc[now.index]]["block_address"].value_counts().to_numpy()   # busiest first
    cumulative = np.cumsum(counts) / counts.sum()

    current = analysis.blocks[analysis.blocks["period"] == analysis.periods - 1]
    assert int(synth_store.df("hotspots/block_count", dataset="crime")["blocks"].iloc[0]) == places
    curve = hotspots.concentration_curve(current.groupby("block_address")["incidents"].sum(), places)
    assert np.allclose(curve["incident_share"].to_numpy()[1:len(counts) + 1], cumulative)
    assert np.allclose(curve["place_share"].to_numpy()[1:len(counts) + 1], np.arange(1, len(counts) + 1) / places)
    half = hotspots.places_holding(current["incidents"].groupby(current["block_address"]).sum(), places, 0.5)
    assert half == (np.argmax(cumulative >= 0.5) + 1) / places
    assert 0.01 < half < 0.15          # the synthetic data concentrates as Seattle's does


def test_hit_rate_and_pai_follow_their_definitions():
    predicted = np.array([True, True, False, False, False, False, False, False, False, False])
    counts = np.array([30, 10, 5, 5, 10, 10, 10, 10, 5, 5])
    hit, pai = hotspots.hit_rate_and_pai(predicted, counts)
    assert hit == pytest.approx(0.4)                       # 40 of 100 incidents
    assert pai == pytest.approx(0.4 / 0.2)                 # in 2 of 10 equal cells
    assert hotspots.hit_rate_and_pai(np.zeros(10, bool), counts) == (None, None)


# --- Privacy of everything the page exports ------------------------------------------------------

def exports(analysis, boundaries, hs, manifest) -> dict[str, bytes]:
    """The files the page offers for download, built the way the page builds them."""
    blocks = hotspots.block_table(analysis.blocks, analysis.periods, analysis.total, analysis.total_previous,
                                  hs.min_cell_count)
    cells = hotspots.significant_cells(analysis.cells, hs.min_cell_count)
    chart = export.with_caption(charts.static_map(boundaries, analysis.beats, cells, "count", "Hot spots"), manifest)
    return {"blocks.csv": export.table_csv(blocks), "beats.csv": export.table_csv(analysis.beats),
            "cells.geojson": hotspots.geojson_bytes(cells, "test"), "map.svg": export.chart_svg(chart)}


def test_no_sensitive_offense_in_any_export(synth_store, settings, windows, parquet_crime, hs):
    """Even filtered to rape only, no block, cell or point carries one; the incidents are still
    counted, in their beats and in the "no published address" line."""
    boundaries = load_boundaries(settings.boundaries_dir)
    params = query_params(settings, windows, types=["rape"])
    incidents = synth_store.df("hotspots/incidents", **params)
    assert incidents["incidents"].sum() > 0
    assert incidents[["block_address", "longitude", "latitude"]].isna().all().all()
    rape = run_analysis(synth_store, settings, windows, types=["rape"])
    files = exports(rape, boundaries, hs, synth_store.manifest)
    blocks = pd.read_csv(io.BytesIO(files["blocks.csv"]))
    assert blocks["rank"].isna().all()
    assert blocks.loc[blocks["block_address"].str.startswith("No published address"), "incidents"].item() == rape.total
    assert rape.total == len(in_window(parquet_crime[parquet_crime["offense_type"] == "rape"], windows[-1])) > 0
    assert json.loads(files["cells.geojson"])["features"] == []

    sensitive = parquet_crime[parquet_crime["offense_code"].isin(settings.privacy.sensitive_offense_codes)
                              | parquet_crime["offense"].str.upper().isin(settings.privacy.sensitive_offenses)]
    assert len(sensitive) > 0 and sensitive["location_withheld"].all()
    everything = exports(run_analysis(synth_store, settings, windows), boundaries, hs, synth_store.manifest)
    for name, data in everything.items():
        text = data.decode()
        for offense in settings.privacy.sensitive_offenses:
            assert offense.lower() not in text.lower(), f"{offense} in {name}"


def test_cells_under_the_minimum_are_shown_only_in_aggregate(analysis, hs, boundaries):
    deck, _ = maps.hotspot_deck(boundaries, analysis.beats, analysis.cells, "density", "none", hs.min_cell_count)
    drawn = next(layer for layer in deck.layers if layer.id == "cells").data
    expected = analysis.cells[analysis.cells["incidents"] >= hs.min_cell_count]
    assert sorted(row["cell"] for row in drawn) == sorted(expected["cell"])
    cells = hotspots.significant_cells(analysis.cells, hs.min_cell_count)
    small = analysis.cells.set_index("cell").loc[cells["cell"], "incidents"].to_numpy() < hs.min_cell_count
    assert cells["incidents"].isna().to_numpy().tolist() == small.tolist()
    deck, _ = maps.hotspot_deck(boundaries, analysis.beats, analysis.cells, "hotspots", "none", hs.min_cell_count)
    counts = analysis.cells.set_index("cell")[["incidents", "previous"]]
    for row in next(layer for layer in deck.layers if layer.id == "cells").data:      # the tooltips
        n, before = counts.loc[row["cell"]]
        if n < hs.min_cell_count:
            assert row["detail"] == f"under {hs.min_cell_count} incidents"
        if min(n, before) < hs.min_cell_count:
            assert row["change"].startswith("change not shown")


# --- Exports and maps -------------------------------------------------------------------------------

def test_significant_cells_geojson_holds_the_hot_hexagons(analysis, hs):
    cells = hotspots.significant_cells(analysis.cells, hs.min_cell_count)
    assert analysis.cells["hot"].sum() > 0, "the synthetic store should have some Gi* hot spots"
    collection = json.loads(hotspots.geojson_bytes(cells, "Hot spots, synthetic"))
    assert collection["description"] == "Hot spots, synthetic"
    hot = set(analysis.cells.loc[analysis.cells["hot"], "cell"])
    features = {f["properties"]["cell"]: f for f in collection["features"]}
    assert hot <= set(features)
    for cell, feature in features.items():
        ring = feature["geometry"]["coordinates"][0]
        assert len(ring) == 7 and ring[0] == ring[-1]                       # a closed hexagon
        lat, lng = h3.cell_to_latlng(cell)
        assert min(p[0] for p in ring) < lng < max(p[0] for p in ring)
        assert min(p[1] for p in ring) < lat < max(p[1] for p in ring)
        assert feature["properties"]["label"] in hotspots.LABELS


@pytest.mark.parametrize("view", list(maps.VIEWS))
def test_deck_layers_are_pickable_with_ids_and_tooltips(analysis, hs, settings, view):
    boundaries = load_boundaries(settings.boundaries_dir)
    deck, legend = maps.hotspot_deck(boundaries, analysis.beats, analysis.cells, view, "carto-light",
                                     hs.min_cell_count, selected_beat="K1")
    ids = [layer.id for layer in deck.layers]
    assert len(ids) == len(set(ids)) and ids[0] == "beats" and "precincts" in ids and "selected" in ids
    assert ("cells" in ids) == (view in ("density", "hotspots"))
    for layer in deck.layers:
        if layer.id in ("beats", "cells"):
            assert layer.pickable
    beats = deck.layers[0].data["features"]
    k1 = next(f["properties"] for f in beats if f["properties"]["beat"] == "K1")
    row = analysis.beats.set_index("beat").loc["K1"]
    assert k1["detail"] == f"{row['incidents']:,} incidents" and "K1" in k1["title"]
    assert str(abs(int(row["change"]))) in k1["change"] or row["change"] == 0
    assert legend, "every view has a legend"
    assert "{title}" in deck._tooltip["html"]
    assert json.loads(deck.to_json())["mapProvider"] == "carto"


def deck_spec(analysis, hs, boundaries, view="count", beat=None) -> dict:
    deck, _ = maps.hotspot_deck(boundaries, analysis.beats, analysis.cells, view, "none", hs.min_cell_count, beat)
    return json.loads(deck.to_json())


def layer(spec: dict, layer_id: str) -> dict:
    return next(item for item in spec["layers"] if item["id"] == layer_id)


def test_precinct_outlines_are_closed_rings_around_each_whole_precinct(analysis, hs, boundaries):
    """What the browser draws: one closed ring per precinct (no stubs), enclosing its beats."""
    rings = layer(deck_spec(analysis, hs, boundaries), "precincts")["data"]
    assert sorted(r["precinct"] for r in rings) == sorted(boundaries["precinct"]["precinct"])
    beats = boundaries["beat"].to_crs("EPSG:32610")
    for ring in rings:
        assert ring["path"][0] == ring["path"][-1] and len(ring["path"]) >= 4
        drawn = gpd.GeoSeries([shapely.Polygon(ring["path"])], crs="EPSG:4326").to_crs("EPSG:32610").iloc[0]
        inside = beats[beats["precinct"] == ring["precinct"]]
        assert drawn.area == pytest.approx(inside.area.sum(), rel=0.01)
        assert (inside.geometry.representative_point().within(drawn)).all()
    for ring in layer(deck_spec(analysis, hs, boundaries), "sectors")["data"]:
        assert ring["path"][0] == ring["path"][-1]


@pytest.mark.parametrize("beat", ["K1", "E2", "N1", "W1"])
def test_the_chosen_beat_is_outlined_and_zoomed_to(analysis, hs, boundaries, beat):
    spec = deck_spec(analysis, hs, boundaries, beat=beat)
    west, south, east, north = boundaries["beat"].set_index("beat").geometry[beat].bounds
    view = spec["initialViewState"]
    assert west < view["longitude"] < east and south < view["latitude"] < north
    width, height = maps.MAP_SIZE                     # what the map shows at that zoom (a 512 px world)
    mercator = lambda lat: np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    shown = np.array([width * 360, height * 2 * np.pi]) / (512 * 2 ** view["zoom"])
    spans = np.array([east - west, mercator(north) - mercator(south)])
    assert (spans < shown).all()                      # the whole beat is on screen
    assert (spans / shown).max() > 0.5                # and fills the map along one side
    outline = layer(spec, "selected")["data"]
    assert [r["beat"] for r in outline] == [beat] and outline[0]["path"][0] == outline[0]["path"][-1]
    assert deck_spec(analysis, hs, boundaries)["initialViewState"]["zoom"] < view["zoom"]   # the city first


def test_every_beat_is_labelled_inside_itself(analysis, hs, boundaries):
    labels = layer(deck_spec(analysis, hs, boundaries), "beat-labels")
    assert labels["@@type"] == "TextLayer" and labels["getSize"] >= 14 and labels["sizeUnits"] == "pixels"
    shapes = boundaries["beat"].set_index("beat").geometry
    assert sorted(row["beat"] for row in labels["data"]) == sorted(shapes.index)
    for row in labels["data"]:
        assert shapes[row["beat"]].contains(shapely.Point(row["position"]))


def test_legends_say_what_each_colour_means(analysis, hs, boundaries):
    _, counts = maps.hotspot_deck(boundaries, analysis.beats, analysis.cells, "count", "none", hs.min_cell_count)
    assert all(text.endswith("incidents in the beat") for _, text in counts)
    _, labels = maps.hotspot_deck(boundaries, analysis.beats, analysis.cells, "hotspots", "none", hs.min_cell_count,
                                  emerging_periods=hs.emerging_periods)
    words = dict((text.split(" ")[1], text) for _, text in labels)
    assert set(words) == {"intensifying", "persistent", "new", "fading"}
    assert f"last {hs.emerging_periods} periods" in words["persistent"] and "hot now" in words["new"]


def test_no_basemap_means_no_tile_provider(analysis, hs, settings):
    boundaries = load_boundaries(settings.boundaries_dir)
    deck, _ = maps.hotspot_deck(boundaries, analysis.beats, analysis.cells, "count", "none", hs.min_cell_count)
    spec = json.loads(deck.to_json())
    assert spec.get("mapProvider") is None and "mapStyle" not in spec or spec.get("mapStyle") in (None, "")
    assert {"sectors", "precincts"} <= {layer["id"] for layer in spec["layers"]}     # the map still reads


def test_static_map_png_renders_without_tiles(analysis, hs, settings, synth_store):
    boundaries = load_boundaries(settings.boundaries_dir)
    cells = hotspots.significant_cells(analysis.cells, hs.min_cell_count)
    chart = export.with_caption(charts.static_map(boundaries, analysis.beats, cells, "count", "Hot spots"),
                                synth_store.manifest)
    spec = json.dumps(chart.to_dict())
    assert "http" not in spec.replace("https://vega.github.io/schema", "")       # inline data, no tiles
    pixels = np.asarray(Image.open(io.BytesIO(export.chart_png(chart))).convert("RGB")).reshape(-1, 3)
    mapped = analysis.beats[analysis.beats["label"] != "not mapped"]["incidents"]
    _, entries = maps.count_classes(mapped)
    for colour, text in entries:                           # every class of beats is drawn as a filled area
        assert (pixels == maps.rgba(colour)[:3]).all(axis=1).sum() > 1000, f"class {text} missing"
    white = (pixels == 255).all(axis=1).mean()
    assert 0.2 < white < 0.8                               # Seattle's shape on a white page, not a filled frame
