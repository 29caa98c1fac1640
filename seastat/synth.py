"""`seastat synth`: SPD-shaped source files of any size, deterministic by seed.

The structure is the one analysts know from the real data: incidents concentrate on a few
100-blocks (about half on about 5 % of them, Weisburd 2015), follow weekly and seasonal cycles,
arrive late, and carry the oddities of the real exports (blank and UNKNOWN precincts, OOJ,
REDACTED addresses, missing coordinates written as 0 or -1, offense starts decades before the
report, duplicated rows). A few blocks are given a hot spot that emerges or fades over time.
Everything written here is labelled synthetic inside the file itself: every export carries a
`SeaStat Synthetic` column, which `seastat publish` recognises, so a copy is still labelled.
(`synthetic.json` beside them records the seed and span; nothing relies on it for the label.)
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from .geo import load_boundaries
from .publish import SYNTHETIC_COLUMN, sha256_of

CHUNK = 500_000
BLOCKS_PER_BEAT = 120

CRIME_HEADER = ["Report Number", "Offense ID", "Offense Start DateTime", "Offense End DateTime",
                "Report DateTime", "Group A B", "Crime Against Category", "Offense Parent Group", "Offense",
                "Offense Code", "Precinct", "Sector", "Beat", "MCPP", "100 Block Address", "Longitude", "Latitude"]
CALLS_HEADER = ["CAD Event Number", "CAD Event Clearance Description", "Call Type", "Priority",
                "Initial Call Type", "Final Call Type", "CAD Event Original Time Queued", "CAD Event Arrived Time",
                "Dispatch Precinct", "Dispatch Sector", "Dispatch Beat", "Dispatch Address",
                "Dispatch Longitude", "Dispatch Latitude"]
UOF_HEADER = ["ID", "Incident_Num", "Incident_Type", "Occured_date_time", "Precinct", "Sector", "Beat",
              "Officer_ID", "Subject_ID", "Subject_Race", "Subject_Gender"]

# (parent group, offense, NIBRS code, crime against, group A/B, relative frequency)
OFFENSES = [
    ("LARCENY-THEFT", "Theft From Motor Vehicle", "23F", "PROPERTY", "A", 10.0),
    ("LARCENY-THEFT", "All Other Larceny", "23H", "PROPERTY", "A", 12.0),
    ("LARCENY-THEFT", "Shoplifting", "23C", "PROPERTY", "A", 6.0),
    ("LARCENY-THEFT", "Theft From Building", "23D", "PROPERTY", "A", 4.0),
    ("LARCENY-THEFT", "Theft of Motor Vehicle Parts or Accessories", "23G", "PROPERTY", "A", 2.0),
    ("LARCENY-THEFT", "Pocket-picking", "23A", "PROPERTY", "A", 0.3),
    ("BURGLARY/BREAKING&ENTERING", "Burglary/Breaking & Entering", "220", "PROPERTY", "A", 10.0),
    ("MOTOR VEHICLE THEFT", "Motor Vehicle Theft", "240", "PROPERTY", "A", 9.0),
    ("DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY", "Destruction/Damage/Vandalism of Property", "290", "PROPERTY", "A", 11.0),
    ("ASSAULT OFFENSES", "Simple Assault", "13B", "PERSON", "A", 8.0),
    ("ASSAULT OFFENSES", "Aggravated Assault", "13A", "PERSON", "A", 4.0),
    ("ASSAULT OFFENSES", "Intimidation", "13C", "PERSON", "A", 2.5),
    ("ROBBERY", "Robbery", "120", "PROPERTY", "A", 3.0),
    ("FRAUD OFFENSES", "Identity Theft", "26F", "PROPERTY", "A", 3.0),
    ("FRAUD OFFENSES", "Credit Card/Automated Teller Machine Fraud", "26B", "PROPERTY", "A", 1.5),
    ("TRESPASS OF REAL PROPERTY", "Trespass of Real Property", "90J", "SOCIETY", "B", 2.5),
    ("DRUG/NARCOTIC OFFENSES", "Drug/Narcotic Violations", "35A", "SOCIETY", "A", 1.5),
    ("WEAPON LAW VIOLATIONS", "Weapon Law Violations", "520", "SOCIETY", "A", 1.0),
    ("DRIVING UNDER THE INFLUENCE", "Driving Under the Influence", "90D", "SOCIETY", "B", 1.0),
    ("ALL OTHER OFFENSES", "All Other Offenses", "90Z", "NOT_A_CRIME", "B", 2.0),
    ("STOLEN PROPERTY OFFENSES", "Stolen Property Offenses", "280", "PROPERTY", "A", 0.5),
    ("COUNTERFEITING/FORGERY", "Counterfeiting/Forgery", "250", "PROPERTY", "A", 0.3),
    ("ARSON", "Arson", "200", "PROPERTY", "A", 0.3),
    ("KIDNAPPING/ABDUCTION", "Kidnapping/Abduction", "100", "PERSON", "A", 0.15),
    ("SEX OFFENSES", "Rape", "11A", "PERSON", "A", 0.35),
    ("SEX OFFENSES", "Fondling", "11D", "PERSON", "A", 0.35),
    ("SEX OFFENSES", "Sodomy", "11B", "PERSON", "A", 0.05),
    ("SEX OFFENSES", "Sexual Assault With An Object", "11C", "PERSON", "A", 0.04),
    ("PROSTITUTION OFFENSES", "Prostitution", "40A", "SOCIETY", "A", 0.1),
    ("HUMAN TRAFFICKING", "Human Trafficking, Commercial Sex Acts", "64A", "PERSON", "A", 0.02),
    ("HOMICIDE OFFENSES", "Murder & Nonnegligent Manslaughter", "09A", "PERSON", "A", 0.06),
]
# (initial call type, relative frequency, priority)
CALL_TYPES = [
    ("SUSPICIOUS PERSON, VEHICLE OR INCIDENT", 12, 3), ("DISTURBANCE, MISCELLANEOUS/OTHER", 10, 3),
    ("TRAFFIC STOP - OFFICER INITIATED ONVIEW", 9, 7), ("THEFT - ALL OTHER", 7, 4),
    ("ASLT - PERSON (INCL. DV/ELDER)", 5, 1), ("WELFARE CHECK", 6, 3), ("PREMISE CHECKS", 8, 7),
    ("BURG - RES (INCL UNOCC STRUCTURES)", 3, 2), ("AUTO THEFT", 3, 4), ("MVC - WITH INJURIES", 2, 1),
    ("NOISE - DISTURBANCE", 4, 5), ("SHOTS FIRED", 1, 1), ("DV - DOMESTIC VIOL/ASLT (ARREST)", 2, 1),
    ("SEX OFFENSES (NON-RAPE)", 0.4, 2), ("RAPE", 0.2, 1), ("SFD - ASSIST ON FIRE OR MEDIC RESPONSE", 4, 2),
]
CALL_HOW = ["911", "ONVIEW", "TELEPHONE OTHER, NOT 911", "TEXT MESSAGE"]
CLEARANCES = ["REPORT WRITTEN (NO ARREST)", "PHYSICAL ARREST MADE", "UNABLE TO LOCATE INCIDENT OR COMPLAINANT",
              "ASSISTANCE RENDERED", "NO POLICE ACTION POSSIBLE OR NECESSARY", "ORAL WARNING GIVEN"]
UOF_TYPES = [("Level 1 - Use of Force", 0.70), ("Level 2 - Use of Force", 0.25),
             ("Level 3 - Use of Force", 0.04), ("Level 3 - OIS", 0.01)]
RACES = [("White", 0.45), ("Black or African American", 0.32), ("Hispanic or Latino", 0.08), ("Asian", 0.06),
         ("American Indian/Alaska Native", 0.02), ("Nat Hawaiian/Oth Pac Islander", 0.01), ("Not Specified", 0.06)]
STREETS = ["PINE ST", "PIKE ST", "3RD AVE", "AURORA AVE N", "RAINIER AVE S", "MARTIN LUTHER KING JR WAY S",
           "BROADWAY E", "UNIVERSITY WAY NE", "CALIFORNIA AVE SW", "DELRIDGE WAY SW", "LAKE CITY WAY NE",
           "15TH AVE NW", "MARKET ST", "E JEFFERSON ST", "S JACKSON ST", "1ST AVE", "WESTLAKE AVE N",
           "NE 45TH ST", "GREENWOOD AVE N", "BEACON AVE S", "E MADISON ST", "23RD AVE S", "35TH AVE SW"]
PRECINCT_WEIGHT = {"West": 1.6, "North": 1.1, "East": 1.0, "South": 0.95, "Southwest": 0.6}
# How the three exports spell precincts.
PRECINCT_SPELLING = {
    "crime": {p: p for p in PRECINCT_WEIGHT},
    "calls": {p: p.upper() for p in PRECINCT_WEIGHT},
    "use_of_force": {**{p: p for p in PRECINCT_WEIGHT}, "Southwest": "SouthWest"},
}
MCPP = {"North": ["NORTHGATE", "BALLARD NORTH", "UNIVERSITY", "LAKE CITY", "FREMONT"],
        "East": ["CAPITOL HILL", "CENTRAL AREA/SQUIRE PARK", "MADISON PARK"],
        "South": ["RAINIER BEACH", "COLUMBIA CITY", "GEORGETOWN"],
        "West": ["DOWNTOWN COMMERCIAL", "BELLTOWN", "QUEEN ANNE", "MAGNOLIA", "SLU/CASCADE"],
        "Southwest": ["ALKI", "HIGH POINT", "WESTWOOD/HIGHLAND PARK"]}

Progress = Callable[[str, float], None]


class Places:
    """The 100-blocks incidents happen on: where they are, their beat, and how 'hot' each is."""

    def __init__(self, beats, rng: np.random.Generator, real: dict[str, list[tuple[str, float, float]]] | None = None):
        lon, lat, beat, sector, precinct, addr, mcpp = [], [], [], [], [], [], []
        for row in beats.itertuples():
            minx, miny, maxx, maxy = row.geometry.bounds
            got = 0
            blocks = (real or {}).get(row.beat)
            if blocks:   # real 100-blocks of this beat, each with a real coordinate of it
                for i in rng.choice(len(blocks), BLOCKS_PER_BEAT, replace=len(blocks) < BLOCKS_PER_BEAT):
                    a, x, y = blocks[i]
                    lon.append(x); lat.append(y); addr.append(a)
                    beat.append(row.beat); sector.append(row.sector); precinct.append(row.precinct)
                    mcpp.append(MCPP[row.precinct][rng.integers(len(MCPP[row.precinct]))])
                got = BLOCKS_PER_BEAT
            while got < BLOCKS_PER_BEAT:
                x, y = rng.uniform(minx, maxx, 400), rng.uniform(miny, maxy, 400)
                inside = shapely.contains_xy(row.geometry, x, y)
                for px, py in zip(x[inside], y[inside]):
                    if got == BLOCKS_PER_BEAT:
                        break
                    lon.append(round(px, 6)); lat.append(round(py, 6))
                    beat.append(row.beat); sector.append(row.sector); precinct.append(row.precinct)
                    addr.append(f"{rng.integers(1, 120)}XX BLOCK OF {STREETS[rng.integers(len(STREETS))]}")
                    mcpp.append(MCPP[row.precinct][rng.integers(len(MCPP[row.precinct]))])
                    got += 1
        self.lon, self.lat = np.array(lon), np.array(lat)
        self.beat, self.sector, self.precinct = np.array(beat), np.array(sector), np.array(precinct)
        self.addr, self.mcpp = np.array(addr), np.array(mcpp)
        n = len(lon)
        # Heavy-tailed place risk: about half the incidents land on about 5 % of the blocks.
        risk = rng.lognormal(0.0, 1.9, n) * np.array([PRECINCT_WEIGHT[p] for p in precinct])
        self.risk = risk / risk.sum()
        self.n = n
        order = rng.permutation(n)
        self.emerging, self.fading = order[:15], order[15:30]


def real_blocks(store: Path, beats) -> dict[str, list[tuple[str, float, float]]]:
    """Per beat, the distinct 100-blocks of a published store's crime and calls records (one coordinate
    each, the first by address), kept only where the coordinate lies inside that beat's boundary: so
    no synthetic address contradicts its beat."""
    from .store import current_version_dir
    root = current_version_dir(store)
    frames = [pq.read_table(root / name, columns=["beat", "block_address", "longitude", "latitude"]).to_pandas()
              for name in ("crime", "calls")]
    df = pd.concat(frames).dropna().sort_values(["beat", "block_address", "longitude", "latitude"])
    df = df.drop_duplicates(["beat", "block_address"])
    shapes = dict(zip(beats["beat"], beats.geometry))
    df = df[df.beat.isin(list(shapes))]
    inside = np.array([shapely.contains_xy(shapes[b], x, y) for b, x, y in zip(df.beat, df.longitude, df.latitude)],
                      dtype=bool)
    out: dict[str, list[tuple[str, float, float]]] = {}
    for b, a, x, y in df[inside].itertuples(index=False):
        out.setdefault(b, []).append((a, round(float(x), 6), round(float(y), 6)))
    return out


def _day_weights(days: np.ndarray) -> np.ndarray:
    dow = np.array([1.0, 0.97, 0.98, 1.0, 1.12, 1.15, 1.02])[[d.weekday() for d in days]]
    doy = np.array([d.timetuple().tm_yday for d in days])
    season = 1 + 0.12 * np.sin(2 * np.pi * (doy - 100) / 365.25)   # summer peak
    return dow * season


def _event_times(rng, n: int, start: dt.date, end: dt.date) -> np.ndarray:
    days = np.array([start + dt.timedelta(d) for d in range((end - start).days + 1)])
    w = _day_weights(days)
    day_idx = rng.choice(len(days), size=n, p=w / w.sum())
    hour_w = np.array([5, 4, 3, 2, 1.5, 1.5, 2, 3, 4, 4.5, 5, 5, 5.5, 5.5, 5.5, 5.5, 6, 6, 6, 5.5, 5.5, 5, 5, 5.5])
    seconds = rng.choice(24, size=n, p=hour_w / hour_w.sum()) * 3600 + rng.integers(0, 3600, n)
    base = np.datetime64(start, "s")
    return np.sort(base + day_idx.astype("timedelta64[D]") + seconds.astype("timedelta64[s]"))


def _pick_places(rng, places: Places, times: np.ndarray, start: dt.date, end: dt.date) -> np.ndarray:
    """Risk-weighted blocks; emerging hot spots switch on, fading ones switch off, at a turning date."""
    turn = np.datetime64(end - dt.timedelta(days=70), "s")
    out = np.empty(len(times), dtype=np.int64)
    for after in (False, True):
        mask = (times >= turn) if after else (times < turn)
        risk = places.risk.copy()
        risk[places.emerging if after else places.fading] *= 40
        out[mask] = rng.choice(places.n, size=int(mask.sum()), p=risk / risk.sum())
    return out


def _fmt(times: np.ndarray, fmt: str) -> pa.Array:
    return pc.strftime(pa.array(times, pa.timestamp("s")), format=fmt)


def _choice(rng, items, weights, n) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(items), size=n, p=w / w.sum())


def _messy_area(rng, places: Places, idx: np.ndarray, spelling: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    precinct = np.vectorize(spelling.get, otypes=[object])(places.precinct[idx])
    sector, beat = places.sector[idx].astype(object), places.beat[idx].astype(object)
    u = rng.random(len(idx))
    blank = u < 0.004
    unknown = (u >= 0.004) & (u < 0.007)
    ooj = (u >= 0.007) & (u < 0.010)
    precinct[blank], sector[blank], beat[blank] = "", "", ""
    precinct[unknown], sector[unknown], beat[unknown] = "UNKNOWN", "UNKNOWN", "UNKNOWN"
    precinct[ooj], sector[ooj], beat[ooj] = "OOJ", "", ""
    return precinct, sector, beat


def _messy_coords(rng, places: Places, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = places.lon[idx].astype(str).astype(object), places.lat[idx].astype(str).astype(object)
    u = rng.random(len(idx))
    lon[u < 0.01], lat[u < 0.01] = "0", "0"
    m = (u >= 0.01) & (u < 0.015)
    lon[m], lat[m] = "-1", "-1"
    m = (u >= 0.015) & (u < 0.02)
    lon[m], lat[m] = "", ""
    return lon, lat


def _write(table: pa.Table, path: Path, writer_state: dict, fmt: str) -> None:
    if fmt == "parquet":
        if "w" not in writer_state:
            writer_state["w"] = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer_state["w"].write_table(table)
    else:
        if "w" not in writer_state:
            writer_state["w"] = pacsv.CSVWriter(path, table.schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
        writer_state["w"].write_table(table)


def _crime_chunk(rng, places, n, first_id, start, end) -> pa.Table:
    times = _event_times(rng, n, start, end)
    idx = _pick_places(rng, places, times, start, end)
    off = _choice(rng, OFFENSES, [o[5] for o in OFFENSES], n)
    snapshot = np.datetime64(end + dt.timedelta(days=1), "s")
    lag = (rng.exponential(2.0, n) * 86400).astype("timedelta64[s]")
    late = rng.random(n) < 0.03
    lag[late] = (rng.integers(14, 60, late.sum()) * 86400).astype("timedelta64[s]")
    report = np.minimum(times + lag + np.timedelta64(1800, "s"), snapshot - np.timedelta64(60, "s"))
    starts = times.copy()
    ancient = rng.random(n) < 0.001    # offense starts decades before the report
    starts[ancient] = starts[ancient] - (rng.integers(15, 40, ancient.sum()) * 365 * 86400).astype("timedelta64[s]")
    ends = starts + (rng.integers(0, 6 * 3600, n)).astype("timedelta64[s]")
    ids = np.arange(first_id, first_id + n)
    # About one report in ten lists two offenses: the second shares the first one's report number.
    report_no = ids.copy()
    shared = np.where(rng.random(n) < 0.1)[0]
    shared = shared[shared > 0]
    report_no[shared] = report_no[shared - 1]
    dup = np.where(rng.random(n) < 0.0002)[0]    # the export sometimes repeats a row
    precinct, sector, beat = _messy_area(rng, places, idx, PRECINCT_SPELLING["crime"])
    lon, lat = _messy_coords(rng, places, idx)
    addr = places.addr[idx].astype(object)
    u = rng.random(n)
    addr[u < 0.01] = "REDACTED"
    addr[(u >= 0.01) & (u < 0.015)] = ""
    start_s = _fmt(starts, "%m/%d/%Y %I:%M:%S %p").to_numpy(zero_copy_only=False).astype(object)
    start_s[rng.random(n) < 0.001] = ""            # blank start: counted at report time
    start_s[rng.random(n) < 0.0001] = "00/00/0000 00:00:00 AM"   # unparseable: quarantined
    end_s = _fmt(ends, "%m/%d/%Y %I:%M:%S %p").to_numpy(zero_copy_only=False).astype(object)
    end_s[rng.random(n) < 0.6] = ""
    o = np.array(OFFENSES, dtype=object)[off]
    cols = {
        "Report Number": [f"{r // 100000 + 2008}-{r % 100000 + 900000:06d}" for r in report_no],
        "Offense ID": [str(30_000_000_000 + i) for i in ids],
        "Offense Start DateTime": start_s,
        "Offense End DateTime": end_s,
        "Report DateTime": _fmt(report, "%m/%d/%Y %I:%M:%S %p"),
        "Group A B": o[:, 4], "Crime Against Category": o[:, 3], "Offense Parent Group": o[:, 0],
        "Offense": o[:, 1], "Offense Code": o[:, 2],
        "Precinct": precinct, "Sector": sector, "Beat": beat, "MCPP": places.mcpp[idx],
        "100 Block Address": addr, "Longitude": lon, "Latitude": lat,
    }
    table = pa.table({k: pa.array(np.asarray(v, dtype=object) if not isinstance(v, pa.Array) else v, pa.string())
                      for k, v in cols.items()})
    return pa.concat_tables([table, table.take(dup)]) if len(dup) else table


def _calls_chunk(rng, places, n, first_id, start, end) -> pa.Table:
    times = _event_times(rng, n, start, end)
    idx = _pick_places(rng, places, times, start, end)
    kind = _choice(rng, CALL_TYPES, [c[1] for c in CALL_TYPES], n)
    ctype = np.array([c[0] for c in CALL_TYPES], dtype=object)
    final = ctype[kind].copy()
    changed = rng.random(n) < 0.2
    final[changed] = ctype[_choice(rng, CALL_TYPES, [c[1] for c in CALL_TYPES], int(changed.sum()))]
    arrived = times + (rng.gamma(2.0, 400, n)).astype("timedelta64[s]")
    arrived_s = _fmt(arrived, "%Y %b %d %I:%M:%S %p").to_numpy(zero_copy_only=False).astype(object)
    arrived_s[rng.random(n) < 0.15] = ""      # not every call gets an arrival
    precinct, sector, beat = _messy_area(rng, places, idx, PRECINCT_SPELLING["calls"])
    lon, lat = _messy_coords(rng, places, idx)
    cols = {
        "CAD Event Number": [str(2_000_000_000_000 + i) for i in range(first_id, first_id + n)],
        "CAD Event Clearance Description": np.array(CLEARANCES, dtype=object)[rng.integers(0, len(CLEARANCES), n)],
        "Call Type": np.array(CALL_HOW, dtype=object)[_choice(rng, CALL_HOW, [6, 3, 2, 0.2], n)],
        "Priority": np.array([str(c[2]) for c in CALL_TYPES], dtype=object)[kind],
        "Initial Call Type": ctype[kind], "Final Call Type": final,
        "CAD Event Original Time Queued": _fmt(times, "%Y %b %d %I:%M:%S %p"),
        "CAD Event Arrived Time": arrived_s,
        "Dispatch Precinct": precinct, "Dispatch Sector": sector, "Dispatch Beat": beat,
        "Dispatch Address": places.addr[idx], "Dispatch Longitude": lon, "Dispatch Latitude": lat,
    }
    return pa.table({k: pa.array(np.asarray(v, dtype=object) if not isinstance(v, pa.Array) else v, pa.string())
                     for k, v in cols.items()})


def _uof_chunk(rng, places, n, first_id, start, end) -> pa.Table:
    times = _event_times(rng, n, start, end)
    idx = _pick_places(rng, places, times, start, end)
    precinct, sector, beat = _messy_area(rng, places, idx, PRECINCT_SPELLING["use_of_force"])
    ids = np.arange(first_id, first_id + n)
    incident = ids - rng.integers(0, 2, n)   # several officers or subjects can share an incident
    years = times.astype("datetime64[Y]").astype(int) + 1970
    cols = {
        "ID": [f"{y}UOF-{i:07d}" for y, i in zip(years, ids)],
        "Incident_Num": [str(40000 + i) for i in incident],
        "Incident_Type": np.array([t[0] for t in UOF_TYPES], dtype=object)[_choice(rng, UOF_TYPES, [t[1] for t in UOF_TYPES], n)],
        "Occured_date_time": _fmt(times, "%m/%d/%Y %I:%M:%S %p"),
        "Precinct": precinct, "Sector": sector, "Beat": beat,
        "Officer_ID": rng.integers(1000, 9999, n).astype(str),
        "Subject_ID": rng.integers(10000, 99999, n).astype(str),
        "Subject_Race": np.array([r[0] for r in RACES], dtype=object)[_choice(rng, RACES, [r[1] for r in RACES], n)],
        "Subject_Gender": np.array(["Male", "Female", "Not Specified"], dtype=object)[_choice(rng, [0, 1, 2], [0.82, 0.15, 0.03], n)],
    }
    return pa.table({k: pa.array(np.asarray(v, dtype=object) if not isinstance(v, pa.Array) else v, pa.string())
                     for k, v in cols.items()})


GENERATORS = {"crime": _crime_chunk, "calls": _calls_chunk, "use_of_force": _uof_chunk}


def synth(
    rows: int, out: Path, *, seed: int = 7, start: dt.date = dt.date(2024, 1, 1),
    end: dt.date | None = None, datasets: tuple[str, ...] = ("crime", "calls", "use_of_force"),
    fmt: str = "csv", boundaries: Path, calls_per_crime: float = 1.5,
    uof_per_crime: float = 0.02, progress: Progress | None = None, real_store: Path | None = None,
) -> dict[str, Path]:
    """Write synthetic sources to `out`; `rows` crime rows, calls and use of force in proportion.
    With `real_store` (a store published from real exports) the blocks and their coordinates are drawn
    from its records of the same beat, where it has some."""
    end = end or dt.date.today() - dt.timedelta(days=1)
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    out.mkdir(parents=True, exist_ok=True)
    beats = load_boundaries(boundaries)["beat"]
    places = Places(beats, np.random.default_rng(seed), real_blocks(real_store, beats) if real_store else None)
    counts = {"crime": rows, "calls": int(rows * calls_per_crime), "use_of_force": max(int(rows * uof_per_crime), 1)}
    written: dict[str, Path] = {}
    for offset, name in enumerate(datasets):
        rng = np.random.default_rng([seed, offset])
        path = out / f"{name}.{'parquet' if fmt == 'parquet' else 'csv'}"
        state: dict = {}
        total, done = counts[name], 0
        while done < total:
            n = min(CHUNK, total - done)
            table = GENERATORS[name](rng, places, n, done + 1, start, end)
            table = table.append_column(SYNTHETIC_COLUMN, pa.array(["1"] * table.num_rows, pa.string()))
            _write(table, path, state, fmt)
            done += n
            if progress:
                progress(f"{name}: {done:,} of {total:,} rows", done / total)
        state["w"].close()
        written[name] = path
    marker = out / "synthetic.json"
    existing = json.loads(marker.read_text())["files"] if marker.exists() else {}
    existing.update({p.name: sha256_of(p) for p in written.values()})
    marker.write_text(json.dumps({"generator": "seastat synth", "seed": seed, "start": start.isoformat(),
                                  "end": end.isoformat(), "files": existing}, indent=2, sort_keys=True))
    return written
