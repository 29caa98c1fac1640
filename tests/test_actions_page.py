"""The Follow-up page run headless with AppTest, on SQLite and on the test PostgreSQL: record a
commitment, see its result and chart, edit and close it, the history of each step, a second writer
at once, and bad input, all as a person would see them."""
from __future__ import annotations

import datetime as dt
import os
import re

import planted
import pytest
from conftest import PROJECT_ROOT
from oidc import oidc_provider  # noqa: F401  (the provider a signed-in partner's cookie is for)
from streamlit.testing.v1 import AppTest

from seastat.actions import Actions, Draft, Known
from seastat.config import load_settings
from seastat.publish import publish
from seastat.store import Store

pytest_plugins = ["pg_server"]   # database_url: SQLite, then PostgreSQL

PAGE = str(PROJECT_ROOT / "pages" / "followup.py")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted-page")
    planted.write_export(folder / "crime.csv")
    publish([folder / "crime.csv"], folder / "store", load_settings())
    return folder / "store"


@pytest.fixture
def page(store_dir, database_url, monkeypatch):
    monkeypatch.setenv("SEASTAT_STORE", str(store_dir))
    monkeypatch.setenv("SEASTAT_DATABASE_URL", database_url)

    def open_page(who: str = "Lt. Ana Ruiz") -> AppTest:
        at = AppTest.from_file(PAGE, default_timeout=120).run()
        assert not at.exception
        at.text_input(key="who").set_value(who)
        return at
    return open_page


@pytest.fixture
def db(database_url):
    actions = Actions.open(database_url)
    yield actions
    actions.close()


