"""Each analysis the meeting uses, assembled in one place.

A report takes the store (one pinned version), the settings and the view, always in that order,
runs its queries and returns one frozen result. The pages, shared-screen mode, the packet,
`seastat bench` and the tests all call these functions, so a number is computed one way wherever
it is shown; the pages cache each report by store version and parameters (seastat.ui.report).
No Streamlit here.

    compstat_report     the CompStat table (city, precincts, sectors, beats x offense rows)
    trend_report        counts per period and the expected band, for the trend charts
    hotspot_report      cells, beats, blocks, Gi* labels, concentration, hit rate
    slices_report       two slices of one dataset: place against place, period against period
    datasets_report     crime, 911 calls and use of force in one place and period
    data_summary        what is loaded, quarantined and withheld
    records             the /data search
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from . import access, compare, compstat, hotspots, manifest, nearrepeat, wording
from .config import Settings
from .datasets import FACTS
from .geo import load_boundaries
from .periods import Window, complete_periods
from .seasonal import Expected
from .store import Store

OffenseRows = dict[str, tuple[str, tuple | None]]    # key -> (label, offense types it adds up; None = all)


@dataclass(frozen=True)
class View:
    """The meeting's view: what every page shows, shared between pages and kept in their URLs."""
    dataset: str
    period: Window
    precincts: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    beats: tuple[str, ...] = ()
    offenses: tuple[str, ...] = ()   # offense-row keys; empty = the dataset's default rows
    against: tuple[str, ...] = ()    # crime-against categories; empty = all

    @property
    def filtered(self) -> bool:
        return bool(self.precincts or self.sectors or self.beats)

    @property
    def one_precinct(self) -> str | None:
        """The precinct when the view is exactly one precinct (its total is then that precinct)."""
        return self.precincts[0] if len(self.precincts) == 1 and not (self.sectors or self.beats) else None

    def in_view(self, df: pd.DataFrame) -> pd.Series:
        return compstat.in_areas(df, self.precincts, self.sectors, self.beats)


# --- What the data hold --------------------------------------------------------------------------

def first_day(store: Store, dataset: str) -> dt.date:
    return store.days(dataset)[0]


def periods_offered(store: Store, settings: Settings, dataset: str) -> list[Window]:
    """Periods fully covered by a dataset, newest first."""
    return complete_periods(settings.grid, *store.days(dataset))


def still_filling(store: Store, settings: Settings, dataset: str, period: Window) -> str:
    """The caution for a period that ended within [periods] reporting_lag_days of the dataset's
    newest record (reports keep arriving for weeks); '' for a settled period."""
    newest = store.days(dataset)[1]
    if (newest - period.last_day).days >= settings.periods.reporting_lag_days:
        return ""
    late = (store.manifest["datasets"][dataset].get("revisions") or {}).get("late")
    return wording.still_filling(period, newest, dataset, late)


def areas(store: Store, settings: Settings, dataset: str) -> pd.DataFrame:
    """Every precinct / sector / beat a dataset uses, with its row count."""
    return store.fact("areas", dataset=dataset)


def period_counts(store: Store, settings: Settings, dataset: str, periods: list[Window],
                  against=()) -> pd.DataFrame:
    """window (a period's ISO start), precinct, sector, beat, offense, n for consecutive grid
    periods, in one pass (queries/trends/period_counts.sql)."""
    if not periods:
        return store.df("trends/window_counts", dataset=dataset, windows=[], against=list(against))
    return store.df("trends/period_counts", dataset=dataset, anchor=settings.grid.anchor,
                    length=settings.grid.length_days, start=periods[0].start, end=periods[-1].end,
                    against=list(against))


def offense_rows(store: Store, settings: Settings, dataset: str) -> OffenseRows:
    present = store.fact("offenses", dataset=dataset)["offense"].tolist()
    return compstat.offense_rows(dataset, settings, present)


def chosen_rows(view: View, rows: OffenseRows, settings: Settings) -> list[str]:
    """The view's offense rows that the dataset has, or its default rows."""
    keys = [k for k in view.offenses if k in rows]
    return keys or compstat.default_rows(view.dataset, settings, rows)


def row_of(view: View, rows: OffenseRows) -> str:
    """One offense row for a view that shows one (the hot-spot map, a comparison): the first the
    view names, else everything."""
    return next((k for k in view.offenses if k in rows), "all")


# --- Coverage: a count no published export covers is unknown, never 0 -------------------------------

