"""Shared-screen mode (?present=1 on any address): the written summary, then the meeting's panels
from config.toml [present], one at a time, in large type, with no sidebar or filters, stepped with
Previous / Next, the arrows or PageUp / PageDown. The step, dataset and period are in the URL
(&step=3), so a link reopens the panel. Layout only: the same reports as the trends, hot-spot and
compare pages; sizes and keys in seastat.present."""
import streamlit as st

from seastat import access, charts, compare, export, present, reports, tables, ui, wording
from seastat.datasets import FACTS
from seastat.geo import load_boundaries

ui.page(None)
st.html(present.CSS)      # style only: goes to the event container, takes no space
store, settings = ui.store(), ui.settings()
panels = present.sequence(settings.present)
if not panels or not store.datasets:
    st.warning("Nothing to present: config.toml [present] lists no panels, or the store has no data.")
    st.stop()


def go(to: int) -> None:
    st.query_params["step"] = str(to)


def keyed() -> None:
    """The key listener's step (seastat.present.KEYS_JS): where the presses queued so far lead."""
    sent = (st.session_state.get("present-keys") or {}).get("step")
    try:
        go(present.parse_step(str(sent), len(panels)))
    except (TypeError, ValueError):
        pass


def leave() -> None:
    for key in ("present", "step"):
        st.query_params.pop(key, None)


step = ui.url_value("step", 1, lambda v: present.parse_step(v, len(panels)), "step")
dataset = ui.url_value("dataset", ui.default_dataset(store), ui.one_of(store.datasets), "dataset")
offered = ui.periods_offered(dataset)
period = ui.url_value("period", offered[0], {ui.period_text(p): p for p in offered}.__getitem__, "period")
panel = panels[step - 1]
view = reports.View(dataset, period)          # city-wide: the room sees the whole city, then each precinct
ui.set_url(dataset=dataset, period=period.start.isoformat(), step=step)
label = FACTS[dataset].label
keys = present.keys(settings.present)


# --- The bar: where we are, and the steps ---------------------------------------------------------
bar = st.columns([1.2, 6, 1.2, 1], vertical_alignment="center")
bar[0].button("Previous", key="previous", disabled=step == 1, help=present.key_names(keys["previous"]),
              on_click=go, args=(present.previous_step(step),), width="stretch")
about = label if panel.kind in ("summary", "city", "precinct", "hotspots", "change") else \
    {"response_times": "911 calls", "use_of_force_rates": "Use of force and 911 calls"}.get(
        panel.kind, "Crime, calls and use of force")
bar[1].markdown(f"## {panel.title}\n{step} of {len(panels)} · {about} · {period.label()}")
bar[2].button("Next", key="next", disabled=step == len(panels), type="primary", help=present.key_names(keys["next"]),
              on_click=go, args=(present.next_step(step, len(panels)),), width="stretch")
bar[3].button("Leave", key="leave", icon=":material/close:", on_click=leave, help="Back to the dashboard",
              type="tertiary")
ui.show_notices()
ui.store_notices(store)


def chart(figure, where: str) -> None:
    """A chart drawn as SVG, as wide as the panel and no taller than its share (present.CSS)."""
    # width="content": the chart keeps its own proportions (Streamlit would otherwise re-lay it out to the
    # container), and present.CSS scales the SVG, text and all, to the panel.
    st.container(key=f"present-chart-{where}").altair_chart(
        present.for_screen(export.with_caption(figure, store.manifest)), theme=None, width="content")


# --- The panels -----------------------------------------------------------------------------------
def summary_panel() -> None:
    result = ui.report(reports.summary_report, view, ui.due_back(period), count=ui.counting())
    told = [s for s in result.sentences if s.kind in ("change", "no_change")][:5]
    spots = [s for s in result.sentences if s.kind in ("hotspot", "no_hotspot")][:3]
    due = [s for s in result.sentences if s.kind == "due"]
    more = sum(s.kind == "change" for s in result.sentences) - sum(s.kind == "change" for s in told)
    lines = [f"- {s.text} [table](/{s.link})" for s in told]
    if more > 0:
        lines.append(f"- {more} more flagged change{'s' if more != 1 else ''} on the trends page and in the packet.")
    lines += [f"- {s.text} [map](/{s.link})" for s in spots + due]
    st.container(key="present-summary").markdown("\n".join(lines))


def partner_safe(rows):
    """CompStat rows as the role in force may see them (partners: small counts held back)."""
    return ui.partner_safe(rows, access.COMPSTAT_COUNTS, totals=rows["level"] == "city", derived=access.COMPSTAT_DERIVED)


def city_panel() -> None:
    table = ui.report(reports.compstat_report, view)
    st.table(wording.styled_summary(wording.summary(partner_safe(table.headline), table.headers)))
    st.caption(wording.method_note(settings))


def precinct_panel() -> None:
    table = ui.report(reports.compstat_report, view)
    st.table(wording.styled_summary(wording.summary(partner_safe(table.precinct_and_sectors(panel.precinct)),
                                                    table.headers)))
    trends = ui.report(reports.trend_report, view, settings.periods.recent_periods)
    title = f"{panel.precinct}: {label} per biweekly period; grey band: expected range"
    chart(charts.trend_small_multiples(trends.headlines(panel.precinct, table.keys), columns=3, width=380,
                                       height=150, title=title), "trend")


