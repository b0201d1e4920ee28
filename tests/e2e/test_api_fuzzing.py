"""Schemathesis against /api/openapi.json: generated requests for every operation, on SQLite and
PostgreSQL with a deployed process, a demo case and users. No answer may be a server error, and
every answer must match the schema the API publishes (status code, content type, body).

Bounded: a few examples per operation (the whole run stays within seconds per backend)."""

from __future__ import annotations

from datetime import date

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import ROOT
from trajectflow.app import create_app
from trajectflow.domain.cases import Actor
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.tokens import issue_token

EXAMPLES = 8
# Revoking a token: random ids would revoke the fuzzer's own token (tests/e2e/test_access_matrix.py covers it).
NOT_FUZZED = {("DELETE", "/api/auth/tokens/{token_id}")}


def _fuzz(operation, problems: list[str], headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    @given(operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        case.headers = {**(case.headers or {}), **headers}  # on the case, so the auth check can take it away
        response = case.call()
        where = f"{case.method} {case.formatted_path} {case.query or ''} {str(case.body)[:200]}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code} {response.text[:300]}")
            return
        try:
            # Schema-valid input that business rules refuse (an unknown assignee …) is a 4xx by design.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])
        except (Exception, BaseExceptionGroup) as err:  # noqa: BLE001 - schemathesis raises a group of failed checks
            failures = getattr(err, "exceptions", [err])
            problems.extend(f"{where}: {type(f).__name__}: {str(f).splitlines()[0][:200]}" for f in failures)

    run()


def test_api_answers_within_its_schema_and_never_fails(ctx, clock) -> None:  # type: ignore[no-untyped-def]
    ensure_demo_users(ctx)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms")
    km = Actor("klantmanager", frozenset({"klantmanager"}))
    start_case(ctx, km, "participatie_traject", "roermond", ClientInput("111222333", "Fuzz Test", date(1980, 1, 1)))
    app = create_app(ctx.settings, clock=clock)
    app.extensions["trajectflow"] = ctx
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {issue_token(ctx, 'teamleider', 'fuzz', None).token}"}
    problems: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in NOT_FUZZED:
            continue
        _fuzz(operation, problems, headers)
        operations += 1
    assert operations > 10
    assert problems == [], "\n".join(problems)