class Coverage:
    """Whether the store's exports cover a window for an offense row and an area (manifest.covered),
    answered once per distinct question: an export filtered to robberies covers the robbery rows of
    its years, not "all offenses"; one filtered to a few blocks covers no precinct."""

    def __init__(self, store: Store, dataset: str, rows: OffenseRows):
        self.manifest, self.dataset, self.rows, self._seen = store.manifest, dataset, rows, {}

    def __call__(self, window: Window, key: str = "all", precinct: str | None = None, beat: str | None = None) -> bool:
        types = self.rows[key][1] if FACTS[self.dataset].has_offense_groups else None
        question = (window, types, precinct, beat)
        if question not in self._seen:
            self._seen[question] = all(manifest.covered(self.manifest, self.dataset, window.start, window.end, t,
                                                        precinct, beat) for t in (types or [None]))
        return self._seen[question]

    @cached_property
    def uniform(self) -> bool:
        """No export of the dataset is filtered by offense or area: coverage is a matter of dates only."""
        sources = self.manifest.get("datasets", {}).get(self.dataset, {}).get("sources", [])
        return not any((s.get("coverage") or {}).get(f"filtered_by_{what}") for s in sources
                       for what in ("offense", "area"))

    def table(self):
        """compstat_table's `covered(window, rows)`, a mask over its rows: sectors as their precinct
        (conservative), Unassigned as the city's; each distinct question asked once."""
        def covered(window: Window, rows: pd.DataFrame) -> np.ndarray:
            if self.uniform:
                return np.full(len(rows), self(window))
            place = rows["precinct"].where((rows["level"] != "city") & (rows["precinct"] != compstat.UNASSIGNED))
            beat = rows["beat"].where(rows["level"] == "beat")
            questions = list(zip(rows["offense"], place.astype(object).where(place.notna(), None),
                                 beat.astype(object).where(beat.notna(), None)))
            return np.array([self(window, *q) for q in questions], dtype=bool)
        return covered

    def series(self, periods: list[Window], key: str, within: str | None):
        """trend_series' `covered`, by period start: a precinct panel is its precinct, a sector its precinct."""
        by_start = {p.start.isoformat(): p for p in periods}

        def covered(period: Window | str, area: str | None) -> bool:
            window = by_start[period] if isinstance(period, str) else period
            place = within or (area if area in compstat.PRECINCTS else None)
            return self(window, key, place)
        return covered


def is_covered(store: Store, settings: Settings, dataset: str, window: Window, precincts: tuple = ()) -> bool:
    """Whether the published exports cover a dataset's window in every one of `precincts` (none: the city)."""
    covered = Coverage(store, dataset, {"all": ("", None)})
    return all(covered(window, "all", p) for p in (precincts or [None]))


# --- The CompStat table ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CompStatReport:
    view: View
    windows: dict[str, Window]
    rows: OffenseRows          # every offense row the dataset has
    keys: list[str]            # the rows in the table
    table: pd.DataFrame        # compstat.compstat_table
    headers: compstat.Headers
    taxonomy_note: str = ""    # said when the windows mix UCR- and NIBRS-counted offenses

    @property
    def headline(self) -> pd.DataFrame:
        """The total and the precincts; with exactly one precinct chosen, that precinct alone
        (a 'Selected areas' line would repeat it)."""
        rows = compstat.precinct_view(self.table)
        return rows[rows["level"] == "precinct"] if self.view.one_precinct else rows

    @property
    def precincts(self) -> list[str]:
        return list(self.table.loc[self.table["level"] == "precinct", "precinct"].dropna().unique())

    def drill(self, precinct: str) -> pd.DataFrame:
        return compstat.drill_view(self.table, precinct)

    def precinct_and_sectors(self, precinct: str) -> pd.DataFrame:
        return self.table[self.table["level"].isin(["precinct", "sector"]) & (self.table["precinct"] == precinct)]

    @property
    def expected_periods(self) -> float:
        return float(self.table["expected_periods"].iloc[0]) if len(self.table) else float("nan")


def compstat_report(store: Store, settings: Settings, view: View) -> CompStatReport:
    windows = compstat.report_windows(settings.grid, view.period, first_day(store, view.dataset),
                                      settings.stats.baseline_periods, settings.periods.rolling_days)
    periods = compstat.trend_periods(settings.grid, view.period, first_day(store, view.dataset), 1,
                                     settings.expected.history)
    rows = offense_rows(store, settings, view.dataset)
    keys = chosen_rows(view, rows, settings)
    deep = periods[-1 - settings.expected.row_history].start if len(periods) > settings.expected.row_history \
        else periods[0].start
    counts = store.df("trends/table_counts", dataset=view.dataset, against=list(view.against),
                      windows=compstat.as_params(windows), rows=[{"key": k, "offenses": None if rows[k][1] is None else list(rows[k][1])} for k in keys],
                      unassigned=compstat.UNASSIGNED, precincts=list(view.precincts), sectors=list(view.sectors),
                      beats=list(view.beats), anchor=settings.grid.anchor, length=settings.grid.length_days,
                      scan_from=min([deep, *(w.start for w in windows.values())]),
                      scan_to=max(w.end for w in [*windows.values(), *periods]),
                      **{"from": periods[0].start, "to": periods[-1].end, "deep": deep})
    all_areas = areas(store, settings, view.dataset)
    table = compstat.compstat_table(counts, all_areas[view.in_view(all_areas)], windows, {k: rows[k] for k in keys},
                                    level=settings.level, period_days=settings.grid.length_days,
                                    total=compstat.SELECTED if view.filtered else compstat.CITY,
                                    covered=Coverage(store, view.dataset, rows).table(),
                                    periods=periods, expected=settings.expected)
    return CompStatReport(view, windows, rows, keys, table, compstat.headers(settings.periods.rolling_days),
                          taxonomy_note(store, view.dataset, windows.values()))


