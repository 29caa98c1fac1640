"""The commitments database: open (and migrate), add, list, update with optimistic locking, and
the change history. SQLite in a file beside the store by default, PostgreSQL when configured.

Nothing is overwritten without trace: every field a change touches is a history row (who, when,
old -> new, the version it made), written in the same transaction as the change, and there is no
delete ("dropped" is a status). Two people editing one commitment never lose an update: an update
names the version its author saw; if the commitment has moved on since, nothing is written and the
author gets a StaleCommitment carrying the other writer's changes. The check is made twice: once
on reading (the common case, a form open while someone else saved) and again by the database
itself, since every UPDATE says `WHERE version = <seen>` (SQLAlchemy's version_id_col), which
catches a writer that slipped in between our read and our write (PostgreSQL, read committed).
On SQLite every transaction starts with BEGIN IMMEDIATE, so writers queue instead of failing with
"database is locked" half-way.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from . import check
from .check import ActionError, Known
from .model import Commitment, CommitmentChange

# Fields a person writes; the rest (id, who/when, version) the database keeps.
FIELDS = ("what", "owner", "place_level", "place_value", "comparison_level", "comparison_value",
          "dataset", "target", "start_date", "due_date", "measure", "status", "status_note")
FIELD_LABELS = {"what": "what", "owner": "owner", "place_level": "place level", "place_value": "place",
                "comparison_level": "comparison level", "comparison_value": "comparison place",
                "dataset": "dataset", "target": "target", "start_date": "start", "due_date": "due",
                "measure": "measure", "status": "status", "status_note": "note"}
HEAD = "head"


class StaleCommitment(ActionError):
    """Someone else saved the commitment after you opened it; your change was not written.
    `theirs` lists the other writer's changes (FieldChange rows), `current` the commitment now."""

    def __init__(self, current: "Record", seen_version: int, theirs: list["FieldChange"]):
        self.current, self.seen_version, self.theirs = current, seen_version, theirs
        super().__init__(stale_message(current, theirs))


@dataclass(frozen=True)
class Draft:
    """A new commitment as typed; checked by Actions.add."""
    what: str
    owner: str
    place_level: str
    place_value: str
    dataset: str
    target: str
    start_date: dt.date
    due_date: dt.date
    measure: str
    comparison_level: str | None = None      # None: the rest of the place's precinct
    comparison_value: str | None = None


@dataclass(frozen=True)
class Record:
    """A commitment as stored (plain text: show it escaped)."""
    id: int
    what: str
    owner: str
    place_level: str
    place_value: str
    comparison_level: str | None
    comparison_value: str | None
    dataset: str
    target: str
    start_date: dt.date
    due_date: dt.date
    measure: str
    status: str
    status_note: str
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    version: int

    @property
    def place(self) -> str:
        return check.place_label(self.place_level, self.place_value)

    @property
    def comparison(self) -> str:
        """The chosen comparison area, '' for the default (the rest of the place's precinct)."""
        return check.place_label(self.comparison_level, self.comparison_value)

    @property
    def target_label(self) -> str:
        return check.target_label(self.dataset, self.target)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class FieldChange:
    """One field of one change (old is None when the commitment was created)."""
    commitment_id: int
    version: int
    changed_by: str
    changed_at: dt.datetime
    field: str
    old: str | None
    new: str | None


