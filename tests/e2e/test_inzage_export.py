"""Inzageverzoek: GET /api/clients/{id}/export (JSON and PDF) holds what was stored about the client through the
API; who may export, tenancy; the dossier's download links and its "Toon BSN"; every export and reveal audited."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver
from tests.e2e.web.conftest import Browserless
from tests.pdf_text import pdf_text
from trajectflow.domain.cases import Actor
from trajectflow.services.notes import add_note
from trajectflow.services.users import ensure_user
from trajectflow.store.models import Notification
from trajectflow.store.security_models import AuditRecord

NAME, BSN, BIRTH = "Cliënt Yılmaz", "111222333", "1984-03-12"


def _page_user(deployed, role: str, organisation: str = "werkbedrijf-roermond") -> str:  # type: ignore[no-untyped-def]
    """A staff account (not a demo one: those sign in only in demo mode) with the password Browserless uses."""
    username = f"{role}-{organisation}-pages"
    ensure_user(deployed, username, [role], "demo", f"Test {role}", organisation=organisation)
    return username


def _client_with_two_cases(server, deployed, clock):  # type: ignore[no-untyped-def]
    first = CaseDriver.start(server, deployed, clock, bsn=BSN, birth_date=BIRTH, name=NAME)
    first.complete("aanvraag_beoordelen", a.AANV_OK)
    first.complete("brede_intake", {**a.intake(3), "motivatie": "Wil graag in de zorg werken"})
    add_note(deployed, Actor("klantmanager", frozenset({"klantmanager"})), first.case_id, "Belt maandag terug")
    task_id = first.open_task()["id"]
    with deployed.uow() as uow:
        uow.session.add(Notification(recipient="klantmanager", kind="reminder", case_id=first.case_id, task_id=task_id,
                                     title="Herinnering diagnose", body="De diagnose is bijna te laat.", link="/",
                                     created_at=clock.now()))  # fmt: skip
        uow.commit()
    client_id = first.case()["client"]["id"]
    clock.set(clock.now() + timedelta(days=3))
    second = server.request(
        "POST", "/api/cases", user="klantmanager", json={"municipality": "roermond", "client_id": client_id}
    )
    assert second.status_code == 201, second.text
    return client_id, first, second.json()["id"]


def test_json_export_holds_everything_stored_about_the_client(server, deployed, clock):  # type: ignore[no-untyped-def]
    client_id, first, second_id = _client_with_two_cases(server, deployed, clock)
    response = server.request("GET", f"/api/clients/{client_id}/export", user="klantmanager")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Disposition"] == f'attachment; filename="inzage-client-{client_id}.json"'
    export = response.json()
    assert export["generated_by"] == "klantmanager"
    assert {k: export["client"][k] for k in ("id", "bsn", "name", "birth_date", "municipality")} == {
        "id": client_id, "bsn": BSN, "name": NAME, "birth_date": BIRTH, "municipality": "roermond",
    }  # fmt: skip
    assert [c["id"] for c in export["cases"]] == [first.case_id, second_id]
    case = export["cases"][0]
    api_case = first.case()
    for key in ("status", "phase", "route", "municipality", "process_id", "process_version"):
        assert case[key] == api_case[key], key
    assert case["process_data"]["client_name"] == NAME
    history = [(e["kind"], e["message"], e["actor"]) for e in first.history()]
    assert [(e["kind"], e["message"], e["actor"]) for e in case["history"]] == history
    completed = {t["name"]: t["data"] for t in case["tasks"] if t["status"] == "completed"}
    for task in case["tasks"]:
        api_task = server.request("GET", f"/api/tasks/{task['id']}", user="teamleider").json()
        assert task["data"] == api_task["submitted_data"] and task["status"] == api_task["status"]
    assert {"ladder_trede": 3, "motivatie": "Wil graag in de zorg werken"}.items() <= next(
        data for data in completed.values() if data and "ladder_trede" in data
    ).items()
    assert [(n["author"], n["body"]) for n in case["notes"]] == [("klantmanager", "Belt maandag terug")]
    assert [(m["title"], m["recipient"]) for m in case["notifications"]] == [("Herinnering diagnose", "klantmanager")]
    assert export["cases"][1]["status"] == "active" and export["cases"][1]["history"][0]["kind"] == "case_started"
    with deployed.uow(write=False) as uow:
        record = uow.session.scalars(select(AuditRecord).where(AuditRecord.action == "export")).one()
        assert (record.actor, record.object_type, record.object_id) == ("klantmanager", "client", str(client_id))
        assert BSN not in json.dumps(record.details) and NAME not in json.dumps(record.details)


def test_pdf_export_is_a_readable_document_in_dutch(server, deployed, clock):  # type: ignore[no-untyped-def]
    client_id, first, second_id = _client_with_two_cases(server, deployed, clock)
    response = server.request("GET", f"/api/clients/{client_id}/export?format=pdf", user="teamleider")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert f"Inzageverzoek: gegevens van {NAME}" in text
    expected = [BSN, "12-03-1984", f"Traject (zaak {first.case_id}) in Roermond", f"Traject (zaak {second_id})"]
    expected += ["Belt maandag terug", "Wil graag in de zorg werken", "Herinnering diagnose", "Geschiedenis"]
    assert [line for line in expected if line not in text] == []


def test_who_may_export_and_tenancy(server, deployed, clock):  # type: ignore[no-untyped-def]
    client_id, _first, _second = _client_with_two_cases(server, deployed, clock)
    path = f"/api/clients/{client_id}/export"
    for user, status in [
        ("teamleider", 200),
        ("klantmanager", 200),
        ("werkgeversadviseur", 403),
        ("jobcoach", 403),
        ("beheerder", 403),  # manages users and settings, not case contents
        ("klantmanager-laborijn", 404),  # Laborijn serves Oude IJsselstreek only
        ("klantmanager-leudal", 404),  # municipal staff of Leudal
    ]:
        response = server.request("GET", path, user=user)
        assert response.status_code == status, (user, response.text)
        assert response.status_code == 200 or set(response.json()) == {"error", "message", "details"}
    assert server.request("GET", "/api/clients/999999/export", user="teamleider").status_code == 404
    assert server.request("GET", f"{path}?format=xml", user="teamleider").status_code == 422
    assert server.request("GET", path).status_code == 401


def test_dossier_offers_the_export_and_shows_the_bsn_on_request(server, deployed, clock):  # type: ignore[no-untyped-def]
    client_id, first, _second = _client_with_two_cases(server, deployed, clock)
    caseworker = _page_user(deployed, "klantmanager")
    browser = Browserless(server, caseworker)
    dossier = browser.get(f"/dossiers/{first.case_id}")
    assert dossier.status_code == 200 and "******333" in dossier.text and BSN not in dossier.text
    assert f"/clienten/{client_id}/inzage.pdf" in dossier.text and f"/clienten/{client_id}/inzage.json" in dossier.text
    pdf = browser.get(f"/clienten/{client_id}/inzage.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and NAME in pdf_text(pdf.content)
    assert browser.get(f"/clienten/{client_id}/inzage.json").json()["client"]["bsn"] == BSN

    shown = browser.get(f"/dossiers/{first.case_id}/bsn")
    assert shown.status_code == 200 and BSN in shown.text and shown.headers["Cache-Control"] == "no-store"
    fragment = browser.get(f"/dossiers/{first.case_id}/bsn", headers={"HX-Request": "true"})
    assert fragment.text.strip() == f'<span id="client-bsn">{BSN}</span>'

    adviser = Browserless(server, _page_user(deployed, "werkgeversadviseur"))
    assert "/inzage." not in adviser.get(f"/dossiers/{first.case_id}").text
    assert adviser.get(f"/clienten/{client_id}/inzage.pdf").status_code == 403
    outsider_name = _page_user(deployed, "klantmanager", "laborijn")
    outsider = Browserless(server, outsider_name)
    assert outsider.get(f"/dossiers/{first.case_id}/bsn").status_code == 404
    with deployed.uow(write=False) as uow:
        reveals = uow.session.scalars(select(AuditRecord).where(AuditRecord.action == "view_bsn")).all()
        assert [(r.actor, r.case_id, r.result) for r in reveals] == [
            (caseworker, first.case_id, "success"),
            (caseworker, first.case_id, "success"),
            (outsider_name, first.case_id, "denied"),
        ]


def test_case_detail_masks_the_bsn_unless_revealed(server, deployed, clock):  # type: ignore[no-untyped-def]
    _client_id, first, _second = _client_with_two_cases(server, deployed, clock)
    assert first.case()["client"]["bsn"] == "******333"
    listed = server.request("GET", "/api/cases?client=Yılmaz", user="klantmanager").json()["items"]
    assert {c["client"]["bsn"] for c in listed} == {"******333"}
    revealed = server.request("GET", f"/api/cases/{first.case_id}?reveal=bsn", user="klantmanager")
    assert revealed.status_code == 200 and revealed.json()["client"]["bsn"] == BSN
    assert server.request("GET", f"/api/cases/{first.case_id}?reveal=name", user="klantmanager").status_code == 422
    outsider = server.request("GET", f"/api/cases/{first.case_id}?reveal=bsn", user="klantmanager-leudal")
    assert outsider.status_code == 404
    with deployed.uow(write=False) as uow:
        actions = uow.session.scalars(
            select(AuditRecord.action).where(AuditRecord.case_id == first.case_id, AuditRecord.actor == "klantmanager")
        ).all()
        assert actions.count("view_bsn") == 1 and "view" in actions
