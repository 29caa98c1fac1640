"""Shared-screen mode as the room uses it: AppTest for stepping, links and bad links; a real
Chromium at 1920x1080 and 1280x720 for every panel (no scrolling of the document or of Streamlit's
main section, chart axis text measured in the SVG, screenshots in test-artifacts/), and the keys
a clicker sends, pressed faster than the page can rerun."""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest
import streamlit as st
from conftest import PARTNER, PROJECT_ROOT, SYNTH_STORE, page_errors, run_page, wait_for_streamlit
from test_service import dispatched, measured

from seastat import compstat, present, reports
from seastat.config import load_settings
from seastat.periods import Window
from seastat.store import Store

LATEST = pd.Timestamp("2026-11-02")                  # the default period of the test store
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


def title(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("## ")).splitlines()[0][3:]


# --- AppTest ---------------------------------------------------------------------------------------

def test_present_steps_through_the_configured_sequence(settings):
    panels = present.sequence(settings.present)
    assert panels[0] == present.SUMMARY and panels[1].title == "City-wide"
    at = run_page("home", {"present": "1"})
    assert not at.exception and title(at) == panels[0].title
    assert not at.selectbox and not at.multiselect and not at.sidebar.children    # no filters, no sidebar
    assert at.button(key="previous").disabled
    at.button(key="next").click().run()
    assert title(at) == panels[1].title
    at.button(key="next").click().run()
    assert title(at) == f"{settings.present.precinct_order[0]} Precinct"
    assert at.query_params["step"] == "3" and at.query_params["present"] == "1"
    at.button(key="previous").click().run()
    assert title(at) == panels[1].title and at.query_params["step"] == "2"
    at.button(key="leave").click().run()
    assert "present" not in at.query_params and not at.exception
    assert at.title[0].value == "SeaStat"                             # the dashboard again


def test_present_link_reopens_a_panel_and_every_panel_runs(settings):
    panels = present.sequence(settings.present)
    for step, panel in enumerate(panels, start=1):
        at = run_page("home", {"present": "1", "step": str(step)})
        assert not at.exception and not at.info, panel
        assert title(at) == panel.title
        assert any("Synthetic data" in w.value for w in at.warning)
    assert at.button(key="next").disabled                             # the last panel


def test_present_summary_panel_tells_the_flagged_changes_with_links(synth_store, settings):
    at = run_page("home", {"present": "1", "step": "1"})
    result = reports.summary_report(synth_store, settings, reports.View("crime", Window(LATEST.date(),
                                                                                          (LATEST + pd.Timedelta(days=14)).date())))
    shown = " ".join(m.value for m in at.markdown)
    changes = [s for s in result.sentences if s.kind == "change"]
    assert changes
    for sentence in changes[:5]:                      # the five largest, each with the link to its table
        assert f"{sentence.text} [table](/{sentence.link})" in shown


def test_present_city_panel_numbers():
    at = run_page("home", {"present": "1", "step": "2"})
    table = at.table[0].value.set_index("Offense")
    crime = in_period(published("crime"), LATEST)
    assert table.loc["All offenses", compstat.CITY] == f"{len(crime):,}"
    assert table.loc["All offenses", "East"] == f"{(crime['precinct'] == 'East').sum():,}"
    assert table.loc["All offenses", compstat.UNASSIGNED] == f"{crime['precinct'].isin(['UNKNOWN', 'OOJ']).sum():,}"


def test_present_bad_step_falls_back_with_a_notice():
    at = run_page("home", {"present": "1", "step": "99"})
    assert not at.exception and at.query_params["step"] == "1"
    assert any("99" in i.value for i in at.info)


def test_present_bad_period_is_told_once_and_dropped_from_the_url_on_every_panel(settings):
    """A bad link value: one notice on the panel the link opens, the default in the URL, and no
    notice again on the next panel."""
    panels = present.sequence(settings.present)
    for step in range(1, len(panels) + 1):
        at = run_page("home", {"present": "1", "step": str(step), "period": "2099-01-05"})
        assert not at.exception
        assert [i.value for i in at.info if "2099-01-05" in i.value] and len(at.info) == 1, step
        assert at.query_params["period"] == "2026-11-02"
        button = at.button(key="next" if step < len(panels) else "previous")
        button.click().run()
        assert not at.exception and not at.info, step
        assert at.query_params["period"] == "2026-11-02"


