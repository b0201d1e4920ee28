"""A process that loops 1,000+ times through a user task with a boundary timer keeps working."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import FIXTURES
from trajectflow.domain.cases import Actor
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.queries import TaskFilter, case_detail, case_history, list_tasks
from trajectflow.services.tasks import complete_task
from trajectflow.services.timers import fire_due_timers
from trajectflow.store.models import Case

KM = Actor("klantmanager", frozenset({"klantmanager"}))


def test_loop_of_1100_iterations_with_timer_completes(ctx, clock):
    ensure_demo_users(ctx)
    deploy_directory(ctx, FIXTURES / "loop", FIXTURES / "loop")
    from datetime import date

    case_id = start_case(
        ctx,
        KM,
        "loop_proces",
        "roermond",
        ClientInput("111222333", "Test Cliënt", date(1990, 1, 1)),
        data={"doel": 1100},
    )
    for iteration in range(1100):
        if iteration % 2 == 0:
            task = list_tasks(ctx, TaskFilter(case_id=case_id, status="open")).items[0]
            complete_task(ctx, KM, task["id"], {"opmerking": f"ronde {iteration}"})
        else:
            clock.advance(timedelta(days=15))
            assert fire_due_timers(ctx) == 1
    detail = case_detail(ctx, case_id)
    assert detail["status"] == "completed"
    assert detail["data"]["teller"] == 1100
    kinds = [e["kind"] for e in case_history(ctx, case_id)]
    assert kinds.count("task_completed") == 550
    assert kinds.count("timer_fired") == 550
    with ctx.uow(write=False) as uow:
        size = uow.session.scalar(select(func.length(Case.engine_state)).where(Case.id == case_id))
    assert size < 20_000
