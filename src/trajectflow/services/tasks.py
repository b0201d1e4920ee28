"""Claiming, releasing and completing user tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.cases import Actor, CaseStatus, TaskStatus
from ..domain.errors import Conflict, EngineFailure, Forbidden, NotFound
from ..store.models import Case, Task
from .context import ServiceContext
from .employer_links import check_employer_links, record_employer_links
from .forms import validate_submission
from .loading import get_case, get_task, keep_instance, load_instance, version_forms
from .projection import load_case_rows, record, synchronise


def _require_role(actor: Actor, task: Task) -> None:
    if not actor.holds(task.role):
        raise Forbidden(
            f"task '{task.name}' is for role '{task.role}'; you hold {sorted(actor.roles) or 'no roles'}",
            {"role": task.role},
        )


def _require_open(task: Task) -> None:
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"task {task.id} is {task.status}", {"status": task.status})


def claim_task(ctx: ServiceContext, actor: Actor, task_id: int) -> None:
    with ctx.uow() as uow:
        task = get_task(uow.session, task_id)
        _require_open(task)
        _require_role(actor, task)
        if task.assignee == actor.username:
            return
        claimed = uow.session.execute(
            update(Task)
            .where(Task.id == task_id, Task.status == TaskStatus.OPEN, Task.assignee.is_(None))
            .values(assignee=actor.username)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            uow.session.rollback()
            current = get_task(uow.session, task_id)
            raise Conflict(f"task {task_id} is already claimed by {current.assignee}", {"assignee": current.assignee})
        case = get_case(uow.session, task.case_id)
        record(uow.session, case, ctx.clock.now(), "task_claimed", f"Taak '{task.name}' opgepakt", actor.username, task)
        uow.commit()


def unclaim_task(ctx: ServiceContext, actor: Actor, task_id: int) -> None:
    with ctx.uow() as uow:
        task = get_task(uow.session, task_id)
        _require_open(task)
        if task.assignee is None:
            raise Conflict(f"task {task_id} is not claimed")
        if task.assignee != actor.username and "teamleider" not in actor.roles:
            raise Forbidden(f"task {task_id} is claimed by {task.assignee}; only they or a teamleider may release it")
        task.assignee = None
        case = get_case(uow.session, task.case_id)
        record(
            uow.session,
            case,
            ctx.clock.now(),
            "task_unclaimed",
            f"Taak '{task.name}' vrijgegeven",
            actor.username,
            task,
        )
        uow.commit()


def complete_task(ctx: ServiceContext, actor: Actor, task_id: int, data: Any) -> dict[str, Any]:
    """Validate the submission, step the engine and store everything in one transaction.

    Returns the case status afterwards. A script or gateway failing further on does not undo the
    completion: the case is marked errored with the failing element for a supervisor to retry.
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        case = _lock_case_of_task(session, task_id)
        rows = load_case_rows(session, [case.id])[case.id]  # the open task comes from here, without a query
        task = get_task(session, task_id)
        _require_open(task)
        _require_role(actor, task)
        if task.assignee not in (None, actor.username):
            raise Conflict(f"task {task_id} is claimed by {task.assignee}", {"assignee": task.assignee})
        if case.status != CaseStatus.ACTIVE:
            raise Conflict(f"case {case.id} is {case.status}; tasks cannot be completed now", {"status": case.status})
        version, instance = load_instance(session, case)
        submitted = validate_submission(version_forms(version).get(task.form) if task.form else None, data)
        check_employer_links(session, submitted)
        error: EngineFailure | None = None
        try:
            instance.complete(task.engine_task_id, submitted, ctx.clock)
        except EngineFailure as failure:
            error = failure
        task.status = TaskStatus.COMPLETED
        task.assignee = task.assignee or actor.username
        task.completed_at = now
        task.completed_by = actor.username
        task.submitted_data = submitted
        record(session, case, now, "task_completed", f"Taak '{task.name}' afgerond", actor.username, task)
        # No flush of its own: the case is locked, so the commit writes everything in one go.
        synchronise(session, case, version, instance, now, actor.username, task.id, rows, flush=False)
        record_employer_links(session, case, task, submitted, now, actor.username)
        if error is not None:
            mark_errored(session, case, error, now, actor.username)
        uow.commit()
        keep_instance(case, version, instance)
        return {"case_id": case.id, "case_status": case.status, "phase": case.phase, "route": case.route}


def _lock_case_of_task(session: Session, task_id: int) -> Case:
    """Lock the case the task belongs to; the task itself is read after, as the lock holder left it.

    One writer per case at a time (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers):
    a second caller waits here, then sees the task as the first one left it. NO KEY UPDATE, so a
    claim inserting a case event (a key-share lock on the case) is not a deadlock.
    """
    case_of_task = select(Task.case_id).where(Task.id == task_id).scalar_subquery()
    case = session.scalars(
        select(Case).where(Case.id == case_of_task).with_for_update(key_share=True),
        execution_options={"populate_existing": True},
    ).first()
    if case is None:
        raise NotFound(f"task {task_id} not found", {"task_id": task_id})
    return case


def mark_errored(session: Any, case: Case, error: EngineFailure, now: Any, actor: str | None) -> None:
    case.status = CaseStatus.ERRORED
    case.error_element = error.element_id
    case.error_task = error.task_name
    case.error_message = error.message[:2000]
    record(
        session,
        case,
        now,
        "case_errored",
        f"Fout in '{error.element_id}': {error.message}",
        actor,
        element_id=error.element_id,
        details={"message": error.message},
    )
