"""Comparisons and the shared-screen sequence as pure functions: every number against an independent
pandas count over the published Parquet files, differences and ratios worked by hand, and the
panel sequence read from the settings."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import SYNTH_STORE

from seastat import charts, compare, compstat, export, palette, present, reports, wording
from seastat.config import PRECINCTS, PresentSettings
from seastat.periods import Grid, Window
from seastat.store import Store

D = dt.date
LEVEL = compstat.alpha(2.0)
LATEST = Window(D(2026, 11, 2), D(2026, 11, 16))        # the latest complete period of the bundled store
UNASSIGNED = ("UNKNOWN", "OOJ")


@pytest.fixture(scope="module")
def published():
    """The bundled store's published rows, read with pandas alone."""
    return {name: pd.read_parquet(SYNTH_STORE / "current" / name) for name in compare.DATASETS}


@pytest.fixture(scope="module")
def grid(settings):
    return Grid(settings.periods.anchor, settings.periods.length_days)


def in_window(df: pd.DataFrame, w: Window) -> pd.DataFrame:
    return df[(df["event_at"] >= pd.Timestamp(w.start)) & (df["event_at"] < pd.Timestamp(w.end))]


def by_precinct(df: pd.DataFrame) -> pd.Series:
    """Independent counts per area line: city, five precincts, UNKNOWN and OOJ together."""
    counts = df["precinct"].where(~df["precinct"].isin(UNASSIGNED), compstat.UNASSIGNED).value_counts()
    return pd.Series({compstat.CITY: len(df), **{p: counts.get(p, 0) for p in [*PRECINCTS, compstat.UNASSIGNED]}})


def counts_for(store: Store, dataset: str, *slices: compare.Slice) -> pd.DataFrame:
    return store.df("compare/counts", dataset=dataset, windows=compare.windows_param(*slices))


# --- Differences, ratios and words, worked by hand ------------------------------------------------

def test_difference_in_words_with_its_test():
    d = compare.difference("North", 9, "East", 1, LEVEL)
    assert (d.change, d.percent, d.flag) == (8, 800.0, compstat.UP)
    assert d.p == pytest.approx(2 * 11 / 1024)             # 9/1 split of 10 or worse, both tails
    assert wording.in_words(d, "robberies") == (
        "North had more robberies than East: 9 against 1 (+8, +800%). ▲ A difference this large is unlikely "
        "to be chance (exact Poisson test, p = 0.021).")
    calm = wording.in_words(compare.difference("May", 40, "April", 44, LEVEL), "offenses")
    assert calm.startswith("May had fewer offenses than April: 40 against 44 (-4, -9%). Chance alone")
    assert wording.in_words(compare.difference("A", 7, "B", 7, LEVEL), "calls") == "A and B had the same number of calls: 7 each."


def test_a_zero_baseline_or_denominator_is_not_available_never_an_error():
    d = compare.difference("A", 5, "B", 0, LEVEL)
    assert np.isnan(d.percent)
    assert "percent change not available from zero" in wording.in_words(d, "offenses")
    assert np.isnan(compare.ratio(5, 0)) and wording.ratio_text(compare.ratio(5, 0)) == "not available"
    assert compare.ratio(3, 2, 1000) == 1500.0 and wording.ratio_text(1500.0) == "1,500.0"
    assert list(np.isnan(compare.ratio([1, 2, 3], [0, np.nan, 4]))) == [True, True, False]
    table = wording.shown(pd.DataFrame({"area": ["Beat X"], "calls_per_crime": [np.nan]}))
    assert table.iloc[0]["Calls per reported crime"] == "not available"


def test_period_names_and_the_windows_compared(grid):
    assert compare.period_name(LATEST) == "Nov 2 – 15, 2026"
    assert compare.period_name(Window(D(2026, 12, 28), D(2027, 1, 11))) == "Dec 28, 2026 – Jan 10, 2027"
    assert compare.period_against(grid, LATEST, "previous") == Window(D(2026, 10, 19), D(2026, 11, 2))
    last_year = compare.period_against(grid, LATEST, "last_year")
    assert last_year.start.weekday() == LATEST.start.weekday() and (LATEST.start - last_year.start).days == 364


