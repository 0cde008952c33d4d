"""Scale-out: each submission's attempts and lease, when its id last went to the broker; the workers table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease_worker", sa.String(128), nullable=True))
        batch.add_column(sa.Column("lease_expires", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("queue", sa.String(16), nullable=True))
    op.create_table(
        "workers",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("queues", sa.String(64), nullable=False),
        sa.Column("sandbox", sa.String(16), nullable=False),
        sa.Column("current_submission", sa.Integer, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_heartbeat", sa.DateTime(timezone=True), nullable=False),
        sa.Column("graded", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_workers_last_heartbeat", "workers", ["last_heartbeat"])


def downgrade() -> None:
    op.drop_table("workers")
    with op.batch_alter_table("submissions") as batch:
        for column in ("queue", "dispatched_at", "lease_expires", "lease_worker", "attempts"):
            batch.drop_column(column)
