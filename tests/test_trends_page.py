"""/trends as users open it: AppTest for deep links and bad links, a real Chromium for the projector."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import SYNTH_STORE, page_errors, run_page

from seastat import compstat

AREAS = ["City-wide", "North", "East", "South", "West", "Southwest", compstat.UNASSIGNED]



def headline(at) -> pd.DataFrame:
    """The precinct table with the area filled down (the page names each area once)."""
    table = at.table[0].value
    return table.assign(Area=table["Area"].replace("", pd.NA).ffill())


def test_default_view_is_the_latest_complete_period_city_wide(synth_store):
    at = run_page("trends")
    assert not at.exception and not at.info
    assert at.selectbox(key="dataset").value == "crime"
    assert at.selectbox(key="period").value.start == dt.date(2026, 11, 2)   # data ends Nov 22; Nov 16-29 incomplete
    assert at.subheader[0].value == "Crime reports · Nov 02, 2026 – Nov 15, 2026"
    table = headline(at)
    assert list(dict.fromkeys(table["Area"])) == AREAS
    assert list(table["Offense"][:3]) == ["Violent", "Property", "All offenses"]
    assert "exact Poisson test" in " ".join(m.value for m in at.markdown)
    assert len(at.expander) == 6 and len(at.get("vega_lite_chart")) == 1
    assert at.query_params["dataset"] == "crime" and at.query_params["period"] == "2026-11-02"


def test_deep_link_opens_the_same_view_with_the_right_numbers(settings):
    link = {"dataset": "crime", "period": "2025-03-10", "precinct": "North", "offense": "violent,robbery",
            "against": "PERSON", "chart": "robbery", "drill": "North"}
    at = run_page("trends", link)
    assert not at.exception and not at.info
    assert at.selectbox(key="period").value.start == dt.date(2025, 3, 10)
    assert at.multiselect(key="precincts").value == ["North"]
    assert at.multiselect(key="offenses").value == ["violent", "robbery"]
    assert at.multiselect(key="against").value == ["PERSON"]
    assert at.selectbox(key="chart").value == "robbery" and at.selectbox(key="drill").value == "North"
    assert {k: at.query_params[k] for k in link} == link                 # the URL still says so
    assert len(at.get("vega_lite_chart")) == 1          # North's sectors (a precinct panel would repeat North)

    crime = pd.read_parquet(SYNTH_STORE / "current" / "crime")
    chosen = crime[(crime["precinct"] == "North") & (crime["crime_against"] == "PERSON")
                   & crime["event_at"].between(pd.Timestamp("2025-03-10"), pd.Timestamp("2025-03-24"), inclusive="left")]
    table = headline(at)
    assert list(dict.fromkeys(table["Area"])) == ["North"]       # no "Selected areas" line repeating it
    north = table[table["Area"] == "North"].set_index("Offense")["This period"]
    assert north["Violent"] == str(chosen["offense_type"].isin(settings.offense_groups["violent"]).sum())
    assert north["Robbery"] == str((chosen["offense_type"] == "robbery").sum())


def test_bad_link_values_fall_back_to_defaults_with_a_notice():
    at = run_page("trends", {"dataset": "<img src=x>", "period": "2026-02-30", "precinct": "Narnia,West",
                             "sector": "ZZ", "offense": "'; DROP TABLE crime;--", "against": "ALIENS",
                             "chart": "nope", "drill": "Atlantis"})
    assert not at.exception
    assert at.selectbox(key="dataset").value == "crime"
    assert at.selectbox(key="period").value.start == dt.date(2026, 11, 2)
    assert at.multiselect(key="precincts").value == ["West"]
    assert at.multiselect(key="offenses").value == ["violent", "property", "all"]
    assert at.selectbox(key="drill").value == "West"                # one precinct: its sectors
    notes = " ".join(i.value for i in at.info)
    for value in ("dataset", "period", "Narnia", "ZZ", "DROP TABLE", "ALIENS", "nope", "Atlantis"):
        assert value in notes
    assert list(dict.fromkeys(headline(at)["Area"])) == ["West"]


def test_choices_on_the_page_go_into_the_url():
    at = run_page("trends")
    at.multiselect(key="offenses").set_value(["violent", "robbery"]).run()
    at.multiselect(key="precincts").set_value(["East"]).run()
    assert at.selectbox(key="drill").value == "East"                # one precinct chosen: its sectors
    assert len(at.get("vega_lite_chart")) == 1
    assert list(dict.fromkeys(headline(at)["Area"])) == ["East"]
    assert dict(at.query_params) == {"dataset": "crime", "period": "2026-11-02", "precinct": "East",
                                     "offense": "violent,robbery", "drill": "East"}
    at.selectbox(key="dataset").set_value("use_of_force").run()     # crime's groups do not follow, silently
    assert not at.exception and not at.info
    assert "offense" not in at.query_params and at.query_params["precinct"] == "East"


def test_a_period_before_the_data_falls_back_to_the_latest_with_a_notice():
    at = run_page("trends", {"period": "2021-01-04"})
    assert not at.exception
    assert any("2021-01-04" in i.value for i in at.info)
    assert at.selectbox(key="period").value.start.isoformat() == "2026-11-02"


@pytest.mark.parametrize("dataset,rows", [
    ("use_of_force", ["Level 1 - Use of Force", "Level 2 - Use of Force", "Level 3 - OIS",
                      "Level 3 - Use of Force", "All uses of force"]),
    ("calls", ["All calls"]),
])
def test_other_datasets_keep_the_table_shape(dataset, rows):
    at = run_page("trends", {"dataset": dataset})
    assert not at.exception
    table = headline(at)
    assert list(dict.fromkeys(table["Area"])) == AREAS
    assert list(table[table["Area"] == "North"]["Offense"]) == rows


def test_trends_on_an_empty_store_says_so(tmp_path):
    at = run_page("trends", store=tmp_path / "no-store")
    assert not at.exception and at.error


@pytest.mark.browser
def test_trends_in_chromium_on_a_projector(dashboard, page_at, artifacts):
    page = page_at(f"{dashboard.url}/trends?dataset=crime&drill=East")
    page.locator("[data-testid='stTable']").first.wait_for(timeout=60_000)
    page.locator("[data-testid='stVegaLiteChart']").nth(1).wait_for(timeout=60_000)
    page.wait_for_timeout(1_000)                                   # let Vega draw before the screenshot
    assert page_errors(page) == []
    assert page.get_by_text("Crime reports · Nov 02, 2026 – Nov 15, 2026").is_visible()
    assert page.locator("[data-testid='stTable']").first.get_by_text("▼").count() > 0   # a flag, with its symbol
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "trends-1920x1080.png"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download table (CSV)").click()
    assert download.value.suggested_filename == "seastat_trends_crime_2026-11-02.csv"
    assert "period=2026-11-02" in page.url                          # the view is in the address bar to share
