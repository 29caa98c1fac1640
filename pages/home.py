"""Home: what is loaded, how fresh it is, and where to go."""
import pandas as pd
import streamlit as st

from seastat import export, ui
from seastat.packet import build_packet, render_html, render_pdf

st.title("SeaStat")
st.caption("Seattle Police Department · biweekly strategy meeting")

store = ui.store()
ui.synthetic_notice(store)

m = store.manifest
rows = [
    {
        "Dataset": ui.DATASET_LABELS[name],
        "Rows published": info["rows_published"],
        "Rows quarantined": info["rows_quarantined"],
        "First record": (info["min_event_at"] or "")[:10],
        "Last record": (info["max_event_at"] or "")[:10],
        "Source": "synthetic" if info["synthetic"] else ", ".join(src["file"] for src in info["sources"]) or "none",
    }
    for name, info in m["datasets"].items()
]
st.subheader("Data loaded")
st.dataframe(pd.DataFrame(rows), hide_index=True)
st.caption(f"Published {m['published_at']} · store version {m['version']}")
if not store.datasets:
    st.warning("No dataset has published rows yet.")

st.subheader("Pages")
cols = st.columns(4)
cols[0].page_link("pages/trends.py", label="Precinct trends — the CompStat table", icon=":material/trending_up:")
cols[1].page_link("pages/hotspots.py", label="Hot spots — where incidents concentrate", icon=":material/map:")
cols[2].page_link("pages/compare.py", label="Compare — precincts, periods, datasets", icon=":material/compare_arrows:")
cols[3].page_link("pages/data.py", label="Data — incident table and data quality", icon=":material/table_view:")
st.page_link("pages/home.py", label="Shared-screen mode for the meeting (projector)", icon=":material/present_to_all:",
             query_params={"present": "1"})

# --- Meeting packet ---------------------------------------------------------------------------------
st.subheader("Meeting packet")
if "crime" not in store.datasets:
    st.info("The packet needs crime reports in the store.")
    st.stop()
settings = ui.settings()
left, middle, right = st.columns([2, 3, 2])
period = ui.pick_period(store, "crime", where=left)
precincts = middle.multiselect("Precincts (all when none is chosen)", settings.present.precinct_order,
                               key="packet_precincts")
if right.button("Build the packet", type="primary", icon=":material/picture_as_pdf:"):
    bar = st.progress(0.0, text="Building the packet…")
    packet = build_packet(store, settings, period, precincts=precincts or None,
                          progress=lambda message, fraction: bar.progress(min(fraction, 1.0), text=message))
    st.session_state["packet"] = (period.start, tuple(precincts), render_pdf(packet), render_html(packet))
    bar.empty()
built = st.session_state.get("packet")
if built and built[:2] == (period.start, tuple(precincts)):
    stem = export.file_stem("packet", period.start, precincts)
    cols = st.columns(4)
    cols[0].download_button("Packet (PDF)", built[2], file_name=f"{stem}.pdf", mime="application/pdf",
                            icon=":material/download:", on_click="ignore")
    cols[1].download_button("Packet (HTML)", built[3].encode(), file_name=f"{stem}.html", mime="text/html",
                            icon=":material/download:", on_click="ignore")
