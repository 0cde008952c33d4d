"""Batches (`mlj grade --server`): a batches table, and each submission's batch, name in it and seed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_batches_user_id", "batches", ["user_id"])
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("label", sa.String(255), nullable=True))
        batch.add_column(sa.Column("seed", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_submissions_batch_id", "batches", ["batch_id"], ["id"])
        batch.create_index("ix_submissions_batch_id", ["batch_id"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_batch_id")
        batch.drop_constraint("fk_submissions_batch_id", type_="foreignkey")
        for column in ("seed", "label", "batch_id"):
            batch.drop_column(column)
    op.drop_index("ix_batches_user_id", "batches")
    op.drop_table("batches")
