"""Shared-screen mode (?present=1 on any address): the meeting's panels from config.toml [present],
one at a time, in large type, with no sidebar or filters, stepped with Previous / Next or their
keys (config.toml: the arrows, or a clicker's PageUp / PageDown). The step, dataset and period are in the URL (&step=3), so a link reopens the panel.
The numbers come from the same builders as the trends, hot-spot and compare pages."""
import datetime as dt

import streamlit as st

from seastat import charts, compare, compstat, export, hotspots, maps, present, ui
from seastat.geo import load_boundaries

SHOWN_PERIODS = 26   # a year of biweekly periods in the trend panels

st.html(present.CSS)      # style only: goes to the event container, takes no space
store = ui.store()
settings, grid, manifest = ui.settings(), ui.grid(), store.manifest
level = compstat.alpha(settings.stats.z_threshold)
panels = present.sequence(settings.present)
if not panels or not store.datasets:
    st.warning("Nothing to present: config.toml [present] lists no panels, or the store has no data.")
    st.stop()

step = ui.url_value("step", 1, lambda v: present.parse_step(v, len(panels)), "step")
dataset = ui.url_value("dataset", store.datasets[0], ui.one_of(store.datasets), "dataset")
periods_offered = ui.complete_periods(store, dataset)
by_start = {p.start.isoformat(): p for p in periods_offered}
period = ui.url_value("period", periods_offered[0], lambda v: by_start[dt.date.fromisoformat(v).isoformat()], "period")
panel = panels[step - 1]
ui.set_url(step=step)
label = ui.DATASET_LABELS[dataset]


# --- The bar: where we are, and the steps ----------------------------------------------------------
def go(to: int) -> None:
    st.query_params["step"] = str(to)


def leave() -> None:
    for key in ("present", "step"):
        st.query_params.pop(key, None)


bar = st.columns([1.2, 6, 1.2, 1], vertical_alignment="center")
bar[0].button("Previous", key="previous", shortcut=settings.present.previous_key, disabled=step == 1,   # the key shows on it
              on_click=go, args=(present.previous_step(step),), width="stretch")
about = label if panel.kind in ("city", "precinct", "hotspots", "change") else "Crime, calls and use of force"
bar[1].markdown(f"## {panel.title}\n{step} of {len(panels)} · {about} · {period.label()}")
bar[2].button("Next", key="next", shortcut=settings.present.next_key, disabled=step == len(panels), type="primary",
              on_click=go, args=(present.next_step(step, len(panels)),), width="stretch")
bar[3].button("Leave", key="leave", icon=":material/close:", on_click=leave, help="Back to the dashboard",
              type="tertiary")
ui.show_notices()
ui.synthetic_notice(store)


def show_chart(chart) -> None:
    st.altair_chart(export.with_caption(chart, manifest), theme=None)


# --- The panels ------------------------------------------------------------------------------------
def compstat_table():
    first_day = ui.data_days(store, dataset)[0]
    windows = compstat.report_windows(grid, period, first_day, settings.stats.baseline_periods)
    counts = ui.query(store, "trends/window_counts", dataset=dataset, windows=compstat.as_params(windows), against=[])
    rows = compstat.offense_rows(dataset, settings, sorted(set(counts["offense"])))
    keys = compstat.default_rows(dataset, settings, rows)
    table = compstat.compstat_table(counts, ui.areas(store, dataset), windows, {k: rows[k] for k in keys},
                                    level=level, period_days=grid.length_days)
    return table, rows, keys


def show_table(table) -> None:
    st.table(present.styled_summary(present.summary(table)))


def city_panel() -> None:
    table, _, _ = compstat_table()
    show_table(compstat.precinct_view(table))
    st.caption(compstat.METHOD.format(alpha=level, threshold=settings.stats.z_threshold,
                                      periods=settings.stats.baseline_periods))


def precinct_panel() -> None:
    table, rows, keys = compstat_table()
    show_table(table[table["level"].isin(["precinct", "sector"]) & (table["precinct"] == panel.precinct)])
    first_day = ui.data_days(store, dataset)[0]
    periods = compstat.trend_periods(grid, period, first_day, SHOWN_PERIODS, settings.stats.baseline_periods)
    counts = ui.query(store, "trends/window_counts", dataset=dataset, against=[],
                      windows=compstat.period_params(periods))
    series = present.headline_trends(counts, periods, rows, keys, panel.precinct, level=level,
                                     baseline_periods=settings.stats.baseline_periods, shown=SHOWN_PERIODS)
    title = f"{panel.precinct}: {label} per biweekly period; grey band: expected range"
    show_chart(charts.trend_small_multiples(series, columns=3, width=330, height=170, title=title))