def taxonomy_note(store: Store, dataset: str, windows) -> str:
    """A sentence when the windows hold offenses counted under both of SPD's definitions (the older
    UCR layout before 2019, NIBRS after), whose counts are not like for like; else ''."""
    if dataset != "crime" or "taxonomy" not in store.manifest["datasets"]["crime"].get("columns", {}):
        return ""
    windows = list(windows)
    start, end = (dt.datetime.combine(day, dt.time()) for day in (min(w.start for w in windows),
                                                                   max(w.end for w in windows)))
    spans = store.fact("trends/taxonomy_spans")
    if ((spans["first_at"] < end) & (spans["last_at"] >= start)).sum() < 2:   # one taxonomy: no count needed
        return ""
    found = store.df("trends/taxonomies", start=start, end=end).set_index("taxonomy")["n"]
    if len(found) < 2:
        return ""
    counts = ", ".join(f"{n:,} {t}" for t, n in found.items())
    return (f"These windows span SPD's 2019 move from UCR to NIBRS offense definitions ({counts} offenses): "
            "counts on either side of the switch are not like for like.")


# --- Trend series ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendReport:
    """Counts per period in the view's areas, with what the series and their bands need."""
    view: View
    periods: list[Window]      # the shown periods and the history before them, oldest first
    counts: pd.DataFrame       # window (period start), precinct, sector, beat, offense, n; from `known_from` on
    rows: OffenseRows
    shown: int
    level: float
    expected: Expected
    coverage: Coverage | None = None
    totals: pd.DataFrame | None = None   # window, offense, n over every period (default: summed from counts)
    known_from: str | None = None        # the first period `counts` holds (None: all of them)

    def series(self, row: str = "all", by: str = "precinct", within: str | None = None,
               total: str | None = None) -> pd.DataFrame:
        """compstat.trend_series of one offense row, by precinct or by the sectors of `within`;
        the season index always from the whole view's series of the row (as the table's)."""
        offenses = self.rows[row][1]
        pick = lambda df: df if offenses is None else df[df["offense"].isin(offenses)]  # noqa: E731
        totals = pick(self.counts if self.totals is None else self.totals)
        pooled = totals.groupby("window")["n"].sum().reindex([p.start.isoformat() for p in self.periods]).fillna(0)
        if self.coverage:
            whole = self.coverage.series(self.periods, row, None)
            pooled = pooled.where([whole(p, None) for p in self.periods])
        counts = pick(self.counts)
        if within:
            counts = counts[counts["precinct"] == within]
        covered = self.coverage.series(self.periods, row, within) if self.coverage else None
        return compstat.trend_series(counts, self.periods, by, total=total, level=self.level, expected=self.expected,
                                     shown=self.shown, covered=covered, pooled=pooled, known_from=self.known_from)

    def headlines(self, precinct: str, keys: list[str]) -> pd.DataFrame:
        """One precinct's trend for each of `keys`, the row's label as the panel name ('area')."""
        parts = []
        for key in keys:
            label = self.rows[key][0]
            series = self.series(key, within=precinct, total=label)
            parts.append(series[series["area"] == label])
        return pd.concat(parts, ignore_index=True)


def trend_report(store: Store, settings: Settings, view: View, shown: int | None = None) -> TrendReport:
    """The areas' own counts over the shown periods and the row history their expected levels use;
    the view's totals by offense over the whole history (the season index)."""
    shown = shown or settings.periods.trend_periods
    periods = compstat.trend_periods(settings.grid, view.period, first_day(store, view.dataset), shown,
                                     settings.expected.history)
    recent = periods[-(shown + settings.expected.row_history):]
    counts = period_counts(store, settings, view.dataset, recent, view.against)
    totals = store.df("trends/period_totals", dataset=view.dataset, anchor=settings.grid.anchor,
                      length=settings.grid.length_days, start=periods[0].start, end=periods[-1].end,
                      against=list(view.against), precincts=list(view.precincts), sectors=list(view.sectors),
                      beats=list(view.beats))
    rows = offense_rows(store, settings, view.dataset)
    return TrendReport(view, periods, counts[view.in_view(counts)].reset_index(drop=True), rows, shown,
                       settings.level, settings.expected, Coverage(store, view.dataset, rows), totals,
                       recent[0].start.isoformat())


