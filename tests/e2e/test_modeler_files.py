"""Files as Camunda Modeler and bpmn-js save them deploy over HTTP and run a case (tests/fixtures/modelers/).

A bpmn-js file keeps its default isExecutable="false": we deploy it anyway and say so in `warnings`.
"""

from __future__ import annotations

from datetime import datetime

from tests.conftest import FIXTURES
from tests.e2e.driver import CaseDriver
from trajectflow.services.demo_users import ensure_demo_users

MODELERS = FIXTURES / "modelers"
ANSWER = {"rappel_datum": "2026-03-02", "rappel_wijze": "brief"}


def _deploy(server, name: str) -> dict:  # type: ignore[type-arg,no-untyped-def]
    upload = {"files": (name, (MODELERS / name).read_bytes(), "application/xml")}
    response = server.request("POST", "/api/processes/deploy", user="procesontwerper", files=upload)
    assert response.status_code == 201, response.text
    return response.json()


def _start(server, ctx, clock, process_id: str, bsn: str) -> CaseDriver:  # type: ignore[no-untyped-def]
    body = {
        "process_id": process_id,
        "municipality": "roermond",
        "client": {"bsn": bsn, "name": "Cliënt", "birth_date": "1980-01-01"},
    }
    started = server.request("POST", "/api/cases", user="klantmanager", json=body)
    assert started.status_code == 201, started.text
    return CaseDriver(server, ctx, clock, started.json()["id"])


def test_camunda_modeler_file_deploys_and_runs(server, ctx, clock) -> None:  # type: ignore[no-untyped-def]
    ensure_demo_users(ctx)
    deployed = _deploy(server, "camunda_modeler.bpmn")
    assert deployed == {"versions": [{"process_id": "rappel_camunda", "version": 1, "created": True}], "warnings": []}
    case = _start(server, ctx, clock, "rappel_camunda", "111222333")
    first = case.open_task()
    # camunda:candidateGroups="Klantmanager", camunda:formKey="embedded:deployment:rappel.json", dueDate P5D
    assert (first["element_id"], first["candidate_group"], first["form"]) == (
        "Activity_1rappel",
        "klantmanager",
        "rappel.json",
    )
    assert datetime.fromisoformat(first["due_at"]) > clock.now()
    case.complete("Activity_1rappel", ANSWER)
    second = case.open_task()
    assert (second["element_id"], second["candidate_group"]) == ("Activity_0controle", "teamleider")
    case.complete("Activity_0controle", ANSWER)
    assert case.case()["status"] == "completed"


def test_bpmn_js_file_with_is_executable_false_deploys_with_a_warning_and_runs(server, ctx, clock) -> None:  # type: ignore[no-untyped-def]
    ensure_demo_users(ctx)
    deployed = _deploy(server, "bpmn_js.bpmn")
    assert deployed["versions"] == [{"process_id": "Process_0w3kq7v", "version": 1, "created": True}]
    [warning] = deployed["warnings"]
    assert (warning["file"], warning["line"], warning["element_id"], warning["severity"]) == (
        "bpmn_js.bpmn", 3, "Process_0w3kq7v", "warning",
    )  # fmt: skip
    assert 'isExecutable="false"' in warning["message"]
    case = _start(server, ctx, clock, "Process_0w3kq7v", "123456782")
    task = case.open_task()
    assert (task["element_id"], task["candidate_group"], task["form"]) == (
        "Activity_0x1y2z3",
        "klantmanager",
        "rappel.json",
    )
    case.complete("Activity_0x1y2z3", ANSWER)
    assert case.case()["status"] == "completed", "through the gateway's default flow to the end"
