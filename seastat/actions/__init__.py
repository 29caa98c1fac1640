"""Commitments made at the meeting, followed up at the next one (CompStat's fourth principle).

- `Actions.open(url)`: the commitments database (SQLAlchemy 2, Alembic migrations run on open);
  `add`, `get`, `list`, `update` (optimistic locking: a `StaleCommitment` carries the other change),
  `history`. Bad input is an `ActionError` with a one-line message.
- `Known.from_store(store, settings)`: the places and targets a commitment may name.
- `result(store, record, known, settings)`: before / since the start against a comparison area, a
  difference-in-differences with the trends page's exact Poisson test; `before_after_chart`.
- `database_url(settings)`: where the database is ([actions] database_url, SEASTAT_DATABASE_URL).
"""
from __future__ import annotations

from ..config import Settings
from .check import ActionError, Known, place_label, target_label
from .db import FIELDS, Actions, Draft, FieldChange, Record, StaleCommitment, change_in_words, downgrade, revision, upgrade
from .model import COMPARISON_LEVELS, PLACE_LEVELS, STATUSES
from .result import (IMPROVED, NO_CHANGE, NOT_ENOUGH, WORSE, Counts, Result, before_after_chart, did_test, judge,
                     result, results_table)


def database_url(settings: Settings) -> str:
    return settings.database_url


def open_for(settings: Settings) -> Actions:
    """The commitments database the settings name (migrated to the newest schema)."""
    return Actions.open(settings.database_url)


def due_back(actions: Actions, on_or_before) -> list[Record]:
    """Open commitments due back at a meeting on or before this day: the packet's follow-up section."""
    return actions.list(status="open", due_by=on_or_before)


__all__ = ["ActionError", "Actions", "COMPARISON_LEVELS", "Counts", "Draft", "FIELDS", "FieldChange", "IMPROVED",
           "Known", "NOT_ENOUGH", "NO_CHANGE", "PLACE_LEVELS", "Record", "Result", "STATUSES", "StaleCommitment",
           "WORSE", "before_after_chart", "change_in_words", "database_url", "did_test", "downgrade", "due_back",
           "judge", "open_for", "place_label", "result", "results_table", "revision", "target_label", "upgrade"]
