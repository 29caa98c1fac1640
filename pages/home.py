"""Home: what is loaded, how fresh it is, and where to go."""
import pandas as pd
import streamlit as st

from seastat import ui

st.title("SeaStat")
st.caption("Seattle Police Department · biweekly strategy meeting")

store = ui.store()
if store is None:
    st.stop()
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
