"""The CompStat table and its statistics: flags worked by hand, and every number of the table
checked against an independent pandas count over the published Parquet files."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import SYNTH_STORE

from seastat import charts, compstat, export, wording
from seastat.periods import Grid, Window
from seastat.seasonal import Expected

D = dt.date
LEVEL = compstat.alpha(2.0)                  # the configured z_threshold of 2
LATEST = Window(D(2026, 11, 2), D(2026, 11, 16))


# --- The test, with answers worked by hand ---------------------------------------------------

def test_significance_level_is_that_of_the_z_threshold():
    assert compstat.alpha(2.0) == pytest.approx(0.0455, abs=1e-4)
    assert compstat.alpha(3.0) == pytest.approx(0.0027, abs=1e-4)


def test_nine_against_one_is_a_real_rise():
    # Given 10 incidents in two equal windows, a 9/1 split or worse: (C(10,9) + C(10,10)) / 2^10, both tails doubled.
    assert compstat.p_value(9, 1) == pytest.approx(2 * 11 / 1024)
    assert compstat.flags(9, 1, 1, LEVEL) == compstat.UP
    assert compstat.flags(1, 9, 1, LEVEL) == compstat.DOWN


def test_zero_against_four_is_noise_but_zero_against_six_is_not():
    # All n incidents in the earlier window: 0.5^n, doubled. 0 vs 4: 0.125; 0 vs 6: 0.03125.
    # (The square-root z 2(sqrt(0) - sqrt(4)) = -4 would call the first one a real drop.)
    assert compstat.p_value(0, 4) == pytest.approx(0.125)
    assert compstat.flags(0, 4, 1, LEVEL) == ""
    assert compstat.p_value(0, 6) == pytest.approx(2 / 64)
    assert compstat.flags(0, 6, 1, LEVEL) == compstat.DOWN


def test_against_the_mean_of_several_periods():
    # 4 now, 0 in the 2 periods before: under one rate each incident is "now" with chance 1/3; (1/3)^4 doubled.
    assert compstat.p_value(4, 0, 2) == pytest.approx(2 / 81)
    assert compstat.flags(4, 0, 2, LEVEL) == compstat.UP
    assert compstat.p_value(3, 0, 2) == pytest.approx(2 / 27)         # 0.074: not flagged
    assert compstat.flags(3, 0, 2, LEVEL) == ""
    # the direction compares rates: against 26 periods totalling 520 (mean 20), 33 is up and 9 down
    assert list(compstat.flags([33, 9, 20], 520, 26, LEVEL)) == [compstat.UP, compstat.DOWN, ""]


def test_nothing_to_compare_is_never_flagged():
    assert compstat.p_value(0, 0) == 1.0
    assert list(compstat.flags([0, 5, np.nan], [0, np.nan, 5], 1, LEVEL)) == ["", "", ""]


def test_flags_hold_their_level_on_pure_noise_and_catch_a_real_change():
    rng = np.random.default_rng(7)
    for rate in (1.5, 20, 300):                  # a beat's homicides up to a precinct's thefts
        now, before = rng.poisson(rate, 20_000), rng.poisson(rate, 20_000)
        false_alarms = (compstat.flags(now, before, 1, LEVEL) != "").mean()
        assert false_alarms <= LEVEL + 0.005
        baseline = rng.poisson(rate * 26, 20_000)
        assert (compstat.flags(now, baseline, 26, LEVEL) != "").mean() <= LEVEL + 0.005
    doubled = compstat.flags(rng.poisson(40, 2_000), rng.poisson(20 * 26, 2_000), 26, LEVEL)
    assert (doubled == compstat.UP).mean() > 0.9               # a rate that doubled against its usual level


def test_expected_range_is_exactly_the_counts_left_unflagged():
    # From a zero baseline in one window: x is flagged once 2 * 0.5^x <= 0.0455, i.e. from x = 6.
    lower, upper = compstat.expected_range(0, 1, LEVEL)
    assert (lower, upper) == (0, 5)
    before = np.array([0, 7, 39, 520, 2600 * 26])
    k = np.array([1, 1, 26, 26, 26])
    lower, upper = compstat.expected_range(before, k, LEVEL)
    for edge, outside in ((lower, lower - 1), (upper, upper + 1)):
        assert (compstat.flags(edge, before, k, LEVEL) == "").all()
        assert (compstat.flags(outside, before, k, LEVEL)[outside >= 0] != "").all()
    assert np.isnan(compstat.expected_range(np.nan, 26, LEVEL)).all()


def test_a_zero_baseline_is_shown_as_such():
    assert np.isnan(compstat.percent_change(5, 0)) and np.isnan(compstat.percent_change(0, 0))
    assert wording.change_text(5, 0, "") == "+5 from 0"
    assert wording.change_text(0, 0, "") == "0"
    assert wording.change_text(5, np.nan, "") == "—"
    assert wording.change_text(27, 20, compstat.UP) == "▲\u00a0+35%"
    assert wording.change_text(8, 10, "") == "-20%"


# --- Windows ----------------------------------------------------------------------------------

def test_windows_before_the_data_are_left_out(settings):
    grid = Grid(settings.periods.anchor, 14)
    first = D(2024, 1, 1)
    full = compstat.report_windows(grid, LATEST, first, 26)
    assert full["baseline"] == Window(D(2025, 11, 3), D(2026, 11, 2))          # 26 periods, 364 days
    early = compstat.report_windows(grid, Window(D(2024, 6, 3), D(2024, 6, 17)), first, 26)
    assert "last_year" not in early and "prior_ytd" not in early           # 2023: no data, not zero
    assert "baseline" not in early                                         # 11 periods < half of 26
    half = compstat.report_windows(grid, Window(D(2024, 7, 1), D(2024, 7, 15)), first, 26)
    assert half["baseline"] == Window(first, D(2024, 7, 1))                # 13 periods: enough


# --- Every number against an independent count ------------------------------------------------

def published(dataset: str) -> pd.DataFrame:
    """The published Parquet of one dataset, read with pandas, with the offense each row counts as."""
    df = pd.read_parquet(SYNTH_STORE / "current" / dataset)
    df["offense"] = {"crime": df.get("offense_type"), "use_of_force": df.get("incident_type")}.get(dataset, "call")
    df["raw_precinct"] = df["precinct"]
    df["precinct"] = df["precinct"].replace({"UNKNOWN": compstat.UNASSIGNED, "OOJ": compstat.UNASSIGNED})
    return df


def windows_by_hand(start: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The CompStat windows of the period starting `start`, written out independently."""
    end = start + dt.timedelta(days=14)
    last_day = end - dt.timedelta(days=1)
    return {
        "current": (start, end),
        "previous": (start - dt.timedelta(days=14), start),
        "baseline": (start - dt.timedelta(days=14 * 26), start),
        "last_year": (start - dt.timedelta(days=364), end - dt.timedelta(days=364)),
        "rolling": (end - dt.timedelta(days=28), end),
        "prior_rolling": (end - dt.timedelta(days=56), end - dt.timedelta(days=28)),
        "ytd": (D(last_day.year, 1, 1), end),
        "prior_ytd": (D(last_day.year - 1, 1, 1),
                      D(last_day.year - 1, last_day.month, last_day.day) + dt.timedelta(days=1)),  # no Feb 29 here
    }