# --- Hot spots ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HotspotReport:
    view: View
    keys: tuple[str, ...]      # the offense rows mapped together (empty: everything)
    label: str                 # what is mapped, in words
    windows: list[Window]      # the periods analysed, the last one current
    analysis: hotspots.Analysis
    places: int                # 100-blocks with any published record in the dataset
    min_count: int

    @property
    def previous(self) -> Window:
        return self.windows[-2]

    @cached_property
    def current_blocks(self) -> pd.Series:
        blocks = self.analysis.blocks
        return blocks[blocks["period"] == self.analysis.periods - 1].groupby("block_address")["incidents"].sum()

    def blocks(self, beats: list[str] | None = None) -> pd.DataFrame:
        """The hottest 100-blocks (of some beats), ranked; the aggregate lines make it add up."""
        a = self.analysis
        if beats:
            chosen = a.beats[a.beats["beat"].isin(beats)]
            return hotspots.block_table(a.blocks[a.blocks["beat"].isin(beats)], a.periods,
                                        int(chosen["incidents"].sum()), int(chosen["previous"].sum()), self.min_count)
        return hotspots.block_table(a.blocks, a.periods, a.total, a.total_previous, self.min_count)

    @cached_property
    def beats(self) -> pd.DataFrame:
        """Every beat, busiest first, with its share of all incidents."""
        a = self.analysis
        return a.beats.sort_values(["incidents", "beat"], ascending=[False, True]).assign(
            share=lambda t: t["incidents"] / max(a.total, 1)).reset_index(drop=True)

    @cached_property
    def hot_cells(self):
        return hotspots.significant_cells(self.analysis.cells, self.min_count)

    @property
    def hit_rate_and_pai(self) -> tuple[float | None, float | None]:
        cells = self.analysis.cells
        return hotspots.hit_rate_and_pai(cells["was_hot"], cells["incidents"])

    @property
    def half_on(self) -> float | None:
        """The smallest share of 100-blocks that holds half of this period's incidents."""
        return hotspots.places_holding(self.current_blocks, self.places, 0.5)

    @cached_property
    def curves(self) -> dict[str, pd.DataFrame]:
        cells = self.analysis.cells
        return {"100-blocks": hotspots.concentration_curve(self.current_blocks, self.places),
                "H3 cells": hotspots.concentration_curve(cells["incidents"], len(cells))}


def hotspot_report(store: Store, settings: Settings, view: View) -> HotspotReport:
    """The hot-spot analysis of the view's offenses (all of the offense rows it names together)."""
    rows = offense_rows(store, settings, view.dataset)
    keys = [k for k in view.offenses if k in rows]
    offenses = None if not keys or any(rows[k][1] is None for k in keys) else \
        sorted(set().union(*(rows[k][1] for k in keys)))
    label = ", ".join(rows[k][0].lower() for k in keys) if offenses else FACTS[view.dataset].noun
    hs = settings.hotspots
    windows, params = hotspots.query_params(settings.grid, view.period, hs, view.dataset, types=offenses or [])
    analysis = hotspots.analyse(store.df("hotspots/incidents", **params), study_area(settings), len(windows), hs)
    places = int(store.fact("hotspots/block_count", dataset=view.dataset)["blocks"].iloc[0])
    return HotspotReport(view, tuple(keys), label, windows, analysis, places, hs.min_cell_count)


def study_area(settings: Settings) -> hotspots.StudyArea:
    """The H3 grid and beats of the boundaries in config.toml (built once per process)."""
    return hotspots.study_area(load_boundaries(settings.boundaries_dir), settings.hotspots.h3_resolution)


@dataclass(frozen=True)
class NearRepeatReport:
    as_of: dt.date                   # the day after the period: "now" for the meeting
    lookback: Window
    events: dict[str, int]           # events tested per offense type
    knox: dict[str, pd.DataFrame]    # per offense type: nearrepeat.knox (space, time, observed, expected, ratio, p)
    places: pd.DataFrame             # nearrepeat.risk_places: 100-blocks whose near-repeat window is open
    note: str = nearrepeat.METHOD_NOTE

    def elevated(self, level: float) -> pd.DataFrame:
        """The space-time bands where close pairs were more frequent than chance, per offense type."""
        rows = [k.assign(offense=t) for t, k in self.knox.items() if not k.empty]
        if not rows:
            return pd.DataFrame(columns=["offense", "space", "time", "observed", "expected", "ratio", "p"])
        table = pd.concat(rows, ignore_index=True)
        return table[(table["p"] <= level) & (table["ratio"] > 1)][["offense", "space", "time", "observed",
                                                                    "expected", "ratio", "p"]]


def near_repeat_report(store: Store, settings: Settings, period: Window) -> NearRepeatReport:
    """The Knox test per near-repeat offense type over the year before the period's end, and the
    places at risk now. Descriptive, not predictive (nearrepeat.METHOD_NOTE)."""
    nr = settings.near_repeat
    span, found, tested, recent = near_repeat_events(store, period.end, nr)
    knox = {t: nearrepeat.knox(e) for t, e in tested.items() if len(e) >= 2}
    counts = {t: len(e) for t, e in tested.items()}
    places = nearrepeat.risk_places(recent, period.end, settings.hotspots.min_cell_count, nr.recent_days,
                                    nr.window_days)
    note = nearrepeat.METHOD_NOTE + nearrepeat.sample_note(found, counts)
    return NearRepeatReport(period.end, Window(span["start"].date(), period.end), counts, knox, places, note)


def near_repeat_events(store: Store, as_of: dt.date, nr) -> tuple[dict, dict[str, int], dict[str, pd.DataFrame],
                                                                  pd.DataFrame]:
    """What near-repeat risk reads (queries/hotspots/near_repeat_*.sql): its span (nearrepeat.query_params),
    how many events of each type the look-back holds, each type's events to test (all, or a random
    sample of about `nr.max_events`: nearrepeat.draw_below), and every event of the recent days."""
    span = nearrepeat.query_params(as_of, nr.lookback_days, nr.recent_days)
    counted = store.df("hotspots/near_repeat_found", start=span["start"], end=span["end"], types=span["types"])
    found = {t: int(n) for t, n in counted.set_index("offense_type")["found"].reindex(list(nearrepeat.TYPES),
                                                                                          fill_value=0).items()}
    tested = {t: store.df("hotspots/near_repeat_sample", start=span["start"], end=span["end"], offense_type=t,
                          below=nearrepeat.draw_below(nr.max_events, found[t])) for t in nearrepeat.TYPES}
    recent = store.df("hotspots/near_repeat_recent", recent=span["recent"], end=span["end"], types=span["types"])
    return span, found, tested, recent


