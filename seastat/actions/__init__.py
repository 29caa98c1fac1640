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

import importlib

# Loaded on first use (PEP 562), so `seastat publish` and friends do not pay for SQLAlchemy,
# Alembic and SciPy at start-up just because the `actions` command exists.
_WHERE = {
    **dict.fromkeys(["ActionError", "Known", "place_label", "target_label"], "check"),
    **dict.fromkeys(["FIELDS", "Actions", "Draft", "FieldChange", "Record", "StaleCommitment", "change_in_words",
                     "downgrade", "revision", "upgrade"], "db"),
    **dict.fromkeys(["COMPARISON_LEVELS", "PLACE_LEVELS", "STATUSES"], "names"),
    **dict.fromkeys(["IMPROVED", "NO_CHANGE", "NOT_ENOUGH", "WORSE", "Counts", "Result", "before_after_chart",
                     "did_test", "judge", "result", "results_table", "chart_frame", "followup_section"], "outcome"),
}
__all__ = sorted([*_WHERE, "database_url", "due_back", "open_for"])


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def database_url(settings) -> str:
    """[actions] database_url, SEASTAT_DATABASE_URL, or actions.sqlite beside the store."""
    return settings.database_url


def open_for(settings):
    """The commitments database the settings name (migrated to the newest schema)."""
    from .db import Actions
    return Actions.open(settings.database_url)


def due_back(actions, on_or_before):
    """Open commitments due back at a meeting on or before this day: the packet's follow-up section."""
    return actions.list(status="open", due_by=on_or_before)
