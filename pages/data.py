"""Data: the published records, searchable, and the data-quality panel (manifest and quarantine)."""
import datetime as dt

import pandas as pd
import streamlit as st

from seastat import export, ui

PAGE_ROWS = 1_000          # rows shown on screen
CSV_LIMIT = 250_000        # rows in one CSV download; more asks for narrower filters

st.title("Data")
store = ui.store()
ui.synthetic_notice(store)
dataset = ui.pick_dataset(store)

# --- Filters (also in the URL) ----------------------------------------------------------------
period = ui.pick_period(store, dataset)
first_day, last_day = ui.data_days(store, dataset)
dates = st.sidebar.date_input(
    "Dates", value=(period.start, period.last_day), min_value=first_day, max_value=last_day, key="dates")
start, end = (dates[0], dates[-1]) if dates else (period.start, period.last_day)  # mid-selection: one day
areas = ui.areas(store, dataset)
precinct_options = sorted(areas["precinct"].unique())
precincts = st.sidebar.multiselect(
    "Precincts", precinct_options, default=ui.url_list("precinct", precinct_options, "precinct"), key="precincts")
beat_rows = areas[areas["precinct"].isin(precincts)] if precincts else areas
beat_options = sorted(beat_rows["beat"].unique())
beats = st.sidebar.multiselect(
    "Beats", beat_options, default=ui.url_list("beat", beat_options, "beat"), key="beats")
text = st.sidebar.text_input("Search text (offense, call type, address, id)", key="text",
                             value=st.query_params.get("q", "")[:200]).strip()
ui.set_url(dataset=dataset, period=period.start.isoformat(), precinct=precincts, beat=beats, q=text)
ui.show_notices()

params = dict(dataset=dataset, start=dt.datetime.combine(start, dt.time()),
              end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
              precincts=precincts, beats=beats, text=text)

# --- Incident table -----------------------------------------------------------------------------
with st.spinner("Searching…"):
    matching = int(ui.query(store, "search_count", **params)["matching"].iloc[0])
    table = ui.query(store, "search", **params, limit=PAGE_ROWS)
st.subheader(f"{ui.DATASET_LABELS[dataset]}: {matching:,} records, {start:%b %d, %Y} – {end:%b %d, %Y}")
if matching > PAGE_ROWS:
    st.caption(f"Showing the newest {PAGE_ROWS:,}; the CSV holds all {matching:,}." if matching <= CSV_LIMIT
               else f"Showing the newest {PAGE_ROWS:,}. Narrow the filters to under {CSV_LIMIT:,} rows to download.")
st.dataframe(table, hide_index=True, height=420)
if 0 < matching <= CSV_LIMIT:
    full = table if matching <= PAGE_ROWS else ui.query(store, "search", **params, limit=CSV_LIMIT)
    ui.download_table(full, export.file_stem("data", dataset, f"{start:%Y%m%d}-{end:%Y%m%d}", precincts, beats),
                      label="Download CSV")

# --- Data quality -------------------------------------------------------------------------------
st.subheader("Data quality")
manifest = store.manifest
st.dataframe(pd.DataFrame([
    {"Dataset": ui.DATASET_LABELS[n], "Rows in": i["rows_in"], "Published": i["rows_published"],
     "Quarantined": i["rows_quarantined"], "Sources": ", ".join(f"{s['file']} ({s['layout']})" for s in i["sources"])}
    for n, i in manifest["datasets"].items()
]), hide_index=True)
st.caption("Every source row is counted: rows in = published + quarantined. "
           f"Published {manifest['published_at']}, version {manifest['version']}.")
reasons = ui.query(store, "quarantine_reasons")
st.markdown("**Quarantined rows by reason**")
if reasons.empty:
    st.success("No row was quarantined.")
else:
    st.dataframe(reasons, hide_index=True)
with st.expander("Privacy rules applied at publish time"):
    st.json(manifest["privacy"])
