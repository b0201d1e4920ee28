"""Audit completeness through the real HTTP API: a whole trajectory leaves exactly the records its steps imply,
none of them (nor any log line) holds the client's BSN, a password or a token, and `trajectflow audit verify`
names a record someone edited in the database.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import logging.config
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.audit_support import audit_rows, database_url, tampering
from tests.conftest import ROOT, LiveServer
from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver
from trajectflow.domain.clock import FixedClock
from trajectflow.ops.logs import logging_config
from trajectflow.services.context import ServiceContext
from trajectflow.services.users import ensure_user

BSN = "999999990"
PASSWORD = "Zeer-geheim-wachtwoord-42"
SIGN_IN_USER = "km-audit"
Expected = tuple[str | None, str, str | None, str | None, str]


class AuditedCase(CaseDriver):
    """The CaseDriver, noting for each of its requests the audit record it must leave."""

    expected: list[Expected]

    @classmethod
    def begin(cls, server: LiveServer, ctx: ServiceContext, clock: FixedClock, expected: list[Expected]) -> AuditedCase:
        driver = cls.start(server, ctx, clock, bsn=BSN, birth_date="1960-01-01")
        case = cls(server, ctx, clock, driver.case_id)
        case.expected = expected
        expected.append(("klantmanager", "start_case", "case", str(case.case_id), "success"))
        return case

    def case(self) -> dict[str, Any]:
        self.expected.append(("teamleider", "view", "case", str(self.case_id), "success"))
        return super().case()

    def history(self) -> list[dict[str, Any]]:
        self.expected.append(("teamleider", "view", "case", str(self.case_id), "success"))
        return super().history()

    def open_task(self) -> dict[str, Any]:
        self.expected.append(("teamleider", "list", "task", None, "success"))
        return super().open_task()

    def complete(self, element_id: str, answer: dict[str, Any], phase: str | None = None) -> dict[str, Any]:
        task = self.open_task()  # which task and whose: the driver finds it again itself (noted by open_task)
        result = super().complete(element_id, answer, phase)
        user, task_id = task["candidate_group"], str(task["id"])
        for action in ("claim", "complete", "view"):
            self.expected.append((user, action, "task", task_id, "success"))
        return result


@contextlib.contextmanager
def app_logging(log_format: str) -> Iterator[io.StringIO]:
    """The application's own logging configuration (handlers, scrubbing filter, formatter) writing into a buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    config = logging_config("INFO", log_format)
    for handler in config["handlers"].values():
        handler["stream"] = buffer
    logging.config.dictConfig(config)
    try:
        yield buffer
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    with app_logging("json") as buffer:
        yield buffer


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_log_records_mask_bsns_tokens_and_passwords(log_format):
    token = "tf_" + "A1b2" * 10
    with app_logging(log_format) as buffer:
        log = logging.getLogger("trajectflow.services.anything")
        log.warning("lookup of %s by token %s", BSN, token)
        log.info('header Authorization: Bearer %s, body {"password": "%s"}', token, PASSWORD)
        log.info("formatted bsn 9999.99.990", extra={"query": f"q={BSN}&password={PASSWORD}"})
        try:
            raise ValueError(f"no client with BSN {BSN}")
        except ValueError:
            log.exception("failed")
    logged = buffer.getvalue()
    assert [s for s in (BSN, token, PASSWORD, "9999.99.990") if s in logged] == []
    assert logged.count("*********") >= 3 and "tf_***" in logged and "Bearer ***" in logged
    assert "ValueError: no client with BSN *********" in logged


def _tuples(ctx: ServiceContext) -> list[Expected]:
    return [(r.actor, r.action, r.object_type, r.object_id, r.result) for r in audit_rows(ctx)]