def _text(value) -> str:
    """A field's value as the history keeps it."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _short(value: str | None, limit: int = 60) -> str:
    value = (value or "").replace("\n", " ")
    return f"“{value if len(value) <= limit else value[:limit] + '…'}”"


def change_in_words(changes: Iterable[FieldChange]) -> str:
    """'status “open” → “done”; note “” → “ended”' (one line)."""
    return "; ".join(f"{FIELD_LABELS.get(c.field, c.field)} {_short(c.old)} → {_short(c.new)}" for c in changes)


def stale_message(current: Record, theirs: list[FieldChange]) -> str:
    who = sorted({c.changed_by for c in theirs}) or [current.updated_by]
    when = max((c.changed_at for c in theirs), default=current.updated_at)
    return (f"commitment #{current.id} was changed by {', '.join(who)} at {when:%Y-%m-%d %H:%M} UTC while you "
            f"were editing it ({change_in_words(theirs) or 'no field changed'}); your change was not saved: "
            f"look at the current version ({current.version}) and make your change again")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)   # naive UTC, see model.py


def _record(row: Commitment) -> Record:
    return Record(**{f.name: getattr(row, f.name) for f in dataclasses.fields(Record)})


def _change(row: CommitmentChange) -> FieldChange:
    return FieldChange(row.commitment_id, row.version, row.changed_by, row.changed_at, row.field,
                       row.old_value, row.new_value)


# --- Engines and migrations -------------------------------------------------------------------

def engine_for(url: str) -> Engine:
    """An engine on `url` (sqlite:///path or postgresql://...), set up for safe concurrent writes."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ActionError(f"the commitments database URL is not a database URL: {url[:60]!r}") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":   # the psycopg 3 driver SeaStat installs, not psycopg2
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    if backend != "sqlite":
        raise ActionError(f"commitments database: {backend} is not supported; use sqlite:///... or postgresql://...")
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": 30})   # wait up to 30 s for another writer

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None   # SQLAlchemy emits BEGIN itself (below)

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        # Take the write lock at BEGIN: a reader that later writes cannot deadlock another writer.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _alembic(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "seastat:migrations")   # shipped inside the package
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":   # two processes opening at once: one migrates
            connection.scalar(select(func.pg_advisory_xact_lock(0x5EA57A7)))
        command.upgrade(_alembic(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        command.downgrade(_alembic(connection), revision)


def revision(engine: Engine) -> str | None:
    """The migration the database is at (None: none applied)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


# --- The repository ----------------------------------------------------------------------------

class Actions:
    """Commitments in one database. Open with `Actions.open(url)`; the schema is migrated to the
    newest revision on open."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Test seam: called after an update passed the version check and before it is written, so a
        # test can land another writer in exactly that gap. Never set in the product.
        self._before_write: Callable[[], None] | None = None

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> "Actions":
        engine = engine_for(url)
        try:
            if migrate:
                upgrade(engine)
        except (DBAPIError, SQLAlchemyError, OSError) as exc:
            engine.dispose()
            first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ActionError(f"cannot open the commitments database {_safe(url)}: {first}") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def _session(self) -> Session:
        return self._sessions()

    # -- reading --

    def get(self, commitment_id: int) -> Record:
        with self._session() as s:
            row = s.get(Commitment, commitment_id)
            if row is None:
                raise ActionError(f"there is no commitment #{commitment_id}")
            return _record(row)

    def list(self, *, status: str | None = None, due_by: dt.date | None = None) -> list[Record]:
        """Commitments by due date then id; only one status, or only those due on or before a day."""
        query = select(Commitment).order_by(Commitment.due_date, Commitment.id)
        if status is not None:
            query = query.where(Commitment.status == check.status(status))
        if due_by is not None:
            query = query.where(Commitment.due_date <= due_by)
        with self._session() as s:
            return [_record(r) for r in s.scalars(query)]

    def history(self, commitment_id: int | None = None) -> list[FieldChange]:
        """Every change (of one commitment, or all), oldest first."""
        query = select(CommitmentChange).order_by(CommitmentChange.commitment_id, CommitmentChange.version,
                                                  CommitmentChange.id)
        if commitment_id is not None:
            query = query.where(CommitmentChange.commitment_id == commitment_id)
        with self._session() as s:
            return [_change(r) for r in s.scalars(query)]

    # -- writing --

    def add(self, draft: Draft, *, by: str, known: Known) -> Record:
        values = _checked({f: getattr(draft, f) for f in FIELDS if hasattr(draft, f)}
                          | {"status": "open", "status_note": ""}, known)
        by, now = check.text("by", by), _now()
        with self._session() as s, s.begin():
            row = Commitment(**values, created_by=by, created_at=now, updated_by=by, updated_at=now)
            s.add(row)
            s.flush()   # the id and version 1
            s.add_all(CommitmentChange(commitment_id=row.id, version=row.version, changed_by=by, changed_at=now,
                                       field=f, old_value=None, new_value=_text(values[f])) for f in FIELDS)
            return _record(row)

    def update(self, commitment_id: int, *, version: int, by: str, known: Known, **changes) -> Record:
        """Change some fields of the commitment whose version the author saw was `version`.
        Returns the new record (unchanged, without a new version, when nothing differs); raises
        StaleCommitment when someone else saved it since, ActionError for bad input."""
        unknown = [f for f in changes if f not in FIELDS]
        if unknown:
            raise ActionError(f"cannot change {', '.join(unknown)}; fields are {', '.join(FIELDS)}")
        by = check.text("by", by)
        try:
            with self._session() as s, s.begin():
                row = s.get(Commitment, commitment_id)
                if row is None:
                    raise ActionError(f"there is no commitment #{commitment_id}")
                if row.version != version:
                    raise self._stale(s, row, version)
                before = {f: getattr(row, f) for f in FIELDS}
                after = _checked(before | changes, known, closing=changes.get("status", row.status) != row.status)
                changed = [f for f in FIELDS if _text(after[f]) != _text(before[f])]
                if not changed:
                    return _record(row)
                if self._before_write:
                    self._before_write()
                now = _now()
                for f in changed:
                    setattr(row, f, after[f])
                row.updated_by, row.updated_at = by, now
                s.flush()   # UPDATE ... WHERE version = :seen; 0 rows -> StaleDataError
                s.add_all(CommitmentChange(commitment_id=row.id, version=row.version, changed_by=by, changed_at=now,
                                           field=f, old_value=_text(before[f]), new_value=_text(after[f]))
                          for f in changed)
                return _record(row)
        except StaleDataError:
            with self._session() as s:   # another writer committed between our read and our write
                row = s.get(Commitment, commitment_id)
                raise self._stale(s, row, version) from None

    def _stale(self, s: Session, row: Commitment, seen: int) -> StaleCommitment:
        theirs = s.scalars(select(CommitmentChange)
                           .where(CommitmentChange.commitment_id == row.id, CommitmentChange.version > seen)
                           .order_by(CommitmentChange.version, CommitmentChange.id))
        return StaleCommitment(_record(row), seen, [_change(c) for c in theirs])


def _checked(values: dict, known: Known, *, closing: bool = False) -> dict:
    """Every field checked and spelled as stored; cross-field rules last."""
    out = dict(values)
    for name in ("what", "owner", "measure"):
        out[name] = check.text(name, values.get(name))
    out["status_note"] = check.text("status_note", values.get("status_note"), required=False)
    out["status"] = check.status(values.get("status"))
    if closing and out["status"] in ("done", "dropped") and not out["status_note"]:
        raise ActionError(f"say in the note why the commitment is {out['status']}")
    out["place_level"], out["place_value"] = known.place(values.get("place_level"), values.get("place_value"))
    if values.get("comparison_level") in (None, ""):
        out["comparison_level"] = out["comparison_value"] = None
    else:
        out["comparison_level"], out["comparison_value"] = known.place(
            values.get("comparison_level"), values.get("comparison_value"), what="comparison")
        if (out["comparison_level"], out["comparison_value"]) == (out["place_level"], out["place_value"]):
            raise ActionError("the comparison area is the place itself; choose another, or leave it empty "
                              "for the rest of the precinct")
    out["dataset"], out["target"] = known.target(values.get("dataset"), values.get("target"))
    out["start_date"] = check.date("start_date", values.get("start_date"))
    out["due_date"] = check.date("due_date", values.get("due_date"))
    if out["due_date"] < out["start_date"]:
        raise ActionError(f"the due date {out['due_date']} is before the start {out['start_date']}")
    return out
