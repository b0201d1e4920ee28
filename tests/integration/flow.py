"""Driving a case through the service layer: complete whichever task is open, fire timers by the clock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from trajectflow.domain.cases import Actor, TaskStatus
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.context import ServiceContext
from trajectflow.services.tasks import complete_task
from trajectflow.store.models import CaseEvent, Task, Timer

KM = Actor("klantmanager", frozenset({"klantmanager"}))


class CaseFlow:
    def __init__(self, ctx: ServiceContext, case_id: int) -> None:
        self.ctx, self.case_id = ctx, case_id

    @classmethod
    def start(cls, ctx: ServiceContext, bsn: str, birth: date, municipality: str = "roermond") -> CaseFlow:
        client = ClientInput(bsn, "Test Cliënt", birth)
        return cls(ctx, start_case(ctx, KM, "participatie_traject", municipality, client))

    def open_tasks(self) -> list[Task]:
        with self.ctx.uow(write=False) as uow:
            query = select(Task).where(Task.case_id == self.case_id, Task.status == TaskStatus.OPEN)
            return list(uow.session.scalars(query.order_by(Task.id)))

    def task(self, element_id: str) -> Task:
        found = [t for t in self.open_tasks() if t.element_id == element_id]
        assert found, f"{element_id} is not open; open: {[t.element_id for t in self.open_tasks()]}"
        return found[0]

    def complete(self, element_id: str, answer: dict[str, Any]) -> None:
        task = self.task(element_id)
        role = task.role or "klantmanager"
        complete_task(self.ctx, Actor(role, frozenset({role})), task.id, answer)

    def timers(self) -> dict[str, datetime]:
        with self.ctx.uow(write=False) as uow:
            rows = uow.session.scalars(select(Timer).where(Timer.case_id == self.case_id))
            return {row.element_id: row.due_at for row in rows}

    def fired(self, element_id: str) -> int:
        with self.ctx.uow(write=False) as uow:
            rows = uow.session.scalars(
                select(CaseEvent).where(
                    CaseEvent.case_id == self.case_id,
                    CaseEvent.kind == "timer_fired",
                    CaseEvent.element_id == element_id,
                )
            )
            return len(list(rows))
