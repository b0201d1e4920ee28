"""scheduler heartbeats

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:53:07.260218
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import trajectflow.store.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_heartbeats",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("beat_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_heartbeats")
