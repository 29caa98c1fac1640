"""The SPD exports SeaStat reads: how each is recognised by its header, and the columns it needs.

Headers are matched after normalising (lower case, runs of other characters to "_"), so the
portal's display names ("Offense Start DateTime") and its API names (offense_start_datetime)
are both recognised, as are the renamed columns of newer exports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

SCHEMA_VERSION = 2   # 2: crime.taxonomy, crime/calls.beat_derived


def normalise_header(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lstrip("\ufeff").lower()).strip("_")


@dataclass(frozen=True)
class Dataset:
    name: str                 # store folder and DuckDB view name
    title: str
    id_column: str
    # staging column -> accepted source headers (normalised), first match wins
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    # a file holding all of any one of these normalised header sets is this dataset
    signature: tuple[frozenset[str], ...]
    # normalised header -> layout name, for the manifest
    layouts: dict[str, str] = field(default_factory=dict)
    default_layout: str = ""
    taxonomy: str = ""        # crime: the offense definitions its rows are counted under (NIBRS or UCR)


CRIME = Dataset(
    name="crime",
    title="Crime reports (SPD Crime Data: 2008-Present)",
    id_column="offense_id",
    columns={
        "report_number": ("report_number",),
        "offense_id": ("offense_id",),
        "offense_start": ("offense_start_datetime", "offense_date"),
        "offense_start_time": (),   # the older layout's HHMM times, beside its dates
        "offense_end": ("offense_end_datetime",),
        "report_at": ("report_datetime",),
        "report_time": (),
        "group_a_b": ("group_a_b", "nibrs_group_ab"),
        "crime_against": ("crime_against_category", "nibrs_crime_against_category"),
        "offense_parent_group": ("offense_parent_group", "offense_sub_category"),
        "offense": ("offense", "nibrs_offense_code_description"),
        "offense_code": ("offense_code", "nibrs_offense_code"),
        "precinct": ("precinct",),
        "sector": ("sector",),
        "beat": ("beat",),
        "mcpp": ("mcpp", "mcpp_neighborhood", "neighborhood"),
        "block_address": ("100_block_address", "block_address", "blurred_address"),
        "longitude": ("longitude", "blurred_longitude"),
        "latitude": ("latitude", "blurred_latitude"),
    },
    # Only the id and the time are indispensable: a file missing anything else publishes what it has.
    required=("offense_id", "offense_start"),
    signature=tuple(frozenset({c}) for c in ("offense_id", "offense_start_datetime", "offense_date",
                                             "offense_parent_group", "nibrs_offense_code")),
    layouts={"offense_date": "2025 NIBRS export", "offense_start_datetime": "2008-present export"},
    taxonomy="NIBRS",
)

# The retired "Crime Data" dataset (2008 - 2019): one row per report, UCR subcategories, no location.
# It stages into the crime columns: its report number is the row's id.
CRIME_UCR = replace(
    CRIME,
    title="Crime reports (older Crime Data layout, UCR)",
    columns={c: () for c in CRIME.columns} | {
        "offense_id": ("report_number",),
        "offense_start": ("occurred_date",),
        "offense_start_time": ("occurred_time",),
        "report_at": ("reported_date",),
        "report_time": ("reported_time",),
        "offense_parent_group": ("crime_subcategory",),
        "offense": ("primary_offense_description",),
        "precinct": ("precinct",),
        "sector": ("sector",),
        "beat": ("beat",),
        "mcpp": ("neighborhood",),
    },
    signature=(frozenset({"crime_subcategory"}), frozenset({"occurred_date", "report_number"})),
    layouts={},
    default_layout="older Crime Data layout (UCR, 2008-2019)",
    taxonomy="UCR",
)

CALLS = Dataset(
    name="calls",
    title="911 calls for service (Call Data)",
    id_column="cad_event_number",
    columns={
        "cad_event_number": ("cad_event_number",),
        "event_clearance": ("event_clearance_description", "cad_event_clearance_description"),
        "call_type": ("call_type",),
        "priority": ("priority",),
        "initial_call_type": ("initial_call_type", "initial_type_description"),
        "final_call_type": ("final_call_type", "event_clearance_group"),
        "queued_at": ("original_time_queued", "cad_event_original_time_queued", "event_clearance_date"),
        "arrived_at": ("arrived_time", "cad_event_arrived_time", "at_scene_time"),
        "precinct": ("precinct", "dispatch_precinct"),
        "sector": ("sector", "dispatch_sector", "district_sector"),
        "beat": ("beat", "dispatch_beat", "zone_beat"),
        "block_address": ("hundred_block_location", "dispatch_address", "block_address"),
        "longitude": ("longitude", "dispatch_longitude", "blurred_longitude"),
        "latitude": ("latitude", "dispatch_latitude", "blurred_latitude"),
    },
    required=("cad_event_number", "queued_at"),
    signature=tuple(frozenset({c}) for c in ("cad_event_number", "original_time_queued",
                                             "cad_event_original_time_queued", "event_clearance_date")),
    layouts={"event_clearance_date": "older 911 Incident Response layout"},
    default_layout="Call Data export",
)

USE_OF_FORCE = Dataset(
    name="use_of_force",
    title="Use of force",
    id_column="uof_id",
    columns={
        "uof_id": ("id", "uniqueid", "unique_id"),
        "incident_num": ("incident_num",),
        "incident_type": ("incident_type",),
        "occurred_at": ("occured_date_time", "occurred_date_time"),
        "precinct": ("precinct",),
        "sector": ("sector",),
        "beat": ("beat",),
        "subject_race": ("subject_race",),
        "subject_gender": ("subject_gender",),
    },
    required=("uof_id", "occurred_at"),
    signature=tuple(frozenset({c}) for c in ("incident_num", "incident_type", "occured_date_time",
                                             "occurred_date_time")),
    default_layout="Use of Force export",
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (CRIME, CALLS, USE_OF_FORCE)}
LAYOUTS = (CRIME_UCR, CRIME, CALLS, USE_OF_FORCE)   # tried in this order; the older crime layout first


@dataclass(frozen=True)
class Facts:
    """What the pages, the packet and the sentences need to know of a dataset, decided here once."""
    label: str                 # its short name on screens and in exports
    noun: str                  # what it counts, for sentences ("offenses")
    all_label: str             # the offense row that adds everything up
    has_coordinates: bool      # can be mapped (use of force carries no place finer than a beat)
    has_offense_groups: bool   # counted by the CompStat offense groups of config.toml
    row_label: str             # what its offense rows are called on screen


FACTS: dict[str, Facts] = {
    "crime": Facts("Crime reports", "offenses", "All offenses", True, True, "Offense groups"),
    "calls": Facts("911 calls for service", "calls for service", "All calls", True, False, "Calls"),
    "use_of_force": Facts("Use of force", "uses of force", "All uses of force", False, False, "Incident types"),
}


class SourceError(Exception):
    """A source file SeaStat cannot use; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class Layout:
    dataset: Dataset
    name: str
    # source column position -> staging column; unmatched source columns are not read into the store
    picks: dict[int, str]

    @property
    def missing(self) -> list[str]:
        return [c for c, aliases in self.dataset.columns.items() if aliases and c not in self.picks.values()]


def recognise(header: list[str], filename: str) -> Layout:
    """Which dataset a header belongs to, and where each needed column sits in it."""
    norm = [normalise_header(h) for h in header]
    present = set(norm)
    for dataset in LAYOUTS:
        if not any(sig <= present for sig in dataset.signature):
            continue
        picks: dict[int, str] = {}
        for column, aliases in dataset.columns.items():
            for alias in aliases:
                if alias in present:
                    picks[norm.index(alias)] = column
                    break
        missing = [c for c in dataset.required if c not in picks.values()]
        if missing:
            wanted = ", ".join(f"{c} (one of: {' / '.join(dataset.columns[c])})" for c in missing)
            raise SourceError(f"{filename}: {dataset.title} export is missing required column(s): {wanted}")
        layout = next((name for col, name in dataset.layouts.items() if col in present), dataset.default_layout)
        return Layout(dataset, layout or dataset.title, picks)
    shown = ", ".join(header[:8]) + (" ..." if len(header) > 8 else "")
    raise SourceError(f"{filename}: not a recognised SPD export (header: {shown or 'empty'})")
