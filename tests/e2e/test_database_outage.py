"""PostgreSQL goes away for a while: the API answers 503 with a clear message, and when the database
returns the API and the timer scheduler carry on by themselves, without losing the waiting timer.

The app and the scheduler reach PostgreSQL through a TCP proxy (tests/tcp_proxy.py) that the test
switches off (connections refused, open ones cut) and on again; the database itself keeps running.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.conftest import FIXTURES, POSTGRES_URL, STAFF_ORG, LiveServer
from tests.scratch_databases import scratch_database
from trajectflow.domain.cases import Actor
from trajectflow.scheduler.runner import build_scheduler
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.context import ServiceContext
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.tasks import complete_task
from trajectflow.services.users import ensure_user
from trajectflow.settings import Settings
from trajectflow.store.db import make_engine
from trajectflow.store.migrate import upgrade
from trajectflow.store.models import CaseEvent, Task, Timer
from trajectflow.store.uow import UnitOfWorkFactory

from ..tcp_proxy import SwitchableProxy

KM = Actor("klantmanager", frozenset({"klantmanager"}))


def _context(url: str, clock) -> ServiceContext:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=url, processes_dir=FIXTURES / "ops", forms_dir=FIXTURES / "ops")
    return ServiceContext(uow=UnitOfWorkFactory(make_engine(url, pool_timeout=5)), clock=clock, settings=settings)


@pytest.fixture
def proxied(clock) -> Iterator[tuple[ServiceContext, ServiceContext, SwitchableProxy]]:  # type: ignore[no-untyped-def]
    """(direct context, context through the proxy, proxy) on a scratch database."""
    with scratch_database("tf_outage") as (_name, url):
        target = make_url(POSTGRES_URL)
        proxy = SwitchableProxy(target.host or "127.0.0.1", target.port or 5432)
        proxy.on()
        direct = _context(url, clock)
        through = _context(make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(False), clock)
        upgrade(direct.uow.engine)
        try:
            yield direct, through, proxy
        finally:
            proxy.off()
            through.uow.engine.dispose()
            direct.uow.engine.dispose()


def _open_elements(ctx: ServiceContext, case_id: int) -> list[str]:
    with ctx.uow(write=False) as uow:
        return list(uow.session.scalars(select(Task.element_id).where(Task.case_id == case_id, Task.status == "open")))


def _wait_for(condition, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def test_outage_gives_503_and_api_and_scheduler_recover(proxied, clock) -> None:  # type: ignore[no-untyped-def]
    direct, through, proxy = proxied
    deploy_directory(direct, FIXTURES / "ops", FIXTURES / "ops")
    ensure_user(direct, "klantmanager", ["klantmanager"], None, "Klantmanager", organisation=STAFF_ORG)
    case_id = start_case(direct, KM, "ops_termijn", "roermond", ClientInput("123456782", "Storing", date(1980, 1, 1)))
    (task_id,) = _task_ids(direct, case_id)
    complete_task(direct, KM, task_id, {})  # now waiting for a one-second timer, not yet due on the clock

    server = LiveServer(through, clock)
    scheduler, waker = build_scheduler(through, poll_seconds=0.2, alert_seconds=60)
    runner = threading.Thread(target=scheduler.start, daemon=True)
    runner.start()
    try:
        assert server.request("GET", f"/api/cases/{case_id}", user="klantmanager").status_code == 200

        proxy.off()
        clock.advance(timedelta(seconds=5))  # the timer falls due while the database is away
        for _ in range(3):
            response = server.request("GET", f"/api/cases/{case_id}", user="klantmanager")
            assert response.status_code == 503, response.text
            assert response.json()["error"] == "database_unavailable"
            assert "database" in response.json()["message"]
            assert response.headers["Retry-After"].isdigit()
        listed = server.request("GET", "/api/tasks?status=open", user="klantmanager")
        assert listed.status_code == 503 and listed.headers["Content-Type"].startswith("application/json")
        time.sleep(1)  # the scheduler's polls fail meanwhile; it must keep running
        assert _open_elements(direct, case_id) == []

        proxy.on()
        _wait_for(lambda: server.request("GET", f"/api/cases/{case_id}", user="klantmanager").status_code == 200)
        _wait_for(lambda: _open_elements(direct, case_id) == ["afronden"])
    finally:
        waker.stop()
        scheduler.shutdown(wait=False)
        server.stop()
    with direct.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Timer).where(Timer.case_id == case_id)) == 0
        kinds = list(uow.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id)))
    assert kinds.count("timer_fired") == 1, kinds
    (afronden,) = _task_ids(direct, case_id)
    complete_task(direct, KM, afronden, {})


def _task_ids(ctx: ServiceContext, case_id: int) -> list[int]:
    with ctx.uow(write=False) as uow:
        return list(uow.session.scalars(select(Task.id).where(Task.case_id == case_id, Task.status == "open")))
