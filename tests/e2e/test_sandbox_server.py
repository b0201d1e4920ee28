"""Sandbox escape attempts through the real HTTP app: the case errors with a message that names the
limit, the server keeps answering, and a process that imports os is refused before it is deployed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.conftest import FIXTURES
from trajectflow.engine.sandbox_limits import current_limits, set_limits
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.users import ensure_user

PROCESSES = FIXTURES / "sandbox"
ORGANISATION = "werkbedrijf-roermond"  # serves Roermond, where the cases are registered (domain/organisations.py)
ATTEMPTS = {
    # poging: (element that errors, what the case's error message says)
    "lus": ("script_lus", "script exceeded the time limit of 0.5 s"),
    "geheugen": ("script_geheugen", "a sequence of 10000000000 items is over the size limit of 1000000"),
    "recursie": ("script_recursie", "script recursion went too deep"),
    "data": ("script_data", "task data is larger than the limit of 1048576 bytes"),
    "voorwaarde": ("welke_poging", "a sequence of 10000000000 items is over the size limit of 1000000"),
}


@pytest.fixture
def sandbox_process(ctx):  # type: ignore[no-untyped-def]
    for role in ("klantmanager", "teamleider", "procesontwerper"):
        ensure_user(ctx, role, [role], None, role, organisation=ORGANISATION)
    deploy_directory(ctx, PROCESSES, PROCESSES, "test")
    return ctx


@pytest.fixture
def half_a_second() -> Iterator[None]:
    previous = set_limits(replace(current_limits(), time_seconds=0.5))
    yield
    set_limits(previous)


def _start_and_choose(server, poging: str):  # type: ignore[no-untyped-def]
    client = {"bsn": "123456782", "name": "Test Cliënt", "birth_date": "1980-05-17"}
    started = server.request(
        "POST",
        "/api/cases",
        user="klantmanager",
        json={"process_id": "zandbak", "municipality": "roermond", "client": client},
    )
    assert started.status_code == 201, started.text
    case_id = started.json()["id"]
    case = server.request("GET", f"/api/cases/{case_id}", user="teamleider").json()
    (task,) = [t["id"] for t in case["open_tasks"] if t["element_id"] == "kiezen"]
    done = server.request("POST", f"/api/tasks/{task}/complete", user="klantmanager", json={"data": {"poging": poging}})
    assert done.status_code == 200, done.text
    return case_id, done.json()


def test_escape_attempts_error_the_case_and_the_server_keeps_running(server, sandbox_process, half_a_second) -> None:  # type: ignore[no-untyped-def]
    for poging, (element_id, message) in ATTEMPTS.items():
        case_id, done = _start_and_choose(server, poging)
        assert done["case_status"] == "errored", poging
        case = server.request("GET", f"/api/cases/{case_id}", user="teamleider").json()
        assert case["status"] == "errored"
        assert case["error"]["element_id"] == element_id
        assert message in case["error"]["message"], case["error"]
        assert server.request("GET", "/healthz").status_code == 200

    case_id, done = _start_and_choose(server, "normaal")
    assert done["case_status"] == "active"
    case = server.request("GET", f"/api/cases/{case_id}", user="teamleider").json()
    assert case["data"]["uitkomst"] == 84 and case["error"] is None
    listed = server.request("GET", "/api/cases?status=errored", user="teamleider").json()
    assert len(listed["items"]) == len(ATTEMPTS)


def test_a_process_that_imports_os_is_refused_before_deploying(server, sandbox_process) -> None:  # type: ignore[no-untyped-def]
    source = (PROCESSES / "zandbak.bpmn").read_text(encoding="utf-8")
    source = source.replace("uitkomst = sum(", "import os\nuitkomst = sum(").replace('id="zandbak"', 'id="zandbak_os"')
    answer = server.request(
        "POST", "/api/processes/validate", user="procesontwerper", json={"files": {"zandbak_os.bpmn": source}}
    )
    assert answer.status_code == 200, answer.text
    messages = [problem["message"] for problem in answer.json()["problems"] if problem["severity"] == "error"]
    assert any("import of 'os' is not allowed; allowed: datetime, decimal, math, statistics" in m for m in messages)
    assert server.request("GET", "/healthz").status_code == 200
