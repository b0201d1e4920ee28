"""Two `trajectflow scheduler` processes on PostgreSQL drain 10,000 due timers: each fires exactly once,
also when one of them is killed (SIGKILL) halfway."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select, text

from tests.conftest import POSTGRES_URL, ROOT, _postgres_engine
from tests.integration import mass_timers as mt
from trajectflow.domain.cases import TaskStatus
from trajectflow.domain.clock import FixedClock
from trajectflow.services.context import ServiceContext
from trajectflow.settings import Settings
from trajectflow.store.db import make_engine
from trajectflow.store.migrate import upgrade
from trajectflow.store.models import Task
from trajectflow.store.uow import UnitOfWorkFactory

TIMERS = 10_000


@pytest.fixture
def postgres_ctx() -> Iterator[tuple[ServiceContext, str]]:
    schema = f"tf_sched_{uuid.uuid4().hex[:10]}"
    engine = _postgres_engine(schema)
    upgrade(engine)
    url = f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
    settings = Settings(database_url=url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    yield ServiceContext(uow=UnitOfWorkFactory(engine), clock=FixedClock(), settings=settings), url
    engine.dispose()
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _wait(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_schedulers_fire_10000_timers_once_even_when_one_is_killed(postgres_ctx):
    ctx, url = postgres_ctx
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    mt.deploy_timer_process(ctx)
    template = mt.start_timer_case(ctx, clock, datetime.now(UTC) - timedelta(minutes=5))
    mt.copy_case(ctx, template, TIMERS - 1)
    mt.analyse(ctx)
    assert mt.waiting_timers(ctx) == TIMERS
    first, second = mt.spawn_scheduler(url), mt.spawn_scheduler(url)
    try:
        _wait(lambda: mt.waiting_timers(ctx) <= TIMERS * 3 // 4, 120, "a quarter of the timers to fire")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert mt.waiting_timers(ctx) > 0, "the killed scheduler should have died mid-drain"
        _wait(lambda: mt.waiting_timers(ctx) == 0, 180, "the surviving scheduler to fire the rest")
        assert second.poll() is None, "the surviving scheduler is still running"
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.terminate()
                process.wait(30)
    fired = mt.fired_per_case(ctx)
    assert len(fired) == TIMERS, "every timer fired"
    assert [case for case, count in fired.items() if count != 1] == [], "no timer fired twice"
    with ctx.uow(write=False) as uow:
        tasks = uow.session.scalars(select(Task.case_id).where(Task.status == TaskStatus.OPEN)).all()
    assert len(tasks) == TIMERS and len(set(tasks)) == TIMERS
