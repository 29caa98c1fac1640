"""/compare as users open it: AppTest for deep links and bad links; a real Chromium at 1920x1080
and 1280x720 (screenshots, no sideways scrolling). Shared-screen mode: tests/test_present.py."""
from __future__ import annotations

import os

import pandas as pd
import pytest
from conftest import PARTNER, SYNTH_STORE, page_errors, run_page

from seastat import compare

LATEST = pd.Timestamp("2026-11-02")                  # the default period of the bundled store
SIZES = [(1920, 1080), (1280, 720)]


@pytest.fixture(autouse=True)
def _restore_env():
    yield
    os.environ.pop("SEASTAT_STORE", None)
    os.environ.pop("SEASTAT_CONFIG", None)


def published(name: str, store=SYNTH_STORE) -> pd.DataFrame:
    return pd.read_parquet(store / "current" / name)


def in_period(df: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    return df[(df["event_at"] >= start) & (df["event_at"] < start + pd.Timedelta(days=14))]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def no_sideways_scroll(page) -> bool:
    """Neither the page nor Streamlit's scrolling main section is wider than the window."""
    return page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth
        && [...document.querySelectorAll('[data-testid="stMain"]')].every(m => m.scrollWidth <= m.clientWidth)""")


# --- /compare ------------------------------------------------------------------------------------

def test_default_view_is_precinct_against_precinct_with_the_right_numbers():
    at = run_page("compare")
    assert not at.exception and not at.info
    assert at.button_group[0].value == "places"
    crime = in_period(published("crime"), LATEST)
    north, east = ((crime["precinct"] == p).sum() for p in ("North", "East"))
    assert metrics(at) == {"A · North": f"{north:,}", "B · East": f"{east:,}", "A − B": f"{north - east:+,}"}
    words = " ".join(m.value for m in at.markdown)
    assert f"{north:,} against {east:,}" in words and "exact Poisson test" in words
    assert "Offense mix" in " ".join(s.value for s in at.subheader)
    mix = at.dataframe[0].value.set_index("Offense group")
    for group, n in crime[crime["precinct"] == "North"]["offense_parent_group"].value_counts().items():
        if group in mix.index:
            assert mix.loc[group, "North"] == f"{n:,}"
    assert len(at.get("vega_lite_chart")) == 2          # the two places over time, and the mix
    assert dict(at.query_params) == {"dataset": "crime", "period": "2026-11-02", "level": "precinct",
                                     "a": "North", "b": "East"}


def test_period_against_last_year_deep_link(settings):
    link = {"mode": "periods", "dataset": "crime", "period": "2026-03-09", "level": "precinct", "a": "West",
            "against": "last_year", "offense": "violent"}
    at = run_page("compare", link)
    assert not at.exception and not at.info
    assert {k: at.query_params[k] for k in link} == link           # the URL still says so
    crime = published("crime")
    crime = crime[(crime["precinct"] == "West") & crime["offense_type"].isin(settings.offense_groups["violent"])]
    now = len(in_period(crime, pd.Timestamp("2026-03-09")))
    before = len(in_period(crime, pd.Timestamp("2026-03-09") - pd.Timedelta(days=364)))
    assert metrics(at) == {"A · Mar 9 – 22, 2026": f"{now:,}", "B · Mar 10 – 23, 2025": f"{before:,}",
                           "A − B": f"{now - before:+,}"}
    assert at.selectbox(key="offense-crime").value == "violent"


def test_two_chosen_periods():
    at = run_page("compare", {"mode": "periods", "dataset": "calls", "against": "chosen", "vs": "2026-06-15"})
    assert not at.exception and not at.info
    calls = published("calls")
    now, then = (len(in_period(calls, pd.Timestamp(d))) for d in ("2026-11-02", "2026-06-15"))
    assert metrics(at)["B · Jun 15 – 28, 2026"] == f"{then:,}" and metrics(at)["A · Nov 2 – 15, 2026"] == f"{now:,}"


def test_a_zero_denominator_reads_not_available(small_store_dir):
    crime, calls = (in_period(published(d, small_store_dir), LATEST) for d in ("crime", "calls"))
    per_beat = pd.DataFrame({"crime": crime["beat"].value_counts(), "calls": calls["beat"].value_counts()}).fillna(0)
    beat = per_beat[(per_beat["crime"] == 0) & (per_beat["calls"] > 0)].index[0]   # the data has one
    at = run_page("compare", {"mode": "datasets", "level": "beat", "a": beat}, store=small_store_dir)
    assert not at.exception and not at.info
    shown = metrics(at)
    assert shown["Crime reports"] == "0" and shown["911 calls for service"] == f"{int(per_beat.loc[beat, 'calls']):,}"
    assert shown["Calls per reported crime"] == "not available"
    assert "calls per reported crime not available" in " ".join(m.value for m in at.markdown)


def test_datasets_side_by_side_by_precinct():
    at = run_page("compare", {"mode": "datasets"})
    assert not at.exception
    table = at.table[0].value.set_index("Area")
    data = {d: in_period(published(d), LATEST) for d in compare.DATASETS}
    for precinct in ("North", "Southwest"):
        n = {d: (df["precinct"] == precinct).sum() for d, df in data.items()}
        assert table.loc[precinct, "Crime reports"] == f"{n['crime']:,}"
        assert table.loc[precinct, "Calls per reported crime"] == f"{n['calls'] / n['crime']:,.1f}"
        assert table.loc[precinct, "Uses of force per 1,000 calls"] == f"{n['use_of_force'] / n['calls'] * 1000:,.1f}"
    assert metrics(at)["Use of force"] == f"{len(data['use_of_force']):,}"


def test_use_of_force_by_level_and_precinct_against_calls():
    at = run_page("compare", {"mode": "use_of_force"})
    assert not at.exception
    table = at.table[0].value.set_index("Area")
    uof = in_period(published("use_of_force"), LATEST)
    levels = compare.level_order(published("use_of_force")["incident_type"].unique())
    assert list(table.columns[:len(levels)]) == levels                 # every level, zeros too
    for (precinct, level), n in pd.crosstab(uof["precinct"], uof["incident_type"]).stack().items():
        if precinct not in ("UNKNOWN", "OOJ"):
            assert table.loc[precinct, level] == f"{n:,}"
    assert len(at.get("vega_lite_chart")) == 1


def test_bad_link_values_fall_back_with_a_notice():
    at = run_page("compare", {"mode": "<script>", "level": "galaxy", "a": "Narnia", "b": "'; DROP TABLE crime;--",
                              "period": "2026-13-01", "offense": "nope"})
    assert not at.exception
    assert at.button_group[0].value == "places" and at.selectbox(key="level").value == "precinct"
    assert (at.selectbox(key="a-precinct").value, at.selectbox(key="b-precinct").value) == ("North", "East")
    notes = " ".join(i.value for i in at.info)
    for value in ("<script>", "galaxy", "Narnia", "DROP TABLE", "2026-13-01", "nope"):
        assert value in notes


def test_choices_go_into_the_url_and_a_new_level_starts_clean():
    at = run_page("compare")
    at.selectbox(key="level").set_value("beat").run()
    assert not at.info                                                # North/East were precincts: no notice
    assert at.query_params["level"] == "beat" and at.query_params["a"] == at.selectbox(key="a-beat").value
    at.selectbox(key="b-beat").set_value(at.selectbox(key="a-beat").value).run()
    assert any("two different places" in i.value for i in at.info)    # the same place twice
    at.button_group[0].set_value("use_of_force").run()
    assert not at.exception and at.query_params["mode"] == "use_of_force" and "dataset" not in at.query_params


def test_a_period_before_the_data_says_so():
    at = run_page("compare", {"mode": "periods", "period": "2024-01-01", "against": "last_year"})
    assert not at.exception
    assert any("data begin on Jan 01, 2024" in w.value for w in at.warning)


# --- In Chromium, at both screen sizes ----------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("width,height", SIZES)
@pytest.mark.parametrize("view", ["", "?mode=periods&against=last_year", "?mode=datasets", "?mode=use_of_force"])
def test_compare_in_chromium(dashboard, page_at, artifacts, width, height, view):
    page = page_at(f"{dashboard.url}/compare{view}", width, height)
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1_000)                                   # let Vega draw before the screenshot
    assert page_errors(page) == []
    assert page.locator("[data-testid='stMetricValue']").first.is_visible()
    assert no_sideways_scroll(page)
    name = view.strip("?").split("&")[0].replace("=", "-") or "places"
    page.screenshot(path=str(artifacts / f"compare-{name}-{width}x{height}.png"), full_page=True)
    if view == "":
        with page.expect_download() as download:
            page.get_by_role("button", name="Offense mix (CSV)").click()
        assert download.value.suggested_filename == "seastat_compare_crime_places_2026-11-02_precinct_North_East_all_mix.csv"
        assert "a=North" in page.url and "b=East" in page.url          # the view is in the address bar


def test_compare_and_present_on_an_empty_store_say_so(tmp_path):
    for page, params in (("compare", {}), ("home", {"present": "1"})):
        at = run_page(page, params, store=tmp_path / "no-store")
        assert not at.exception and any("No data to show" in e.value for e in at.error)


def test_a_partner_sees_the_offense_mix_with_small_counts_held_back():
    """The offense mix of North against East: every group count of 1 or 2 command staff see reads "<3"
    to a signed-in partner, and the page (its mix chart drawn without those counts) runs cleanly."""
    command = run_page("compare").dataframe[0].value.set_index("Offense group")
    partner = run_page("compare", user=PARTNER)
    assert not partner.exception and len(partner.get("vega_lite_chart")) == 2
    held = partner.dataframe[0].value.set_index("Offense group")
    small = [(g, c) for g in command.index for c in ("North", "East") if str(command.loc[g, c]) in ("1", "2")]
    assert small, "no small count in the mix: the test proves nothing"
    for group, column in small:
        assert held.loc[group, column] == "<3", (group, column)


def test_a_partner_reads_fewer_than_3_in_the_words_and_key_numbers_of_a_small_comparison():
    """Robberies this period: a beat with 1 or 2 against the beat with the most. Command staff read
    the count in the key numbers and the sentence; a signed-in partner reads "<3" and "fewer than 3",
    and neither the difference nor the test's p-value computed from it."""
    robberies = in_period(published("crime"), LATEST).query("offense_type == 'robbery'")["beat"].value_counts()
    small, large = robberies[robberies.isin([1, 2])].index[0], robberies.index[0]
    n, m = robberies[small], robberies[large]
    assert m >= 3
    link = {"level": "beat", "a": small, "b": large, "offense": "robbery"}
    words = lambda at: next(x.value for x in at.markdown if "against" in x.value and "Poisson" in x.value)  # noqa: E731
    command = run_page("compare", link)
    assert metrics(command)[f"A · Beat {small}"] == f"{n}" and metrics(command)["A − B"] == f"{n - m:+,}"
    assert f"{n} against {m} ({n - m:+,}, " in words(command)
    partner = run_page("compare", link, user=PARTNER)
    assert not partner.exception
    shown = metrics(partner)
    assert shown[f"A · Beat {small}"] == "<3" and shown[f"B · Beat {large}"] == f"{m}" and shown["A − B"] == "not shown"
    said = words(partner)
    assert f"fewer than 3 against {m}." in said and "p =" not in said and "p <" not in said and f"{n - m:+,}" not in said