@st.cache_data(max_entries=16, show_spinner="Finding hot spots…")
def hot_spot_pictures(version: str, periods: int, params: dict, title: str) -> tuple[bytes, hotspots.Analysis]:
    """The static hot-spot map as a PNG (the hot-spot page's export: no tiles, no WebGL) and the analysis."""
    result = hotspots.analyse(ui.query(store, "hotspots/incidents", **params), settings.boundaries_dir, periods,
                              settings.hotspots)
    hot_cells = hotspots.significant_cells(result.cells, settings.hotspots.min_cell_count)
    chart = maps.static_map(load_boundaries(settings.boundaries_dir), result.beats, hot_cells, "count", title)
    return export.chart_png(export.with_caption(chart.properties(width=460, height=540), manifest)), result


def hotspots_panel() -> None:
    hs = settings.hotspots
    windows, params = hotspots.query_params(grid, period, hs, dataset)
    png, result = hot_spot_pictures(store.version, len(windows), params, f"Hot spots · {label} · {period.label()}")
    map_col, table_col = st.columns([1, 1.5])
    map_col.image(png, width="stretch")
    blocks = hotspots.block_table(result.blocks, result.periods, result.total, result.total_previous, hs.min_cell_count)
    table_col.metric("Gi* hot-spot cells", f"{int(result.cells['hot'].sum())}",
                     f"{int(result.cells['was_hot'].sum())} last period", delta_color="off", delta_arrow="off")
    table_col.markdown("**Hottest 100-blocks**")
    top = blocks.head(8)
    table_col.table(top.assign(share=[f"{v:.1%}" for v in top["share"]], change=[f"{v:+,}" for v in top["change"]])
                    [["rank", "block_address", "beat", "incidents", "change", "share"]].rename(columns={
                        "rank": "Rank", "block_address": "100-block", "beat": "Beat", "incidents": "Incidents",
                        "change": "± previous", "share": "Share"}), hide_index=True)


def change_panel() -> None:
    last_year = compare.period_against(grid, period, "last_year")
    if last_year.start < ui.data_days(store, dataset)[0]:
        st.info(f"The same period last year ({compare.period_name(last_year)}) is before the data begin.")
        return
    a, b = (compare.Slice(k, w, compare.Area(), compare.period_name(w)) for k, w in (("a", period), ("b", last_year)))
    counts = ui.query(store, "compare/counts", dataset=dataset, windows=compare.windows_param(a, b))
    part_a, part_b = compare.chosen(counts, a), compare.chosen(counts, b)
    what = compare.NOUNS[dataset]
    st.markdown("#### " + compare.in_words(compare.difference(a.label, part_a["n"].sum(), b.label, part_b["n"].sum(),
                                                              level), what))
    mix = compare.offense_mix(part_a, part_b, top=10)
    st.markdown(compare.mix_in_words(mix, a.label, b.label, what))
    show_chart(compare.mix_chart(mix, a.label, b.label, f"{label} by group, city-wide", width=330))


def period_counts(*datasets):
    one = compare.Slice("a", period, compare.Area(), "")
    return [ui.query(store, "trends/window_counts", dataset=d, windows=compare.windows_param(one), against=[])
            for d in datasets]


def datasets_panel() -> None:
    table = compare.dataset_table(*period_counts(*compare.DATASETS))
    st.table(compare.shown(table), hide_index=True)
    city = table.iloc[0]
    st.markdown("#### " + compare.datasets_in_words(city["area"], city[list(compare.DATASETS)].to_dict(),
                                                    city["calls_per_crime"], city["use_of_force_per_1000_calls"]))


def use_of_force_panel() -> None:
    use_of_force, calls = period_counts("use_of_force", "calls")
    levels = compare.level_order(ui.query(store, "compare/incident_types")["incident_type"])
    table = compare.use_of_force_table(use_of_force, calls, levels)
    st.table(compare.shown(table), hide_index=True)
    city = table.iloc[0]
    st.markdown("#### " + compare.use_of_force_in_words(city["area"], city[levels], city["calls"],
                                                        city["use_of_force_per_1000_calls"]))


if panel.kind in ("datasets", "use_of_force") and not set(compare.DATASETS) <= set(store.datasets):
    st.warning("This panel needs crime reports, 911 calls and use of force in the published store.")
else:
    {"city": city_panel, "precinct": precinct_panel, "hotspots": hotspots_panel, "change": change_panel,
     "datasets": datasets_panel, "use_of_force": use_of_force_panel}[panel.kind]()
