"""What a teamleider looks at: stuck cases, workload and the diagram heatmap, from indexed tables only."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean, median
from typing import Any

from sqlalchemy import and_, case, func, select

from ..domain.bsn import mask_bsn
from ..domain.cases import Actor, CaseStatus, TaskStatus
from ..domain.errors import NotFound
from ..domain.roles import CASEWORK_ROLES
from ..domain.tenancy import visible_municipalities
from ..store.models import Case, Client, ProcessVersion, Task, Timer, User
from .context import ServiceContext
from .queries import task_dict
from .supervision import require_supervisor

OPEN_CASE = (CaseStatus.ACTIVE, CaseStatus.ERRORED, CaseStatus.SUSPENDED)


@dataclass(frozen=True)
class StuckFilter:
    idle_days: int = 14
    timer_grace_hours: int = 1
    municipality: str | None = None
    limit: int = 200


def _case_row(case: Case, client: Client, now: datetime) -> dict[str, Any]:
    return {
        "id": case.id,
        "client": {"id": client.id, "name": client.name, "bsn": mask_bsn(client.bsn)},
        "municipality": case.municipality,
        "status": case.status,
        "phase": case.phase,
        "route": case.route,
        "updated_at": case.updated_at,
        "idle_days": (now - case.updated_at).days,
    }


def stuck_cases(ctx: ServiceContext, actor: Actor, filters: StuckFilter) -> dict[str, list[dict[str, Any]]]:
    """Cases that need a teamleider: idle for `idle_days`, overdue tasks, errors, timers that should have fired."""
    require_supervisor(actor)
    now = ctx.clock.now()
    base = select(Case, Client).join(Client, Client.id == Case.client_id)
    if filters.municipality:
        base = base.where(Case.municipality == filters.municipality)
    with ctx.uow(write=False) as uow:
        session = uow.session
        idle = session.execute(
            base.where(Case.status == CaseStatus.ACTIVE, Case.updated_at < now - timedelta(days=filters.idle_days))
            .order_by(Case.updated_at)
            .limit(filters.limit)
        ).all()
        errored = session.execute(
            base.where(Case.status == CaseStatus.ERRORED).order_by(Case.updated_at).limit(filters.limit)
        ).all()
        suspended = session.execute(
            base.where(Case.status == CaseStatus.SUSPENDED).order_by(Case.updated_at).limit(filters.limit)
        ).all()
        overdue = session.execute(
            base.add_columns(Task)
            .join(Task, Task.case_id == Case.id)
            .where(Task.status == TaskStatus.OPEN, Task.due_at < now)
            .order_by(Task.due_at)
            .limit(filters.limit)
        ).all()
        late = session.execute(
            base.add_columns(Timer)
            .join(Timer, Timer.case_id == Case.id)
            .where(Timer.due_at < now - timedelta(hours=filters.timer_grace_hours))
            .order_by(Timer.due_at)
            .limit(filters.limit)
        ).all()
    return {
        "idle": [_case_row(c, cl, now) for c, cl in idle],
        "overdue_tasks": [
            {**_case_row(c, cl, now), "task": task_dict(t, now), "days_overdue": (now - t.due_at).days}
            for c, cl, t in overdue
        ],
        "errored": [
            {**_case_row(c, cl, now), "error": {"element_id": c.error_element, "message": c.error_message}}
            for c, cl in errored
        ],
        "suspended": [_case_row(c, cl, now) for c, cl in suspended],
        "late_timers": [
            {**_case_row(c, cl, now), "timer": {"element_id": tm.element_id, "due_at": tm.due_at}} for c, cl, tm in late
        ],
    }


def workload(ctx: ServiceContext, actor: Actor, municipality: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Open and overdue tasks per caseworker and per group (role), with the unassigned share per group."""
    require_supervisor(actor)
    now = ctx.clock.now()
    query = select(Task).where(Task.status == TaskStatus.OPEN)
    if municipality:
        query = query.join(Case, Case.id == Task.case_id).where(Case.municipality == municipality)
    tasks = query.subquery()
    with ctx.uow(write=False) as uow:
        people = uow.session.execute(
            select(tasks.c.assignee, func.count(), _sum_overdue(tasks, now))
            .where(tasks.c.assignee.is_not(None))
            .group_by(tasks.c.assignee)
            .order_by(tasks.c.assignee)
        ).all()
        groups = uow.session.execute(
            select(
                tasks.c.role,
                func.count(),
                _sum_overdue(tasks, now),
                func.sum(case((tasks.c.assignee.is_(None), 1), else_=0)),
            )
            .group_by(tasks.c.role)
            .order_by(tasks.c.role)
        ).all()
    return {
        "per_user": [{"assignee": a, "open": int(n), "overdue": int(o or 0)} for a, n, o in people],
        "per_group": [
            {"role": r, "open": int(n), "overdue": int(o or 0), "unassigned": int(u or 0)} for r, n, o, u in groups
        ],
    }


