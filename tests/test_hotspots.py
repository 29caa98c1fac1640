"""Hot spots: Gi* on planted and random counts, the exact p-value, the emerging labels, the
concentration curve and the tables against independent pandas counts, privacy of every export,
and the map builders."""
from __future__ import annotations

import datetime as dt
import io
import itertools
import json

import esda
import h3
import libpysal
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy import stats

from conftest import SYNTH_STORE
from seastat import export, hotspots, maps
from seastat.geo import load_boundaries
from seastat.periods import Grid

CRIME = SYNTH_STORE / "current" / "crime"


# --- Fixtures: the bundled store's latest complete period, read two ways -----------------------

@pytest.fixture(scope="module")
def hs(settings):
    return settings.hotspots


@pytest.fixture(scope="module")
def grid(settings, hs):
    return hotspots.hex_grid(settings.boundaries_dir, hs.h3_resolution)


@pytest.fixture(scope="module")
def windows(settings, synth_store):
    g = Grid(settings.periods.anchor, settings.periods.length_days)
    last = dt.datetime.fromisoformat(synth_store.manifest["datasets"]["crime"]["max_event_at"]).date()
    period = g.latest_complete(last)
    return g.periods_back(period, settings.hotspots.emerging_periods) + [period]


def query_params(settings, windows, **filters):
    return dict(dataset="crime", start=dt.datetime.combine(windows[0].start, dt.time()),
                end=dt.datetime.combine(windows[-1].end, dt.time()), length_days=settings.periods.length_days,
                groups=filters.get("groups", []), types=filters.get("types", []))


def run_analysis(synth_store, settings, windows, **filters) -> hotspots.Analysis:
    params = query_params(settings, windows, **filters)
    return hotspots.analyse(synth_store.df("hotspots/incidents", **params), settings.boundaries_dir, len(windows),
                            settings.hotspots)


@pytest.fixture(scope="module")
def analysis(synth_store, settings, windows):
    return run_analysis(synth_store, settings, windows)


@pytest.fixture(scope="module")
def parquet_crime():
    return pd.read_parquet(CRIME)


def in_window(frame: pd.DataFrame, window) -> pd.DataFrame:
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    return frame[(frame["event_at"] >= start) & (frame["event_at"] < end)]


# --- Gi* ---------------------------------------------------------------------------------------------

def planted(grid, centre_lat, centre_lng, rate, background, seed, rings=1):
    """Poisson counts on the grid with a raised rate on a disk of cells around a point."""
    rng = np.random.default_rng(seed)
    centre = h3.latlng_to_cell(centre_lat, centre_lng, grid.resolution)
    cluster = set(h3.grid_disk(centre, rings))
    inside = grid.cells["cell"].isin(cluster).to_numpy()
    y = rng.poisson(np.where(inside, rate, background)).astype(float)
    return y, centre, cluster


def test_gi_star_finds_a_planted_cluster(grid, hs):
    y, centre, cluster = planted(grid, 47.66, -122.31, rate=6.0, background=0.8, seed=7)
    result = hotspots.gi_star(y, grid.weights, hs.significance)
    hot = set(grid.cells.loc[result["hot"].to_numpy(), "cell"])
    assert centre in hot
    assert len(hot & cluster) >= 5                       # most of the 7 planted cells
    near = set(h3.grid_disk(centre, 2))                  # Gi* may also flag cells bordering the cluster
    assert hot <= near, f"hot cells away from the cluster: {hot - near}"


@pytest.mark.parametrize("rate", [0.02, 0.3, 1.0, 8.0])
def test_gi_star_finds_nothing_in_uniform_noise(grid, hs, rate):
    y = np.random.default_rng(2024).poisson(rate, grid.size).astype(float)
    result = hotspots.gi_star(y, grid.weights, hs.significance)
    assert y.sum() > 0
    assert not result["hot"].any()


def test_gi_star_on_a_lattice_flags_the_planted_block_only(hs):
    w = libpysal.weights.lat2W(25, 25, rook=False)
    y = np.random.default_rng(3).poisson(2.0, 625).astype(float)
    block = [r * 25 + c for r in range(10, 13) for c in range(4, 7)]
    y[block] += 9
    result = hotspots.gi_star(y, w, hs.significance)
    hot = set(np.flatnonzero(result["hot"]))
    assert set(block) <= hot
    ring = {r * 25 + c for r in range(9, 14) for c in range(3, 8)}
    assert hot <= ring


