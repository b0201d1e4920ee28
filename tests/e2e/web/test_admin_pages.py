"""The user administration pages (Dutch), My account with personal API tokens, the demo accounts panel,
and — in chromium — that the Content-Security-Policy blocks nothing our pages need (htmx, bpmn-js
viewer and modeler, chart.js, the inline error focus, Swagger UI)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.driver import CaseDriver
from tests.e2e.web.conftest import shot

PASSWORD = "een sterk wachtwoord"


@pytest.fixture
def demo(deployed):  # type: ignore[no-untyped-def]
    """Demo mode on: the demo accounts (password `demo`) may sign in."""
    deployed.settings = replace(deployed.settings, demo_mode=True)
    return deployed


def _flash(response: requests.Response) -> str:
    match = re.search(r'<p class="flash flash--success">([^<]*)</p>', response.text)
    return match.group(1) if match else ""


def test_beheerder_manages_accounts_on_the_pages(server, demo, signed_in):  # type: ignore[no-untyped-def]
    admin = signed_in("beheerder")
    listing = admin.get("/beheer/gebruikers")
    assert listing.status_code == 200 and "<h1>Gebruikers</h1>" in listing.text
    assert "Accounts van Werkbedrijf Roermond." in listing.text and "klantmanager-laborijn" not in listing.text
    assert 'href="/beheer/gebruikers" aria-current="page">Gebruikers</a>' in listing.text

    form = {"username": "p.smit", "display_name": "P. Smit", "roles": "jobcoach", "password": "kort",
            "password_repeat": "anders"}  # fmt: skip
    mismatch = admin.post("/beheer/gebruikers", form, from_page="/beheer/gebruikers/nieuw")
    assert mismatch.status_code == 422 and "De wachtwoorden zijn niet gelijk." in mismatch.text
    weak = admin.post("/beheer/gebruikers", {**form, "password_repeat": "kort"}, from_page="/beheer/gebruikers/nieuw")
    assert weak.status_code == 422 and "Gebruik minstens 12 tekens." in weak.text
    assert 'id="a-password" name="password" type="password" value=""' in weak.text  # never echoed
    norole = admin.post("/beheer/gebruikers", {**form, "roles": "", "password": PASSWORD, "password_repeat": PASSWORD},
                        from_page="/beheer/gebruikers/nieuw")  # fmt: skip
    assert norole.status_code == 422 and "Kies minstens één rol." in norole.text
    taken = admin.post("/beheer/gebruikers", {**form, "username": "jobcoach", "password": PASSWORD,
                       "password_repeat": PASSWORD}, from_page="/beheer/gebruikers/nieuw")  # fmt: skip
    assert taken.status_code == 409 and "Deze gebruikersnaam bestaat al." in taken.text

    made = admin.post("/beheer/gebruikers", {**form, "password": PASSWORD, "password_repeat": PASSWORD},
                      from_page="/beheer/gebruikers/nieuw")  # fmt: skip
    assert made.status_code == 200 and made.url.endswith("/beheer/gebruikers/p.smit")
    assert _flash(made) == "Account p.smit aangemaakt."
    assert "Werkbedrijf Roermond" in made.text and "Jobcoach" in made.text

    fields = [("display_name", "Piet Smit"), ("roles", "jobcoach"), ("roles", "trajectbegeleider"), ("email", "")]
    changed = admin.post("/beheer/gebruikers/p.smit", fields, from_page="/beheer/gebruikers/p.smit")
    assert _flash(changed) == "Account p.smit opgeslagen."
    assert server.request("GET", "/api/users/p.smit", user="beheerder").json()["roles"] == [
        "jobcoach",
        "trajectbegeleider",
    ]

    # lock the account out, then lift it
    for _ in range(5):
        requests.post(server.base_url + "/api/auth/token", json={"username": "p.smit", "password": "fout"}, timeout=30)
    locked = admin.get("/beheer/gebruikers/p.smit")
    assert "geblokkeerd" in locked.text and ">Ontgrendelen</button>" in locked.text
    unlocked = admin.post("/beheer/gebruikers/p.smit/ontgrendelen", {}, from_page="/beheer/gebruikers/p.smit")
    assert _flash(unlocked) == "Account p.smit ontgrendeld." and "geblokkeerd" not in unlocked.text

    token = requests.post(server.base_url + "/api/auth/token", json={"username": "p.smit", "password": PASSWORD},
                          timeout=30).json()["token"]  # fmt: skip
    auth = {"Authorization": f"Bearer {token}"}
    shown = admin.get("/beheer/gebruikers/p.smit")
    assert "api sign-in" in shown.text and token not in shown.text and token[:8] in shown.text
    new = "nog een sterk wachtwoord"
    differ = admin.post("/beheer/gebruikers/p.smit/wachtwoord", {"password": new, "password_repeat": "x"},
                        from_page="/beheer/gebruikers/p.smit")  # fmt: skip
    assert differ.status_code == 422 and "De wachtwoorden zijn niet gelijk." in differ.text
    reset = admin.post("/beheer/gebruikers/p.smit/wachtwoord", {"password": new, "password_repeat": new},
                       from_page="/beheer/gebruikers/p.smit")  # fmt: skip
    assert _flash(reset) == "Nieuw wachtwoord ingesteld voor p.smit; 1 API-tokens ingetrokken."
    assert requests.get(server.base_url + "/api/auth/me", headers=auth, timeout=30).status_code == 401

    off = admin.post("/beheer/gebruikers/p.smit/actief", {"active": "0"}, from_page="/beheer/gebruikers/p.smit")
    assert "gedeactiveerd" in _flash(off) and ">Activeren</button>" in off.text
    assert requests.post(server.base_url + "/api/auth/token", json={"username": "p.smit", "password": new},
                         timeout=30).status_code == 401  # fmt: skip

    own = admin.get("/beheer/gebruikers/beheerder")
    assert ">Deactiveren</button>" not in own.text and "demo-account" in own.text
    demote = admin.post("/beheer/gebruikers/beheerder", {"display_name": "B", "roles": "jobcoach"},
                        from_page="/beheer/gebruikers/beheerder")  # fmt: skip
    assert demote.status_code == 422
    assert "Je kunt de rol functioneel beheerder niet van je eigen account afhalen." in demote.text
    assert admin.get("/beheer/gebruikers/klantmanager-laborijn").status_code == 404  # another organisation


def test_personal_tokens_are_shown_once_and_can_be_revoked(server, demo, signed_in):  # type: ignore[no-untyped-def]
    worker = signed_in("klantmanager")
    page = worker.get("/account")
    assert "Mijn account" in page.text and "Geen API-tokens." in page.text and "Roermond" in page.text
    bad = worker.post("/account/tokens", {"name": "", "expires_in_days": "30"}, from_page="/account")
    assert bad.status_code == 422 and "Geef het token een naam" in bad.text
    too_long = worker.post("/account/tokens", {"name": "script", "expires_in_days": "999"}, from_page="/account")
    assert too_long.status_code == 422 and "Kies tussen 1 en 366 dagen." in too_long.text
    made = worker.post("/account/tokens", {"name": "mijn script", "expires_in_days": "30"}, from_page="/account")
    secret = re.search(r'<code id="token-secret">(tf_[^<]+)</code>', made.text).group(1)  # type: ignore[union-attr]
    assert "alleen deze ene keer getoond" in made.text and made.headers["Cache-Control"] == "no-store"
    assert secret not in str(worker.http.cookies.get_dict())  # not kept in the session cookie
    auth = {"Authorization": f"Bearer {secret}"}
    assert requests.get(server.base_url + "/api/auth/me", headers=auth, timeout=30).json()["username"] == "klantmanager"
    again = worker.get("/account")
    assert secret not in again.text and "mijn script" in again.text and secret[:8] in again.text
    token_id = re.search(r'action="/account/tokens/(\d+)/intrekken"', again.text).group(1)  # type: ignore[union-attr]
    revoked = worker.post(f"/account/tokens/{token_id}/intrekken", {}, from_page="/account")
    assert _flash(revoked) == "Token mijn script ingetrokken." and "ingetrokken</span>" in revoked.text
    assert requests.get(server.base_url + "/api/auth/me", headers=auth, timeout=30).status_code == 401
    other = signed_in("jobcoach")
    assert other.post(f"/account/tokens/{token_id}/intrekken", {}, from_page="/account").status_code == 404


def test_demo_panel_only_in_demo_mode(server, deployed):  # type: ignore[no-untyped-def]
    deployed.settings = replace(deployed.settings, demo_mode=False)
    plain = requests.get(server.base_url + "/login", timeout=30)
    assert "Demo-accounts" not in plain.text and 'value="demo"' not in plain.text
    deployed.settings = replace(deployed.settings, demo_mode=True)
    http = requests.Session()
    page = http.get(server.base_url + "/login", timeout=30)
    assert "Demo-accounts" in page.text and "demomodus" in page.text and "<code>demo</code>" not in page.text
    rows = re.findall(r"<td><code>([^<]+)</code></td>", page.text)
    assert rows[:2] == ["klantmanager", "consulent_sociaal_team"] and "klantmanager-leudal" in rows and len(rows) == 13
    assert "Laborijn" in page.text and "Leudal" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    used = http.post(server.base_url + "/login", data={"username": "teamleider-laborijn", "password": "demo",
                                                       "csrf_token": token, "next": ""})  # fmt: skip
    assert used.status_code == 200 and "Ingelogd als teamleider-laborijn." in used.text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_content_security_policy_blocks_nothing_we_need(server, demo, clock, page):  # type: ignore[no-untyped-def]
    case = CaseDriver.start(server, demo, clock, bsn="100000034", birth_date="1975-09-09", name="Els de Wit")
    task = case.open_task()
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));"
    )
    console: list[str] = []
    page.on(
        "console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None
    )

    def violations() -> list[str]:
        return list(page.evaluate("window.__csp")) + console

    page.goto(server.base_url + "/login")
    expect(page.get_by_role("heading", name="Demo-accounts")).to_be_visible()
    shot(page, "security-01-login-demo-panel")
    page.get_by_role("button", name="Account procesontwerper gebruiken").click()
    expect(page.get_by_text("Ingelogd als procesontwerper.")).to_be_visible()
    page.goto(server.base_url + "/procesontwerp/modeler/participatie_traject/1")
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()
    page.locator('.djs-element[data-element-id="aanvraag_beoordelen"]').click()
    due = page.get_by_label("Termijn (bijv. P14D, termijn:intake)")
    due.press("Enter")  # the panel form must not submit and reload the page
    expect(page.locator("#panel-id")).to_have_text("aanvraag_beoordelen")
    assert violations() == []

    page.goto(server.base_url + "/login")
    page.get_by_label("Gebruikersnaam").fill("klantmanager")
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.goto(server.base_url + f"/dossiers/{case.case_id}")
    expect(page.locator("#diagram")).to_have_attribute("data-rendered", "true")
    page.goto(server.base_url + f"/taken/{task['id']}")
    page.get_by_role("button", name="Oppakken").click()
    page.get_by_label("Toegekend").check()
    page.get_by_label("Datum besluit").fill("31-02-2026")
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.get_by_role("alert")).to_be_focused()  # the inline script runs: it carries the nonce
    page.goto(server.base_url + "/?view=mine")
    page.get_by_label("Cliënt (naam of nummer)").fill("Wit")
    page.get_by_role("button", name="Filteren").click()  # htmx swaps the results
    expect(page.get_by_role("cell", name="Els de Wit")).to_be_visible()
    assert violations() == []

    page.goto(server.base_url + "/login")
    page.get_by_role("button", name="Account teamleider gebruiken").click()
    page.goto(server.base_url + "/teamleider/rapportages")
    expect(page.locator("canvas.report-chart[data-rendered=true]").first).to_be_attached()
    page.goto(server.base_url + "/login")
    page.get_by_role("button", name="Account beheerder gebruiken").click()
    page.goto(server.base_url + "/beheer/gebruikers/nieuw")
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("alert")).to_be_focused()
    shot(page, "security-02-new-account-errors")
    page.goto(server.base_url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("trajectflow")
    assert violations() == []
