"""Firing BPMN timers that are due: claim, fire through the engine, commit — exactly once.

Due timers are found through the indexed `timers` table. A batch of their cases is claimed with
row locks (`SELECT … FOR UPDATE OF cases SKIP LOCKED` on PostgreSQL, so several scheduler
processes share the work without waiting on each other; on SQLite every write transaction holds
the database's write lock, which serialises schedulers). Whether a timer fires is decided by the
engine state read *after* the lock is held, so a timer that another process fired a moment ago is
simply no longer due: each timer fires once. A process that dies mid-batch loses its locks with
its connection and another process takes the batch over.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ..domain.cases import CaseStatus
from ..domain.errors import Conflict, EngineFailure
from ..store.models import Case, ProcessVersion, Timer
from .context import ServiceContext
from .loading import load_instance
from .projection import CaseRows, load_case_rows, synchronise, write_cases_in_bulk
from .tasks import mark_errored

log = logging.getLogger(__name__)
BATCH_SIZE = 200
SYSTEM_ACTOR = "systeem"


def fire_due_timers(ctx: ServiceContext, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Fire every timer due at `now` (default: the clock's now), oldest due first; return timers fired.

    Runs batches until nothing due is left that another process has not claimed (catch-up after
    downtime drains everything missed, in due order).
    """
    now = now or ctx.clock.now()
    fired = 0
    while True:
        claimed, fired_now = _fire_batch(ctx, now, batch_size)
        fired += fired_now
        if claimed < batch_size:
            return fired


def next_due_at(ctx: ServiceContext) -> datetime | None:
    """When the earliest waiting timer of an active case is due (None when none waits)."""
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(
            select(func.min(Timer.due_at)).join(Case, Case.id == Timer.case_id).where(Case.status == CaseStatus.ACTIVE)
        )


def _claim(session: Session, now: datetime, batch_size: int) -> tuple[list[Case], int]:
    """Lock the cases of up to `batch_size` due timers, oldest due first (skipping cases other
    processes hold); return them and the number of due timers seen (a full batch means: look again).

    Only ids go through the sort and the lock (the wide case rows would make every claim sort
    megabytes); the locked cases are then read in one query.
    """
    query = (
        select(Case.id)
        .join(Timer, Timer.case_id == Case.id)
        .where(Timer.due_at <= now, Case.status == CaseStatus.ACTIVE)
        .order_by(Timer.due_at, Timer.id)
        .limit(batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        # NO KEY UPDATE: inserting a case event elsewhere (a key-share lock on the case) need not wait.
        query = query.with_for_update(skip_locked=True, of=Case, key_share=True)
    due = list(session.scalars(query))
    case_ids = list(dict.fromkeys(due))
    if not case_ids:
        return [], 0
    found = {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    return [found[case_id] for case_id in case_ids], len(due)


def load_versions(session: Session, version_ids: set[int]) -> list[ProcessVersion]:
    return list(session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(version_ids))))


def _fire_batch(ctx: ServiceContext, now: datetime, batch_size: int) -> tuple[int, int]:
    """Claim up to `batch_size` due cases and fire them in one transaction; return (claimed, fired)."""
    case_ids: list[int] = []
    try:
        with ctx.uow() as uow:
            cases, seen = _claim(uow.session, now, batch_size)
            case_ids = [case.id for case in cases]
            rows = load_case_rows(uow.session, case_ids)
            # Held here so the session's (weak) identity map keeps them for every case of the batch.
            versions = load_versions(uow.session, {case.process_version_id for case in cases})  # noqa: F841
            # No flush per case: the batch's task, timer and event rows go out in bulk at the commit.
            fired = sum(_fire_case(uow.session, case, now, rows[case.id], flush=False) for case in cases)
            write_cases_in_bulk(uow.session, [case for case in cases if inspect(case).modified])
            uow.commit()
            return seen, fired
    except Conflict:
        return len(case_ids), 0  # changed concurrently (SQLite); the next round sees the new state
    except Exception:  # noqa: BLE001 - one broken case must not block every timer behind it
        log.exception("firing a batch of %d case(s) failed; retrying them one by one", len(case_ids))
    return len(case_ids), sum(_fire_alone(ctx, case_id, now) for case_id in case_ids)


def _fire_alone(ctx: ServiceContext, case_id: int, now: datetime) -> int:
    try:
        with ctx.uow() as uow:
            case = uow.session.get(Case, case_id)
            if case is None or case.status != CaseStatus.ACTIVE:
                return 0
            fired = _fire_case(uow.session, case, now, load_case_rows(uow.session, [case_id])[case_id])
            uow.commit()
            return fired
    except Conflict:
        return 0
    except Exception as err:  # noqa: BLE001 - park the case as errored so a supervisor sees it
        log.exception("firing timers of case %d failed", case_id)
        with ctx.uow() as uow:
            case = uow.session.get(Case, case_id)
            if case is not None and case.status == CaseStatus.ACTIVE:
                failure = EngineFailure(f"timer could not fire: {type(err).__name__}: {err}")
                mark_errored(uow.session, case, failure, now, SYSTEM_ACTOR)
                uow.commit()
        return 0


def _fire_case(session: Session, case: Case, now: datetime, rows: CaseRows, flush: bool = True) -> int:
    """Fire what is due in one (locked) case; return how many of its timer rows fired."""
    due_rows = {row.engine_task_id: row.due_at for row in rows.timers if row.due_at <= now}
    if not due_rows:
        return 0  # fired by another process between our query and our lock
    version, instance = load_instance(session, case)
    error = None
    try:
        instance.fire_timers(now)
    except EngineFailure as failure:
        error = failure
    still_waiting = {t.engine_id: t.due_at for t in instance.waiting_timers()}
    synchronise(session, case, version, instance, now, SYSTEM_ACTOR, rows=rows, flush=flush)
    if error is not None:
        mark_errored(session, case, error, now, SYSTEM_ACTOR)
    return sum(
        1 for engine_id, due in due_rows.items() if engine_id not in still_waiting or still_waiting[engine_id] != due
    )
