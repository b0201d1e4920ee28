"""Runs tests/oidc/provider.mjs (panva's oidc-provider) for a test and speaks to it like a browser would.

The provider signs with a key this module makes, so a test can also sign a token the provider never
issued (expired, for another audience) with the very same key and see the app refuse it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from base64 import urlsafe_b64encode
from hashlib import sha256
from html import unescape
from pathlib import Path
from secrets import token_urlsafe
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "provider.mjs"
CLIENT_ID = "trajectflow"
CLIENT_SECRET = "test-client-secret-" + "x" * 20
API_RESOURCE = "https://trajectflow.test/api"
API_AUDIENCE = "trajectflow-api"
KEY_ID = "test-signing-key"


class TestProvider:
    """A live OpenID provider on 127.0.0.1 with one client and the given accounts."""

    __test__ = False  # not a test class for pytest

    def __init__(self, workdir: Path, redirect_uris: list[str], accounts: dict[str, Any]) -> None:
        if shutil.which("node") is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("node and node_modules/oidc-provider are needed (make setup runs npm ci)")
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.accounts_file = workdir / "provider-accounts.json"
        self.set_accounts(accounts)
        config = {
            "jwks": {"keys": [self.key.as_dict(private=True)]},
            "cookie_key": token_urlsafe(32),
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                    "grant_types": ["authorization_code", "client_credentials"],
                    "response_types": ["code"],
                }
            ],
            "accounts_file": str(self.accounts_file),
            "service_accounts": {CLIENT_ID: {"preferred_username": "svc-rapportage", "roles": ["Teamleiders"]}},
            "api": {"resource": API_RESOURCE, "audience": API_AUDIENCE, "scope": "api", "ttl": 300},
        }
        config_file = workdir / "provider-config.json"
        config_file.write_text(json.dumps(config))
        # Its warnings go to a file: a pipe nobody reads could fill up and stall the provider.
        self._stderr_file = workdir / "provider-stderr.log"
        with self._stderr_file.open("w") as stderr:
            self._process = subprocess.Popen(
                ["node", str(SCRIPT), str(config_file)], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True
            )
        self.issuer = self._wait_until_ready()

    def _wait_until_ready(self) -> str:
        assert self._process.stdout is not None
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self._process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout=30)
        line = found[0] if found else ""
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"the OpenID provider did not start: {line!r} {self._stderr()}")
        return line.split()[1]

    def _stderr(self) -> str:
        return self._stderr_file.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        if self._process.stdout is not None:
            self._process.stdout.close()

    def set_accounts(self, accounts: dict[str, Any]) -> None:
        """login name → {"sub", "password", "claims"}; the provider reads the file at every look-up."""
        self.accounts_file.write_text(json.dumps(accounts))

    # --- tokens ---------------------------------------------------------------------------------

    def client_credentials_token(self) -> str:
        response = requests.post(
            f"{self.issuer}/token",
            auth=(CLIENT_ID, CLIENT_SECRET),
            data={"grant_type": "client_credentials", "resource": API_RESOURCE, "scope": "api"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def sign(self, claims: dict[str, Any], kid: str = KEY_ID, key: RSAKey | None = None) -> str:
        """A token signed with the provider's own key (or another), with whatever claims a test needs."""
        header = {"alg": "RS256", "typ": "at+jwt", "kid": kid}
        return jwt.encode(header, claims, key or self.key)

    def user_api_token(self, login: str, password: str, redirect_uri: str) -> dict[str, Any]:
        """The authorization code flow as a client of the API: a JWT access token for the API resource."""
        verifier = token_urlsafe(48)
        challenge = urlsafe_b64encode(sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        http = requests.Session()
        params = {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": "openid api",
            "resource": API_RESOURCE,
            "state": token_urlsafe(16),
            "nonce": token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        page = http.get(f"{self.issuer}/auth", params=params, timeout=30)
        landing = complete_provider_pages(http, page, login, password, stop_at=redirect_uri)
        code = parse_qs(urlsplit(landing).query)["code"][0]
        response = requests.post(
            f"{self.issuer}/token",
            auth=(CLIENT_ID, CLIENT_SECRET),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
                "resource": API_RESOURCE,
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


# --- the provider's pages, as a browser fills them in ------------------------------------------------


def _form(html: str, base_url: str) -> tuple[str, dict[str, str]]:
    match = re.search(r'<form method="post" action="([^"]+)"', html)
    assert match, f"no form on the provider's page: {html[:500]}"
    return urljoin(base_url, unescape(match.group(1))), {}


def provider_page_kind(html: str) -> str:
    if 'id="provider-sign-in"' in html:
        return "login"
    if 'id="provider-allow"' in html:
        return "consent"
    return "other"


def complete_provider_pages(
    http: requests.Session,
    page: requests.Response,
    login: str,
    password: str,
    consent: bool = True,
    stop_at: str | None = None,
) -> str:
    """Sign in and allow (or deny) at the provider until it sends the browser back.

    With `stop_at` the redirect to that address is not followed (a client without a server) and its
    URL is returned; otherwise the final page's URL is returned and `http` holds the final response
    in `http.last`.
    """
    for _ in range(6):
        kind = provider_page_kind(page.text) if page.status_code in (200, 401) else "other"
        if kind == "other":
            break
        if kind == "login":
            action, data = _form(page.text, page.url)
            data.update({"login": login, "password": password})
            page = _post(http, action, data, stop_at)
        elif consent:
            action, data = _form(page.text, page.url)
            page = _post(http, action, data, stop_at)
        else:
            deny = re.search(r'<a href="([^"]+)" id="provider-deny"', page.text)
            assert deny
            page = _get(http, urljoin(page.url, unescape(deny.group(1))), stop_at)
        if stop_at and page.url.startswith(stop_at):
            return page.url
    http.last = page  # type: ignore[attr-defined]
    return page.url


def _post(http: requests.Session, url: str, data: dict[str, str], stop_at: str | None) -> requests.Response:
    return _follow(http, http.post(url, data=data, timeout=30, allow_redirects=False), stop_at)


def _get(http: requests.Session, url: str, stop_at: str | None) -> requests.Response:
    return _follow(http, http.get(url, timeout=30, allow_redirects=False), stop_at)


def _follow(http: requests.Session, response: requests.Response, stop_at: str | None) -> requests.Response:
    """Follow redirects by hand, so the one to `stop_at` is seen instead of fetched."""
    deadline = time.monotonic() + 30
    while response.is_redirect and time.monotonic() < deadline:
        target = urljoin(response.url, response.headers["Location"])
        if stop_at and target.startswith(stop_at):
            fake = requests.Response()
            fake.url, fake.status_code = target, 200
            return fake
        response = http.get(target, timeout=30, allow_redirects=False)
    return response
