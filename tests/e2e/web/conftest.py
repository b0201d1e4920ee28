from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import LiveServer

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless (browser downloads are impossible here)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot for review in tests/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


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
