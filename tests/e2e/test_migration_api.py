"""POST /api/processes/{id}/migrate: per-case report over HTTP, dry run by default, designer or teamleider only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_case_migration import V1, V2, _park, _process
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_sources


@pytest.fixture
def parked(server, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Version 1 with a case at `aanmelden` and one at `intake`, then version 2 (intake renamed)."""
    ctx = server.app.extensions["trajectflow"]
    ensure_demo_users(ctx)
    (tmp_path / "stap.json").write_text('{"type": "object", "properties": {"notitie": {"type": "string"}}}')
    deploy_sources(ctx, {"v.bpmn": _process(V1)}, tmp_path)
    cases = {"aanmelden": _park(ctx, "aanmelden", 0), "intake": _park(ctx, "intake", 1)}
    deploy_sources(ctx, {"v.bpmn": _process(V2)}, tmp_path)
    return cases


def test_migrate_endpoint_reports_per_case_then_moves_the_mapped(server, parked) -> None:  # type: ignore[no-untyped-def]
    body = {"from_version": 1, "to_version": 2}
    dry = server.request("POST", "/api/processes/verhuizen/migrate", user="teamleider", json=body)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["dry_run"], report["mapped"], report["blocked"]) == (True, 1, 1)
    assert report["cases"] == [
        {"case_id": parked["aanmelden"], "outcome": "mapped", "elements": ["aanmelden"], "reason": None},
        {
            "case_id": parked["intake"],
            "outcome": "blocked",
            "elements": ["intake"],
            "reason": "not in the new version: verhuizen/intake",
        },
    ]
    case = server.request("GET", f"/api/cases/{parked['aanmelden']}", user="teamleider").json()
    assert case["process_version"] == 1, "a dry run changes nothing"

    real = server.request(
        "POST", "/api/processes/verhuizen/migrate", user="procesontwerper",
        json={**body, "dry_run": False, "case_ids": [parked["aanmelden"]]},
    )  # fmt: skip
    assert real.status_code == 200, real.text
    assert [(c["case_id"], c["outcome"]) for c in real.json()["cases"]] == [(parked["aanmelden"], "mapped")]
    assert server.request("GET", f"/api/cases/{parked['aanmelden']}", user="teamleider").json()["process_version"] == 2
    assert server.request("GET", f"/api/cases/{parked['intake']}", user="teamleider").json()["process_version"] == 1


def test_migrate_endpoint_refuses_other_roles_and_bad_input(server, parked) -> None:  # type: ignore[no-untyped-def]
    body = {"from_version": 1, "to_version": 2, "dry_run": False}
    assert server.request("POST", "/api/processes/verhuizen/migrate", user="klantmanager", json=body).status_code == 403
    assert server.request("POST", "/api/processes/verhuizen/migrate", json=body).status_code == 401
    missing = server.request("POST", "/api/processes/verhuizen/migrate", user="procesontwerper", json={"to_version": 2})
    assert missing.status_code == 422
    unknown = server.request(
        "POST", "/api/processes/verhuizen/migrate", user="procesontwerper", json={"from_version": 1, "to_version": 9}
    )
    assert unknown.status_code == 404
