"""911 and use of force: response times, when and what, call sources, use-of-force rates and
subjects, as the meeting measures them. Layout only: the numbers come from
reports.response_times_report, calls_by_hour_report, call_types_report,
use_of_force_rates_report and use_of_force_subjects_report."""
import streamlit as st

from seastat import charts, export, reports, tables, ui, wording
from seastat.datasets import FACTS

ui.page("911 and use of force")
settings, store = ui.settings(), ui.store()

# --- The view: the meeting's period and precincts (in the URL) ---------------------------------------
offered = [d for d in ("calls", "use_of_force") if store.has(d)]
if not offered:
    st.warning("No 911 calls or use of force are published in this store. Publish SPD's Call Data or Use of Force "
               "exports with `seastat publish`.")
    st.stop()
top = st.columns([1.3, 1.9, 2.2, 4.6])
dataset = ui.pick_dataset(top[0], options=offered)
period = ui.pick_period(dataset, top[1])
precincts = ui.pick_precincts(dataset, top[2])
view = ui.view(dataset, period, precincts=precincts)
stem = export.file_stem("service", period.start, precincts)
has_calls = store.has("calls")
st.caption(f"{period.label()} · " + (", ".join(precincts) if precincts else "every precinct")
           + " · periods come from " + FACTS[dataset].label.lower())
uncovered = [FACTS[d].label for d in offered if not ui.report(reports.is_covered, d, period, tuple(precincts))]
if uncovered:   # what was published is shown, but it is not the city's (or the precincts') count
    st.warning(f"{' and '.join(uncovered)}: the published exports do not cover {period.label()} for "
               f"{', '.join(precincts) or 'the whole city'}; the figures below count only what they hold, and a "
               "zero there means not published, not none. Home shows what each export covers.")

# --- Response times ----------------------------------------------------------------------------------
st.header("Response times")
if not has_calls:
    st.info("No 911 calls are published in this store: no response times, call types or sources to show.")
else:
    rt = ui.report(reports.response_times_report, view)
    safe = ui.partner_safe_service(rt.table, "response")       # partners: small counts held back
    st.markdown(wording.service_method("response", settings))
    st.caption(wording.excluded_in_words(rt.excluded))
    if rt.table.empty:
        st.info("No dispatched calls in this period and these precincts.")
    else:
        total = rt.table[rt.table["level"] == "city"]
        priorities = list(dict.fromkeys(total["priority"]))
        default = next((p for p in priorities if p in rt.targets), priorities[0])
        ui.choose("service-priority", priorities, default, "priority", "priority")
        priority = st.segmented_control("Priority", priorities, format_func=wording.priority_label,
                                        key="service-priority", required=True)
        ui.set_url(priority=priority)
        head = total[total["priority"] == priority].iloc[0]
        numbers = st.columns(5)
        numbers[0].metric("Dispatched calls", f"{head.calls:,}")
        numbers[1].metric("No arrival recorded", f"{head.no_arrival:,}")
        numbers[2].metric("Median", wording.TOO_FEW if head.too_few else f"{head.median_minutes:.1f} min")
        numbers[3].metric("90th percentile", wording.TOO_FEW if head.too_few else f"{head.p90_minutes:.1f} min")
        numbers[4].metric("Over target", "no target" if head.target_minutes != head.target_minutes else
                          wording.percent(head.share_over_target))
        st.markdown("#### " + wording.response_in_words(head, period.label()))
        places = safe[safe["level"].isin(["city", "precinct"]) & (safe["priority"] == priority)]
        plotted = ui.partner_safe_service(rt.table, "response", for_chart=True).loc[places.index]
        shown = plotted[~plotted["too_few"]]
        if len(shown):
            target = rt.targets.get(priority)
            ui.show_chart(charts.response_time_chart(
                shown, f"{wording.priority_label(priority)}: queued to first arrival, dispatched calls, "
                       f"{period.label()}", target), stem=f"{stem}_response_p{priority}")
        few = places[places["too_few"]]
        if len(few):
            st.caption("Too few calls to say (fewer than "
                       f"{rt.min_calls} arrived calls): " + ", ".join(f"{a} ({wording.count_text(n)})" for a, n in
                                                                     zip(few["area"], few["arrived"])))
        st.table(wording.response_times_shown(places), hide_index=True)
        drill = [p for p in dict.fromkeys(rt.table.loc[rt.table["level"] == "precinct", "precinct"])]
        for name in drill:
            with st.expander(f"{name}: sectors and beats"):
                inner = safe[safe["level"].isin(["sector", "beat"]) & (safe["precinct"] == name)
                                 & (safe["priority"] == priority)]
                st.table(wording.response_times_shown(inner), hide_index=True)
        ui.download_table(rt.table, f"{stem}_response_times", label="Response times, every area (CSV)",
                          **tables.partner_rule("response-times", rt.table))

    # --- When: hour of week --------------------------------------------------------------------------
    st.header("When: calls by hour of the week")
    hours = ui.report(reports.calls_by_hour_report, view)
    if "baseline" not in hours.windows:
        st.caption("Expected: not enough earlier periods in the data.")
    ui.show_chart(charts.hour_of_week_heatmap(
        ui.partner_safe_service(hours.table, "hours", for_chart=True), f"911 calls by day and hour queued, {period.label()}"), stem=f"{stem}_hour_of_week")
    st.caption(f"Expected: {wording.expected_note(settings, hours.expected_periods)}, per hour of the week. "
               "Descriptive: with 168 cells, about 8 would differ 'significantly' by chance alone, so no cell "
               "is flagged here (the CSV holds each cell's exact Poisson p-value).")
    ui.download_table(hours.table, f"{stem}_calls_by_hour", label="Calls by hour of week (CSV)",
                      **tables.partner_rule("calls-by-hour", hours.table))

    # --- What: call types and sources ----------------------------------------------------------------
    st.header("What: call types and sources")
    types = ui.report(reports.call_types_report, view)
    left, right = st.columns(2)
    left.markdown("**Initial call type** (as the call was queued)")
    type_rows = ui.partner_safe_service(types.table, "call_types")
    left.table(wording.call_types_shown(type_rows, "initial"), hide_index=True)
    right.markdown("**Final call type** (as the event was closed)")
    right.table(wording.call_types_shown(type_rows, "final"), hide_index=True)
    st.caption(f"Expected: {wording.expected_note(settings)}; ▲ / ▼ as on the trends page.")
    ui.download_table(types.table, f"{stem}_call_types", label="Call types (CSV)",
                      **tables.partner_rule("call-types", types.table))
    st.markdown(wording.SOURCE_METHOD)
    if len(types.sources):
        ui.show_chart(charts.source_mix_chart(ui.partner_safe_service(types.sources, "sources", for_chart=True),
                                              f"Calls by source, {period.label()}"), stem=f"{stem}_sources")
        st.table(wording.sources_shown(ui.partner_safe_service(types.sources, "sources")), hide_index=True)
        ui.download_table(types.sources, f"{stem}_call_sources", label="Call sources (CSV)",
                          **tables.partner_rule("call-sources", types.sources))

