"""Compare: two slices side by side on one axis (place against place, period against period),
crime reports against 911 calls against use of force, and use of force by level. Layout only:
reports.slices_report and reports.datasets_report."""
import pandas as pd
import streamlit as st

from seastat import charts, compare, export, reports, tables, ui, wording
from seastat.datasets import FACTS
from seastat.periods import Window

ui.page("Compare")
settings, store = ui.settings(), ui.store()

# --- The view (all of it in the URL) --------------------------------------------------------------
modes = list(compare.MODES)
ui.choose("mode", modes, modes[0], what="comparison")
mode = st.segmented_control("Compare", modes, format_func=compare.MODES.get, key="mode", required=True)
two_slices = mode in ("places", "periods")
# the controls in one row: (slot, width) for this mode
slots = ({"dataset": 1.3, "period": 1.9, "offense": 1.3, "level": 1.2, "a": 1, "b": 1.4, "vs": 1.9} if two_slices
         else {"period": 1.9, "level": 1.2, "a": 1.2, "spacer": 5.3})
top = dict(zip(slots, st.columns(list(slots.values()))))
if two_slices:
    dataset = ui.pick_dataset(top["dataset"])
    used = [dataset]
else:
    missing = [FACTS[d].label for d in compare.DATASETS if d not in store.datasets]
    if missing:
        st.warning(f"This comparison needs all three datasets; {', '.join(missing)} has no published rows.")
        st.stop()
    used = list(compare.DATASETS)
    # the period must be complete in every dataset: offer the periods of the one that ends first
    dataset = min(used, key=lambda d: store.days(d)[1])
period = ui.pick_period(dataset, where=top["period"])
levels = list(compare.LEVELS)[1:] if mode == "places" else list(compare.LEVELS)
ui.choose("level", levels, levels[0], what="place level")
place_level = top["level"].selectbox("Compare" if mode == "places" else "Place", levels, format_func=compare.LEVELS.get,
                                     key="level")
areas = pd.concat([ui.report(reports.areas, d) for d in used])
options = compare.area_options(areas, place_level) if place_level != "city" else [""]
precincts = ui.url_list("precinct", options, "precinct") if place_level == "precinct" else []


def pick_place(key: str, label: str, default: str, where) -> compare.Area:
    if place_level == "city":
        return compare.Area()
    ui.choose(f"{key}-{place_level}", options, default, key, compare.LEVELS[place_level].lower())
    return compare.Area(place_level, where.selectbox(label, options, key=f"{key}-{place_level}"))


place = pick_place("a", "A" if mode == "places" else compare.LEVELS[place_level],
                   precincts[0] if precincts else options[0], top["a"])
against, vs = None, None
if mode == "places":
    other = pick_place("b", "B", next((o for o in options if o != place.value), options[0]), top["b"])
    a, b = (compare.Slice(k, period, area, area.label) for k, area in (("a", place), ("b", other)))
elif mode == "periods":
    choices = list(compare.AGAINST)
    ui.choose("against", choices, choices[0], what="comparison period")
    against = top["b"].selectbox("Against", choices, format_func=compare.AGAINST.get, key="against")
    if against == "chosen":
        others = [p for p in ui.periods_offered(dataset) if p != period]
        default = compare.period_against(settings.grid, period, "previous")
        ui.choose("vs", others, default if default in others else others[0], what="period to compare with",
                  text=ui.period_text)
        vs = top["vs"].selectbox("Period B", others, format_func=Window.label, key="vs")
    a, b = reports.this_period_against(settings, period, place, against, vs)
ui.set_url(mode=mode if mode != modes[0] else None, dataset=dataset if len(used) == 1 else None, level=place_level,
           period=ui.period_text(period),
           a=place.value, b=b.area.value if mode == "places" else None, against=against,
           vs=ui.period_text(vs) if against == "chosen" else None)

first_day = max(store.days(d)[0] for d in used)
early = [w for w in (period, b.window if two_slices else period) if w.start < first_day]
if early:
    st.warning(f"The data begin on {first_day:%b %d, %Y}; {compare.period_name(early[0])} is before that. "
               "Choose a later period.")
    st.stop()
stem_parts = [mode, period.start, place_level, place.value]

