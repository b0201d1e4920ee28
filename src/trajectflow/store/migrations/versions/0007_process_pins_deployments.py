"""process versions pinned per municipality; the log of deployments (who deployed which versions)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 10:48:58.648942
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import trajectflow.store.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deployments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("deployed_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
    )
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deployments_deployed_at"), ["deployed_at"], unique=False)

    op.create_table(
        "process_pins",
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pinned_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("pinned_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("process_id", "municipality", name=op.f("pk_process_pins")),
    )


def downgrade() -> None:
    op.drop_table("process_pins")
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployments_deployed_at"))

    op.drop_table("deployments")