def _sum_overdue(tasks: Any, now: datetime) -> Any:
    return func.sum(case((and_(tasks.c.due_at.is_not(None), tasks.c.due_at < now), 1), else_=0))


def process_versions(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(ProcessVersion.id, ProcessVersion.process_id, ProcessVersion.name, ProcessVersion.version).order_by(
                ProcessVersion.process_id, ProcessVersion.version.desc()
            )
        ).all()
    return [{"id": i, "process_id": p, "name": n, "version": v} for i, p, n, v in rows]


def heatmap(ctx: ServiceContext, actor: Actor, process_id: str, version: int | None = None) -> dict[str, Any]:
    """Per element of one process version: cases there now (open tasks, waiting timers) and task durations.

    Durations are hours from a task's creation to its completion, over completed tasks of that version.
    """
    require_supervisor(actor)
    with ctx.uow(write=False) as uow:
        session = uow.session
        query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        if version is not None:
            query = query.where(ProcessVersion.version == version)
        found = session.scalar(query.order_by(ProcessVersion.version.desc()).limit(1))
        if found is None:
            raise NotFound(f"process '{process_id}' is not deployed", {"process_id": process_id})
        of_version = select(Case.id).where(Case.process_version_id == found.id, Case.status.in_(OPEN_CASE))
        active: dict[tuple[str, str], int] = defaultdict(int)
        for proc, element, count in session.execute(
            select(Task.process_id, Task.element_id, func.count(func.distinct(Task.case_id)))
            .where(Task.status == TaskStatus.OPEN, Task.case_id.in_(of_version))
            .group_by(Task.process_id, Task.element_id)
        ):
            active[(proc, element)] += int(count)
        for proc, element, count in session.execute(
            select(Timer.process_id, Timer.element_id, func.count(func.distinct(Timer.case_id)))
            .where(Timer.case_id.in_(of_version))
            .group_by(Timer.process_id, Timer.element_id)
        ):
            active[(proc, element)] += int(count)
        all_cases = select(Case.id).where(Case.process_version_id == found.id)
        durations: dict[tuple[str, str], list[float]] = defaultdict(list)
        for proc, element, created, completed in session.execute(
            select(Task.process_id, Task.element_id, Task.created_at, Task.completed_at).where(
                Task.status == TaskStatus.COMPLETED, Task.case_id.in_(all_cases)
            )
        ):
            if completed is not None:
                durations[(proc, element)].append((completed - created).total_seconds() / 3600)
        elements: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for key in sorted(set(active) | set(durations)):
            proc, element = key
            hours = durations.get(key, [])
            info = found.elements.get(proc, {}).get(element, {})
            elements[proc][element] = {
                "name": info.get("name") or element,
                "active": active.get(key, 0),
                "completed": len(hours),
                "mean_hours": round(mean(hours), 1) if hours else None,
                "median_hours": round(median(hours), 1) if hours else None,
            }
        diagrams = {proc: _source_of(found.sources, proc) for proc in {process_id, *elements}}
        return {
            "process_id": found.process_id,
            "version": found.version,
            "name": found.name,
            "elements": dict(elements),
            "diagrams": {proc: xml for proc, xml in diagrams.items() if xml is not None},
        }


def _source_of(sources: dict[str, str], process_id: str) -> str | None:
    pattern = re.compile(r"<(?:\w+:)?process\b[^>]*\bid=\"" + re.escape(process_id) + '"')
    return next((xml for name, xml in sorted(sources.items()) if name.endswith(".bpmn") and pattern.search(xml)), None)


def assignable_users(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    """Active users with the caseworker roles they hold, for reassignment pickers: only those who work
    for a municipality the teamleider sees (a task can only go to someone who may see its case)."""
    require_supervisor(actor)
    with ctx.uow(write=False) as uow:
        users = uow.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
        return [
            {"username": u.username, "display_name": u.display_name, "roles": sorted(u.roles)}
            for u in users
            if set(u.roles) & CASEWORK_ROLES and _shares_a_municipality(actor, u)
        ]


def _shares_a_municipality(actor: Actor, user: User) -> bool:
    return bool(actor.municipalities & visible_municipalities(user.organisation, user.municipality))


def open_tasks_for(ctx: ServiceContext, actor: Actor, assignee: str | None, role: str | None) -> list[dict[str, Any]]:
    """Open tasks of one caseworker or one group, oldest due first, for redistribution."""
    require_supervisor(actor)
    now = ctx.clock.now()
    query = select(Task).where(Task.status == TaskStatus.OPEN)
    if assignee:
        query = query.where(Task.assignee == assignee)
    if role:
        query = query.where(Task.role == role)
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(query.order_by(Task.due_at.is_(None), Task.due_at, Task.id).limit(500))
        return [task_dict(t, now) for t in rows]
