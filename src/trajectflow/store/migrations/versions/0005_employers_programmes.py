"""employers, workplaces, employer plans, placements, programmes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:33:06.962598
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import trajectflow.store.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kvk_number", sa.String(length=8), nullable=False),
        sa.Column("sector", sa.String(length=100), nullable=True),
        sa.Column("municipality", sa.String(length=100), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("kvk_number", name=op.f("uq_employers_kvk_number")),
    )
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employers_name"), ["name"], unique=False)

    op.create_table(
        "programmes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("municipalities", sa.JSON(), nullable=False),
        sa.Column("target_residents_to_work", sa.Integer(), nullable=False),
        sa.Column("target_employers_with_workplace", sa.Integer(), nullable=False),
        sa.Column("enrolment_rule", sa.JSON(), nullable=False),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("code", name=op.f("uq_programmes_code")),
    )
    op.create_table(
        "registry_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_events")),
    )
    with op.batch_alter_table("registry_events", schema=None) as batch_op:
        batch_op.create_index("ix_registry_events_subject", ["subject_type", "subject_id", "id"], unique=False)

    op.create_table(
        "workplaces",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("employer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("programme_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("hours_per_week", sa.Float(), nullable=True),
        sa.Column("requirements", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("filled_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_workplaces_employer_id_employers")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_workplaces_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplaces")),
    )
    with op.batch_alter_table("workplaces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workplaces_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_workplaces_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "employer_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("employer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workplace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("agreements", sa.JSON(), nullable=False),
        sa.Column("cost_sharing", sa.JSON(), nullable=False),
        sa.Column("instruments", sa.JSON(), nullable=False),
        sa.Column("evaluations", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_employer_plans_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_employer_plans_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["workplace_id"], ["workplaces.id"], name=op.f("fk_employer_plans_workplace_id_workplaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_plans")),
    )
    with op.batch_alter_table("employer_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employer_plans_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employer_plans_employer_id"), ["employer_id"], unique=False)

    op.create_table(
        "placements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("employer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workplace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("contract", sa.String(length=50), nullable=True),
        sa.Column("hours_per_week", sa.Float(), nullable=True),
        sa.Column("created_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_placements_case_id_cases")),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_placements_employer_id_employers")),
        sa.ForeignKeyConstraint(
            ["workplace_id"], ["workplaces.id"], name=op.f("fk_placements_workplace_id_workplaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placements_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_employer_id"), ["employer_id"], unique=False)

    op.create_table(
        "programme_enrolments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("programme_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("enrolled_at", trajectflow.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("enrolled_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_programme_enrolments_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_programme_enrolments_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_enrolments")),
        sa.UniqueConstraint("programme_id", "case_id", name="uq_programme_enrolments_programme_case"),
    )
    with op.batch_alter_table("programme_enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_enrolments_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("programme_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_enrolments_case_id"))

    op.drop_table("programme_enrolments")
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placements_employer_id"))
        batch_op.drop_index(batch_op.f("ix_placements_case_id"))

    op.drop_table("placements")
    with op.batch_alter_table("employer_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employer_plans_employer_id"))
        batch_op.drop_index(batch_op.f("ix_employer_plans_case_id"))

    op.drop_table("employer_plans")
    with op.batch_alter_table("workplaces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workplaces_programme_id"))
        batch_op.drop_index(batch_op.f("ix_workplaces_employer_id"))

    op.drop_table("workplaces")
    with op.batch_alter_table("registry_events", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_events_subject")

    op.drop_table("registry_events")
    op.drop_table("programmes")
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employers_name"))

    op.drop_table("employers")
