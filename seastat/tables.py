"""Every table the dashboard offers for download, by name: what `seastat table NAME` prints and
what the pages' CSV buttons hold, built by the same function from the same report, so the two are
the same bytes (export.table_csv: the source line, then the CSV).

Privacy: cells and blocks under `[hotspots] min_cell_count` show no count (cells) or only an
aggregate line (blocks), as on the map. The partner view holds back more (seastat.access.held_back,
with each table's HOLD_BACK rule): every count under the minimum, and what is computed from it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import access, compstat, reports, service
from .config import Settings
from .store import Store


def hotspot_cells(report: reports.HotspotReport) -> pd.DataFrame:
    """Every H3 cell with incidents or a label: count (blank under the minimum), z, p, label, hot."""
    cells = report.analysis.cells
    cells = cells[(cells["incidents"] > 0) | (cells["label"] != "none") | cells["hot"]]
    shown = lambda n: pd.array([int(v) if v >= report.min_count else None for v in n], dtype="Int64")  # noqa: E731
    return pd.DataFrame({
        "cell": cells["cell"].to_numpy(), "beat": cells["beat"].to_numpy(),
        "incidents": shown(cells["incidents"]), "previous": shown(cells["previous"]),
        "z": cells["z"].round(3).to_numpy(), "p": cells["p"].to_numpy(), "label": cells["label"].to_numpy(),
        "hot": cells["hot"].astype(bool).to_numpy()})


def hotspot_beats(report: reports.HotspotReport, precincts=()) -> pd.DataFrame:
    """Every beat, busiest first: incidents, previous, change, share of all, z, p, label, hot."""
    beats = report.beats[report.beats["precinct"].isin(precincts)] if precincts else report.beats
    return beats[["beat", "precinct", "incidents", "previous", "change", "share", "z", "p", "label", "hot"]] \
        .assign(z=beats["z"].round(3), hot=beats["hot"].astype(bool)).reset_index(drop=True)


def hot_blocks(report: reports.HotspotReport, beats=None) -> pd.DataFrame:
    return report.blocks(beats)


def near_repeat_places(report: reports.NearRepeatReport) -> pd.DataFrame:
    return report.places


def near_repeat_knox(report: reports.NearRepeatReport) -> pd.DataFrame:
    parts = [k.assign(offense=t) for t, k in report.knox.items()]
    columns = ["offense", "space", "time", "observed", "expected", "ratio", "p"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def compstat_table(report: reports.CompStatReport) -> pd.DataFrame:
    return compstat.table_export(report.table)


# What the partner view holds back in a table besides its whole-number columns' default (access.held_back):
# its counts, what is computed from them, text naming counts. The page's table, its CSV and the packet use it.
_BLOCK_COUNTS = {"counts": ("incidents", "previous"),
                 "derived": {"change": ("incidents", "previous"), "share": ("incidents",)}}
HOLD_BACK: dict[str, dict] = {
    "hot-blocks": _BLOCK_COUNTS,
    "hotspot-beats": _BLOCK_COUNTS,
    "near-repeat": {"counts": ("events",), "texts": ("offenses",)},
    "knox": {"counts": ("observed",), "derived": {"ratio": ("observed",)}},
    # compare.offense_mix: each group's count in slice A and B (compare page, shared screen, packet)
    "offense-mix": {"counts": ("a", "b"), "derived": {"difference": ("a", "b"), "share_a": ("a",), "share_b": ("b",)}},
    # reports.datasets_report's tables (crime, calls and use of force by area): the counts are its whole numbers
    "datasets": {"derived": {"calls_per_crime": ("crime", "calls"), "use_of_force_per_1000_calls": ("use_of_force", "calls")}},
}


# The /service tables by name, and their kind in service.SMALL.
SERVICE = {"response-times": "response", "call-types": "call_types", "call-sources": "sources",
           "calls-by-hour": "hours", "use-of-force-rates": "use_of_force"}
NOT_FOR_PARTNERS = {"use-of-force-subjects": "subject race and gender are not part of the partner view"}


def partner_rule(name: str, df: pd.DataFrame) -> dict:
    """What the partner view holds back of table `name` (access.held_back's counts, totals, derived,
    texts): the rule its page applies on screen and in its CSV."""
    if name == "compstat":
        return {"counts": access.COMPSTAT_COUNTS, "totals": df["level"] == "city", "derived": access.COMPSTAT_DERIVED}
    if name in SERVICE:
        return service.partner_rule(df, SERVICE[name])
    return dict(HOLD_BACK.get(name, {}))       # else: the table's whole-number columns (access.count_columns)


def for_audience(name: str, df: pd.DataFrame, audience: str, min_count: int) -> pd.DataFrame:
    """Table `name` as `audience` may see it: everything for command staff; for partners, the
    partner CSV its page offers (a table the partner view does not show is refused)."""
    if audience not in access.AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; choose from {', '.join(access.AUDIENCES)}")
    if audience == "command":
        return df
    if name in NOT_FOR_PARTNERS:
        raise ValueError(f"no partner version of {name}: {NOT_FOR_PARTNERS[name]}")
    return access.held_back(df, min_count, **partner_rule(name, df))


@dataclass(frozen=True)
class Table:
    what: str
    build: Callable[[Store, Settings, reports.View], pd.DataFrame]


TABLES: dict[str, Table] = {
    "compstat": Table("the CompStat table: every area, window, change, p-value and flag",
                      lambda s, c, v: compstat_table(reports.compstat_report(s, c, v))),
    "hotspot-cells": Table("H3 cells: incidents (blank under the minimum), z, p, label, hot",
                           lambda s, c, v: hotspot_cells(reports.hotspot_report(s, c, v))),
    "hotspot-beats": Table("beats: incidents, change, share, z, p, label, hot",
                           lambda s, c, v: hotspot_beats(reports.hotspot_report(s, c, v))),
    "hot-blocks": Table("the hottest 100-blocks, with the aggregate lines that make the column add up",
                        lambda s, c, v: hot_blocks(reports.hotspot_report(s, c, v))),
    "near-repeat": Table("100-blocks whose near-repeat window is open at the period's end",
                         lambda s, c, v: near_repeat_places(reports.near_repeat_report(s, c, v.period))),
    "knox": Table("the Knox test per offense type: close pairs observed and expected, p",
                  lambda s, c, v: near_repeat_knox(reports.near_repeat_report(s, c, v.period))),
    # 911 calls and use of force (the view's dataset does not matter: each reads its own)
    "response-times": Table("dispatched calls by area and priority: median and 90th percentile minutes, share over target",
                            lambda s, c, v: reports.response_times_report(s, c, v).table),
    "call-types": Table("the top initial and final call types, against the expected",
                        lambda s, c, v: reports.call_types_report(s, c, v).table),
    "call-sources": Table("the call source mix (911, on-view, telephone, alarm) and the on-view share by area",
                          lambda s, c, v: reports.call_types_report(s, c, v).sources),
    "calls-by-hour": Table("calls by hour of the week (7 x 24), this period against the expected",
                           lambda s, c, v: reports.calls_by_hour_report(s, c, v).table),
    "use-of-force-rates": Table("uses of force by level per 1,000 dispatched calls and per 10,000 calls",
                                lambda s, c, v: reports.use_of_force_rates_report(s, c, v).table),
    "use-of-force-subjects": Table("subject race and gender as shares, 'unknown / not recorded' included",
                                   lambda s, c, v: reports.use_of_force_subjects_report(s, c, v).table),
}


def as_json_rows(df: pd.DataFrame) -> str:
    """A list of row objects (missing values as null, dates as ISO text)."""
    return df.to_json(orient="records", date_format="iso", indent=1, force_ascii=False)
