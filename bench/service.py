"""Persisted task completion through the service layer (`complete_task`), SQLite or PostgreSQL.

Each route run starts a case with `start_case` and completes its user tasks one by one; only the
`complete_task` calls are timed. Looking up the open task and firing timers (move the FixedClock
past the earliest due timer, then `fire_due_timers`) happen between the timed calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from trajectflow.domain.cases import Actor, CaseStatus, TaskStatus
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.context import ServiceContext
from trajectflow.services.tasks import complete_task
from trajectflow.services.timers import fire_due_timers
from trajectflow.store.models import Case, Task, Timer

from .database import BenchDatabase
from .route import CLIENT_BIRTH, CLIENT_BSN, CLIENT_NAME, MUNICIPALITY, PROCESS_ID, answer_for

STARTER = Actor("klantmanager", frozenset({"klantmanager"}))


def start_route_case(ctx: ServiceContext) -> int:
    client = ClientInput(CLIENT_BSN, CLIENT_NAME, CLIENT_BIRTH)
    return start_case(ctx, STARTER, PROCESS_ID, MUNICIPALITY, client)


def open_task(ctx: ServiceContext, case_id: int) -> tuple[int, str, str] | None:
    """(task id, element id, role) of the case's open task, or None when it waits for a timer."""
    with ctx.uow(write=False) as uow:
        row = uow.session.execute(
            select(Task.id, Task.element_id, Task.role)
            .where(Task.case_id == case_id, Task.status == TaskStatus.OPEN)
            .order_by(Task.id)
            .limit(1)
        ).first()
    return None if row is None else (row[0], row[1], row[2])


def case_status(ctx: ServiceContext, case_id: int) -> str:
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(Case.status).where(Case.id == case_id)) or ""


def fire_next_timer(db: BenchDatabase, case_id: int) -> None:
    """Move the clock just past the case's earliest timer and let the service fire it."""
    with db.ctx.uow(write=False) as uow:
        due = uow.session.scalar(select(Timer.due_at).where(Timer.case_id == case_id).order_by(Timer.due_at).limit(1))
    if due is None:
        raise RuntimeError(f"case {case_id} is stuck: no open task and no waiting timer")
    db.clock.set(max(db.clock.now(), due + timedelta(seconds=1)))
    if fire_due_timers(db.ctx) < 1:
        raise RuntimeError(f"the timer of case {case_id} due at {due} did not fire")


def actor_for(role: str | None) -> Actor:
    role = role or "klantmanager"
    return Actor(role, frozenset({role}))


def drive_case(
    db: BenchDatabase,
    case_id: int,
    complete: Callable[[int, str, str | None], None],
    after_step: Callable[[], None] = lambda: None,
) -> None:
    """Complete the case's open tasks with `complete` and fire its timers until it is closed."""
    while case_status(db.ctx, case_id) == CaseStatus.ACTIVE:
        task = open_task(db.ctx, case_id)
        if task is None:
            fire_next_timer(db, case_id)
        else:
            complete(*task)
        after_step()
    status = case_status(db.ctx, case_id)
    if status != CaseStatus.COMPLETED:
        raise RuntimeError(f"case {case_id} ended {status}, not completed")


class ServiceRunner:
    def __init__(self, db: BenchDatabase) -> None:
        self.db = db
        self.name = f"service_{db.backend}"

    def run_route(self) -> list[float]:
        ctx = self.db.ctx
        durations: list[float] = []

        def timed_complete(task_id: int, element_id: str, role: str | None) -> None:
            answer = answer_for(element_id)
            started = time.perf_counter()
            complete_task(ctx, actor_for(role), task_id, answer)
            durations.append(time.perf_counter() - started)

        drive_case(self.db, start_route_case(ctx), timed_complete)
        return durations

    def close(self) -> None:
        pass
