"""Compare: two slices side by side on one axis (place against place, period against period,
crime reports against 911 calls against use of force) with the difference in words and numbers
and the offense groups that drive it. Counting in queries/compare/ and queries/trends/, the
arithmetic and charts in seastat.compare; this page lays them out and keeps the view in the URL."""
import pandas as pd
import streamlit as st

from seastat import compare, compstat, export, ui
from seastat.periods import Window

SHOWN_PERIODS = 26   # a year of biweekly periods in the charts over time

st.title("Compare")
store = ui.store()
ui.synthetic_notice(store)
notice_box = st.container()
settings, grid = ui.settings(), ui.grid()
level = compstat.alpha(settings.stats.z_threshold)
manifest = store.manifest

# --- The view (all of it in the URL) ----------------------------------------------------------------
modes = list(compare.MODES)
mode = st.segmented_control("Compare", modes, format_func=compare.MODES.get, key="mode", required=True,
                            default=ui.url_value("mode", modes[0], ui.one_of(modes), "comparison"))
# the controls in one row: (slot, width) for this mode, then an empty spacer
slots = ({"dataset": 1.3, "period": 1.9, "offense": 1.3, "level": 1.2, "a": 1, "b": 1.4, "vs": 1.9}
         if mode in ("places", "periods") else {"period": 1.9, "level": 1.2, "a": 1.2, "spacer": 5.3})
top = dict(zip(slots, st.columns(list(slots.values()))))
if mode in ("places", "periods"):
    dataset = ui.pick_dataset(store, where=top["dataset"])
    used = [dataset]
else:
    missing = [ui.DATASET_LABELS[d] for d in compare.DATASETS if d not in store.datasets]
    if missing:
        st.warning(f"This comparison needs all three datasets; {', '.join(missing)} has no published rows.")
        st.stop()
    used = list(compare.DATASETS)
    # the period must be complete in every dataset: offer the periods of the one that ends first
    dataset = min(used, key=lambda d: manifest["datasets"][d]["max_event_at"])
period = ui.pick_period(store, dataset, where=top["period"])
areas = pd.concat([ui.areas(store, d) for d in used])

levels = list(compare.LEVELS)[1:] if mode == "places" else list(compare.LEVELS)


def forget_places() -> None:
    """Another level: the link's places were of the old one."""
    for key in ("a", "b"):
        st.query_params.pop(key, None)


place_level = top["level"].selectbox(
    "Compare" if mode == "places" else "Place", levels, format_func=compare.LEVELS.get, key="level",
    on_change=forget_places, index=levels.index(ui.url_value("level", levels[0], ui.one_of(levels), "place level")))
options = compare.area_options(areas, place_level) if place_level != "city" else [""]


def pick_place(key: str, label: str, default: str, where) -> compare.Area:
    if place_level == "city":
        return compare.Area()
    value = ui.url_value(key, default, ui.one_of(options), compare.LEVELS[place_level].lower())
    return compare.Area(place_level, where.selectbox(label, options, index=options.index(value),
                                                     key=f"{key}-{place_level}"))


place = pick_place("a", "A" if mode == "places" else compare.LEVELS[place_level], options[0], top["a"])
against, vs = None, None
if mode == "places":
    other = pick_place("b", "B", options[min(1, len(options) - 1)], top["b"])
    a, b = (compare.Slice(k, period, area, area.label) for k, area in (("a", place), ("b", other)))
elif mode == "periods":
    choices = list(compare.AGAINST)
    linked = ui.url_value("against", choices[0], ui.one_of(choices), "comparison period")
    against = top["b"].selectbox("Against", choices, format_func=compare.AGAINST.get, key="against",
                                 index=choices.index(linked))
    if against == "chosen":
        others = [p for p in ui.complete_periods(store, dataset) if p != period]
        by_start = {p.start.isoformat(): p for p in others}
        default = compare.period_against(grid, period, "previous")
        chosen_vs = ui.url_value("vs", default, lambda v: by_start[v], "period to compare with")
        vs = top["vs"].selectbox("Period B", others, format_func=Window.label, key="vs",
                                 index=others.index(chosen_vs) if chosen_vs in others else 0)
    else:
        vs = compare.period_against(grid, period, against)
    a, b = (compare.Slice(k, w, place, compare.period_name(w)) for k, w in (("a", period), ("b", vs)))
