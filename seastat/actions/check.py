"""What a commitment may say, checked before anything is written: plain text of sensible length,
a place and a target the published store knows, a due date on or after the start. Every problem
is an ActionError with a one-line message for the person who typed it."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from ..config import PRECINCTS, Settings
from .model import COMPARISON_LEVELS, PLACE_LEVELS, STATUSES


class ActionError(ValueError):
    """Input a person can fix; the message is one line and says what to change."""


# Longest text each field keeps (a 100,000-character paste is refused, never truncated silently).
LIMITS = {"what": 2_000, "owner": 200, "measure": 1_000, "status_note": 2_000, "by": 100,
          "place_value": 200, "comparison_value": 200, "target": 200}
LABELS = {"what": "What", "owner": "Owner", "measure": "Measure", "status_note": "Note", "by": "Your name",
          "place_value": "Place", "comparison_value": "Comparison place", "target": "Target"}
LEVEL_LABELS = {"city": "City", "precinct": "Precinct", "sector": "Sector", "beat": "Beat", "block": "Block"}
DATASET_LABELS = {"crime": "Crime", "calls": "911 calls", "use_of_force": "Use of force"}
# Tags, comments, doctypes: '<' followed by a letter, '/', '!' or '?'. "x < 5" stays allowed.
MARKUP = re.compile(r"<\s*[/!?]?\s*[A-Za-z!?]")
# Control characters (a NUL cannot even be stored by PostgreSQL) and bidi overrides that reorder text.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _shown(value: str, limit: int = 40) -> str:
    value = " ".join(value.split())   # messages stay on one line
    return value if len(value) <= limit else value[:limit] + "…"


def text(name: str, value, *, required: bool = True) -> str:
    """A free-text field as stored: stripped plain text, Unix newlines."""
    label = LABELS.get(name, name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ActionError(f"{label} must be text")
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        raise ActionError(f"{label} is empty: please fill it in")
    limit = LIMITS.get(name, 2_000)
    if len(value) > limit:
        raise ActionError(f"{label} is {len(value):,} characters long; at most {limit:,} are kept")
    if CONTROL.search(value):
        raise ActionError(f"{label} contains control characters; use plain text")
    markup = MARKUP.search(value)
    if markup:
        raise ActionError(f"{label} contains markup (“{_shown(value[markup.start():], 20)}”): "
                          "write plain text only, without < > tags")
    if name not in ("what", "measure", "status_note") and "\n" in value:
        raise ActionError(f"{label} must be on one line")
    return value


def date(name: str, value) -> dt.date:
    label = {"start_date": "Start date", "due_date": "Due date"}.get(name, name)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ActionError(f"{label} “{_shown(value)}” is not a date (YYYY-MM-DD)") from None
    if not isinstance(value, dt.date):
        raise ActionError(f"{label} is missing")
    if not dt.date(2008, 1, 1) <= value <= dt.date(2100, 1, 1):
        raise ActionError(f"{label} {value} is outside 2008 – 2100")
    return value


def status(value) -> str:
    if value not in STATUSES:
        raise ActionError(f"status “{_shown(str(value))}” is not one of {', '.join(STATUSES)}")
    return value


@dataclass(frozen=True)
class Known:
    """The places and targets of the published store a commitment may name, and which precinct
    each sector, beat and 100-block lies in (for the default comparison area)."""

    precincts: frozenset[str] = frozenset(PRECINCTS)
    sectors: dict[str, str] = field(default_factory=dict)        # sector -> precinct
    beats: dict[str, str] = field(default_factory=dict)          # beat -> precinct
    blocks: dict[str, str] = field(default_factory=dict)         # 100-block -> precinct
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)   # dataset -> targets, "all" first

    @classmethod
    def from_areas(cls, areas: pd.DataFrame, targets: dict[str, tuple[str, ...]],
                   blocks: pd.DataFrame | None = None) -> "Known":
        """areas: precinct, sector, beat rows (queries/areas.sql); blocks: block_address, precinct
        (queries/actions/blocks.sql). UNKNOWN, OOJ and blank areas are not places to commit to."""
        areas = areas[areas["precinct"].isin(PRECINCTS)]

        def main_precinct(df: pd.DataFrame, key: str) -> dict[str, str]:
            df = df[~df[key].isin(["", "UNKNOWN"]) & df[key].notna()]
            weight = df["incidents"] if "incidents" in df else 1
            top = (df.assign(w=weight).groupby([key, "precinct"], as_index=False)["w"].sum()
                   .sort_values("w", ascending=False).drop_duplicates(key))
            return dict(zip(top[key], top["precinct"]))

        return cls(
            precincts=frozenset(areas["precinct"]),
            sectors=main_precinct(areas, "sector"),
            beats=main_precinct(areas, "beat"),
            blocks={} if blocks is None else main_precinct(
                blocks[blocks["precinct"].isin(PRECINCTS)].rename(columns={"block_address": "block"}), "block"),
            targets=targets,
        )

    @classmethod
    def from_store(cls, store, settings: Settings) -> "Known":
        """Every place and target in the store's published datasets."""
        areas = pd.concat([store.df("areas", dataset=d) for d in store.datasets], ignore_index=True)
        if areas.empty:
            areas = pd.DataFrame(columns=["precinct", "sector", "beat", "incidents"])
        offered = store.df("actions/targets")
        targets = {}
        for dataset in store.datasets:
            present = sorted(offered.loc[offered["dataset"] == dataset, "target"])
            if dataset == "crime":
                present = [*settings.offense_groups, *[t for t in present if t != "other"]]
            targets[dataset] = ("all", *dict.fromkeys(present))
        return cls.from_areas(areas, targets, store.df("actions/blocks"))

    def place(self, level, value, *, what: str = "place") -> tuple[str, str]:
        """(level, value) spelled as the store spells it, or an ActionError naming the problem."""
        levels = PLACE_LEVELS if what == "place" else COMPARISON_LEVELS
        if level not in levels:
            raise ActionError(f"{what} level “{_shown(str(level))}” is not one of {', '.join(levels)}")
        if level == "city":
            return "city", ""
        value = text("place_value" if what == "place" else "comparison_value", value)
        if level == "precinct":
            spelled = {p.lower(): p for p in self.precincts}.get(value.lower())
        else:
            value = " ".join(value.upper().split())
            spelled = value if value in self.of_level(level) else None
        if spelled is None:
            known = self.of_level(level)
            hint = f" (e.g. {', '.join(sorted(known)[:5])})" if level != "block" and known else ""
            raise ActionError(f"unknown {level} “{_shown(value)}”: it is not in the published store{hint}")
        return level, spelled

    def of_level(self, level: str):
        return {"precinct": self.precincts, "sector": self.sectors, "beat": self.beats,
                "block": self.blocks}.get(level, ())

    def precinct_of(self, level: str, value: str) -> str | None:
        if level == "precinct":
            return value
        return {"sector": self.sectors, "beat": self.beats, "block": self.blocks}.get(level, {}).get(value)

    def target(self, dataset, target) -> tuple[str, str]:
        if dataset not in self.targets:
            choices = ", ".join(self.targets) or "none"
            raise ActionError(f"dataset “{_shown(str(dataset))}” has no published rows (choose from {choices})")
        target = text("target", target)
        spelled = {t.lower(): t for t in self.targets[dataset]}.get(target.lower())
        if spelled is None:
            raise ActionError(f"unknown target “{_shown(target)}” for {DATASET_LABELS.get(dataset, dataset)} "
                              f"(e.g. {', '.join(self.targets[dataset][:6])})")
        return dataset, spelled


def place_label(level: str | None, value: str | None) -> str:
    if not level:
        return ""
    if level == "city":
        return "City-wide"
    if level == "precinct":
        return f"{value} precinct"
    return f"{LEVEL_LABELS[level]} {value}"


def target_label(dataset: str, target: str) -> str:
    if target == "all":
        return {"crime": "All offenses", "calls": "All 911 calls", "use_of_force": "All uses of force"}[dataset]
    if dataset == "crime":
        pretty = target.replace("_", " ")
        return f"{pretty.capitalize()} crime" if target in ("violent", "property") else pretty.capitalize()
    if dataset == "use_of_force":
        return f"Use of force: {target}"
    return f"911 calls: {target}"
