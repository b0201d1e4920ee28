"""A restarted application (new app, new database engine, empty spec cache) carries cases on where they stopped."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import ROOT, STAFF_ORG
from tests.e2e import answers as a
from trajectflow.app import create_app
from trajectflow.domain.roles import ROLES
from trajectflow.engine.specs import SPEC_CACHE
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.timers import fire_due_timers
from trajectflow.services.tokens import issue_token
from trajectflow.services.users import ensure_user


class App:
    """One application instance with its own database engine, spoken to over its WSGI interface."""

    def __init__(self, settings, clock) -> None:  # type: ignore[no-untyped-def]
        self.flask = create_app(settings, clock=clock)
        self.ctx = self.flask.extensions["trajectflow"]
        self.client = self.flask.test_client()
        self._tokens: dict[str, str] = {}

    def call(self, method: str, path: str, user: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        if user not in self._tokens:
            self._tokens[user] = issue_token(self.ctx, user, "test", None).token
        headers = {"Authorization": f"Bearer {self._tokens[user]}"}
        response = self.client.open(path, method=method, headers=headers, json=body)
        assert response.status_code == status, f"{method} {path}: {response.get_data(as_text=True)}"
        return response.get_json()

    def case(self, case_id: int) -> dict[str, Any]:
        return self.call("GET", f"/api/cases/{case_id}", "teamleider")

    def complete(self, case_id: int, element_id: str, answer: dict[str, Any]) -> dict[str, Any]:
        (task,) = self.case(case_id)["open_tasks"]
        assert task["element_id"] == element_id, task
        user = task["candidate_group"]
        self.call("POST", f"/api/tasks/{task['id']}/claim", user)
        return self.call("POST", f"/api/tasks/{task['id']}/complete", user, {"data": answer})

    def stop(self) -> None:
        self.ctx.uow.engine.dispose()


@pytest.fixture
def first_app(ctx, clock):  # type: ignore[no-untyped-def]
    for role, label in ROLES.items():
        ensure_user(ctx, role, [role], None, label, organisation=STAFF_ORG)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    app = App(replace(ctx.settings, database_url=_standalone_url(ctx)), clock)
    yield app
    app.stop()


def _standalone_url(ctx) -> str:  # type: ignore[no-untyped-def]
    """The test database's URL, complete enough for a new engine: on PostgreSQL the suite's schema
    is set per connection by the fixture, so a fresh engine must name it in the URL."""
    engine = ctx.uow.engine
    url = engine.url
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _restart(app: App, clock) -> App:  # type: ignore[no-untyped-def]
    app.stop()
    SPEC_CACHE._items.clear()  # a new process parses its specs again, from the stored sources
    return App(app.ctx.settings, clock)


def _start(app: App, bsn: str, birth_date: str) -> int:
    client = {"bsn": bsn, "name": "Test Cliënt", "birth_date": birth_date}
    return app.call("POST", "/api/cases", "klantmanager", {"municipality": "roermond", "client": client}, 201)["id"]


def test_cases_continue_after_a_restart(first_app: App, clock) -> None:  # type: ignore[no-untyped-def]
    working = _start(first_app, "111222333", "1980-05-17")
    waiting = _start(first_app, "123456782", "2005-06-30")  # under 27: waits four weeks (zoekperiode)
    first_app.complete(working, "aanvraag_beoordelen", a.AANV_OK)
    first_app.complete(working, "brede_intake", a.intake(5))
    before = {case_id: first_app.case(case_id) for case_id in (working, waiting)}
    history_before = first_app.call("GET", f"/api/cases/{working}/history", "teamleider")

    second = _restart(first_app, clock)
    try:
        assert second.ctx is not first_app.ctx and second.ctx.uow.engine is not first_app.ctx.uow.engine
        for case_id, detail in before.items():
            assert second.case(case_id) == detail
        assert second.call("GET", f"/api/cases/{working}/history", "teamleider") == history_before
        second.complete(working, "diagnose", a.diagnose("volledig", "laag", False))
        assert second.case(working)["route"] == "werk"
        second.complete(working, "plan_van_aanpak", a.PVA)
        second.complete(working, "match_werkgever", a.MATCH)
        assert second.case(working)["phase"] == "plaatsing"

        (timer,) = [t for t in second.case(waiting)["waiting_timers"] if t["element_id"] == "zoekperiode"]
        clock.advance(timedelta(days=29))
        assert fire_due_timers(second.ctx) >= 1
        result = second.complete(waiting, "aanvraag_beoordelen", a.AANV_AF)
        assert result["case_status"] == "completed"
        assert second.case(waiting)["waiting_timers"] == []

        third = _restart(second, clock)
        try:
            third.complete(working, "trajectplan_werkgever", a.trajectplan(False, False, False))
            third.complete(working, "plaatsing_starten", a.PLAATS)
            assert third.case(working)["status"] == "active"
            kinds = [e["kind"] for e in third.call("GET", f"/api/cases/{working}/history", "teamleider")]
            assert kinds[: len(history_before)] == [e["kind"] for e in history_before]
            assert kinds.count("task_completed") == 7 and kinds.count("case_started") == 1
        finally:
            third.stop()
    finally:
        second.stop()
