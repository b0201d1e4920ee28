"""The pages over HTTP without a browser (no JavaScript): sign-in, worklist, task form, dossier, melding."""

from __future__ import annotations

import re

from tests.e2e.driver import CaseDriver


def _start(server, deployed, clock, bsn="100000034", name="Els de Wit"):  # type: ignore[no-untyped-def]
    return CaseDriver.start(server, deployed, clock, bsn=bsn, birth_date="1975-09-09", name=name)


def test_pages_need_sign_in_and_wrong_password_is_refused(server, deployed):  # type: ignore[no-untyped-def]
    import requests

    response = requests.get(server.base_url + "/", timeout=30, allow_redirects=False)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    http = requests.Session()
    page = http.get(server.base_url + "/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    wrong = http.post(
        server.base_url + "/login", data={"username": "klantmanager", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "Onbekende gebruikersnaam of onjuist wachtwoord" in wrong.text
    no_token = http.post(server.base_url + "/login", data={"username": "klantmanager", "password": "demo"})
    assert no_token.status_code == 400


def test_worklist_claim_complete_with_error_and_dossier(server, deployed, clock, signed_in):  # type: ignore[no-untyped-def]
    case = _start(server, deployed, clock)
    browser = signed_in("klantmanager")
    groups = browser.get("/?view=groups&client=Wit")
    assert groups.status_code == 200 and "Mijn werk" in groups.text and "Els de Wit" in groups.text
    task_id = int(re.search(r'href="/taken/(\d+)"', groups.text).group(1))  # type: ignore[union-attr]
    claimed = browser.post(f"/taken/{task_id}/claim", {}, from_page=f"/taken/{task_id}")
    assert "Je hebt deze taak opgepakt" in claimed.text
    mine = browser.get("/?view=mine")
    assert f"/taken/{task_id}" in mine.text
    bad = browser.post(
        f"/taken/{task_id}",
        {"data.besluit": "toegekend", "data.besluit_datum": "31-02-2026", "_action": "complete"},
        from_page=f"/taken/{task_id}",
    )
    assert bad.status_code == 422
    assert 'id="error-field-besluit_datum"' in bad.text and "Vul een geldige datum in" in bad.text
    assert 'aria-describedby="hint-field-besluit_datum error-field-besluit_datum"' in bad.text
    done = browser.post(
        f"/taken/{task_id}",
        {"data.besluit": "toegekend", "data.besluit_datum": "20-03-2026", "_action": "complete"},
        from_page=f"/taken/{task_id}",
    )
    assert done.status_code == 200 and f"/dossiers/{case.case_id}" in done.url
    assert "Taak &#39;Aanvraag beoordelen en besluiten&#39; afgerond" in done.text
    assert "******034" in done.text and "100000034" not in done.text
    submitted = [e for e in case.history() if e["kind"] == "task_completed"]
    assert submitted and submitted[0]["actor"] == "klantmanager"


def test_draft_is_kept_and_array_rows_work_without_javascript(server, deployed, clock, signed_in):  # type: ignore[no-untyped-def]
    case = _start(server, deployed, clock)
    case.complete("aanvraag_beoordelen", {"besluit": "toegekend", "besluit_datum": "2026-03-20"})
    task = case.open_task()
    browser = signed_in("klantmanager")
    saved = browser.post(
        f"/taken/{task['id']}", {"data.ladder_trede": "3", "_action": "save"}, from_page=f"/taken/{task['id']}"
    )
    assert "Concept opgeslagen" in saved.text
    assert re.search(r'<option value="3" selected>', saved.text)


def test_new_case_checks_the_bsn(server, deployed, signed_in):  # type: ignore[no-untyped-def]
    browser = signed_in("klantmanager")
    form = {"bsn": "123456789", "name": "Piet Bos", "birth_date": "12-03-1984", "municipality": "leudal"}
    refused = browser.post("/meldingen/nieuw", form, from_page="/meldingen/nieuw")
    assert refused.status_code == 422 and "11-proef" in refused.text and 'aria-invalid="true"' in refused.text
    created = browser.post("/meldingen/nieuw", {**form, "bsn": "111222333"}, from_page="/meldingen/nieuw")
    assert created.status_code == 200 and "/dossiers/" in created.url and "Piet Bos" in created.text
    assert "Leudal" in created.text and "******333" in created.text


def test_notes_and_language_switch(server, deployed, clock, signed_in):  # type: ignore[no-untyped-def]
    case = _start(server, deployed, clock)
    browser = signed_in("trajectbegeleider")
    path = f"/dossiers/{case.case_id}"
    added = browser.post(f"{path}/notities", {"body": "Cliënt belt terug"}, from_page=path)
    assert "Cliënt belt terug" in added.text and "Notitie toegevoegd" in added.text
    english = browser.post("/taal", {"lang": "en", "next": path}, from_page=path)
    assert "Timeline" in english.text and 'lang="en"' in english.text
    assert browser.post("/taal", {"lang": "nl", "next": path}, from_page=path).text.count("Tijdlijn") >= 1