def independent_counts(df, windows, rows) -> dict:
    """{(window, level, precinct, sector, beat, offense row): count} with plain pandas."""
    out = {}
    for name, (start, end) in windows.items():
        inside = df[(df["event_at"] >= pd.Timestamp(start)) & (df["event_at"] < pd.Timestamp(end))]
        for key, (_label, offenses) in rows.items():
            part = inside if offenses is None else inside[inside["offense"].isin(offenses)]
            out[(name, "city", None, None, None, key)] = len(part)
            for level, by in (("precinct", ["precinct"]), ("sector", ["precinct", "sector"]),
                              ("beat", ["precinct", "sector", "beat"])):
                for area, n in part.groupby(by).size().items():
                    area = area if isinstance(area, tuple) else (area,)
                    out[(name, level, *area, *[None] * (3 - len(area)), key)] = n
    return out


CASES = [   # dataset, period start, crime-against filter, precinct filter
    ("crime", LATEST.start, [], []),
    ("crime", D(2024, 12, 30), ["PERSON"], []),            # the period spans a year end
    ("crime", D(2024, 6, 3), [], []),                      # no last year, no prior YTD, no baseline yet
    ("use_of_force", LATEST.start, [], []),
    ("calls", D(2026, 3, 2), [], ["North", "OOJ"]),
]


