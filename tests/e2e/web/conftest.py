from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import LiveServer


class Browserless:
    """A signed-in HTTP session on the pages, posting forms with their CSRF token like a browser does."""

    def __init__(self, server: LiveServer, user: str) -> None:
        self.server = server
        self.http = requests.Session()
        page = self.get("/login")
        response = self.http.post(
            server.base_url + "/login",
            data={"username": user, "password": "demo", "csrf_token": self.token(page.text)},
            timeout=30,
        )
        assert response.status_code == 200 and "/login" not in response.url, response.text[:500]

    @staticmethod
    def token(html: str) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def get(self, path: str, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        return self.http.get(self.server.base_url + path, timeout=30, **kwargs)

    def post(self, path: str, data: dict | list, from_page: str = "/") -> requests.Response:  # type: ignore[type-arg]
        token = self.token(self.get(from_page).text)
        items = list(data.items()) if isinstance(data, dict) else list(data)
        return self.http.post(self.server.base_url + path, data=[*items, ("csrf_token", token)], timeout=30)


@pytest.fixture
def signed_in(server, deployed):  # type: ignore[no-untyped-def]
    def sign_in(user: str = "klantmanager") -> Browserless:
        return Browserless(server, user)

    return sign_in