def test_use_of_force_levels_run_from_least_to_most_serious():
    levels = ["Level 3 - OIS", "Level 2 - Use of Force", "Level 3 - Use of Force", "Level 1 - Use of Force"]
    assert compare.level_order(levels) == ["Level 1 - Use of Force", "Level 2 - Use of Force",
                                           "Level 3 - Use of Force", "Level 3 - OIS"]


# --- Two slices against independent counts ------------------------------------------------------------

def test_precinct_against_precinct_equals_independent_counts(synth_store, published, settings):
    a, b = (compare.Slice(k, LATEST, compare.Area("precinct", p), p) for k, p in (("a", "North"), ("b", "East")))
    counts = counts_for(synth_store, "crime", a, b)
    crime = in_window(published["crime"], LATEST)
    for row, types in (("violent", settings.offense_groups["violent"]), ("robbery", ["robbery"]), ("all", None)):
        offenses = compstat.offense_rows("crime", settings, [])[row][1]
        chosen = crime if types is None else crime[crime["offense_type"].isin(types)]
        expected = [int((chosen["precinct"] == p).sum()) for p in ("North", "East")]
        d = compare.difference("North", compare.chosen(counts, a, offenses)["n"].sum(),
                               "East", compare.chosen(counts, b, offenses)["n"].sum(), LEVEL)
        assert [d.n_a, d.n_b] == expected and d.change == expected[0] - expected[1]


def test_beat_against_beat_and_sector_against_sector(synth_store, published):
    calls = in_window(published["calls"], LATEST)
    for level, x, y in (("beat", "K1", "U2"), ("sector", "K", "U")):
        a, b = (compare.Slice(k, LATEST, compare.Area(level, v), v) for k, v in (("a", x), ("b", y)))
        counts = counts_for(synth_store, "calls", a, b)
        assert [compare.chosen(counts, s)["n"].sum() for s in (a, b)] == [(calls[level] == v).sum() for v in (x, y)]


def test_this_period_against_last_year_day_by_day(synth_store, published, grid):
    last_year = compare.period_against(grid, LATEST, "last_year")
    area = compare.Area("precinct", "West")
    a, b = (compare.Slice(k, w, area, compare.period_name(w)) for k, w in (("a", LATEST), ("b", last_year)))
    counts = counts_for(synth_store, "crime", a, b)
    running = compare.running_totals(counts, [a, b], None)
    west = published["crime"][published["crime"]["precinct"] == "West"]
    for s in (a, b):
        days = in_window(west, s.window)["event_at"].dt.normalize().value_counts()
        expected = days.reindex(pd.date_range(s.window.start, s.window.last_day), fill_value=0).cumsum()
        assert list(running[running["slice"] == s.label]["count"]) == list(expected)
    assert list(running["day"][:3]) == [1, 2, 3] and running["day"].max() == 14


def test_offense_mix_says_which_groups_drive_the_difference(synth_store, published, grid):
    previous = compare.period_against(grid, LATEST, "previous")
    a, b = (compare.Slice(k, w, compare.Area(), compare.period_name(w)) for k, w in (("a", LATEST), ("b", previous)))
    counts = counts_for(synth_store, "crime", a, b)
    mix = compare.offense_mix(compare.chosen(counts, a), compare.chosen(counts, b), top=50)
    groups = {s.key: in_window(published["crime"], s.window)["offense_parent_group"].value_counts() for s in (a, b)}
    expected = pd.DataFrame(groups).fillna(0).astype(int)
    assert mix.set_index("category")[["a", "b"]].sort_index().equals(expected.sort_index())
    assert list(mix["difference"].abs()) == sorted(mix["difference"].abs(), reverse=True)
    assert mix["share_a"].sum() == pytest.approx(1) and mix["share_b"].sum() == pytest.approx(1)

    words = wording.mix_in_words(mix, a.label, b.label, "offenses")
    net = int(expected["a"].sum() - expected["b"].sum())
    biggest = (expected["a"] - expected["b"])[lambda s: np.sign(s) == np.sign(net)].abs().idxmax()
    assert words.startswith(f"Of the {net:+,} difference between {a.label} and {b.label}, {biggest} (")


