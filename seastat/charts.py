"""Every Altair chart SeaStat draws (pure: a DataFrame in, a chart out; no Streamlit), shared by
the pages, shared-screen mode, the packet and the exports.

Colours and symbols come from seastat.palette: every flag has its colour and its own shape
(▲ triangle up, ▼ triangle down). Sizes are for a projector: large axis labels and panel
titles. No `configure_*` here, so a caller can still concatenate or caption the charts.
"""
from __future__ import annotations

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import maps
from .palette import (
    BAND_COLOUR,
    DOWN,
    DOWN_COLOUR,
    FLAG_NAMES,
    HELD_BACK_COLOUR,
    LABEL_COLOURS,
    LABEL_SYMBOLS,
    LEVEL_COLOURS,
    LINE_COLOUR,
    NEUTRAL_COLOUR,
    PLACE_COLOURS,
    SLICE_COLOURS,
    SLICE_DASHES,
    UP,
    UP_COLOUR,
)


def trend_small_multiples(series: pd.DataFrame, facet: str = "area", *, title: str = "", columns: int = 4,
                          width: int = 330, height: int = 190, value_title: str = "Count") -> alt.FacetChart:
    """Counts per period, one small panel per value of `facet` (in order of first appearance),
    each with its own y scale, the expected range as a grey band and the periods outside it
    marked.

    series: long frame with period_start (datetime), count, lower, upper (the band; NaN leaves a
    gap), flag (UP, DOWN or '') and the facet column; period and expected are shown in the
    tooltip when present."""
    order = list(dict.fromkeys(series[facet]))
    tooltip = [alt.Tooltip(f"{facet}:N", title="Area")]
    tooltip += [alt.Tooltip("period:N", title="Period")] if "period" in series else []
    tooltip += [alt.Tooltip("count:Q", title=value_title, format=",")]
    tooltip += [alt.Tooltip("expected:Q", title="Expected", format=",.1f")] if "expected" in series else []

    x = alt.X("period_start:T", title=None, axis=alt.Axis(format="%b %Y", labelFontSize=13, tickCount=4))
    y_axis = alt.Axis(labelFontSize=13, titleFontSize=14, format="~s")
    # one legend for colour and shape together: the flag reads without colour too
    legend = alt.Legend(title=None, orient="top", labelFontSize=15, symbolSize=220, labelLimit=0,
                        labelExpr=f"datum.label == '{UP}' ? '{FLAG_NAMES[UP]}' : '{FLAG_NAMES[DOWN]}'")
    base = alt.Chart().encode(x=x)
    band = base.mark_area(color=BAND_COLOUR, opacity=0.35).encode(
        y=alt.Y("lower:Q", title=value_title, axis=y_axis), y2="upper:Q")
    line = base.mark_line(color=LINE_COLOUR, strokeWidth=2.5).encode(
        y=alt.Y("count:Q", title=value_title, axis=y_axis), tooltip=tooltip)
    flagged = base.transform_filter(alt.datum.flag != "").mark_point(filled=True, size=140, opacity=1).encode(
        y=alt.Y("count:Q"),
        color=alt.Color("flag:N", scale=alt.Scale(domain=[UP, DOWN], range=[UP_COLOUR, DOWN_COLOUR]), legend=legend),
        shape=alt.Shape("flag:N", scale=alt.Scale(domain=[UP, DOWN], range=["triangle-up", "triangle-down"]),
                        legend=legend),
        tooltip=tooltip,
    )
    return (
        alt.layer(band, line, flagged, data=series)
        .properties(width=width, height=height)
        .facet(facet=alt.Facet(f"{facet}:N", sort=order, title=None,
                               header=alt.Header(labelFontSize=18, labelFontWeight="bold", labelAnchor="start")),
               columns=columns)
        .resolve_scale(y="independent")
        .resolve_axis(x="independent")     # every panel keeps its own dates, no orphan axis
        .properties(title=title)
    )


# --- Comparisons (two slices on one axis) -----------------------------------------------------------

AXIS = dict(labelFontSize=14, titleFontSize=15)
TIME_AXIS = dict(format="%b %Y", tickCount=alt.TickCount(interval="month", step=2))


def _slice_encodings(order: list[str]) -> dict:
    legend = alt.Legend(title=None, orient="top", labelFontSize=16, symbolType="stroke", symbolStrokeWidth=4,
                        symbolSize=500, labelLimit=0)
    return dict(color=alt.Color("slice:N", sort=order, scale=alt.Scale(domain=order, range=list(SLICE_COLOURS)),
                                legend=legend),
                strokeDash=alt.StrokeDash("slice:N", sort=order, legend=legend,
                                          scale=alt.Scale(domain=order, range=list(SLICE_DASHES))))


