"""Demo data for `make run`: users per role, clients and cases in several phases. Idempotent."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select

from ..domain.cases import Actor, TaskStatus
from ..domain.errors import NotFound
from ..store.models import Client, Task
from .cases import ClientInput, start_case
from .context import ServiceContext
from .demo_employers import load_demo_employers
from .demo_users import ensure_demo_users
from .tasks import complete_task

MAIN_PROCESS = "participatie_traject"


def demo_plan() -> dict[str, Any]:
    text = resources.files("trajectflow.demo").joinpath("cases.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_demo(ctx: ServiceContext) -> str:
    users = ensure_demo_users(ctx)
    plan = demo_plan()
    registry = load_demo_employers(ctx, plan)  # before the cases, so their matches find the employers
    started = 0
    for client in plan["clients"]:
        if _client_exists(ctx, client["bsn"]):
            continue
        case_id = start_case(
            ctx,
            Actor("klantmanager", frozenset({"klantmanager"})),
            MAIN_PROCESS,
            client["municipality"],
            ClientInput(client["bsn"], client["name"], date.fromisoformat(client["birth_date"])),
        )
        for step in client["steps"]:
            element_id, answer = _step(step, plan["answers"])
            _complete_open(ctx, case_id, element_id, answer)
        started += 1
    return (
        f"demo: {users} user(s), {started} case(s) and {registry} employer(s)/programme(s) added"
        " (password for every demo user: demo)"
    )


def _step(step: str | dict[str, Any], defaults: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if isinstance(step, str):
        return step, defaults[step]
    ((element_id, answer),) = step.items()
    return element_id, answer


def _client_exists(ctx: ServiceContext, bsn: str) -> bool:
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(Client.id).where(Client.bsn == bsn)) is not None


def _complete_open(ctx: ServiceContext, case_id: int, element_id: str, answer: dict[str, Any]) -> None:
    with ctx.uow(write=False) as uow:
        task = uow.session.scalar(
            select(Task).where(Task.case_id == case_id, Task.status == TaskStatus.OPEN, Task.element_id == element_id)
        )
    if task is None:
        raise NotFound(f"demo case {case_id} has no open task '{element_id}'")
    role = task.role or "klantmanager"
    complete_task(ctx, Actor(role, frozenset({role})), task.id, answer)