# --- Comparisons ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SlicesReport:
    """Two slices of one dataset (two places in one period, or one place in two periods)."""
    dataset: str
    a: compare.Slice
    b: compare.Slice
    row: str
    rows: OffenseRows
    difference: compare.Difference
    mix: pd.DataFrame          # compare.offense_mix: the groups that drive the difference
    series: pd.DataFrame       # places: per period over the recent periods; periods: day-by-day running totals
    by_period: bool            # True: the series is per period (places); False: running totals
    uncovered: tuple[str, ...] = ()   # the slices (labels) no published export covers: their counts are unknown


def slices_report(store: Store, settings: Settings, dataset: str, a: compare.Slice, b: compare.Slice,
                  row: str = "all", mix_top: int = 15) -> SlicesReport:
    rows = offense_rows(store, settings, dataset)
    row = row if row in rows else "all"
    offenses = rows[row][1]
    counts = store.df("compare/counts", dataset=dataset, windows=compare.windows_param(a, b))
    part_a, part_b = compare.chosen(counts, a, offenses), compare.chosen(counts, b, offenses)
    difference = compare.difference(a.label, part_a["n"].sum(), b.label, part_b["n"].sum(), settings.level)
    by_period = a.window == b.window
    if by_period:
        periods = _recent_periods(store, settings, a.window, [dataset])
        series = compare.place_periods(period_counts(store, settings, dataset, periods), periods,
                                       [a.area, b.area], offenses)
    else:
        series = compare.running_totals(counts, [a, b], offenses)
    covered = Coverage(store, dataset, rows)
    uncovered = tuple(s.label for s in (a, b) if not covered(s.window, row, *_place(s.area)))
    return SlicesReport(dataset, a, b, row, rows, difference, compare.offense_mix(part_a, part_b, top=mix_top),
                        series, by_period, uncovered)


def _place(area: compare.Area) -> tuple[str | None, str | None]:
    """(precinct, beat) for Coverage; a sector must be covered as the city is (conservative)."""
    return (area.value if area.level == "precinct" else None, area.value if area.level == "beat" else None)


def this_period_against(settings: Settings, period: Window, place: compare.Area, against: str,
                        vs: Window | None = None) -> tuple[compare.Slice, compare.Slice]:
    """A place this period (A) against the previous period, the same period last year or `vs` (B)."""
    other = vs if against == "chosen" and vs else compare.period_against(settings.grid, period, against)
    return tuple(compare.Slice(k, w, place, compare.period_name(w)) for k, w in (("a", period), ("b", other)))


def _recent_periods(store: Store, settings: Settings, period: Window, datasets: list[str]) -> list[Window]:
    start = max(first_day(store, d) for d in datasets)
    return compstat.trend_periods(settings.grid, period, start, settings.periods.recent_periods, 0)


@dataclass(frozen=True)
class DatasetsReport:
    """Crime reports, 911 calls and use of force in one place and period, and over the recent periods."""
    period: Window
    place: compare.Area
    levels: list[str]            # use-of-force incident types, least to most serious
    totals: dict[str, int]       # the place's count per dataset this period
    table: pd.DataFrame          # compare.dataset_table, by precinct
    series: pd.DataFrame         # compare.dataset_periods
    use_of_force: pd.DataFrame   # compare.use_of_force_table, by precinct
    use_of_force_series: pd.DataFrame
    by_level: pd.Series          # the place's uses of force by incident type this period
    uncovered: tuple[str, ...] = ()   # datasets no published export covers for this place and period

    @property
    def calls_per_crime(self) -> float:
        return compare.ratio(self.totals["calls"], self.totals["crime"])

    @property
    def per_1000_calls(self) -> float:
        return compare.ratio(self.totals["use_of_force"], self.totals["calls"], 1000)


CITY_WIDE = compare.Area()


