"""Hot spots: where incidents concentrate, and which hot spots are new, persistent or fading."""

import streamlit as st

from seastat import export, hotspots, maps, ui
from seastat.geo import load_boundaries

st.title("Hot spots")
store = ui.store()
ui.synthetic_notice(store)
dataset = ui.pick_dataset(store)
settings = ui.settings()
hs = settings.hotspots
boundaries = load_boundaries(settings.boundaries_dir)
beat_names = sorted(boundaries["beat"]["beat"])

# --- Filters and view (also in the URL) ---------------------------------------------------------
period = ui.pick_period(store, dataset)
group, types = "all", []
if dataset == "crime":
    groups = ["all", *settings.offense_groups, "other"]
    group = st.sidebar.selectbox("Offense group", groups, key="group", format_func=lambda g: g.replace("_", " "),
                                 index=groups.index(ui.url_value("group", "all", ui.one_of(groups), "offense group")))
    type_options = [*settings.offense_types, "other"] if group == "all" else settings.offense_groups.get(group, ["other"])
    if "types" not in st.session_state:     # the link on first load; afterwards a new group keeps its own types
        st.session_state["types"] = ui.url_list("type", type_options, "offense type")
    st.session_state["types"] = [t for t in st.session_state["types"] if t in type_options]
    types = st.sidebar.multiselect("Offense types", type_options, key="types", format_func=lambda t: t.replace("_", " "))
views = list(maps.VIEWS) if dataset != "use_of_force" else ["count", "change"]   # use of force has no coordinates
view = st.sidebar.radio("Map", views, format_func=maps.VIEWS.get, key="view",
                        index=views.index(ui.url_value("map", "count", ui.one_of(views), "map")))
if "beat" not in st.session_state:     # the map's click callback writes here too
    st.session_state["beat"] = ui.url_value("beat", "", ui.one_of(beat_names), "beat")
beat = st.sidebar.selectbox("Beat (or click the map)", ["", *beat_names], key="beat",
                            format_func=lambda b: b or "All beats")
ui.set_url(dataset=dataset, period=period.start.isoformat(), group="" if group == "all" else group, type=types,
           map=view, beat=beat)
ui.show_notices()

# --- Counts and hot spots -----------------------------------------------------------------------
windows, params = hotspots.query_params(ui.grid(), period, hs, dataset, group, types)
previous = windows[-2]


@st.cache_data(max_entries=64, show_spinner="Finding hot spots…")
def analysis(version: str, params: dict) -> hotspots.Analysis:
    return hotspots.analyse(ui.query(store, "hotspots/incidents", **params), settings.boundaries_dir, len(windows), hs)


result = analysis(store.version, params)
filters = ("all offenses" if group == "all" and not types else ", ".join(types or [group]).replace("_", " ")) \
    if dataset == "crime" else "all records"
what = f"{ui.DATASET_LABELS[dataset]} · {filters} · {period.label()}"
st.subheader(what)
if dataset == "use_of_force":
    st.info("Use-of-force records carry no coordinates: the beat map and table only.", icon=":material/info:")

# --- Key numbers (follow the selected beat) -----------------------------------------------------
cells, beats = result.cells, result.beats
current_blocks = result.blocks[result.blocks["period"] == result.periods - 1]
per_block = current_blocks.groupby("block_address")["incidents"].sum()     # a street can cross two beats
places = int(ui.query(store, "hotspots/block_count", dataset=dataset)["blocks"].iloc[0])
hit, pai = hotspots.hit_rate_and_pai(cells["was_hot"], cells["incidents"])
numbers = st.columns(4)
if beat:
    row = beats[beats["beat"] == beat].iloc[0]
    numbers[0].metric(f"Incidents in beat {beat}", f"{row['incidents']:,}", f"{row['change']:+,} vs previous",
                      delta_color="inverse")
    numbers[1].metric("Share of all incidents", f"{row['incidents'] / max(result.total, 1):.1%}")
    numbers[2].metric("Hot-spot cells in the beat", f"{int((cells['hot'] & (cells['beat'] == beat)).sum())}")
    numbers[3].metric("Beat Gi* z-score", f"{row['z']:.1f}", delta_color="off", delta_arrow="off",
                      delta="not a hot spot" if row["label"] == "none" else f"{maps.LABEL_SYMBOLS[row['label']]} {row['label']}")
else:
    numbers[0].metric("Incidents", f"{result.total:,}", f"{result.total - result.total_previous:+,} vs previous",
                      delta_color="inverse")
    half = hotspots.places_holding(per_block, places, 0.5)
    numbers[1].metric("Half of incidents fall on", "—" if half is None else f"{half:.1%} of 100-blocks")
    numbers[2].metric("Gi* hot-spot cells", f"{int(cells['hot'].sum())}", f"{int(cells['was_hot'].sum())} last period",
                      delta_color="off", delta_arrow="off")
    numbers[3].metric("Last period's hot spots caught", "—" if hit is None else f"{hit:.1%} of incidents",
                      "no hot-spot cells last period" if pai is None else f"PAI {pai:.1f}", delta_color="off",
                      delta_arrow="off",
                      help="Hit rate: this period's incidents inside last period's Gi* hot-spot cells. "
                           "PAI = hit rate / the cells' share of the city's area.")

