"""Bring the database's view of a case (tasks, timers, phase, route, data) in line with its engine state.

Called after every engine step, inside the same unit of work, so the engine state, the task
projection, the timers and the history commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from ..domain.cases import CLOSED_PHASE, CaseStatus, TaskStatus
from ..domain.errors import Conflict
from ..domain.organisations import handling_organisation
from ..engine.instance import EngineInstance
from ..settings import Settings
from ..store.models import Case, CaseEvent, ProcessVersion, Task, Timer
from ..store.uow import conflicts_as_409
from .due_dates import schedule_task
from .loading import version_elements


@dataclass
class CaseRows:
    """A case's open task rows and timer rows, read before the step changes anything."""

    open_tasks: list[Task] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)


def load_case_rows(session: Session, case_ids: list[int]) -> dict[int, CaseRows]:
    """The rows `synchronise` compares against, for many cases in two queries."""
    rows = {case_id: CaseRows() for case_id in case_ids}
    if not case_ids:
        return rows
    with session.no_autoflush:
        open_tasks = select(Task).where(Task.case_id.in_(case_ids), Task.status == TaskStatus.OPEN).order_by(Task.id)
        for task in session.scalars(open_tasks):
            rows[task.case_id].open_tasks.append(task)
        for timer in session.scalars(select(Timer).where(Timer.case_id.in_(case_ids)).order_by(Timer.id)):
            rows[timer.case_id].timers.append(timer)
    return rows


def record(
    session: Session,
    case: Case,
    at: datetime,
    kind: str,
    message: str,
    actor: str | None = None,
    task: Task | None = None,
    element_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    if case.id is None:
        session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            at=at,
            actor=actor,
            kind=kind,
            task=task,
            element_id=element_id or (task.element_id if task is not None else None),
            message=message[:500],
            details=details,
        )
    )


def synchronise(
    session: Session,
    case: Case,
    version: ProcessVersion,
    instance: EngineInstance,
    now: datetime,
    actor: str | None,
    completed_task_id: int | None = None,
    rows: CaseRows | None = None,
    flush: bool = True,
) -> None:
    """Store the engine state and update tasks, timers, phase, route, data and status from it.

    `rows` (from `load_case_rows`) saves the queries when the caller read them already; without
    `flush` the writes wait for the caller's commit, so a batch of cases is written in a few
    statements. Nothing here autoflushes: the case row is written once.
    """
    if rows is None:
        _flush_checking_version(session)  # the caller's own changes first, so the rows read below see them
        rows = load_case_rows(session, [case.id])[case.id]
    with session.no_autoflush:
        case.engine_state = instance.dump()
        case.updated_at = now
        data = instance.final_data() if instance.completed else instance.current_data()
        case.data = _json_safe(data)
        _sync_tasks(session, case, version, instance, now, actor, completed_task_id, rows.open_tasks)
        _sync_timers(session, case, instance, now, rows.timers)
        _sync_phase_and_route(session, case, version, instance, data, now, actor)
        if instance.completed and case.status not in (CaseStatus.COMPLETED, CaseStatus.CANCELLED):
            case.status = CaseStatus.COMPLETED
            case.closed_at = now
            case.phase = CLOSED_PHASE
            record(session, case, now, "case_completed", "Traject afgesloten", actor)
    if flush:
        _flush_checking_version(session)


_CASE_STEP_COLUMNS = (
    "engine_state",
    "data",
    "status",
    "phase",
    "route",
    "updated_at",
    "closed_at",
    "error_element",
    "error_task",
    "error_message",
)


def write_cases_in_bulk(session: Session, cases: list[Case]) -> None:
    """Write a batch of stepped cases with one executemany UPDATE instead of one ORM UPDATE each.

    The ORM never batches versioned UPDATEs; here the lock_version check and increment are in the
    statement itself, and a row count short of the batch is a Conflict. The cases leave the session
    (their changes are written here); their task, timer and event rows go out at the commit.
    """
    if not cases:
        return
    table = cast(Table, Case.__table__)
    params = [
        {"b_id": case.id, "b_version": case.lock_version, **{f"b_{c}": getattr(case, c) for c in _CASE_STEP_COLUMNS}}
        for case in cases
    ]
    for case in cases:
        session.expunge(case)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.lock_version == bindparam("b_version"))
        .values(lock_version=table.c.lock_version + 1, **{c: bindparam(f"b_{c}") for c in _CASE_STEP_COLUMNS})
    )
    result = session.connection().execute(statement, params)
    if result.rowcount not in (-1, len(params)):
        raise Conflict("a case of the batch was changed by someone else at the same time")