def datasets_report(store: Store, settings: Settings, period: Window, place: compare.Area = CITY_WIDE) -> DatasetsReport:
    one = compare.Slice("a", period, place, place.label)
    periods = _recent_periods(store, settings, period, list(compare.DATASETS))
    counts = {d: period_counts(store, settings, d, periods) for d in compare.DATASETS}
    if periods and periods[-1] == period:      # the period is the last of the recent ones: counted already
        now = {d: frame[frame["window"] == period.start.isoformat()] for d, frame in counts.items()}
    else:
        now = {d: store.df("trends/window_counts", dataset=d, windows=compare.windows_param(one), against=[])
               for d in compare.DATASETS}
    here = {d: frame[place.rows(frame)] for d, frame in now.items()}
    levels = compare.level_order(store.df("compare/incident_types")["incident_type"])
    gone = tuple(d for d in compare.DATASETS
                 if not Coverage(store, d, {"all": ("", None)})(period, "all", *_place(place)))
    table = compare.dataset_table(*now.values())
    if gone:      # not covered: unknown, never 0, and no ratio made from it
        table[[*gone]] = np.nan
        table["calls_per_crime"] = compare.ratio(table["calls"], table["crime"])
        table["use_of_force_per_1000_calls"] = compare.ratio(table["use_of_force"], table["calls"], 1000)
    return DatasetsReport(
        period, place, levels, {d: int(frame["n"].sum()) for d, frame in here.items()},
        table, compare.dataset_periods(counts, periods, place),
        compare.use_of_force_table(now["use_of_force"], now["calls"], levels),
        compare.use_of_force_periods(counts["use_of_force"], counts["calls"], periods, place, levels),
        here["use_of_force"].groupby("offense")["n"].sum().reindex(levels, fill_value=0).astype(int), gone)


# --- What is loaded -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DataSummary:
    version: str
    published_at: str
    loaded: pd.DataFrame       # per dataset: rows published / quarantined / superseded, first and last record, sources
    reasons: pd.DataFrame      # quarantined rows by dataset, source file and reason
    privacy: dict
    synthetic: list[str] = field(default_factory=list)   # labels of the synthetic datasets
    revisions: dict[str, str] = field(default_factory=dict)   # per dataset label: what changed at the last publish


def coverage(store: Store, settings: Settings) -> pd.DataFrame:
    """One row per published export of every dataset: what it covers (manifest.coverage_spans)."""
    rows = []
    for dataset in store.manifest.get("datasets", {}):
        for span in manifest.coverage_spans(store.manifest, dataset):
            held = []
            if span["filtered_by_offense"]:
                held.append(", ".join(t.replace("_", " ") for t in span["offense_types"]) + " only")
            if span["filtered_by_area"]:
                held.append(f"{len(span['beats'])} beat(s) only")
            rows.append({"dataset": FACTS[dataset].label, "file": span["file"], "from": span["from"], "to": span["to"],
                         "holds": "; ".join(held) or "everything", "row": f"{span['file'][:48]}"
                         + (f" ({'; '.join(held)})" if held else "")})
    return pd.DataFrame(rows, columns=["dataset", "file", "from", "to", "holds", "row"])


def data_summary(store: Store, settings: Settings) -> DataSummary:
    m = store.manifest
    loaded = pd.DataFrame([{
        "Dataset": FACTS[name].label,
        "Rows in": info["rows_in"],
        "Rows published": info["rows_published"],
        "Rows quarantined": info["rows_quarantined"],
        "Rows superseded": info.get("rows_superseded", 0),
        "First record": (info["min_event_at"] or "")[:10],
        "Last record": (info["max_event_at"] or "")[:10],
        "Sources": "synthetic" if info.get("synthetic") else
                   ", ".join(f"{s['file']} ({s['layout']})" for s in info["sources"]) or "none",
    } for name, info in m["datasets"].items()])
    changed = {FACTS[d].label: manifest.revisions_text(info, d) for d, info in m["datasets"].items()}
    return DataSummary(m["version"], m["published_at"], loaded, store.df("quarantine_reasons"), m["privacy"],
                       [FACTS[d].label for d, info in m["datasets"].items() if info.get("synthetic")],
                       {k: v for k, v in changed.items() if v})


# --- Records --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Records:
    matching: int              # every row matching the filters
    rows: pd.DataFrame         # the newest `limit` of them


def records(store: Store, settings: Settings, dataset: str, start: dt.date, end: dt.date, precincts=(), beats=(), text: str = "",
            limit: int = 1000) -> Records:
    """Published records of one dataset from `start` to `end` (both days included), newest first."""
    params = dict(dataset=dataset, start=dt.datetime.combine(start, dt.time()),
                  end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
                  precincts=list(precincts), beats=list(beats), text=text)
    matching = int(store.df("search_count", **params)["matching"].iloc[0])
    return Records(matching, store.df("search", **params, limit=limit))


# --- 911 calls and use of force ---------------------------------------------------------------------
# Response times, when and what, call sources, use-of-force rates and subjects (seastat.service).
# Each report's `table` is a plain DataFrame with stable column names (the `seastat table` names:
# response-times, calls-by-hour, call-types, use-of-force-rates, use-of-force-subjects).

from . import service  # noqa: E402  (kept in this section so the merge stays one block)


def _service_first(store: Store, period: Window, datasets: tuple[str, ...]) -> dt.date:
    """The first day every one of `datasets` that has rows covers."""
    return max((first_day(store, d) for d in datasets if store.has(d)), default=period.start)


def service_windows(store: Store, settings: Settings, period: Window, datasets: tuple[str, ...]) -> dict[str, Window]:
    """This period, the previous one, the same period last year and the baseline periods (the
    expected level), each only where every one of `datasets` that has rows covers it."""
    return service.windows(settings, period, _service_first(store, period, datasets))


