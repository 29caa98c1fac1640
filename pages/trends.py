"""Precinct trends: the biweekly CompStat table and the trend charts, the page command staff open
first. Layout only: the numbers come from reports.compstat_report and reports.trend_report."""
import streamlit as st

from seastat import access, charts, compstat, export, reports, tables, ui, wording
from seastat.config import PRECINCTS
from seastat.datasets import FACTS

ui.page("Precinct trends")
settings = ui.settings()

# --- The view (all of it in the URL) ------------------------------------------------------------
what = st.columns([1.3, 2, 3.4, 1.8])      # what and when, then where: room for each label at 1280 px
where = st.columns([1.6, 1.6, 1.6, 3.7])
dataset = ui.pick_dataset(what[0])
period = ui.pick_period(dataset, what[1])
areas = ui.report(reports.areas, dataset)


def drill_into_chosen_precinct() -> None:
    """Choosing one precinct drills the charts into its sectors."""
    chosen = st.session_state["precincts"]
    st.session_state["drill"] = chosen[0] if len(chosen) == 1 and chosen[0] in PRECINCTS else ""


precincts = ui.pick_precincts(dataset, where[0], on_change=drill_into_chosen_precinct)
sector_options = sorted(areas.loc[compstat.in_areas(areas, precincts), "sector"].unique())
ui.choose_many("sectors", sector_options, url_key="sector")
sectors = where[1].multiselect("Sectors", sector_options, key="sectors")
beat_options = sorted(areas.loc[compstat.in_areas(areas, precincts, sectors), "beat"].unique())
ui.choose_many("beats", beat_options, url_key="beat")
beats = where[2].multiselect("Beats", beat_options, key="beats")
rows = ui.report(reports.offense_rows, dataset)
defaults = compstat.default_rows(dataset, settings, rows)
ui.choose_many("offenses", list(rows), defaults, "offense", "offense group")
chosen = what[2].multiselect(FACTS[dataset].row_label, list(rows), format_func=lambda k: rows[k][0],
                            key="offenses") or defaults
against = []
if FACTS[dataset].has_offense_groups:
    ui.choose_many("against", compstat.CRIME_AGAINST, what="crime-against category")
    against = what[3].multiselect("Crime against", compstat.CRIME_AGAINST, key="against")
view = ui.view(dataset, period, precincts=precincts, sectors=sectors, beats=beats, against=against,
               offenses=chosen if chosen != defaults else ())
ui.set_url(sector=sectors, beat=beats, against=against)

# --- This period in brief: only what the test flags, each sentence linked to its table -------------
if filling := ui.report(reports.still_filling, dataset, period):
    st.warning(filling, icon=":material/hourglass_top:")
brief = ui.report(reports.summary_report, view, ui.due_back(period), count=ui.counting())
with st.container(border=True):
    st.markdown("\n".join(f"- {s.text} [table](/{s.link})" for s in brief.sentences))

# --- The CompStat table ---------------------------------------------------------------------------
table = ui.report(reports.compstat_report, view)
headers = table.headers
label = FACTS[dataset].label
st.subheader(f"{label} · {period.label()}")
st.caption(" · ".join(f"**{headers.windows[n]}** {w.start:%b %d, %Y} – {w.last_day:%b %d, %Y}"
                      for n, w in table.windows.items() if n != "baseline")
           + (f" · **Expected**: {wording.expected_note(settings, table.expected_periods)}"
              if "baseline" in table.windows else " · **Expected**: not enough earlier periods in the data"))
def shown(rows):
    """The table as this role may see it (partners: small counts held back)."""
    safe = ui.partner_safe(rows, access.COMPSTAT_COUNTS, totals=rows["level"] == "city", derived=access.COMPSTAT_DERIVED)
    return wording.styled(wording.readable(safe, headers), headers)


if table.taxonomy_note:
    st.warning(table.taxonomy_note, icon=":material/rule:")
st.table(shown(table.headline))
st.markdown(wording.method_note(settings))
for precinct in table.precincts:
    with st.expander(f"{precinct}: sectors and beats"):
        st.table(shown(table.drill(precinct)))
filters = [precincts, sectors, beats, against, view.offenses]
csv = tables.compstat_table(table)      # partners: the screen's rule (`seastat table compstat --audience partner`)
ui.download_table(csv, export.file_stem("trends", dataset, period.start, *filters), label="Download table (CSV)",
                  **tables.partner_rule("compstat", csv))

# --- Trend charts ---------------------------------------------------------------------------------
st.subheader("Trends, last two years")
cols = st.columns([1, 1, 2])
keys = table.keys
ui.choose("chart", keys, keys[0], what="chart offense group")
chart_row = cols[0].selectbox("Offense group in the charts", keys, format_func=lambda k: rows[k][0], key="chart")
drill_options = [p for p in table.precincts if p != compstat.UNASSIGNED]
ui.choose("drill", ["", *drill_options], view.one_precinct if view.one_precinct in drill_options else "",
          what="precinct to drill into")
drill = cols[1].selectbox("Drill into the sectors of", ["", *drill_options], key="drill",
                          format_func=lambda p: p or "— choose a precinct —")
ui.set_url(chart=chart_row if chart_row != keys[0] else None, drill=drill)

trends = ui.report(reports.trend_report, view)
what = rows[chart_row][0]
panels = [] if view.one_precinct and drill == view.one_precinct else \
    [("precinct", None, compstat.SELECTED if view.filtered else compstat.CITY, "precincts")]
if drill:
    panels.append(("sector", drill, drill, f"{drill} sectors"))
for by, within, total, where in panels:
    series = trends.series(chart_row, by, within=within, total=total)
    series = ui.partner_safe(series, ["count"], totals=series["area"] == total, for_chart=True)
    ui.show_chart(charts.trend_small_multiples(
        series, columns=3, width=340, title=f"{what} per biweekly period, {where} ({label}); grey band: expected range"),
        stem=export.file_stem("trends", dataset, period.start, by, within, chart_row, *filters[:4]))
