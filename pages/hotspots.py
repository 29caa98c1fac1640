"""Hot spots: where incidents concentrate, and which hot spots are new, persistent or fading.
Layout only: the numbers come from reports.hotspot_report."""
import streamlit as st

from seastat import charts, export, hotspots, maps, palette, reports, tables, ui, wording
from seastat.datasets import FACTS
from seastat.geo import load_boundaries

ui.page("Hot spots")
settings = ui.settings()
hs = settings.hotspots
boundaries = load_boundaries(settings.boundaries_dir)

# --- The view (in the URL) ----------------------------------------------------------------------
dataset = ui.pick_dataset()
period = ui.pick_period(dataset)
rows = ui.report(reports.offense_rows, dataset)
offenses = []
if len(rows) > 1:
    ui.choose_many("offenses", list(rows), url_key="offense", what="offense group")
    offenses = st.sidebar.multiselect(FACTS[dataset].row_label + " (all when none)", list(rows), key="offenses",
                                      format_func=lambda k: rows[k][0])
precincts = ui.pick_precincts(dataset)
views = list(maps.VIEWS) if FACTS[dataset].has_coordinates else ["count", "change"]
ui.choose("view", views, "count", "map")
view_kind = st.sidebar.radio("Map", views, format_func=maps.VIEWS.get, key="view")
beat_names = sorted(b for b, p in zip(boundaries["beat"]["beat"], boundaries["beat"]["precinct"])
                    if not precincts or p in precincts)
ui.choose("beat", ["", *beat_names], "")
beat = st.sidebar.selectbox("Beat (or click the map)", ["", *beat_names], key="beat",
                            format_func=lambda b: b or "All beats")
view = ui.view(dataset, period, precincts=precincts, offenses=offenses)
ui.set_url(map=view_kind, beat=beat)

with st.spinner("Finding hot spots…"):
    result = ui.report(reports.hotspot_report, view)
a = result.analysis
what = f"{FACTS[dataset].label} · {result.label} · {period.label()}"
st.subheader(what)
if not FACTS[dataset].has_coordinates:
    st.info("Use-of-force records carry no coordinates: the beat map and table only.", icon=":material/info:")

# --- The map --------------------------------------------------------------------------------------
def pick_from_map() -> None:
    """A click on a beat or a cell selects that beat."""
    objects = st.session_state["hotspot_map"].selection.objects
    for picked in objects.get("cells", []) + objects.get("beats", []):
        clicked = picked.get("beat") or picked.get("properties", {}).get("beat")
        if clicked in beat_names:
            st.session_state["beat"] = clicked
            return


previous_label = f"{result.previous.start:%b %d}–{result.previous.last_day:%b %d}"
hold_back = hs.min_cell_count if ui.access_now().suppresses else 0      # the partner view
deck, legend = maps.hotspot_deck(boundaries, a.beats, a.cells, view_kind, hs.basemap, hs.min_cell_count,
                                 beat or None, previous_label, hs.emerging_periods, hold_back=hold_back)
map_col, side_col = st.columns([4, 5])
numbers = wording.hotspot_numbers(result, beat, hold_back)      # beside the map, so the map starts on the first screen
ui.metrics(numbers[:2], where=side_col)
ui.metrics(numbers[2:], where=side_col)
map_col.pydeck_chart(deck, height=620, key="hotspot_map", on_select=pick_from_map, selection_mode="single-object")
legend_titles = {"count": "Incidents per beat", "change": f"Change vs {previous_label}",
                 "density": f"Incidents per H3 cell (cells under {hs.min_cell_count} not drawn)",
                 "hotspots": f"Gi* hot spots (FDR {hs.significance:.0%}) against the previous {hs.emerging_periods} periods"}
legend_col, note_col = side_col.columns([3, 2])
legend_col.markdown(maps.legend_html(legend_titles[view_kind], legend), unsafe_allow_html=True)
note_col.caption("Thick lines: precincts; thin: sectors. Click a beat or a cell to select its beat.")
if a.outside:
    note_col.caption(f"{a.outside:,} incidents have coordinates outside the beat boundaries; "
                     "they are in the totals, not on the map.")

# --- Tables ---------------------------------------------------------------------------------------
chosen_beats = [beat] if beat else (beat_names if precincts else None)
block_table = tables.hot_blocks(result, chosen_beats)
where = f" in beat {beat}" if beat else (f" in {', '.join(precincts)}" if precincts else "")
side_col.markdown(f"**Hottest 100-blocks{where}**")
side_col.dataframe(     # partners: counts under the minimum held back, as in the CSV (tables.HOLD_BACK)
    wording.grid(ui.partner_safe(block_table.assign(rank=block_table["rank"].astype("string").fillna(""),
                                                    share=block_table["share"] * 100), **tables.HOLD_BACK["hot-blocks"])),
    hide_index=True, height=400, column_order=[c for c in block_table if not (beat and c == "beat")], column_config={
        "rank": "Rank", "block_address": "100-block", "beat": "Beat", "incidents": "Incidents",
        "previous": "Previous", "change": "Change",
        "share": st.column_config.NumberColumn(f"Share{where}" if where else "Share of all", format="%.1f%%")})