@pytest.mark.parametrize("dataset,start,against,precincts", CASES)
def test_every_number_in_the_table_equals_an_independent_count(synth_store, settings, dataset, start, against,
                                                               precincts):
    grid = Grid(settings.periods.anchor, 14)
    first_day = synth_store.df("first_day").set_index("dataset")["first_day"][dataset].date()
    windows = compstat.report_windows(grid, Window(start, start + dt.timedelta(days=14)), first_day, 26)
    counts = synth_store.df("trends/window_counts", dataset=dataset, windows=compstat.as_params(windows),
                              against=against)
    df = published(dataset)
    rows = compstat.offense_rows(dataset, settings, sorted(df["offense"].unique()))
    areas = synth_store.df("areas", dataset=dataset)
    areas = areas[compstat.in_areas(areas, precincts)]
    table = compstat.compstat_table(counts, areas, windows, rows, level=LEVEL, period_days=14,
                                    total=compstat.SELECTED if precincts else compstat.CITY)

    if against:
        df = df[df["crime_against"].isin(against)]
    if precincts:
        df = df[df["raw_precinct"].isin(precincts)]
    by_hand = windows_by_hand(start)
    truth = independent_counts(df, by_hand, rows)
    compared = 0
    for row in table.itertuples():
        for name in by_hand:
            column = "baseline" if name == "baseline" else name
            shown = getattr(row, column)
            if by_hand[name][0] < first_day:                   # before the data: no number at all
                assert np.isnan(shown), (name, row.area)
                continue
            key = (name, row.level, *(None if pd.isna(v) else v for v in (row.precinct, row.sector, row.beat)),
                   row.offense)
            assert shown == truth.get(key, 0), (name, row.area, row.offense_label)
            compared += 1
    assert compared > 100
    # nothing dropped: the precincts (Unassigned included) add up to the total, which is every row in the window
    everything = table[table["offense"] == "all"].groupby("level")["current"].sum()
    current = by_hand["current"]
    inside = df[(df["event_at"] >= pd.Timestamp(current[0])) & (df["event_at"] < pd.Timestamp(current[1]))]
    assert everything["precinct"] == everything["sector"] == everything["beat"] == everything["city"] == len(inside)


def test_changes_and_flags_in_the_table_follow_the_counts(synth_store, settings):
    grid = Grid(settings.periods.anchor, 14)
    windows = compstat.report_windows(grid, LATEST, D(2024, 1, 1), 26)
    counts = synth_store.df("trends/window_counts", dataset="crime", windows=compstat.as_params(windows), against=[])
    rows = compstat.offense_rows("crime", settings, [])
    table = compstat.compstat_table(counts, synth_store.df("areas", dataset="crime"), windows, rows,
                                    level=LEVEL, period_days=14)
    assert (table["expected"] == table["baseline"] / 26).all()
    assert (table["previous_change"] == table["current"] - table["previous"]).all()
    ytd_days = windows["prior_ytd"].days / windows["ytd"].days
    for row in table.sample(200, random_state=1).itertuples():
        assert row.previous_flag == compstat.flags(row.current, row.previous, 1, LEVEL)
        assert row.expected_flag == compstat.flags(row.current, row.baseline, 26, LEVEL)
        assert row.ytd_flag == compstat.flags(row.ytd, row.prior_ytd, ytd_days, LEVEL)
    assert not np.isinf(table.filter(like="_pct").to_numpy()).any()
    shown = wording.readable(compstat.precinct_view(table), compstat.headers(28))
    assert list(shown["Area"].replace("", np.nan).dropna()) == [
        "City-wide", "North", "East", "South", "West", "Southwest", compstat.UNASSIGNED]
    assert not shown.apply(lambda c: c.str.contains("inf|nan", case=False)).any().any()