def service_periods(store: Store, settings: Settings, period: Window, datasets: tuple[str, ...]) -> list[Window]:
    """The periods the seasonal expected level of `period` looks back over (settings.expected), and
    `period` last, from the first day `datasets` cover: counted per period for compstat.expected_now."""
    return compstat.trend_periods(settings.grid, period, _service_first(store, period, datasets), 1,
                                  settings.expected.history)


def _service_rows(store: Store, settings: Settings, query: str, view: View, windows: dict[str, Window],
                  periods: list[Window] = ()) -> pd.DataFrame:
    """A queries/service query over the named windows (and `periods`, each named by its ISO start) in
    the view's precincts, as rows with a `window` column (typed and empty when the dataset has no rows:
    every store version has every dataset's table)."""
    return service_rows(store, query, {**windows, **{p.start.isoformat(): p for p in periods}},
                        settings.grid.length_days, list(view.precincts))


AREA_QUERIES = ("call_sources", "use_of_force", "use_of_force_subjects")   # count per area: the city, each precinct


def service_rows(store: Store, query: str, windows: dict[str, Window], length_days: int,
                 precincts: list[str] = ()) -> pd.DataFrame:
    """A queries/service query: counted once per period of `length_days` from the earliest window, each
    window (a run of whole periods) the sum of its periods, in one query. Its `window` column is
    categorical: a history of five years is tens of thousands of rows, and their names as text
    cost more than the counting."""
    start, end = min(w.start for w in windows.values()), max(w.end for w in windows.values())
    ranges = []
    for i, (name, w) in enumerate(windows.items()):
        first, last = ((day - start).days / length_days for day in (w.start, w.end))
        if first % 1 or last % 1:
            raise ValueError(f"window {name} ({w.label()}) is not whole periods of {length_days} days from {start}")
        ranges.append({"window": i, "first": int(first), "last": int(last)})
    areas = {"unassigned": compstat.UNASSIGNED} if query in AREA_QUERIES else {}
    rows = store.df(f"service/{query}", start=start, end=end, length_days=length_days, windows=ranges,
                    precincts=list(precincts), **areas)
    rows["window"] = pd.Categorical.from_codes(rows["window"].to_numpy(), categories=list(windows))
    return rows


def _total(view: View) -> str:
    return compstat.SELECTED if view.filtered else compstat.CITY


@dataclass(frozen=True)
class ResponseTimesReport:
    """Queued to first arrival for dispatched calls, per area and priority (service.response_table)."""
    view: View
    windows: dict[str, Window]
    targets: dict[str, float]
    min_calls: int
    table: pd.DataFrame        # service.response_table; empty without calls
    excluded: pd.DataFrame     # this period's calls left out or not measurable, by reason (service.excluded_calls)

    @property
    def targeted(self) -> list[str]:
        """The priorities with a target, in order (the first priority when none has one)."""
        found = list(dict.fromkeys(self.table.loc[self.table["level"] == "city", "priority"]))
        return [p for p in found if p in self.targets] or found[:1]

    def at(self, level: str, precinct: str | None = None) -> pd.DataFrame:
        rows = self.table[self.table["level"] == level]
        return rows if precinct is None else rows[rows["precinct"] == precinct]


def response_times_report(store: Store, settings: Settings, view: View) -> ResponseTimesReport:
    return response_times(store, settings, view, service_windows(store, settings, view.period, ("calls",)))


def response_times(store: Store, settings: Settings, view: View, windows: dict[str, Window]) -> ResponseTimesReport:
    """Response times in the view's place over any named windows ('current' is the view's period)."""
    sv = settings.service
    summary = response_summary(store, sv.targets, view, windows)
    table = service.response_table(summary, windows, sv.targets, min_calls=sv.min_calls, level=settings.level,
                                   total=_total(view))
    status = store.df("service/call_status", start=view.period.start, end=view.period.end,
                      precincts=list(view.precincts))
    now = summary[(summary["window"] == "current") & (summary["level"] == "city")]
    return ResponseTimesReport(view, windows, dict(sv.targets), sv.min_calls, table, service.excluded_calls(status, now))


def response_summary(store: Store, targets: dict[str, float], view: View, windows: dict[str, Window]) -> pd.DataFrame:
    """queries/service/response_times.sql's rows for the named windows: read back where publish
    measured them (the city's recent periods under the same targets, seastat.publish), the rest
    measured now (a year of calls' quantiles for the baseline)."""
    info = store.manifest["datasets"].get("calls", {})
    parts = []
    if info.get("response_file") and not view.precincts and info.get("response_targets") == targets:
        parts.append(store.df("service/response_times_stored", windows=[
            {"name": name, "key": service.window_key(w)} for name, w in windows.items()]))
    stored = set(parts[0]["window"]) if parts else set()
    live = {name: w for name, w in windows.items() if name not in stored}
    if live:
        parts.append(store.df("service/response_times", **service.response_params(live, targets, view.precincts)))
    return pd.concat([p for p in parts if len(p)] or parts[-1:], ignore_index=True)


@dataclass(frozen=True)
class CallsByHourReport:
    view: View
    windows: dict[str, Window]
    table: pd.DataFrame        # service.hour_of_week_table: 168 cells

    @property
    def expected_periods(self) -> float:
        w = self.windows
        return w["baseline"].days / w["current"].days if "baseline" in w else float("nan")


