"""Data: the published records, searchable, and the data-quality panel (manifest and quarantine).
Layout only: reports.records and reports.data_summary."""
import datetime as dt

import streamlit as st

from seastat import export, reports, ui
from seastat.datasets import FACTS

PAGE_ROWS = 1_000          # rows shown on screen
CSV_LIMIT = 250_000        # rows in one CSV download; more asks for narrower filters

ui.page("Data")

# --- Filters (all of them in the URL) -------------------------------------------------------------
dataset = ui.pick_dataset()


def dates_follow_the_period() -> None:
    """A new period sets the dates to it; the dates can then be narrowed or widened."""
    chosen = st.session_state["period"]
    st.session_state["dates"] = (chosen.start, chosen.last_day)


period = ui.pick_period(dataset, on_change=dates_follow_the_period)
first_day, last_day = ui.store().days(dataset)


def day_in_data(text: str) -> dt.date:
    day = dt.date.fromisoformat(text)
    if not first_day <= day <= last_day:
        raise ValueError(text)
    return day


ui.seed("dates", (ui.url_value("from", period.start, day_in_data, "first day"),
                  ui.url_value("to", period.last_day, day_in_data, "last day")),
        lambda v: len(v) in (1, 2) and all(first_day <= d <= last_day for d in v), "from")
dates = st.sidebar.date_input("Dates", min_value=first_day, max_value=last_day, key="dates")
start, end = (dates[0], dates[-1]) if dates else (period.start, period.last_day)     # mid-selection: one day
precincts = ui.pick_precincts(dataset)
areas = ui.report(reports.areas, dataset)
beat_options = sorted((areas[areas["precinct"].isin(precincts)] if precincts else areas)["beat"].unique())
ui.choose_many("beats", beat_options, url_key="beat")
beats = st.sidebar.multiselect("Beats", beat_options, key="beats")
ui.seed("text", (ui.linked("q")[0] or "")[:200], url_key="q")
text = st.sidebar.text_input("Search text (offense, call type, address, id)", key="text").strip() \
    if ui.access_now().record_level else ""       # partners: no record search
ui.view(dataset, period, precincts=precincts)
ui.set_url(**{"from": start.isoformat(), "to": end.isoformat()}, beat=beats, q=text)

# --- Incident table -------------------------------------------------------------------------------
if not ui.access_now().record_level:        # the partner view: counts, never records
    st.info("Record search and record downloads are not part of the partner view.", icon=":material/lock:")
else:
    with st.spinner("Searching…"):
        found = ui.report(reports.records, dataset, start, end, precincts, beats, text, PAGE_ROWS)
    st.subheader(f"{FACTS[dataset].label}: {found.matching:,} records, {start:%b %d, %Y} – {end:%b %d, %Y}")
    if found.matching > PAGE_ROWS:
        st.caption(f"Showing the newest {PAGE_ROWS:,}; the CSV holds all {found.matching:,}."
                   if found.matching <= CSV_LIMIT else
                   f"Showing the newest {PAGE_ROWS:,}. Narrow the filters to under {CSV_LIMIT:,} rows to download.")
    st.dataframe(found.rows, hide_index=True, height=420)
    if 0 < found.matching <= CSV_LIMIT:
        everything = found if found.matching <= PAGE_ROWS else \
            ui.report(reports.records, dataset, start, end, precincts, beats, text, CSV_LIMIT)
        ui.download_table(everything.rows, export.file_stem("data", dataset, f"{start:%Y%m%d}-{end:%Y%m%d}", precincts,
                                                            beats), label="Download CSV", records=True)

# --- Data quality ---------------------------------------------------------------------------------
summary = ui.report(reports.data_summary)
st.subheader("Data quality")
st.dataframe(summary.loaded.drop(columns=["First record", "Last record"]), hide_index=True)
st.caption("Every source row is counted: rows in = published + quarantined + superseded (an older export's "
           f"copy of a record a newer one holds). Published {summary.published_at}, version {summary.version}.")
for label, changed in summary.revisions.items():
    st.caption(f"**{label}** — {changed}.")
st.markdown("**Quarantined rows by reason**")
if summary.reasons.empty:
    st.success("No row was quarantined.")
else:
    st.dataframe(summary.reasons, hide_index=True)
with st.expander("Privacy rules applied at publish time"):
    st.json(summary.privacy)