def test_a_whole_trajectory_leaves_exactly_the_expected_records(server, deployed, clock, log_lines):
    ctx = deployed
    ensure_user(ctx, SIGN_IN_USER, ["klantmanager"], PASSWORD, "Audit KM", organisation="werkbedrijf-roermond")
    expected: list[Expected] = []

    bad_bsn = {"municipality": "roermond", "client": {"bsn": "123456789", "name": "X", "birth_date": "1960-01-01"}}
    assert server.request("POST", "/api/cases", user="klantmanager", json=bad_bsn).status_code == 422
    expected.append(("klantmanager", "start_case", "case", None, "failed"))

    case = AuditedCase.begin(server, ctx, clock, expected)
    cid = str(case.case_id)
    assert (
        server.request("GET", f"/api/cases?client={BSN}", user="klantmanager").json()["items"][0]["id"] == case.case_id
    )
    expected.append(("klantmanager", "list", "case", None, "success"))
    assert server.request("GET", f"/api/cases/{cid}", user="teamleider-laborijn").status_code == 404
    expected.append(("teamleider-laborijn", "view", "case", cid, "denied"))
    assert server.request("GET", f"/api/cases/{cid}").status_code == 401
    expected.append((None, "view", "case", cid, "denied"))

    wrong = server.request("POST", "/api/auth/token", json={"username": SIGN_IN_USER, "password": "wrong"})
    assert wrong.status_code == 401
    expected.append((SIGN_IN_USER, "login", "user", SIGN_IN_USER, "failure"))
    signed_in = server.request("POST", "/api/auth/token", json={"username": SIGN_IN_USER, "password": PASSWORD})
    assert signed_in.status_code == 201
    expected.append((SIGN_IN_USER, "login", "user", SIGN_IN_USER, "success"))
    token = signed_in.json()["token"]
    history = server.request("GET", f"/api/cases/{cid}/history", headers={"Authorization": f"Bearer {token}"})
    assert history.status_code == 200
    expected.append((SIGN_IN_USER, "view", "case", cid, "success"))

    case.complete("aanvraag_beoordelen", a.AANV_OK, phase="aanvraag")
    case.complete("brede_intake", a.intake(1))
    case.complete("diagnose", a.diagnose("geen", "hoog", True))
    assert case.case()["route"] == "dagbesteding"
    case.complete("plan_van_aanpak", a.PVA)
    case.complete("overdracht_wmo", a.OVERDR, phase="dagbesteding")
    assert case.complete("indicatie_dagbesteding", a.IND_DAG)["case_status"] == "completed"

    own_log = server.request("GET", f"/api/cases/{cid}/audit", user="teamleider")
    assert own_log.status_code == 200
    *shown, reading = [r for r in audit_rows(ctx) if r.case_id == case.case_id]
    assert [r["seq"] for r in own_log.json()] == [r.seq for r in shown]  # reading it is recorded after it was read
    assert ("teamleider-laborijn", "denied") in {(r["actor"], r["result"]) for r in own_log.json()}
    expected.append(("teamleider", "view", "audit_log", cid, "success"))
    as_csv = server.request("GET", f"/api/cases/{cid}/audit?format=csv", user="teamleider")
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert len(as_csv.text.splitlines()) == 1 + len(shown) + 1 and as_csv.text.splitlines()[-1].startswith(
        f"{reading.seq};"
    )
    expected.append(("teamleider", "export", "audit_log", cid, "success"))
    assert server.request("GET", f"/api/cases/{cid}/audit", user="klantmanager").status_code == 403
    expected.append(("klantmanager", "view", "audit_log", cid, "denied"))
    assert server.request("GET", f"/api/cases/{cid}/audit", user="teamleider-laborijn").status_code == 404
    expected.append(("teamleider-laborijn", "view", "audit_log", cid, "denied"))

    assert _tuples(ctx) == expected

    rows = audit_rows(ctx)
    assert all(r.origin_ip == "127.0.0.1" and r.client and r.client.startswith("python-requests") for r in rows)
    assert all(r.case_id == case.case_id for r in rows if r.object_id == cid or r.object_type == "task")
    everything = json.dumps([dict(r._mapping) for r in rows], default=str)
    secrets = [BSN, PASSWORD, token, *server._tokens.values()]
    assert [s for s in secrets if s in everything] == []

    logged = log_lines.getvalue()
    assert "GET /api/cases?client=********* HTTP/1.1" in logged  # werkzeug's request line, masked
    assert [s for s in secrets if s in logged] == []

    victim = next(r for r in rows if r.actor == SIGN_IN_USER and r.action == "view")
    with tampering(ctx) as conn:
        conn.exec_driver_sql(f"UPDATE audit_records SET actor = 'klantmanager' WHERE seq = {victim.seq}")
    verify = subprocess.run(
        [sys.executable, "-m", "trajectflow.cli", "audit", "verify"],
        env={"TRAJECTFLOW_DATABASE_URL": database_url(ctx), "PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert verify.returncode == 1, verify.stdout + verify.stderr
    assert verify.stdout.splitlines() == [
        f"seq {victim.seq} (id {victim.id}): digest mismatch — the record was altered"
    ]


def test_an_audit_record_that_cannot_be_written_withholds_the_view_but_not_the_change(server, deployed, clock):
    ctx = deployed
    case = CaseDriver.start(server, ctx, clock, bsn=BSN, birth_date="1960-01-01")
    task = case.open_task()
    engine = ctx.uow.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "CREATE FUNCTION audit_down() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit down'; END; $$"
                " LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER audit_down BEFORE INSERT ON audit_records FOR EACH ROW EXECUTE FUNCTION audit_down()"
            )
        else:
            conn.exec_driver_sql(
                "CREATE TRIGGER audit_down BEFORE INSERT ON audit_records BEGIN SELECT RAISE(ABORT, 'audit down'); END"
            )
    try:
        view = server.request("GET", f"/api/cases/{case.case_id}", user="teamleider")
        assert view.status_code == 503 and view.json()["error"] == "audit_unavailable"
        assert BSN[-3:] not in view.text
        claim = server.request("POST", f"/api/tasks/{task['id']}/claim", user="klantmanager")
        assert claim.status_code == 200  # done and committed before the record was attempted
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "DROP TRIGGER audit_down" + (" ON audit_records" if engine.dialect.name == "postgresql" else "")
            )
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("DROP FUNCTION audit_down()")
    assert server.request("GET", f"/api/tasks/{task['id']}", user="klantmanager").json()["assignee"] == "klantmanager"


