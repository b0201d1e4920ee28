"""Bad input of every kind gets a documented JSON error and leaves the database exactly as it was."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import ROOT, STAFF_ORG
from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver
from trajectflow.domain.roles import ROLES
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.users import ensure_user
from trajectflow.store.models import Base

VALID_CLIENT = {"bsn": "111222333", "name": "Test Cliënt", "birth_date": "1980-05-17"}
# Written by every request, refused ones too: the audit trail, sign-in bookkeeping and token use.
SECURITY_TABLES = {"audit_records", "api_tokens", "login_failures"}


def db_state(ctx) -> dict[str, list[tuple[Any, ...]]]:  # type: ignore[no-untyped-def]
    """Every row of every business table: a write that failed must leave all of it untouched."""
    with ctx.uow(write=False) as uow:
        return {
            table.name: [tuple(row) for row in uow.session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
            if table.name not in SECURITY_TABLES
        }


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    assert response.headers["Content-Type"].startswith("application/json"), response.text
    assert "Traceback" not in response.text
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["error"] == code, body
    return body


@pytest.fixture
def deployed(ctx):  # type: ignore[no-untyped-def]
    """A user per role and the shipped processes; no passwords, as argon2 hashing would dominate the run."""
    for role, label in ROLES.items():
        ensure_user(ctx, role, [role], None, label, organisation=STAFF_ORG)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    return ctx


@pytest.fixture
def case(server, deployed, clock) -> CaseDriver:  # type: ignore[no-untyped-def]
    return CaseDriver.start(server, deployed, clock, bsn=VALID_CLIENT["bsn"], birth_date=VALID_CLIENT["birth_date"])


def _rejected(server, ctx, requests: list[tuple[str, str, str | None, dict[str, Any], int, str]]) -> list[dict]:  # type: ignore[no-untyped-def]
    """Send each request; each must fail with its status and code and change nothing."""
    bodies = []
    for method, path, user, kwargs, status, code in requests:
        before = db_state(ctx)
        response = server.request(method, path, user=user, **kwargs)
        bodies.append(assert_error(response, status, code))
        assert db_state(ctx) == before, f"{method} {path} changed the database"
    return bodies


def test_unknown_and_malformed_ids_are_404(server, case):  # type: ignore[no-untyped-def]
    task = case.open_task()["id"]
    _rejected(
        server,
        case.ctx,
        [
            ("GET", "/api/cases/999999", "teamleider", {}, 404, "not_found"),
            ("GET", "/api/cases/999999/history", "teamleider", {}, 404, "not_found"),
            ("GET", "/api/tasks/999999", "teamleider", {}, 404, "not_found"),
            ("POST", "/api/tasks/999999/claim", "klantmanager", {}, 404, "not_found"),
            ("POST", "/api/tasks/999999/unclaim", "klantmanager", {}, 404, "not_found"),
            ("POST", "/api/tasks/999999/complete", "klantmanager", {"json": {"data": a.AANV_OK}}, 404, "not_found"),
            ("GET", "/api/cases/abc", "teamleider", {}, 404, "not_found"),
            ("GET", "/api/cases/1.5/history", "teamleider", {}, 404, "not_found"),
            ("GET", "/api/tasks/-1", "teamleider", {}, 404, "not_found"),
            ("POST", "/api/tasks/xyz/complete", "klantmanager", {"json": {"data": a.AANV_OK}}, 404, "not_found"),
            ("GET", "/api/nothing-here", "teamleider", {}, 404, "not_found"),
            ("DELETE", f"/api/tasks/{task}", "teamleider", {}, 405, "method_not_allowed"),
        ],
    )


def test_missing_or_unknown_user_is_401(server, case):  # type: ignore[no-untyped-def]
    task = case.open_task()["id"]
    for header in (
        {},
        {"X-Trajectflow-User": "nobody"},
        {"X-Trajectflow-User": ""},
        {"X-Trajectflow-User": "Klantmanager"},
        {"X-Trajectflow-User": "klantmanager"},  # the retired header names a real user: still nobody
        {"Authorization": "Bearer tf_not-a-token"},
        {"Authorization": "Basic a2xhbnRtYW5hZ2VyOmRlbW8="},
        {"Authorization": "Bearer "},
    ):
        _rejected(
            server,
            case.ctx,
            [
                ("GET", "/api/cases", None, {"headers": dict(header)}, 401, "unauthenticated"),
                ("GET", "/api/processes", None, {"headers": dict(header)}, 401, "unauthenticated"),
                ("GET", "/api/tasks", None, {"headers": dict(header)}, 401, "unauthenticated"),
                ("GET", f"/api/tasks/{task}", None, {"headers": dict(header)}, 401, "unauthenticated"),
                ("GET", f"/api/cases/{case.case_id}/history", None, {"headers": dict(header)}, 401, "unauthenticated"),
                (
                    "POST",
                    "/api/cases",
                    None,
                    {"headers": dict(header), "json": {"municipality": "roermond", "client": VALID_CLIENT}},
                    401,
                    "unauthenticated",
                ),
                ("POST", f"/api/tasks/{task}/claim", None, {"headers": dict(header)}, 401, "unauthenticated"),
                (
                    "POST",
                    f"/api/tasks/{task}/complete",
                    None,
                    {"headers": dict(header), "json": {"data": a.AANV_OK}},
                    401,
                    "unauthenticated",
                ),
            ],
        )


def test_wrong_role_and_someone_elses_claim(server, case):  # type: ignore[no-untyped-def]
    task = case.open_task()["id"]
    _rejected(
        server,
        case.ctx,
        [
            ("POST", f"/api/tasks/{task}/complete", "jobcoach", {"json": {"data": a.AANV_OK}}, 403, "forbidden"),
            ("POST", f"/api/tasks/{task}/claim", "jobcoach", {}, 403, "forbidden"),
            ("POST", f"/api/tasks/{task}/unclaim", "klantmanager", {}, 409, "conflict"),
        ],
    )
    assert server.request("POST", f"/api/tasks/{task}/claim", user="klantmanager").status_code == 200
    # A second klantmanager may not take over or finish a claimed task; neither may a stranger release it.
    ensure_user(case.ctx, "klantmanager2", ["klantmanager"], None, "Tweede klantmanager", organisation=STAFF_ORG)
    body = _rejected(
        server,
        case.ctx,
        [
            ("POST", f"/api/tasks/{task}/claim", "klantmanager2", {}, 409, "conflict"),
            ("POST", f"/api/tasks/{task}/complete", "klantmanager2", {"json": {"data": a.AANV_OK}}, 409, "conflict"),
            ("POST", f"/api/tasks/{task}/unclaim", "klantmanager2", {}, 403, "forbidden"),
        ],
    )
    assert body[0]["details"] == {"assignee": "klantmanager"}


def test_completed_and_cancelled_tasks_are_409(server, case):  # type: ignore[no-untyped-def]
    first = case.open_task()["id"]
    case.wait_for_timer("beslistermijn")  # cancels aanvraag_beoordelen, opens besluit_verdagen
    assert server.request("GET", f"/api/tasks/{first}", user="klantmanager").json()["status"] == "cancelled"
    case.complete("besluit_verdagen", a.VERDAGEN)
    done = [t for t in case.history() if t["kind"] == "task_completed"][-1]["task_id"]
    _rejected(
        server,
        case.ctx,
        [
            ("POST", f"/api/tasks/{first}/claim", "klantmanager", {}, 409, "conflict"),
            ("POST", f"/api/tasks/{first}/complete", "klantmanager", {"json": {"data": a.AANV_OK}}, 409, "conflict"),
            ("POST", f"/api/tasks/{done}/claim", "klantmanager", {}, 409, "conflict"),
            ("POST", f"/api/tasks/{done}/unclaim", "klantmanager", {}, 409, "conflict"),
            ("POST", f"/api/tasks/{done}/complete", "klantmanager", {"json": {"data": a.VERDAGEN}}, 409, "conflict"),
        ],
    )


def test_unparseable_bodies_are_json_errors(server, case):  # type: ignore[no-untyped-def]
    task = case.open_task()["id"]
    complete = f"/api/tasks/{task}/complete"
    json_header = {"Content-Type": "application/json"}
    _rejected(
        server,
        case.ctx,
        [
            (
                "POST",
                complete,
                "klantmanager",
                {"data": b"{not json", "headers": dict(json_header)},
                400,
                "bad_request",
            ),
            (
                "POST",
                "/api/cases",
                "klantmanager",
                {"data": b'{"municipality": ', "headers": dict(json_header)},
                400,
                "bad_request",
            ),
            (
                "POST",
                complete,
                "klantmanager",
                {"data": b"\xff\xfe\x00", "headers": dict(json_header)},
                400,
                "bad_request",
            ),
            ("POST", complete, "klantmanager", {"json": [1, 2, 3]}, 422, "validation_failed"),
            ("POST", complete, "klantmanager", {"json": "data"}, 422, "validation_failed"),
            ("POST", complete, "klantmanager", {"json": {"data": [a.AANV_OK]}}, 422, "validation_failed"),
            ("POST", complete, "klantmanager", {"json": {"data": "toegekend"}}, 422, "validation_failed"),
            ("POST", "/api/cases", "klantmanager", {"json": ["roermond"]}, 422, "validation_failed"),
            (
                "POST",
                "/api/cases",
                "klantmanager",
                {"json": {"municipality": "roermond", "client": VALID_CLIENT, "data": 5}},
                422,
                "validation_failed",
            ),
        ],
    )


def test_form_violations_name_the_field(server, case):  # type: ignore[no-untyped-def]
    task = case.open_task()["id"]
    complete = f"/api/tasks/{task}/complete"

    def submit(data: dict[str, Any]) -> tuple:
        return ("POST", complete, "klantmanager", {"json": {"data": data}}, 422, "validation_failed")

    bodies = _rejected(
        server,
        case.ctx,
        [
            submit({"besluit_datum": "2026-03-20"}),
            submit({**a.AANV_OK, "besluit": "misschien"}),
            submit({**a.AANV_OK, "besluit_motivering": 42}),
            submit({**a.AANV_OK, "besluit_datum": "20-03-2026"}),
            submit({**a.AANV_OK, "extra_veld": "x"}),
            submit({"besluit": 1, "besluit_datum": "2026-02-30", "onbekend": True}),
        ],
    )
    fields = [set(body["details"]) for body in bodies]
    assert fields == [
        {"besluit"},
        {"besluit"},
        {"besluit_motivering"},
        {"besluit_datum"},
        {"extra_veld"},
        {"besluit", "besluit_datum", "onbekend"},
    ]
    assert all(isinstance(m, list) and m for body in bodies for m in body["details"].values())
    assert case.open_task()["id"] == task


def test_invalid_case_registrations_are_422_with_fields(server, deployed):  # type: ignore[no-untyped-def]
    def register(body: dict[str, Any], status: int = 422, code: str = "validation_failed") -> tuple:
        return ("POST", "/api/cases", "klantmanager", {"json": body}, status, code)

    client = VALID_CLIENT
    bodies = _rejected(
        server,
        deployed,
        [
            register({"municipality": "roermond", "client": {**client, "bsn": "111222334"}}),
            register({"municipality": "roermond", "client": {**client, "bsn": "12345"}}),
            register({"municipality": "amsterdam", "client": client}),
            register({"client": client}),
            register({"municipality": "roermond", "client": {"name": "Zonder BSN"}}),
            register({"municipality": "roermond", "client": {**client, "birth_date": "17-05-1980"}}),
            register({"municipality": "roermond", "client": {**client, "birth_date": "2999-01-01"}}),
            register({"municipality": "roermond", "client": {**client, "name": ""}}),
            register({"municipality": "roermond"}),
            register({"municipality": "roermond", "client": client, "version": 0}),
            register({"municipality": "roermond", "client": client, "unexpected": 1}),
            register({"municipality": "roermond", "client": client, "process_id": "bestaat_niet"}, 404, "not_found"),
            register({"municipality": "roermond", "client": client, "version": 99}, 404, "not_found"),
            register({"municipality": "roermond", "client_id": 424242}, 404, "not_found"),
        ],
    )
    details = [body["details"] for body in bodies]
    assert set(details[0]) == {"client.bsn"} and set(details[1]) == {"client.bsn"}
    assert set(details[2]) == {"municipality"}
    assert set(details[3]) == {"municipality"}
    assert set(details[4]) == {"client.bsn", "client.birth_date"}
    assert set(details[5]) == {"client.birth_date"} and set(details[6]) == {"client.birth_date"}
    assert set(details[7]) == {"client.name"}
    assert set(details[8]) == {"client"}
    assert set(details[9]) == {"version"} and set(details[10]) == {"unexpected"}


def test_bad_query_arguments_are_422(server, case):  # type: ignore[no-untyped-def]
    bodies = _rejected(
        server,
        case.ctx,
        [
            ("GET", "/api/cases?page=0", "teamleider", {}, 422, "validation_failed"),
            ("GET", "/api/cases?status=bogus", "teamleider", {}, 422, "validation_failed"),
            ("GET", "/api/cases?page_size=100000", "teamleider", {}, 422, "validation_failed"),
            ("GET", "/api/cases?page=een", "teamleider", {}, 422, "validation_failed"),
            ("GET", "/api/tasks?status=bogus", "teamleider", {}, 422, "validation_failed"),
            ("GET", "/api/tasks?page=-3", "teamleider", {}, 422, "validation_failed"),
            ("GET", "/api/tasks?case_id=abc", "teamleider", {}, 422, "validation_failed"),
            ("GET", "/api/tasks?sort=name", "teamleider", {}, 422, "validation_failed"),
            ("GET", "/api/tasks?overdue=perhaps", "teamleider", {}, 422, "validation_failed"),
        ],
    )
    expected = ["page", "status", "page_size", "page", "status", "page", "case_id", "sort", "overdue"]
    assert [set(body["details"]) for body in bodies] == [{name} for name in expected]


def test_odd_search_terms_find_nothing_instead_of_failing(server, case):  # type: ignore[no-untyped-def]
    for term in ("²", "１２３", "%", "_", "'; DROP TABLE cases; --", "\\", "0" * 40):
        before = db_state(case.ctx)
        response = server.request("GET", "/api/cases", user="teamleider", params={"client": term})
        assert response.status_code == 200, f"{term!r}: {response.text}"
        assert response.json()["items"] == [], term
        assert db_state(case.ctx) == before
    found = server.request("GET", "/api/cases", user="teamleider", params={"client": "cliënt"}).json()
    assert [item["id"] for item in found["items"]] == [case.case_id]
