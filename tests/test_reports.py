"""The report layer: one decision per fact, whichever page, panel or packet shows it."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import PROJECT_ROOT

from seastat import compare, reports
from seastat.config import load_settings
from seastat.packet import build_packet


@pytest.fixture(scope="module")
def with_theft(tmp_path_factory):
    """config.toml plus an offense group of its own, as an analyst would add one."""
    text = (PROJECT_ROOT / "config.toml").read_text()
    text = text.replace('boundaries = "data/boundaries"', f'boundaries = "{PROJECT_ROOT / "data" / "boundaries"}"')
    text = text.replace("[offense_groups]\n", '[offense_groups]\ntheft = ["larceny_theft", "motor_vehicle_theft"]\n')
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(text)
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
