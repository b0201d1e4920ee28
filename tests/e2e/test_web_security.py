"""Web security through the real app over HTTP: cookie flags and session limits, security headers,
CSRF on forms (sign-in included), the API ignoring the session cookie, sign-in lock-out and the
per-address rate limit, on the web form and on POST /api/auth/token."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import LiveServer
from trajectflow.services.users import ensure_user
from trajectflow.store.models import SavedFilter
from trajectflow.store.security_models import ApiToken, LoginFailure

ORG = "werkbedrijf-roermond"
PASSWORD = "correct horse battery"
OTHER_PASSWORD = "another long passphrase"


@pytest.fixture
def start(ctx, clock) -> Iterator[Callable[..., LiveServer]]:  # type: ignore[no-untyped-def]
    """A live app with some settings changed (sign-in limits, secure cookies); stopped after the test."""
    started: list[LiveServer] = []

    def run(**settings: Any) -> LiveServer:
        ctx.settings = replace(ctx.settings, **settings)
        started.append(LiveServer(ctx, clock))
        return started[-1]

    yield run
    for live in started:
        live.stop()


@pytest.fixture
def accounts(ctx):  # type: ignore[no-untyped-def]
    ensure_user(ctx, "anna", ["klantmanager"], PASSWORD, "Anna", organisation=ORG)
    ensure_user(ctx, "bert", ["klantmanager"], OTHER_PASSWORD, "Bert", organisation=ORG)
    return ctx


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Visitor:
    """A browser without JavaScript: one cookie jar, forms posted with the token of the page they are on."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.server.base_url + path, timeout=30, allow_redirects=False)

    def post(
        self, path: str, data: dict[str, str], token: str | None = "page", page: str = "/login"
    ) -> requests.Response:
        if token == "page":
            token = csrf_of(self.http.get(self.server.base_url + page, timeout=30).text)
        form = dict(data) if token is None else {**data, "csrf_token": token}
        return self.http.post(self.server.base_url + path, data=form, timeout=30, allow_redirects=False)

    def sign_in(self, username: str, password: str) -> requests.Response:
        return self.post("/login", {"username": username, "password": password})

    def signed_in(self) -> bool:
        response = self.get("/")
        return response.status_code == 200 and "/login" not in response.headers.get("Location", "")


def _api_sign_in(server: LiveServer, username: str, password: str) -> requests.Response:
    return requests.post(
        server.base_url + "/api/auth/token", json={"username": username, "password": password}, timeout=30
    )