def _flush_checking_version(session: Session) -> None:
    """Write, turning a lock_version mismatch (another transaction changed the case) into a Conflict."""
    with conflicts_as_409(session):
        session.flush()


def _sync_tasks(
    session: Session,
    case: Case,
    version: ProcessVersion,
    instance: EngineInstance,
    now: datetime,
    actor: str | None,
    completed_task_id: int | None,
    open_tasks: list[Task],
) -> None:
    open_rows = {row.engine_task_id: row for row in open_tasks if row.status == TaskStatus.OPEN}
    ready = {task.engine_id: task for task in instance.ready_user_tasks()}
    for engine_id, row in open_rows.items():
        if engine_id not in ready and row.id != completed_task_id:
            row.status = TaskStatus.CANCELLED
            row.completed_at = now
            record(session, case, now, "task_cancelled", f"Taak '{row.name}' vervallen", None, row)
    for engine_id, ready_task in ready.items():
        if engine_id in open_rows:
            continue
        info = element_info(version, ready_task.process_id, ready_task.element_id)
        row = Task(
            case_id=case.id,
            engine_task_id=engine_id,
            process_id=ready_task.process_id,
            element_id=ready_task.element_id,
            name=info.get("name") or ready_task.name,
            form=info.get("form"),
            role=info.get("role"),
            phase=info.get("phase"),
            status=TaskStatus.OPEN,
            created_at=now,
        )
        schedule_task(row, info, case.municipality, case.data or {}, now, _settings(session))
        session.add(row)
        record(session, case, now, "task_created", f"Taak '{row.name}' klaargezet", actor, row)


def _sync_timers(session: Session, case: Case, instance: EngineInstance, now: datetime, timers: list[Timer]) -> None:
    stored = {row.engine_task_id: row for row in timers}
    waiting = {timer.engine_id: timer for timer in instance.waiting_timers()}
    for engine_id, row in stored.items():
        if engine_id not in waiting:
            if row.due_at <= now:
                record(
                    session,
                    case,
                    now,
                    "timer_fired",
                    f"Termijn '{row.element_id}' verstreken",
                    element_id=row.element_id,
                    details={"due_at": row.due_at.isoformat()},
                )
            session.delete(row)
    for engine_id, timer in waiting.items():
        existing = stored.get(engine_id)
        if existing is None:
            session.add(
                Timer(
                    case_id=case.id,
                    engine_task_id=engine_id,
                    process_id=timer.process_id,
                    element_id=timer.element_id,
                    due_at=timer.due_at,
                )
            )
            record(
                session,
                case,
                now,
                "timer_started",
                f"Termijn '{timer.element_id}' loopt tot {timer.due_at:%Y-%m-%d}",
                element_id=timer.element_id,
                details={"due_at": timer.due_at.isoformat()},
            )
        elif existing.due_at != timer.due_at:
            if existing.due_at <= now < timer.due_at:  # a cycle timer fired and waits for its next round
                record(
                    session,
                    case,
                    now,
                    "timer_fired",
                    f"Termijn '{existing.element_id}' verstreken; volgende {timer.due_at:%Y-%m-%d}",
                    element_id=existing.element_id,
                    details={"due_at": existing.due_at.isoformat(), "next": timer.due_at.isoformat()},
                )
            existing.due_at = timer.due_at


def _sync_phase_and_route(
    session: Session,
    case: Case,
    version: ProcessVersion,
    instance: EngineInstance,
    data: dict[str, Any],
    now: datetime,
    actor: str | None,
) -> None:
    phase = None
    for process_id, element_id in instance.active_elements():
        phase = element_info(version, process_id, element_id).get("phase")
        if phase:
            break
    phase = phase or (data.get("phase") if isinstance(data.get("phase"), str) else None)
    if phase:
        change_phase(session, case, phase, now, actor)
    route = data.get("route")
    if isinstance(route, str) and route != case.route:
        case.route = route
        case.organisation = handling_organisation(case.municipality, route) or case.organisation
        record(session, case, now, "route_chosen", f"Route: {route}", actor, details={"route": route})


def change_phase(session: Session, case: Case, phase: str, now: datetime, actor: str | None) -> None:
    """Set the case's phase, recording the change in its history (nothing when it is already there)."""
    if phase == case.phase:
        return
    previous, case.phase = case.phase, phase
    record(session, case, now, "phase_changed", f"Fase: {phase}", actor, details={"from": previous, "to": phase})


def _settings(session: Session) -> Settings:
    source = session.info.get("settings")
    return source() if source is not None else Settings()


def element_info(version: ProcessVersion, process_id: str, element_id: str) -> dict[str, Any]:
    return version_elements(version).get(process_id, {}).get(element_id, {})


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items() if not callable(v)}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