# --- Trend series and charts ------------------------------------------------------------------

@pytest.fixture(scope="module")
def crime_series(synth_store, settings):
    grid = Grid(settings.periods.anchor, 14)
    periods = compstat.trend_periods(grid, LATEST, D(2024, 1, 1), 52, 26)
    counts = synth_store.df("trends/window_counts", dataset="crime", against=[],
                              windows=compstat.period_params(periods))
    violent = counts[counts["offense"].isin(settings.offense_groups["violent"])]
    flat = Expected("mean", 26, 26, overdispersion=False)      # checked against pandas' rolling mean below
    return periods, compstat.trend_series(violent, periods, "precinct", level=LEVEL, expected=flat, shown=52,
                                          total=compstat.CITY)


def test_trend_series_counts_and_expected_match_pandas(crime_series, settings):
    periods, series = crime_series
    df = published("crime")
    df = df[df["offense"].isin(settings.offense_groups["violent"])]
    west = df[df["precinct"] == "West"]
    by_period = {p.start: ((west["event_at"] >= pd.Timestamp(p.start)) & (west["event_at"] < pd.Timestamp(p.end))).sum()
                 for p in periods}
    shown = series[series["area"] == "West"].set_index("period_start")
    assert len(shown) == 52 and shown.index[-1] == pd.Timestamp(LATEST.start)
    starts = list(by_period)
    for start, row in shown.iterrows():
        assert row["count"] == by_period[start.date()]
        prior = [by_period[s] for s in starts[max(0, starts.index(start.date()) - 26):starts.index(start.date())]]
        assert row["expected"] == pytest.approx(np.mean(prior))
        outside = not row["lower"] <= row["count"] <= row["upper"]
        assert outside == (row["flag"] != "")
    city = series[series["area"] == compstat.CITY]["count"].to_numpy()
    assert (city == series[series["area"] != compstat.CITY].groupby("period_start")["count"].sum().to_numpy()).all()


def test_trend_chart_has_a_panel_per_area_a_band_and_shaped_flags(crime_series, synth_store):
    _periods, series = crime_series
    chart = charts.trend_small_multiples(series, title="Violent")
    spec = chart.to_dict()
    assert spec["facet"]["field"] == "area" and spec["facet"]["sort"] == list(dict.fromkeys(series["area"]))
    marks = [layer["mark"]["type"] for layer in spec["spec"]["layer"]]
    assert marks == ["area", "line", "point"]
    point = spec["spec"]["layer"][2]["encoding"]
    assert point["shape"]["scale"]["range"] == ["triangle-up", "triangle-down"]      # readable without colour
    assert point["color"]["scale"]["range"] == [charts.UP_COLOUR, charts.DOWN_COLOUR]
    assert spec["resolve"]["scale"]["y"] == "independent"
    svg = export.chart_svg(export.with_caption(chart, synth_store.manifest)).decode()
    assert "SYNTHETIC" in svg and "Southwest" in svg and "above expected range" in svg


def test_trend_chart_builder_takes_any_facet_column():
    periods = pd.date_range("2026-01-05", periods=6, freq="14D")
    series = pd.DataFrame({"dataset": np.repeat(["calls", "crime"], 6), "period_start": np.tile(periods, 2),
                           "count": [5, 6, 7, 5, 30, 6, 50, 52, 49, 51, 50, 10], "lower": 2.0, "upper": 12.0,
                           "flag": [""] * 4 + [compstat.UP, ""] + [""] * 5 + [compstat.DOWN]})
    spec = charts.trend_small_multiples(series, facet="dataset", columns=2).to_dict()
    assert spec["facet"]["field"] == "dataset" and spec["columns"] == 2
    assert export.chart_png(charts.trend_small_multiples(series, facet="dataset")).startswith(b"\x89PNG")