def test_offense_mix_lumps_the_tail_without_losing_a_row(synth_store):
    a, b = (compare.Slice(k, LATEST, compare.Area("precinct", p), p) for k, p in (("a", "North"), ("b", "South")))
    counts = counts_for(synth_store, "crime", a, b)
    part_a, part_b = compare.chosen(counts, a), compare.chosen(counts, b)
    mix = compare.offense_mix(part_a, part_b, top=5)
    assert len(mix) == 5 and mix["category"].iloc[-1].startswith("Other (")
    assert (mix["a"].sum(), mix["b"].sum()) == (part_a["n"].sum(), part_b["n"].sum())


# --- Crime, calls and use of force side by side --------------------------------------------------------

def test_dataset_table_equals_independent_counts_and_ratios(synth_store, published):
    one = compare.Slice("a", LATEST, compare.Area(), "")
    table = compare.dataset_table(*(counts_for(synth_store, d, one) for d in compare.DATASETS)).set_index("area")
    for name in compare.DATASETS:
        assert table[name].to_dict() == by_precinct(in_window(published[name], LATEST)).to_dict()
    assert table[compare.DATASETS[0]].iloc[1:].sum() == table[compare.DATASETS[0]].iloc[0]     # lines add up
    assert np.allclose(table["calls_per_crime"], table["calls"] / table["crime"])
    assert np.allclose(table["use_of_force_per_1000_calls"], table["use_of_force"] / table["calls"] * 1000)


def test_use_of_force_by_level_and_precinct_as_published(synth_store, published):
    one = compare.Slice("a", LATEST, compare.Area(), "")
    levels = compare.level_order(published["use_of_force"]["incident_type"].unique())
    table = compare.use_of_force_table(counts_for(synth_store, "use_of_force", one),
                                       counts_for(synth_store, "calls", one), levels).set_index("area")
    uof = in_window(published["use_of_force"], LATEST)
    for level in levels:
        assert table[level].to_dict() == by_precinct(uof[uof["incident_type"] == level]).to_dict()
    calls = by_precinct(in_window(published["calls"], LATEST))
    assert np.allclose(table["use_of_force_per_1000_calls"], by_precinct(uof) / calls * 1000)
    city = table.loc[compstat.CITY]
    words = wording.use_of_force_in_words(compstat.CITY, city[levels], city["calls"], city["use_of_force_per_1000_calls"])
    assert f"uses of force: {len(uof):,} (" in words and f"{levels[-1]}: {int(city[levels[-1]]):,})" in words


def test_zero_denominators_over_periods_read_not_available(small_store_dir, grid):
    """The small synthetic store has beats with no crime or no calls in some periods."""
    store = Store.open(small_store_dir)
    crime, calls = (pd.read_parquet(small_store_dir / "current" / d) for d in ("crime", "calls"))
    periods = compstat.trend_periods(grid, LATEST, D(2024, 1, 1), 26, 0)
    windows = compstat.period_params(periods)
    counts = {d: store.df("trends/window_counts", dataset=d, windows=windows, against=[]) for d in compare.DATASETS}
    checked = 0
    for beat in ("F2", "N1", "E2"):
        frame = compare.dataset_periods(counts, periods, compare.Area("beat", beat))
        for p, row in zip(periods, frame.itertuples()):
            n_crime, n_calls = ((in_window(df, p)["beat"] == beat).sum() for df in (crime, calls))
            assert (row.crime, row.calls) == (n_crime, n_calls)
            if n_crime == 0:
                checked += 1
                assert np.isnan(row.calls_per_crime)
                assert wording.shown(frame)["Calls per reported crime"][row.Index] == "not available"
            else:
                assert row.calls_per_crime == pytest.approx(n_calls / n_crime)
    assert checked > 0                       # the data did hold a zero denominator


