"""Commitments and their change history.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("place_level", sa.String(16), nullable=False),
        sa.Column("place_value", sa.String(200), nullable=False),
        sa.Column("comparison_level", sa.String(16), nullable=True),
        sa.Column("comparison_value", sa.String(200), nullable=True),
        sa.Column("dataset", sa.String(32), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("measure", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_note", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint("status IN ('open', 'done', 'dropped')", name="ck_commitments_status"),
        sa.CheckConstraint("due_date >= start_date", name="ck_commitments_due_after_start"),
    )
    op.create_table(
        "commitment_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commitment_id", sa.Integer, sa.ForeignKey("commitments.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.Text, nullable=True),
        sa.Column("new_value", sa.Text, nullable=True),
        sa.UniqueConstraint("commitment_id", "version", "field",
                            name="uq_commitment_changes_commitment_id_version_field"),
    )
    op.create_index("ix_commitment_changes_commitment_id", "commitment_changes", ["commitment_id"])
    op.create_index("ix_commitments_status_due", "commitments", ["status", "due_date"])


def downgrade() -> None:
    op.drop_index("ix_commitments_status_due", table_name="commitments")
    op.drop_index("ix_commitment_changes_commitment_id", table_name="commitment_changes")
    op.drop_table("commitment_changes")
    op.drop_table("commitments")
