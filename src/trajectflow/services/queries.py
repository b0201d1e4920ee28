"""Read-side queries for lists and detail views, straight to indexed tables (no engine state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain.bsn import check_bsn_search, mask_bsn
from ..domain.cases import TaskStatus
from ..store.models import Case, CaseEvent, Client, ProcessVersion, Task, Timer
from .context import ServiceContext
from .loading import get_case, get_task, version_forms


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class TaskFilter:
    assignee: str | None = None
    candidate_group: str | None = None
    case_id: int | None = None
    status: str | None = None
    overdue: bool | None = None
    process_id: str | None = None
    sort: str = "due"
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    phase: str | None = None
    municipality: str | None = None
    client: str | None = None
    route: str | None = None
    page: int = 1
    page_size: int = 50


def task_dict(task: Task, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": task.id,
        "case_id": task.case_id,
        "process_id": task.process_id,
        "element_id": task.element_id,
        "name": task.name,
        "form": task.form,
        "candidate_group": task.role,
        "phase": task.phase,
        "assignee": task.assignee,
        "status": task.status,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "overdue": bool(task.status == TaskStatus.OPEN and task.due_at and now and task.due_at < now),
        "completed_at": task.completed_at,
        "completed_by": task.completed_by,
    }


def list_tasks(ctx: ServiceContext, filters: TaskFilter) -> Page:
    now = ctx.clock.now()
    query = select(Task)
    if filters.assignee is not None:
        query = query.where(Task.assignee == filters.assignee)
    if filters.candidate_group is not None:
        query = query.where(Task.role == filters.candidate_group)
    if filters.case_id is not None:
        query = query.where(Task.case_id == filters.case_id)
    if filters.status is not None:
        query = query.where(Task.status == filters.status)
    if filters.process_id is not None:
        query = query.where(Task.process_id == filters.process_id)
    if filters.overdue is True:
        query = query.where(Task.status == TaskStatus.OPEN, Task.due_at < now)
    elif filters.overdue is False:
        query = query.where(or_(Task.due_at.is_(None), Task.due_at >= now))
    order = {
        "due": (Task.due_at.is_(None), Task.due_at, Task.id),
        "-due": (Task.due_at.is_(None), Task.due_at.desc(), Task.id.desc()),
        "created": (Task.created_at, Task.id),
        "-created": (Task.created_at.desc(), Task.id.desc()),
    }[filters.sort]
    with ctx.uow(write=False) as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = uow.session.scalars(
            query.order_by(*order).offset((filters.page - 1) * filters.page_size).limit(filters.page_size)
        )
        items = [task_dict(task, now) for task in rows]
    return Page(items, total, filters.page, filters.page_size)


def task_detail(ctx: ServiceContext, task_id: int) -> dict[str, Any]:
    with ctx.uow(write=False) as uow:
        task = get_task(uow.session, task_id)
        version = _version_of_case(uow.session, task.case_id)
        result = task_dict(task, ctx.clock.now())
        result["form_schema"] = version_forms(version).get(task.form) if task.form else None
        result["submitted_data"] = task.submitted_data
        case = get_case(uow.session, task.case_id)
        result["case"] = {"id": case.id, "phase": case.phase, "route": case.route, "status": case.status}
        result["prefill"] = _prefill(result["form_schema"], case.data)
        return result


def _prefill(schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    if not schema:
        return {}
    fields = schema.get("properties", {})
    return {name: data[name] for name in fields if name in data}


def _version_of_case(session: Session, case_id: int) -> ProcessVersion:
    case = get_case(session, case_id)
    version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None
    return version


def case_summary(case: Case, client: Client, version: ProcessVersion) -> dict[str, Any]:
    return {
        "id": case.id,
        "client": {"id": client.id, "name": client.name, "bsn": mask_bsn(client.bsn)},
        "municipality": case.municipality,
        "process_id": version.process_id,
        "process_version": version.version,
        "status": case.status,
        "phase": case.phase,
        "route": case.route,
        "started_at": case.started_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
    }


def list_cases(ctx: ServiceContext, filters: CaseFilter) -> Page:
    query = (
        select(Case, Client, ProcessVersion)
        .join(Client, Client.id == Case.client_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
    )
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.phase:
        query = query.where(Case.phase == filters.phase)
    if filters.route:
        query = query.where(Case.route == filters.route)
    if filters.municipality:
        query = query.where(Case.municipality == filters.municipality)
    if filters.client:
        term = filters.client.strip()
        check_bsn_search(term)
        if term.isascii() and term.isdigit() and len(term) <= 9:
            query = query.where(or_(Client.bsn == term.zfill(9), Client.id == int(term)))
        else:
            # Escaped: a '%' or '_' typed in the search box is a character to find, not a wildcard.
            escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(func.lower(Client.name).like(f"%{escaped}%", escape="\\"))
    with ctx.uow(write=False) as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.with_only_columns(Case.id).subquery())) or 0
        rows = uow.session.execute(
            query.order_by(Case.id.desc()).offset((filters.page - 1) * filters.page_size).limit(filters.page_size)
        ).all()
        items = [case_summary(case, client, version) for case, client, version in rows]
    return Page(items, total, filters.page, filters.page_size)


def case_detail(ctx: ServiceContext, case_id: int) -> dict[str, Any]:
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        session = uow.session
        case = get_case(session, case_id)
        client = session.get(Client, case.client_id)
        version = session.get(ProcessVersion, case.process_version_id)
        assert client is not None and version is not None
        result = case_summary(case, client, version)
        open_tasks = session.scalars(
            select(Task).where(Task.case_id == case_id, Task.status == TaskStatus.OPEN).order_by(Task.id)
        )
        result["open_tasks"] = [task_dict(t, now) for t in open_tasks]
        timers = session.scalars(select(Timer).where(Timer.case_id == case_id).order_by(Timer.due_at))
        result["waiting_timers"] = [
            {"element_id": t.element_id, "process_id": t.process_id, "due_at": t.due_at} for t in timers
        ]
        result["data"] = case.data
        result["error"] = (
            {"element_id": case.error_element, "task": case.error_task, "message": case.error_message}
            if case.error_message
            else None
        )
        return result


def case_history(ctx: ServiceContext, case_id: int) -> list[dict[str, Any]]:
    with ctx.uow(write=False) as uow:
        get_case(uow.session, case_id)
        events = uow.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
        return [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor,
                "kind": e.kind,
                "task_id": e.task_id,
                "element_id": e.element_id,
                "message": e.message,
                "details": e.details,
            }
            for e in events
        ]


def list_processes(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(
                ProcessVersion.process_id, ProcessVersion.name, ProcessVersion.version, ProcessVersion.deployed_at
            ).order_by(ProcessVersion.process_id, ProcessVersion.version.desc())
        ).all()
    processes: dict[str, dict[str, Any]] = {}
    for process_id, name, version, deployed_at in rows:
        entry = processes.setdefault(
            process_id,
            {
                "process_id": process_id,
                "name": name,
                "latest_version": version,
                "deployed_at": deployed_at,
                "versions": [],
            },
        )
        entry["versions"].append(version)
    return list(processes.values())
