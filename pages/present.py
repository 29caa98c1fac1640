"""Shared-screen mode (?present=1 on any address): the meeting's panels from config.toml [present],
one at a time, in large type, with no sidebar or filters, stepped with Previous / Next or their
keys. The step, dataset and period are in the URL (&step=3), so a link reopens the panel.
Layout only: the same reports as the trends, hot-spot and compare pages."""
import streamlit as st

from seastat import charts, compare, present, reports, ui, wording
from seastat.datasets import FACTS
from seastat.geo import load_boundaries

ui.page(None)
st.html(present.CSS)      # style only: goes to the event container, takes no space
store, settings = ui.store(), ui.settings()
panels = present.sequence(settings.present)
if not panels or not store.datasets:
    st.warning("Nothing to present: config.toml [present] lists no panels, or the store has no data.")
    st.stop()
step = ui.url_value("step", 1, lambda v: present.parse_step(v, len(panels)), "step")
dataset = ui.url_value("dataset", ui.default_dataset(store), ui.one_of(store.datasets), "dataset")
offered = ui.periods_offered(dataset)
period = ui.url_value("period", offered[0], {ui.period_text(p): p for p in offered}.__getitem__, "period")
panel = panels[step - 1]
view = reports.View(dataset, period)          # city-wide: the room sees the whole city, then each precinct
ui.set_url(dataset=dataset, period=period.start.isoformat(), step=step)
label = FACTS[dataset].label


# --- The bar: where we are, and the steps ---------------------------------------------------------
def go(to: int) -> None:
    st.query_params["step"] = str(to)


def leave() -> None:
    for key in ("present", "step"):
        st.query_params.pop(key, None)


bar = st.columns([1.2, 6, 1.2, 1], vertical_alignment="center")
bar[0].button("Previous", key="previous", shortcut=settings.present.previous_key, disabled=step == 1,
              on_click=go, args=(present.previous_step(step),), width="stretch")
about = label if panel.kind in ("city", "precinct", "hotspots", "change") else "Crime, calls and use of force"
bar[1].markdown(f"## {panel.title}\n{step} of {len(panels)} · {about} · {period.label()}")
bar[2].button("Next", key="next", shortcut=settings.present.next_key, disabled=step == len(panels), type="primary",
              on_click=go, args=(present.next_step(step, len(panels)),), width="stretch")
bar[3].button("Leave", key="leave", icon=":material/close:", on_click=leave, help="Back to the dashboard",
              type="tertiary")
ui.show_notices()
ui.store_notices(store)


# --- The panels -----------------------------------------------------------------------------------
def city_panel() -> None:
    table = ui.report(reports.compstat_report, view)
    st.table(wording.styled_summary(wording.summary(table.headline, table.headers)))
    st.caption(wording.method_note(settings))


def precinct_panel() -> None:
    table = ui.report(reports.compstat_report, view)
    st.table(wording.styled_summary(wording.summary(table.precinct_and_sectors(panel.precinct), table.headers)))
    trends = ui.report(reports.trend_report, view, settings.periods.recent_periods)
    title = f"{panel.precinct}: {label} per biweekly period; grey band: expected range"
    ui.show_chart(charts.trend_small_multiples(trends.headlines(panel.precinct, table.keys), columns=3, width=330,
                                               height=170, title=title))


def hotspots_panel() -> None:
    result = ui.report(reports.hotspot_report, view)
    map_col, table_col = st.columns([1, 1.5])
    ui.show_chart(charts.static_map(load_boundaries(settings.boundaries_dir), result.analysis.beats, result.hot_cells,
                                  "count", f"Hot spots · {label} · {period.label()}").properties(width=460, height=540),
                  where=map_col)
    cells = result.analysis.cells
    table_col.metric("Gi* hot-spot cells", f"{int(cells['hot'].sum())}", f"{int(cells['was_hot'].sum())} last period",
                     delta_color="off", delta_arrow="off")
    table_col.markdown("**Hottest 100-blocks**")
    table_col.table(wording.hot_blocks(result.blocks(), top=8).drop(columns=["Previous"]), hide_index=True)


def change_panel() -> None:
    a, b = reports.this_period_against(settings, period, compare.Area(), "last_year")
    if b.window.start < store.days(dataset)[0]:
        st.info(f"The same period last year ({b.label}) is before the data begin.")
        return
    result = ui.report(reports.slices_report, dataset, a, b, "all", 10)
    what = FACTS[dataset].noun
    st.markdown("#### " + wording.in_words(result.difference, what))
    st.markdown(wording.mix_in_words(result.mix, a.label, b.label, what))
    ui.show_chart(charts.mix_chart(result.mix, a.label, b.label, f"{label} by group, city-wide", width=330))


def datasets_panel() -> None:
    result = ui.report(reports.datasets_report, period)
    st.table(wording.shown(result.table), hide_index=True)
    st.markdown("#### " + wording.datasets_in_words(compare.Area().label, result.totals, result.calls_per_crime,
                                                    result.per_1000_calls))


def use_of_force_panel() -> None:
    result = ui.report(reports.datasets_report, period)
    st.table(wording.shown(result.use_of_force), hide_index=True)
    st.markdown("#### " + wording.use_of_force_in_words(compare.Area().label, result.by_level, result.totals["calls"],
                                                        result.per_1000_calls))


if panel.kind in ("datasets", "use_of_force") and not set(compare.DATASETS) <= set(store.datasets):
    st.warning("This panel needs crime reports, 911 calls and use of force in the published store.")
else:
    {"city": city_panel, "precinct": precinct_panel, "hotspots": hotspots_panel, "change": change_panel,
     "datasets": datasets_panel, "use_of_force": use_of_force_panel}[panel.kind]()
