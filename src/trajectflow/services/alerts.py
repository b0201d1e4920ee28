"""Reminders before a task's due date, a notice on it, and escalation to the teamleiders after it.

Each open task carries its next alert stage and moment (set when the task is created, see
services/due_dates.py), so finding what to send is one indexed query. Each stage is sent once:
the stage advances in the same transaction that stores the notifications and queues the emails.
After downtime only the latest stage that is due is sent (a reminder after the due date helps
nobody).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.cases import CaseStatus, TaskStatus
from ..domain.deadlines import AlertStage, latest_due_stage, next_alert, working_days_late
from ..domain.tenancy import visible_municipalities
from ..settings import Settings
from ..store.models import Case, ProcessVersion, Task, User
from .context import ServiceContext
from .deadline_policy import alert_policy, business_calendar
from .messages import AlertFacts, compose
from .notifications import notify

BATCH_SIZE = 200
SUPERVISOR_ROLE = "teamleider"


def send_task_alerts(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Send every reminder, due notice and escalation that is due; return how many tasks were alerted."""
    now = now or ctx.clock.now()
    total = 0
    while True:
        with ctx.uow() as uow:
            tasks = _claim(uow.session, now)
            users = list(uow.session.scalars(select(User).where(User.active.is_(True))))
            for task in tasks:
                _alert(uow.session, ctx.settings, task, users, now)
            uow.commit()
        total += len(tasks)
        if len(tasks) < BATCH_SIZE:
            return total


def _claim(session: Session, now: datetime) -> list[Task]:
    query = (
        select(Task)
        .join(Case, Case.id == Task.case_id)
        .where(Task.status == TaskStatus.OPEN, Task.next_alert_at <= now, Case.status == CaseStatus.ACTIVE)
        .order_by(Task.next_alert_at)
        .limit(BATCH_SIZE)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Task)
    return list(session.scalars(query))


def _recipients(task: Task, stage: int, users: list[User], municipality: str) -> list[User]:
    """Who hears of the task: only people who may see its case (tenancy), whatever their role."""
    allowed = [u for u in users if municipality in visible_municipalities(u.organisation, u.municipality)]
    if stage == AlertStage.ESCALATION:
        return [u for u in allowed if SUPERVISOR_ROLE in (u.roles or [])]
    if task.assignee:
        return [u for u in allowed if u.username == task.assignee]
    return [u for u in allowed if task.role in (u.roles or [])]


def _alert(session: Session, settings: Settings, task: Task, users: list[User], now: datetime) -> None:
    case = session.get(Case, task.case_id)
    assert case is not None and task.due_at is not None  # foreign key; next_alert_at implies due_at
    calendar = business_calendar(settings, case.municipality)
    policy = alert_policy(settings)
    stage = latest_due_stage(task.alert_stage, task.due_at, now, calendar, policy)
    version = session.get(ProcessVersion, case.process_version_id)
    link = f"{settings.base_url}/taken/{task.id}"
    facts = AlertFacts(
        stage=stage,
        case_id=case.id,
        process_name=version.name if version is not None else task.process_id,
        municipality=case.municipality,
        task_name=task.name,
        due_at=task.due_at,
        days_late=working_days_late(task.due_at, now, calendar),
        link=link,
    )
    for user in _recipients(task, stage, users, case.municipality):
        message = compose(facts, user.language or "nl")
        notify(session, settings, user, AlertStage.KINDS[stage], case.id, task.id, message, link, now)
    task.alert_stage, task.next_alert_at = next_alert(stage, task.due_at, calendar, policy)