def hotspots_panel() -> None:
    result = ui.report(reports.hotspot_report, view)
    map_col, table_col = st.columns([1.4, 1])
    # Drawn here by vl-convert, as in the packet: Streamlit sends a chart's data as Arrow, which turns the
    # beats' and cells' geometry into text, and the browser would draw the legends around an empty map.
    figure = charts.static_map(load_boundaries(settings.boundaries_dir), result.analysis.beats, result.hot_cells,
                               "count", f"Hot spots · {label} · {period.label()}",
                               settings.hotspots.min_cell_count if ui.access_now().suppresses else 0
                               ).properties(width=420, height=500)
    map_col.container(key="present-chart-map").image(export.chart_svg(export.with_caption(figure, store.manifest)).decode(),
                                                     width="stretch")
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
    st.markdown("#### " + wording.in_words(result.difference, what, ui.counting()))
    st.markdown(wording.mix_in_words(result.mix, a.label, b.label, what, ui.counting()))
    mix = ui.partner_safe(result.mix, **tables.HOLD_BACK["offense-mix"], for_chart=True)   # partners: small counts left out
    chart(charts.mix_chart(mix, a.label, b.label, f"{label} by group, city-wide", width=420), "mix")


def held_back(table):
    """A table of the three datasets by precinct as the role in force may see it (the city line stays)."""
    return ui.partner_safe(table, totals=table["area"] == compare.Area().label, **tables.HOLD_BACK["datasets"])


def datasets_panel() -> None:
    result = ui.report(reports.datasets_report, period)
    st.table(wording.shown(held_back(result.table)), hide_index=True)
    st.markdown("#### " + wording.datasets_in_words(compare.Area().label, result.totals, result.calls_per_crime,
                                                    result.per_1000_calls, ui.counting()))


def use_of_force_panel() -> None:
    result = ui.report(reports.datasets_report, period)
    st.table(wording.shown(held_back(result.use_of_force)), hide_index=True)
    st.markdown("#### " + wording.use_of_force_in_words(compare.Area().label, result.by_level, result.totals["calls"],
                                                        result.per_1000_calls, ui.counting()))


def commitments_panel() -> None:
    """The commitments due back at this meeting, one line each with its result as the Follow-up page
    judges it, and (for roles that edit them) the Follow-up page's form to record a new one, compact."""
    from seastat.actions import due_back
    from seastat.actions import view as said
    db = ui.commitments()
    if db is None:              # why is said under the bar
        return
    editing = ui.access_now().edits_commitments
    due = due_back(db, period.end)
    room = 6 if editing else 14           # lines that fit with (or without) the form below them
    st.markdown(f"#### Due back at this meeting ({len(due)})" if due else
                "#### Nothing is due back at this meeting")
    lines = [said.due_line(r, ui.commitment_result(r)) for r in due[:room]]
    if len(due) > room:
        lines.append(f"{len(due) - room} more on the [Follow-up page](/followup).")
    if lines:
        st.container(key="present-due").markdown("\n\n".join(lines))
    if editing:
        with st.container(key="present-form"):
            st.markdown("#### Record a commitment")
            ui.show_commitment_messages()          # what the last record said, next to the form
            ui.commitment_form(db, [["what", "owner", "measure"], ["place", "block", "target", "comparison"],
                                    ["start", "due", "who"]], what_height=96)


def response_times_panel() -> None:
    """Response times by priority city-wide, and by precinct for each priority with a target."""
    result = ui.report(reports.response_times_report, reports.View("calls", period))
    if result.table.empty:
        st.info(f"No dispatched calls in {period.label()}.")
        return
    table = ui.partner_safe_service(result.table, "response")
    left, right = st.columns([1, 1.2])
    left.markdown("**City-wide, by priority**")
    left.table(wording.flags_styled(wording.response_panel(table[table["level"] == "city"], "Priority")))
    for priority in result.targeted:
        right.markdown(f"**{wording.by_precinct_title(priority, result.targets)}**")
        right.table(wording.flags_styled(wording.response_panel(
            table[(table["level"] == "precinct") & (table["priority"] == priority)], "Area")))
    st.caption(wording.response_panel_note(result, settings))


def use_of_force_rates_panel() -> None:
    result = ui.report(reports.use_of_force_rates_report, reports.View("use_of_force", period))
    st.table(wording.flags_styled(wording.use_of_force_panel(ui.partner_safe_service(result.table, "use_of_force"))))
    st.caption(wording.use_of_force_panel_note(result.has_calls, settings))


SERVICE_NEEDS = {"response_times": "calls", "use_of_force_rates": "use_of_force"}
if panel.kind in ("datasets", "use_of_force") and not set(compare.DATASETS) <= set(store.datasets):
    st.warning("This panel needs crime reports, 911 calls and use of force in the published store.")
elif panel.kind in SERVICE_NEEDS and not store.has(SERVICE_NEEDS[panel.kind]):
    st.warning(f"This panel needs {FACTS[SERVICE_NEEDS[panel.kind]].label.lower()} in the published store.")
else:
    {"summary": summary_panel, "city": city_panel, "precinct": precinct_panel, "hotspots": hotspots_panel,
     "change": change_panel, "datasets": datasets_panel, "use_of_force": use_of_force_panel,
     "response_times": response_times_panel, "use_of_force_rates": use_of_force_rates_panel,
     "commitments": commitments_panel}[panel.kind]()

# The keys, last on the page (it takes no room): the arrows and PageUp / PageDown, queued (present.KEYS_JS).
st.components.v2.component("seastat_present_keys", js=present.KEYS_JS)(
    data=present.keys_data(step, len(panels), settings.present), key="present-keys", on_step_change=keyed,
    height=0)
