"""Sign-in with OpenID Connect in Chromium: the button, the provider's pages, back in trajectflow.

A real browser applies what a requests session does not: the session cookie's SameSite rule across
the redirects between provider and app, and the pages' Content-Security-Policy.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import shot
from tests.oidc.app import ANNA, Oidc, oidc_setup, start_cases  # noqa: F401
from trajectflow.services.context import ServiceContext


def test_sign_in_with_the_organisations_account_in_a_browser(
    oidc: Oidc, deployed: ServiceContext, page: Page, backend: str
) -> None:
    start_cases(oidc)
    page.goto(oidc.server.base_url + "/?view=groups")  # not signed in: to the sign-in page, keeping the target
    button = page.get_by_role("link", name="Inloggen met Laborijn")
    expect(button).to_be_visible()
    if backend == "sqlite":
        shot(page, "oidc-login")
    button.click()
    page.fill('input[name="login"]', "anna")
    page.fill('input[name="password"]', ANNA["password"])
    page.click("#provider-sign-in")
    page.click("#provider-allow")
    expect(page.get_by_text("Ingelogd als anna.jansen")).to_be_visible()
    assert page.url == oidc.server.base_url + "/?view=groups"
    expect(page.get_by_text("Ilse Oosterhuis").first).to_be_visible()
    expect(page.get_by_text("Ruud Roermans")).to_have_count(0)
    if backend == "sqlite":
        shot(page, "oidc-signed-in")
    cookies = {c["name"]: c for c in page.context.cookies(oidc.server.base_url)}
    session = [c for c in cookies.values() if "session" in c["name"] and not c["name"].startswith("_")]
    assert session and all(c["httpOnly"] and c["sameSite"] == "Lax" for c in session)


def test_refusing_consent_in_a_browser_shows_the_failure_page(oidc: Oidc, page: Page, backend: str) -> None:
    page.goto(oidc.server.base_url + "/login")
    page.get_by_role("link", name="Inloggen met Laborijn").click()
    page.fill('input[name="login"]', "anna")
    page.fill('input[name="password"]', ANNA["password"])
    page.click("#provider-sign-in")
    page.click("#provider-deny")
    expect(page.get_by_role("heading", name="Inloggen mislukt")).to_be_visible()
    expect(page.locator("#oidc-error")).to_contain_text("Het inloggen bij Laborijn is geannuleerd of geweigerd")
    if backend == "sqlite":
        shot(page, "oidc-refused")
    page.get_by_role("link", name="Opnieuw proberen met Laborijn").click()
    expect(page).to_have_url(re.compile("^" + re.escape(oidc.provider.issuer) + "/interaction/"))  # at the provider