def _count(ctx, model, *where) -> int:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# -- cookies and sessions ---------------------------------------------------------------------------
def test_session_cookie_is_httponly_samesite_and_secure_over_https(start, accounts):  # type: ignore[no-untyped-def]
    plain = Visitor(start(secure_cookies=False))
    signed = plain.sign_in("anna", PASSWORD)
    assert signed.status_code == 302
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("trajectflow_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie and "Expires" not in cookie  # a browser-session cookie
    assert "Strict-Transport-Security" not in signed.headers

    secure = start(secure_cookies=True)
    page = requests.get(secure.base_url + "/login", timeout=30)
    assert re.search(r"trajectflow_session=[^;]+;.*Secure", page.headers["Set-Cookie"])
    assert "HttpOnly" in page.headers["Set-Cookie"] and "SameSite=Lax" in page.headers["Set-Cookie"]
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_session_ends_after_an_idle_hour_and_after_eight_hours(start, accounts, clock):  # type: ignore[no-untyped-def]
    server = start()
    idle = Visitor(server)
    idle.sign_in("anna", PASSWORD)
    clock.advance(timedelta(minutes=59))
    assert idle.signed_in()
    clock.advance(timedelta(minutes=61))
    gone = idle.get("/")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    assert not idle.signed_in()  # the expired session was cleared, not only refused

    busy = Visitor(server)
    busy.sign_in("anna", PASSWORD)
    for _ in range(9):  # active every 50 minutes: 7.5 hours in
        clock.advance(timedelta(minutes=50))
        assert busy.signed_in()
    clock.advance(timedelta(minutes=31))  # 8 hours and 1 minute after signing in
    assert not busy.signed_in()


def test_signing_out_ends_the_session(start, accounts):  # type: ignore[no-untyped-def]
    visitor = Visitor(start())
    visitor.sign_in("anna", PASSWORD)
    assert visitor.signed_in()
    out = visitor.post("/logout", {}, page="/")
    assert out.status_code == 302 and not visitor.signed_in()


# -- headers ----------------------------------------------------------------------------------------
def test_pages_api_and_docs_carry_the_security_headers(start, accounts):  # type: ignore[no-untyped-def]
    server = start()
    page = requests.get(server.base_url + "/login", timeout=30)
    csp = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert f'"inlineStyleNonce": "{nonce}"' in page.text  # htmx's indicator style carries it
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == f"'self' 'nonce-{nonce}'" and "unsafe" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'" and directives["base-uri"] == "'none'"
    again = requests.get(server.base_url + "/login", timeout=30).headers["Content-Security-Policy"]
    assert nonce not in again  # a fresh nonce per response
    token = server.token_for("anna")
    api = requests.get(server.base_url + "/api/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    docs = requests.get(server.base_url + "/api/docs", timeout=30)
    refused = requests.get(server.base_url + "/api/cases", timeout=30)
    for response in (page, api, docs, refused):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers["Cache-Control"] == "no-store"
    assert api.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert refused.status_code == 401 and refused.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "script-src 'self' 'nonce-" in docs.headers["Content-Security-Policy"]
    assert "<script>" not in docs.text  # Swagger UI starts from a static file (templates/swagger_ui.html)
    static = requests.get(server.base_url + "/static/app.css", timeout=30)
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"


# -- CSRF -------------------------------------------------------------------------------------------
def test_forms_without_the_csrf_token_are_refused_and_change_nothing(start, accounts, ctx):  # type: ignore[no-untyped-def]
    visitor = Visitor(start())
    assert visitor.sign_in("anna", PASSWORD).status_code == 302
    tokens_before = _count(ctx, ApiToken)
    for token in (None, "", "not-the-token"):
        refused = visitor.post("/account/tokens", {"name": "script", "expires_in_days": "30"}, token=token)
        assert refused.status_code == 400 and "Het formulier is verlopen" in refused.text
        filtered = visitor.post("/filters", {"name": "Mijn filter", "query": "view=mine"}, token=token)
        assert filtered.status_code == 400
    assert _count(ctx, ApiToken) == tokens_before and _count(ctx, SavedFilter) == 0
    # a token from another session does not count either
    other = Visitor(visitor.server)
    other.sign_in("bert", OTHER_PASSWORD)
    foreign = csrf_of(other.get("/account").text)
    assert visitor.post("/account/tokens", {"name": "script"}, token=foreign).status_code == 400
    assert _count(ctx, ApiToken) == tokens_before
    made = visitor.post("/account/tokens", {"name": "script", "expires_in_days": "30"}, page="/account")
    assert made.status_code == 200 and "tf_" in made.text
    assert _count(ctx, ApiToken) == tokens_before + 1


def test_sign_in_form_needs_its_csrf_token(start, accounts, ctx):  # type: ignore[no-untyped-def]
    visitor = Visitor(start())
    visitor.get("/login")  # has a session with a token, but does not send it
    for token in (None, "forged"):
        refused = visitor.post("/login", {"username": "anna", "password": PASSWORD}, token=token)
        assert refused.status_code == 400
        assert not visitor.signed_in()
    assert _count(ctx, LoginFailure) == 0  # refused before any password was checked
    assert visitor.sign_in("anna", PASSWORD).status_code == 302 and visitor.signed_in()


def test_the_api_ignores_the_session_cookie(start, accounts, ctx):  # type: ignore[no-untyped-def]
    visitor = Visitor(start())
    visitor.sign_in("anna", PASSWORD)
    assert visitor.signed_in()
    me = visitor.http.get(visitor.server.base_url + "/api/auth/me", timeout=30)
    assert me.status_code == 401 and me.json()["error"] == "unauthenticated"
    body = {
        "municipality": "roermond",
        "client": {"bsn": "111222333", "name": "A. de Vries", "birth_date": "1984-03-12"},
    }
    created = visitor.http.post(visitor.server.base_url + "/api/cases", json=body, timeout=30)
    made = visitor.http.post(visitor.server.base_url + "/api/auth/tokens", json={"name": "x"}, timeout=30)
    assert created.status_code == 401 and made.status_code == 401
    assert _count(ctx, ApiToken) == 0


# -- lock-out and rate limit ------------------------------------------------------------------------
def test_repeated_failures_lock_the_account_on_form_and_api(start, accounts, clock):  # type: ignore[no-untyped-def]
    server = start(login_max_failures=3, login_lockout_minutes=15, login_rate_per_minute=0)
    visitor = Visitor(server)
    for _ in range(2):
        assert visitor.sign_in("anna", "wrong password!").status_code == 401
    assert _api_sign_in(server, "anna", "also wrong").status_code == 401  # the third, over the API
    locked = visitor.sign_in("anna", PASSWORD)  # even the right password
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) == 15 * 60
    assert "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw." in locked.text
    api = _api_sign_in(server, "anna", PASSWORD)
    assert api.status_code == 429 and api.json()["error"] == "too_many_attempts"
    assert 0 < int(api.headers["Retry-After"]) <= 15 * 60
    assert not visitor.signed_in()
    assert _api_sign_in(server, "bert", OTHER_PASSWORD).status_code == 201  # other accounts go on

    clock.advance(timedelta(minutes=14))
    assert visitor.sign_in("anna", PASSWORD).status_code == 429
    clock.advance(timedelta(minutes=2))  # 16 minutes after the last failure
    assert visitor.sign_in("anna", PASSWORD).status_code == 302 and visitor.signed_in()


def test_a_successful_sign_in_clears_the_failures(start, accounts):  # type: ignore[no-untyped-def]
    server = start(login_max_failures=3, login_rate_per_minute=0)
    for _ in range(2):
        assert _api_sign_in(server, "anna", "wrong password!").status_code == 401
    assert _api_sign_in(server, "anna", PASSWORD).status_code == 201
    for _ in range(2):
        assert _api_sign_in(server, "anna", "wrong password!").status_code == 401
    assert Visitor(server).sign_in("anna", PASSWORD).status_code == 302  # 4 failures, never 3 in a row


def test_unknown_names_lock_out_alike(start, accounts):  # type: ignore[no-untyped-def]
    server = start(login_max_failures=2, login_rate_per_minute=0)
    for _ in range(2):
        assert _api_sign_in(server, "nobody", "whatever it is").status_code == 401
    assert _api_sign_in(server, "nobody", "whatever it is").status_code == 429  # no hint the name is unknown


def test_one_address_is_limited_per_minute(start, accounts):  # type: ignore[no-untyped-def]
    server = start(login_rate_per_minute=3, login_max_failures=100)
    visitor = Visitor(server)
    assert visitor.sign_in("anna", "wrong password!").status_code == 401
    assert _api_sign_in(server, "bert", "wrong password!").status_code == 401
    assert _api_sign_in(server, "bert", OTHER_PASSWORD).status_code == 201
    limited = visitor.sign_in("anna", PASSWORD)  # the fourth attempt from 127.0.0.1 this minute
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 60
    assert "Te veel mislukte pogingen" in limited.text
    api = _api_sign_in(server, "bert", OTHER_PASSWORD)
    assert api.status_code == 429 and api.json()["error"] == "too_many_attempts"
    assert not visitor.signed_in()
