"""Reading a published manifest for the pages, the packet and the CLI (no Streamlit, no DuckDB).

`revisions_text` says in words what changed at the last publish of a dataset; `covered` answers
whether the published exports cover a window, offense type and area, so a page can show "—"
("not covered by the published exports") instead of a count of 0.
"""
from __future__ import annotations

import datetime as dt

# What one row of a dataset is called in a sentence (singular, plural).
ROW_WORDS = {"crime": ("report", "reports"), "calls": ("call", "calls"),
             "use_of_force": ("use of force", "uses of force")}
DAY = dt.timedelta(days=1)


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def revisions_text(info: dict, dataset: str = "crime") -> str:
    """One sentence for a dataset's entry in the manifest (manifest["datasets"][dataset]), e.g.
    "since Nov 18: 212 new reports, 14 re-classified, 9 late reports in earlier periods".
    An empty string when there was nothing to compare with (the dataset's first publish)."""
    rev = info.get("revisions")
    if not rev:
        return ""
    one, many = ROW_WORDS.get(dataset, ("row", "rows"))
    parts = [_n(rev["added"], f"new {one}", f"new {many}")]
    if rev["removed"]:
        parts.append(f"{rev['removed']:,} removed")
    if rev["recoded"]:
        parts.append(f"{rev['recoded']:,} re-classified")
    if rev["late"]:
        parts.append(_n(rev["late"], f"late {one}", f"late {many}") + " in earlier periods")
    when = rev.get("previous_published_at")
    day = dt.datetime.fromisoformat(when) if when else None
    return (f"since {day:%b} {day.day}" if day else "since the last publish") + ": " + ", ".join(parts)


def covered(manifest: dict, dataset: str, start: dt.date, end: dt.date, offense_type: str | None = None,
            precinct: str | None = None, beat: str | None = None) -> bool:
    """Is the window [start, end) of `dataset` covered by the published exports, for one offense type
    (crime; None: all offenses) and one precinct or beat (None: the city)?

    A source counts when the slice is inside what it holds (the coverage `seastat publish` records per
    source): an export filtered by offense covers only its offense types, so no "all offenses"
    window; one filtered by area covers only its whole precincts and the beats it holds, so no city
    window. The window must then lie inside the union of those sources' day spans (from .. to,
    inclusive). A dataset with no published rows covers nothing."""
    info = manifest.get("datasets", {}).get(dataset)
    if not info or not info.get("rows_published"):
        return False
    spans = []
    for source in info.get("sources", []):
        c = source.get("coverage") or {}
        if not c.get("from"):
            continue
        if c.get("filtered_by_offense") and (offense_type is None or offense_type not in c["offense_types"]):
            continue
        if c.get("filtered_by_area") and not (
                (beat is not None and beat in c["beats"])
                or (beat is None and precinct is not None and precinct in c["whole_precincts"])):
            continue
        spans.append((dt.date.fromisoformat(c["from"]), dt.date.fromisoformat(c["to"]) + DAY))
    reach_start = reach_end = None   # merge the spans in order; the window must fit in one run of them
    for first, after in sorted(spans):
        if reach_end is None or first > reach_end:
            reach_start, reach_end = first, after
        else:
            reach_end = max(reach_end, after)
        if reach_start <= start and end <= reach_end:
            return True
    return False


def coverage_spans(manifest: dict, dataset: str) -> list[dict]:
    """One entry per source of a dataset, for a timeline (one bar per source): file, from, to (ISO
    dates, inclusive), taxonomy, filtered (by offense and/or area) and what it then holds."""
    info = manifest.get("datasets", {}).get(dataset) or {}
    out = []
    for source in info.get("sources", []):
        c = source.get("coverage") or {}
        if c.get("from"):
            out.append({"file": source["file"], "from": c["from"], "to": c["to"], "taxonomy": source.get("taxonomy"),
                        "filtered_by_offense": c["filtered_by_offense"], "filtered_by_area": c["filtered_by_area"],
                        "offense_types": c["offense_types"], "whole_precincts": c["whole_precincts"],
                        "beats": c["beats"]})
    return out
