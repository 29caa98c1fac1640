"""The written summary of a period ("show the math"): the few changes the CompStat test flags,
largest first, each with its numbers and what drives it; the hot spots that are new; the
commitments due back. Every sentence carries the link of the table it reads from.

Pure: no Streamlit, no queries. seastat.reports.summary_report gathers the tables.

Which changes. The exact Poisson flags (compstat.flags) of the city and precinct rows, for the
table's offense rows (violent, property, all by default), against the expected level, the same
period last year and the previous period. One real change lights up several cells: a burglary rise
in one East sector flags East property, East all offenses, and maybe city-wide property and all
offenses. So a flagged change whose size is mostly (more than half) a flagged change inside it,
one level down (a precinct inside the city, an offense group inside all offenses), in the same
direction against the same window, is not told as a change of its own: it is an echo, told in one
sentence after the change that carries it. What is left are the changes, largest first.

Largest first means by the size of the change in incidents against its headline window (the first
flagged of expected, last year, previous), not by p-value: every flagged change is already
"unlikely to be chance"; past that line a smaller p-value says more about how many incidents the
area has than about how much the change matters, and the room acts on incidents.

The driver of a change is the part below it that accounts for most of it, read from the same
table: the sector (the precinct, for the city) and the offense type with the largest part of the
change in its direction ("most of" only when that part is more than half; else "the largest part").
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from .access import EXACT, Counting
from .palette import DOWN, UP

# Windows a change is tested against, in the order the headline numbers are taken from.
COMPARISONS = ("expected", "last_year", "previous")
AGAINST = {"expected": "expected", "last_year": "last year", "previous": "the previous period"}
MOST = 0.5          # an echo: a change more than this share of which is one flagged change inside it
TOP_SPOTS = 5       # beats named with new hot spots; the rest are counted


# --- Links: the page and query string of the table a sentence reads from -----------------------------

@dataclass(frozen=True)
class Links:
    dataset: str
    period: str                       # the period's first day, as links name it
    precincts: tuple[str, ...] = ()   # the view's area filter (empty: city-wide)
    sectors: tuple[str, ...] = ()
    beats: tuple[str, ...] = ()
    against: tuple[str, ...] = ()

    def _query(self, page: str, **values) -> str:
        kept = {k: ",".join(v) if isinstance(v, tuple) else v for k, v in values.items() if v}
        return f"{page}?{urlencode(kept, safe=',')}"

    def trends(self, precinct: str | None = None, offense: str | None = None) -> str:
        """/trends showing one precinct's row (else the view's total) for one offense row."""
        areas = dict(precinct=(precinct,)) if precinct else dict(precinct=self.precincts, sector=self.sectors,
                                                                 beat=self.beats)
        return self._query("trends", dataset=self.dataset, period=self.period, **areas, offense=offense,
                           against=self.against)

    def hotspots(self, beat: str | None = None) -> str:
        return self._query("hotspots", dataset=self.dataset, period=self.period, beat=beat)


# --- What the summary says ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Sentence:
    text: str
    link: str           # e.g. "trends?dataset=crime&period=2026-11-02&precinct=East&offense=violent"
    kind: str           # change, echo, no_change, hotspot, no_hotspot, due
    about: tuple = ()   # for change and echo: (level, precinct, offense, comparisons it flags)


@dataclass(frozen=True)
class Driver:
    name: str           # "Sector E", "East", "Burglary", "other offenses"
    part: float         # its part of the change (same window)
    of: float           # the whole change
    counts: tuple = ()  # the counts its part is computed from (a sentence for partners may hold it back)


@dataclass(frozen=True)
class Change:
    """One flagged cell group: an area, an offense row, a direction, the windows that flag it."""
    level: str                     # city or precinct
    precinct: str | None           # None for the city (or the view's total)
    area: str                      # as the table names it
    offense: str                   # offense-row key
    label: str                     # the offense row's label
    flag: str                      # UP or DOWN
    comparisons: tuple[str, ...]   # flagged windows, COMPARISONS order; the first is the headline
    values: dict = field(default_factory=dict, compare=False)   # per window: (before, change, pct, p)
    now: float = 0.0
    place: Driver | None = None
    kind: Driver | None = None     # the offense type
    echoes: tuple["Change", ...] = ()
    carried_by: tuple | None = None    # for an echo: the key of the change inside it

    @property
    def key(self) -> tuple:
        return (self.level, self.precinct, self.offense, self.flag)

    @property
    def headline(self) -> str:
        return self.comparisons[0]

    def size(self, comparison: str | None = None) -> float:
        return self.values[comparison or self.headline][1]


@dataclass(frozen=True)
class NewSpot:
    """A beat with new hot spots: the beat itself (beat Gi*) and/or H3 cells in it."""
    beat: str
    precinct: str
    beat_is_new: bool
    cells: int


@dataclass(frozen=True)
class Due:
    """A commitment due back at this meeting, as the caller words it, with the link to open it."""
    text: str
    link: str


# --- Flagged changes from the CompStat table ---------------------------------------------------------

def _inside(rows: dict, outer: str, inner: str) -> bool:
    """Whether offense row `inner` is part of `outer` (and not the same row)."""
    a, b = rows[outer][1], rows[inner][1]
    if inner == outer or b is None:
        return False
    return a is None or set(b) < set(a)


def _values(row: pd.Series) -> dict:
    before = {"expected": "expected", "last_year": "last_year", "previous": "previous"}
    return {c: (row[before[c]], row[f"{c}_change"], row[f"{c}_pct"], row[f"{c}_p"]) for c in COMPARISONS
            if f"{c}_flag" in row}


def _drivers(table: pd.DataFrame, change: Change, rows: dict, types: list[str]) -> tuple:
    """The place (sector; precinct for the city) and the offense type with the largest part of the
    change in its direction, against the headline window."""
    c, sign = change.headline, np.sign(change.size())
    col = f"{c}_change"
    # the counts a part is computed from: this period's, and the window's unless it is the expected level
    sources = ["current"] + ([] if c == "expected" else [c])
    if change.level == "city":
        parts = table[(table["level"] == "precinct") & (table["offense"] == change.offense)]
        names = parts["area"]
    elif change.area == change.precinct:        # a real precinct (the Unassigned line has no sectors to act on)
        parts = table[(table["level"] == "sector") & (table["precinct"] == change.precinct)
                      & (table["offense"] == change.offense)]
        names = parts["area"]
    else:
        parts, names = table.iloc[0:0], pd.Series(dtype=str)
    place = None
    if len(parts):
        best = int(np.argmax(sign * parts[col].to_numpy()))
        if sign * parts[col].iloc[best] > 0:
            place = Driver(str(names.iloc[best]), float(parts[col].iloc[best]), change.size(),
                           tuple(parts[sources].iloc[best]))
    same = table[(table["level"] == change.level) & (table["area"] == change.area)].set_index("offense")
    inner = [t for t in types if _inside(rows, change.offense, t) and t in same.index]
    kind = None
    if inner:
        part = {rows[t][0]: float(same.loc[t, col]) for t in inner}
        counts = {rows[t][0]: same.loc[t, sources] for t in inner}
        if rows[change.offense][1] is None:          # all offenses: what no type row holds is "other"
            part["other offenses"] = change.size() - sum(part.values())
            counts["other offenses"] = same.loc[change.offense, sources] - sum(counts.values())
        name = max(part, key=lambda k: sign * part[k])
        if sign * part[name] > 0:
            kind = Driver(_lower(name), part[name], change.size(), tuple(counts[name]))
    return place, kind


def flagged_changes(table: pd.DataFrame, headline: Sequence[str], rows: dict) -> list[Change]:
    """Every flagged (area, offense row, direction) of the city and precinct rows for the headline
    offense rows, with its drivers. `table` must also hold the sector rows and the single-type
    offense rows (reports.summary_report asks for every row)."""
    types = [k for k, (_, offenses) in rows.items() if offenses is not None and len(offenses) == 1]
    head = table[table["level"].isin(["city", "precinct"]) & table["offense"].isin(list(headline))]
    out = []
    for _, row in head.iterrows():
        values = _values(row)
        for flag in (UP, DOWN):
            flagged = tuple(c for c in COMPARISONS if row.get(f"{c}_flag") == flag)
            if not flagged:
                continue
            change = Change(row["level"], None if row["level"] == "city" else row["precinct"], row["area"],
                            row["offense"], row["offense_label"], flag, flagged, values, float(row["current"]))
            place, kind = _drivers(table, change, rows, types)
            out.append(replace(change, place=place, kind=kind))
    return out


def _one_level_in(outer: Change, inner: Change, rows: dict, headline: Sequence[str]) -> bool:
    """Whether `inner` is one step inside `outer`: a precinct of the city (same offense row), or an
    offense row directly inside (same area)."""
    if outer.level == "city" and inner.level == "precinct":
        return inner.offense == outer.offense
    if outer.level == inner.level and outer.area == inner.area and _inside(rows, outer.offense, inner.offense):
        between = [k for k in headline if _inside(rows, outer.offense, k) and _inside(rows, k, inner.offense)]
        return not between
    return False


def fold(changes: list[Change], rows: dict, headline: Sequence[str]) -> list[Change]:
    """The changes told on their own, largest first, each with the echoes it carries (see the
    module's note)."""
    carrier: dict[tuple, tuple] = {}
    for outer in changes:
        c = outer.headline
        candidates = [inner for inner in changes if inner.flag == outer.flag and c in inner.comparisons
                      and _one_level_in(outer, inner, rows, headline)
                      and abs(inner.size(c)) > MOST * abs(outer.size(c))]
        if candidates:
            carrier[outer.key] = max(candidates, key=lambda inner: abs(inner.size(c))).key
    by_key = {ch.key: ch for ch in changes}

    def root(key: tuple) -> tuple:
        while key in carrier:
            key = carrier[key]
        return key

    roots = [ch for ch in changes if ch.key not in carrier]
    told = []
    for ch in roots:
        echoes = [replace(by_key[k], carried_by=carrier[k]) for k in carrier if root(k) == ch.key]
        echoes.sort(key=lambda e: -abs(e.size()))
        told.append(replace(ch, echoes=tuple(echoes)))
    return sorted(told, key=lambda ch: (-abs(ch.size()), ch.values[ch.headline][3]))


# --- New hot spots ---------------------------------------------------------------------------------

def new_spots(beats: pd.DataFrame, cells: pd.DataFrame) -> list[NewSpot]:
    """Beats labelled 'new' (beat Gi*) and beats holding H3 cells labelled 'new': the beat first
    when it is new itself, then by the number of new cells."""
    new_cells = cells[cells["label"] == "new"].groupby("beat").size()
    new_beats = set(beats.loc[beats["label"] == "new", "beat"])
    precinct = beats.drop_duplicates("beat").set_index("beat")["precinct"]
    spots = [NewSpot(str(b), str(precinct.get(b, "")), b in new_beats, int(new_cells.get(b, 0)))
             for b in sorted(new_beats | set(new_cells.index))]
    return sorted(spots, key=lambda s: (not s.beat_is_new, -s.cells, s.beat))


# --- Sentences --------------------------------------------------------------------------------------

def _count(v: float, decimals: int = 0) -> str:
    return f"{v:,.{decimals}f}"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _pct(pct: float) -> str:
    return "from 0" if pd.isna(pct) else f"{pct / 100:+.0%}"


def _lower(label: str) -> str:
    """'Larceny theft' -> 'larceny theft' inside a sentence; 'Level 1 - Use of Force' stays as it is."""
    return label[:1].lower() + label[1:] if label[1:] == label[1:].lower() else label


def _what(change: Change, all_label: str) -> str:
    return _lower(all_label) if change.offense == "all" else f"{_lower(change.label)} {_noun(all_label)}"


def _noun(all_label: str) -> str:
    """'All offenses' -> 'offenses': the noun the offense rows count."""
    return all_label.split(" ", 1)[1] if all_label.lower().startswith("all ") else all_label.lower()


def _where(change: Change) -> str:
    return change.area if change.level == "city" or change.area != change.precinct else f"{change.precinct} precinct"


def _in(change: Change) -> str:
    return change.area.lower() if change.level == "city" and change.area == "City-wide" else f"in {_where(change)}"


def _link(change: Change, links: Links) -> str:
    # The Unassigned line is on the city table, not a precinct's.
    precinct = change.precinct if change.level == "precinct" and change.area == change.precinct else None
    return links.trends(precinct, change.offense)


def _before(change: Change, c: str, count: Counting) -> str:
    """The window's count (the expected level is not a count: one decimal, never held back)."""
    before = change.values[c][0]
    return _count(before, 1) if c == "expected" else count(before)


def _held(change: Change, c: str, count: Counting) -> bool:
    """Whether a change against window c is computed from a count `count` holds back."""
    return count.held(change.now, *([] if c == "expected" else [change.values[c][0]]))


def _against(change: Change, c: str, count: Counting) -> str:
    _, diff, pct, p = change.values[c]
    numbers = "" if _held(change, c, count) else f"\u00a0{diff:+,.0f}, {_pct(pct)}, {_p(p)}"
    return f"{_before(change, c, count)} {AGAINST[c]} ({change.flag}{numbers})"


def _driver_text(change: Change, count: Counting) -> str:
    parts = [d for d in (change.place, change.kind) if d is not None]
    if not parts:
        return ""
    rise = "rise" if change.flag == UP else "fall"
    # "the rest" too: a part can be larger than the whole when the other parts went the other way. Held
    # back: a part from a count under the minimum; the rest when the whole is (part + rest gives it back).
    whole = not _held(change, change.headline, count)

    def said(d: Driver) -> str:
        if count.held(*d.counts):
            return d.name
        return f"{d.name} ({d.part:+,.0f}" + (f", the rest {d.of - d.part:+,.0f})" if whole else ")")
    named = " and ".join(said(d) for d in parts)
    most = all(abs(d.part) > MOST * abs(d.of) for d in parts)
    return f" {'Most of the' if most else 'The largest part of the'} {rise}: {named}."


def change_sentence(change: Change, all_label: str, links: Links, count: Counting = EXACT) -> Sentence:
    c = change.headline
    text = (f"{_where(change)}, {_what(change, all_label)}: {count(change.now)} this period against "
            f"{_against(change, c, count)}")
    others = [f"{AGAINST[o]} ({_before(change, o, count)}"
              f"{'' if _held(change, o, count) else ', ' + _pct(change.values[o][2])})" for o in change.comparisons[1:]]
    if others:
        text += f"; also {change.flag} against {' and '.join(others)}"
    return Sentence(text + "." + _driver_text(change, count), _link(change, links), "change",
                    (change.level, change.precinct, change.offense, change.comparisons))


def echo_sentence(echo: Change, carrier: Change, all_label: str, links: Links, count: Counting = EXACT) -> Sentence:
    c = echo.headline
    moved = "rose" if echo.flag == UP else "fell"
    inner = "most" if _held(carrier, c, count) else f"{carrier.values[c][1]:+,.0f}"
    text = (f"{_where(echo)}, {_what(echo, all_label)} {moved} with it: {count(echo.now)} against "
            f"{_against(echo, c, count)}, of which {_what(carrier, all_label)} {_in(carrier)} account for {inner}.")
    return Sentence(text, _link(echo, links), "echo", (echo.level, echo.precinct, echo.offense, echo.comparisons))


def write(changes: list[Change], spots: list[NewSpot] | None, due: Sequence[Due] | None, *, links: Links,
          all_label: str, headline_labels: Sequence[str], emerging_periods: int | None = None,
          count: Counting = EXACT) -> list[Sentence]:
    """The summary's sentences: the changes (each followed by its echoes), or a sentence that
    there are none; the new hot spots (when the dataset is mapped); the commitments due back.
    `count` says the counts (for partners, "fewer than 3" and nothing computed from one)."""
    out: list[Sentence] = []
    for change in changes:
        out.append(change_sentence(change, all_label, links, count))
        inside = {ch.key: ch for ch in (change, *change.echoes)}
        out += [echo_sentence(e, inside[e.carried_by], all_label, links, count) for e in change.echoes]
    if not changes:
        rows = ", ".join(label.lower() for label in headline_labels)
        out.append(Sentence(
            f"No change this period is flagged: against the expected level, last year and the previous "
            f"period, city-wide and in every precinct ({rows}), the exact Poisson test finds nothing "
            "unlikely to be chance.", links.trends(), "no_change"))
    if spots is not None:
        out += hotspot_sentences(spots, links, emerging_periods)
    for item in due or ():
        out.append(Sentence(f"Due back: {item.text}", item.link, "due"))
    return out


def hotspot_sentences(spots: list[NewSpot], links: Links, emerging_periods: int | None) -> list[Sentence]:
    before = f"the previous {emerging_periods} periods" if emerging_periods else "the previous periods"
    if not spots:
        return [Sentence(f"No hot spot is new this period (hot now, and hot in fewer than half of {before}).",
                         links.hotspots(), "no_hotspot")]
    out = []
    for spot in spots[:TOP_SPOTS]:
        parts = (["the beat itself (beat Gi*)"] if spot.beat_is_new else []) + (
            [f"{spot.cells} H3 cell{'s' if spot.cells != 1 else ''}"] if spot.cells else [])
        where = f"beat {spot.beat}" + (f" ({spot.precinct})" if spot.precinct else "")
        out.append(Sentence(f"New hot spot in {where}: {' and '.join(parts)}, hot now and in fewer than half "
                            f"of {before}.", links.hotspots(spot.beat), "hotspot"))
    rest = spots[TOP_SPOTS:]
    if rest:
        out.append(Sentence(f"New hot spots in {len(rest)} more beat{'s' if len(rest) != 1 else ''}: "
                            f"{', '.join(s.beat for s in rest)}.", links.hotspots(), "hotspot"))
    return out
