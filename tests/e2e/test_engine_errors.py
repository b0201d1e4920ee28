"""A script that fails or a gateway without a way out marks the case errored, visibly, and stops it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import FIXTURES, STAFF_ORG
from tests.e2e.test_bad_input import assert_error, db_state
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.users import ensure_user

PROCESSES = FIXTURES / "engine_errors"


@pytest.fixture
def deployed(ctx):  # type: ignore[no-untyped-def]
    for role in ("klantmanager", "teamleider"):
        ensure_user(ctx, role, [role], None, role, organisation=STAFF_ORG)
    deploy_directory(ctx, PROCESSES, PROCESSES, "test")
    return ctx


def _start(server, process_id: str) -> int:  # type: ignore[no-untyped-def]
    client = {"bsn": "123456782", "name": "Test Cliënt", "birth_date": "1980-05-17"}
    response = server.request(
        "POST",
        "/api/cases",
        user="klantmanager",
        json={"process_id": process_id, "municipality": "roermond", "client": client},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _open_tasks(server, case_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    case = server.request("GET", f"/api/cases/{case_id}", user="teamleider").json()
    return {task["element_id"]: task["id"] for task in case["open_tasks"]}


def _complete(server, task_id: int, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return server.request("POST", f"/api/tasks/{task_id}/complete", user="klantmanager", json={"data": data})


def _assert_errored(server, ctx, case_id: int, element_id: str, message: str, still_open: str) -> None:  # type: ignore[no-untyped-def]
    case = server.request("GET", f"/api/cases/{case_id}", user="teamleider").json()
    assert case["status"] == "errored"
    assert case["error"]["element_id"] == element_id
    assert message in case["error"]["message"]
    history = server.request("GET", f"/api/cases/{case_id}/history", user="teamleider").json()
    errored = [event for event in history if event["kind"] == "case_errored"]
    assert len(errored) == 1 and errored[0]["element_id"] == element_id
    assert message in errored[0]["details"]["message"]
    # The other branch's task is still listed, but nothing moves until the error is dealt with.
    open_tasks = _open_tasks(server, case_id)
    assert list(open_tasks) == [still_open]
    before = db_state(ctx)
    body = assert_error(_complete(server, open_tasks[still_open], {"tekst": "toch"}), 409, "conflict")
    assert body["details"] == {"status": "errored"}
    assert db_state(ctx) == before
    listed = server.request("GET", "/api/cases?status=errored", user="teamleider").json()
    assert [item["id"] for item in listed["items"]] == [case_id]


def test_script_failing_at_run_time_marks_the_case_errored(server, deployed):  # type: ignore[no-untyped-def]
    case_id = _start(server, "deelfout")
    tasks = _open_tasks(server, case_id)
    assert set(tasks) == {"invoer", "notitie"}
    done = _complete(server, tasks["invoer"], {"deler": 0})
    assert done.status_code == 200, done.text
    assert done.json()["case_status"] == "errored"
    _assert_errored(server, deployed, case_id, "delen", "division by zero", still_open="notitie")
    task = server.request("GET", f"/api/tasks/{tasks['invoer']}", user="klantmanager").json()
    assert task["status"] == "completed" and task["submitted_data"] == {"deler": 0}


def test_gateway_without_a_matching_condition_marks_the_case_errored(server, deployed):  # type: ignore[no-untyped-def]
    case_id = _start(server, "geen_pad")
    tasks = _open_tasks(server, case_id)
    done = _complete(server, tasks["keuze"], {"richting": "midden"})
    assert done.status_code == 200, done.text
    assert done.json()["case_status"] == "errored"
    _assert_errored(server, deployed, case_id, "splitsing", "", still_open="notitie")


def test_without_errors_the_same_processes_run_to_the_end(server, deployed):  # type: ignore[no-untyped-def]
    case_id = _start(server, "deelfout")
    tasks = _open_tasks(server, case_id)
    assert _complete(server, tasks["notitie"], {"tekst": "eerst"}).json()["case_status"] == "active"
    assert _complete(server, tasks["invoer"], {"deler": 4}).json()["case_status"] == "active"
    controle = _open_tasks(server, case_id)["controle"]
    assert _complete(server, controle, {}).json()["case_status"] == "completed"
    case = server.request("GET", f"/api/cases/{case_id}", user="teamleider").json()
    assert case["data"]["uitkomst"] == 25 and case["error"] is None
    other = _start(server, "geen_pad")
    tasks = _open_tasks(server, other)
    _complete(server, tasks["keuze"], {"richting": "links"})
    assert _complete(server, tasks["notitie"], {}).json()["case_status"] == "completed"
