"""Read-side queries for operations: readiness and the domain figures behind /metrics.

Everything is computed from the database at the moment it is asked, so every gunicorn worker and
every replica answers the same, whichever process fired the timer or completed the task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import DateTime, cast, func, inspect, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..domain.cases import CaseStatus, TaskStatus
from ..store.migrate import current_revision, head_revision
from ..store.models import Case, CaseEvent, SchedulerHeartbeat, Task, Timer
from .context import ServiceContext

# A timer counts as late when it fired more than this after its due time (the scheduler polls every second).
LATE_AFTER = timedelta(seconds=60)
NO_GROUP = "(none)"


@dataclass(frozen=True)
class Readiness:
    """Whether this instance can take traffic, with one line per check for the operator."""

    checks: dict[str, str] = field(default_factory=dict)
    failed: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class OperationalFigures:
    open_tasks_by_group: dict[str, int]
    overdue_tasks: int
    errored_cases: int
    timers_due: int
    timers_fired: int
    timers_late: int
    reminder_failures: int
    last_heartbeat: datetime | None
    heartbeat_age_seconds: float | None


def check_readiness(ctx: ServiceContext, heartbeat_max_age: timedelta | None) -> Readiness:
    """Database reachable, schema at the latest migration, a scheduler seen recently (unless disabled)."""
    checks: dict[str, str] = {}
    failed: list[str] = []
    engine = ctx.uow.engine
    try:
        revision = current_revision(engine)
    except Exception as err:  # noqa: BLE001 - any failure to reach the database means "not ready"
        return Readiness({"database": f"unreachable: {type(err).__name__}"}, ("database",))
    checks["database"] = "ok"
    head = _head_revision()
    if revision == head:
        checks["migrations"] = f"ok (revision {head})"
    else:
        checks["migrations"] = f"database at revision {revision}, code expects {head}: run `trajectflow db upgrade`"
        failed.append("migrations")
    if heartbeat_max_age is None:
        checks["scheduler"] = "not checked"
    else:
        with ctx.uow(write=False) as uow:
            last = _last_heartbeat(uow.session)
        if last is None:
            checks["scheduler"] = "no scheduler has ever run"
            failed.append("scheduler")
        elif ctx.clock.now() - last > heartbeat_max_age:
            checks["scheduler"] = f"last heartbeat {last.isoformat()} is older than {heartbeat_max_age}"
            failed.append("scheduler")
        else:
            checks["scheduler"] = f"ok (last heartbeat {last.isoformat()})"
    return Readiness(checks, tuple(failed))


def operational_figures(ctx: ServiceContext, late_after: timedelta = LATE_AFTER) -> OperationalFigures:
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        session = uow.session
        last = _last_heartbeat(session)
        return OperationalFigures(
            open_tasks_by_group=_open_tasks_by_group(session),
            overdue_tasks=_count(
                session, select(func.count(Task.id)).where(Task.status == TaskStatus.OPEN, Task.due_at < now)
            ),
            errored_cases=_count(session, select(func.count(Case.id)).where(Case.status == CaseStatus.ERRORED)),
            timers_due=_count(
                session,
                select(func.count(Timer.id))
                .join(Case, Case.id == Timer.case_id)
                .where(Timer.due_at <= now, Case.status == CaseStatus.ACTIVE),
            ),
            timers_fired=_count(session, select(func.count(CaseEvent.id)).where(CaseEvent.kind == "timer_fired")),
            timers_late=_late_timers(session, late_after),
            reminder_failures=_reminder_failures(session),
            last_heartbeat=last,
            heartbeat_age_seconds=None if last is None else (now - last).total_seconds(),
        )


@cache
def _head_revision() -> str | None:
    return head_revision()


def _count(session: Session, query: object) -> int:
    return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def _last_heartbeat(session: Session) -> datetime | None:
    return session.scalar(select(func.max(SchedulerHeartbeat.beat_at)))


def _open_tasks_by_group(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Task.role, func.count(Task.id)).where(Task.status == TaskStatus.OPEN).group_by(Task.role)
    ).all()
    return {role or NO_GROUP: int(count) for role, count in rows}


def _late_timers(session: Session, late_after: timedelta) -> int:
    """Fired timers whose `timer_fired` event came more than `late_after` after the recorded due time."""
    due = CaseEvent.details["due_at"].as_string()
    lateness: ColumnElement[Any]
    if session.get_bind().dialect.name == "postgresql":
        lateness = func.extract("epoch", CaseEvent.at - cast(due, DateTime(timezone=True)))
    else:
        lateness = (func.julianday(CaseEvent.at) - func.julianday(due)) * 86400.0
    query = select(func.count(CaseEvent.id)).where(
        CaseEvent.kind == "timer_fired", due.is_not(None), lateness > late_after.total_seconds()
    )
    return _count(session, query)


def _reminder_failures(session: Session) -> int:
    """Failed reminder deliveries: `status = 'failed'` rows of the mail outbox (or of `notifications`).

    0 while neither table exists or records failures, so the metric exists before reminders do.
    """
    inspector = inspect(session.connection())
    for table in ("outgoing_emails", "notifications"):
        if not inspector.has_table(table):
            continue
        columns = {column["name"] for column in inspector.get_columns(table)}
        if "status" in columns:
            return _count(session, text(f"SELECT count(*) FROM {table} WHERE status = 'failed'"))
        if "failed_at" in columns:
            return _count(session, text(f"SELECT count(*) FROM {table} WHERE failed_at IS NOT NULL"))
    return 0