else:
    a = b = compare.Slice("a", period, place, place.label)

ui.set_url(mode=mode if mode != modes[0] else None, dataset=dataset if len(used) == 1 else None,
           period=period.start.isoformat(), level=place_level, a=place.value,
           b=b.area.value if mode == "places" else None, against=against,
           vs=vs.start.isoformat() if against == "chosen" else None)

first_day = max(ui.data_days(store, d)[0] for d in used)
early = [s for s in (a, b) if s.window.start < first_day]
if early:
    with notice_box:
        ui.show_notices()
    st.warning(f"The data begin on {first_day:%b %d, %Y}; {compare.period_name(early[0].window)} is before that. "
               "Choose a later period.")
    st.stop()
periods = compstat.trend_periods(grid, period, first_day, SHOWN_PERIODS, 0)
period_windows = compstat.period_params(periods)
stem_parts = [mode, period.start, place_level, place.value]


def show_chart(chart, stem: str) -> None:
    chart = export.with_caption(chart, manifest)
    st.altair_chart(chart, theme=None)           # as exported: projector sizes and colours
    ui.download_chart(chart, stem, where=st.columns([1, 2])[0])


# --- Two slices of one dataset: places or periods ------------------------------------------------------
if mode in ("places", "periods"):
    if a.label == b.label:
        st.info("Choose two different places to compare.")
        st.stop()
    counts = ui.query(store, "compare/counts", dataset=dataset, windows=compare.windows_param(a, b))
    period_counts = ui.query(store, "trends/window_counts", dataset=dataset, windows=period_windows, against=[])
    rows = compstat.offense_rows(dataset, settings, sorted(set(counts["offense"]) | set(period_counts["offense"])))
    row_keys = list(rows)
    linked = ui.url_value("offense", "all", ui.one_of(row_keys), "offense group")
    row = top["offense"].selectbox("Offenses", row_keys, format_func=lambda k: rows[k][0], key=f"offense-{dataset}",
                                   index=row_keys.index(linked)) if len(rows) > 1 else "all"
    ui.set_url(offense=row if row != "all" else None)
    offenses, what = rows[row][1], compare.noun(dataset, row, rows[row][0])
    part_a, part_b = compare.chosen(counts, a, offenses), compare.chosen(counts, b, offenses)
    diff = compare.difference(a.label, part_a["n"].sum(), b.label, part_b["n"].sum(), level)
    stem = export.file_stem("compare", dataset, *stem_parts, b.area.value if mode == "places" else b.window.start,
                            row)

    where = period.label() if mode == "places" else place.label
    st.subheader(f"{a.label} against {b.label} · {ui.DATASET_LABELS[dataset]} · {where}")
    numbers = st.columns(3)
    numbers[0].metric(f"A · {a.label}", f"{diff.n_a:,}")
    numbers[1].metric(f"B · {b.label}", f"{diff.n_b:,}")
    numbers[2].metric("A − B", f"{diff.change:+,}", delta_arrow="off", delta_color="off",
                      delta=compare.NOT_AVAILABLE + " (B is 0)" if diff.n_b == 0 else f"{diff.percent:+.0f}%")
    st.markdown(f"#### {compare.in_words(diff, what)}")

    if mode == "places":
        series = compare.place_periods(period_counts, periods, [a.area, b.area], offenses)
        chart = compare.places_chart(series, f"{rows[row][0]} per biweekly period ({ui.DATASET_LABELS[dataset]})",
                                     rows[row][0])
    else:
        series = compare.running_totals(counts, [a, b], offenses)
        chart = compare.running_chart(series, f"{rows[row][0]} day by day, {place.label} "
                                              f"({ui.DATASET_LABELS[dataset]})", rows[row][0])
    show_chart(chart, stem)
    ui.download_table(series, stem, label="Chart data (CSV)")

    st.subheader("Offense mix: which groups drive the difference")
    mix = compare.offense_mix(part_a, part_b)
    st.markdown(compare.mix_in_words(mix, a.label, b.label, what) + " Share of A / B: the group's part of each "
                "slice's total, so places of different sizes compare by mix.")
    show_chart(compare.mix_chart(mix, a.label, b.label, f"{rows[row][0]} by group: {a.label} (A) and {b.label} (B)"),
               stem + "_mix")
    st.dataframe(compare.shown(mix.rename(columns={"a": a.label, "b": b.label})), hide_index=True)
    ui.download_table(mix.rename(columns={"a": a.label, "b": b.label}), stem + "_mix", label="Offense mix (CSV)")

