"""Altair chart builders (pure: a DataFrame in, a chart out; no Streamlit), shared by the pages
and the exports.

Flag colours are the Okabe-Ito vermillion and blue, which stay apart for colour-blind readers,
and every flag also has its own shape (▲ triangle up, ▼ triangle down). Sizes are for a
projector: large axis labels and panel titles. No `configure_*` here, so a caller can still
concatenate or caption the charts.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from .compstat import DOWN, UP

UP_COLOUR, DOWN_COLOUR = "#D55E00", "#0072B2"
LINE_COLOUR, BAND_COLOUR = "#111111", "#9E9E9E"
FLAG_NAMES = {UP: "above expected range", DOWN: "below expected range"}


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
