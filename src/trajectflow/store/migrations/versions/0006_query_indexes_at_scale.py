"""indexes for the read side at scale: stuck cases, overdue tasks, group queue

Picked with EXPLAIN (ANALYZE, BUFFERS) on `trajectflow demo --scale` data; reasons in
docs/architecture.md ("Indexes").

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")
OPEN_UNASSIGNED = sa.text("status = 'open' AND assignee IS NULL")


def upgrade() -> None:
    op.create_index("ix_cases_status_updated_at", "cases", ["status", "updated_at"])
    op.create_index("ix_tasks_open_due", "tasks", ["due_at"], postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index(
        "ix_tasks_unassigned_role_due",
        "tasks",
        ["role", "due_at", "id"],
        postgresql_where=OPEN_UNASSIGNED,
        sqlite_where=OPEN_UNASSIGNED,
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_unassigned_role_due", table_name="tasks")
    op.drop_index("ix_tasks_open_due", table_name="tasks")
    op.drop_index("ix_cases_status_updated_at", table_name="cases")