def calls_by_hour_report(store: Store, settings: Settings, view: View) -> CallsByHourReport:
    windows = service_windows(store, settings, view.period, ("calls",))
    periods = service_periods(store, settings, view.period, ("calls",))
    rows = _service_rows(store, settings, "hour_of_week", view, windows, periods)
    return CallsByHourReport(view, windows, service.hour_of_week_table(rows, windows, level=settings.level,
                                                                       expected=settings.expected, periods=periods))


@dataclass(frozen=True)
class CallTypesReport:
    view: View
    windows: dict[str, Window]
    table: pd.DataFrame        # service.call_type_table: the top initial and final call types
    sources: pd.DataFrame      # service.source_table: the call source mix and on-view share per area


def call_types_report(store: Store, settings: Settings, view: View) -> CallTypesReport:
    windows = service_windows(store, settings, view.period, ("calls",))
    periods = service_periods(store, settings, view.period, ("calls",))
    types = _service_rows(store, settings, "call_types", view, windows, periods)
    sources = _service_rows(store, settings, "call_sources", view, windows)
    return CallTypesReport(view, windows,
                           service.call_type_table(types, windows, level=settings.level,
                                                   top=settings.service.top_call_types, expected=settings.expected,
                                                   periods=periods),
                           service.source_table(sources, windows, level=settings.level, total=_total(view)))


@dataclass(frozen=True)
class UseOfForceRatesReport:
    view: View
    windows: dict[str, Window]
    has_calls: bool            # the store has 911 calls to divide by
    table: pd.DataFrame        # service.use_of_force_rates


def use_of_force_rates_report(store: Store, settings: Settings, view: View) -> UseOfForceRatesReport:
    datasets = ("use_of_force", "calls")
    windows = service_windows(store, settings, view.period, datasets)
    periods = service_periods(store, settings, view.period, datasets)
    uof = _service_rows(store, settings, "use_of_force", view, windows, periods)
    sources = _service_rows(store, settings, "call_sources", view, windows)
    return UseOfForceRatesReport(view, windows, store.has("calls"),
                                 service.use_of_force_rates(uof, sources, windows, level=settings.level,
                                                            total=_total(view), expected=settings.expected,
                                                            periods=periods))


@dataclass(frozen=True)
class UseOfForceSubjectsReport:
    view: View
    windows: dict[str, Window]
    table: pd.DataFrame        # service.subject_table


def use_of_force_subjects_report(store: Store, settings: Settings, view: View) -> UseOfForceSubjectsReport:
    windows = service_windows(store, settings, view.period, ("use_of_force",))
    uof = _service_rows(store, settings, "use_of_force_subjects", view, windows)
    return UseOfForceSubjectsReport(view, windows, service.subject_table(uof, windows, total=_total(view)))


# --- The written summary --------------------------------------------------------------------------

@dataclass(frozen=True)
class SummaryReport:
    """The period in sentences (seastat.summary): the flagged changes with their drivers, the new
    hot spots, the commitments due back; every sentence with the link of its table."""
    view: View
    changes: tuple                   # summary.Change, told on their own, largest first (echoes inside)
    spots: tuple | None              # summary.NewSpot; None when the dataset is not mapped
    sentences: tuple                 # summary.Sentence


def summary_report(store: Store, settings: Settings, view: View, due: tuple = None,
                   count: access.Counting = access.EXACT) -> SummaryReport:
    """`due`: the commitments due back (summary.Due), as the caller has them; None says nothing of them.
    `count`: how the sentences say counts (access.counting: "fewer than 3" for partners)."""
    from . import summary
    rows = offense_rows(store, settings, view.dataset)
    headline = chosen_rows(view, rows, settings)
    # Every offense row, so each change's offense type can be read from the same table.
    every = replace(view, offenses=tuple(dict.fromkeys([*headline, *rows])))
    table = compstat_report(store, settings, every).table
    changes = summary.fold(summary.flagged_changes(table, headline, rows), rows, headline)
    spots = None
    if FACTS[view.dataset].has_coordinates:
        result = hotspot_report(store, settings, View(view.dataset, view.period))
        spots = tuple(summary.new_spots(result.analysis.beats, result.analysis.cells))
    links = summary.Links(view.dataset, view.period.start.isoformat(), view.precincts, view.sectors, view.beats,
                          view.against)
    sentences = summary.write(changes, spots, due, links=links, all_label=rows["all"][0],
                              headline_labels=[rows[k][0] for k in headline],
                              emerging_periods=settings.hotspots.emerging_periods, count=count)
    return SummaryReport(view, tuple(changes), spots, tuple(sentences))


# --- The commitments due back (the meeting's own loop) ------------------------------------------------

def commitments_due(db, by: dt.date) -> tuple:
    """The open commitments due back at a meeting on or before `by`, for the written summary
    (summary.Due), each linking to the Follow-up page. `db`: seastat.actions.Actions, or None."""
    from . import summary
    if db is None:
        return ()
    return tuple(summary.Due(f"Due back: #{r.id} {r.what} ({r.owner}; {r.place}, due {r.due_date:%b %d})",
                             "followup") for r in db.list(status="open", due_by=by))
