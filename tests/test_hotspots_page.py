"""/hotspots as a user meets it: AppTest runs for deep links, beat selection and bad links, and a
real headless Chromium that draws the map, selects a beat by clicking it, and saves a screenshot."""
from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest
from conftest import PARTNER, SYNTH_STORE, page_errors, run_page, wait_for_streamlit
from PIL import Image

from seastat import maps

CRIME = SYNTH_STORE / "current" / "crime"



@pytest.fixture(scope="module")
def crime():
    return pd.read_parquet(CRIME)


def in_period(frame: pd.DataFrame, start: str) -> pd.DataFrame:
    first = pd.Timestamp(start)
    return frame[(frame["event_at"] >= first) & (frame["event_at"] < first + pd.Timedelta(days=14))]


def metric(at, label_start: str):
    return next(m for m in at.metric if m.label.startswith(label_start))


# --- AppTest ---------------------------------------------------------------------------------------

def test_default_view_numbers_match_the_parquet_files(crime):
    at = run_page("hotspots")
    assert not at.exception
    start = at.selectbox(key="period").value.start.isoformat()
    now = in_period(crime, start)
    assert metric(at, "Incidents").value == f"{len(now):,}"
    blocks = now[~now["location_withheld"] & now["block_address"].fillna("").ne("")]["block_address"].value_counts()
    has_block = ~crime["location_withheld"] & crime["block_address"].fillna("").ne("")
    half = (np.argmax(np.cumsum(blocks.to_numpy()) / blocks.sum() >= 0.5) + 1) / crime.loc[has_block, "block_address"].nunique()
    assert metric(at, "Half of incidents").value == f"{half:.1%} of 100-blocks"
    assert any("Synthetic data" in w.value for w in at.warning)
    blocks_table, beats_table = at.dataframe[0].value, at.dataframe[1].value
    assert blocks_table["incidents"].sum() == len(now) == beats_table["incidents"].sum()


def test_deep_link_opens_the_same_filtered_view_for_a_beat(crime):
    at = run_page("hotspots", {"dataset": "crime", "period": "2026-10-19", "offense": "larceny_theft,burglary",
                               "map": "change", "beat": "E2"})
    assert not at.exception
    assert at.multiselect(key="offenses").value == ["larceny_theft", "burglary"]
    assert at.radio(key="view").value == "change"
    assert at.selectbox(key="beat").value == "E2"
    now = in_period(crime, "2026-10-19")
    chosen = now[now["offense_type"].isin(["larceny_theft", "burglary"])]
    in_beat = chosen[chosen["beat"] == "E2"]
    assert metric(at, "Incidents in beat E2").value == f"{len(in_beat):,}"
    blocks = at.dataframe[0].value
    listed = blocks[blocks["rank"] != ""]
    assert len(listed) > 0 and set(listed["beat"]) == {"E2"}
    assert blocks["incidents"].sum() == len(in_beat)                   # the beat's table adds up
    assert "larceny theft, burglary" in at.subheader[0].value


def test_choosing_a_beat_in_the_list_updates_the_table_and_the_link():
    at = run_page("hotspots")
    at.selectbox(key="beat").select("E2").run()
    assert not at.exception
    assert at.query_params["beat"] == "E2"
    assert metric(at, "Incidents in beat E2")
    blocks = at.dataframe[0].value
    assert set(blocks.loc[blocks["rank"] != "", "beat"]) == {"E2"}
    at.radio(key="view").set_value("hotspots").run()
    assert at.query_params["map"] == "hotspots"


def test_bad_link_values_fall_back_with_a_notice():
    at = run_page("hotspots", {"map": "satellite", "beat": "Z9", "offense": "<b>x</b>,arson,unicorns"})
    assert not at.exception
    assert at.radio(key="view").value == "count"
    assert at.selectbox(key="beat").value == ""
    assert at.multiselect(key="offenses").value == ["arson"]
    notes = " ".join(i.value for i in at.info)
    assert "map" in notes and "beat" in notes and "unicorns" in notes and "<b>x</b>" in notes


def test_use_of_force_has_the_beat_map_only():
    at = run_page("hotspots", {"dataset": "use_of_force", "map": "density"})
    assert not at.exception
    assert at.radio(key="view").options == ["Incidents by beat", "Change by beat"]
    assert any("no coordinates" in i.value for i in at.info)


# --- Real browser ----------------------------------------------------------------------------------

def painted_colours(locator) -> int:
    image = Image.open(io.BytesIO(locator.screenshot())).convert("RGB")
    return len(np.unique(np.asarray(image).reshape(-1, 3), axis=0))


def wait_until_painted(locator, colours: int = 12, timeout_s: float = 30) -> int:
    """deck.gl draws after the element appears; poll the pixels until the map is on them."""
    deadline = time.monotonic() + timeout_s
    while (seen := painted_colours(locator)) < colours and time.monotonic() < deadline:
        time.sleep(0.5)
    return seen


