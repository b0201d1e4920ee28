"""The API describes itself; the description, the docs page and the health check need no user."""

from __future__ import annotations

import json

PATHS = {
    "/api/processes": {"get"},
    "/api/cases": {"get", "post"},
    "/api/cases/{case_id}": {"get"},
    "/api/cases/{case_id}/history": {"get"},
    "/api/tasks": {"get"},
    "/api/tasks/{task_id}": {"get"},
    "/api/tasks/{task_id}/claim": {"post"},
    "/api/tasks/{task_id}/unclaim": {"post"},
    "/api/tasks/{task_id}/complete": {"post"},
}


def test_openapi_document_lists_every_route_without_authentication(server):  # type: ignore[no-untyped-def]
    response = server.request("GET", "/api/openapi.json")
    assert response.status_code == 200, response.text
    document = json.loads(response.text)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "trajectflow"
    for path, methods in PATHS.items():
        assert path in document["paths"], f"{path} missing from {sorted(document['paths'])}"
        assert methods <= set(document["paths"][path]), f"{path}: {sorted(document['paths'][path])}"
    complete = document["paths"]["/api/tasks/{task_id}/complete"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(complete["responses"])
    assert "requestBody" in complete
    case_params = {p["name"] for p in document["paths"]["/api/cases"]["get"]["parameters"]}
    assert {"status", "page", "page_size"} <= case_params


def test_docs_page_and_health_check_are_public(server):  # type: ignore[no-untyped-def]
    docs = server.request("GET", "/api/docs")
    assert docs.status_code == 200, docs.text
    assert "text/html" in docs.headers["Content-Type"] and "openapi.json" in docs.text
    health = server.request("GET", "/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_api_routes_other_than_the_description_still_need_a_user(server):  # type: ignore[no-untyped-def]
    for path in ("/api/processes", "/api/cases", "/api/tasks"):
        response = server.request("GET", path)
        assert response.status_code == 401, f"{path}: {response.status_code}"
        assert response.json()["error"] == "unauthenticated"