# --- The map ----------------------------------------------------------------------------------------


def pick_from_map() -> None:
    """A click on a beat or a cell selects that beat."""
    objects = st.session_state["hotspot_map"].selection.objects
    for picked in objects.get("cells", []) + objects.get("beats", []):
        clicked = picked.get("beat") or picked.get("properties", {}).get("beat")
        if clicked in beat_names:
            st.session_state["beat"] = clicked
            return


previous_label = f"{previous.start:%b %d}–{previous.last_day:%b %d}"
deck, legend = maps.hotspot_deck(boundaries, beats, cells, view, hs.basemap, hs.min_cell_count, beat or None,
                                 previous_label)
map_col, side_col = st.columns([4, 5])
map_col.pydeck_chart(deck, height=660, key="hotspot_map", on_select=pick_from_map, selection_mode="single-object")
legend_titles = {"count": "Incidents per beat", "change": f"Change vs {previous_label}",
                 "density": f"Incidents per H3 cell (cells under {hs.min_cell_count} not drawn)",
                 "hotspots": f"Gi* hot spots (FDR {hs.significance:.0%}) against the previous {hs.emerging_periods} periods"}
legend_col, note_col = side_col.columns([3, 2])
legend_col.markdown(maps.legend_html(legend_titles[view], legend), unsafe_allow_html=True)
note_col.caption("Thick lines: precincts; thin: sectors. Click a beat or a cell to select its beat.")
if result.outside:
    note_col.caption(f"{result.outside:,} incidents have coordinates outside the beat boundaries; "
                     "they are in the totals, not on the map.")

# --- Tables ---------------------------------------------------------------------------------------
if beat:
    row = beats[beats["beat"] == beat].iloc[0]
    block_table = hotspots.block_table(result.blocks[result.blocks["beat"] == beat], result.periods,
                                       int(row["incidents"]), int(row["previous"]), hs.min_cell_count)
else:
    block_table = hotspots.block_table(result.blocks, result.periods, result.total, result.total_previous,
                                       hs.min_cell_count)
side_col.markdown(f"**Hottest 100-blocks{f' in beat {beat}' if beat else ''}**")
side_col.dataframe(
    block_table.assign(rank=block_table["rank"].astype("string").fillna(""), share=block_table["share"] * 100),
    hide_index=True, height=400, column_order=[c for c in block_table if not (beat and c == "beat")], column_config={
    "rank": "Rank", "block_address": "100-block", "beat": "Beat", "incidents": "Incidents",
    "previous": "Previous", "change": "Change",
    "share": st.column_config.NumberColumn("Share of beat" if beat else "Share of all", format="%.1f%%")})
beat_table = beats.sort_values(["incidents", "beat"], ascending=[False, True]).assign(
    share=lambda t: t["incidents"] / max(result.total, 1),
    label=lambda t: [f"{maps.LABEL_SYMBOLS.get(lab, '')} {lab}".strip() for lab in t["label"]])
beats_col, curve_col, export_col = st.columns([4, 4, 2])
beats_col.markdown("**Beats**")
beats_col.dataframe(
    beat_table[["beat", "precinct", "incidents", "previous", "change", "share", "z", "label"]].assign(
        share=beat_table["share"] * 100), hide_index=True, height=360, column_config={
        "beat": "Beat", "precinct": "Precinct", "incidents": "Incidents", "previous": "Previous", "change": "Change",
        "share": st.column_config.NumberColumn("Share", format="%.1f%%"),
        "z": st.column_config.NumberColumn("Gi* z", format="%.1f"), "label": "Hot spot"})

# --- Concentration and exports ------------------------------------------------------------------------
curves = {"100-blocks": hotspots.concentration_curve(per_block, places),
          "H3 cells": hotspots.concentration_curve(cells["incidents"], len(cells))}
curve = maps.concentration_chart(curves, f"Concentration: {period.label()}")
curve_col.altair_chart(curve, width="stretch")
curve_col.caption(f"100-blocks: the {places:,} blocks with any published record in this dataset. "
                  f"H3 cells: the {len(cells):,} cells covering the beats. "
                  "In Seattle about half of crime falls on about 5 % of street segments (Weisburd 2015).")
stem = export.file_stem("hotspots", dataset, period.start, group if group != "all" else "", types, beat)
export_col.markdown("**Exports**")
hot_cells = hotspots.significant_cells(cells, hs.min_cell_count)
ui.download_table(block_table, stem + "_blocks", "Hottest blocks (CSV)", where=export_col)
ui.download_table(beat_table, stem + "_beats", "Beats (CSV)", where=export_col)
export_col.download_button(
    "Hot-spot cells (GeoJSON)", hotspots.geojson_bytes(hot_cells, f"{what}. {export.source_caption(store.manifest)}"),
    file_name=f"{stem}_cells.geojson", mime="application/geo+json", icon=":material/map:", on_click="ignore")
static = export.with_caption(maps.static_map(boundaries, beats, hot_cells, "change" if view == "change" else "count",
                                             f"Hot spots · {what}"), store.manifest)
export_col.caption("Map as a picture (no background tiles)")
ui.download_chart(static, stem + "_map", where=export_col)
