"""What SeaStat says, in one place: the method note, the sentences of the comparisons, and the
tables as the meeting reads them (counts with separators, flagged changes, "—" for a window
with no data, "not available" for a ratio with nothing to divide by). Pure: no Streamlit.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import compstat
from .access import EXACT, Counting
from .datasets import FACTS
from .palette import DOWN, FLAG_STYLES, LABEL_SYMBOLS, UP

NOT_AVAILABLE = "not available"
NO_DATA = "—"

METHOD = ("▲ / ▼ mark a change unlikely to be chance: an exact Poisson test (the count against the "
          "earlier count, given their sum) puts the chance of so large a change, had the rate not moved, "
          "at or below {alpha:.1%} (two-sided, the level of |z| ≥ {threshold:g}){dispersion}. "
          "**Expected**: {expected}; the grey band on the charts is the range of counts the test would not "
          "flag against it. “—” marks a window that starts before the data do: no data, not zero.")
DISPERSION = (", after allowing for how much more than Poisson noise each area's counts vary by themselves "
              "(one incident can be several rows; a heat wave lifts a whole fortnight)")


def expected_note(settings, periods: float | None = None) -> str:
    """What 'expected' means under [stats] expected, in words."""
    n = settings.stats.baseline_periods if periods is None or pd.isna(periods) else periods
    if settings.stats.expected == "seasonal":
        return (f"the level of the {n:.0f} periods before, scaled by how this time of year ran against its "
                "year in up to three earlier years (the mean of those periods where a year of history is missing)")
    return f"the mean of the {n:.0f} periods before"


def method_note(settings) -> str:
    return METHOD.format(alpha=settings.level, threshold=settings.stats.z_threshold,
                         dispersion=DISPERSION if settings.stats.overdispersion else "",
                         expected=expected_note(settings))


# --- The CompStat table ----------------------------------------------------------------------

def change_text(now: float, before: float, flag: str) -> str:
    """'▲ +35%'; a zero baseline reads '+5 from 0' (or '0'); an unknown window '—'; a count held
    back from the partner view ('<3') reads as it is."""
    for held in (now, before):
        if isinstance(held, str):
            return held
    if pd.isna(now) or pd.isna(before):
        return NO_DATA
    if before == 0:
        text = "0" if now == 0 else f"+{now:,.0f} from 0"
    else:
        text = f"{(now - before) / before:+.0%}"
    return f"{flag}\u00a0{text}" if flag else text      # a no-break space: the flag never wraps off its number


def readable(table: pd.DataFrame, headers: compstat.Headers) -> pd.DataFrame:
    """compstat_table rows as the meeting reads them: counts with thousands separators, each
    change as a flagged percent, '—' where a window has no data; the area named once per block."""
    def count(values: pd.Series, decimals: int = 0) -> pd.Series:
        return values.map(lambda v: v if isinstance(v, str) else NO_DATA if pd.isna(v) else f"{v:,.{decimals}f}")

    out = pd.DataFrame({"Area": table["area"].where(table["area"] != table["area"].shift(), ""),
                        "Offense": table["offense_label"]})
    for window, header in headers.windows.items():
        out[header] = count(table[window], 1 if window == "expected" else 0)
        for change in compstat.CHANGES:
            if change.beside == window:
                out[headers.changes[change.key]] = [change_text(n, b, f) for n, b, f in zip(
                    table[change.now], table[change.beside], table[f"{change.key}_flag"])]
    return out.reset_index(drop=True)


def flag_style(text: object) -> str:
    return FLAG_STYLES.get(str(text)[:1], "")


def styled(shown: pd.DataFrame, headers: compstat.Headers) -> "pd.io.formats.style.Styler":
    """readable() with flagged changes in orange (up) or blue (down) beside their symbols, and the
    current period in bold."""
    return (shown.style.hide(axis="index")
            .map(flag_style, subset=list(headers.changes.values()))
            .set_properties(subset=[headers.windows["current"]], **{"font-weight": "700"})
            .set_properties(**{"white-space": "nowrap"}))


# The changes shown beside each count on a projector; the rest stay on the trends page.
SUMMARY_CHANGES = ("expected", "last_year")


def summary(table: pd.DataFrame, headers: compstat.Headers) -> pd.DataFrame:
    """compstat_table rows turned for a projector: one column per area (in the table's order); per
    offense row, a line with the count this period and a line for each change against the expected
    count and against last year, flagged as on the trends page."""
    areas = list(dict.fromkeys(table["area"]))
    changes = [c for c in compstat.CHANGES if c.key in SUMMARY_CHANGES]
    lines = []
    for key in dict.fromkeys(table["offense"]):
        rows = table[table["offense"] == key].set_index("area").reindex(areas)
        lines.append([rows["offense_label"].dropna().iloc[0],
                      *(v if isinstance(v, str) else NO_DATA if pd.isna(v) else f"{v:,.0f}" for v in rows["current"])])
        lines += [[headers.changes[c.key], *(change_text(n, b, f) for n, b, f in
                                       zip(rows[c.now], rows[c.beside], rows[f"{c.key}_flag"]))] for c in changes]
    return pd.DataFrame(lines, columns=["Offense", *areas])


def styled_summary(shown: pd.DataFrame) -> "pd.io.formats.style.Styler":
    """summary() with flagged changes coloured as on the trends page and the count lines in bold."""
    counts = ~shown["Offense"].str.startswith("±")
    return (shown.style.hide(axis="index")
            .map(flag_style)
            .set_properties(subset=pd.IndexSlice[counts[counts].index, :], **{"font-weight": "700"}))


# --- Comparisons ------------------------------------------------------------------------------

def noun(dataset: str, row: str, label: str) -> str:
    """What is counted, for sentences: 'offenses', 'violent offenses', '“Level 2” uses of force'."""
    what = FACTS[dataset].noun
    if row == "all":
        return what
    return f"{label.lower()} {what}" if FACTS[dataset].has_offense_groups else f"“{label}” {what}"


def in_words(d, what: str, count: Counting = EXACT) -> str:
    """A compare.Difference as a sentence for the meeting, with its test. `count` says the counts
    (for partners, "fewer than 3", and no difference, percentage or p-value computed from one)."""
    if d.change == 0:
        return f"{d.a} and {d.b} had the same number of {what}: {count(d.n_a)} each."
    held = count.held(d.n_a, d.n_b)
    percent = f"percent change {NOT_AVAILABLE} from zero" if d.n_b == 0 else f"{d.percent:+.0f}%"
    text = (f"{d.a} had {'more' if d.change > 0 else 'fewer'} {what} than {d.b}: "
            f"{count(d.n_a)} against {count(d.n_b)}" + ("." if held else f" ({d.change:+,}, {percent})."))
    p = "" if held else ", p < 0.001" if d.p < 0.001 else f", p = {d.p:.3f}"
    if d.flag:
        return f"{text} {d.flag} A difference this large is unlikely to be chance (exact Poisson test{p})."
    return f"{text} Chance alone often gives a difference this large (exact Poisson test{p})."


def ratio_text(value, decimals: int = 1) -> str:
    return NOT_AVAILABLE if pd.isna(value) else f"{value:,.{decimals}f}"


def _per(value: float, unit: str) -> str:
    return f"{unit} {NOT_AVAILABLE}: no denominator" if pd.isna(value) else f"{ratio_text(value)} {unit}"


def _ratio_of(value: float, unit: str, count: Counting, *counts) -> str:
    """A ratio of counts, unless one of them is held back (it would give the count back)."""
    return f"{unit} not shown: a count under {count.under}" if count.held(*counts) else _per(value, unit)


def datasets_in_words(place: str, n: dict[str, int], calls_per_crime: float, per_1000_calls: float,
                      count: Counting = EXACT) -> str:
    """One place and period across the three datasets, with the ratios between them."""
    return (f"{place} — crime reports: {count(n['crime'])}; 911 calls for service: {count(n['calls'])} "
            f"({_ratio_of(calls_per_crime, 'calls per reported crime', count, n['crime'], n['calls'])}); "
            f"uses of force: {count(n['use_of_force'])} "
            f"({_ratio_of(per_1000_calls, 'per 1,000 calls', count, n['use_of_force'], n['calls'])}).")


def use_of_force_in_words(place: str, by_level: pd.Series, calls: int, per_1000_calls: float,
                          count: Counting = EXACT) -> str:
    """Uses of force in one place and period, every incident type named, against calls for service."""
    levels = "; ".join(f"{level}: {count(n)}" for level, n in by_level.items())
    total = int(by_level.sum())
    return (f"{place} — uses of force: {count(total)} ({levels}); 911 calls for service: {count(calls)}; "
            f"{_ratio_of(per_1000_calls, 'uses of force per 1,000 calls', count, total, calls)}.")


def mix_in_words(mix: pd.DataFrame, a: str, b: str, what: str, count: Counting = EXACT) -> str:
    """The groups that drive the difference, and the largest one that went the other way. A group
    with a count `count` holds back is named without its difference."""
    net = int(mix["difference"].sum())
    if mix[["a", "b"]].to_numpy().sum() == 0:
        return f"Neither {a} nor {b} had any {what}."
    held = lambda r: count.held(r.a, r.b)  # noqa: E731
    named = lambda rows: ", ".join(r.category if held(r) else f"{r.category} ({r.difference:+,})"  # noqa: E731
                                   for r in rows.itertuples())
    if net == 0:
        moved = mix[mix["difference"] != 0]
        return (f"{a} and {b} had the same number of {what}"
                + (f", in a different mix: {named(moved.head(3))}." if len(moved) else ", in the same mix."))
    direction = np.sign(net)
    drivers = mix[np.sign(mix["difference"]) == direction].head(3)
    of = f"Of the {'' if count.held(*mix[['a', 'b']].sum()) else f'{net:+,} '}difference between {a} and {b}"
    if any(held(r) for r in drivers.itertuples()):   # their sum would give a held-back group's difference back
        text = f"{of}, the largest parts are {named(drivers)}"
    else:
        text = f"{of}, {named(drivers)} account for {int(drivers['difference'].sum()):+,}"
    against = mix[np.sign(mix["difference"]) == -direction].head(1)
    return text + (f"; {named(against)} went the other way." if len(against) else ".")


# Column headers on screen; the CSV keeps the column names.
HEADERS = {
    "area": "Area", "crime": "Crime reports", "calls": "911 calls", "use_of_force": "Uses of force",
    "calls_per_crime": "Calls per reported crime", "use_of_force_per_1000_calls": "Uses of force per 1,000 calls",
    "category": "Offense group", "difference": "Difference", "share_a": "Share of A", "share_b": "Share of B",
    "period": "Period",
}


def held(fmt: Callable[[Any], str]) -> Callable[[Any], str]:
    """fmt for a number; a count held back from the partner view ("<3") reads as it is."""
    return lambda v: v if isinstance(v, str) else fmt(v)


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """A table as the meeting reads it: counts with thousands separators, ratios to one decimal
    ('not available' for a zero denominator), shares in percent, the headers in words."""
    out = pd.DataFrame(index=table.index)
    for column, values in table.items():
        if column.startswith("share"):
            out[column] = values.map(held(lambda v: NOT_AVAILABLE if pd.isna(v) else f"{v:.0%}"))
        elif pd.api.types.is_integer_dtype(values):
            out[column] = values.map(("{:,}" if column != "difference" else "{:+,}").format)
        elif column in FACTS:          # a dataset's count no export covers: unknown, never 0
            out[column] = values.map(held(lambda v: NO_DATA if pd.isna(v) else f"{v:,.0f}"))
        elif pd.api.types.is_float_dtype(values):
            out[column] = values.map(ratio_text)
        elif values.dtype == object and values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).any():
            # numbers with counts held back from the partner view ("<3") among them
            whole = "{:,}" if column != "difference" else "{:+,}"
            out[column] = values.map(held(lambda v: ratio_text(v) if isinstance(v, float) else whole.format(v)))
        else:
            out[column] = values
    return out.rename(columns=lambda c: HEADERS.get(c, c)).reset_index(drop=True)


def grid(table: pd.DataFrame) -> pd.DataFrame:
    """A table for st.dataframe: a column of numbers with counts held back from the partner view
    among them ("<3") as text, its numbers as the grid would show them (Arrow takes one type a column)."""
    out = table.copy()
    for column, values in table.items():
        text = values.map(lambda v: isinstance(v, str))
        if values.dtype == object and text.any() and values[~text].notna().any():
            out[column] = values.map(held(lambda v: NO_DATA if pd.isna(v) else f"{v:,.1f}" if v % 1 else f"{v:,.0f}"))
    return out


def hot_blocks(blocks: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """The hottest-blocks table as read on a screen or on paper: ranks, signed changes, shares in
    percent, the aggregate lines kept at the bottom so the column still adds up."""
    ranked = blocks[blocks["rank"].notna()]
    out = pd.concat([ranked.head(top) if top else ranked, blocks[blocks["rank"].isna()]])
    return out.assign(rank=out["rank"].astype("string").fillna(""), change=out["change"].map(held("{:+,}".format)),
                      share=out["share"].map(held("{:.1%}".format))).rename(columns={
        "rank": "Rank", "block_address": "100-block", "beat": "Beat", "incidents": "This period",
        "previous": "Previous", "change": "± previous", "share": "Share"})


def knox_table(elevated: pd.DataFrame) -> pd.DataFrame:
    """The Knox bands with more close pairs than chance, as read on a screen or on paper."""
    if elevated.empty:
        return pd.DataFrame({"Finding": ["No space-time band had more close pairs than chance."]})
    return pd.DataFrame({
        "Offense": elevated["offense"].str.replace("_", " ").str.capitalize(),
        "Distance": elevated["space"], "Days apart": elevated["time"],
        "Pairs": elevated["observed"].map(held("{:,}".format)), "Expected": elevated["expected"].map("{:,.1f}".format),
        "Ratio": elevated["ratio"].map(held("{:.2f}".format)),
        "p": elevated["p"].map(lambda p: "<0.001" if p < 0.001 else f"{p:.3f}")}).reset_index(drop=True)


# --- Key numbers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Metric:
    """One key number as a page shows it (st.metric's arguments)."""
    label: str
    value: str
    delta: str | None = None
    colour: str = "off"        # 'inverse': a rise reads as bad (more incidents); 'off': no judgement
    help: str | None = None

    @property
    def shown_colour(self) -> str:
        """The colour as drawn: a delta that says no change ('+0 vs previous', '+0%') has none, and
        no arrow (Streamlit reads '+0' as a rise and would draw a red arrow up)."""
        unchanged = self.delta is not None and re.match(r"[+\-−]?0+(\.0+)?%?(\s|$)", self.delta)
        return "off" if unchanged else self.colour


def hotspot_numbers(report, beat: str = "", hold_back: int = 0) -> list[Metric]:
    """The hot-spot page's four key numbers, for the city or one beat (a reports.HotspotReport).
    hold_back (the partner view's minimum): a beat's count under it, its change and share are not shown."""
    a = report.analysis
    if beat:
        row = a.beats[a.beats["beat"] == beat].iloc[0]
        label = "not a hot spot" if row["label"] == "none" else f"{LABEL_SYMBOLS[row['label']]} {row['label']}"
        small = [0 < n < hold_back for n in (row["incidents"], row["previous"])]
        count = f"<{hold_back}" if small[0] else f"{row['incidents']:,}"
        change = "change not shown" if any(small) else f"{row['change']:+,} vs previous"
        share = f"<{hold_back}" if small[0] else f"{row['incidents'] / max(a.total, 1):.1%}"
        return [Metric(f"Incidents in beat {beat}", count, change, "off" if any(small) else "inverse"),
                Metric("Share of all incidents", share),
                Metric("Hot-spot cells in the beat", f"{int((a.cells['hot'] & (a.cells['beat'] == beat)).sum())}"),
                Metric("Beat Gi* z-score", f"{row['z']:.1f}", label)]
    hit, pai = report.hit_rate_and_pai
    half = report.half_on
    return [Metric("Incidents", f"{a.total:,}", f"{a.total - a.total_previous:+,} vs previous", "inverse"),
            Metric("Half of incidents fall on", NO_DATA if half is None else f"{half:.1%} of 100-blocks"),
            Metric("Hot-spot cells", f"{int(a.cells['hot'].sum())}", f"{int(a.cells['was_hot'].sum())} last period"),
            Metric("Last period's hot spots caught", NO_DATA if hit is None else f"{hit:.1%} of incidents",
                   "no hot-spot cells last period" if pai is None else f"PAI {pai:.1f}",
                   help="Hit rate: this period's incidents inside last period's hot-spot cells. "
                        "PAI = hit rate / the cells' share of the city's area.")]


def slices_numbers(d, count: Counting = EXACT) -> list[Metric]:
    """Slice A, slice B and their difference (a compare.Difference); a count `count` holds back
    reads "<3", and the difference computed from it is not shown."""
    if count.held(d.n_a, d.n_b):
        change = Metric("A − B", "not shown", f"a count under {count.under}", "off")
    else:
        change = Metric("A − B", f"{d.change:+,}", NOT_AVAILABLE + " (B is 0)" if d.n_b == 0 else f"{d.percent:+.0f}%")
    return [Metric(f"A · {d.a}", count.cell(d.n_a)), Metric(f"B · {d.b}", count.cell(d.n_b)), change]


def datasets_numbers(report, use_of_force: bool = False, count: Counting = EXACT) -> list[Metric]:
    """One place and period across the datasets (a reports.DatasetsReport), or its use of force;
    a count `count` holds back reads "<3", and a ratio computed from it is not shown."""
    gone = set(report.uncovered)      # no export covers them here: unknown, never 0
    n = {d: NO_DATA if d in gone else count.cell(v) for d, v in report.totals.items()}
    ratio = lambda value, *ds: NO_DATA if gone & set(ds) else "not shown" if count.held(  # noqa: E731
        *(report.totals[d] for d in ds)) else ratio_text(value)
    per_1000 = Metric("Uses of force per 1,000 calls", ratio(report.per_1000_calls, "use_of_force", "calls"))
    if use_of_force:
        return [Metric("Uses of force", n["use_of_force"]), Metric(FACTS["calls"].label, n["calls"]), per_1000]
    return [*(Metric(FACTS[d].label, n[d]) for d in ("crime", "calls", "use_of_force")),
            Metric("Calls per reported crime", ratio(report.calls_per_crime, "calls", "crime")), per_1000]

# --- 911 calls and use of force ----------------------------------------------------------------------

RESPONSE_METHOD = (
    "**Response time** is the time from the call's original time queued to the first officer's arrival, for "
    "**dispatched calls only**: on-view events (call type ONVIEW: the officer was already there) and events whose "
    "arrival equals their queue time are left out, because mixing them in makes response look faster than it is. "
    "Calls from the older 911 Incident Response layout carry no queue time and cannot be measured. The **median** "
    "and the **90th percentile** are shown, not the mean, which a few calls of hours pull far up. "
    "Dispatched calls with no arrival time are counted as **no arrival recorded**, never dropped; they are not "
    "in the median. **Over target**: the share of arrived calls slower than the priority's target "
    "([service] targets in config.toml{targets}). ▲ / ▼ mark a share over target that an exact test of two "
    "proportions (Fisher's, conditional on both totals, two-sided at {alpha:.1%}) finds unlikely to be chance; "
    "an area and priority with fewer than {min_calls} arrived calls is **too few calls to say**. Expected: the "
    "previous {periods} periods pooled (a share has no seasonal expected: it is a ratio within each period's own "
    "calls, so the season's swing in calls cancels out; the same period last year is beside it).")

SOURCE_METHOD = (
    "**Call source** is SPD's Call Type: 911, on-view (officer-initiated: the proactive share), telephone (not 911), "
    "alarm, and other (text message, in person, scheduled …). The on-view share is of the calls whose source is "
    "recorded; ▲ / ▼ as for response times (exact two-proportion test).")

UOF_METHOD = (
    "**Use of force as rates**: uses of force (one per officer and subject, as SPD publishes them) by level — "
    "Level 1, Level 2, Level 3, OIS (officer-involved shooting) — per 1,000 dispatched calls and per 10,000 calls "
    "for service in the same area and period. For context, not as a target: the International Association of "
    "Chiefs of Police's national study put use of force at about 3.6 per 10,000 calls for service; SPD counts "
    "each officer's use separately and includes Level 1, so its rates are not directly comparable. ▲ / ▼: the "
    "exact Poisson test of the trends page, on the count (against the window's length) and on the rate per "
    "dispatched call (the calls as the exposure), at {alpha:.1%}{dispersion}. **Expected** uses: {expected}; "
    "the expected rate is the previous {periods} periods' pooled rate (the calls carry the season already). "
    "A rate with no calls to divide by is “not available”.")

SUBJECT_METHOD = (
    "**Subjects** by race and by gender as SPD records them, as shares of **every** use of force in the area: "
    "“Unknown / not recorded” (Not Specified, Unknown, “-” and blanks) is shown and stays in the denominator.")


def service_method(kind: str, settings) -> str:
    """The method note of one section ('response', 'source', 'uof', 'subject')."""
    targets = ", ".join(f"Priority {p}: {m:g} min" for p, m in settings.service.targets.items())
    text = {"response": RESPONSE_METHOD, "source": SOURCE_METHOD, "uof": UOF_METHOD, "subject": SUBJECT_METHOD}[kind]
    return text.format(alpha=settings.level, min_calls=settings.service.min_calls,
                       periods=settings.stats.baseline_periods, targets=f": {targets}" if targets else "",
                       expected=expected_note(settings), dispersion=DISPERSION if settings.stats.overdispersion else "")


def is_held(value) -> bool:
    """A value the partner view held back (seastat.access: "<3"), shown as it is."""
    return isinstance(value, str)


def count_text(value) -> str:
    return value if is_held(value) else NO_DATA if pd.isna(value) else f"{value:,.0f}"


def tenths(value) -> str:
    return value if is_held(value) else NO_DATA if pd.isna(value) else f"{value:,.1f}"


minutes = tenths


def percent(value, flag: str = "") -> str:
    if is_held(value):
        return value
    if pd.isna(value):
        return NO_DATA
    text = f"{value:.0%}"
    return f"{flag}\u00a0{text}" if flag else text


def priority_label(priority) -> str:
    return f"Priority {priority}" if str(priority)[:1].isdigit() else str(priority).capitalize()


TOO_FEW = "too few calls to say"


def response_times_shown(table: pd.DataFrame) -> pd.DataFrame:
    """service.response_table rows as the meeting reads them: minutes to one decimal, shares over
    target in percent with their flags, 'too few calls to say' where an area has too few arrived
    calls, 'no target' where the priority has none, and the calls with no arrival recorded."""
    def cell(row, value: str) -> str:
        return f"{TOO_FEW} ({count_text(row.arrived)})" if row.too_few and row.arrived else (NO_DATA if row.too_few else value)

    out = []
    for r in table.itertuples():
        has_target = not pd.isna(r.target_minutes)
        share = lambda prefix, flag="": (percent(getattr(r, f"{prefix}share_over_target"), flag)  # noqa: E731
                                         if has_target else "no target")
        out.append({
            "Area": r.area, "Priority": priority_label(r.priority),
            "Dispatched calls": count_text(r.calls), "No arrival recorded": count_text(r.no_arrival),
            "Median (min)": cell(r, minutes(r.median_minutes)), "90th pct (min)": cell(r, minutes(r.p90_minutes)),
            "Over target": cell(r, share("")),
            "Previous": share("previous_", r.previous_flag), "Last year": share("last_year_", r.last_year_flag),
            "Expected": share("expected_", r.expected_flag),
            "Median previous / last year": f"{minutes(r.previous_median_minutes)} / {minutes(r.last_year_median_minutes)}",
        })
    columns = ["Area", "Priority", "Dispatched calls", "No arrival recorded", "Median (min)", "90th pct (min)",
               "Over target", "Previous", "Last year", "Expected", "Median previous / last year"]
    return pd.DataFrame(out, columns=columns)


PANEL_RESPONSE = ["Dispatched calls", "Median (min)", "90th pct (min)", "Over target", "Expected"]


def response_panel(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Response-time rows for the shared screen and the packet, one per `by` ('Area' or
    'Priority'): calls, median, 90th percentile, share over target and the expected share with its
    flag; 'too few calls to say' once per row that has too few."""
    shown = response_times_shown(rows)[[by, *PANEL_RESPONSE]]
    few = rows["too_few"].to_numpy(dtype=bool)
    shown.loc[few, "Median (min)"] = [TOO_FEW if n else NO_DATA for n in rows["arrived"].to_numpy()[few]]
    shown.loc[few, ["90th pct (min)", "Over target", "Expected"]] = ""
    return shown


def flags_styled(shown: pd.DataFrame) -> "pd.io.formats.style.Styler":
    """A shown table with its flagged cells coloured as on the trends page, no cell wrapped."""
    return shown.style.hide(axis="index").map(flag_style).set_properties(**{"white-space": "nowrap"})


def by_precinct_title(priority, targets: dict) -> str:
    target = targets.get(priority)
    return f"By precinct, {priority_label(priority)}" + (f" ({target:g}-minute target)" if target else "")


def response_panel_note(result, settings) -> str:
    """The shared screen's one-line method of the response times (reports.ResponseTimesReport)."""
    return (f"Dispatched calls only, queued to first arrival; on-view events are left out. "
            f"{excluded_in_words(result.excluded)} Over target: slower than the priority's target; ▲ / ▼: the share "
            f"against the expected (the previous {settings.stats.baseline_periods} periods pooled), Fisher's exact "
            f"test at {settings.level:.1%}; fewer than {result.min_calls} arrived calls: {TOO_FEW}.")


def use_of_force_panel_note(has_calls: bool, settings) -> str:
    """The shared screen's method of the use-of-force rates."""
    if not has_calls:
        return "No 911 calls are published in this store: every rate is “not available”."
    return ("Uses of force per 10,000 calls for service in the same area and period. ▲ / ▼: the count against its "
            f"expected ({expected_note(settings)}), exact Poisson test at {settings.level:.1%}"
            + (", allowing for each area's own variation" if settings.stats.overdispersion else "")
            + ". The IACP's national figure, about 3.6 per 10,000 calls, is context, not a target.")


def response_in_words(row, period_label: str) -> str:
    """One area's one priority this period, as a sentence."""
    what = f"{row.area}, {priority_label(row.priority)}, {period_label}"
    if row.calls == 0:
        return f"{what}: no dispatched calls."
    arrivals = f"{row.no_arrival:,} with no arrival recorded"
    if row.too_few:
        return (f"{what}: {row.calls:,} dispatched calls ({arrivals}) — {TOO_FEW}: fewer than the minimum "
                f"arrived calls.")
    text = (f"{what}: {row.calls:,} dispatched calls ({arrivals}); median {row.median_minutes:.1f} min, "
            f"90th percentile {row.p90_minutes:.1f} min")
    if pd.isna(row.target_minutes):
        return text + "."
    text += f"; {row.share_over_target:.0%} slower than the {row.target_minutes:g}-minute target"
    if pd.notna(row.expected_share_over_target):
        text += f" (expected {row.expected_share_over_target:.0%}"
        text += f", {row.expected_flag} unlikely to be chance)" if row.expected_flag else ")"
    return text + "."


def sources_shown(table: pd.DataFrame) -> pd.DataFrame:
    """service.source_table as read on screen: counts with separators, on-view shares with flags."""
    from .service import SOURCES
    out = pd.DataFrame({"Area": table["area"], "Calls": table["calls"].map(count_text)})
    for key, name in SOURCES.items():
        out[name] = table[key].map(count_text)
    out["On-view share"] = table["onview_share"].map(percent)
    for window, header in (("previous", "Previous"), ("last_year", "Last year"), ("expected", "Expected")):
        out[header] = [percent(v, f) for v, f in zip(table[f"{window}_onview_share"], table[f"{window}_flag"])]
    return out.reset_index(drop=True)


def call_types_shown(table: pd.DataFrame, which: str) -> pd.DataFrame:
    """The top initial or final call types: SPD's leading '--' of final types dropped, shares in percent."""
    part = table[table["which"] == which]
    return pd.DataFrame({
        "#": part["rank"].astype(str), "Call type": part["call_type"].str.lstrip("-").str.strip(),
        "Calls": part["calls"].map(count_text), "Share": part["share"].map(percent),
        "Previous": part["previous"].map(count_text),
        "Expected": [change_text(n, e, f) if not pd.isna(e) else NO_DATA
                     for n, e, f in zip(part["calls"], part["expected"], part["expected_flag"])],
    }).reset_index(drop=True)


def use_of_force_shown(table: pd.DataFrame) -> pd.DataFrame:
    """service.use_of_force_rates as read on screen: one line per area, uses of force per level,
    then all uses with their rates ('not available' with no calls) and changes, flagged as on the
    trends page (the rate's change against the expected: its flag, or '—' when not flagged)."""
    levels = [lv for lv in dict.fromkeys(table["uof_level"]) if lv != "All"]
    counts = table.set_index(["area", "uof_level"])["uses"]
    every = table[table["uof_level"] == "All"].set_index("area")
    out = pd.DataFrame({"Area": every.index})
    for level in levels:
        out[level] = [count_text(counts.loc[(a, level)]) for a in every.index]
    out["All uses"] = every["uses"].map(count_text).to_numpy()
    out["Per 1,000 dispatched"] = every["per_1000_dispatched"].map(rate).to_numpy()
    out["Per 10,000 calls"] = every["per_10000_calls"].map(rate).to_numpy()
    for window, header in (("previous", "± previous"), ("last_year", "± last year")):
        out[header] = [change_text(n, b, f) for n, b, f in zip(every["uses"], every[f"{window}_uses"],
                                                                every[f"{window}_flag"])]
    out["Expected"] = every["expected_uses"].map(tenths).to_numpy()
    out["± expected"] = [change_text(n, b, f) for n, b, f in zip(every["uses"], every["expected_uses"],
                                                                every["expected_flag"])]
    out["Rate vs expected"] = rate_against_expected(every)
    return out.reset_index(drop=True)


def rate(v) -> str:
    return v if is_held(v) else NOT_AVAILABLE if pd.isna(v) else f"{v:,.2f}"


def rate_against_expected(rows: pd.DataFrame) -> list[str]:
    return [p if is_held(p) else NOT_AVAILABLE if pd.isna(p) else (f or "not flagged")
            for f, p in zip(rows["expected_rate_flag"], rows["expected_rate_p"])]


def use_of_force_panel(table: pd.DataFrame) -> pd.DataFrame:
    """service.use_of_force_rates for the shared screen and the packet: per area, uses of force per 10,000 calls
    by level and for all, each flagged against its expected count; all uses against the expected
    and whether the rate per dispatched call moved."""
    levels = [lv for lv in dict.fromkeys(table["uof_level"]) if lv != "All"]
    areas = list(dict.fromkeys(table["area"]))
    rows = table.set_index(["area", "uof_level"])
    out = pd.DataFrame({"Area": areas})
    for level in [*levels, "All"]:
        out[level if level != "All" else "All levels"] = [
            percent_flag(rate(rows.loc[(a, level), "per_10000_calls"]), rows.loc[(a, level), "expected_flag"])
            for a in areas]
    every = rows.xs("All", level="uof_level").reindex(areas)
    out["Uses of force"] = every["uses"].map(count_text).to_numpy()
    out["Expected"] = every["expected_uses"].map(tenths).to_numpy()
    out["Rate per dispatched call vs expected"] = rate_against_expected(every)
    return out


def percent_flag(text: str, flag) -> str:
    """A value with its flag in front ('▲ 12.50'), as percent() writes a flagged share."""
    return f"{flag}\u00a0{text}" if isinstance(flag, str) and flag in (UP, DOWN) else text


def subjects_shown(table: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """One attribute (race or gender) of one area: category, uses, share this period and over the
    baseline periods; 'Unknown / not recorded' kept."""
    part = table[table["attribute"] == attribute]
    return pd.DataFrame({
        attribute.capitalize(): part["category"], "Uses of force": part["uses"].map("{:,}".format),
        "Share": part["share"].map(percent),
        "Baseline periods": part["baseline_uses"].map(lambda v: NO_DATA if pd.isna(v) else f"{v:,.0f}"),
        "Baseline share": part["baseline_share"].map(percent),
    }).reset_index(drop=True)


def excluded_in_words(excluded: pd.DataFrame) -> str:
    """The calls the response times leave out or cannot measure this period, in one sentence."""
    parts = [f"{r.reason.lower()}: {r.calls:,}" for r in excluded.itertuples() if r.calls]
    return ("Not in the medians and percentiles this period — " + "; ".join(parts) + ".") if parts else \
        "Every call this period is a dispatched call with an arrival time."


def still_filling(period, last_day, dataset: str, late: int | None) -> str:
    """A caution when a period ended close to the newest record: reports keep arriving for weeks."""
    gap = (last_day - period.last_day).days
    what = FACTS[dataset].noun
    late_said = f" ({late:,} late {what} arrived at the last refresh)" if late else ""
    return (f"This period ended {gap} day{'s' if gap != 1 else ''} before the newest published record: "
            f"{what} are still being reported for it{late_said}, so its counts, and any fall they show, may "
            "still grow.")
