"""SQLAlchemy 2 models. Every change here ships with an Alembic revision in store/migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProcessVersion(Base):
    """One deployed version of a process: its sources (with called processes and DMN), forms, metadata."""

    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("process_id", "version", name="uq_process_versions_process_version"),
        UniqueConstraint("process_id", "content_hash", name="uq_process_versions_process_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Large and immutable: loaded only when asked for (services cache them per version id).
    sources: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    elements: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deployed_by: Mapped[str | None] = mapped_column(String(100))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    # Tenancy: staff of an execution organisation see the municipalities it serves; municipal staff
    # (municipality set) see only their own. Neither set: no cases at all (domain/tenancy.py).
    organisation: Mapped[str | None] = mapped_column(String(100))
    municipality: Mapped[str | None] = mapped_column(String(100))
    # OpenID Connect: the provider and subject this account was first seen with.
    oidc_issuer: Mapped[str | None] = mapped_column(String(300))
    oidc_subject: Mapped[str | None] = mapped_column(String(300))
    # A demo account (known password): it can sign in only while demo mode is on.
    demo: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bsn: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date] = mapped_column(Date)
    municipality: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_phase", "status", "phase"),
        Index("ix_cases_municipality_status", "municipality", "status"),
        # Stuck cases: idle active cases, errored and suspended ones, oldest first (docs/architecture.md).
        Index("ix_cases_status_updated_at", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(100))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    phase: Mapped[str | None] = mapped_column(String(50))
    route: Mapped[str | None] = mapped_column(String(50))
    engine_state: Mapped[bytes] = mapped_column(LargeBinary)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    error_element: Mapped[str | None] = mapped_column(String(200))
    error_task: Mapped[str | None] = mapped_column(String(300))
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started_by: Mapped[str | None] = mapped_column(String(100))
    # The execution organisation that handles the case (domain/organisations.py).
    organisation: Mapped[str | None] = mapped_column(String(100), index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __mapper_args__ = {"version_id_col": lock_version}


_OPEN = text("status = 'open'")
_OPEN_UNASSIGNED = text("status = 'open' AND assignee IS NULL")


class Task(Base):
    """Queryable projection of a user task; the engine state stays the source of truth."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("case_id", "engine_task_id", name="uq_tasks_case_engine_task"),
        Index("ix_tasks_status_role_due", "status", "role", "due_at"),
        Index("ix_tasks_assignee_status_due", "assignee", "status", "due_at"),
        Index("ix_tasks_case_status", "case_id", "status"),
        Index("ix_tasks_status_next_alert", "status", "next_alert_at"),
        # Partial: open tasks are a few percent of the rows. Overdue tasks (stuck cases) by due date,
        # and the group queue (unassigned, per role) in due order without sorting (docs/architecture.md).
        Index("ix_tasks_open_due", "due_at", postgresql_where=_OPEN, sqlite_where=_OPEN),
        Index(
            "ix_tasks_unassigned_role_due",
            "role",
            "due_at",
            "id",
            postgresql_where=_OPEN_UNASSIGNED,
            sqlite_where=_OPEN_UNASSIGNED,
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    engine_task_id: Mapped[str] = mapped_column(String(36))
    process_id: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    form: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(100))
    phase: Mapped[str | None] = mapped_column(String(50))
    assignee: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Reminder, due notice, escalation: the next one to send and when (see services/alerts.py).
    alert_stage: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_alert_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(100))
    submitted_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Timer(Base):
    """A waiting BPMN timer, mirrored from the engine state so due timers are found by index."""

    __tablename__ = "timers"
    __table_args__ = (UniqueConstraint("case_id", "engine_task_id", name="uq_timers_case_engine_task"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    engine_task_id: Mapped[str] = mapped_column(String(36))
    process_id: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class CaseEvent(Base):
    """The history of a case: who did what, when."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    task_id: Mapped[int | None] = mapped_column(BigId)
    element_id: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # ORM only (no constraint): an event about a task created in the same flush gets its id from
    # the unit of work, which inserts the task first, so the projection needs no flush per task.
    task: Mapped[Task | None] = relationship(primaryjoin="foreign(CaseEvent.task_id) == Task.id", lazy="raise")


class SchedulerHeartbeat(Base):
    """Last sign of life of each scheduler process, for readiness checks."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Notification(Base):
    """An in-app message to one user (reminder, due notice, escalation); read once, kept for the record."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "recipient", name="uq_notifications_task_kind_recipient"),
        Index("ix_notifications_recipient_read", "recipient", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OutgoingEmail(Base):
    """An email waiting to be sent (the outbox): written with its notification, sent and retried apart."""

    __tablename__ = "outgoing_emails"
    __table_args__ = (Index("ix_outgoing_emails_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CaseNote(Base):
    """A caseworker's note (comment) on a case."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    author: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SavedFilter(Base):
    """A named worklist filter, personal (team is null) or shared with everyone holding the team role."""

    __tablename__ = "saved_filters"
    __table_args__ = (
        Index("ix_saved_filters_owner", "owner"),
        Index("ix_saved_filters_team", "team"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TaskDraft(Base):
    """Form data a user saved on a task without completing it; one draft per task and user."""

    __tablename__ = "task_drafts"
    __table_args__ = (UniqueConstraint("task_id", "username", name="uq_task_drafts_task_user"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    username: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())


# The employer registry and programmes, and the process designer's pins and deployment log, live in
# their own modules on the same metadata.
from .design_models import Deployment, ProcessPin  # noqa: E402,F401
from .registry_models import (  # noqa: E402,F401
    Employer,
    EmployerPlan,
    Placement,
    Programme,
    ProgrammeEnrolment,
    RegistryEvent,
    Workplace,
)
from .security_models import ApiToken, AuditRecord, LoginFailure, RetentionRun  # noqa: E402,F401
