"""POST /api/processes/deploy (designer role, logged per caller) and versions pinned per municipality."""

from __future__ import annotations

from tests.integration.test_case_migration import V1, V2, _process
from trajectflow.services.demo_users import ensure_demo_users

DEPLOY = "/api/processes/deploy"


def _sources(tasks: list[str]) -> dict[str, str]:
    # The server checks forms against the shipped forms/: use one of those.
    return {"verhuizen.bpmn": _process(tasks).replace("stap.json", "rappel.json")}


def _start(server, municipality: str, bsn: str) -> dict:  # type: ignore[type-arg,no-untyped-def]
    body = {
        "process_id": "verhuizen",
        "municipality": municipality,
        "client": {"bsn": bsn, "name": "Cliënt", "birth_date": "1980-01-01"},
    }
    started = server.request("POST", "/api/cases", user="klantmanager", json=body)
    assert started.status_code == 201, started.text
    return server.request("GET", f"/api/cases/{started.json()['id']}", user="teamleider").json()


def test_deploy_needs_the_designer_role_and_is_logged_per_caller(server, ctx) -> None:  # type: ignore[no-untyped-def]
    ensure_demo_users(ctx)
    body = {"files": _sources(V1)}
    assert server.request("POST", DEPLOY, json=body).status_code == 401
    for role in ("klantmanager", "teamleider", "beheerder"):  # only process designers deploy
        refused = server.request("POST", DEPLOY, user=role, json=body)
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"

    first = server.request("POST", DEPLOY, user="procesontwerper", json=body)
    assert first.status_code == 201, first.text
    assert first.json() == {"versions": [{"process_id": "verhuizen", "version": 1, "created": True}], "warnings": []}
    upload = {"files": ("verhuizen.bpmn", _sources(V2)["verhuizen.bpmn"].encode(), "application/xml")}
    second = server.request("POST", DEPLOY, user="procesontwerper", files=upload)
    assert second.status_code == 201, second.text
    assert second.json()["versions"] == [{"process_id": "verhuizen", "version": 2, "created": True}]
    same = server.request("POST", DEPLOY, user="procesontwerper", json=body)
    assert same.json()["versions"] == [{"process_id": "verhuizen", "version": 1, "created": False}]

    broken = server.request(
        "POST", DEPLOY, user="procesontwerper", json={"files": {"x.bpmn": _process(V1).replace("rappel", "-")}}
    )
    assert broken.status_code == 422 and broken.json()["error"] == "invalid_process"
    assert server.request("POST", DEPLOY, user="procesontwerper", json={"files": {}}).status_code == 422

    log = server.request("GET", "/api/processes/deployments", user="teamleider").json()
    assert [(d["actor"], d["files"], d["versions"]) for d in log] == [
        ("procesontwerper", ["verhuizen.bpmn"], [{"process_id": "verhuizen", "version": 1, "created": False}]),
        ("procesontwerper", ["verhuizen.bpmn"], [{"process_id": "verhuizen", "version": 2, "created": True}]),
        ("procesontwerper", ["verhuizen.bpmn"], [{"process_id": "verhuizen", "version": 1, "created": True}]),
    ], "refused and invalid deploys leave no entry"


def test_a_pinned_municipality_starts_new_cases_on_its_version(server, ctx) -> None:  # type: ignore[no-untyped-def]
    ensure_demo_users(ctx)
    for tasks in (V1, V2):
        assert (
            server.request("POST", DEPLOY, user="procesontwerper", json={"files": _sources(tasks)}).status_code == 201
        )
    pin = "/api/processes/verhuizen/pins/Roermond"
    assert server.request("PUT", pin, user="klantmanager", json={"version": 1}).status_code == 403
    assert server.request("PUT", pin, user="procesontwerper", json={"version": 7}).status_code == 404
    unknown = server.request(
        "PUT", "/api/processes/verhuizen/pins/atlantis", user="procesontwerper", json={"version": 1}
    )
    assert unknown.status_code == 422
    pinned = server.request("PUT", pin, user="procesontwerper", json={"version": 1})
    assert pinned.status_code == 200, pinned.text
    assert (pinned.json()["municipality"], pinned.json()["version"], pinned.json()["pinned_by"]) == (
        "roermond", 1, "procesontwerper",
    )  # fmt: skip
    listed = server.request("GET", "/api/processes/verhuizen/pins", user="teamleider").json()
    assert [(p["municipality"], p["version"]) for p in listed] == [("roermond", 1)]

    assert _start(server, "roermond", "111222333")["process_version"] == 1, "pinned"
    assert _start(server, "maasgouw", "123456782")["process_version"] == 2, "latest elsewhere"

    assert server.request("DELETE", pin, user="teamleider").status_code == 403
    assert server.request("DELETE", pin, user="procesontwerper").status_code == 204
    assert server.request("DELETE", pin, user="procesontwerper").status_code == 404
    assert _start(server, "roermond", "100000034")["process_version"] == 2, "latest again once unpinned"