def places_chart(series: pd.DataFrame, title: str, value_title: str, width: int = 860, height: int = 300) -> alt.Chart:
    """Two places per period on one shared count axis (place_periods)."""
    order = list(dict.fromkeys(series["slice"]))
    return alt.Chart(series).mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=50)).encode(
        x=alt.X("period_start:T", title=None, axis=alt.Axis(**TIME_AXIS, **AXIS)),
        y=alt.Y("count:Q", title=value_title, axis=alt.Axis(**AXIS)),
        tooltip=[alt.Tooltip("slice:N", title="Place"), alt.Tooltip("period:N", title="Period"),
                 alt.Tooltip("count:Q", title=value_title, format=",")],
        **_slice_encodings(order),
    ).properties(width=width, height=height, title=title)


def running_chart(series: pd.DataFrame, title: str, value_title: str, width: int = 860, height: int = 300) -> alt.Chart:
    """Two periods day by day on one axis (running_totals): where one pulls ahead, and when."""
    order = list(dict.fromkeys(series["slice"]))
    return alt.Chart(series).mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=50)).encode(
        x=alt.X("day:Q", title="Day of the period", scale=alt.Scale(domain=[1, int(series["day"].max())]),
                axis=alt.Axis(tickMinStep=1, format="d", **AXIS)),
        y=alt.Y("count:Q", title=f"{value_title}, running total", axis=alt.Axis(**AXIS)),
        tooltip=[alt.Tooltip("slice:N", title="Period"), alt.Tooltip("date:N", title="Day"),
                 alt.Tooltip("count:Q", title="Running total", format=",")],
        **_slice_encodings(order),
    ).properties(width=width, height=height, title=title)


