"""A small crime export with known truth for the commitment results: two precincts of three
sectors of three beats, burglaries and shoplifting as daily Poisson counts, and planted changes
from START on:

- beat C1 (East): burglaries drop to 35 % (the commitment worked);
- every beat of North precinct: burglaries drop to 35 % (a city-side drop, not any one commitment's);
- beat G3 (East): burglaries rise to 200 %;
- everywhere else: no change.

Each beat has two 100-blocks; the rows are written in the portal's "SPD Crime Data" layout and
published with seastat.publish, so the counts go through the same rollup and queries as the pages.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

FIRST, LAST = dt.date(2026, 5, 1), dt.date(2026, 11, 22)
START = dt.date(2026, 9, 14)          # the commitments' start: 70 days since, 70 days before
PRECINCTS = {"East": ("C", "E", "G"), "North": ("B", "J", "L")}
BEATS = {f"{s}{i}": p for p, sectors in PRECINCTS.items() for s in sectors for i in (1, 2, 3)}
BURGLARY_PER_DAY, THEFT_PER_DAY = 0.9, 0.6
DROP, RISE = 0.35, 2.0


def factor(beat: str, day: dt.date) -> float:
    """The planted change of a beat's burglary rate on a day."""
    if day < START:
        return 1.0
    if beat == "C1" or BEATS[beat] == "North":
        return DROP
    return RISE if beat == "G3" else 1.0


def blocks(beat: str) -> list[str]:
    return [f"{n}XX BLOCK OF {beat} AVE" for n in (1, 2)]


def write_export(path: Path, seed: int = 2026) -> pd.DataFrame:
    """Write the export; return its rows (day, beat, sector, precinct, block, offense) for checking."""
    rng = np.random.default_rng(seed)
    rows = []
    day = FIRST
    while day <= LAST:
        for beat, precinct in BEATS.items():
            for offense, rate in (("burglary", BURGLARY_PER_DAY * factor(beat, day)), ("larceny_theft", THEFT_PER_DAY)):
                for _ in range(rng.poisson(rate)):
                    rows.append((day, beat, beat[0], precinct, blocks(beat)[rng.integers(2)], offense))
        day += dt.timedelta(days=1)
    truth = pd.DataFrame(rows, columns=["day", "beat", "sector", "precinct", "block", "offense"])
    codes = {"burglary": ("220", "BURGLARY/BREAKING&ENTERING", "Burglary/Breaking & Entering", "PROPERTY"),
             "larceny_theft": ("23C", "LARCENY-THEFT", "Shoplifting", "PROPERTY")}
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Report Number", "Offense ID", "Offense Start DateTime", "Offense End DateTime",
                    "Report DateTime", "Group A B", "Crime Against Category", "Offense Parent Group", "Offense",
                    "Offense Code", "Precinct", "Sector", "Beat", "MCPP", "100 Block Address", "Longitude", "Latitude"])
        for i, r in enumerate(truth.itertuples()):
            code, parent, name, against = codes[r.offense]
            at = dt.datetime.combine(r.day, dt.time(12, 0))
            w.writerow([f"2026-{i:06d}", str(40_000_000_000 + i), at.strftime("%m/%d/%Y %I:%M:%S %p"), "",
                        (at + dt.timedelta(hours=2)).strftime("%m/%d/%Y %I:%M:%S %p"), "A", against, parent, name,
                        code, r.precinct, r.sector, r.beat, "PLANTED", r.block, "", ""])
    return truth


def truth_counts(truth: pd.DataFrame, *, place: tuple[str, str], area: tuple[str, str], offenses: list[str],
                 before: tuple[dt.date, dt.date], since: tuple[dt.date, dt.date]) -> tuple[int, int, int, int]:
    """pandas' own count of the four DiD counts (place before/since, comparison-minus-place before/since)."""
    t = truth[truth["offense"].isin(offenses)] if offenses else truth
    in_place = t[place[0]] == place[1]
    in_area = (t["precinct"].isin(list(PRECINCTS)) if area[0] == "city" else t[area[0]] == area[1]) & ~in_place
    out = []
    for mask in (in_place, in_area):
        for lo, hi in (before, since):
            out.append(int((mask & (t["day"] >= lo) & (t["day"] < hi)).sum()))
    return out[0], out[1], out[2], out[3]