# --- Two slices of one dataset: places or periods ---------------------------------------------------
if two_slices:
    if a.label == b.label:
        st.info("Choose two different places to compare.")
        st.stop()
    rows = ui.report(reports.offense_rows, dataset)
    keys = list(rows)
    ui.choose(f"offense-{dataset}", keys, "all", "offense", "offense group")
    row = top["offense"].selectbox("Offenses", keys, format_func=lambda k: rows[k][0], key=f"offense-{dataset}") \
        if len(rows) > 1 else "all"
    ui.set_url(offense=row if row != "all" else None)
    result = ui.report(reports.slices_report, dataset, a, b, row)
    if result.uncovered:
        st.warning(f"{' and '.join(result.uncovered)}: not covered by the published exports for these offenses and "
                   "this place, so its count is unknown (it would read 0). Home shows what each export covers.")
        st.stop()
    diff, what = result.difference, wording.noun(dataset, row, rows[row][0])
    stem = export.file_stem("compare", dataset, *stem_parts, b.area.value if mode == "places" else b.window.start, row)
    where = period.label() if mode == "places" else place.label
    st.subheader(f"{a.label} against {b.label} · {FACTS[dataset].label} · {where}")
    ui.metrics(wording.slices_numbers(diff, ui.counting()))
    st.markdown(f"#### {wording.in_words(diff, what, ui.counting())}")
    series = ui.partner_safe(result.series, ["count"], for_chart=True)
    if result.by_period:
        chart = charts.places_chart(series, f"{rows[row][0]} per biweekly period ({FACTS[dataset].label})",
                                    rows[row][0])
    else:
        chart = charts.running_chart(series, f"{rows[row][0]} day by day, {place.label} "
                                                    f"({FACTS[dataset].label})", rows[row][0])
    ui.show_chart(chart, stem=stem)
    ui.download_table(result.series, stem, label="Chart data (CSV)")

    st.subheader("Offense mix: which groups drive the difference")
    mix_rule = tables.HOLD_BACK["offense-mix"]
    mix = ui.partner_safe(result.mix, **mix_rule).rename(columns={"a": a.label, "b": b.label})
    st.markdown(wording.mix_in_words(result.mix, a.label, b.label, what, ui.counting()) + " Share of A / B: the group's part of "
                "each slice's total, so places of different sizes compare by mix.")
    ui.show_chart(charts.mix_chart(ui.partner_safe(result.mix, **mix_rule, for_chart=True), a.label, b.label,
                                   f"{rows[row][0]} by group: {a.label} (A) and {b.label} (B)"), stem=stem + "_mix")
    st.dataframe(wording.shown(mix), hide_index=True)
    ui.download_table(mix, stem + "_mix", label="Offense mix (CSV)")

# --- One place and period, three datasets ---------------------------------------------------------
else:
    result = ui.report(reports.datasets_report, period, place)
    n, stem = result.totals, export.file_stem("compare", *stem_parts)
    st.subheader(f"{place.label} · {period.label()}")
    ui.metrics(wording.datasets_numbers(result, use_of_force=mode == "use_of_force", count=ui.counting()))
    if result.uncovered:
        st.warning(f"Not covered by the published exports for {place.label} in this period: "
                   f"{', '.join(FACTS[d].label for d in result.uncovered)} (shown as “—”, never 0).")
    if mode == "datasets":
        st.markdown("#### " + wording.datasets_in_words(place.label, n, result.calls_per_crime, result.per_1000_calls,
                                                            ui.counting()))
        table, series = result.table, result.series
        st.markdown("**By precinct, this period**")
        chart = charts.dataset_chart(series, f"Crime reports, 911 calls and use of force per period, {place.label}")
    else:
        st.markdown("#### " + wording.use_of_force_in_words(place.label, result.by_level, n["calls"],
                                                            result.per_1000_calls, ui.counting()))
        table, series = result.use_of_force, result.use_of_force_series
        st.markdown("**By incident type and precinct, this period**")
        chart = charts.use_of_force_chart(series, result.levels, f"Use of force per period by incident type, and per "
                                                                 f"1,000 calls for service, {place.label}")
    st.table(wording.shown(ui.partner_safe(table, totals=table["area"] == compare.Area().label)), hide_index=True)
    ui.download_table(table, stem + "_precincts", label="Table (CSV)")
    ui.show_chart(chart, stem=stem)
    ui.download_table(series, stem, label="Chart data (CSV)")

st.caption("[Open the meeting's shared-screen mode](?present=1) — the panels of config.toml [present], "
           f"stepped with Previous / Next or the {settings.present.previous_key} / {settings.present.next_key} keys.")