def test_gi_star_p_value_is_exact_under_random_placement():
    """The chance that as many randomly chosen cells hold at least the neighbourhood's total,
    counted by brute force over every subset."""
    w = libpysal.weights.lat2W(3, 4, rook=True)
    y = np.array([0, 3, 1, 0, 7, 2, 0, 1, 4, 0, 0, 5], dtype=float)
    result = hotspots.gi_star(y, w, significance=0.05)
    for i in range(w.n):
        hood = [i, *w.neighbors[i]]
        total = y[hood].sum()
        subsets = [sum(c) for c in itertools.combinations(y, len(hood))]
        assert result["p"][i] == pytest.approx(np.mean(np.array(subsets) >= total))


def test_gi_star_p_value_is_exact_with_repeated_large_counts():
    """Equal busy cells whose totals pass the largest observed one (a lumped tail once lost
    their weight and gave too small p-values), checked by brute force over every subset."""
    w = libpysal.weights.lat2W(3, 4, rook=True)
    y = np.array([9, 9, 9, 0, 1, 9, 2, 0, 9, 1, 0, 3], dtype=float)
    result = hotspots.gi_star(y, w, significance=0.05)
    for i in range(w.n):
        hood = [i, *w.neighbors[i]]
        subsets = np.array([sum(c) for c in itertools.combinations(y, len(hood))])
        assert result["p"][i] == pytest.approx(np.mean(subsets >= y[hood].sum()))


def test_gi_star_p_value_of_one_incident_cells_is_hypergeometric(grid):
    """With counts of 0 or 1, a neighbourhood's total is hypergeometric: scipy gives the tail."""
    y = (np.random.default_rng(11).random(grid.size) < 0.05).astype(float)
    result = hotspots.gi_star(y, grid.weights, significance=0.05)
    hoods = hotspots.with_self(grid.weights).sparse.tocsr()
    totals, sizes = hoods @ y, np.diff(hoods.indptr)
    expected = stats.hypergeom.sf(totals - 1, grid.size, int(y.sum()), sizes)
    np.testing.assert_allclose(result["p"], expected, rtol=1e-9, atol=1e-12)


def test_gi_star_z_is_esdas(grid):
    y, *_ = planted(grid, 47.61, -122.33, rate=9.0, background=1.5, seed=5)
    expected = esda.G_Local(y, hotspots.with_self(grid.weights), transform="B", star=True, permutations=0).Zs
    np.testing.assert_allclose(hotspots.gi_star(y, grid.weights, 0.05)["z"], expected, rtol=1e-10)


def test_gi_star_takes_counts_only(grid, hs):
    with pytest.raises(ValueError, match="whole numbers"):
        hotspots.gi_star(np.full(grid.size, 0.5), grid.weights, hs.significance)
    empty = hotspots.gi_star(np.zeros(grid.size), grid.weights, hs.significance)
    assert not empty["hot"].any()


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
    chart = export.with_caption(maps.static_map(boundaries, analysis.beats, cells, "count", "Hot spots"), manifest)
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


def test_cells_under_the_minimum_are_shown_only_in_aggregate(analysis, hs, settings):
    boundaries = load_boundaries(settings.boundaries_dir)
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
    assert analysis.cells["hot"].sum() > 0, "the bundled data should have some Gi* hot spots"
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


def test_no_basemap_means_no_tile_provider(analysis, hs, settings):
    boundaries = load_boundaries(settings.boundaries_dir)
    deck, _ = maps.hotspot_deck(boundaries, analysis.beats, analysis.cells, "count", "none", hs.min_cell_count)
    spec = json.loads(deck.to_json())
    assert spec.get("mapProvider") is None and "mapStyle" not in spec or spec.get("mapStyle") in (None, "")
    assert {"sectors", "precincts"} <= {layer["id"] for layer in spec["layers"]}     # the map still reads


def test_static_map_png_renders_without_tiles(analysis, hs, settings, synth_store):
    boundaries = load_boundaries(settings.boundaries_dir)
    cells = hotspots.significant_cells(analysis.cells, hs.min_cell_count)
    chart = export.with_caption(maps.static_map(boundaries, analysis.beats, cells, "count", "Hot spots"),
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
