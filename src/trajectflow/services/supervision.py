"""What a teamleider may do to tasks and cases: reassign, retry, suspend, resume, cancel, move the token.

Each action is one transaction and leaves a history entry with the actor and the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.cases import CLOSED_PHASE, Actor, CaseStatus, TaskStatus
from ..domain.errors import Conflict, EngineFailure, Forbidden, ValidationFailed
from ..domain.roles import SUPERVISOR_ROLES
from ..domain.tenancy import visible_municipalities
from ..store.models import Case, Task, Timer, User
from .context import ServiceContext
from .loading import get_case, get_task, load_instance
from .projection import change_phase, record, synchronise
from .tasks import mark_errored

MAX_REASON = 400


def require_supervisor(actor: Actor) -> None:
    if not actor.roles & SUPERVISOR_ROLES:
        raise Forbidden(
            "only a teamleider may do this", {"required_role": sorted(SUPERVISOR_ROLES), "roles": sorted(actor.roles)}
        )


def _reason(reason: str | None, required: bool) -> str | None:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationFailed("give a reason", {"reason": ["required"]})
    if len(text) > MAX_REASON:
        raise ValidationFailed("reason too long", {"reason": [f"at most {MAX_REASON} characters"]})
    return text or None


def _with_reason(message: str, reason: str | None) -> str:
    return f"{message} — reden: {reason}" if reason else message


def _require_status(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise Conflict(
            f"case {case.id} is {case.status}; this needs a case that is {' or '.join(allowed)}",
            {"status": case.status},
        )


# -- tasks ------------------------------------------------------------------------------------------
def reassign_task(ctx: ServiceContext, actor: Actor, task_id: int, assignee: str, reason: str | None = None) -> None:
    """Give an open task to `assignee`, who must hold the task's role."""
    reassign_tasks(ctx, actor, [task_id], assignee, reason)


def reassign_tasks(
    ctx: ServiceContext, actor: Actor, task_ids: Sequence[int], assignee: str, reason: str | None = None
) -> list[int]:
    """Give every listed open task to `assignee` at once; nothing changes when one of them cannot be given."""
    require_supervisor(actor)
    note = _reason(reason, required=False)
    if not task_ids:
        raise ValidationFailed("no tasks given", {"task_ids": ["give at least one task id"]})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        user = _active_user(session, assignee)
        tasks = [get_task(session, task_id) for task_id in dict.fromkeys(task_ids)]
        for task in tasks:
            if task.status != TaskStatus.OPEN:
                raise Conflict(f"task {task.id} is {task.status}", {"task_id": task.id, "status": task.status})
            if task.role is not None and task.role not in user.roles:
                raise ValidationFailed(
                    f"{user.username} does not hold role '{task.role}' of task {task.id}",
                    {"assignee": [f"'{user.username}' does not hold role '{task.role}' (task {task.id})"]},
                )
            municipality = get_case(session, task.case_id).municipality
            if municipality not in visible_municipalities(user.organisation, user.municipality):
                raise ValidationFailed(
                    f"{user.username} does not work for {municipality} (task {task.id})",
                    {"assignee": [f"'{user.username}' does not work for {municipality} (task {task.id})"]},
                )
        for task in tasks:
            previous = task.assignee
            if previous == user.username:
                continue
            task.assignee = user.username
            case = get_case(session, task.case_id)
            message = f"Taak '{task.name}' toegewezen aan {user.username}" + (f" (was {previous})" if previous else "")
            record(
                session,
                case,
                now,
                "task_reassigned",
                _with_reason(message, note),
                actor.username,
                task,
                details={"from": previous, "to": user.username, "reason": note},
            )
        uow.commit()
        return [task.id for task in tasks]


def _active_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active:
        raise ValidationFailed(f"unknown user '{username}'", {"assignee": [f"unknown user '{username}'"]})
    return user


# -- cases ------------------------------------------------------------------------------------------
def retry_case(ctx: ServiceContext, actor: Actor, case_id: int, reason: str | None = None) -> str:
    """Run the failed step of an errored case again; returns the case status afterwards."""
    require_supervisor(actor)
    note = _reason(reason, required=False)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        case = get_case(session, case_id)
        _require_status(case, CaseStatus.ERRORED)
        version, instance = load_instance(session, case)
        failed_at = case.error_element
        record(
            session,
            case,
            now,
            "case_retried",
            _with_reason(f"Opnieuw geprobeerd vanaf '{failed_at}'", note),
            actor.username,
            element_id=failed_at,
            details={"reason": note, "previous_error": case.error_message},
        )
        _clear_error(case)
        error: EngineFailure | None = None
        try:
            instance.retry_errors(ctx.clock)
        except EngineFailure as failure:
            error = failure
        synchronise(session, case, version, instance, now, actor.username)
        if error is not None:
            mark_errored(session, case, error, now, actor.username)
        uow.commit()
        return case.status


def _clear_error(case: Case) -> None:
    case.status = CaseStatus.ACTIVE
    _clear_error_fields(case)


