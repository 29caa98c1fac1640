"""Near-repeat risk: the Knox test finds planted near-repeat clusters and not time-shuffled ones;
its counts against brute force, its expected pairs and their variance against every permutation
of the dates, its p-values against Monte Carlo shuffles; the sample the query draws; the places at
risk now and their privacy."""
from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil

import numpy as np
import pandas as pd
import pyproj
import pytest

from seastat import nearrepeat, reports
from seastat.store import Store

TO_DEGREES = pyproj.Transformer.from_crs("EPSG:32610", "EPSG:4326", always_xy=True)
CENTRE = (550_000.0, 5_274_000.0)          # UTM 10N metres, about downtown Seattle
START = pd.Timestamp("2025-01-01")


def events_at(x, y, days, kinds=None) -> pd.DataFrame:
    """Events at metre coordinates, on 100 m "blocks" (the square each falls in)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    lon, lat = TO_DEGREES.transform(x, y)
    blocks = [f"{int(a // 100)}XX BLOCK OF TEST ST {int(b // 100)}" for a, b in zip(x, y)]
    return pd.DataFrame({"event_at": START + pd.to_timedelta(np.asarray(days, float), unit="D"),
                         "offense_type": kinds if kinds is not None else "burglary", "beat": "K1",
                         "block_address": blocks, "longitude": lon, "latitude": lat})


def background(rng, n=2000, side=12_000.0, year=365):
    """Events spread at random over a 12 km square and a year: no near-repeat at all."""
    return (CENTRE[0] + rng.uniform(-side / 2, side / 2, n), CENTRE[1] + rng.uniform(-side / 2, side / 2, n),
            rng.uniform(0, year, n))


def planted(seed: int) -> pd.DataFrame:
    """Background events plus 80 near-repeat chains: after an event, two more within 150 m and
    within 7 days."""
    rng = np.random.default_rng(seed)
    x, y, days = background(rng)
    starts = rng.choice(len(x), 80, replace=False)
    xs = [x, np.repeat(x[starts], 2) + rng.uniform(-100, 100, 160)]
    ys = [y, np.repeat(y[starts], 2) + rng.uniform(-100, 100, 160)]
    ds = [days, np.repeat(days[starts], 2) + rng.uniform(0, 7, 160)]
    return events_at(np.concatenate(xs), np.concatenate(ys), np.concatenate(ds))


def cell(table, space, time_band):
    return table[(table["space"] == space) & (table["time"] == time_band)].iloc[0]


def test_planted_near_repeats_are_found():
    table = nearrepeat.knox(planted(1))
    for space in ("same 100-block", "within 200 m"):
        row = cell(table, space, "0 to 7 days")
        assert row["p"] < 0.05 and row["ratio"] > 1.5, row
    far = table[table["time"] == "15 to 28 days"]
    assert (far["p"] > 0.01).all()                                   # nothing planted that long after


def test_time_shuffled_events_show_no_near_repeat():
    """The same events with their dates shuffled: over 100 shuffles the planted band's p-value is
    spread like chance (about one in twenty below 0.05) and the ratio stays near 1."""
    events = planted(2)
    rng = np.random.default_rng(3)
    ps, ratios = [], []
    for _ in range(100):
        shuffled = events.assign(event_at=rng.permutation(events["event_at"].to_numpy()))
        row = cell(nearrepeat.knox(shuffled), "within 200 m", "0 to 7 days")
        ps.append(row["p"])
        ratios.append(row["ratio"])
    assert np.mean(np.array(ps) < 0.05) <= 0.1
    assert 0.3 < np.median(ps) < 0.7
    assert abs(np.median(ratios) - 1) < 0.1


def test_knox_counts_match_brute_force():
    rng = np.random.default_rng(4)
    x, y, days = background(rng, n=300, side=2_000.0, year=60)
    events = events_at(x, y, days)
    table = nearrepeat.knox(events)
    expected = {}
    for a, b in itertools.combinations(range(len(events)), 2):
        distance = np.hypot(x[a] - x[b], y[a] - y[b])
        gap = abs((events["event_at"][a].normalize() - events["event_at"][b].normalize()).days)
        if events["block_address"][a] == events["block_address"][b]:
            space = "same 100-block"
        elif distance <= 200:
            space = "within 200 m"
        elif distance <= 400:
            space = "200 to 400 m"
        else:
            continue
        band = "0 to 7 days" if gap <= 7 else "8 to 14 days" if gap <= 14 else "15 to 28 days" if gap <= 28 else None
        if band:
            expected[space, band] = expected.get((space, band), 0) + 1
    got = {(r.space, r.time): r.observed for r in table.itertuples() if r.observed}
    assert got == expected


def test_knox_expected_is_the_mean_over_every_shuffle():
    """Expected by chance, by brute force: each space band's pairs times the share of all pairs of
    dates in the time band."""
    rng = np.random.default_rng(5)
    x, y, days = background(rng, n=200, side=1_500.0, year=40)
    events = events_at(x, y, days)
    table = nearrepeat.knox(events).set_index(["space", "time"])
    whole = (events["event_at"].dt.normalize() - START).dt.days.to_numpy()
    gaps = [abs(a - b) for a, b in itertools.combinations(whole, 2)]
    bands = {"0 to 7 days": (0, 7), "8 to 14 days": (8, 14), "15 to 28 days": (15, 28)}
    share = {band: np.mean([lo <= g <= hi for g in gaps]) for band, (lo, hi) in bands.items()}
    space = nearrepeat.close_pairs(events)[2]
    for s, name in enumerate(nearrepeat.SPACE_BANDS):
        for band in bands:
            assert table.loc[(name, band), "expected"] == pytest.approx((space == s).sum() * share[band])


def test_mean_and_variance_over_every_permutation_of_the_dates():
    """Seven events, 5,040 orderings of their dates: the exact moments are those of the whole
    permutation distribution (events on a street, a few days apart, so every band is in play)."""
    rng = np.random.default_rng(6)
    x, y, days = CENTRE[0] + rng.uniform(0, 500, 7), np.full(7, CENTRE[1]), np.array([0, 1, 3, 9, 12, 20, 30])
    events = events_at(x, y, days)
    counts = np.array([nearrepeat.knox(events.assign(event_at=events["event_at"].to_numpy()[list(order)]))
                       ["observed"].to_numpy() for order in itertools.permutations(range(7))])
    i, j, space = nearrepeat.close_pairs(events)
    whole = np.asarray(days)
    for k, (s, t) in enumerate(itertools.product(range(3), range(3))):
        lo, hi = (0, 8, 15)[t], (7, 14, 28)[t]
        in_band = space == s
        space_partners = np.bincount(i[in_band], minlength=7) + np.bincount(j[in_band], minlength=7)
        gaps = np.abs(whole[:, None] - whole[None, :])
        time_partners = ((gaps >= lo) & (gaps <= hi)).sum(axis=1) - (lo == 0)
        mean, variance = nearrepeat.permutation_moments(7, space_partners, time_partners)
        assert mean == pytest.approx(counts[:, k].mean()) and variance == pytest.approx(counts[:, k].var())


def clustered(seed: int) -> pd.DataFrame:
    """Events piled on 20 busy blocks, with dates bunched in a three-week surge, where and when
    drawn apart (no near-repeat pattern): pairs share events in both space and time, so the count of
    close pairs is over-dispersed and the p-value takes the negative binomial."""
    rng = np.random.default_rng(seed)
    x, y, _ = background(rng, n=300)
    pile = rng.choice(rng.integers(0, 300, 20), 300)
    days = np.where(rng.random(600) < 0.5, rng.uniform(0, 365, 600), rng.uniform(100, 121, 600))
    return events_at(np.concatenate([x, x[pile] + rng.uniform(-30, 30, 300)]),
                     np.concatenate([y, y[pile] + rng.uniform(-30, 30, 300)]), days)


@pytest.mark.parametrize("events, over_dispersed", [(planted(3), False), (clustered(4), True)],
                         ids=["planted", "clustered"])
def test_p_values_agree_with_monte_carlo_shuffles(events, over_dispersed):
    """The p-value from the exact moments against 999 shuffles of the dates (the Near Repeat
    Calculator's method): within Monte Carlo's own error, on planted near repeats and on clusters
    with no near-repeat pattern (where the variance exceeds the mean)."""
    table = nearrepeat.knox(events)
    rng = np.random.default_rng(7)
    shuffles = np.array([nearrepeat.knox(events.assign(event_at=rng.permutation(events["event_at"].to_numpy())))
                         ["observed"].to_numpy() for _ in range(999)])
    monte_carlo = (1 + (shuffles >= table["observed"].to_numpy()).sum(axis=0)) / 1000
    assert np.abs(table["p"].to_numpy() - monte_carlo).max() < 0.05
    assert (table["p"] < 0.05).tolist() == (monte_carlo < 0.05).tolist()
    assert (shuffles.var(axis=0) > 2 * shuffles.mean(axis=0)).any() == over_dispersed


def test_places_at_risk_now_respect_the_minimum_and_add_up():
    as_of = dt.date(2025, 3, 1)
    day = (pd.Timestamp(as_of) - START).days
    x = [CENTRE[0] + 50] * 4 + [CENTRE[0] + 5_050] * 2 + [CENTRE[0] + 9_050] + [CENTRE[0] + 50]
    y = [CENTRE[1] + 50] * 8
    days = [day - 2, day - 5, day - 9, day - 13, day - 1, day - 3, day - 4, day - 40]      # the last is old
    kinds = ["burglary", "burglary", "robbery", "motor_vehicle_theft", "burglary", "burglary", "robbery", "burglary"]
    places = nearrepeat.risk_places(events_at(x, y, days, kinds), as_of, min_count=3)
    named = places[~places["block_address"].str.startswith("Other blocks")]
    assert len(named) == 1 and named["events"].item() == 4                 # the busy block, last 14 days only
    assert named["offenses"].item() == "burglary 2, motor vehicle theft 1, robbery 1"
    assert named["last_event"].item() == as_of - dt.timedelta(days=2)
    assert named["open_until"].item() == as_of + dt.timedelta(days=12)
    other = places[places["block_address"].str.startswith("Other blocks")].iloc[0]
    assert other["events"] == 3 and "(2, each under 3)" in other["block_address"] and other["beat"] == ""
    assert places["events"].sum() == 7


def test_the_queries_never_return_a_withheld_location(synth_store, settings):
    found, tested, recent = reports.near_repeat_events(synth_store, dt.date(2026, 11, 23), settings.near_repeat)[1:]
    crime = pd.read_parquet(synth_store.version_dir / "crime")
    span = nearrepeat.query_params(dt.date(2026, 11, 23))
    for frame, start in [*((e, span["start"]) for e in tested.values()), (recent, span["recent"])]:
        assert frame[["longitude", "latitude"]].notna().all().all()
        published = crime[crime["offense_type"].isin(span["types"]) & (crime["event_at"] >= start)
                          & (crime["event_at"] < span["end"]) & ~crime["location_withheld"] & crime["longitude"].notna()]
        if frame is not recent:
            published = published[published["offense_type"] == frame["offense_type"].iloc[0]]
            assert found[frame["offense_type"].iloc[0]] == len(published)
        assert len(frame) == len(published) > 0                 # every event with a published location, no other
    assert set(tested) == set(nearrepeat.TYPES)


def test_a_store_published_before_the_near_repeat_file_gives_the_same_report(synth_store, settings, tmp_path):
    """A version written before publish wrote hotspots/near_repeat.parquet reads the crime rows instead,
    with the same Knox tables and places at risk."""
    old = tmp_path / "old"
    shutil.copytree(synth_store.version_dir, old, ignore=shutil.ignore_patterns("hotspots"))
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["datasets"]["crime"]["near_repeat_file"], manifest["hotspots_files"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    period = reports.periods_offered(synth_store, settings, "crime")[0]
    now, then = (reports.near_repeat_report(s, settings, period) for s in (synth_store, Store(old)))
    assert set(now.knox) == set(nearrepeat.TYPES) and len(now.places) > 0
    for kind in now.knox:
        pd.testing.assert_frame_equal(now.knox[kind], then.knox[kind])
    pd.testing.assert_frame_equal(now.places, then.places)
    assert now.note == then.note


def test_method_note_says_descriptive_not_predictive():
    assert "descriptive, not predictive" in nearrepeat.METHOD_NOTE


def test_the_query_samples_a_large_type_and_keeps_every_recent_event(synth_store, settings):
    """More events of a type than max_events: the query takes a random sample of about that many,
    the same every time, says how many there were, and still returns every event of the recent
    days (places at risk)."""
    few = settings.near_repeat.model_copy(update={"max_events": 100})
    as_of = dt.date(2026, 11, 23)
    found, tested, recent = reports.near_repeat_events(synth_store, as_of, few)[1:]
    everything = reports.near_repeat_events(synth_store, as_of, settings.near_repeat)[2]
    for kind in nearrepeat.TYPES:
        assert found[kind] == len(everything[kind]) > 400
        assert 60 <= len(tested[kind]) <= 140                              # about 100: a random draw
        drawn = tested[kind].merge(everything[kind], how="left", indicator=True)
        assert (drawn["_merge"] == "both").all()                           # a sample of the events, no other
    again = reports.near_repeat_events(synth_store, as_of, few)[2]
    for kind in nearrepeat.TYPES:                                          # the same sample every time
        ordered = [*tested[kind].columns]
        assert again[kind].sort_values(ordered).reset_index(drop=True).equals(
            tested[kind].sort_values(ordered).reset_index(drop=True))
    span = nearrepeat.query_params(as_of)
    whole = pd.concat(everything.values())
    assert len(recent) == (whole["event_at"] >= span["recent"]).sum() > 0


def test_a_sample_of_a_large_city_still_finds_the_pattern_and_says_so():
    """Thinning at random keeps the space-time pattern: planted near repeats are still found in a
    sample of 1,000, and the note says what was sampled."""
    events = planted(1)
    row = cell(nearrepeat.knox(events.sample(1_000, random_state=1)), "within 200 m", "0 to 7 days")
    assert row["p"] < 0.05 and row["ratio"] > 1.5
    note = nearrepeat.sample_note({"burglary": len(events), "robbery": 40}, {"burglary": 1_000, "robbery": 40})
    assert note == f" Tested on a random sample: 1,000 of {len(events):,} burglary events."
    assert nearrepeat.sample_note({"robbery": 40}, {"robbery": 40}) == ""
