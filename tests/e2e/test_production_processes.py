"""The production entry points as processes: `trajectflow db upgrade`, `trajectflow deploy`, gunicorn
with `trajectflow.app:create_app()` and `trajectflow scheduler`, exactly as docker/compose.yaml runs
them, on a PostgreSQL database of their own. A case is walked over HTTP, timers fire in the real
scheduler, /readyz and /metrics are checked, and SIGTERM is shown to finish in-flight work."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import FIXTURES, ensure_staff
from tests.e2e import answers as a
from tests.e2e.production import (
    Http,
    Process,
    compose_environment,
    free_port,
    run_once,
    wait_for_lock_wait,
    write_secrets,
)
from tests.scratch_databases import scratch_database
from trajectflow.services.context import ServiceContext
from trajectflow.settings import Settings
from trajectflow.store.db import normalise_url

BSN, NAME = "111222333", "Jansje Privacygevoelig"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Engine]]:
    """A fresh database, migrated and with the processes deployed by the compose one-shot commands."""
    workdir = tmp_path_factory.mktemp("production")
    with scratch_database() as (_name, url):
        secrets = write_secrets(workdir / "secrets", url)
        env = compose_environment("migrate", secrets, 0)
        assert "upgraded from revision none" in run_once("migrate", env, workdir)
        assert "up to date" in run_once("migrate", env, workdir)  # a second run changes nothing
        run_once("deploy", compose_environment("deploy", secrets, 0), workdir)
        ops = str(FIXTURES / "ops")
        run_once("deploy", compose_environment("deploy", secrets, 0), workdir, ops, "--forms", ops)
        # Ordinary accounts (the server runs without demo mode), one per role.
        ensure_staff(ServiceContext.create(Settings(database_url=url)))
        engine = create_engine(normalise_url(url), poolclass=NullPool)
        yield workdir, secrets, engine
        engine.dispose()


@pytest.fixture
def start(deployment: tuple[Path, Path, Engine]) -> Iterator[Callable[[str, int], Process]]:
    workdir, secrets, _engine = deployment
    started: list[Process] = []

    def _start(service: str, port: int = 0) -> Process:
        process = Process(service, compose_environment(service, secrets, port), workdir)
        started.append(process)
        return process

    yield _start
    for process in started:
        process.stop()


@pytest.fixture
def engine(deployment: tuple[Path, Path, Engine]) -> Engine:
    return deployment[2]


def start_case(http: Http, process_id: str = "participatie_traject", bsn: str = BSN) -> int:
    body = {"process_id": process_id, "municipality": "roermond", "client": {"bsn": bsn, "name": NAME}}
    body["client"]["birth_date"] = "1980-05-17"
    response = http("POST", "/api/cases", user="klantmanager", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def open_task(http: Http, case_id: int) -> dict[str, Any]:
    response = http("GET", f"/api/tasks?case_id={case_id}&status=open", user="teamleider")
    assert response.status_code == 200, response.text
    (task,) = response.json()["items"]
    return task


def complete(http: Http, case_id: int, element_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    task = open_task(http, case_id)
    assert task["element_id"] == element_id
    user = task["candidate_group"]
    assert http("POST", f"/api/tasks/{task['id']}/claim", user=user).status_code == 200
    done = http("POST", f"/api/tasks/{task['id']}/complete", user=user, json={"data": answer})
    assert done.status_code == 200, done.text
    return done.json()


def wait_for_open_task(http: Http, case_id: int, element_id: str, timeout: float = 30) -> None:
    """The scheduler fires the timer in its own process; wait until the case has moved on."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = http("GET", f"/api/tasks?case_id={case_id}&status=open", user="teamleider").json()["items"]
        if [t["element_id"] for t in tasks] == [element_id]:
            return
        time.sleep(0.1)
    raise AssertionError(f"case {case_id} never reached {element_id}")


