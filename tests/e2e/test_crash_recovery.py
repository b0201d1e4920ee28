"""gunicorn (the compose `web` command) is killed with SIGKILL, master and workers, while caseworkers
complete tasks. After a restart every completion that was answered 2xx is in the database, and no
case is corrupt: each one deserialises, its task table agrees with its engine state, and it steps."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from tests.conftest import FIXTURES, ensure_staff
from tests.e2e.production import Http, Process, compose_environment, free_port, run_once, write_secrets
from tests.scratch_databases import scratch_database
from trajectflow.services.context import ServiceContext
from trajectflow.services.loading import load_instance
from trajectflow.settings import Settings
from trajectflow.store.models import Case, Task

CASEWORKERS = 6
ACKNOWLEDGED_BEFORE_KILL = 40
LOOP = str(FIXTURES / "loop")


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[Path, Path, ServiceContext]]:
    with scratch_database("tf_crash") as (_name, url):
        secrets = write_secrets(tmp_path / "secrets", url)
        run_once("migrate", compose_environment("migrate", secrets, 0), tmp_path)
        run_once("deploy", compose_environment("deploy", secrets, 0), tmp_path, LOOP, "--forms", LOOP)
        ctx = ServiceContext.create(Settings(database_url=url))
        ensure_staff(ctx)
        yield tmp_path, secrets, ctx
        ctx.uow.engine.dispose()


def _descendants(pid: int) -> list[int]:
    """Child processes, recursively, from /proc (gunicorn's workers and anything they started)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return [descendant for child in children for descendant in (child, *_descendants(child))]


def _kill_all(pid: int) -> None:
    victims = [pid, *_descendants(pid)]
    for victim in victims:
        os.kill(victim, signal.SIGKILL)
    assert len(victims) > 1, "gunicorn had no workers to kill"


class Caseworker(threading.Thread):
    """Completes the open task of its own case over and over, remembering every 200 it got."""

    def __init__(self, http: Http, case_id: int, number: int) -> None:
        super().__init__(daemon=True)
        self.http, self.case_id, self.number = http, case_id, number
        self.acknowledged: list[tuple[int, str]] = []
        self.problems: list[str] = []

    def run(self) -> None:
        for step in range(10_000):
            try:
                listed = self.http("GET", f"/api/tasks?case_id={self.case_id}&status=open", user="klantmanager")
                (task,) = listed.json()["items"]
                marker = f"werker {self.number} stap {step}"
                body = {"data": {"opmerking": marker}}
                response = self.http("POST", f"/api/tasks/{task['id']}/complete", user="klantmanager", json=body)
            except (requests.ConnectionError, requests.Timeout):
                return  # the server is gone: anything unanswered is unacknowledged
            if response.status_code == 200:
                self.acknowledged.append((task["id"], marker))
            else:
                self.problems.append(f"{response.status_code}: {response.text[:200]}")
                return


def test_sigkill_under_load_loses_no_acknowledged_completion(deployment) -> None:  # type: ignore[no-untyped-def]
    workdir, secrets, ctx = deployment
    port = free_port()
    http = Http(port, ctx.uow.engine)
    web = Process("web", compose_environment("web", secrets, port), workdir)
    try:
        http.wait_until("/healthz")
        body = {"process_id": "loop_proces", "municipality": "roermond", "data": {"doel": 1_000_000}}
        case_ids = []
        for _ in range(CASEWORKERS):
            client = {"bsn": "123456782", "name": "Crash Test", "birth_date": "1980-05-17"}
            response = http("POST", "/api/cases", user="klantmanager", json={**body, "client": client})
            assert response.status_code == 201, response.text
            case_ids.append(int(response.json()["id"]))
        workers = [Caseworker(http, case_id, i) for i, case_id in enumerate(case_ids)]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60
        while sum(len(w.acknowledged) for w in workers) < ACKNOWLEDGED_BEFORE_KILL:
            assert time.monotonic() < deadline, "the caseworkers made too little progress"
            time.sleep(0.01)
        _kill_all(web.popen.pid)
        for worker in workers:
            worker.join(timeout=60)
        assert [p for w in workers for p in w.problems] == []
    finally:
        web.stop()

    acknowledged = {task_id: marker for w in workers for task_id, marker in w.acknowledged}
    with ctx.uow(write=False) as uow:
        tasks = {t.id: t for t in uow.session.scalars(select(Task).where(Task.id.in_(acknowledged)))}
        assert {i: (t.status, (t.submitted_data or {}).get("opmerking")) for i, t in tasks.items()} == {
            i: ("completed", marker) for i, marker in acknowledged.items()
        }
        for case_id in case_ids:
            case = uow.session.get(Case, case_id)
            _version, instance = load_instance(uow.session, case)
            open_tasks = uow.session.scalars(select(Task).where(Task.case_id == case_id, Task.status == "open")).all()
            assert sorted(t.engine_id for t in instance.ready_user_tasks()) == [t.engine_task_id for t in open_tasks]
            done = uow.session.scalars(select(Task.id).where(Task.case_id == case_id, Task.status == "completed"))
            assert case.data["teller"] == len(done.all())

    restarted = Process("web", compose_environment("web", secrets, port), workdir)
    try:
        http.wait_until("/healthz")
        for case_id in case_ids:
            (task,) = http("GET", f"/api/tasks?case_id={case_id}&status=open", user="klantmanager").json()["items"]
            response = http("POST", f"/api/tasks/{task['id']}/complete", user="klantmanager", json={"data": {}})
            assert response.status_code == 200, response.text
    finally:
        restarted.stop()