def test_series_for_two_places_equal_independent_counts(synth_store, published, grid, settings):
    periods = compstat.trend_periods(grid, LATEST, D(2024, 1, 1), 6, 0)
    windows = compstat.period_params(periods)
    counts = synth_store.df("trends/window_counts", dataset="crime", windows=windows, against=[])
    violent = settings.offense_groups["violent"]
    series = compare.place_periods(counts, periods, [compare.Area("precinct", "North"), compare.Area("sector", "K")],
                                   tuple(violent))
    crime = published["crime"][published["crime"]["offense_type"].isin(violent)]
    for label, column, value in (("North", "precinct", "North"), ("Sector K", "sector", "K")):
        got = series[series["slice"] == label]["count"].tolist()
        assert got == [int((in_window(crime, p)[column] == value).sum()) for p in periods]


# --- Charts: both slices on one axis, exportable ---------------------------------------------------

def test_charts_put_both_slices_on_one_axis_and_export(synth_store):
    a, b = (compare.Slice(k, LATEST, compare.Area("precinct", p), p) for k, p in (("a", "North"), ("b", "East")))
    counts = counts_for(synth_store, "crime", a, b)
    running = charts.running_chart(compare.running_totals(counts, [a, b], None), "t", "Offenses").to_dict()
    assert running["encoding"]["y"]["field"] == "count"                     # one y axis for both slices
    assert running["encoding"]["color"]["scale"]["domain"] == ["North", "East"]
    mix = compare.offense_mix(compare.chosen(counts, a), compare.chosen(counts, b))
    spec = charts.mix_chart(mix, "North", "East", "mix")
    left, right = spec.to_dict()["hconcat"]
    assert left["encoding"]["y"]["sort"] == list(mix["category"]) == right["layer"][0]["encoding"]["y"]["sort"]
    assert export.chart_png(spec)[:8] == b"\x89PNG\r\n\x1a\n"
    assert export.chart_svg(spec).lstrip().startswith(b"<svg")


# --- Shared-screen sequence ---------------------------------------------------------------------------

def test_sequence_follows_config(settings):
    panels = present.sequence(settings.present)
    order = settings.present.precinct_order
    assert [p.precinct for p in panels if p.kind == "precinct"] == order
    assert [p.kind for p in panels] == ["summary", "city", *["precinct"] * len(order), "hotspots",
                                        *[p.kind for p in present.COMPARE_PANELS],
                                        *[p.kind for p in present.SERVICE_PANELS], "commitments"]   # summary first
    custom = present.sequence(PresentSettings(panels=["compare", "precincts"], precinct_order=["West", "North"]))
    assert [p.title for p in custom][-2:] == ["West Precinct", "North Precinct"]
    assert [p.kind for p in custom][:2] == ["summary", "change"]


def test_steps_stay_inside_the_sequence():
    assert present.parse_step("3", 10) == 3
    for bad in ("0", "11", "-1", "x", "2.5"):
        with pytest.raises(ValueError):
            present.parse_step(bad, 10)
    assert (present.next_step(9, 10), present.next_step(10, 10)) == (10, 10)
    assert (present.previous_step(2), present.previous_step(1)) == (1, 1)


def test_projector_summary_equals_independent_counts(synth_store, published, grid, settings):
    windows = compstat.report_windows(grid, LATEST, D(2024, 1, 1), settings.stats.baseline_periods)
    counts = synth_store.df("trends/window_counts", dataset="crime", windows=compstat.as_params(windows), against=[])
    rows = compstat.offense_rows("crime", settings, [])
    keys = compstat.default_rows("crime", settings, rows)
    table = compstat.compstat_table(counts, synth_store.df("areas", dataset="crime"), windows,
                                    {k: rows[k] for k in keys}, level=LEVEL, period_days=14)
    headers = compstat.headers(28)
    shown = wording.summary(compstat.precinct_view(table), headers).set_index("Offense")
    assert list(shown.columns) == [compstat.CITY, *PRECINCTS, compstat.UNASSIGNED]
    assert list(shown.index) == [label for k in keys for label in (rows[k][0], "± expected", "± last year")]
    crime = in_window(published["crime"], LATEST)
    violent = by_precinct(crime[crime["offense_type"].isin(settings.offense_groups["violent"])])
    assert shown.loc["Violent"].tolist() == [f"{n:,}" for n in violent]
    flagged = table[(table["level"] == "precinct") & (table["expected_flag"] != "")]
    styled = wording.styled_summary(wording.summary(compstat.precinct_view(table), headers)).to_html()
    assert (flagged.empty or palette.FLAG_STYLES[flagged["expected_flag"].iloc[0]].split(";")[0] in styled)