def delta(before: dict[str, float], after: dict[str, float], key: str) -> float:
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_case_walks_through_gunicorn_and_scheduler_with_probes_and_metrics(start, engine):
    port = free_port()
    http = Http(port, engine)
    web, scheduler = start("web", port), start("scheduler")
    assert http.wait_until("/healthz").json() == {"status": "ok"}
    ready = http.wait_until("/readyz").json()  # 503 until the scheduler's first heartbeat
    assert ready["status"] == "ready" and set(ready["checks"]) == {"database", "migrations", "scheduler"}
    assert http("GET", "/api/openapi.json").status_code == 200
    before = http.metrics()

    # Counters add up across the two gunicorn workers, whichever of them answers the scrape.
    for _ in range(20):
        assert http("GET", "/healthz", headers={"X-Request-ID": "probe-1"}).headers["X-Request-ID"] == "probe-1"
    main_case = start_case(http)
    complete(http, main_case, "aanvraag_beoordelen", a.AANV_OK)
    complete(http, main_case, "brede_intake", a.intake(5))
    complete(http, main_case, "diagnose", a.diagnose("volledig", "laag", False))
    detail = http("GET", f"/api/cases/{main_case}", user="teamleider").json()
    assert detail["route"] == "werk" and detail["phase"] == "plan_van_aanpak"
    assert http("GET", f"/api/cases?client={BSN}", user="teamleider").json()["total"] == 1

    timer_case = start_case(http, "ops_termijn", bsn="123456782")
    complete(http, timer_case, "aanmelden", {"opmerking": "aangemeld"})
    wait_for_open_task(http, timer_case, "afronden")
    assert complete(http, timer_case, "afronden", {})["case_status"] == "completed"
    after = http.metrics()

    assert (
        delta(before, after, 'trajectflow_http_requests_total{endpoint="health.healthz",method="GET",status="200"}')
        == 20
    )
    assert (
        delta(before, after, 'trajectflow_http_requests_total{endpoint="cases.Cases",method="POST",status="201"}') == 2
    )
    assert (
        delta(before, after, 'trajectflow_http_request_duration_seconds_count{endpoint="cases.Cases",method="POST"}')
        == 2
    )
    assert delta(before, after, "trajectflow_timers_fired_total") == 1
    assert after['trajectflow_open_tasks{group="klantmanager"}'] == 1  # plan van aanpak of the main case
    assert after["trajectflow_errored_cases"] == 0 and after["trajectflow_timers_due"] == 0
    assert after["trajectflow_reminder_failures_total"] == 0 and after["trajectflow_timers_late_total"] == 0
    assert 0 <= after["trajectflow_scheduler_heartbeat_age_seconds"] < 3600

    web.terminate()
    scheduler.terminate()
    assert web.wait() == 0 and scheduler.wait() == 0
    requests_logged = [e for e in web.json_logs() if e["logger"] == "trajectflow.request"]
    endpoints = {e["endpoint"] for e in requests_logged}
    assert {"cases.Cases", "cases.CaseDetail", "metrics", "health.readyz"} <= endpoints
    assert any(e.startswith("tasks.") for e in endpoints)
    assert all(e["request_id"] and e["status"] >= 200 and "path" not in e for e in requests_logged)
    assert any(e["request_id"] == "probe-1" for e in requests_logged)
    for process in (web, scheduler):
        text_of_logs = "\n".join(process.log_lines())
        assert BSN not in text_of_logs and "123456782" not in text_of_logs and "Privacygevoelig" not in text_of_logs


def test_sigterm_lets_an_in_flight_request_finish(start, engine):
    port = free_port()
    http = Http(port, engine)
    web = start("web", port)
    http.wait_until("/healthz")
    case_id = start_case(http, "ops_termijn", bsn="100000022")
    task = open_task(http, case_id)
    assert http("POST", f"/api/tasks/{task['id']}/claim", user="klantmanager").status_code == 200

    answers: list[Any] = []
    with engine.connect() as blocker:
        # Writing history waits for this lock, so the completion is provably in flight at SIGTERM.
        blocker.execute(text("LOCK TABLE case_events IN SHARE MODE"))
        worker = threading.Thread(
            target=lambda: answers.append(
                http("POST", f"/api/tasks/{task['id']}/complete", user="klantmanager", json={"data": {}})
            )
        )
        worker.start()
        wait_for_lock_wait(engine, "tf-web")
        web.terminate()
        web.wait_for_log("Handling signal: term")
        time.sleep(0.5)  # let the master's SIGTERM reach the workers before the request can finish
        assert web.popen.poll() is None  # still waiting for the request
        blocker.rollback()
    worker.join(timeout=60)
    assert answers and answers[0].status_code == 200, answers
    assert web.wait() == 0

    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM tasks WHERE id = :id"), {"id": task["id"]}).scalar()
        kinds = conn.execute(text("SELECT kind FROM case_events WHERE case_id = :c"), {"c": case_id}).scalars().all()
        timers = conn.execute(text("SELECT element_id FROM timers WHERE case_id = :c"), {"c": case_id}).scalars().all()
    assert status == "completed" and "task_completed" in kinds and timers == ["wachttijd"]


def test_sigterm_lets_the_scheduler_finish_its_timer_batch(start, engine):
    port = free_port()
    http = Http(port, engine)
    start("web", port)
    http.wait_until("/healthz")
    case_id = start_case(http, "ops_termijn", bsn="100000034")
    complete(http, case_id, "aanmelden", {})  # the timer is due one second later
    wait_until_due(engine, case_id)  # so the scheduler's first batch includes this case

    with engine.connect() as blocker:
        blocker.execute(text("LOCK TABLE case_events IN SHARE MODE"))
        scheduler = start("scheduler")
        wait_for_lock_wait(engine, "tf-scheduler")  # the batch holds the case and waits to write history
        scheduler.terminate()
        with pytest.raises(subprocess.TimeoutExpired):
            scheduler.wait(timeout=1)  # it does not walk away from the batch
        blocker.rollback()
    assert scheduler.wait() == 0

    with engine.connect() as conn:
        timers = conn.execute(text("SELECT count(*) FROM timers WHERE case_id = :c"), {"c": case_id}).scalar()
        fired = conn.execute(
            text("SELECT count(*) FROM case_events WHERE case_id = :c AND kind = 'timer_fired'"), {"c": case_id}
        ).scalar()
    assert timers == 0 and fired == 1
    assert open_task(http, case_id)["element_id"] == "afronden"


def wait_until_due(engine: Engine, case_id: int, timeout: float = 30) -> None:
    query = text("SELECT count(*) FROM timers WHERE case_id = :c AND due_at < now()")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(query, {"c": case_id}).scalar():
                return
        time.sleep(0.1)
    raise AssertionError(f"the timer of case {case_id} never came due")
