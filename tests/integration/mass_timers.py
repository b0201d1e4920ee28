"""Many cases with a due timer, fast: one case is started for real, the rest are copies of its rows.

Copies share the engine state (so the same engine task ids, unique per case only), which is
exactly what each of them would be after a real start. Used by the multi-process scheduler test
and by `make bench`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from trajectflow.domain.cases import Actor
from trajectflow.domain.clock import FixedClock
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.context import ServiceContext
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.store.models import Case, CaseEvent, Timer

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "timers"
PROCESS = "termijn_proces"
KM = Actor("klantmanager", frozenset({"klantmanager"}))


def deploy_timer_process(ctx: ServiceContext) -> None:
    ensure_demo_users(ctx)
    deploy_directory(ctx, FIXTURE, FIXTURE, "test")


def start_timer_case(ctx: ServiceContext, clock: FixedClock, due_at: datetime, bsn: str = "111222333") -> int:
    """One real case whose timer is due at `due_at` (the clock is moved to start it an hour before)."""
    clock.set(due_at - timedelta(hours=1))
    client = ClientInput(bsn, "Test Cliënt", date(1980, 1, 1))
    return start_case(ctx, KM, PROCESS, "roermond", client, data={"wachttijd": "PT1H"})


def copy_case(ctx: ServiceContext, case_id: int, copies: int) -> None:
    """Insert `copies` copies of a case with its timers, in bulk."""
    with ctx.uow() as uow:
        session = uow.session
        case = session.get(Case, case_id)
        assert case is not None
        timers = list(session.scalars(select(Timer).where(Timer.case_id == case_id)))
        columns = [c.key for c in Case.__table__.columns if c.key != "id"]
        template = {c: getattr(case, c) for c in columns}
        for first in range(0, copies, 2000):
            rows = [dict(template) for _ in range(min(2000, copies - first))]
            ids = session.scalars(insert(Case).returning(Case.id), rows).all()
            session.execute(
                insert(Timer),
                [
                    {
                        "case_id": new_id,
                        "engine_task_id": t.engine_task_id,
                        "process_id": t.process_id,
                        "element_id": t.element_id,
                        "due_at": t.due_at,
                    }
                    for new_id in ids
                    for t in timers
                ],
            )
        uow.commit()


def waiting_timers(ctx: ServiceContext) -> int:
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(func.count(Timer.id))) or 0


def fired_per_case(ctx: ServiceContext) -> dict[int, int]:
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(CaseEvent.case_id, func.count(CaseEvent.id))
            .where(CaseEvent.kind == "timer_fired")
            .group_by(CaseEvent.case_id)
        ).all()
        return {case_id: count for case_id, count in rows}


def spawn_scheduler(database_url: str, poll: float = 1.0) -> subprocess.Popen[bytes]:
    """A real `trajectflow scheduler` process (system clock) against `database_url`."""
    env = {**os.environ, "TRAJECTFLOW_DATABASE_URL": database_url, "TRAJECTFLOW_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "trajectflow.cli", "scheduler", "--interval", str(poll)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def analyse(ctx: ServiceContext) -> None:
    with ctx.uow() as uow:
        if uow.session.get_bind().dialect.name == "postgresql":
            uow.session.execute(text("ANALYZE"))
            uow.commit()
