"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 09:44:28.748192
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import trajectflow.store.models

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "clients",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bsn", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("bsn", name=op.f("uq_clients_bsn")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clients_name"), ["name"], unique=False)

    op.create_table(
        "process_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("deployed_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.Column("deployed_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_versions")),
        sa.UniqueConstraint("process_id", "content_hash", name="uq_process_versions_process_hash"),
        sa.UniqueConstraint("process_id", "version", name="uq_process_versions_process_version"),
    )
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_process_versions_process_id"), ["process_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("process_version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=50), nullable=True),
        sa.Column("route", sa.String(length=50), nullable=True),
        sa.Column("engine_state", sa.LargeBinary(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("error_element", sa.String(length=200), nullable=True),
        sa.Column("error_task", sa.String(length=300), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("started_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.Column("updated_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.Column("closed_at", trajectflow.store.models.UtcDateTime(), nullable=True),
        sa.Column("started_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_cases_client_id_clients")),
        sa.ForeignKeyConstraint(
            ["process_version_id"], ["process_versions.id"], name=op.f("fk_cases_process_version_id_process_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_cases_municipality_status", ["municipality", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_process_version_id"), ["process_version_id"], unique=False)
        batch_op.create_index("ix_cases_status_phase", ["status", "phase"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("element_id", sa.String(length=200), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case_id_id", ["case_id", "id"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("engine_task_id", sa.String(length=36), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("form", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("phase", sa.String(length=50), nullable=True),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.Column("due_at", trajectflow.store.models.UtcDateTime(), nullable=True),
        sa.Column("completed_at", trajectflow.store.models.UtcDateTime(), nullable=True),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        sa.Column("submitted_data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_tasks_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("case_id", "engine_task_id", name="uq_tasks_case_engine_task"),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_assignee_status_due", ["assignee", "status", "due_at"], unique=False)
        batch_op.create_index("ix_tasks_case_status", ["case_id", "status"], unique=False)
        batch_op.create_index("ix_tasks_status_role_due", ["status", "role", "due_at"], unique=False)

    op.create_table(
        "timers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("engine_task_id", sa.String(length=36), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("due_at", trajectflow.store.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_timers_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint("case_id", "engine_task_id", name="uq_timers_case_engine_task"),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_timers_due_at"), ["due_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timers_due_at"))
        batch_op.drop_index(batch_op.f("ix_timers_case_id"))

    op.drop_table("timers")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_status_role_due")
        batch_op.drop_index("ix_tasks_case_status")
        batch_op.drop_index("ix_tasks_assignee_status_due")

    op.drop_table("tasks")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_case_id_id")

    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_phase")
        batch_op.drop_index(batch_op.f("ix_cases_process_version_id"))
        batch_op.drop_index("ix_cases_municipality_status")
        batch_op.drop_index(batch_op.f("ix_cases_client_id"))

    op.drop_table("cases")
    op.drop_table("users")
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_versions_process_id"))

    op.drop_table("process_versions")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_name"))

    op.drop_table("clients")
