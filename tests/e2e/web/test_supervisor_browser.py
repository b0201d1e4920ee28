"""A teamleider in a real browser (Debian's chromium, headless): finds an overdue and an errored case,
reassigns, retries, suspends and resumes; the reports page draws charts and its downloads hold the
table's numbers. SQLite only (the browser is the slow part); the services run on both backends elsewhere.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.conftest import FIXTURES, STAFF_ORG
from tests.e2e.driver import CaseDriver
from tests.e2e.web.conftest import shot
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.users import ensure_user


def _storing_case(server, bsn: str, name: str) -> int:  # type: ignore[no-untyped-def]
    body = {
        "process_id": "storing_proces",
        "municipality": "roermond",
        "client": {"bsn": bsn, "name": name, "birth_date": "1980-01-01"},
    }
    response = server.request("POST", "/api/cases", user="klantmanager", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _complete_open(server, case_id: int, data: dict) -> str:  # type: ignore[no-untyped-def,type-arg]
    (task,) = server.request("GET", f"/api/cases/{case_id}", user="teamleider").json()["open_tasks"]
    response = server.request("POST", f"/api/tasks/{task['id']}/complete", user="klantmanager", json={"data": data})
    assert response.status_code == 200, response.text
    return str(response.json()["case_status"])


def _case(server, case_id: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return dict(server.request("GET", f"/api/cases/{case_id}", user="teamleider").json())


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_teamleider_handles_stuck_cases_and_downloads_reports(server, deployed, clock, page):  # type: ignore[no-untyped-def]
    ensure_user(deployed, "km_twee", ["klantmanager"], None, "Tweede klantmanager", organisation=STAFF_ORG)
    deploy_directory(deployed, FIXTURES / "storing", FIXTURES / "storing", "test")
    errored = _storing_case(server, "111222333", "Ali Storing")
    assert _complete_open(server, errored, {"mislukkingen": 1}) == "errored"
    overdue = _storing_case(server, "123456782", "Olga Laat")
    paused = CaseDriver.start(server, deployed, clock, bsn="999999990", birth_date="1975-09-09", name="Piet Pauze")
    clock.advance(timedelta(days=10))

    page.goto(server.base_url + "/login")
    page.get_by_label("Gebruikersnaam").fill("teamleider")
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Supervisie").click()
    expect(page.get_by_role("heading", name="Vastgelopen zaken", level=1)).to_be_visible()
    overdue_rows = page.locator("section[aria-labelledby=overdue-title] tbody tr")
    expect(overdue_rows.filter(has_text="Olga Laat")).to_have_count(1)
    errored_rows = page.locator("section[aria-labelledby=errored-title] tbody tr")
    expect(errored_rows.filter(has_text="Ali Storing")).to_contain_text("verwerken")
    shot(page, "supervisor-01-stuck")

    # reassign the overdue task to another klantmanager, with the bulk form
    (task,) = _case(server, overdue)["open_tasks"]
    page.get_by_label(f"Taak Invoer van zaak {overdue} selecteren").check()
    page.get_by_label("Persoon").select_option("km_twee")
    page.get_by_label("Reden (optioneel)").fill("Verlof collega")
    page.get_by_role("button", name="Selectie toewijzen").click()
    expect(page.get_by_role("status")).to_contain_text("1 taken toegewezen aan km_twee")
    assert _case(server, overdue)["open_tasks"][0]["assignee"] == "km_twee" and task["assignee"] is None

    # retry the errored case: the flaky step now succeeds
    page.get_by_role("button", name=f"Zaak {errored} opnieuw proberen").click()
    expect(page.get_by_role("status")).to_contain_text(f"Zaak {errored} opnieuw geprobeerd")
    expect(page.get_by_text("Geen zaken met een fout.")).to_be_visible()
    assert _case(server, errored)["status"] == "active"

    # suspend and resume the third case from its action page
    page.goto(f"{server.base_url}/teamleider/zaken/{paused.case_id}")
    page.get_by_role("button", name=f"Zaak {paused.case_id} opschorten").click()
    expect(page.locator("#case-status")).to_have_text("suspended")
    shot(page, "supervisor-02-case")
    page.get_by_role("button", name=f"Zaak {paused.case_id} hervatten").click()
    expect(page.locator("#case-status")).to_have_text("active")
    kinds = [(e["kind"], e["actor"]) for e in paused.history()]
    assert ("case_suspended", "teamleider") in kinds and ("case_resumed", "teamleider") in kinds

    # workload and heatmap
    page.get_by_role("link", name="Werkvoorraad").click()
    expect(page.get_by_role("row", name="km_twee")).to_contain_text("1")
    page.get_by_role("link", name="Heatmap").click()
    page.get_by_label("Procesversie").select_option("storing_proces")
    page.get_by_role("button", name="Tonen").click()
    expect(page.locator("tr[data-element=invoer]")).to_contain_text("1")  # the fixture has no diagram layout
    page.get_by_label("Procesversie").select_option("participatie_traject")
    page.get_by_role("button", name="Tonen").click()
    expect(page.locator("#heatmap[data-rendered=true]")).to_have_count(1)
    expect(page.locator(".heat-count").first).to_be_visible()
    expect(page.locator("tr[data-element=aanvraag_beoordelen] td").first).to_have_text("1")
    shot(page, "supervisor-03-heatmap")

    # reports: charts drawn, numbers in the tables and in the downloads
    page.get_by_role("link", name="Rapportages").first.click()
    expect(page.get_by_role("heading", name="Rapportages", level=1)).to_be_visible()
    expect(page.locator("canvas[data-rendered=true]")).to_have_count(9)  # every table with rows; outflow has none
    expect(page.locator("#chart-outflow")).to_be_hidden()
    inflow = page.locator("#table-inflow tbody tr")
    expect(inflow).to_have_text(["2026-03 3"], use_inner_text=True)
    caseload = [row.inner_text().split("\t") for row in page.locator("#table-caseload tbody tr").all()]
    assert caseload and sum(int(row[-1]) for row in caseload) == 3
    shot(page, "supervisor-04-reports")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV downloaden — Caseload per fase en route (nu)").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Fase", "Route", "Zaken"] and rows[1:] == caseload
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Excel downloaden — Caseload per fase en route (nu)").click()
    assert xlsx_download.value.suggested_filename == "caseload.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert sheet is not None
    values = [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert values == rows