def shown(markdown: str) -> str:
    """What a reader sees of escaped Markdown: the backslashes gone."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(at: AppTest, kind: str) -> list[str]:
    return [shown(e.value) for e in getattr(at, kind)]


def record(at: AppTest, **values) -> AppTest:
    fields = dict(what="Emphasis patrol on the 1XX block, evenings", owner="East Precinct ACT", place="beat:C1",
                  target="crime:burglary", start=planted.START, due=dt.date(2026, 11, 23),
                  measure="Burglaries against the rest of East", block="") | values
    at.text_area(key="new_what").set_value(fields["what"])
    at.text_input(key="new_owner").set_value(fields["owner"])
    at.selectbox(key="new_place").set_value(fields["place"])
    at.text_input(key="new_block").set_value(fields["block"])
    at.selectbox(key="new_target").set_value(fields["target"])
    at.date_input(key="new_start").set_value(fields["start"])
    at.date_input(key="new_due").set_value(fields["due"])
    at.text_input(key="new_measure").set_value(fields["measure"])
    return at.button(key="add").click().run()


def charts(at: AppTest) -> int:
    found = 0

    def walk(node):
        nonlocal found
        for child in getattr(node, "children", {}).values():
            found += getattr(child, "type", "") == "vega_lite_chart"
            walk(child)
    walk(at.main)
    return found


def tables(at: AppTest, *columns: str) -> list:
    """The tables on the page that have these columns, top to bottom."""
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


def history(at: AppTest):
    return tables(at, "When (UTC)", "Change")[-1]          # the page's last table


def test_record_see_the_result_edit_close_and_the_history_of_each_step(page, db):
    at = page()
    assert any("No open commitments" in t for t in texts(at, "info"))
    at = record(at)
    assert not at.exception and not at.error
    assert "Recorded commitment #1: Beat C1, Burglary, due 2026-11-23." in texts(at, "success")
    assert any(t.startswith("#1 · Beat C1 · Burglary") or "#1 · Beat C1 · Burglary" in t for t in texts(at, "markdown"))
    assert "Emphasis patrol on the 1XX block, evenings" in texts(at, "markdown")
    verdict = next(t for t in texts(at, "success") if "Improvement" in t)
    assert verdict.startswith("▼ Improvement: Burglary in Beat C1: 63 in the 70 days before the start, 23 since")
    assert charts(at) == 1
    created = history(at)
    assert set(created["Change"]) == {"created"} and set(created["Who"]) == {"Lt. Ana Ruiz"}
    assert created.loc[created["Field"] == "what", "New"].item() == "Emphasis patrol on the 1XX block, evenings"
    assert at.text_area(key="new_what").value == ""                       # a fresh form for the next one

    # edit: a note while it stays open
    at.text_input(key="note_1").set_value("Patrols started 9/14, two cars")
    at = at.button(key="save_1").click().run()
    assert "Saved commitment #1 (version 2)." in texts(at, "success")
    # close it as done (a note says why)
    at.selectbox(key="status_1").set_value("done")
    at.text_input(key="note_1").set_value("Patrols ended 11/20; burglaries down against the rest of East")
    at = at.button(key="save_1").click().run()
    assert "Saved commitment #1 (version 3)." in texts(at, "success")
    assert not at.exception and not at.error
    assert any("No open commitments" in t for t in texts(at, "info"))
    closed = tables(at, "Status", "Note")[0]
    assert closed[["#", "Status", "Version"]].values.tolist() == [[1, "done", 3]]
    steps = history(at)
    changed = steps[steps["Change"] == "changed"][["Version", "Who", "Field", "Old", "New"]].values.tolist()
    assert changed == [
        [3, "Lt. Ana Ruiz", "status", "open", "done"],
        [3, "Lt. Ana Ruiz", "note", "Patrols started 9/14, two cars",
         "Patrols ended 11/20; burglaries down against the rest of East"],
        [2, "Lt. Ana Ruiz", "note", "", "Patrols started 9/14, two cars"],
    ]
    assert db.get(1).status == "done" and len(db.history(1)) == len(steps)


def test_a_second_writer_is_shown_the_other_change_and_nothing_is_lost(page, db):
    at = record(page())
    other = db.get(1)                       # Bo saves from his own screen while Ana's page is open
    db.update(1, version=other.version, by="Sgt. Bo Chen", known=Known.from_store(Store.open(
        os.environ["SEASTAT_STORE"]), load_settings()), status_note="Bo: moved to weekends")
    at.text_input(key="note_1").set_value("Ana: evenings only")
    at = at.button(key="save_1").click().run()
    assert not at.exception
    error = next(t for t in texts(at, "error") if "Not saved" in t)
    assert "changed by Sgt. Bo Chen" in error and "note “” → “Bo: moved to weekends”" in error
    theirs = tables(at, "When (UTC)", "Change")[0]      # shown with the message, above the history
    assert theirs[["Who", "Field", "New"]].values.tolist() == [["Sgt. Bo Chen", "note", "Bo: moved to weekends"]]
    assert db.get(1).status_note == "Bo: moved to weekends"               # Ana's edit was not written over it
    assert at.text_input(key="note_1").value == "Ana: evenings only"       # ...and is still in her form
    at.text_input(key="note_1").set_value("Bo: moved to weekends; Ana: evenings too")
    at = at.button(key="save_1").click().run()                             # saved on top of Bo's version
    assert "Saved commitment #1 (version 3)." in texts(at, "success") and not at.error
    notes = [c.new for c in db.history(1) if c.field == "status_note"]
    assert notes == ["", "Bo: moved to weekends", "Bo: moved to weekends; Ana: evenings too"]


def test_someone_elses_save_shows_in_an_untouched_form(page, db, store_dir):
    at = record(page())
    db.update(1, version=1, by="Bo", known=Known.from_store(Store.open(store_dir), load_settings()),
              status_note="Bo's note")
    at = at.run()
    assert at.text_input(key="note_1").value == "Bo's note"
    at.selectbox(key="status_1").set_value("dropped")
    at = at.button(key="save_1").click().run()
    assert "Saved commitment #1 (version 3)." in texts(at, "success") and db.get(1).status == "dropped"


@pytest.mark.parametrize("values,message", [
    (dict(what="<script>alert(1)</script>"), "Not recorded: What contains markup"),
    (dict(what="   "), "Not recorded: What is empty"),
    (dict(what="x" * 100_000), "Not recorded: What is 100,000 characters long"),
    (dict(block="99XX BLOCK OF NOWHERE ST"), "Not recorded: unknown block “99XX BLOCK OF NOWHERE ST”"),
    (dict(due=dt.date(2026, 9, 1)), "Not recorded: the due date 2026-09-01 is before the start 2026-09-14"),
])
def test_bad_input_is_one_clear_message_and_records_nothing(page, db, values, message):
    at = record(page(), **values)
    assert not at.exception
    errors = texts(at, "error")
    assert len(errors) == 1 and errors[0].startswith(message) and "\n" not in errors[0]
    assert db.list() == []
    assert at.text_area(key="new_what").value == values.get("what", "Emphasis patrol on the 1XX block, evenings")


def test_text_is_shown_exactly_as_typed(page, db):
    at = record(page(), what="*not bold* [not a link](javascript:alert(1)) :red[not red] # not a heading",
                owner="O'Brien & Sons", block="1xx block of c1 ave")
    assert not at.error
    body = [m.value for m in at.markdown]
    what = next(m for m in body if "not bold" in m)
    assert shown(what) == "*not bold* [not a link](javascript:alert(1)) :red[not red] # not a heading"
    assert "\\*not bold\\*" in what and "\\[not a link\\]" in what        # every Markdown character escaped
    assert any("Block 1XX BLOCK OF C1 AVE" in shown(m) and "O'Brien & Sons" in shown(m) for m in body)


def test_an_unreachable_database_is_a_message_not_a_traceback(store_dir, monkeypatch):
    monkeypatch.setenv("SEASTAT_STORE", str(store_dir))
    monkeypatch.setenv("SEASTAT_DATABASE_URL", "postgresql://nobody@/nowhere?host=/nonexistent-socket-dir")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert any("cannot open the commitments database" in e.value for e in at.error)


# --- Shared-screen mode's Commitments panel: the same results, the same form ---------------------

def present_panel(store_dir) -> AppTest:
    """app.py in shared-screen mode, at the Commitments panel (the last of the configured sequence)."""
    from conftest import run_page

    from seastat import present
    panels = present.sequence(load_settings().present)
    step = [p.kind for p in panels].index("commitments") + 1
    at = run_page("home", {"present": "1", "step": str(step)}, store=store_dir)
    assert not at.exception
    return at


def test_the_panel_lists_what_is_due_back_with_the_follow_up_pages_verdicts(store_dir, database_url, db, monkeypatch):
    monkeypatch.setenv("SEASTAT_DATABASE_URL", database_url)
    known = Known.from_store(Store.open(store_dir), load_settings())
    due = dt.date(2026, 10, 26)                      # before the end of the panel's period (Nov 02 - Nov 15)
    for beat, what in [("C1", "C1 patrols"), ("G3", "G3 patrols"), ("E2", "E2 patrols"), ("E3", "later")]:
        db.add(Draft(what=what, owner="East ACT", place_level="beat", place_value=beat, dataset="crime",
                     target="burglary", start_date=planted.START, due_date=dt.date(2027, 1, 4) if what == "later" else due,
                     measure="Burglaries"), by="ana", known=known)
    db.update(3, version=1, by="ana", known=known, status="dropped", status_note="moved to E3")   # closed: not due
    at = present_panel(store_dir)
    body = texts(at, "markdown")
    assert "#### Due back at this meeting (2)" in body
    lines = next(m for m in body if "C1 patrols" in m).split("\n\n")
    assert lines == ["**▼ Improvement** · #1 Beat C1 · Burglary · East ACT: C1 patrols",   # the planted drop
                     "**▲ Worse** · #2 Beat G3 · Burglary · East ACT: G3 patrols"]          # the planted rise
    assert not any("later" in m or "E2 patrols" in m for m in body)
    assert at.button(key="add").label == "Record the commitment"


def test_the_panel_records_a_commitment_with_the_pages_checks(store_dir, database_url, db, monkeypatch):
    monkeypatch.setenv("SEASTAT_DATABASE_URL", database_url)
    at = present_panel(store_dir)
    assert "#### Nothing is due back at this meeting" in texts(at, "markdown")
    at.text_input(key="who").set_value("Lt. Ana Ruiz")             # in the panel's form: no separate name box
    at = record(at, what="  ")
    assert texts(at, "error") == ["Not recorded: What is empty: please fill it in."] and db.list() == []
    at = record(at, due=dt.date(2026, 9, 1))
    assert len(texts(at, "error")) == 1 and texts(at, "error")[0].startswith(
        "Not recorded: the due date 2026-09-01 is before the start 2026-09-14") and db.list() == []
    at = record(at, due=dt.date(2026, 11, 9))
    assert "Recorded commitment #1: Beat C1, Burglary, due 2026-11-09." in texts(at, "success")
    assert not at.error and [r.created_by for r in db.list()] == ["Lt. Ana Ruiz"]
    assert at.text_area(key="new_what").value == ""                # a fresh form for the next one
    assert any(m.startswith("**▼ Improvement** · #1 Beat C1") for m in texts(at, "markdown"))   # now due back


# --- In Chromium: record, close, and read the history --------------------------------------------

@pytest.mark.browser
def test_record_close_and_read_the_history_in_chromium(page_at, synth_store_dir, tmp_path, artifacts):
    import csv
    import io

    from conftest import Dashboard, wait_for_streamlit
    server = Dashboard(synth_store_dir, SEASTAT_DATABASE_URL=f"sqlite:///{tmp_path / 'actions.sqlite'}")
    try:
        page = page_at(f"{server.url}/followup")
        page.get_by_label("Your name (kept with every change)").fill("Lt. Ana Ruiz")
        page.keyboard.press("Tab")
        wait_for_streamlit(page)
        page.get_by_label("What will be done").fill("Emphasis patrol, evenings")
        page.get_by_label("Owner (unit or agency)").fill("East Precinct ACT")
        page.get_by_label("Measure (what will judge it)").fill("Burglaries in the beat against the precinct")
        page.get_by_role("button", name="Record the commitment").click()
        page.get_by_text("Recorded commitment #1").first.wait_for(timeout=60_000)
        wait_for_streamlit(page)
        page.screenshot(path=str(artifacts / "followup-recorded-1920x1080.png"))
        status = page.get_by_role("combobox", name="Status").first        # a react-aria combobox in 1.67
        status.click()
        status.fill("done")
        page.get_by_role("option", name="done", exact=True).wait_for(timeout=10_000)
        status.press("Enter")
        page.get_by_label("Note (why: needed to close as done or dropped)").fill("Patrols ran every evening")
        page.get_by_role("button", name="Save").first.click()
        page.get_by_text("Closed commitments (1)").wait_for(timeout=60_000)     # closed: out of the open list
        wait_for_streamlit(page)
        page.get_by_role("button", name="History (CSV)").wait_for(timeout=60_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="History (CSV)").click()
        text = open(download.value.path(), encoding="utf-8").read()
        assert text.startswith("# Source: ")
        rows = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))        # after the source line
        page.screenshot(path=str(artifacts / "followup-closed-1920x1080.png"))
        assert len(rows) >= 2, text
        changes = {(r["Field"], r["Change"], r["Old"], r["New"]) for r in rows if r["Who"] == "Lt. Ana Ruiz"}
        assert ("status", "changed", "open", "done") in changes
        assert ("note", "changed", "", "Patrols ran every evening") in changes
        assert ("what", "created", "", "Emphasis patrol, evenings") in changes
    finally:
        server.stop()


# --- A partner agency's view: small counts held back ----------------------------------------------

def test_a_partner_reads_no_count_under_3_on_the_follow_up_page(store_dir, database_url, db, monkeypatch):
    """A commitment on beat L2 over its last 8 days: 2 burglaries before, 1 since (the planted
    export's own rows). Command staff read 2 and 1; a signed-in partner reads "fewer than 3" in the
    sentence, and the chart has no point or tooltip count for them."""
    import pandas as pd
    import pyarrow as pa
    from conftest import PARTNER, run_page
    monkeypatch.setenv("SEASTAT_DATABASE_URL", database_url)
    known = Known.from_store(Store.open(store_dir), load_settings())
    db.add(Draft(what="L2 foot beat", owner="North ACT", place_level="beat", place_value="L2", dataset="crime",
                 target="burglary", start_date=dt.date(2026, 11, 15), due_date=dt.date(2026, 12, 7),
                 measure="Burglaries"), by="ana", known=known)

    def seen(at: AppTest) -> tuple[str, list]:
        assert not at.exception and not at.error
        verdict = next(t for kind in ("info", "success", "warning") for t in texts(at, kind) if "Beat L2" in t)
        frames = [pa.ipc.open_stream(d.data.data).read_pandas() for chart in at.get("vega_lite_chart")
                  for d in chart.proto.datasets]
        return verdict, [{k: None if pd.isna(v) else v for k, v in row.items()}
                         for frame in frames for row in frame.to_dict("records")]

    command, command_data = seen(run_page("followup", store=store_dir))
    assert "Burglary in Beat L2: 2 in the 8 days before the start, 1 since" in command
    assert {(r["area"], r["window"], r["count"]) for r in command_data} >= {
        ("Beat L2", "Before", 2), ("Beat L2", "Since start", 1)}

    at = run_page("followup", store=store_dir, user=PARTNER)
    partner, partner_data = seen(at)
    assert "Burglary in Beat L2: fewer than 3 in the 8 days before the start, fewer than 3 since" in partner
    assert "the rest of North precinct went from 20 to 17" in partner        # counts of 3 and more stay
    # no 1 or 2 as a count: the only numbers left are "fewer than 3", the days, the comparison's counts
    assert re.findall(r"(?<![\w.,-])\d[\d,.]*", partner) == ["3", "8", "3", "20", "17", "3"]
    assert {r["count"] for r in partner_data if r["area"] == "Beat L2"} == {None}
    assert all(r.get("relative") is None for r in partner_data if r["area"] == "Beat L2")
    assert not any(e.label == "Save" for e in at.button)          # and a partner edits nothing
    assert not any("Changes are recorded as" in c for c in texts(at, "caption"))     # nor is told they would be


@pytest.mark.browser
def test_a_partner_sees_the_follow_up_page_without_small_counts_in_chromium(store_dir, oidc_provider, browser,  # noqa: F811
                                                                              tmp_path, artifacts):
    """Signed in as a partner (Streamlit's identity cookie for a real provider's sign-in): the small
    commitment's sentence reads "fewer than 3", the chart draws only the comparison, nothing is cut
    off or scrolls sideways at 1920x1080 and 1280x720 (screenshots in test-artifacts/)."""
    import time

    from conftest import page_errors, wait_for_streamlit
    from oidc import SignInDashboard
    url = f"sqlite:///{tmp_path / 'actions.sqlite'}"
    actions = Actions.open(url)
    known = Known.from_store(Store.open(store_dir), load_settings())
    actions.add(Draft(what="L2 foot beat, evenings", owner="North ACT", place_level="beat", place_value="L2",
                      dataset="crime", target="burglary", start_date=dt.date(2026, 11, 15), due_date=dt.date(2026, 12, 7),
                      measure="Burglaries against the rest of North"), by="ana", known=known)
    actions.add(Draft(what="Emphasis patrol on the 1XX block", owner="East ACT", place_level="beat", place_value="C1",
                      dataset="crime", target="burglary", start_date=planted.START, due_date=dt.date(2026, 11, 23),
                      measure="Burglaries against the rest of East"), by="ana", known=known)
    actions.close()
    server = SignInDashboard(store_dir, oidc_provider, tmp_path, SEASTAT_DATABASE_URL=url)
    claims = {"sub": "pat@partner.example", "email": "pat@partner.example", "roles": ["seastat-partner"],
              "iat": time.time() - 60}
    try:
        for width, height in [(1920, 1080), (1280, 720)]:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_cookies([server.identity_cookie(claims)])
            page = context.new_page()
            page.goto(f"{server.url}/followup", wait_until="domcontentloaded")
            small = page.get_by_text("fewer than 3 in the 8 days before the start")
            small.wait_for(timeout=60_000)
            wait_for_streamlit(page)
            page.locator("[data-testid='stVegaLiteChart']").nth(1).wait_for(timeout=30_000)
            small.scroll_into_view_if_needed()
            for chart in page.locator("[data-testid='stVegaLiteChart']").all():     # drawn inside its card
                card = chart.locator("xpath=ancestor::*[contains(@class, 'st-key-commitment_')]").bounding_box()
                box = chart.locator("canvas, svg").first.bounding_box()
                assert box["x"] + box["width"] <= card["x"] + card["width"], (box, card)
            page.screenshot(path=str(artifacts / f"followup-partner-{width}x{height}.png"))
            assert page_errors(page) == []
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
            text = page.locator("[data-testid='stMain']").inner_text()
            assert "2 in the 8 days" not in text and "Partner" in text
            context.close()
    finally:
        server.stop()
