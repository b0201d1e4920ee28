"""Teamleider actions over HTTP: reassign, retry, suspend/resume, cancel and move a case's token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT, STAFF_ORG
from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver
from trajectflow.domain.roles import ROLES
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.timers import fire_due_timers
from trajectflow.services.users import ensure_user

TL = "teamleider"


@pytest.fixture
def supervised(ctx):  # type: ignore[no-untyped-def]
    """A user per role plus a second klantmanager; the shipped processes and the failing fixture process."""
    for role, label in ROLES.items():
        ensure_user(ctx, role, [role], None, label, organisation=STAFF_ORG)
    ensure_user(ctx, "km_twee", ["klantmanager"], None, "Tweede klantmanager", organisation=STAFF_ORG)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    deploy_directory(ctx, FIXTURES / "storing", FIXTURES / "storing", "test")
    return ctx


def start_storing(server, bsn: str = "111222333") -> int:  # type: ignore[no-untyped-def]
    response = server.request(
        "POST",
        "/api/cases",
        user="klantmanager",
        json={
            "process_id": "storing_proces",
            "municipality": "roermond",
            "client": {"bsn": bsn, "name": "Storing Cliënt", "birth_date": "1980-01-01"},
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def open_tasks(server, case_id: int) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = server.request("GET", f"/api/cases/{case_id}", user=TL)
    assert response.status_code == 200, response.text
    return response.json()["open_tasks"]


def complete_open(server, case_id: int, data: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    (task,) = open_tasks(server, case_id)
    response = server.request("POST", f"/api/tasks/{task['id']}/complete", user="klantmanager", json={"data": data})
    assert response.status_code == 200, response.text
    return response.json()


def history(server, case_id: int) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = server.request("GET", f"/api/cases/{case_id}/history", user=TL)
    assert response.status_code == 200
    return response.json()


def post(server, path: str, body: dict[str, Any] | None = None, user: str = TL):  # type: ignore[no-untyped-def]
    return server.request("POST", path, user=user, json=body or {})


def test_only_a_teamleider_may_supervise(server, supervised):
    case_id = start_storing(server)
    (task,) = open_tasks(server, case_id)
    for path, body in [
        (f"/api/tasks/{task['id']}/reassign", {"assignee": "km_twee"}),
        ("/api/tasks/reassign", {"task_ids": [task["id"]], "assignee": "km_twee"}),
        (f"/api/cases/{case_id}/retry", {}),
        (f"/api/cases/{case_id}/suspend", {}),
        (f"/api/cases/{case_id}/resume", {}),
        (f"/api/cases/{case_id}/cancel", {"reason": "dubbel"}),
        (f"/api/cases/{case_id}/move", {"to_element_id": "invoer", "reason": "x"}),
    ]:
        response = post(server, path, body, user="klantmanager")
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"] == "forbidden"
    assert post(server, f"/api/cases/{case_id}/suspend", user=None).status_code == 401
    assert [e["kind"] for e in history(server, case_id)].count("case_suspended") == 0


def test_reassign_single_and_bulk_to_a_user_holding_the_role(server, supervised):
    first, second = start_storing(server, "111222333"), start_storing(server, "123456782")
    (task_a,), (task_b,) = open_tasks(server, first), open_tasks(server, second)
    response = post(server, f"/api/tasks/{task_a['id']}/reassign", {"assignee": "km_twee", "reason": "Verlof"})
    assert response.status_code == 200, response.text
    assert response.json()["assignee"] == "km_twee"
    event = history(server, first)[-1]
    assert event["kind"] == "task_reassigned" and event["actor"] == TL
    assert event["details"] == {"from": None, "to": "km_twee", "reason": "Verlof"}
    assert "Verlof" in event["message"]

    # one task whose role the target lacks: nothing changes
    wrong = post(server, "/api/tasks/reassign", {"task_ids": [task_a["id"], task_b["id"]], "assignee": "jobcoach"})
    assert wrong.status_code == 422 and "assignee" in wrong.json()["details"]
    assert open_tasks(server, first)[0]["assignee"] == "km_twee"
    assert open_tasks(server, second)[0]["assignee"] is None

    bulk = post(server, "/api/tasks/reassign", {"task_ids": [task_a["id"], task_b["id"]], "assignee": "klantmanager"})
    assert bulk.status_code == 200, bulk.text
    assert [(t["id"], t["assignee"]) for t in bulk.json()["tasks"]] == [
        (task_a["id"], "klantmanager"),
        (task_b["id"], "klantmanager"),
    ]
    assert history(server, first)[-1]["details"]["from"] == "km_twee"

    assert post(server, "/api/tasks/99999/reassign", {"assignee": "km_twee"}).status_code == 404
    assert post(server, f"/api/tasks/{task_a['id']}/reassign", {"assignee": "niemand"}).status_code == 422
    assert post(server, f"/api/tasks/{task_a['id']}/reassign", {}).status_code == 422
    assert post(server, "/api/tasks/reassign", {"task_ids": [], "assignee": "km_twee"}).status_code == 422
    complete_open(server, first, {"mislukkingen": 0})
    done = post(server, f"/api/tasks/{task_a['id']}/reassign", {"assignee": "km_twee"})
    assert done.status_code == 409 and done.json()["details"]["status"] == "completed"


def test_retry_an_errored_case_until_the_step_succeeds(server, supervised):
    case_id = start_storing(server)
    assert post(server, f"/api/cases/{case_id}/retry").status_code == 409
    assert complete_open(server, case_id, {"mislukkingen": 2})["case_status"] == "errored"
    detail = server.request("GET", f"/api/cases/{case_id}", user=TL).json()
    assert detail["error"]["element_id"] == "verwerken" and "division" in detail["error"]["message"]

    again = post(server, f"/api/cases/{case_id}/retry", {"reason": "Koppeling hersteld"})
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "errored" and again.json()["error"]["element_id"] == "verwerken"
    assert again.json()["open_tasks"] == []

    ok = post(server, f"/api/cases/{case_id}/retry")
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "active" and body["error"] is None
    assert [t["element_id"] for t in body["open_tasks"]] == ["controle"]
    kinds = [e["kind"] for e in history(server, case_id)]
    assert kinds.count("case_errored") == 2 and kinds.count("case_retried") == 2
    retried = [e for e in history(server, case_id) if e["kind"] == "case_retried"]
    assert retried[0]["actor"] == TL and retried[0]["details"]["reason"] == "Koppeling hersteld"
    assert complete_open(server, case_id, {})["case_status"] == "completed"


def test_suspended_case_keeps_its_tasks_visible_but_refuses_work_and_timers(server, supervised, clock):
    case = CaseDriver.start(server, supervised, clock, bsn="111222333", birth_date="1980-05-17")
    suspended = post(server, f"/api/cases/{case.case_id}/suspend", {"reason": "Cliënt in ziekenhuis"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert post(server, f"/api/cases/{case.case_id}/suspend").status_code == 409
    task = case.open_task()
    assert task["element_id"] == "aanvraag_beoordelen"
    listed = server.request("GET", "/api/tasks?candidate_group=klantmanager&status=open", user="klantmanager").json()
    assert task["id"] in [t["id"] for t in listed["items"]]
    refused = post(server, f"/api/tasks/{task['id']}/complete", {"data": a.AANV_OK}, user="klantmanager")
    assert refused.status_code == 409 and refused.json()["details"]["status"] == "suspended"

    clock.advance(timedelta(weeks=9))
    assert fire_due_timers(supervised) == 0
    resumed = post(server, f"/api/cases/{case.case_id}/resume", {"reason": "Terug"})
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    assert post(server, f"/api/cases/{case.case_id}/resume").status_code == 409
    assert fire_due_timers(supervised) == 1
    kinds = [(e["kind"], e["actor"]) for e in case.history()]
    assert ("case_suspended", TL) in kinds and ("case_resumed", TL) in kinds


def test_cancel_needs_a_reason_and_closes_everything(server, supervised, clock):
    case = CaseDriver.start(server, supervised, clock, bsn="111222333", birth_date="1980-05-17")
    assert post(server, f"/api/cases/{case.case_id}/cancel", {}).status_code == 422
    assert post(server, f"/api/cases/{case.case_id}/cancel", {"reason": ""}).status_code == 422
    assert case.case()["waiting_timers"]
    response = post(server, f"/api/cases/{case.case_id}/cancel", {"reason": "Verhuisd naar Venlo"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled" and body["closed_at"] and body["phase"] == "afgesloten"
    assert body["open_tasks"] == [] and body["waiting_timers"] == []
    events = case.history()
    cancelled = [e for e in events if e["kind"] == "case_cancelled"]
    assert cancelled[0]["actor"] == TL and cancelled[0]["details"]["reason"] == "Verhuisd naar Venlo"
    assert "task_cancelled" in [e["kind"] for e in events]
    assert "case_completed" not in [e["kind"] for e in events]
    assert post(server, f"/api/cases/{case.case_id}/cancel", {"reason": "nog eens"}).status_code == 409
    assert post(server, "/api/cases/9999/cancel", {"reason": "x"}).status_code == 404


def test_move_token_back_to_a_task_that_ran_and_forward_again(server, supervised):
    case_id = start_storing(server)
    complete_open(server, case_id, {"mislukkingen": 0, "ladder_trede": 2})
    assert [t["element_id"] for t in open_tasks(server, case_id)] == ["controle"]
    back = post(server, f"/api/cases/{case_id}/move", {"to_element_id": "invoer", "reason": "Verkeerde invoer"})
    assert back.status_code == 200, back.text
    assert [t["element_id"] for t in back.json()["open_tasks"]] == ["invoer"]
    moved = history(server, case_id)
    assert ("task_created", "invoer") in [(e["kind"], e["element_id"]) for e in moved[-4:]]
    assert moved[-1]["kind"] == "phase_changed" and moved[-1]["details"] == {"from": "diagnose", "to": "intake"}
    event = next(e for e in reversed(moved) if e["kind"] == "token_moved")
    assert event["actor"] == TL and event["details"]["mode"] == "rewind"
    assert event["details"]["from"] == ["controle"] and event["details"]["reason"] == "Verkeerde invoer"
    assert "task_cancelled" in [e["kind"] for e in moved]

    forward = post(server, f"/api/cases/{case_id}/move", {"to_element_id": "controle", "reason": "Invoer klopt toch"})
    assert forward.status_code == 200, forward.text
    assert [t["element_id"] for t in forward.json()["open_tasks"]] == ["controle"]
    assert [e for e in history(server, case_id) if e["kind"] == "token_moved"][-1]["details"]["mode"] == "jump"
    assert complete_open(server, case_id, {})["case_status"] == "completed"


def test_move_rules(server, supervised, clock):
    case_id = start_storing(server)
    body = {"to_element_id": "invoer", "reason": "x"}
    assert post(server, f"/api/cases/{case_id}/move", body).status_code == 409  # already there
    unknown = post(server, f"/api/cases/{case_id}/move", {"to_element_id": "verwerken", "reason": "x"})
    assert unknown.status_code == 422 and "to_element_id" in unknown.json()["details"]
    assert post(server, f"/api/cases/{case_id}/move", {"to_element_id": "controle"}).status_code == 422

    complete_open(server, case_id, {"mislukkingen": 5})
    fixed = post(server, f"/api/cases/{case_id}/move", {"to_element_id": "invoer", "reason": "Opnieuw invullen"})
    assert fixed.status_code == 200 and fixed.json()["status"] == "active" and fixed.json()["error"] is None
    assert complete_open(server, case_id, {"mislukkingen": 0})["case_status"] == "active"

    main = CaseDriver.start(server, supervised, clock, bsn="123456782", birth_date="1980-05-17")
    far = post(server, f"/api/cases/{main.case_id}/move", {"to_element_id": "match_werkgever", "reason": "x"})
    assert far.status_code == 409 and far.json()["details"]["element_id"] == "match_werkgever"
    targets = server.request("GET", f"/api/cases/{main.case_id}/move-targets", user=TL).json()
    assert ("werk_plaatsing", "match_werkgever") in {(t["process_id"], t["element_id"]) for t in targets}
    ahead = post(
        server, f"/api/cases/{main.case_id}/move", {"to_element_id": "brede_intake", "reason": "Besluit al genomen"}
    )
    assert ahead.status_code == 200, ahead.text
    assert ahead.json()["phase"] == "intake"
    main.complete("brede_intake", a.intake(5), phase="intake")
    assert main.open_task()["element_id"] == "diagnose"
    back = post(
        server, f"/api/cases/{main.case_id}/move", {"to_element_id": "aanvraag_beoordelen", "reason": "Herzien"}
    )
    assert back.status_code == 200, back.text
    assert [t["element_id"] for t in back.json()["open_tasks"]] == ["aanvraag_beoordelen"]
    assert [t["element_id"] for t in back.json()["waiting_timers"]] == ["beslistermijn"]


def test_read_side_over_http(server, supervised):
    case_id = start_storing(server)
    complete_open(server, case_id, {"mislukkingen": 4})
    stuck = server.request("GET", "/api/supervision/stuck?idle_days=0", user=TL)
    assert stuck.status_code == 200 and [c["id"] for c in stuck.json()["errored"]] == [case_id]
    assert server.request("GET", "/api/supervision/stuck", user="klantmanager").status_code == 403
    assert server.request("GET", "/api/supervision/workload", user=TL).json()["per_group"] == []
    heat = server.request("GET", "/api/supervision/heatmap/storing_proces", user=TL).json()
    assert heat["elements"]["storing_proces"]["invoer"]["completed"] == 1
    assert server.request("GET", "/api/supervision/heatmap/onbekend", user=TL).status_code == 404
    inflow = server.request("GET", "/api/reports/inflow?start=2026-01-01&end=2026-12-31", user=TL).json()
    assert inflow["columns"] == ["month", "cases"] and inflow["rows"] == [["2026-03", 1]]
    exported = server.request("GET", "/api/reports/inflow.csv?start=2026-01-01&end=2026-12-31", user=TL)
    assert exported.headers["Content-Type"].startswith("text/csv")
    assert exported.content.decode("utf-8-sig").splitlines() == ["month;cases", "2026-03;1"]
    xlsx = server.request("GET", "/api/reports/inflow.xlsx", user=TL)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert server.request("GET", "/api/reports/onbekend", user=TL).status_code == 404
    assert server.request("GET", "/api/reports/inflow?start=2026-05-01&end=2026-01-01", user=TL).status_code == 422