def _sign_in(server: LiveServer, username: str, password: str) -> tuple[requests.Session, requests.Response]:
    http = requests.Session()
    form = http.get(server.base_url + "/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf, "no CSRF token on the sign-in page"
    data = {"username": username, "password": password, "csrf_token": csrf.group(1)}
    return http, http.post(server.base_url + "/login", data=data, allow_redirects=False, timeout=30)


def test_the_dossier_shows_the_audit_log_to_teamleiders_only(server, deployed, clock):
    ctx = deployed
    for username, role in (("tl-audit", "teamleider"), ("km-page", "klantmanager")):
        ensure_user(ctx, username, [role], PASSWORD, username, organisation="werkbedrijf-roermond")
    cid = str(CaseDriver.start(server, ctx, clock, bsn=BSN, birth_date="1960-01-01").case_id)
    expected: list[Expected] = [("klantmanager", "start_case", "case", cid, "success")]

    anonymous = requests.get(f"{server.base_url}/dossiers/{cid}", allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    expected.append((None, "view", "case", cid, "denied"))
    assert _sign_in(server, "tl-audit", "wrong")[1].status_code == 401
    expected.append(("tl-audit", "login", "user", "tl-audit", "failure"))
    teamleider, response = _sign_in(server, "tl-audit", PASSWORD)
    assert response.status_code == 302
    expected.append(("tl-audit", "login", "user", "tl-audit", "success"))

    page = teamleider.get(f"{server.base_url}/dossiers/{cid}", timeout=30)
    assert page.status_code == 200 and 'id="audit-log"' in page.text and "Auditlog" in page.text
    assert "start_case" in page.text and f"/dossiers/{cid}/auditlog.csv" in page.text
    expected.append(("tl-audit", "view", "case", cid, "success"))
    export = teamleider.get(f"{server.base_url}/dossiers/{cid}/auditlog.csv", timeout=30)
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Nr.;Wanneer;Wie;Actie;Object") and len(lines) == 1 + 3  # start, anonymous, view
    assert lines[3].split(";")[2:5] == ["tl-audit", "view", "case"]
    expected.append(("tl-audit", "export", "audit_log", cid, "success"))

    caseworker, _ = _sign_in(server, "km-page", PASSWORD)
    expected.append(("km-page", "login", "user", "km-page", "success"))
    page = caseworker.get(f"{server.base_url}/dossiers/{cid}", timeout=30)
    assert page.status_code == 200 and 'id="audit-log"' not in page.text
    expected.append(("km-page", "view", "case", cid, "success"))
    assert caseworker.get(f"{server.base_url}/dossiers/{cid}/auditlog.csv", timeout=30).status_code == 403
    expected.append(("km-page", "export", "audit_log", cid, "denied"))

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    signed_out = caseworker.post(f"{server.base_url}/logout", data={"csrf_token": csrf.group(1)}, allow_redirects=False)
    assert signed_out.status_code == 302
    expected.append(("km-page", "logout", "user", None, "success"))

    assert _tuples(ctx) == expected
    viewed = [r for r in audit_rows(ctx) if r.action == "view" and r.actor == "tl-audit"]
    assert viewed[0].details["audit_log_rows"] == 2  # the panel shows what was there before this view