def test_present_order_and_keys_come_from_config(tmp_path):
    text = (PROJECT_ROOT / "config.toml").read_text()
    text = text.replace('boundaries = "data/boundaries"', f'boundaries = "{PROJECT_ROOT / "data" / "boundaries"}"')
    text = text.replace('panels = ["city", "precincts", "hotspots", "compare", "service", "commitments"]', 'panels = ["precincts", "city"]')
    text = text.replace('precinct_order = ["North", "East", "South", "West", "Southwest"]',
                        'precinct_order = ["Southwest", "West"]')
    text = text.replace('previous_key = "Left"', 'previous_key = "Up"').replace('next_key = "Right"',
                                                                              'next_key = "Down"')
    (tmp_path / "config.toml").write_text(text)
    os.environ["SEASTAT_CONFIG"] = str(tmp_path / "config.toml")
    st.cache_resource.clear()                                 # ui.settings() is cached per process
    try:
        settings = load_settings(tmp_path / "config.toml")
        # The configured keys on top of the defaults: the arrows and what a clicker sends always work.
        assert present.keys(settings.present) == {"previous": ["ArrowLeft", "PageUp", "ArrowUp"],
                                                   "next": ["ArrowRight", "PageDown", "ArrowDown"]}
        at = run_page("home", {"present": "1", "step": "4"})
        assert not at.exception and title(at) == "City-wide"
        assert at.button(key="previous").help == "← / PageUp / ↑" and at.button(key="next").help == "→ / PageDown / ↓"
        at.button(key="previous").click().run()
        assert title(at) == "West Precinct"
        at.button(key="previous").click().run()
        assert title(at) == "Southwest Precinct"
    finally:
        os.environ.pop("SEASTAT_CONFIG")
        st.cache_resource.clear()


# --- In Chromium, at both screen sizes ---------------------------------------------------------------

MEASURE = """() => {
  const scrolling = [...document.querySelectorAll('*')].filter(e => {
      const cs = getComputedStyle(e);
      return /(auto|scroll)/.test(cs.overflowY + cs.overflowX)
          && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1); })
    .map(e => e.getAttribute('data-testid') || e.className.toString().slice(0, 40));
  const main = document.querySelector('[data-testid="stMain"]');
  const size = (sel) => [...document.querySelectorAll(sel)].map(
      t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a);
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')];
  return {doc: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
          main: [main.scrollWidth, main.scrollHeight, main.clientWidth, main.clientHeight],
          scrolling, axis: size('[data-testid="stVegaLiteChart"] svg .role-axis-label text'),

          chartWidth: charts.map(s => s.getBoundingClientRect().width),
          bodyWidth: document.querySelector('[data-testid="stMainBlockContainer"]').clientWidth};
}"""


