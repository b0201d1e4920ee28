"""/healthz, /readyz and /metrics over HTTP on SQLite and PostgreSQL: no authentication, readiness
follows the scheduler heartbeat, and the domain figures follow the database."""

from __future__ import annotations

from datetime import date, timedelta

from tests.conftest import FIXTURES
from trajectflow.domain.cases import Actor
from trajectflow.domain.errors import EngineFailure
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.heartbeat import beat
from trajectflow.services.queries import TaskFilter, list_tasks
from trajectflow.services.tasks import claim_task, complete_task, mark_errored
from trajectflow.services.timers import fire_due_timers
from trajectflow.store.models import Case, OutgoingEmail

KM = Actor("klantmanager", frozenset({"klantmanager"}))


def metrics(server) -> dict[str, float]:  # type: ignore[no-untyped-def]
    response = server.request("GET", "/metrics")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            samples[key] = float(value)
    return samples


def test_probes_and_documentation_need_no_user_header(server):
    for path in ("/healthz", "/metrics", "/api/openapi.json", "/api/docs"):
        assert server.request("GET", path).status_code == 200, path
    assert server.request("GET", "/readyz").status_code in (200, 503)


def test_readiness_follows_the_scheduler_heartbeat(server, ctx, clock):
    response = server.request("GET", "/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("ok") and "scheduler" in body["checks"]
    beat(ctx, "scheduler-1")
    assert server.request("GET", "/readyz").json() == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "migrations": body["checks"]["migrations"],
            "scheduler": f"ok (last heartbeat {clock.now().isoformat()})",
        },
    }
    clock.advance(timedelta(seconds=31))
    assert server.request("GET", "/readyz").status_code == 503
    assert metrics(server)["trajectflow_scheduler_heartbeat_age_seconds"] == 31


def test_domain_metrics_follow_the_database(server, ctx, clock):
    ensure_demo_users(ctx)
    deploy_directory(ctx, FIXTURES / "ops", FIXTURES / "ops", "test")
    client = ClientInput("123456782", "Test", date(1980, 1, 1))
    waiting, errored, _open = (start_case(ctx, KM, "ops_termijn", "roermond", client) for _ in range(3))
    (task,) = list_tasks(ctx, TaskFilter(case_id=waiting, status="open")).items
    claim_task(ctx, KM, task["id"])
    complete_task(ctx, KM, task["id"], {})
    with ctx.uow() as uow:
        mark_errored(uow.session, uow.session.get(Case, errored), EngineFailure("kapot"), clock.now(), "systeem")
        now = clock.now()
        uow.session.add(
            OutgoingEmail(
                to_address="x@example.org", subject="s", body="b", status="failed", attempts=5,
                next_attempt_at=now, created_at=now,
            )
        )  # fmt: skip
        uow.commit()
    first = metrics(server)
    assert first['trajectflow_open_tasks{group="klantmanager"}'] == 2  # the errored case keeps its task
    assert first["trajectflow_errored_cases"] == 1 and first["trajectflow_reminder_failures_total"] == 1
    assert first["trajectflow_timers_due"] == 0 and first["trajectflow_timers_fired_total"] == 0
    assert first["trajectflow_database_up"] == 1

    clock.advance(timedelta(minutes=2))  # the timer (due after 1 s) fires two minutes late
    assert metrics(server)["trajectflow_timers_due"] == 1
    assert fire_due_timers(ctx) == 1
    second = metrics(server)
    assert second["trajectflow_timers_due"] == 0
    assert second["trajectflow_timers_fired_total"] == 1 and second["trajectflow_timers_late_total"] == 1
    assert second['trajectflow_open_tasks{group="klantmanager"}'] == 3
    scrapes = 'trajectflow_http_requests_total{endpoint="metrics",method="GET",status="200"}'
    # A scrape counts the scrapes before it: `first` and the one in between (the counter is per process).
    assert second[scrapes] - first.get(scrapes, 0) == 2
