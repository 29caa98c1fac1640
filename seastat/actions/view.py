"""What the Follow-up page shows, Streamlit-free: the choices its pickers offer, its tables, and
free text made safe to show (commitments are stored as plain text and shown as plain text)."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ..config import PRECINCTS
from .check import Known, place_label, target_label
from .db import FIELD_LABELS, FieldChange, Record
from .outcome import IMPROVED, NO_CHANGE, NOT_ENOUGH, WORSE, Result

# Every character Markdown (and Streamlit's Markdown directives) could read as syntax.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=])")


def plain(text: str) -> str:
    """Text for st.markdown that shows exactly as typed: every Markdown character escaped, line
    breaks kept. (Markup is refused on input; this keeps *stars*, [brackets] and links literal.)"""
    return "  \n".join(_MARKDOWN.sub(r"\\\1", line) for line in (text or "").split("\n"))


def place_options(known: Known) -> list[str]:
    """'level:value' for every precinct, sector and beat, in the meeting's order."""
    def precinct_first(value: str, level: str) -> tuple:
        p = value if level == "precinct" else known.precinct_of(level, value)
        return (PRECINCTS.index(p) if p in PRECINCTS else len(PRECINCTS), level != "precinct", value)

    out = [f"precinct:{p}" for p in sorted(known.precincts, key=lambda p: precinct_first(p, "precinct"))]
    out += [f"sector:{s}" for s in sorted(known.sectors, key=lambda s: precinct_first(s, "sector"))]
    out += [f"beat:{b}" for b in sorted(known.beats, key=lambda b: precinct_first(b, "beat"))]
    return out


def option_label(option: str) -> str:
    level, _, value = option.partition(":")
    return place_label(level, value)


def comparison_option_label(option: str) -> str:
    """'' is the default comparison, 'city:' the rest of the city, else a place option."""
    return "The rest of its precinct" if not option else \
        ("The rest of the city" if option == "city:" else option_label(option))


def target_options(known: Known) -> list[str]:
    """'dataset:target' for every target of every dataset with rows."""
    return [f"{dataset}:{t}" for dataset, targets in known.targets.items() for t in targets]


def target_option_label(option: str) -> str:
    dataset, _, target = option.partition(":")
    return target_label(dataset, target)


def split(option: str) -> tuple[str, str]:
    a, _, b = option.partition(":")
    return a, b


def open_table(records: list[Record]) -> pd.DataFrame:
    return pd.DataFrame([{"#": r.id, "Status": r.status, "Due": r.due_date, "Place": r.place,
                          "Target": r.target_label, "Owner": r.owner, "What": r.what, "Note": r.status_note,
                          "Version": r.version} for r in records],
                        columns=["#", "Status", "Due", "Place", "Target", "Owner", "What", "Note", "Version"])


def history_table(changes: list[FieldChange]) -> pd.DataFrame:
    """The change history, newest first: one row per field changed (creation shows the values set)."""
    df = pd.DataFrame([{"#": c.commitment_id, "Version": c.version, "When (UTC)": c.changed_at, "Who": c.changed_by,
                        "Field": FIELD_LABELS.get(c.field, c.field),
                        "Change": "created" if c.old is None else "changed", "Old": c.old or "", "New": c.new or ""}
                       for c in changes],
                      columns=["#", "Version", "When (UTC)", "Who", "Field", "Change", "Old", "New"])
    return df.sort_values(["When (UTC)", "#", "Version"], ascending=[False, True, False], kind="stable").reset_index(drop=True)


def next_due(start: dt.date, period_days: int) -> dt.date:
    """The default due-back date: one meeting (period) after the start."""
    return start + dt.timedelta(days=period_days)


# The verdict as the room reads it at a glance (the full sentence is on the Follow-up page).
VERDICTS = {IMPROVED: "▼ Improvement", WORSE: "▲ Worse", NO_CHANGE: "No detectable change",
            NOT_ENOUGH: "Not enough data"}


def due_line(record: Record, result: Result) -> str:
    """One Markdown line for a commitment due back: its verdict, then what, where and who."""
    what = " ".join(record.what.split())
    return (f"**{VERDICTS[result.verdict]}** · #{record.id} {plain(record.place)} · {plain(record.target_label)} · "
            f"{plain(record.owner)}: {plain(what)}")