# The map is a picture (vl-convert's SVG): its legend text at the scale the panel draws it, and its shapes.
MAP = """async () => {
  const img = document.querySelector('.st-key-present-chart-map img');
  const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml');
  const w = parseFloat(svg.documentElement.getAttribute('width')), h = parseFloat(svg.documentElement.getAttribute('height'));
  const r = img.getBoundingClientRect(), scale = Math.min(r.width / w, r.height / h);
  return {legend: [...svg.querySelectorAll('.role-legend-label text')].map(t => parseFloat(t.getAttribute('font-size')) * scale),
          mapShapes: [...svg.querySelectorAll('path')].filter(p => (p.getAttribute('d') || '').length > 20).length};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width,height", SIZES)
def test_present_every_panel_fits_the_screen_with_legible_charts(dashboard, page_at, artifacts, settings, width,
                                                                 height):
    panels = present.sequence(settings.present)
    page = page_at(f"{dashboard.url}/trends?present=1", width, height)     # any page's address
    measured = []
    for step, panel in enumerate(panels, start=1):
        if step > 1:
            page.goto(f"{dashboard.url}/trends?present=1&step={step}")
            wait_for_streamlit(page)
        page.locator("h2", has_text=panel.title).wait_for(timeout=90_000)
        if panel.kind in ("precinct", "change"):
            page.locator("[data-testid='stVegaLiteChart'] svg text").first.wait_for(timeout=60_000)
        if panel.kind == "hotspots":
            page.locator(".st-key-present-chart-map img").first.wait_for(timeout=60_000)
            wait_for_streamlit(page)
        if panel.kind in ("city", "precinct", "datasets", "use_of_force", "response_times", "use_of_force_rates"):
            page.locator("[data-testid='stTable'] td").first.wait_for(timeout=90_000)     # the tables, drawn
            wait_for_streamlit(page)
        page.wait_for_timeout(700)
        assert page_errors(page) == []
        assert page.locator("[data-testid='stSidebar']").count() == 0 or not page.locator(
            "[data-testid='stSidebar']").is_visible()
        # no filters on the screen (the Commitments panel's form has its own pickers)
        assert page.locator("[data-testid='stSelectbox']").count() == page.locator(
            ".st-key-present-form [data-testid='stSelectbox']").count()
        m = page.evaluate(MEASURE)
        if panel.kind == "hotspots":
            m.update(page.evaluate(MAP))
        page.screenshot(path=str(artifacts / f"present-{step:02d}-{panel.kind}-{width}x{height}.png"))
        measured.append((step, panel.kind, m["doc"], m["main"][:2], min(m["axis"] or [0]), min(m.get("legend") or [0])))
        assert m["doc"][0] <= width and m["doc"][1] <= height, (panel.title, m)
        assert m["main"][0] <= m["main"][2] and m["main"][1] <= m["main"][3], (panel.title, m)
        assert m["scrolling"] == [], (panel.title, m)
        if panel.kind in ("precinct", "change"):          # the charts fill the width ...
            assert max(m["chartWidth"]) >= 0.95 * m["bodyWidth"], (panel.title, m)
        if width == 1920 and panel.kind in ("precinct", "change"):       # ... with text read across a room
            assert min(m["axis"]) >= 18, (panel.title, m)
        if panel.kind == "hotspots":                      # the map is drawn: beats and cells, not just legends
            assert m["mapShapes"] > 100, (panel.title, m)
        if width == 1920 and panel.kind == "hotspots":    # the map has no axes: its legends
            assert min(m["legend"]) >= 18, (panel.title, m)
    print(*measured, sep="\n")


@pytest.mark.browser
def test_present_keys_are_queued_not_lost(dashboard, page_at, settings):
    """PageDown / PageUp (a clicker) and the arrows all step, and presses faster than a rerun add up."""
    panels = present.sequence(settings.present)
    page = page_at(f"{dashboard.url}/?present=1&step=1", 1280, 720)

    def at_step(n: int) -> None:
        page.locator("h2", has_text=panels[n - 1].title).wait_for(timeout=90_000)
        page.wait_for_function(f"() => location.search.includes('step={n}')", timeout=30_000)
        wait_for_streamlit(page)

    page.wait_for_function("() => window.__seastatKeys && window.__seastatKeys.listening", timeout=30_000)
    for key in ("PageDown", "PageDown", "PageDown", "ArrowRight"):        # four quick presses: one rerun
        page.keyboard.press(key)
    at_step(5)
    page.keyboard.press("PageUp")
    at_step(4)
    page.keyboard.press("ArrowLeft")
    at_step(3)
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(50)                          # a press while that step's rerun is starting ...
    page.keyboard.press("PageDown")                    # ... is added to it, not lost
    at_step(5)
    for _ in range(len(panels) + 3):                   # past the end: the last panel
        page.keyboard.press("PageDown")
    at_step(len(panels))
    assert page_errors(page) == []


# --- The Commitments panel ---------------------------------------------------------------------------

PANEL_FONTS = """() => [...document.querySelectorAll(
    '.st-key-present-due p, .st-key-present-form [data-testid="stWidgetLabel"] p, .st-key-present-form input')]
  .map(e => parseFloat(getComputedStyle(e).fontSize))"""


@pytest.mark.browser
def test_present_commitments_panel_fits_records_and_keeps_the_keys_out_of_the_form(page_at, synth_store_dir, tmp_path,
                                                                                   artifacts, settings):
    """Six commitments due back (the most listed beside the form), each with the Follow-up page's verdict,
    fit both screens in large type; arrows and PageUp typed in the form stay in it; bad input is one line in
    the panel; a commitment recorded here is on /followup and in its history."""
    import csv
    import io

    from conftest import Dashboard

    from seastat.actions import Actions, Draft, Known, result
    from seastat.actions.view import VERDICTS
    url = f"sqlite:///{tmp_path / 'actions.sqlite'}"
    store = Store.open(synth_store_dir)
    known = Known.from_store(store, settings)
    db = Actions.open(url)
    due = [db.add(Draft(what=f"Emphasis patrol in beat {beat}, evenings and weekends, with the bike squad and a "
                             "partner agency's outreach team at the transit centre", owner="East Precinct ACT",
                        place_level="beat", place_value=beat, dataset="crime", target="all",
                        start_date=dt.date(2026, 9, 1 + i), due_date=dt.date(2026, 11, 9), measure="All crime"),
                  by="seed", known=known) for i, beat in enumerate(sorted(known.beats)[:6])]
    expected = [VERDICTS[result(store, r, known, settings).verdict] for r in due]
    panels = present.sequence(settings.present)
    step = [p.kind for p in panels].index("commitments") + 1
    server = Dashboard(synth_store_dir, SEASTAT_DATABASE_URL=url)
    try:
        for width, height in SIZES:
            page = page_at(f"{server.url}/?present=1&step={step}", width, height)
            page.get_by_role("spinbutton", name="year, Due back at the meeting of").wait_for(timeout=90_000)
            wait_for_streamlit(page)                       # (the date fields load last)
            m = page.evaluate(MEASURE)
            page.screenshot(path=str(artifacts / f"present-commitments-{width}x{height}.png"))
            assert page_errors(page) == []
            assert m["doc"][0] <= width and m["doc"][1] <= height and m["scrolling"] == [], m
            assert m["main"][0] <= m["main"][2] and m["main"][1] <= m["main"][3], m
            lines = page.locator(".st-key-present-due p").all_inner_texts()
            assert [line.split(" · ")[0] for line in lines] == expected
            assert lines[0].startswith(f"{expected[0]} · #1 Beat {sorted(known.beats)[0]} · All offenses · East Precinct ACT")
            assert min(page.evaluate(PANEL_FONTS)) >= 0.0185 * height        # 20 px at 1080: read across a room

        # At 1280x720 (the tighter screen): arrows and PageUp typed in a field stay in it.
        page.get_by_label("What will be done").fill("Bike patrols at 3rd and Pine")
        for key in ("ArrowLeft", "PageUp", "ArrowLeft"):
            page.get_by_label("Owner (unit or agency)").press(key)
            page.get_by_label("What will be done").press(key)
        page.locator("[data-testid='stDateInput']").first.locator("button").first.click()     # a date picker's calendar
        page.get_by_role("grid").wait_for(timeout=10_000)
        for key in ("ArrowLeft", "PageUp"):
            page.keyboard.press(key)
        page.wait_for_timeout(600)                          # past the key listener's 150 ms
        assert f"step={step}" in page.url and page.get_by_role("heading", name="Commitments").is_visible()
        assert page.get_by_label("What will be done").input_value() == "Bike patrols at 3rd and Pine"
        page.keyboard.press("Escape")

        alerts = page.locator(".st-key-present-form [data-testid='stAlert']")

        def record() -> str:
            page.get_by_role("button", name="Record the commitment").click()
            alerts.first.wait_for(timeout=60_000)
            wait_for_streamlit(page)
            assert alerts.count() == 1
            return alerts.first.locator("[data-testid='stMarkdownContainer']").inner_text()    # not the icon's name

        # Bad input: one line each, in the panel, nothing stored.
        page.get_by_label("What will be done").fill("")
        page.get_by_label("Owner (unit or agency)").fill("East Precinct ACT")
        page.get_by_label("Measure (what will judge it)").fill("Thefts on the block")
        page.get_by_label("Your name (kept with every change)").fill("Lt. Ana Ruiz")
        assert record() == "Not recorded: What is empty: please fill it in."
        page.get_by_label("What will be done").fill("Bike patrols at 3rd and Pine")
        page.get_by_role("spinbutton", name="year, Due back at the meeting of").click()
        page.keyboard.type("2025")
        message = record()
        assert message.startswith("Not recorded: the due date 2025-") and "is before the start 2026-11-22" in message
        assert "\n" not in message and len(db.list()) == 6
        m = page.evaluate(MEASURE)                         # a message too still fits
        assert m["doc"][1] <= 720 and m["main"][1] <= m["main"][3] and m["scrolling"] == [], m
        page.screenshot(path=str(artifacts / "present-commitments-bad-input-1280x720.png"))

        page.get_by_role("spinbutton", name="year, Due back at the meeting of").click()
        page.keyboard.type("2026")
        assert record().startswith("Recorded commitment #7: ")
        made = db.get(7)
        assert (made.what, made.owner, made.created_by) == ("Bike patrols at 3rd and Pine", "East Precinct ACT",
                                                            "Lt. Ana Ruiz")

        # Outside a field the keys step again (the listener is there, and only the form is exempt).
        page.get_by_role("heading", name="Commitments").click()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(f"() => location.search.includes('step={step - 1}')", timeout=30_000)

        # On the Follow-up page, and in its history.
        page.goto(f"{server.url}/followup")
        wait_for_streamlit(page)
        page.get_by_text("Bike patrols at 3rd and Pine").first.wait_for(timeout=60_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="History (CSV)").click()
        text = open(download.value.path(), encoding="utf-8").read()
        rows = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))
        created = {r["Field"]: r["New"] for r in rows if r["#"] == "7" and r["Change"] == "created"}
        assert created["what"] == "Bike patrols at 3rd and Pine" and created["owner"] == "East Precinct ACT"
        assert {r["Who"] for r in rows if r["#"] == "7"} == {"Lt. Ana Ruiz"}
    finally:
        server.stop()
        db.close()


# --- 911 response times and use of force per 10,000 calls ([present] panels "service") ------------------

def step_of(settings, kind: str) -> str:
    return str(next(i for i, p in enumerate(present.sequence(settings.present), 1) if p.kind == kind))


def test_present_response_times_panel_numbers(settings):
    at = run_page("home", {"present": "1", "step": step_of(settings, "response_times")})
    assert not at.exception and title(at) == "911 response times"
    city, precincts = (t.value.set_index(t.value.columns[0]) for t in at.table)
    calls = in_period(published("calls"), LATEST)
    for area, table in ((None, city), ("East", precincts), ("North", precincts)):
        here = calls if area is None else calls[calls["precinct"] == area]
        d = here[dispatched(here) & (here["priority"] == "1")]
        minutes = measured(d)["minutes"]
        row = table.loc["Priority 1" if area is None else area]
        assert row["Dispatched calls"] == f"{len(d):,}"
        assert row["Median (min)"] == f"{minutes.median():.1f}" and row["90th pct (min)"] == f"{minutes.quantile(0.9):.1f}"
        assert row["Over target"] == f"{(minutes > 7).mean():.0%}"
    assert precincts.loc[compstat.UNASSIGNED, "Median (min)"] == "—"           # no calls: nothing, not 0
    note = " ".join(c.value for c in at.caption)
    assert "on-view events are left out" in note and f"{(calls['call_type'] == 'ONVIEW').sum():,}" in note


def small_use_of_force(calls: pd.DataFrame, uof: pd.DataFrame) -> tuple[str, str, float]:
    """A precinct and level with 1 or 2 uses of force this period, and its rate per 10,000 calls."""
    level = uof["incident_type"].map(lambda t: "OIS" if "OIS" in t else t.split(" - ")[0])
    counts = uof.groupby(["precinct", level]).size()
    (precinct, lv), n = next((k, n) for k, n in counts.items() if 1 <= n < 3 and k[0] in compstat.PRECINCTS)
    return precinct, lv, 10000 * n / (calls["precinct"] == precinct).sum()


def test_present_use_of_force_panel_numbers_and_the_partner_view(settings):
    """Rates per 10,000 calls by level and precinct as pandas counts them; a signed-in partner sees
    "<3" where a level's uses are 1 or 2 (the city-wide total kept)."""
    step = step_of(settings, "use_of_force_rates")
    at = run_page("home", {"present": "1", "step": step})
    assert not at.exception and title(at) == "Use of force per 10,000 calls"
    table = at.table[0].value.set_index("Area")
    calls, uof = in_period(published("calls"), LATEST), in_period(published("use_of_force"), LATEST)
    assert table.loc[compstat.CITY, "All levels"].endswith(f"{10000 * len(uof) / len(calls):,.2f}")
    assert table.loc[compstat.CITY, "Uses of force"] == f"{len(uof):,}"
    precinct, level, rate = small_use_of_force(calls, uof)
    assert table.loc[precinct, level].endswith(f"{rate:,.2f}")
    partner = run_page("home", {"present": "1", "step": step}, user=PARTNER)
    assert not partner.exception and "Partner" in " ".join(c.value for c in partner.caption)
    held = partner.table[0].value.set_index("Area")
    assert held.loc[precinct, level] == "<3"
    assert held.loc[compstat.CITY, "Uses of force"] == f"{len(uof):,}"          # a total stays