@pytest.mark.browser
def test_map_canvas_renders_in_chromium(dashboard, page_at, artifacts):
    page = page_at(f"{dashboard.url}/hotspots?map=count")
    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    chart.locator("canvas").first.wait_for(state="visible", timeout=30_000)
    assert wait_until_painted(chart) >= 12, "the deck canvas stayed blank"
    assert page_errors(page) == []
    assert page.get_by_text("Hottest 100-blocks").first.is_visible()
    page.screenshot(path=str(artifacts / "hotspots-1920x1080.png"))


@pytest.mark.browser
def test_clicking_the_map_selects_a_beat(dashboard, page_at, artifacts):
    page = page_at(f"{dashboard.url}/hotspots?map=count")
    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    chart.locator("canvas").first.wait_for(state="visible", timeout=30_000)
    wait_until_painted(chart)
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)   # downtown Seattle
    page.get_by_text("Incidents in beat").first.wait_for(timeout=30_000)
    wait_for_streamlit(page)
    assert "beat=" in page.url
    beat = page.url.split("beat=")[1].split("&")[0]
    assert page.get_by_text(f"Hottest 100-blocks in beat {beat}").first.is_visible()
    page.screenshot(path=str(artifacts / "hotspots-beat-selected-1920x1080.png"))


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_the_map_starts_on_the_first_screen_and_a_chosen_beat_is_framed(dashboard, page_at, artifacts, width, height):
    page = page_at(f"{dashboard.url}/hotspots?map=count&beat=K1", width, height)
    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    chart.locator("canvas").first.wait_for(state="attached", timeout=30_000)
    top = chart.evaluate("e => e.getBoundingClientRect().top")          # before anything scrolls it into view
    assert top < height - 150, f"the map starts at {top:.0f} px, below the first screen"
    wait_until_painted(chart)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"hotspots-beat-K1-{width}x{height}.png"))


# --- The partner view of the map ----------------------------------------------------------------------

def test_map_classes_never_name_a_count_under_the_minimum_for_partners():
    counts = pd.Series([0, 1, 2, 2, 3, 4, 7, 9, 15, 40])
    klass, entries = maps.count_classes(counts, hold_back=3)
    assert entries[0][1] == "fewer than 3" and (klass[1:4] == 0).all() and klass[0] == -1
    assert all(k > 0 for k in klass[4:])                              # 3 and up keep their own classes
    assert not any(text in ("1", "2", "1 to 2", "2 to 2") or text.startswith(("1 to", "2 to")) for _, text in entries)
    shown = maps.count_classes(counts)[1]                             # command staff: the plain classes
    assert shown[0][1].startswith("1")


def test_static_map_data_holds_no_small_count_for_partners(crime, settings):
    """The picture of the map (PNG/SVG, shared screen, packet): its data carries no count or change under
    the minimum for partners; command staff's carries them."""
    from seastat import charts, reports
    from seastat.geo import load_boundaries
    from seastat.store import Store
    store = Store.open(SYNTH_STORE)
    period = reports.periods_offered(store, settings, "crime")[0]
    result = reports.hotspot_report(store, settings, reports.View("crime", period, offenses=("robbery",)))
    beats = result.analysis.beats
    assert ((beats["incidents"] > 0) & (beats["incidents"] < 3)).any(), "no small count: the test proves nothing"

    def values(hold_back: int) -> set[str]:
        spec = charts.static_map(load_boundaries(settings.boundaries_dir), beats, result.hot_cells, "count", "t",
                                 hold_back).to_dict()
        rows = [r["properties"] if "properties" in r else r for d in spec["datasets"].values() for r in d]
        return {str(r.get("incidents")) for r in rows if "incidents" in r}

    assert {"1", "2"} & values(0)
    assert not {"1", "2"} & values(3) and "<3" in values(3)


def test_a_partner_reads_no_small_count_for_a_chosen_beat(crime):
    now = in_period(crime, "2026-11-02")
    robberies = now[now["offense_type"] == "robbery"]["beat"].value_counts()
    beat = robberies[robberies.isin([1, 2])].index[0]
    link = {"dataset": "crime", "period": "2026-11-02", "offense": "robbery", "beat": beat}
    assert metric(run_page("hotspots", link), f"Incidents in beat {beat}").value == f"{robberies[beat]:,}"
    partner = run_page("hotspots", link, user=PARTNER)
    assert not partner.exception
    assert metric(partner, f"Incidents in beat {beat}").value == "<3"
    assert metric(partner, "Share of all incidents").value == "<3"
    legend = " ".join(m.value for m in partner.markdown if "Incidents per beat" in m.value)
    assert "fewer than 3 incidents in the beat" in legend
