"""Firing due timers in batches: many cases per transaction, each exactly once, and a case that
cannot be stepped does not cost the rest of its batch."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.integration import mass_timers as mt
from trajectflow.domain.cases import CaseStatus, TaskStatus
from trajectflow.services.timers import fire_due_timers
from trajectflow.store.models import Case, CaseEvent, Task


def _due_cases(ctx, clock, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    mt.deploy_timer_process(ctx)
    due = clock.now() + timedelta(hours=1)
    template = mt.start_timer_case(ctx, clock, due)
    mt.copy_case(ctx, template, count - 1)
    clock.set(due)
    with ctx.uow(write=False) as uow:
        return list(uow.session.scalars(select(Case.id).order_by(Case.id)))


def _versions(ctx) -> dict[int, int]:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        return dict(uow.session.execute(select(Case.id, Case.lock_version)).all())


def test_batches_fire_every_case_once_and_link_events_to_new_tasks(ctx, clock):
    cases = _due_cases(ctx, clock, 7)
    before = _versions(ctx)
    assert fire_due_timers(ctx, batch_size=3) == 7
    assert fire_due_timers(ctx, batch_size=3) == 0
    assert mt.fired_per_case(ctx) == {case_id: 1 for case_id in cases}
    with ctx.uow(write=False) as uow:
        tasks = {t.case_id: t.id for t in uow.session.scalars(select(Task).where(Task.status == TaskStatus.OPEN))}
        created = {
            e.case_id: e.task_id for e in uow.session.scalars(select(CaseEvent).where(CaseEvent.kind == "task_created"))
        }
    assert tasks == created and set(tasks) == set(cases)
    assert _versions(ctx) == {case_id: version + 1 for case_id, version in before.items()}  # written once each


def test_a_case_that_cannot_be_stepped_does_not_hold_up_its_batch(ctx, clock):
    cases = _due_cases(ctx, clock, 5)
    broken = cases[2]
    with ctx.uow() as uow:
        uow.session.execute(update(Case).where(Case.id == broken).values(engine_state=b"not an engine state"))
        uow.commit()
    assert fire_due_timers(ctx, batch_size=10) == 4
    assert mt.fired_per_case(ctx) == {case_id: 1 for case_id in cases if case_id != broken}
    with ctx.uow(write=False) as uow:
        status = dict(uow.session.execute(select(Case.id, Case.status)).all())
        errored = uow.session.scalars(select(CaseEvent.case_id).where(CaseEvent.kind == "case_errored")).all()
    assert status[broken] == CaseStatus.ERRORED and errored == [broken]
    assert all(status[c] == CaseStatus.ACTIVE for c in cases if c != broken)
    assert fire_due_timers(ctx, batch_size=10) == 0  # the errored case waits for a supervisor
