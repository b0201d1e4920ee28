"""Who calls in the matrix, over real HTTP: API callers with a bearer token, page callers with a signed-in session.

A page caller signs in through the login form (with its CSRF token), switches the pages to English so
refusals can be read from the flashed messages, and sends every form with the session's CSRF token.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import requests

from .world import PASSWORD, Account

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_FLASH = re.compile(r'<p class="flash flash--(\w+)">(.*?)</p>', re.S)


@dataclass(frozen=True)
class Principal:
    """A caller: a signed-in account, or someone without (valid) credentials."""

    label: str
    account: Account | None = None

    @property
    def signed_in(self) -> bool:
        return self.account is not None

    @property
    def username(self) -> str | None:
        return self.account.username if self.account else None

    @property
    def roles(self) -> frozenset[str]:
        return self.account.roles if self.account else frozenset()

    def may_see(self, municipality: str) -> bool:
        return self.account is not None and municipality in self.account.municipalities


@dataclass
class Reply:
    """What came back: the status, the body, and for a form that redirected, the page it led to."""

    status: int
    body: str
    location: str = ""
    flashes: tuple[tuple[str, str], ...] = ()


class ApiCaller:
    def __init__(self, base_url: str, principal: Principal, token: str | None) -> None:
        self.base_url, self.principal = base_url, principal
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def send(self, method: str, path: str, *, json: Any = None, data: Any = None, isolated: bool = False) -> Reply:
        response = self.http.request(method, self.base_url + path, json=json, data=data, timeout=60)
        return Reply(response.status_code, response.text, response.headers.get("Location", ""))


class PageCaller:
    def __init__(self, base_url: str, principal: Principal) -> None:
        self.base_url, self.principal = base_url, principal
        self.http = requests.Session()
        self.csrf = self._token_from(self._get("/login").text)
        if principal.account is not None:
            form = {"username": principal.account.username, "password": PASSWORD, "csrf_token": self.csrf}
            signed = self.http.post(self.base_url + "/login", data=form, allow_redirects=False, timeout=60)
            assert signed.status_code == 302, f"{principal.label} cannot sign in: {signed.status_code}"
            self.csrf = self._token_from(self._get("/login").text)  # a fresh session has a fresh token
        language = self.http.post(
            self.base_url + "/taal", data={"lang": "en", "csrf_token": self.csrf}, allow_redirects=False, timeout=60
        )
        assert language.status_code == 302, language.status_code

    def _get(self, path: str) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=60)

    @staticmethod
    def _token_from(html: str) -> str:
        match = _CSRF.search(html)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def send(self, method: str, path: str, *, json: Any = None, data: Any = None, isolated: bool = False) -> Reply:
        """One request; `isolated` sends it from a copy of the session (sign-in, sign-out, language)."""
        http = self._copy() if isolated else self.http
        headers = {"X-CSRF-Token": self.csrf}
        form = None if data is None else {**data, "csrf_token": self.csrf}
        response = http.request(
            method, self.base_url + path, json=json, data=form, headers=headers, allow_redirects=False, timeout=60
        )
        location = response.headers.get("Location", "")
        reply = Reply(response.status_code, response.text, location)
        if response.is_redirect and not self.to_login(location) and not isolated:
            # What the form flashed shows on the next page; the light sign-in page shows it as well as any.
            shown = http.get(self.base_url + "/login", timeout=60).text
            reply.flashes = tuple((kind, html.unescape(text).strip()) for kind, text in _FLASH.findall(shown))
        return reply

    def _copy(self) -> requests.Session:
        copy = requests.Session()
        copy.cookies.update(self.http.cookies)
        return copy

    @staticmethod
    def to_login(location: str) -> bool:
        return urlparse(location).path == "/login"
