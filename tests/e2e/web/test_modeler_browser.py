"""A procesontwerper edits the shipped process in the web modeler (bpmn-js in Debian's chromium, headless).

Select a user task, change its role in our properties panel, provoke a validation error (a due date
that is no duration), see it listed and marked on the diagram, fix it, deploy, and a case started on
the new version gets the task with the new role.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.driver import CaseDriver
from tests.e2e.web.conftest import SCREENSHOTS, shot

SHARED_SCREENSHOTS = Path("/work/shared/screenshots")
TASK = "aanvraag_beoordelen"  # the first user task of participatie_traject


def _share(name: str) -> None:
    SHARED_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", SHARED_SCREENSHOTS / f"{name}.png")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_procesontwerper_changes_a_role_fixes_an_error_and_deploys(server, deployed, clock, page):  # type: ignore[no-untyped-def]
    page.goto(server.base_url + "/procesontwerp/")
    page.get_by_label("Gebruikersnaam").fill("procesontwerper")
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Procesontwerp")).to_be_visible()
    page.locator("tr", has_text="participatie_traject").get_by_role("link", name="Openen in modeler").click()
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()

    page.locator(f'.djs-element[data-element-id="{TASK}"]').click()
    expect(page.locator("#panel-id")).to_have_text(TASK)
    expect(page.get_by_label("Formulier")).to_have_value("aanvraag_besluit.json")
    page.get_by_label("Rol (leeg: de lane)").select_option("trajectbegeleider")
    due = page.get_by_label("Termijn (bijv. P14D, termijn:intake)")
    expect(due).to_have_value("P8W")
    due.fill("binnenkort")
    due.press("Tab")  # a change event writes the property

    page.get_by_role("button", name="Opslaan en controleren").click()
    expect(page.locator("#modeler-status")).to_contain_text("Het model bevat fouten")
    problem = page.locator(f'#problems li[data-element="{TASK}"]')
    expect(problem).to_contain_text("dueIn")
    expect(page.locator(".modeler-problem--error")).to_have_count(1)
    shot(page, "modeler-01-validation-error")
    _share("modeler-01-validation-error")

    due.fill("P10D")
    due.press("Tab")
    page.get_by_role("button", name="Opslaan en controleren").click()
    expect(page.locator("#modeler-status")).to_contain_text("Geen fouten")
    expect(page.locator(".modeler-problem--error")).to_have_count(0)
    page.get_by_role("button", name="Uitrollen als nieuwe versie").click()
    expect(page.locator("#modeler-status")).to_contain_text("Uitgerold als versie 2.")
    shot(page, "modeler-02-deployed")
    _share("modeler-02-deployed")

    log = server.request("GET", "/api/processes/deployments", user="teamleider").json()
    assert log[0]["actor"] == "procesontwerper"
    assert {"process_id": "participatie_traject", "version": 2, "created": True} in log[0]["versions"]
    body = {
        "process_id": "participatie_traject",
        "version": 2,
        "municipality": "roermond",
        "client": {"bsn": "100000034", "name": "Els de Wit", "birth_date": "1975-09-09"},
    }
    started = server.request("POST", "/api/cases", user="klantmanager", json=body)
    assert started.status_code == 201, started.text
    task = CaseDriver(server, deployed, clock, started.json()["id"]).open_task()
    assert (task["element_id"], task["candidate_group"]) == (TASK, "trajectbegeleider")
