"""The backup and restore drill of docs/operations.md on PostgreSQL: dump a database with a case
waiting on a timer, drop the database, restore it from the dump, and the case continues."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.conftest import FIXTURES, ROOT
from tests.scratch_databases import create_database, drop_database, scratch_database
from trajectflow.domain.cases import Actor
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.context import ServiceContext
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.ops_queries import check_readiness
from trajectflow.services.queries import TaskFilter, case_detail, case_history, list_tasks
from trajectflow.services.schema import upgrade_schema
from trajectflow.services.tasks import claim_task, complete_task
from trajectflow.services.timers import fire_due_timers
from trajectflow.settings import Settings
from trajectflow.store.db import make_engine
from trajectflow.store.models import CaseEvent
from trajectflow.store.uow import UnitOfWorkFactory

KM = Actor("klantmanager", frozenset({"klantmanager"}))


def context(url: str, clock) -> ServiceContext:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=url, processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")
    return ServiceContext(uow=UnitOfWorkFactory(make_engine(url)), clock=clock, settings=settings)


def complete_open(ctx: ServiceContext, case_id: int, element_id: str) -> str:
    (task,) = list_tasks(ctx, TaskFilter(case_id=case_id, status="open")).items
    assert task["element_id"] == element_id
    claim_task(ctx, KM, task["id"])
    return complete_task(ctx, KM, task["id"], {"opmerking": element_id})["case_status"]


def run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr}"


def test_dump_drop_restore_and_the_case_continues(tmp_path, clock):
    with scratch_database() as (name, url):
        settings = Settings(database_url=url)
        upgrade_schema(settings)
        ctx = context(url, clock)
        ensure_demo_users(ctx)
        deploy_directory(ctx, FIXTURES / "ops", FIXTURES / "ops", "drill")
        case_id = start_case(ctx, KM, "ops_termijn", "roermond", ClientInput("123456782", "Drill", date(1980, 1, 1)))
        complete_open(ctx, case_id, "aanmelden")
        history_before = [e["kind"] for e in case_history(ctx, case_id)]
        ctx.uow.engine.dispose()

        dump = tmp_path / "trajectflow.dump"
        run("pg_dump", "--format=custom", f"--file={dump}", url)
        drop_database(name)
        create_database(name)
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(dump))

        restored = context(url, clock)
        try:
            assert check_readiness(restored, None).ready  # reachable, migrations at head
            assert upgrade_schema(settings).before == upgrade_schema(settings).after
            assert [e["kind"] for e in case_history(restored, case_id)] == history_before
            (timer,) = case_detail(restored, case_id)["waiting_timers"]
            assert timer["element_id"] == "wachttijd"

            clock.advance(timedelta(seconds=2))
            assert fire_due_timers(restored) == 1
            assert complete_open(restored, case_id, "afronden") == "completed"
            assert case_detail(restored, case_id)["status"] == "completed"
            # Sequences came back too: new rows get fresh ids after the restored ones.
            with restored.uow(write=False) as uow:
                last_event = uow.session.scalar(select(func.max(CaseEvent.id)))
            new_case = start_case(
                restored, KM, "ops_termijn", "roermond", client_id=case_detail(restored, case_id)["client"]["id"]
            )
            assert new_case > case_id
            with restored.uow(write=False) as uow:
                assert (
                    uow.session.scalar(select(func.min(CaseEvent.id)).where(CaseEvent.case_id == new_case)) > last_event
                )
        finally:
            restored.uow.engine.dispose()
