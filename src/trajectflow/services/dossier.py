"""Read side of the case dossier: client, completed tasks, ladder history and the diagram with element states.

Viewing a dossier shows personal data; the request hook writes every view to the audit trail
(ops/audit_rules.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from ..domain.bsn import mask_bsn
from ..domain.cases import Actor, TaskStatus
from ..engine.diagram import call_links, process_files
from ..store.models import CaseEvent, Client, ProcessVersion, Task, Timer
from .context import ServiceContext
from .loading import get_case
from .queries import case_detail, case_history, task_dict

COMPLETED_KINDS = ("task_completed", "timer_fired")


def case_dossier(ctx: ServiceContext, actor: Actor, case_id: int) -> dict[str, Any]:
    """Everything the dossier page shows except notes and the diagram."""
    detail = case_detail(ctx, case_id)
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        case = get_case(uow.session, case_id)
        client = uow.session.get(Client, case.client_id)
        assert client is not None
        detail["client"] = {
            "id": client.id,
            "name": client.name,
            "bsn": mask_bsn(client.bsn),
            "birth_date": client.birth_date,
            "municipality": client.municipality,
        }
        done = uow.session.scalars(
            select(Task)
            .where(Task.case_id == case_id, Task.status == TaskStatus.COMPLETED)
            .order_by(Task.completed_at, Task.id)
        ).all()
        detail["completed_tasks"] = [task_dict(task, now) for task in done]
        detail["ladder"] = [
            {
                "rung": task.submitted_data["ladder_trede"],
                "at": task.completed_at,
                "task": task.name,
                "by": task.completed_by,
            }
            for task in done
            if task.submitted_data and isinstance(task.submitted_data.get("ladder_trede"), int)
        ]
    detail["history"] = case_history(ctx, case_id)
    return detail


def case_diagram(ctx: ServiceContext, case_id: int) -> dict[str, Any]:
    """The BPMN XML of the case's main process (its own version) and element ids by state.

    Work inside a called process is shown on the call activity that called it. An element that is
    active again (a loop) counts as active, not completed.
    """
    with ctx.uow(write=False) as uow:
        case = get_case(uow.session, case_id)
        version = uow.session.get(ProcessVersion, case.process_version_id)
        assert version is not None
        open_tasks = uow.session.execute(
            select(Task.process_id, Task.element_id).where(Task.case_id == case_id, Task.status == TaskStatus.OPEN)
        ).all()
        timers = uow.session.execute(select(Timer.process_id, Timer.element_id).where(Timer.case_id == case_id)).all()
        completed_ids = uow.session.scalars(
            select(CaseEvent.element_id)
            .where(CaseEvent.case_id == case_id, CaseEvent.kind.in_(COMPLETED_KINDS), CaseEvent.element_id.is_not(None))
            .distinct()
        ).all()
        main = version.process_id
        sources = dict(version.sources)
        process_of = _element_processes(version.elements, main)
    files = process_files(sources)
    lift = _lifter(main, call_links(sources))
    active = {lift(p, e) for p, e in open_tasks} - {None}
    waiting = {lift(p, e) for p, e in timers} - {None} - active
    completed = {lift(process_of.get(e, main), e) for e in completed_ids if e} - {None} - active - waiting
    return {
        "process_id": main,
        "xml": sources.get(files.get(main, ""), ""),
        "active": sorted(e for e in active if e),
        "waiting": sorted(e for e in waiting if e),
        "completed": sorted(e for e in completed if e),
        "names": {e: info.get("name", e) for e, info in version.elements.get(main, {}).items()},
    }


def _element_processes(elements: dict[str, Any], main: str) -> dict[str, str]:
    """Element id → process id; where ids repeat across processes the main process wins."""
    owner: dict[str, str] = {}
    for process_id, process_elements in elements.items():
        for element_id in process_elements:
            if process_id == main or element_id not in owner:
                owner[element_id] = process_id
    return owner


def _lifter(main: str, links: dict[str, tuple[str, str]]) -> Callable[[str, str], str | None]:
    def lift(process_id: str, element_id: str) -> str | None:
        seen: set[str] = set()
        while process_id != main:
            if process_id in seen or process_id not in links:
                return None
            seen.add(process_id)
            process_id, element_id = links[process_id]
        return element_id

    return lift
