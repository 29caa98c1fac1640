"""Home: what is loaded, how fresh it is, where to go, and the meeting packet."""
import streamlit as st

from seastat import charts, export, reports, ui
from seastat.packet import build_packet, render_html, render_pdf

ui.page("SeaStat")
st.caption("Seattle Police Department · biweekly strategy meeting")

summary = ui.report(reports.data_summary)
st.subheader("Data loaded")
st.dataframe(summary.loaded.drop(columns=["Rows in"]), hide_index=True)
st.caption(f"Published {summary.published_at} · store version {summary.version}")
for label, changed in summary.revisions.items():
    st.caption(f"**{label}** — {changed}.")
spans = ui.report(reports.coverage)
if not spans.empty:
    ui.show_chart(charts.coverage_timeline(spans, "What the published exports cover (one bar per export)"))
    st.caption("A window, offense or area no export covers shows “—” on every page (not covered by the "
               "published exports), never 0.")
store = ui.store()
if not store.datasets:
    st.warning("No dataset has published rows yet.")

st.subheader("Pages")
links = [p for p in ui.pages() if p[3]]
for col, (file, title, icon, _path, blurb) in zip(st.columns(len(links)), links):
    col.page_link(file, label=title, icon=icon, help=blurb)
st.page_link("pages/home.py", label="Shared-screen mode for the meeting (projector)", icon=":material/present_to_all:",
             query_params={"present": "1"})

# --- The meeting's version ------------------------------------------------------------------------
st.subheader("Pin the numbers for a meeting")
pins = ui.meeting_pins()
left, right = st.columns([1, 3])
day = left.date_input("Meeting day", key="meeting_day")
if left.button("Pin this version", icon=":material/push_pin:"):
    pins = ui.pin_meeting(day)
right.caption("A pinned meeting's link (?version=) shows this store version's numbers on every page, in "
              "shared-screen mode and in the packet, even after a re-publish; the publisher keeps the versions "
              f"of the newest {ui.settings().meetings.keep} meetings.")
for meeting, version in pins.items():
    right.page_link("pages/home.py", label=f"Meeting of {meeting}: version {version}", icon=":material/push_pin:",
                    query_params={"version": version})

# --- Meeting packet -------------------------------------------------------------------------------
st.subheader("Meeting packet")
if "crime" not in store.datasets:
    st.info("The packet needs crime reports in the store.")
    st.stop()
settings = ui.settings()
left, middle, right = st.columns([2, 3, 2])
period = ui.pick_period("crime", where=left)
precincts = middle.multiselect("Precincts (all when none is chosen)", settings.present.precinct_order,
                               key="packet_precincts")
# The packet is the hand-out: for partner agencies unless command staff or an analyst asks for every count.
audience = "partner" if ui.access_now().suppresses else right.radio(
    "Made for", ["partner", "command"], horizontal=True, key="packet_audience",
    format_func={"partner": "Partner agencies", "command": "Command staff"}.get)
if right.button("Build the packet", type="primary", icon=":material/picture_as_pdf:"):
    bar = st.progress(0.0, text="Building the packet…")
    packet = build_packet(store, settings, period, precincts=precincts or None, due=ui.due_back(period),
                          commitments=ui.commitments(), audience=audience,
                          progress=lambda message, fraction: bar.progress(min(fraction, 1.0), text=message))
    st.session_state["packet"] = (period.start, tuple(precincts), audience, render_pdf(packet), render_html(packet))
    bar.empty()
built = st.session_state.get("packet")
if built and built[:3] == (period.start, tuple(precincts), audience):
    stem = export.file_stem("packet", period.start, precincts, audience)
    row = st.container(horizontal=True)
    row.download_button("Packet (PDF)", built[3], file_name=f"{stem}.pdf", mime="application/pdf",
                        icon=":material/download:", on_click="ignore")
    row.download_button("Packet (HTML)", built[4].encode(), file_name=f"{stem}.html", mime="text/html",
                        icon=":material/download:", on_click="ignore")
