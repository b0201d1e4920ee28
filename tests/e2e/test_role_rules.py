"""Who may do what, through HTTP: only holders of a task's role claim and complete it; a teamleider
releases and reassigns (to a holder of the role who works for the case's municipality); only process
designers deploy and pin, on the API and on the designer pages; only a beheerder manages accounts."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import ROOT
from tests.e2e.driver import CaseDriver
from tests.integration.test_case_migration import V1, _process
from trajectflow.domain.roles import ROLES
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.users import ensure_user
from trajectflow.store.models import ProcessVersion

ORG = "werkbedrijf-roermond"
PASSWORD = "role rules passphrase"
DESIGNERS = {"procesontwerper"}  # only process designers deploy (issue 6)


@pytest.fixture
def world(ctx):  # type: ignore[no-untyped-def]
    """Demo accounts (one per role), a second klantmanager, and the shipped processes."""
    ensure_demo_users(ctx)
    ensure_user(ctx, "km_twee", ["klantmanager"], PASSWORD, "Tweede klantmanager", organisation=ORG)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    return ctx


def _task(server, world, clock):  # type: ignore[no-untyped-def]
    case = CaseDriver.start(server, world, clock, bsn="111222333", birth_date="1980-01-01", name="Rol Test")
    return case, case.open_task()


def test_only_holders_of_the_role_claim_and_complete(server, world, clock):  # type: ignore[no-untyped-def]
    case, task = _task(server, world, clock)
    role, path = task["candidate_group"], f"/api/tasks/{task['id']}"
    assert role == "klantmanager"
    answer = {"data": {"besluit": "toegekend", "besluit_datum": "2026-03-20"}}
    for other in sorted(set(ROLES) - {role}):
        claimed = server.request("POST", f"{path}/claim", user=other)
        assert claimed.status_code == 403 and claimed.json()["details"] == {"role": role}, other
        assert server.request("POST", f"{path}/complete", user=other, json=answer).status_code == 403, other
    after = server.request("GET", path, user=role).json()
    assert after["assignee"] is None and after["status"] == "open"
    assert server.request("POST", f"{path}/claim", user=role).status_code == 200
    assert server.request("POST", f"{path}/complete", user="km_twee", json=answer).status_code == 409  # claimed
    assert server.request("POST", f"{path}/unclaim", user="km_twee").status_code == 403  # not theirs
    assert server.request("POST", f"{path}/unclaim", user="teamleider").status_code == 200  # a teamleider may
    done = server.request("POST", f"{path}/complete", user="km_twee", json=answer)
    assert done.status_code == 200, done.text
    assert [e["actor"] for e in case.history() if e["kind"] == "task_completed"] == ["km_twee"]


def test_only_a_teamleider_reassigns_and_only_to_who_may_do_it(server, world, clock):  # type: ignore[no-untyped-def]
    _, task = _task(server, world, clock)
    reassign = f"/api/tasks/{task['id']}/reassign"
    for role in sorted(set(ROLES) - {"teamleider"}):
        refused = server.request("POST", reassign, user=role, json={"assignee": "km_twee"})
        assert refused.status_code == 403, role
    wrong_role = server.request("POST", reassign, user="teamleider", json={"assignee": "jobcoach"})
    assert wrong_role.status_code == 422 and "does not hold role" in wrong_role.json()["details"]["assignee"][0]
    elsewhere = server.request("POST", reassign, user="teamleider", json={"assignee": "klantmanager-laborijn"})
    assert elsewhere.status_code == 422 and "does not work for roermond" in elsewhere.json()["details"]["assignee"][0]
    assert server.request("GET", f"/api/tasks/{task['id']}", user="teamleider").json()["assignee"] is None
    done = server.request("POST", reassign, user="teamleider", json={"assignee": "km_twee"})
    assert done.status_code == 200
    assert server.request("GET", f"/api/tasks/{task['id']}", user="teamleider").json()["assignee"] == "km_twee"
    # a teamleider of another organisation does not even find the task
    assert server.request("POST", reassign, user="teamleider-laborijn", json={"assignee": "km_twee"}).status_code == 404


def _versions(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        return int(uow.session.scalar(select(func.count(ProcessVersion.id))) or 0)


def test_only_process_designers_deploy_and_pin(server, world):  # type: ignore[no-untyped-def]
    files = {"verhuizen.bpmn": _process(V1).replace("stap.json", "rappel.json")}
    before = _versions(world)
    for role in sorted(set(ROLES) - DESIGNERS):
        deploy = server.request("POST", "/api/processes/deploy", user=role, json={"files": files})
        assert deploy.status_code == 403, role
        pin = server.request("PUT", "/api/processes/participatie_traject/pins/roermond", user=role, json={"version": 1})
        assert pin.status_code == 403, role
    assert _versions(world) == before
    assert server.request("GET", "/api/processes/participatie_traject/pins", user="procesontwerper").json() == []
    made = server.request("POST", "/api/processes/deploy", user="procesontwerper", json={"files": files})
    assert made.status_code == 201 and _versions(world) == before + 1


def _page_session(server, username: str) -> tuple[requests.Session, str]:  # type: ignore[no-untyped-def]
    http = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(server.base_url + "/login").text).group(1)  # type: ignore[union-attr]
    signed = http.post(
        server.base_url + "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 200 and "/login" not in signed.url
    return http, token


def test_designer_and_admin_pages_need_their_roles(server, world):  # type: ignore[no-untyped-def]
    for role in ("klantmanager", "teamleider", "procesontwerper", "beheerder"):
        ensure_user(world, f"web-{role}", [role], PASSWORD, role, organisation=ORG)
    files = {"verhuizen.bpmn": _process(V1).replace("stap.json", "rappel.json")}
    before = _versions(world)
    for role in ("klantmanager", "teamleider", "procesontwerper", "beheerder"):
        http, _ = _page_session(server, f"web-{role}")
        home = http.get(server.base_url + "/").text
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', home).group(1)  # type: ignore[union-attr]
        designer = http.get(server.base_url + "/procesontwerp/")
        deploy = http.post(server.base_url + "/procesontwerp/uitrollen", json={"files": files},
                           headers={"X-CSRF-Token": csrf})  # fmt: skip
        admin = http.get(server.base_url + "/beheer/gebruikers")
        created = http.post(server.base_url + "/beheer/gebruikers", data={
            "username": f"door-{role}", "roles": "jobcoach", "password": PASSWORD, "password_repeat": PASSWORD,
            "csrf_token": csrf})  # fmt: skip
        if role in DESIGNERS:
            assert designer.status_code == 200 and deploy.status_code == 201, (role, deploy.text)
        else:
            assert designer.status_code == 403 and deploy.status_code == 403, role
        if role == "beheerder":
            assert admin.status_code == 200 and created.status_code == 200 and "door-beheerder" in created.text
            assert 'href="/beheer/gebruikers"' in home
        else:
            assert admin.status_code == 403 and created.status_code == 403, role
            assert 'href="/beheer/gebruikers"' not in home
    assert _versions(world) == before + 1  # the second designer's deploy was unchanged content
    users = server.request("GET", "/api/users", user="beheerder").json()
    assert [u["username"] for u in users if u["username"].startswith("door-")] == ["door-beheerder"]
