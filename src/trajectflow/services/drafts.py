"""Drafts: form data saved on an open task without completing it (one per task and user)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from ..domain.cases import Actor, TaskStatus
from ..domain.errors import Conflict, Forbidden, ValidationFailed
from ..store.models import TaskDraft
from .context import ServiceContext
from .loading import get_task


def save_draft(ctx: ServiceContext, actor: Actor, task_id: int, data: dict[str, Any]) -> None:
    """Keep unfinished form data; it is not validated against the form until the task is completed."""
    if not isinstance(data, dict):
        raise ValidationFailed("draft data must be an object", {"data": ["must be an object"]})
    with ctx.uow() as uow:
        task = get_task(uow.session, task_id)
        if task.status != TaskStatus.OPEN:
            raise Conflict(f"task {task_id} is {task.status}", {"status": task.status})
        if not actor.holds(task.role):
            raise Forbidden(f"task '{task.name}' is for role '{task.role}'", {"role": task.role})
        if task.assignee not in (None, actor.username):
            raise Conflict(f"task {task_id} is claimed by {task.assignee}", {"assignee": task.assignee})
        draft = uow.session.scalar(
            select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.username == actor.username)
        )
        if draft is None:
            draft = TaskDraft(task_id=task_id, username=actor.username, data=data, saved_at=ctx.clock.now())
            uow.session.add(draft)
        else:
            draft.data = data
            draft.saved_at = ctx.clock.now()
        uow.commit()


def get_draft(ctx: ServiceContext, actor: Actor, task_id: int) -> dict[str, Any] | None:
    with ctx.uow(write=False) as uow:
        draft = uow.session.scalar(
            select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.username == actor.username)
        )
        return None if draft is None else {"data": draft.data, "saved_at": draft.saved_at}


def discard_drafts(ctx: ServiceContext, task_id: int) -> None:
    """Drop every draft of a task (after it is completed: the submitted data is what counts)."""
    with ctx.uow() as uow:
        uow.session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))
        uow.commit()
