"""Precinct trends: the biweekly CompStat table and the trend charts, the page command staff open
first. The counting is in queries/trends/, the arithmetic in seastat.compstat, the charts in
seastat.charts; this page only lays them out and keeps the view in the URL."""
import streamlit as st

from seastat import charts, compstat, export, ui
from seastat.config import PRECINCTS

SHOWN_PERIODS = 52   # two years of biweekly periods in the charts

st.title("Precinct trends")
store = ui.store()
ui.synthetic_notice(store)
notice_box = st.container()
settings, grid = ui.settings(), ui.grid()
stats = settings.stats
level = compstat.alpha(stats.z_threshold)

# --- The view: dataset, period and filters (all of them in the URL) ------------------------------
top = st.columns([1.1, 1.6, 1.2, 0.9, 0.9, 2.6, 1.3])
dataset = ui.pick_dataset(store, where=top[0])
period = ui.pick_period(store, dataset, where=top[1])
label = ui.DATASET_LABELS[dataset]
if st.session_state.get("trends_dataset", dataset) != dataset:      # switched here: the link's offense
    for key in ("offense", "chart"):                                # groups were the other dataset's
        st.query_params.pop(key, None)
st.session_state["trends_dataset"] = dataset


def drill_into_chosen_precinct() -> None:
    """Choosing one precinct in the filter drills the charts into its sectors."""
    chosen = st.session_state["precincts"]
    st.session_state["drill"] = chosen[0] if len(chosen) == 1 and chosen[0] in PRECINCTS else ""
    st.query_params.pop("drill", None)

against = []
if dataset == "crime":
    against = top[6].multiselect("Crime against", compstat.CRIME_AGAINST, key="against",
                                 default=ui.url_list("against", compstat.CRIME_AGAINST, "crime-against category"))

areas = ui.areas(store, dataset)
precincts = top[2].multiselect("Precincts", sorted(areas["precinct"].unique(), key=compstat.precinct_order),
                               default=ui.url_list("precinct", list(areas["precinct"].unique()), "precinct"),
                               key="precincts", on_change=drill_into_chosen_precinct)
sector_options = sorted(areas.loc[compstat.in_areas(areas, precincts), "sector"].unique())
sectors = top[3].multiselect("Sectors", sector_options, key="sectors",
                             default=ui.url_list("sector", sector_options, "sector"))
beat_options = sorted(areas.loc[compstat.in_areas(areas, precincts, sectors), "beat"].unique())
beats = top[4].multiselect("Beats", beat_options, key="beats", default=ui.url_list("beat", beat_options, "beat"))
chosen_areas = areas[compstat.in_areas(areas, precincts, sectors, beats)]
total = compstat.SELECTED if precincts or sectors or beats else compstat.CITY

first_day = ui.data_days(store, dataset)[0]   # periods offered start on or after it
windows = compstat.report_windows(grid, period, first_day, stats.baseline_periods)
periods = compstat.trend_periods(grid, period, first_day, SHOWN_PERIODS, stats.baseline_periods)
counts = ui.query(store, "trends/window_counts", dataset=dataset, windows=compstat.as_params(windows), against=against)
period_counts = ui.query(store, "trends/window_counts", dataset=dataset, against=against,
                         windows=compstat.period_params(periods))

rows = compstat.offense_rows(dataset, settings, sorted(set(counts["offense"]) | set(period_counts["offense"])))
default_rows = compstat.default_rows(dataset, settings, rows)
linked_rows = ui.url_list("offense", list(rows), "offense group")
chosen_rows = top[5].multiselect("Offense groups", list(rows), format_func=lambda k: rows[k][0],
                                 default=linked_rows or default_rows, key=f"offenses-{dataset}") or default_rows

# --- The CompStat table ----------------------------------------------------------------------------
table = compstat.compstat_table(counts, chosen_areas, windows, {k: rows[k] for k in chosen_rows},
                                level=level, period_days=grid.length_days, total=total)
filters = [precincts, sectors, beats, against, chosen_rows if chosen_rows != default_rows else []]
st.subheader(f"{label} · {period.label()}")
st.caption(" · ".join(f"**{compstat.WINDOWS[n]}** {w.start:%b %d, %Y} – {w.last_day:%b %d, %Y}"
                      for n, w in windows.items() if n != "baseline")
           + (f" · **Expected**: mean of the {table['expected_periods'].iloc[0]:.0f} periods before"
              if "baseline" in windows else " · **Expected**: not enough earlier periods in the data"))
st.table(compstat.styled(compstat.readable(compstat.precinct_view(table))))
st.markdown(compstat.METHOD.format(alpha=level, threshold=stats.z_threshold, periods=stats.baseline_periods))
for precinct in compstat.precinct_view(table)["precinct"].dropna().unique():
    with st.expander(f"{precinct}: sectors and beats"):
        st.table(compstat.styled(compstat.readable(compstat.drill_view(table, precinct))))
ui.download_table(compstat.table_export(table), export.file_stem("trends", dataset, period.start, *filters),
                  label="Download table (CSV)")

# --- Trend charts ----------------------------------------------------------------------------------
st.subheader("Trends, last two years")
cols = st.columns([1, 1, 2])
chart_row = ui.url_value("chart", chosen_rows[0], ui.one_of(chosen_rows), "chart offense group")
chart_row = cols[0].selectbox("Offense group in the charts", chosen_rows, index=chosen_rows.index(chart_row),
                              format_func=lambda k: rows[k][0], key=f"chart-{dataset}")
drill_options = [p for p in compstat.precinct_view(table)["precinct"].dropna().unique() if p != compstat.UNASSIGNED]
drill = ui.url_value("drill", "", ui.one_of(drill_options), "precinct to drill into")
drill = cols[1].selectbox("Drill into the sectors of", ["", *drill_options], index=["", *drill_options].index(drill),
                          format_func=lambda p: p or "— choose a precinct —", key="drill")

offenses = rows[chart_row][1]
trend = period_counts[compstat.in_areas(period_counts, precincts, sectors, beats)]
trend = trend if offenses is None else trend[trend["offense"].isin(offenses)]
series_args = dict(level=level, baseline_periods=stats.baseline_periods, shown=SHOWN_PERIODS)
panels = [("precinct", total, "precincts")] + ([("sector", drill, f"{drill} sectors")] if drill else [])
for by, panel_total, what in panels:
    part = trend if by == "precinct" else trend[trend["precinct"] == drill]
    series = compstat.trend_series(part, periods, by, total=panel_total, **series_args)
    chart = export.with_caption(charts.trend_small_multiples(
        series, title=f"{rows[chart_row][0]} per biweekly period, {what} ({label}); grey band: expected range"),
        store.manifest)
    st.altair_chart(chart, theme=None)    # as exported: the builder's projector sizes and colours
    stem = export.file_stem("trends", dataset, period.start, by, drill if by == "sector" else "", chart_row,
                            *filters[:4])
    ui.download_chart(chart, stem, where=st.columns([1, 5])[0])

ui.set_url(dataset=dataset, period=period.start.isoformat(), precinct=precincts, sector=sectors, beat=beats,
           against=against, offense=filters[4], chart=chart_row if chart_row != chosen_rows[0] else None,
           drill=drill)
with notice_box:
    ui.show_notices()
