"""deadlines notifications email outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:56:25.121636
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import trajectflow.store.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.Column("read_at", trajectflow.store.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_notifications_case_id_cases")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_notifications_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("task_id", "kind", "recipient", name="uq_notifications_task_kind_recipient"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_notifications_recipient_read", ["recipient", "read_at"], unique=False)

    op.create_table(
        "outgoing_emails",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("notification_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.Column("sent_at", trajectflow.store.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"], ["notifications.id"], name=op.f("fk_outgoing_emails_notification_id_notifications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_emails")),
    )
    with op.batch_alter_table("outgoing_emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outgoing_emails_notification_id"), ["notification_id"], unique=False)
        batch_op.create_index("ix_outgoing_emails_status_next_attempt", ["status", "next_attempt_at"], unique=False)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_at", trajectflow.store.models.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("alert_stage", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_alert_at", trajectflow.store.models.UtcDateTime(), nullable=True))
        batch_op.create_index("ix_tasks_status_next_alert", ["status", "next_alert_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=5), server_default="nl", nullable=False))


def downgrade() -> None:

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("email")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_status_next_alert")
        batch_op.drop_column("next_alert_at")
        batch_op.drop_column("alert_stage")
        batch_op.drop_column("follow_up_at")

    with op.batch_alter_table("outgoing_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outgoing_emails_status_next_attempt")
        batch_op.drop_index(batch_op.f("ix_outgoing_emails_notification_id"))

    op.drop_table("outgoing_emails")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_recipient_read")
        batch_op.drop_index(batch_op.f("ix_notifications_case_id"))

    op.drop_table("notifications")
