"""Rejudges: who asked to grade what again, and each submission's verdict before it.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rejudges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("challenge", sa.String(128), nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=True),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # batch mode: SQLite cannot add a foreign key to an existing table, so Alembic copies it
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("rejudge_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("previous_verdict", sa.String(8), nullable=True))
        batch.add_column(sa.Column("previous_score", sa.Float, nullable=True))
        batch.create_foreign_key("fk_submissions_rejudge_id", "rejudges", ["rejudge_id"], ["id"])
        batch.create_index("ix_submissions_rejudge_id", ["rejudge_id"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_rejudge_id")
        batch.drop_constraint("fk_submissions_rejudge_id", type_="foreignkey")
        batch.drop_column("previous_score")
        batch.drop_column("previous_verdict")
        batch.drop_column("rejudge_id")
    op.drop_table("rejudges")
