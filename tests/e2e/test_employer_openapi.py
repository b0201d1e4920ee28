"""The employer, programme and KPI endpoints describe their answers in the OpenAPI document, and the
answers keep every field the schemas name (the schemas serialise them)."""

from __future__ import annotations


def _ref(document: dict, path: str, method: str, status: str) -> str:  # type: ignore[type-arg]
    schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return str(schema.get("$ref") or schema["items"]["$ref"]).rsplit("/", 1)[-1]


def test_employer_programme_and_kpi_responses_are_described(server):  # type: ignore[no-untyped-def]
    document = server.request("GET", "/api/openapi.json").json()
    assert _ref(document, "/api/employers", "get", "200") == "EmployerListItem"
    assert _ref(document, "/api/employers/{employer_id}", "get", "200") == "EmployerDetail"
    assert _ref(document, "/api/employer-plans/{plan_id}", "get", "200") == "Plan"
    assert _ref(document, "/api/programmes", "get", "200") == "Programme"
    assert _ref(document, "/api/programmes/{programme_id}", "get", "200") == "ProgrammeProgress"
    assert _ref(document, "/api/billing", "get", "200") == "Report"
    schemas = document["components"]["schemas"]
    detail = schemas["EmployerDetail"]["properties"]
    assert {"workplaces", "placements", "plans", "history", "kvk_number", "contacts"} <= set(detail)
    assert schemas["Plan"]["properties"]["start_date"]["format"] == "date"
    assert {"series", "enrolled", "residents_to_work"} <= set(schemas["ProgrammeProgress"]["properties"])
