"""Sign-in with OpenID Connect against a real provider (panva's oidc-provider, tests/oidc/provider.mjs).

The app runs on a real socket, the provider in node; a requests session plays the browser: the
sign-in button, the provider's login and consent pages, the callback. API calls carry the provider's
JWT access tokens. Each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import requests
from joserfc.jwk import RSAKey

from tests.oidc.app import ANNA, Oidc, oidc_setup, start_cases  # noqa: F401
from tests.oidc.provider import API_AUDIENCE
from trajectflow.services.context import ServiceContext
from trajectflow.services.users import ensure_user


def test_page_sign_in_creates_the_account_with_mapped_roles_and_its_tenancy(
    oidc: Oidc, deployed: ServiceContext
) -> None:
    cases = start_cases(oidc)
    http = oidc.browser()
    login_page = http.get(oidc.server.base_url + "/login", timeout=30)
    assert "Inloggen met Laborijn" in login_page.text and "Inloggen met Uitgevallen IdP" in login_page.text
    # The authorization request: code flow with PKCE (S256), state and nonce.
    redirect = http.get(oidc.server.base_url + "/login/oidc/laborijn", timeout=30, allow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith(oidc.provider.issuer + "/auth")
    query = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0] and query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid profile email"] and "code_verifier" not in query

    landing = oidc.sign_in(oidc.browser())
    assert landing.status_code == 200, landing.text[:500]
    assert urlsplit(landing.url).path == "/" and "Ingelogd als anna.jansen" in landing.text
    user = oidc.user("anna.jansen")
    assert user is not None and user.roles == ["klantmanager"]  # "Koffiecommissie" maps to no role
    assert (user.organisation, user.municipality) == ("laborijn", None)
    assert (user.oidc_issuer, user.oidc_subject) == (oidc.provider.issuer, ANNA["sub"])
    assert user.password_hash is None and user.display_name == "Anna Jansen"
    assert user.email == "anna.jansen@laborijn.test"

    # Laborijn serves Oude IJsselstreek only: her worklist and dossiers show nothing of Roermond.
    assert "Ilse Oosterhuis" in landing.text and "Ruud Roermans" not in landing.text
    http = requests.Session()
    oidc.sign_in(http)
    own = http.get(f"{oidc.server.base_url}/dossiers/{cases['oude-ijsselstreek']}", timeout=30)
    other = http.get(f"{oidc.server.base_url}/dossiers/{cases['roermond']}", timeout=30)
    assert own.status_code == 200 and "Ilse Oosterhuis" in own.text
    assert other.status_code == 404 and "Ruud Roermans" not in other.text


def test_a_second_sign_in_reuses_the_account_and_takes_roles_from_the_claim(oidc: Oidc) -> None:
    oidc.sign_in(oidc.browser())
    first = oidc.user("anna.jansen")
    assert first is not None and first.roles == ["klantmanager"]
    # At the provider she becomes teamleider, and even her user name claim changes.
    changed = {**ANNA, "claims": {**ANNA["claims"], "preferred_username": "a.jansen", "roles": ["Teamleiders"]}}
    oidc.provider.set_accounts({"anna": changed})
    again = oidc.sign_in(oidc.browser())
    assert again.status_code == 200 and "Ingelogd als anna.jansen" in again.text
    second = oidc.user("anna.jansen")
    assert second is not None and second.id == first.id and second.roles == ["teamleider"]
    assert oidc.user("a.jansen") is None
    assert oidc.logins() == [("anna.jansen", "success", "oidc:laborijn")] * 2
    assert oidc.user_count() == 1


def test_a_local_account_is_not_taken_over_but_a_pre_provisioned_one_is_linked(oidc: Oidc) -> None:
    ensure_user(oidc.ctx, "anna.jansen", ["jobcoach"], "lokaal-wachtwoord", "Anna (lokaal)", organisation="laborijn")
    refused = oidc.sign_in(oidc.browser())
    assert refused.status_code == 409
    assert oidc.logins() == [("anna.jansen", "failure", "oidc:laborijn")]
    assert "Er bestaat al een lokaal account met de naam anna.jansen" in refused.text
    local = oidc.user("anna.jansen")
    assert local is not None and local.oidc_subject is None and local.roles == ["jobcoach"]

    # An account the functioneel beheerder made without a password is meant for OIDC: it is linked.
    ensure_user(oidc.ctx, "piet.peters", [], None, "Piet Peters", organisation="laborijn")
    piet = {"sub": "91aa-piet", "password": "piet-pw", "claims": {"preferred_username": "piet.peters", "roles": []}}
    oidc.provider.set_accounts({"anna": ANNA, "piet": piet})
    linked = oidc.sign_in(oidc.browser(), login="piet", password="piet-pw")
    assert linked.status_code == 200 and "Ingelogd als piet.peters" in linked.text
    account = oidc.user("piet.peters")
    assert account is not None and account.oidc_subject == "91aa-piet" and account.roles == []


def test_failures_are_pages_with_4xx_in_the_users_language(oidc: Oidc) -> None:
    before = oidc.user_count()
    denied = oidc.sign_in(oidc.browser(), consent=False)
    assert denied.status_code == 401 and "Het inloggen bij Laborijn is geannuleerd of geweigerd" in denied.text
    assert 'id="oidc-error"' in denied.text

    wrong_password_then_gone = oidc.browser()
    stale = wrong_password_then_gone.get(
        oidc.server.base_url + "/login/oidc/laborijn/callback?code=made-up&state=made-up", timeout=30
    )
    assert stale.status_code == 400 and "Deze inlogpoging is verlopen" in stale.text

    down = oidc.browser().get(oidc.server.base_url + "/login/oidc/uitgevallen", timeout=30)
    assert down.status_code == 400 and "Uitgevallen IdP is op dit moment niet bereikbaar" in down.text
    unknown = oidc.browser().get(oidc.server.base_url + "/login/oidc/onbekend", timeout=30)
    assert unknown.status_code == 404

    english = oidc.browser()
    page = english.get(oidc.server.base_url + "/login", timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    english.post(oidc.server.base_url + "/taal", data={"lang": "en", "csrf_token": csrf.group(1)}, timeout=30)
    denied_en = oidc.sign_in(english, consent=False)
    assert denied_en.status_code == 401 and "The sign-in at Laborijn was cancelled or refused." in denied_en.text
    assert oidc.user_count() == before  # no account was made by any failed attempt
    # Every attempt that came back from the provider is a failed sign-in in the audit trail.
    assert oidc.logins() == [(None, "failure", "oidc:laborijn")] * 3


def test_api_accepts_the_providers_jwt_access_tokens_for_the_linked_user(oidc: Oidc, deployed: ServiceContext) -> None:
    cases = start_cases(oidc)
    # A service account: client credentials, roles from the token's claim.
    service = oidc.me(oidc.provider.client_credentials_token())
    assert service.status_code == 200, service.text
    assert service.json()["username"] == "svc-rapportage" and service.json()["roles"] == ["teamleider"]
    assert service.json()["organisation"] == "laborijn" and service.json()["municipalities"] == ["oude-ijsselstreek"]

    # A person: the page sign-in created the account; her API token (code flow + resource) maps to it.
    oidc.sign_in(oidc.browser())
    tokens = oidc.provider.user_api_token("anna", ANNA["password"], oidc.api_redirect)
    me = oidc.me(tokens["access_token"])
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "anna.jansen" and me.json()["roles"] == ["klantmanager"]
    listed = requests.get(
        oidc.server.base_url + "/api/cases",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=30,
    )
    assert listed.status_code == 200, listed.text
    assert {c["id"] for c in listed.json()["items"]} == {cases["oude-ijsselstreek"]}
    # The ID token is for the client, not the API: refused as a bearer token.
    assert oidc.me(tokens["id_token"]).status_code == 401


def test_api_refuses_tampered_expired_and_foreign_tokens(oidc: Oidc) -> None:
    before = oidc.user_count()
    good = oidc.provider.client_credentials_token()
    assert oidc.me(good).status_code == 200
    header, payload, signature = good.split(".")
    tampered_payload = payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB")
    now = int(time.time())
    claims = {"iss": oidc.provider.issuer, "sub": "mallory", "aud": API_AUDIENCE, "preferred_username": "mallory"}
    stranger = RSAKey.generate_key(2048, parameters={"kid": "test-signing-key"})
    refused = {
        "tampered": f"{header}.{tampered_payload}.{signature}",
        "expired": oidc.provider.sign({**claims, "iat": now - 3600, "exp": now - 600}),
        "not yet valid": oidc.provider.sign({**claims, "iat": now, "nbf": now + 600, "exp": now + 1200}),
        "other audience": oidc.provider.sign({**claims, "aud": "another-api", "exp": now + 300}),
        "other issuer": oidc.provider.sign({**claims, "iss": "https://idp.example", "exp": now + 300}),
        "no expiry": oidc.provider.sign(claims),
        "foreign key": oidc.provider.sign({**claims, "exp": now + 300}, key=stranger),
        "unknown key id": oidc.provider.sign({**claims, "exp": now + 300}, kid="rotated-away"),
        "opaque": "opaque-token-value-from-somewhere",
    }
    for name, token in refused.items():
        response = oidc.me(token)
        assert response.status_code == 401, (name, response.text)
        body = response.json()
        assert body["error"] == "unauthenticated" and set(body) == {"error", "message", "details"}, name
    assert "expired" in oidc.me(refused["expired"]).json()["message"]
    # The same claims, valid and signed by the provider's key, are accepted: the refusals were the checks.
    accepted = oidc.me(oidc.provider.sign({**claims, "iat": now, "exp": now + 300}))
    assert accepted.status_code == 200 and accepted.json()["username"] == "mallory"
    assert oidc.user_count() == before + 2  # svc-rapportage and mallory; nothing from the refused tokens
