"""The templates of `demo --scale`: real started demo cases whose engine state and open work are copied."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..domain.cases import CaseStatus, TaskStatus
from ..store.bulk import json_text
from ..store.models import Case, Task, Timer
from .context import ServiceContext
from .demo import load_demo


@dataclass(frozen=True)
class TaskShape:
    process_id: str
    element_id: str
    name: str
    form: str | None
    role: str | None
    phase: str | None
    engine_task_id: str = ""
    submitted_data: str | None = None


@dataclass(frozen=True)
class Template:
    """A real started case whose state and open work the generated cases copy."""

    process_version_id: int
    state: bytes
    data: str
    phase: str | None
    route: str | None
    lock_version: int
    open_tasks: tuple[TaskShape, ...]
    timers: tuple[TaskShape, ...]


def load_templates(ctx: ServiceContext) -> tuple[list[Template], list[TaskShape]]:
    """The demo's active cases with open work, and the completed tasks (for history) of all its cases."""
    load_demo(ctx)
    templates: list[Template] = []
    with ctx.uow(write=False) as uow:
        session = uow.session
        cases = session.scalars(select(Case).where(Case.status == CaseStatus.ACTIVE).order_by(Case.id)).all()
        for case in cases:
            tasks = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == TaskStatus.OPEN)).all()
            timers = session.scalars(select(Timer).where(Timer.case_id == case.id)).all()
            if not tasks:
                continue
            templates.append(
                Template(
                    case.process_version_id,
                    case.engine_state,
                    json_text(case.data),
                    case.phase,
                    case.route,
                    case.lock_version,
                    tuple(_shape(t) for t in tasks),
                    tuple(
                        TaskShape(t.process_id, t.element_id, "", None, None, None, t.engine_task_id) for t in timers
                    ),
                )
            )
        done = session.scalars(select(Task).where(Task.status == TaskStatus.COMPLETED).order_by(Task.id)).all()
        history = [_shape(t) for t in done] or [s for t in templates for s in t.open_tasks]
    if not templates:
        raise RuntimeError("the demo has no active case with open tasks to copy")
    return templates, history


def _shape(task: Task) -> TaskShape:
    data = json_text(task.submitted_data) if task.submitted_data is not None else None
    return TaskShape(
        task.process_id, task.element_id, task.name, task.form, task.role, task.phase, task.engine_task_id, data
    )