@pytest.mark.parametrize("kind", ["datasets", "use_of_force"])
def test_present_three_dataset_panels_hold_back_small_counts_for_partners(settings, kind):
    """The comparisons' tables of crime, calls and use of force by precinct (and by level): every count
    of 1 or 2 a precinct shows command staff reads "<3" to a signed-in partner; the city line stays."""
    step = step_of(settings, kind)
    command = run_page("home", {"present": "1", "step": step}).table[0].value.set_index("Area")
    partner = run_page("home", {"present": "1", "step": step}, user=PARTNER)
    assert not partner.exception
    held = partner.table[0].value.set_index("Area")
    small = [(area, column) for area in command.index if area != compstat.CITY for column in command.columns
             if str(command.loc[area, column]) in ("1", "2")]
    assert small, "no small count in this panel: the test proves nothing"
    for area, column in small:
        assert held.loc[area, column] == "<3", (area, column)
    assert held.loc[compstat.CITY].astype(str).tolist() == command.loc[compstat.CITY].astype(str).tolist()


def test_present_change_panel_holds_back_small_counts_for_partners(settings, small_store_dir):
    """"Since the same period last year": an offense group with 1 or 2 in either year city-wide is in
    the mix chart command staff see, and left out of the chart a signed-in partner sees (as on /compare)."""
    import json

    import pyarrow as pa

    def mix(at) -> list[dict]:
        assert not at.exception
        chart = at.get("vega_lite_chart")[-1]
        frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
        if not frames:                        # the data inline in the spec
            frames = [pd.DataFrame(rows) for rows in json.loads(chart.proto.spec).get("datasets", {}).values()]
        return [r for f in frames for r in f.to_dict("records")]

    step = step_of(settings, "change")
    values = lambda rows: {r["count"] for r in rows if pd.notna(r.get("count"))}  # noqa: E731  (long form: which, count)
    command = mix(run_page("home", {"present": "1", "step": step}, store=small_store_dir))   # 20,000 rows: small groups
    assert values(command) & {1, 2}, "no small count in the mix: the test proves nothing"
    partner = mix(run_page("home", {"present": "1", "step": step}, store=small_store_dir, user=PARTNER))
    assert not values(partner) & {1, 2} and values(partner)
