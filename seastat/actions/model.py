"""The commitments database's tables as a typed SQLAlchemy 2 ORM. The schema itself is made by the
Alembic migrations in seastat/migrations (run on open); this module must describe the same tables.

Times are naive UTC on both SQLite and PostgreSQL (SQLite keeps no time zone, so one convention
everywhere). Nothing is ever deleted: a commitment that is given up gets the status "dropped", and
every change is a row of `commitment_changes`.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .names import COMPARISON_LEVELS, PLACE_LEVELS, STATUSES  # noqa: F401  (re-exported)


class Base(DeclarativeBase):
    pass


class Commitment(Base):
    """One action item recorded at a meeting."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))                 # unit or partner agency
    place_level: Mapped[str] = mapped_column(String(16))            # PLACE_LEVELS
    place_value: Mapped[str] = mapped_column(String(200))           # as the store spells it
    # The comparison area; None = the rest of the place's precinct (the rest of the city for a precinct).
    comparison_level: Mapped[str | None] = mapped_column(String(16))
    comparison_value: Mapped[str | None] = mapped_column(String(200))
    dataset: Mapped[str] = mapped_column(String(32))                # crime, calls, use_of_force
    target: Mapped[str] = mapped_column(String(200))                # offense group/type, call type, level, "all"
    start_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)                 # the meeting it is due back at
    measure: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))                 # STATUSES
    status_note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Optimistic locking: every UPDATE says "WHERE version = <the version I read>" and bumps it.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class CommitmentChange(Base):
    """One field of one change: who, when, which version it made, old -> new (text as stored)."""

    __tablename__ = "commitment_changes"
    __table_args__ = (UniqueConstraint("commitment_id", "version", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)                   # the version this change produced
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)             # None when the commitment was created
    new_value: Mapped[str | None] = mapped_column(Text)