# --- One place and period, three datasets ------------------------------------------------------------
else:
    # Totals only (no days, no offense mix): the daily rollup answers, this period and the year in one query.
    counts = {d: ui.query(store, "trends/window_counts", dataset=d, windows=compare.windows_param(a) + period_windows,
                          against=[]) for d in used}
    this_period = {d: counts[d][counts[d]["window"] == a.key] for d in used}     # every area
    stem = export.file_stem("compare", *stem_parts)
    here = {d: compare.chosen(counts[d], a) for d in used}
    n = {d: int(here[d]["n"].sum()) for d in used}
    per_crime, per_1000 = compare.ratio(n["calls"], n["crime"]), compare.ratio(n["use_of_force"], n["calls"], 1000)
    levels = compare.level_order(ui.query(store, "compare/incident_types")["incident_type"])
    st.subheader(f"{place.label} · {period.label()}")

    if mode == "datasets":
        numbers = st.columns(5)
        for col, d in zip(numbers, used):
            col.metric(ui.DATASET_LABELS[d], f"{n[d]:,}")
        numbers[3].metric("Calls per reported crime", compare.ratio_text(per_crime))
        numbers[4].metric("Uses of force per 1,000 calls", compare.ratio_text(per_1000))
        st.markdown("#### " + compare.datasets_in_words(place.label, n, per_crime, per_1000))
        table = compare.dataset_table(*(this_period[d] for d in used))
        st.markdown("**By precinct, this period**")
        st.table(compare.shown(table), hide_index=True)
        ui.download_table(table, stem + "_precincts", label="Table (CSV)")
        series = compare.dataset_periods(counts, periods, place)
        show_chart(compare.dataset_chart(series, f"Crime reports, 911 calls and use of force per period, "
                                                 f"{place.label}"), stem)
        ui.download_table(series, stem, label="Chart data (CSV)")
    else:
        numbers = st.columns(3)
        numbers[0].metric("Uses of force", f"{n['use_of_force']:,}")
        numbers[1].metric(ui.DATASET_LABELS["calls"], f"{n['calls']:,}")
        numbers[2].metric("Uses of force per 1,000 calls", compare.ratio_text(per_1000))
        by_level = here["use_of_force"].groupby("offense")["n"].sum()
        st.markdown("#### " + compare.use_of_force_in_words(place.label, by_level.reindex(levels, fill_value=0),
                                                            n["calls"], per_1000))
        table = compare.use_of_force_table(this_period["use_of_force"], this_period["calls"], levels)
        st.markdown("**By incident type and precinct, this period**")
        st.table(compare.shown(table), hide_index=True)
        ui.download_table(table, stem + "_precincts", label="Table (CSV)")
        series = compare.use_of_force_periods(counts["use_of_force"], counts["calls"], periods, place, levels)
        show_chart(compare.use_of_force_chart(series, levels, f"Use of force per period by incident type, and per "
                                                              f"1,000 calls for service, {place.label}"), stem)
        ui.download_table(series, stem, label="Chart data (CSV)")

st.caption("[Open the meeting's shared-screen mode](?present=1) — the panels of config.toml [present], "
           f"stepped with Previous / Next or the {settings.present.previous_key} / {settings.present.next_key} keys.")
with notice_box:
    ui.show_notices()
