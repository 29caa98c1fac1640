"""The Streamlit pages run headless with AppTest: what a user sees, deep links, bad links."""
from __future__ import annotations

from conftest import run_page


def test_home_shows_what_is_loaded(synth_store):
    at = run_page("home")
    assert not at.exception
    table = at.dataframe[0].value
    crime = table[table["Dataset"] == "Crime reports"].iloc[0]
    assert crime["Rows published"] == synth_store.manifest["datasets"]["crime"]["rows_published"]
    assert any("Synthetic data" in w.value for w in at.warning)
    assert any(synth_store.manifest["published_at"] in c.value for c in at.caption)


def test_data_page_deep_link_opens_the_same_view():
    at = run_page("data", {"dataset": "calls", "period": "2026-10-05", "precinct": "North", "q": "theft"})
    assert not at.exception
    assert at.selectbox(key="dataset").value == "calls"
    assert at.selectbox(key="period").value.start.isoformat() == "2026-10-05"
    assert at.multiselect(key="precincts").value == ["North"]
    table = at.dataframe[0].value
    assert len(table) > 0 and set(table["precinct"]) == {"North"}
    searched = table["id"] + " " + table["category"] + " " + table["description"] + " " + table["block_address"].fillna("")
    assert searched.str.contains("THEFT").all()


def test_bad_link_values_fall_back_to_defaults_with_a_notice():
    at = run_page("data", {"dataset": "'; DROP VIEW crime; --", "period": "1999-13-45",
                           "precinct": "Narnia,North", "beat": "<script>"})
    assert not at.exception
    assert at.selectbox(key="dataset").value == "crime"
    assert at.multiselect(key="precincts").value == ["North"]
    notes = " ".join(i.value for i in at.info)
    assert "dataset" in notes and "period" in notes and "Narnia" in notes


def test_pages_on_an_empty_store_say_so(tmp_path):
    at = run_page("home", store=tmp_path / "no-store")
    assert not at.exception
    assert any("No data to show" in e.value for e in at.error)
    at = run_page("data", store=tmp_path / "no-store")
    assert not at.exception and at.error


def test_quarantine_panel_lists_reasons(synth_store):
    at = run_page("data")
    reasons = at.dataframe[2].value
    assert set(reasons["reason"]) >= {"duplicate id"}
    assert reasons["rows"].sum() == sum(i["rows_quarantined"] for i in synth_store.manifest["datasets"].values())


def test_home_builds_the_meeting_packet_for_the_chosen_period():
    at = run_page("home", {"period": "2026-10-19"})
    assert not at.exception
    at.multiselect(key="packet_precincts").set_value(["East"]).run()
    next(b for b in at.button if b.label == "Build the packet").click().run(timeout=180)
    assert not at.exception
    pdf, html = at.session_state["packet"][3:]
    assert pdf.startswith(b"%PDF") and "Oct 19, 2026 – Nov 01, 2026" in html and "East precinct" in html
    assert "Made for partner agencies" in html                      # the hand-out, unless command staff is chosen


def test_a_key_number_with_no_change_has_no_arrow_and_no_colour():
    """'+0 vs previous' is no change: Streamlit would read the '+' as a rise and draw a red arrow up."""
    from streamlit.proto.Metric_pb2 import Metric
    from streamlit.testing.v1 import AppTest

    def numbers():
        from seastat import ui, wording
        ui.metrics([wording.Metric("Incidents", "5", "+0 vs previous", "inverse"),
                    wording.Metric("Share", "5", "+0.0%", "inverse"),
                    wording.Metric("Incidents", "7", "+2 vs previous", "inverse"),
                    wording.Metric("Incidents", "3", "-10 vs previous", "inverse")])

    shown = [(Metric.MetricColor.Name(m.proto.color), Metric.MetricDirection.Name(m.proto.direction))
             for m in AppTest.from_function(numbers).run().metric]
    assert shown == [("GRAY", "NONE"), ("GRAY", "NONE"), ("RED", "UP"), ("GREEN", "DOWN")]