beat_table = result.beats[result.beats["precinct"].isin(precincts)] if precincts else result.beats
beat_table = beat_table.assign(label=[f"{palette.LABEL_SYMBOLS.get(lab, '')} {lab}".strip() for lab in beat_table["label"]])
beats_col, curve_col, export_col = st.columns([4, 4, 2])
beats_col.markdown("**Beats**")
beats_col.dataframe(wording.grid(ui.partner_safe(
    beat_table[["beat", "precinct", "incidents", "previous", "change", "share", "z", "label"]].assign(
        share=beat_table["share"] * 100), **tables.HOLD_BACK["hotspot-beats"])), hide_index=True, height=360, column_config={
        "beat": "Beat", "precinct": "Precinct", "incidents": "Incidents", "previous": "Previous", "change": "Change",
        "share": st.column_config.NumberColumn("Share", format="%.1f%%"),
        "z": st.column_config.NumberColumn("Gi* z", format="%.1f"), "label": "Hot spot"})

# --- Concentration and exports --------------------------------------------------------------------
ui.show_chart(charts.concentration_chart(result.curves, f"Concentration: {period.label()}"), where=curve_col)
curve_col.caption(f"100-blocks: the {result.places:,} blocks with any published record in this dataset. "
                  f"H3 cells: the {len(a.cells):,} cells covering the beats. "
                  "In Seattle about half of crime falls on about 5 % of street segments (Weisburd 2015).")
stem = export.file_stem("hotspots", dataset, period.start, view.offenses, precincts, beat)
export_col.markdown("**Exports**")
ui.download_table(block_table, stem + "_blocks", "Hottest blocks (CSV)", where=export_col,
                  **tables.HOLD_BACK["hot-blocks"])
ui.download_table(tables.hotspot_beats(result, precincts), stem + "_beats", "Beats (CSV)", where=export_col,
                  **tables.HOLD_BACK["hotspot-beats"])
ui.download_table(tables.hotspot_cells(result), stem + "_cells", "Cells (CSV)", where=export_col)
export_col.download_button(
    "Hot-spot cells (GeoJSON)", lambda: hotspots.geojson_bytes(
        result.hot_cells, f"{what}. {export.source_caption(ui.store().manifest)}"),
    file_name=f"{stem}_cells.geojson", mime="application/geo+json", icon=":material/map:", on_click="ignore")
static = export.with_caption(charts.static_map(boundaries, a.beats, result.hot_cells,
                                             "change" if view_kind == "change" else "count", f"Hot spots · {what}",
                                             hold_back),
                             ui.store().manifest)
export_col.caption("Map as a picture (no background tiles)")
ui.download_chart(static, stem + "_map", where=export_col)

# --- Near-repeat risk (burglary, robbery, vehicle theft) -------------------------------------------
if FACTS[dataset].has_offense_groups:
    with st.spinner("Testing near repeats…"):
        near = ui.report(reports.near_repeat_report, period)
    st.subheader("Near-repeat risk: burglary, robbery and vehicle theft")
    st.caption(near.note + f" Events tested: {near.lookback.label()}; Knox test per offense type "
               "(the pairs expected by chance and their spread exact over every shuffle of the dates).")
    # One under the other: side by side, each table was cut off at 1280 px (its counts scrolled out of view).
    knox_col = places_col = st.container()
    knox_col.markdown("**Pairs close in space and time, more often than chance** (ratio = observed / expected)")
    knox_col.dataframe(wording.knox_table(ui.partner_safe(near.elevated(settings.level), **tables.HOLD_BACK["knox"])),
                       hide_index=True)
    places_col.markdown(f"**Places at risk now** (events in the {settings.near_repeat.recent_days} days to "
                        f"{period.last_day:%b %d}, window open)")
    places = wording.grid(ui.partner_safe(near.places, **tables.HOLD_BACK["near-repeat"]))
    places_col.dataframe(places.assign(offenses=places["offenses"].str.replace("motor vehicle", "vehicle")), hide_index=True,
                         # "Open until" (the last event + the window) without "Last event" (in the CSV): fits 1280 px
                         column_order=["block_address", "beat", "events", "offenses", "open_until"], column_config={
        "block_address": "100-block", "beat": "Beat", "events": "Events", "offenses": "Offenses",
        "open_until": st.column_config.DateColumn("Open until", format="MMM D")})
    ui.download_table(tables.near_repeat_places(near), stem + "_near_repeat", "Places at risk (CSV)",
                      where=places_col, **tables.HOLD_BACK["near-repeat"])