def test_precinct_trend_panels_end_on_the_period(synth_store, published, grid, settings):
    periods = compstat.trend_periods(grid, LATEST, D(2024, 1, 1), 12, settings.expected.history)
    windows = compstat.period_params(periods)
    counts = synth_store.df("trends/window_counts", dataset="crime", windows=windows, against=[])
    rows = compstat.offense_rows("crime", settings, [])
    keys = compstat.default_rows("crime", settings, rows)
    trends = reports.TrendReport(reports.View("crime", LATEST), periods, counts, rows, 12, LEVEL, settings.expected)
    series = trends.headlines("South", keys)
    assert list(dict.fromkeys(series["area"])) == [rows[k][0] for k in keys]
    south = in_window(published["crime"], LATEST)
    south = south[south["precinct"] == "South"]
    last = series.groupby("area")["count"].last()
    assert last["All offenses"] == len(south)
    assert last["Property"] == south["offense_type"].isin(settings.offense_groups["property"]).sum()


def test_the_sentences_in_words_hold_back_small_counts_for_partners():
    """Planted slices: burglary 40 against 20, robbery 2 against 9, arson 1 against 0. Command staff
    read every count and difference; a partner reads "fewer than 3" and no difference or ratio
    computed from one, while counts of 3 and more read the same."""
    from seastat.access import Counting
    rows = lambda counts: pd.DataFrame([(c, n) for c, n in counts.items()], columns=["category", "n"])  # noqa: E731
    mix = compare.offense_mix(rows({"Burglary": 40, "Robbery": 2, "Arson": 1}),
                              rows({"Burglary": 20, "Robbery": 9, "Arson": 0}))
    partner = Counting(3)
    assert wording.mix_in_words(mix, "A", "B", "offenses") == (
        "Of the +14 difference between A and B, Burglary (+20), Arson (+1) account for +21; Robbery (-7) went the other way.")
    assert wording.mix_in_words(mix, "A", "B", "offenses", partner) == (
        "Of the +14 difference between A and B, the largest parts are Burglary (+20), Arson; Robbery went the other way.")
    small = compare.difference("Beat B1", 2, "Beat B2", 9, 0.05)
    assert wording.in_words(small, "robberies").startswith("Beat B1 had fewer robberies than Beat B2: 2 against 9 (-7, -78%).")
    held = wording.in_words(small, "robberies", partner)
    assert held.startswith("Beat B1 had fewer robberies than Beat B2: fewer than 3 against 9.") and "p " not in held
    large = compare.difference("A", 40, "B", 20, 0.05)
    assert wording.in_words(large, "offenses", partner) == wording.in_words(large, "offenses")
    n = {"crime": 2, "calls": 400, "use_of_force": 3}
    assert wording.datasets_in_words("Beat B1", n, 200.0, 7.5) == (
        "Beat B1 — crime reports: 2; 911 calls for service: 400 (200.0 calls per reported crime); uses of force: 3 "
        "(7.5 per 1,000 calls).")
    assert wording.datasets_in_words("Beat B1", n, 200.0, 7.5, partner) == (
        "Beat B1 — crime reports: fewer than 3; 911 calls for service: 400 (calls per reported crime not shown: a "
        "count under 3); uses of force: 3 (7.5 per 1,000 calls).")
    levels = pd.Series({"Level 1": 2, "Level 2": 0})
    assert wording.use_of_force_in_words("Beat B1", levels, 400, 5.0, partner) == (
        "Beat B1 — uses of force: fewer than 3 (Level 1: fewer than 3; Level 2: 0); 911 calls for service: 400; "
        "uses of force per 1,000 calls not shown: a count under 3.")