def _clear_error_fields(case: Case) -> None:
    case.error_element = None
    case.error_task = None
    case.error_message = None


def suspend_case(ctx: ServiceContext, actor: Actor, case_id: int, reason: str | None = None) -> None:
    """Pause an active case: its tasks stay visible but cannot be completed, its timers do not fire."""
    _change_status(ctx, actor, case_id, reason, CaseStatus.ACTIVE, CaseStatus.SUSPENDED, "case_suspended", "Opgeschort")


def resume_case(ctx: ServiceContext, actor: Actor, case_id: int, reason: str | None = None) -> None:
    """Let a suspended case continue; timers that fell due meanwhile fire on the scheduler's next run."""
    _change_status(ctx, actor, case_id, reason, CaseStatus.SUSPENDED, CaseStatus.ACTIVE, "case_resumed", "Hervat")


def _change_status(
    ctx: ServiceContext,
    actor: Actor,
    case_id: int,
    reason: str | None,
    current: str,
    new: str,
    kind: str,
    message: str,
) -> None:
    require_supervisor(actor)
    note = _reason(reason, required=False)
    with ctx.uow() as uow:
        case = get_case(uow.session, case_id)
        _require_status(case, current)
        case.status = new
        record(
            uow.session,
            case,
            ctx.clock.now(),
            kind,
            _with_reason(message, note),
            actor.username,
            details={"reason": note},
        )
        uow.commit()


def cancel_case(ctx: ServiceContext, actor: Actor, case_id: int, reason: str) -> None:
    """Stop a case for good: open tasks cancelled, timers removed, status cancelled."""
    require_supervisor(actor)
    note = _reason(reason, required=True)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        case = get_case(session, case_id)
        _require_status(case, CaseStatus.ACTIVE, CaseStatus.ERRORED, CaseStatus.SUSPENDED)
        version, instance = load_instance(session, case)
        instance.cancel()
        for timer in session.scalars(select(Timer).where(Timer.case_id == case.id)):
            session.delete(timer)
        session.flush()
        case.status = CaseStatus.CANCELLED
        case.closed_at = now
        _clear_error_fields(case)
        record(
            session,
            case,
            now,
            "case_cancelled",
            _with_reason("Traject geannuleerd", note),
            actor.username,
            details={"reason": note},
        )
        synchronise(session, case, version, instance, now, actor.username)
        change_phase(session, case, CLOSED_PHASE, now, actor.username)
        uow.commit()


def move_case(ctx: ServiceContext, actor: Actor, case_id: int, to_element_id: str, reason: str) -> dict[str, Any]:
    """Move the case's token to user task `to_element_id` (rewind or jump, see engine/token.py).

    An errored case becomes active again (or errored with the new failure); a suspended case stays suspended.
    """
    require_supervisor(actor)
    note = _reason(reason, required=True)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        case = get_case(session, case_id)
        _require_status(case, CaseStatus.ACTIVE, CaseStatus.ERRORED, CaseStatus.SUSPENDED)
        version, instance = load_instance(session, case)
        from_elements = sorted({t.element_id for t in _open_tasks(session, case.id)})
        if case.error_element:
            from_elements.append(case.error_element)
        error: EngineFailure | None = None
        try:
            move = instance.move_token(to_element_id, ctx.clock)
        except EngineFailure as failure:
            error, move = failure, None
        mode = move.mode if move is not None else "jump"
        record(
            session,
            case,
            now,
            "token_moved",
            _with_reason(f"Verplaatst naar '{to_element_id}'", note),
            actor.username,
            element_id=to_element_id,
            details={"from": from_elements, "to": to_element_id, "mode": mode, "reason": note},
        )
        if case.status == CaseStatus.ERRORED:
            _clear_error(case)
        synchronise(session, case, version, instance, now, actor.username)
        if error is not None:
            mark_errored(session, case, error, now, actor.username)
        uow.commit()
        return {"case_id": case.id, "mode": mode, "status": case.status}


def _open_tasks(session: Session, case_id: int) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.case_id == case_id, Task.status == TaskStatus.OPEN)))


def movable_elements(ctx: ServiceContext, actor: Actor, case_id: int) -> list[dict[str, str]]:
    """The user tasks a case's token may be moved to, with their names, for forms and pickers (teamleider)."""
    require_supervisor(actor)
    with ctx.uow(write=False) as uow:
        case = get_case(uow.session, case_id)
        if case.status not in (CaseStatus.ACTIVE, CaseStatus.ERRORED, CaseStatus.SUSPENDED):
            return []
        version, instance = load_instance(uow.session, case)
        result = []
        for process_id, element_ids in instance.user_task_ids().items():
            elements = version.elements.get(process_id, {})
            for element_id in element_ids:
                name = elements.get(element_id, {}).get("name") or element_id
                result.append({"process_id": process_id, "element_id": element_id, "name": name})
        return sorted(result, key=lambda e: (e["process_id"], e["name"]))
