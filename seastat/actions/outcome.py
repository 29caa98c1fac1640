"""Did a commitment work? Its target's counts in the place before and since the start, against a
comparison area over the same windows (a difference-in-differences), judged with the exact
Poisson test of the trends page; and a small before/after chart. No Streamlit here.

The windows: "since" runs from the start date to the last day of the data; "before" is the same
number of days just before the start. Counting comes from queries/actions/counts.sql (the daily
rollup) or, for a 100-block or a single 911 call type, queries/actions/event_counts.sql.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
from scipy import stats

from .. import compstat
from ..access import EXACT, Counting
from ..config import PRECINCTS, Settings
from ..periods import Window
from .check import Known, place_label, target_label
from .db import Record

IMPROVED, WORSE, NO_CHANGE, NOT_ENOUGH = "improvement", "worse", "no detectable change", "not enough data"
PLACE_COLOUR, COMPARISON_COLOUR = "#222222", "#009E73"   # near-black and Okabe-Ito green, as on Compare


@dataclass(frozen=True)
class Counts:
    """The four counts of a difference-in-differences, over equal windows."""
    place_before: int
    place_since: int
    comparison_before: int
    comparison_since: int


@dataclass(frozen=True)
class Result:
    commitment_id: int
    place: str
    comparison: str
    target: str
    before: Window | None
    since: Window | None
    counts: Counts | None
    expected: float          # the place's count since the start had it followed the comparison
    ratio: float             # (place since / before) / (comparison since / before); 1 = same change
    p: float                 # the DiD test's two-sided p-value (NaN when not judged)
    verdict: str             # IMPROVED, WORSE, NO_CHANGE or NOT_ENOUGH
    flag: str                # ▼ (fewer than expected), ▲ (more), '' (not flagged)
    level: float = float("nan")   # the significance level it was judged at
    why_not: str = ""        # NOT_ENOUGH: why it is not judged

    @property
    def text(self) -> str:
        """The verdict in one sentence, every count as it is (the CLI; the command view)."""
        return self.told()

    def told(self, count: Counting = EXACT) -> str:
        """The verdict in one sentence for the page, the CLI and the packet, its counts said by
        `count` (the partner view: "fewer than 3", and no figure computed from such a count)."""
        return sentence(self, count)


def did_test(counts: Counts, level: float) -> tuple[float, float, str]:
    """(p, expected, flag) for the place's count since the start against its count before,
    given how the comparison area changed.

    Method. If the commitment did nothing, the place's rate changes by the same factor r as the
    comparison's. Then, given the place's total n = before + since, its count since is
    Binomial(n, r / (1 + r)), the exact conditional Poisson test of the trends page with the window
    ratio k = 1 / r: compstat.p_value(since, before, k), with r estimated by the comparison's
    since / before. That estimate is treated as exact, which is right only when the comparison is
    much larger than the place: on pure noise (20,000 simulated commitments each) it flags 3.9 % at
    |z| >= 2 (alpha 4.55 %) for a comparison 14 times the place's size, but 6.2 % at 3 times and
    13 % at equal size. So the comparison's own noise is accounted for too, with the exact
    conditional test of the 2x2 table (place / comparison x before / since, given all margins:
    Fisher's), which flagged 2.8 - 4.3 % in the same runs; the larger of the two p-values is used,
    so a change is flagged only when both tests call it unlikely to be chance. ▼ means fewer than
    `expected` = before x r, the count the comparison's change predicts."""
    a0, a1, c0, c1 = counts.place_before, counts.place_since, counts.comparison_before, counts.comparison_since
    k = c0 / c1
    expected = a0 * c1 / c0
    plug_in = float(compstat.p_value(a1, a0, k))
    table = stats.fisher_exact([[a1, a0], [c1, c0]]).pvalue
    p = max(plug_in, float(table))
    flag = (compstat.DOWN if a1 < expected else compstat.UP) if p <= level else ""
    return p, expected, flag


def windows(start: dt.date, last_day: dt.date) -> tuple[Window, Window] | None:
    """(before, since): the start to the last day of the data, and as many days before it."""
    since = Window(start, last_day + dt.timedelta(days=1))
    if since.days < 1:
        return None
    return Window(start - dt.timedelta(days=since.days), start), since


def comparison_area(record: Record, known: Known) -> tuple[str, str]:
    """(level, value) of the comparison: the chosen one, else the place's precinct (the city for
    a precinct). The place itself is always left out of it when counting."""
    if record.comparison_level:
        return record.comparison_level, record.comparison_value or ""
    if record.place_level == "precinct":
        return "city", ""
    return "precinct", known.precinct_of(record.place_level, record.place_value) or ""


def comparison_label(record: Record, known: Known) -> str:
    level, value = comparison_area(record, known)
    if record.comparison_level:
        inside = level == "city" or (level == "precinct" and known.precinct_of(record.place_level, record.place_value) == value)
        return f"{place_label(level, value)} (without {record.place})" if inside else place_label(level, value)
    return "the rest of the city" if level == "city" else f"the rest of {place_label(level, value)}"


def target_filters(record: Record, settings: Settings) -> tuple[list[str], list[str]]:
    """(offenses, call types) to count; empty = all."""
    if record.target == "all":
        return [], []
    if record.dataset == "crime":
        return list(settings.offense_groups.get(record.target, [record.target])), []
    if record.dataset == "calls":
        return [], [record.target]
    return [record.target], []


def count(store, record: Record, known: Known, settings: Settings, before: Window, since: Window) -> Counts:
    area_level, area_value = comparison_area(record, known)
    offenses, categories = target_filters(record, settings)
    params = dict(dataset=record.dataset, place_level=record.place_level, place_value=record.place_value,
                  area_level=area_level, area_value=area_value, city_precincts=list(PRECINCTS), offenses=offenses,
                  windows=[{"name": n, "start": w.start, "end": w.end} for n, w in (("before", before), ("since", since))])
    if record.place_level == "block" or categories:
        got = store.df("actions/event_counts", categories=categories, **params)
    else:
        got = store.df("actions/counts", **params)
    got = got.set_index("window")
    return Counts(int(got.at["before", "place"]), int(got.at["since", "place"]),
                  int(got.at["before", "comparison"]), int(got.at["since", "comparison"]))


def judge(record: Record, counts: Counts | None, before: Window | None, since: Window | None, *,
          comparison: str, level: float, why_not: str = "") -> Result:
    """The verdict on known counts (separate from counting, so it is tested on exact numbers)."""
    place, target = record.place, target_label(record.dataset, record.target)
    nan = float("nan")
    if counts is None or counts.comparison_before == 0 or counts.comparison_since == 0:
        return Result(record.id, place, comparison, target, before, since, counts, nan, nan, nan, NOT_ENOUGH, "",
                      level, why_not)
    p, expected, flag = did_test(counts, level)
    ratio = (counts.place_since / counts.place_before) / (counts.comparison_since / counts.comparison_before) \
        if counts.place_before else nan
    verdict = {compstat.DOWN: IMPROVED, compstat.UP: WORSE}.get(flag, NO_CHANGE)
    return Result(record.id, place, comparison, target, before, since, counts, expected, ratio, p, verdict, flag, level)


def sentence(r: Result, count: Counting = EXACT) -> str:
    """Result.told: the counts through `count`; a percentage, the expected count or the p-value only
    when none of the counts it is computed from is held back."""
    c = r.counts
    if c is None:
        return f"Not enough data yet: {r.why_not}."
    if r.verdict == NOT_ENOUGH:
        return (f"Not enough data: {r.comparison} had no {r.target.lower()} "
                f"{'before the start' if c.comparison_before == 0 else 'since the start'}, "
                "so there is nothing to compare with.")
    a0, a1, c0, c1 = c.place_before, c.place_since, c.comparison_before, c.comparison_since
    area = "" if count.held(c0, c1) else f" ({_pct(c1, c0)})"
    predicts = "" if count.held(a0, c0, c1) else f", which predicts {r.expected:,.1f}"
    base = (f"{r.target} in {r.place}: {count(a0)} in the {r.since.days} days before the start, "
            f"{count(a1)} since; {r.comparison} went from {count(c0)} to {count(c1)}{area}{predicts}")
    every = count.held(a0, a1, c0, c1)
    test = "exact Poisson test" + ("; figures computed from counts under "
                                   f"{count.under} are not shown" if every else f" p = {r.p:.3g}")
    against = "" if every else f"; {_pct(a1, r.expected)} against that"
    if r.verdict == IMPROVED:
        return f"▼ Improvement: {base}{against} ({test})."
    if r.verdict == WORSE:
        return f"▲ Worse than the comparison: {base}{against} ({test})."
    text = f"No detectable change against the comparison: {base} ({test})."
    alone = float(compstat.p_value(a1, a0, 1.0))
    if alone <= r.level:   # the place alone moved, but so did the comparison: not the commitment's doing
        moved = ("fell" if a1 < a0 else "rose") + ("" if count.held(a0, a1) else f" {_pct(a1, a0, sign=False)}")
        text += (f" The place {moved}, but {r.comparison} changed too{area}, "
                 "so the change is not credited to the commitment.")
    return text


def _pct(now: float, before: float, sign: bool = True) -> str:
    if not before:
        return "from 0"
    change = (now - before) / before
    return f"{change:+.0%}" if sign else f"{abs(change):.0%}"


def result(store, record: Record, known: Known, settings: Settings) -> Result:
    """The commitment's result on the published store (the data's last day ends the 'since' window)."""
    level = compstat.alpha(settings.stats.z_threshold)
    comparison = comparison_label(record, known)
    if not store.has(record.dataset):
        return judge(record, None, None, None, comparison=comparison, level=level,
                     why_not=f"the store has no {record.dataset} rows")
    first, last = store.days(record.dataset)
    span = windows(record.start_date, last)
    if span is None:
        return judge(record, None, None, None, comparison=comparison, level=level,
                     why_not=f"it starts {record.start_date}, after the data's last day ({last})")
    before, since = span
    if before.start < first:
        return judge(record, None, before, since, comparison=comparison, level=level,
                     why_not=f"the {since.days} days before the start reach back before the data begins ({first})")
    counts = count(store, record, known, settings, before, since)
    return judge(record, counts, before, since, comparison=comparison, level=level)


# --- Chart and tables --------------------------------------------------------------------------------

def chart_frame(r: Result, count: Counting = EXACT) -> pd.DataFrame:
    """Rows for the chart: each area before and since the start, as counts and as an index
    (before = 100). A count `count` holds back is left out, and so is an index computed from one
    (as the partner view's trend charts do): its point is not drawn."""
    if r.counts is None:
        return pd.DataFrame(columns=["area", "window", "order", "count", "relative"])
    c = r.counts
    rows = [(r.place, "Before", 0, c.place_before, c.place_before), (r.place, "Since start", 1, c.place_since, c.place_before),
            (r.comparison, "Before", 0, c.comparison_before, c.comparison_before),
            (r.comparison, "Since start", 1, c.comparison_since, c.comparison_before)]
    df = pd.DataFrame(rows, columns=["area", "window", "order", "count", "base"])
    df["relative"] = np.where(df["base"] > 0, df["count"] / df["base"].where(df["base"] > 0) * 100, np.nan)
    held = [count.held(n, base) for n, base in zip(df["count"], df["base"])]
    df["count"] = df["count"].astype("Int64").mask(held)
    df["relative"] = df["relative"].mask(held)
    return df.drop(columns="base")


def before_after_chart(r: Result, width: int | None = 320, height: int = 220, titled: bool = True,
                       count: Counting = EXACT) -> alt.Chart:
    """The place and its comparison from before to since the start, each indexed to 100 before:
    lines that stay together mean no difference; the place's line below the comparison's is the
    drop the comparison does not explain. Counts in the tooltip; width None fits the container; titled=False leaves the title to the page."""
    df = chart_frame(r, count)
    colours = alt.Scale(domain=[r.place, r.comparison], range=[PLACE_COLOUR, COMPARISON_COLOUR])
    return (alt.Chart(df, title=f"{r.target}: {r.place}" if titled else "")
            .mark_line(point=alt.OverlayMarkDef(size=80, filled=True), strokeWidth=3)
            .encode(x=alt.X("window:N", sort=["Before", "Since start"], title=None, axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("relative:Q", title="Count (before the start = 100)", scale=alt.Scale(zero=True)),
                    color=alt.Color("area:N", scale=colours, title=None, legend=alt.Legend(orient="bottom")),
                    strokeDash=alt.StrokeDash("area:N", scale=alt.Scale(domain=[r.place, r.comparison],
                                                                         range=[[1, 0], [6, 3]]), legend=None),
                    tooltip=["area:N", "window:N", alt.Tooltip("count:Q", title="count", format=","),
                             alt.Tooltip("relative:Q", format=".0f")])
            # "pad": the plot keeps its size and the legend and axes are added around it (Streamlit
            # would otherwise fit the whole chart into the plot's height and squash the plot)
            .properties(height=height, autosize=alt.AutoSizeParams(type="pad"),
                        **({} if width is None else {"width": width})))   # None: the page's width


# What the partner view holds back of results_table (access.held_back): the place's counts, and the
# expected count and p-value computed from them.
HOLD_BACK = {"counts": ("Before", "Since"), "derived": {"Expected": ("Before",), "p": ("Before", "Since")}}


def results_table(records: list[Record], results: dict[int, Result]) -> pd.DataFrame:
    """One row per commitment: what the meeting reads (and the packet's follow-up section)."""
    rows = []
    for rec in records:
        res = results.get(rec.id)
        c = res.counts if res else None
        rows.append({
            "#": rec.id, "What": rec.what, "Owner": rec.owner, "Place": rec.place, "Target": rec.target_label,
            "Start": rec.start_date, "Due": rec.due_date, "Status": rec.status,
            "Before": c.place_before if c else None, "Since": c.place_since if c else None,
            "Expected": round(res.expected, 1) if res and c else None,
            "Result": res.verdict if res else "", "p": res.p if res else None,
        })
    return pd.DataFrame(rows, columns=["#", "What", "Owner", "Place", "Target", "Start", "Due", "Status",
                                       "Before", "Since", "Expected", "Result", "p"])


def followup_section(actions, store, known: Known, settings: Settings, due_by: dt.date,
                     count: Counting = EXACT) -> tuple[pd.DataFrame, dict[int, "alt.Chart"]]:
    """The packet's follow-up section: the open commitments due back at a meeting on or before
    `due_by`, as results_table() rows, and each one's before/after chart (by commitment id), its
    small counts held back as `count` says."""
    records = actions.list(status="open", due_by=due_by)
    results = {r.id: result(store, r, known, settings) for r in records}
    charts = {i: before_after_chart(res, count=count) for i, res in results.items() if res.counts is not None}
    return results_table(records, results), charts
