"""The report layer: one decision per fact, whichever page, panel or packet shows it."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import PROJECT_ROOT

from seastat import compare, compstat, reports
from seastat.config import load_settings
from seastat.packet import build_packet
from seastat.periods import Window


@pytest.fixture(scope="module")
def with_theft(tmp_path_factory):
    """config.toml plus an offense group of its own, as an analyst would add one."""
    return edited_settings(tmp_path_factory, "[offense_groups]\n",
                           '[offense_groups]\ntheft = ["larceny_theft", "motor_vehicle_theft"]\n')


def edited_settings(tmp_path_factory, old: str, new: str):
    """The project's config.toml with one edit, loaded as the app would."""
    text = (PROJECT_ROOT / "config.toml").read_text()
    assert old in text
    text = text.replace('boundaries = "data/boundaries"', f'boundaries = "{PROJECT_ROOT / "data" / "boundaries"}"')
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(text.replace(old, new))
    return load_settings(path)


def test_a_new_offense_group_counts_the_same_rows_everywhere(with_theft, synth_store):
    period = reports.periods_offered(synth_store, with_theft, "crime")[0]
    crime = pd.read_parquet(synth_store.version_dir / "crime")
    now = crime[(crime["event_at"] >= pd.Timestamp(period.start)) & (crime["event_at"] < pd.Timestamp(period.end))]
    truth = int(now["offense_type"].isin(["larceny_theft", "motor_vehicle_theft"]).sum())
    assert truth > 0
    view = reports.View("crime", period, offenses=("theft",))

    table = reports.compstat_report(synth_store, with_theft, view).table
    trends = int(table[(table["level"] == "city") & (table["offense"] == "theft")]["current"].iloc[0])
    hot_spots = reports.hotspot_report(synth_store, with_theft, view).analysis.total
    a, b = reports.this_period_against(with_theft, period, compare.Area(), "last_year")
    comparison = reports.slices_report(synth_store, with_theft, "crime", a, b, "theft").difference.n_a
    series = reports.trend_report(synth_store, with_theft, view).series("theft")
    chart = int(series[series["period"] == period.label()]["count"].sum())
    packet = build_packet(synth_store, with_theft, period, precincts=["North"])
    city = next(t for s in packet.sections for t in s.tables if s.title.startswith("City-wide")).data
    in_packet = city[city["Offense"] == "Theft"].iloc[0]["This period"]
    assert trends == hot_spots == comparison == chart == truth
    assert in_packet == f"{truth:,}"


@pytest.mark.parametrize("method", ["seasonal", "mean"])
def test_the_table_and_the_trend_charts_expect_the_same_and_flag_the_same(tmp_path_factory, synth_store, method):
    """The CompStat table's 'expected' of a precinct (and the city) is the trend chart's expected
    level in the current period, with the same band-consistent flag, for either [stats] expected."""
    settings = edited_settings(tmp_path_factory, 'expected = "seasonal"', f'expected = "{method}"')
    period = reports.periods_offered(synth_store, settings, "crime")[0]
    view = reports.View("crime", period)
    table = reports.compstat_report(synth_store, settings, view).table
    series = reports.trend_report(synth_store, settings, view).series("violent", total=compstat.CITY)
    now = series[series["period"] == period.label()].set_index("area")
    rows = table[(table["offense"] == "violent") & table["level"].isin(["city", "precinct"])].set_index("area")
    assert set(now.index) == set(rows.index) and len(rows) >= 6
    for area, row in rows.iterrows():
        shown = now.loc[area]
        assert row["current"] == shown["count"]
        assert row["expected"] == pytest.approx(shown["expected"], rel=1e-9), area
        assert row["dispersion"] == pytest.approx(shown["dispersion"], rel=1e-9), area
        assert row["expected_flag"] == shown["flag"], area
        outside = shown["count"] < shown["lower"] or shown["count"] > shown["upper"]
        assert outside == (shown["flag"] != ""), area        # the band is exactly the test
    assert (rows["dispersion"] >= 1).all()


@pytest.mark.parametrize("precincts, against", [((), ()), (("North", "OOJ"), ()), (("East",), ("PERSON",))])
def test_the_tables_one_pass_query_counts_what_the_per_beat_counts_add_up_to(settings, synth_store, precincts,
                                                                              against):
    """reports.compstat_report sums every level in DuckDB (queries/trends/table_counts.sql); the
    same windows counted per beat and offense and summed by compstat_table (whose every number
    tests/test_compstat.py checks against pandas) give the same table."""
    period = reports.periods_offered(synth_store, settings, "crime")[0]
    view = reports.View("crime", period, precincts=precincts, against=against)
    result = reports.compstat_report(synth_store, settings, view)
    counts = synth_store.df("trends/window_counts", dataset="crime", windows=compstat.as_params(result.windows),
                            against=list(against))
    areas = reports.areas(synth_store, settings, "crime")
    by_beat = compstat.compstat_table(counts, areas[view.in_view(areas)], result.windows,
                                      {k: result.rows[k] for k in result.keys}, level=settings.level,
                                      period_days=14, total=result.table["area"].iloc[0])
    columns = ["level", "precinct", "sector", "beat", "offense", *result.windows]
    pd.testing.assert_frame_equal(result.table[columns], by_beat[columns])
    assert len(result.table) > 20


def test_the_taxonomy_note_counts_ucr_and_nibrs_only_where_windows_hold_both(bundled_store):
    """The bundled store's crime holds SPD's older UCR rows up to May 2019 and NIBRS rows around them:
    the table's note names both counts (as pandas counts them) for windows that hold both, and says
    nothing once the windows hold NIBRS rows alone (the count is skipped there, not just empty)."""
    crime = pd.read_parquet(bundled_store.version_dir / "crime", columns=["taxonomy", "event_at"])
    last_ucr = crime.loc[crime["taxonomy"] == "UCR", "event_at"].max().date()
    both = [Window(last_ucr - dt.timedelta(days=40), last_ucr), Window(last_ucr, last_ucr + dt.timedelta(days=1))]
    inside = crime[(crime["event_at"] >= pd.Timestamp(both[0].start)) & (crime["event_at"] < pd.Timestamp(both[1].end))]
    n = inside["taxonomy"].value_counts()
    assert n["UCR"] > 0 and n["NIBRS"] > 0
    assert f"({n['NIBRS']:,} NIBRS, {n['UCR']:,} UCR offenses)" in reports.taxonomy_note(bundled_store, "crime", both)
    after = [Window(last_ucr + dt.timedelta(days=1), last_ucr + dt.timedelta(days=60))]
    assert set(crime.loc[crime["event_at"] >= pd.Timestamp(after[0].start), "taxonomy"]) == {"NIBRS"}
    assert reports.taxonomy_note(bundled_store, "crime", after) == ""
