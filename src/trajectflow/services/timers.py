"""Firing BPMN timers that are due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..domain.cases import CaseStatus
from ..domain.errors import Conflict, EngineFailure
from ..store.models import Case, Timer
from .context import ServiceContext
from .loading import load_instance
from .projection import synchronise
from .tasks import mark_errored


def due_case_ids(ctx: ServiceContext, now: datetime, limit: int = 500) -> list[int]:
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(Timer.case_id, Timer.due_at)
            .join(Case, Case.id == Timer.case_id)
            .where(Timer.due_at <= now, Case.status == CaseStatus.ACTIVE)
            .order_by(Timer.due_at)
            .limit(limit)
        ).all()
    ordered: list[int] = []
    for case_id, _due in rows:
        if case_id not in ordered:
            ordered.append(case_id)
    return ordered


def fire_due_timers(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Fire every timer due at `now` (default: the clock's now), case by case; return cases advanced.

    Each case advances in its own transaction; a case changed concurrently is left for the next run.
    """
    now = now or ctx.clock.now()
    advanced = 0
    for case_id in due_case_ids(ctx, now):
        try:
            if _fire_case(ctx, case_id, now):
                advanced += 1
        except Conflict:
            continue
    return advanced


def _fire_case(ctx: ServiceContext, case_id: int, now: datetime) -> bool:
    with ctx.uow() as uow:
        session = uow.session
        case = session.get(Case, case_id)
        if case is None or case.status != CaseStatus.ACTIVE:
            return False
        version, instance = load_instance(session, case)
        error = None
        try:
            instance.fire_timers(now)
        except EngineFailure as failure:
            error = failure
        synchronise(session, case, version, instance, now, "systeem")
        if error is not None:
            mark_errored(session, case, error, now, "systeem")
        uow.commit()
        return True