def mix_chart(mix: pd.DataFrame, a: str, b: str, title: str, width: int = 380) -> alt.HConcatChart:
    """Each offense group's count in A and B on one axis, and beside it the difference, largest
    first; rises in vermillion with '+', falls in blue with '−' (readable without colour)."""
    order = list(mix["category"])
    height = 30 * len(order)          # both panels: the rows line up
    pairs = mix.melt(id_vars="category", value_vars=["a", "b"], var_name="which", value_name="count")
    pairs["slice"] = pairs["which"].map({"a": a, "b": b})
    y = alt.Y("category:N", sort=order, title=None, axis=alt.Axis(labelFontSize=14, labelLimit=330))
    counts = alt.Chart(pairs).mark_bar().encode(
        y=y, yOffset=alt.YOffset("slice:N", sort=[a, b]), x=alt.X("count:Q", title="Count", axis=alt.Axis(**AXIS)),
        color=alt.Color("slice:N", sort=[a, b], scale=alt.Scale(domain=[a, b], range=list(SLICE_COLOURS)),
                        legend=alt.Legend(title=None, orient="top", labelFontSize=16, labelLimit=0)),
        tooltip=[alt.Tooltip("category:N", title="Group"), alt.Tooltip("slice:N", title="Slice"),
                 alt.Tooltip("count:Q", format=",")],
    ).properties(width=width, height=height)
    change = pd.to_numeric(mix["difference"], errors="coerce")     # held back from partners: no bar, no label
    diffs = mix.assign(difference=change, text=["" if pd.isna(d) else f"{int(d):+,}".replace("-", "−") for d in change],
                       sign=np.select([change > 0, change < 0], ["more in A", "fewer in A"], "same"))
    base = alt.Chart(diffs).encode(y=alt.Y("category:N", sort=order, title=None, axis=None))
    bars = base.mark_bar().encode(
        x=alt.X("difference:Q", title=f"{a} − {b}" if len(a + b) < 30 else "Difference, A − B",
                axis=alt.Axis(**AXIS)),
        color=alt.Color("sign:N", scale=alt.Scale(domain=["more in A", "fewer in A", "same"],
                                                  range=[UP_COLOUR, DOWN_COLOUR, NEUTRAL_COLOUR]), legend=None),
        tooltip=[alt.Tooltip("category:N", title="Group"), alt.Tooltip("difference:Q", format="+,")])
    labels = [base.transform_filter(test).mark_text(align=align, dx=dx, fontSize=14, fontWeight="bold").encode(
        x="difference:Q", text="text:N") for test, align, dx in ((alt.datum.difference >= 0, "left", 4),
                                                                 (alt.datum.difference < 0, "right", -4))]
    return (alt.hconcat(counts, alt.layer(bars, *labels).properties(width=width * 2 // 3, height=height), spacing=10)
            .resolve_scale(color="independent").properties(title=title))


DATASET_MEASURES = {"crime": "Crime reports", "calls": "911 calls for service", "use_of_force": "Uses of force",
                    "calls_per_crime": "Calls per reported crime",
                    "use_of_force_per_1000_calls": "Uses of force per 1,000 calls"}


def dataset_chart(frame: pd.DataFrame, title: str, width: int = 860, height: int = 95) -> alt.FacetChart:
    """The three datasets and their ratios per period, one row each on one shared time axis
    (dataset_periods); a ratio with no denominator leaves a gap."""
    long = frame.melt(id_vars=["period_start", "period"], value_vars=list(DATASET_MEASURES),
                      var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(DATASET_MEASURES)
    return alt.Chart(long).mark_line(strokeWidth=3, color=LINE_COLOUR, point=alt.OverlayMarkDef(size=40)).encode(
        x=alt.X("period_start:T", title=None, axis=alt.Axis(**TIME_AXIS, **AXIS)),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(labelFontSize=13, tickCount=3, format="~s")),
        tooltip=[alt.Tooltip("measure:N", title="Measure"), alt.Tooltip("period:N", title="Period"),
                 alt.Tooltip("value:Q", title="Value", format=",.1f")],
    ).properties(width=width, height=height).facet(
        facet=alt.Facet("measure:N", sort=list(DATASET_MEASURES.values()), title=None,
                        header=alt.Header(labelFontSize=16, labelFontWeight="bold", labelAnchor="start")),
        columns=1, spacing=12,
    ).resolve_scale(y="independent").properties(title=title)


def use_of_force_chart(frame: pd.DataFrame, levels: list[str], title: str, width: int = 860) -> alt.VConcatChart:
    """Uses of force per period stacked by incident type, and under it, on the same time axis,
    uses of force per 1,000 calls for service (use_of_force_periods)."""
    long = frame.melt(id_vars=["period_start", "period"], value_vars=levels, var_name="level", value_name="n")
    long["level_order"] = long["level"].map(levels.index)
    x = alt.X("period_start:T", title=None, axis=alt.Axis(**TIME_AXIS, **AXIS))
    bars = alt.Chart(long).mark_bar(width=max(4, width // (2 * max(len(frame), 1)))).encode(
        x=x, y=alt.Y("sum(n):Q", title="Uses of force", axis=alt.Axis(**AXIS)),
        color=alt.Color("level:N", sort=levels, title=None,
                        scale=alt.Scale(domain=levels, range=(LEVEL_COLOURS * 2)[:len(levels)]),
                        legend=alt.Legend(orient="top", labelFontSize=15, labelLimit=0, symbolStrokeColor="#333")),
        order=alt.Order("level_order:Q"),
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("level:N", title="Incident type"),
                 alt.Tooltip("n:Q", title="Uses of force")],
    ).properties(width=width, height=220)
    rate = alt.Chart(frame).mark_line(strokeWidth=3, color=LINE_COLOUR, point=alt.OverlayMarkDef(size=40)).encode(
        x=x, y=alt.Y("use_of_force_per_1000_calls:Q", title="Per 1,000 calls", axis=alt.Axis(**AXIS)),
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("use_of_force:Q", title="Uses of force"),
                 alt.Tooltip("calls:Q", title="911 calls", format=","),
                 alt.Tooltip("use_of_force_per_1000_calls:Q", title="Per 1,000 calls", format=".1f")],
    ).properties(width=width, height=150)
    return alt.vconcat(bars, rate, spacing=12).resolve_scale(x="shared").properties(title=title)


# --- Hot spots -------------------------------------------------------------------------------------

def concentration_chart(curves: dict[str, pd.DataFrame], title: str) -> alt.Chart:
    """Share of incidents against share of places, one line per kind of place."""
    data = pd.concat([c.assign(places=name) for name, c in curves.items()], ignore_index=True)
    line = alt.Chart(data).mark_line(strokeWidth=3, interpolate="step-after").encode(
        x=alt.X("place_share:Q", title="Share of places (busiest first)", axis=alt.Axis(format="%", **AXIS),
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("incident_share:Q", title="Share of incidents", axis=alt.Axis(format="%", **AXIS),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("places:N", title=None, scale=alt.Scale(range=PLACE_COLOURS),
                        legend=alt.Legend(orient="bottom-right", labelFontSize=14)),
        strokeDash=alt.StrokeDash("places:N", legend=None))
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[4, 4], color="#555").encode(y="y:Q")
    return (line + half).properties(title=title, height=320)


# --- The hot-spot map as a picture (vl-convert: no tiles, no browser) ---------------------------------


def for_vega(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Outer rings clockwise, as Vega's spherical geometry reads them (GeoJSON's counter-clockwise
    rings would be taken as the whole globe minus the shape)."""
    return frame.set_geometry(shapely.orient_polygons(frame.geometry.values, exterior_cw=True))


def static_map(boundaries: dict[str, gpd.GeoDataFrame], beat_table: pd.DataFrame, hot_cells: gpd.GeoDataFrame,
               view: str, title: str, hold_back: int = 0) -> alt.LayerChart:
    """Beats by count (or change) with the hot-spot cells on top and precinct lines. hold_back (the
    partner view's minimum): counts under it are one class, and neither they nor their changes are in
    the chart's data."""
    beats = for_vega(boundaries["beat"][["beat", "precinct", "geometry"]]).merge(
        beat_table[["beat", "incidents", "previous", "change"]], on="beat", how="left").fillna(
        {"incidents": 0, "previous": 0, "change": 0})
    hidden = maps.held_back_changes(beats, hold_back)
    if view == "change":
        klass, entries = maps.change_classes(beats["change"].where(~hidden, 0))
        beats["class"] = [f"not shown (a count under {hold_back})" if h else entries[k][1] for k, h in zip(klass, hidden)]
        if hidden.any():
            entries = [*entries, (HELD_BACK_COLOUR, f"not shown (a count under {hold_back})")]
    else:
        klass, entries = maps.count_classes(beats["incidents"], hold_back)
        beats["class"] = [entries[k][1] if k >= 0 else "0" for k in klass]
    small = (beats["incidents"] > 0) & (beats["incidents"] < hold_back)
    beats = beats.assign(incidents=beats["incidents"].astype(int).astype(str).where(~small, f"<{hold_back}"),
                         change=beats["change"].astype(int).astype(str).where(~hidden, "not shown"))
    order = [text for _, text in entries] + (["0"] if (klass < 0).any() and view != "change" else [])
    colours = [colour for colour, _ in entries] + (["#ffffff"] if (klass < 0).any() and view != "change" else [])
    legend_title = "Change vs previous" if view == "change" else "Incidents"
    base = alt.Chart(beats.drop(columns="previous")).mark_geoshape(stroke="#777", strokeWidth=0.5).encode(
        color=alt.Color("class:N", title=legend_title, sort=order, scale=alt.Scale(domain=order, range=colours),
                        legend=alt.Legend(orient="left", labelFontSize=13, titleFontSize=14)),
        tooltip=["beat:N", "incidents:N", "change:N"])
    layers = [base, alt.Chart(for_vega(boundaries["precinct"][["precinct", "geometry"]])).mark_geoshape(
        filled=False, stroke="black", strokeWidth=2)]
    if not hot_cells.empty:
        cells = for_vega(hot_cells[["cell", "label", "geometry"]])
        labels = [label for label in LABEL_COLOURS if label in set(cells["label"])]
        cells["label"] = [f"{LABEL_SYMBOLS[lab]} {lab}" for lab in cells["label"]]
        layers.append(alt.Chart(cells).mark_geoshape(stroke="black", strokeWidth=0.8).encode(
            fill=alt.Fill("label:N", title="Gi* hot spot", scale=alt.Scale(
                domain=[f"{LABEL_SYMBOLS[lab]} {lab}" for lab in labels], range=[LABEL_COLOURS[lab] for lab in labels]),
                legend=alt.Legend(orient="left", labelFontSize=13, titleFontSize=14))))
    return alt.layer(*layers).resolve_scale(color="independent", fill="independent").properties(
        width=620, height=720, title=title).project(type="mercator")


# --- 911 calls and use of force ----------------------------------------------------------------------

from .palette import CHANGE_COLOURS, COUNT_COLOURS  # noqa: E402  (kept in this section for a clean merge)


def hour_of_week_heatmap(table: pd.DataFrame, title: str, width: int = 820) -> alt.VConcatChart:
    """Calls by day of the week (rows, Monday first) and hour (columns): this period, and under it
    the difference from the expected (service.hour_of_week_table) on a blue-red scale centred on
    zero. Every cell has its number in the tooltip; a cell held back from the partner view (None)
    is not drawn."""
    from .service import DAYS
    cell = width // 24
    data = table.assign(hour_label=table["hour"].map(lambda h: f"{h:02d}"),
                        calls=pd.to_numeric(table["calls"]), difference=pd.to_numeric(table["difference"]))
    x = alt.X("hour_label:O", title="Hour of the day (queued)", axis=alt.Axis(labelAngle=0, **AXIS))
    y = alt.Y("day:O", sort=list(DAYS), title=None, axis=alt.Axis(**AXIS))
    tooltip = [alt.Tooltip("day:N", title="Day"), alt.Tooltip("hour_label:N", title="Hour"),
               alt.Tooltip("calls:Q", title="This period", format=","),
               alt.Tooltip("expected:Q", title="Expected", format=",.1f"),
               alt.Tooltip("difference:Q", title="Difference", format="+,.1f")]
    legend = dict(orient="right", labelFontSize=13, titleFontSize=14, gradientLength=150)
    counts = alt.Chart(data).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("calls:Q", title="Calls", scale=alt.Scale(range=COUNT_COLOURS), legend=alt.Legend(**legend)),
    ).properties(width=cell * 24, height=cell * 7, title=alt.TitleParams("This period", anchor="start", fontSize=16))
    reach = float(np.nanmax(np.abs(data["difference"]))) if data["difference"].notna().any() else 1.0
    diff = alt.Chart(data).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("difference:Q", title="± expected",
                        scale=alt.Scale(range=CHANGE_COLOURS, domain=[-max(reach, 1), max(reach, 1)], domainMid=0),
                        legend=alt.Legend(**legend)),
    ).properties(width=cell * 24, height=cell * 7,
                 title=alt.TitleParams("Against the expected", anchor="start", fontSize=16))
    return alt.vconcat(counts, diff, spacing=18).resolve_scale(color="independent").properties(title=title)


def response_time_chart(rows: pd.DataFrame, title: str, target: float | None = None,
                        width: int = 760) -> alt.LayerChart:
    """One priority's response times per area: a line from the median (filled circle) to the 90th
    percentile (open diamond), and the priority's target as a dashed vermillion line. rows:
    area, median_minutes, p90_minutes, arrived (areas with too few calls left out by the caller)."""
    from .palette import TARGET_COLOURS
    order = list(rows["area"])
    data = rows.melt(id_vars=["area", "arrived"], value_vars=["median_minutes", "p90_minutes"], var_name="measure",
                     value_name="minutes")
    data["measure"] = data["measure"].map({"median_minutes": "Median", "p90_minutes": "90th percentile"})
    y = alt.Y("area:N", sort=order, title=None, axis=alt.Axis(labelFontSize=15, labelLimit=260))
    x = alt.X("minutes:Q", title="Minutes from queued to first arrival", axis=alt.Axis(format="~f", **AXIS),
              scale=alt.Scale(zero=True))
    tooltip = [alt.Tooltip("area:N", title="Area"), alt.Tooltip("measure:N", title="Measure"),
               alt.Tooltip("minutes:Q", title="Minutes", format=".1f"),
               alt.Tooltip("arrived:Q", title="Calls with an arrival", format=",")]
    span = alt.Chart(rows).mark_rule(strokeWidth=3, color=TARGET_COLOURS[0]).encode(
        y=y, x=alt.X("median_minutes:Q"), x2="p90_minutes:Q")
    points = alt.Chart(data).mark_point(size=160, strokeWidth=2.5, color=TARGET_COLOURS[0], opacity=1).encode(
        y=y, x=x, tooltip=tooltip,
        shape=alt.Shape("measure:N", scale=alt.Scale(domain=["Median", "90th percentile"], range=["circle", "diamond"]),
                        legend=alt.Legend(title=None, orient="top", labelFontSize=15, symbolSize=200)),
        fill=alt.Fill("measure:N", scale=alt.Scale(domain=["Median", "90th percentile"],
                                                   range=[TARGET_COLOURS[0], "white"]), legend=None))
    layers = [span, points]
    if target is not None and not pd.isna(target):
        layers.append(alt.Chart(pd.DataFrame({"minutes": [target], "label": [f"target {target:g} min"]}))
                      .mark_rule(strokeDash=[6, 4], strokeWidth=2.5, color=TARGET_COLOURS[1])
                      .encode(x="minutes:Q", tooltip=[alt.Tooltip("label:N", title="Target")]))
    return alt.layer(*layers).properties(width=width, height=alt.Step(40), title=title)


def source_mix_chart(table: pd.DataFrame, title: str, width: int = 760) -> alt.Chart:
    """Each area's calls by source as shares of its calls (stacked to 100 %), in a fixed order and
    colour per source (service.source_table)."""
    from .palette import SOURCE_COLOURS
    from .service import SOURCES
    long = table.melt(id_vars=["area", "calls"], value_vars=list(SOURCES), var_name="key", value_name="n")
    long[["n", "calls"]] = long[["n", "calls"]].apply(pd.to_numeric)      # None: held back, not drawn
    long["source"] = long["key"].map(SOURCES)
    long["share"] = np.where(long["calls"] > 0, long["n"] / long["calls"].where(long["calls"] > 0), 0)
    long["order"] = long["key"].map(list(SOURCES).index)
    names = list(SOURCES.values())
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("area:N", sort=list(table["area"]), title=None, axis=alt.Axis(labelFontSize=15, labelLimit=260)),
        x=alt.X("sum(share):Q", title="Share of calls", axis=alt.Axis(format="%", **AXIS), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("source:N", sort=names, scale=alt.Scale(domain=names, range=[SOURCE_COLOURS[s] for s in names]),
                        legend=alt.Legend(title=None, orient="top", labelFontSize=15, labelLimit=0, columns=6)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("n:Q", title="Calls", format=","), alt.Tooltip("share:Q", title="Share", format=".1%")],
    ).properties(width=width, height=alt.Step(36), title=title)


def use_of_force_rate_chart(table: pd.DataFrame, title: str, measure: str = "per_1000_dispatched",
                            width: int = 760) -> alt.Chart:
    """Uses of force per 1,000 dispatched calls (or per 10,000 calls) per area, stacked by level,
    light to dark (service.use_of_force_rates without its 'All' rows)."""
    levels = [lv for lv in dict.fromkeys(table["uof_level"]) if lv != "All"]
    data = table[table["uof_level"] != "All"].assign(order=lambda t: t["uof_level"].map(levels.index))
    axis_title = "Uses of force per 1,000 dispatched calls" if measure == "per_1000_dispatched" else \
        "Uses of force per 10,000 calls for service"
    return alt.Chart(data).mark_bar(stroke="#333", strokeWidth=0.3).encode(
        y=alt.Y("area:N", sort=list(dict.fromkeys(table["area"])), title=None,
                axis=alt.Axis(labelFontSize=15, labelLimit=260)),
        x=alt.X(f"sum({measure}):Q", title=axis_title, axis=alt.Axis(**AXIS)),
        color=alt.Color("uof_level:N", sort=levels, title=None,
                        scale=alt.Scale(domain=levels, range=(LEVEL_COLOURS * 2)[:len(levels)]),
                        legend=alt.Legend(orient="top", labelFontSize=15, labelLimit=0, symbolStrokeColor="#333")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("uof_level:N", title="Level"),
                 alt.Tooltip("uses:Q", title="Uses of force"),
                 alt.Tooltip(f"{measure}:Q", title="Rate", format=".2f")],
    ).properties(width=width, height=alt.Step(36), title=title)


# --- What the store holds ----------------------------------------------------------------------------

def coverage_timeline(spans: pd.DataFrame, title: str) -> alt.Chart:
    """One bar per published export (manifest.coverage_spans of every dataset): from its first to its
    last record, coloured by dataset, the file name as the row; an export filtered by offense or area
    is hatched in words ('robbery only', 'some beats') in the tooltip and label."""
    rows = list(dict.fromkeys(spans["row"]))
    base = alt.Chart(spans).encode(y=alt.Y("row:N", sort=rows, title=None, axis=alt.Axis(labelLimit=420, **AXIS)))
    bars = base.mark_bar(height=14).encode(
        x=alt.X("from:T", title=None, axis=alt.Axis(format="%Y", **AXIS)), x2="to:T",
        color=alt.Color("dataset:N", title=None, scale=alt.Scale(range=PLACE_COLOURS + [NEUTRAL_COLOUR]),
                        legend=alt.Legend(orient="top", labelFontSize=14)),
        tooltip=["dataset:N", "file:N", alt.Tooltip("from:T", format="%b %d, %Y"),
                 alt.Tooltip("to:T", format="%b %d, %Y"), "holds:N"])
    return bars.properties(width=820, height=max(60, 24 * len(rows)), title=title)