# --- Use of force --------------------------------------------------------------------------------------
st.header("Use of force as rates")
if not store.has("use_of_force"):
    st.info("No use of force is published in this store.")
else:
    rates = ui.report(reports.use_of_force_rates_report, view)
    st.markdown(wording.service_method("uof", settings))
    if not rates.has_calls:
        st.caption("No 911 calls are published in this store, so every rate is “not available”; the counts and "
                   "their changes still show.")
    table = rates.table
    if table["per_1000_dispatched"].notna().any():
        ui.show_chart(charts.use_of_force_rate_chart(
            ui.partner_safe_service(table[table["level"].isin(["city", "precinct"])], "use_of_force", for_chart=True),
            f"Uses of force per 1,000 dispatched calls by level, {period.label()}"), stem=f"{stem}_uof_rates")
    st.table(wording.use_of_force_shown(ui.partner_safe_service(table, "use_of_force")), hide_index=True)
    st.caption("Uses of force per level this period; ± and the rate against the expected are for all uses.")
    ui.download_table(table, f"{stem}_use_of_force_rates", label="Use-of-force rates (CSV)",
                      **tables.partner_rule("use-of-force-rates", table))

    st.subheader("Subjects of use of force")
    subjects = ui.report(reports.use_of_force_subjects_report, view)
    st.markdown(wording.SUBJECT_METHOD)
    areas = list(dict.fromkeys(subjects.table["area"])) if ui.access_now().record_level else []
    if not ui.access_now().record_level:    # subject-level detail is not for the partner view
        st.info("Subject race and gender are shown to command staff and analysts only.")
    elif not areas:
        st.info("No uses of force in this period or the baseline periods in these precincts.")
    else:
        ui.choose("service-subject-area", areas, areas[0], "subjects", "area")
        area = st.columns([1, 3])[0].selectbox("Area", areas, key="service-subject-area")
        ui.set_url(subjects=area if area != areas[0] else None)
        chosen = subjects.table[subjects.table["area"] == area]
        left, right = st.columns(2)
        left.table(wording.subjects_shown(chosen, "race"), hide_index=True)
        right.table(wording.subjects_shown(chosen, "gender"), hide_index=True)
        ui.download_table(subjects.table, f"{stem}_use_of_force_subjects", label="Subjects, every area (CSV)")
