"""A klantmanager's walk through the pages in a real browser (Debian's chromium, headless).

Runs on SQLite only (the browser is the slow part); the services and queries behind these pages are
tested on both backends. Screenshots of the main pages go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.driver import CaseDriver
from tests.e2e.web.conftest import shot


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_klantmanager_claims_fixes_an_error_completes_and_sees_the_dossier(server, deployed, clock, page):  # type: ignore[no-untyped-def]
    other = CaseDriver.start(server, deployed, clock, bsn="111222333", birth_date="1984-03-12", name="Piet Bos")
    case = CaseDriver.start(server, deployed, clock, bsn="100000034", birth_date="1975-09-09", name="Els de Wit")
    assert other.case_id != case.case_id

    page.goto(server.base_url + "/")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill("klantmanager")
    page.get_by_label("Wachtwoord").fill("demo")
    shot(page, "01-login")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Mijn werk")).to_be_visible()

    page.get_by_role("link", name="Mijn groepen, niet opgepakt").click()
    expect(page.get_by_role("cell", name="Piet Bos")).to_be_visible()
    page.get_by_label("Cliënt (naam of nummer)").fill("Wit")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_role("cell", name="Piet Bos")).to_have_count(0)
    expect(page.get_by_text("1 taak")).to_be_visible()
    shot(page, "02-worklist")

    page.get_by_role("link", name="Aanvraag beoordelen en besluiten").click()
    page.get_by_role("button", name="Oppakken").click()
    expect(page.get_by_text("Je hebt deze taak opgepakt.")).to_be_visible()
    page.get_by_label("Toegekend").check()
    date_field = page.get_by_label("Datum besluit")
    date_field.fill("31-02-2026")
    page.get_by_role("button", name="Taak afronden").click()

    error = page.locator("#error-field-besluit_datum")
    expect(error).to_have_text("Vul een geldige datum in als dd-mm-jjjj.")
    expect(date_field).to_have_attribute("aria-invalid", "true")
    assert "error-field-besluit_datum" in (date_field.get_attribute("aria-describedby") or "")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_label("Toegekend")).to_be_checked()
    shot(page, "03-task-with-error")

    date_field.fill("20-03-2026")
    page.get_by_role("button", name="Taak afronden").click()

    expect(page.get_by_role("heading", name="Dossier", exact=False).first).to_be_visible()
    expect(page.get_by_text("Taak 'Aanvraag beoordelen en besluiten' afgerond.")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Taak 'Aanvraag beoordelen en besluiten' afgerond")
    expect(timeline).to_contain_text("klantmanager")
    expect(page.get_by_text("******034")).to_be_visible()
    diagram = page.locator("#diagram")
    expect(diagram).to_have_attribute("data-rendered", "true")
    expect(diagram.locator('[data-element-id="aanvraag_beoordelen"].completed')).to_have_count(1)
    expect(diagram.locator('[data-element-id="brede_intake"].active')).to_have_count(1)
    shot(page, "04-dossier")

    page.get_by_role("link", name="Nieuwe melding").click()
    shot(page, "05-new-registration")
    assert case.case()["phase"] != "melding" or case.history()
