"""The app on a real socket, configured with the test provider of tests/oidc/provider.mjs: the `oidc` fixture.

Import the fixture into a test module with `from tests.oidc.app import oidc_setup  # noqa: F401`.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.conftest import LiveServer
from tests.oidc.provider import API_AUDIENCE, CLIENT_ID, CLIENT_SECRET, TestProvider, complete_provider_pages
from trajectflow.app import create_app
from trajectflow.domain.clock import FixedClock
from trajectflow.services.context import ServiceContext
from trajectflow.store.models import User
from trajectflow.store.security_models import AuditRecord

ANNA = {
    "sub": "7f3c-anna",
    "password": "anna-wachtwoord",
    "claims": {
        "preferred_username": "anna.jansen",
        "name": "Anna Jansen",
        "email": "anna.jansen@laborijn.test",
        "roles": ["Klantmanagers", "Koffiecommissie"],
    },
}
PROVIDERS_YAML = """
providers:
  - name: laborijn
    label: Laborijn
    organisation: laborijn
    issuer: {issuer}
    client_id: {client_id}
    client_secret_file: client-secret.txt
    audience: [{audience}]
    role_map:
      Klantmanagers: klantmanager
      Teamleiders: teamleider
  - name: uitgevallen
    label: Uitgevallen IdP
    municipality: leudal
    issuer: http://127.0.0.1:{dead_port}
    client_id: trajectflow
    client_secret: not-used
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PortServer(LiveServer):
    """LiveServer on a port chosen beforehand: the provider must know the callback address first."""

    def __init__(self, ctx: ServiceContext, clock: FixedClock, port: int) -> None:
        self.app = create_app(ctx.settings, clock=clock)
        self.app.extensions["trajectflow"] = ctx
        self.ctx = ctx
        self._tokens: dict[str, str] = {}
        self._server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()


@dataclass
class Oidc:
    server: PortServer
    provider: TestProvider
    ctx: ServiceContext

    @property
    def api_redirect(self) -> str:
        return self.server.base_url + "/api-client/callback"

    def browser(self) -> requests.Session:
        return requests.Session()

    def sign_in(self, http: requests.Session, login: str = "anna", password: str = ANNA["password"], **kw: Any):  # type: ignore[no-untyped-def]
        """Click the Laborijn button on the sign-in page and go through the provider; the last page."""
        page = http.get(self.server.base_url + "/login?next=/?view=groups", timeout=30)
        button = re.search(r'id="oidc-laborijn" href="([^"]+)"', page.text)
        assert button, "no OIDC button on the sign-in page"
        first = http.get(self.server.base_url + button.group(1).replace("&amp;", "&"), timeout=30)
        complete_provider_pages(http, first, login, password, **kw)
        return http.last  # type: ignore[attr-defined]

    def user(self, username: str) -> User | None:
        with self.ctx.uow(write=False) as uow:
            return uow.session.scalar(select(User).where(User.username == username))

    def user_count(self) -> int:
        with self.ctx.uow(write=False) as uow:
            return int(uow.session.scalar(select(func.count(User.id))) or 0)

    def logins(self) -> list[tuple[str | None, str, str]]:
        """The sign-in audit records so far: (user, result, method), oldest first."""
        with self.ctx.uow(write=False) as uow:
            rows = uow.session.scalars(
                select(AuditRecord).where(AuditRecord.action == "login").order_by(AuditRecord.seq)
            )
            return [(r.actor, r.result, str((r.details or {}).get("login_method"))) for r in rows]

    def me(self, token: str) -> requests.Response:
        return requests.get(
            self.server.base_url + "/api/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )


@pytest.fixture(name="oidc")
def oidc_setup(ctx: ServiceContext, clock: FixedClock, tmp_path: Path) -> Iterator[Oidc]:
    port = _free_port()
    app_url = f"http://127.0.0.1:{port}"
    provider = TestProvider(
        tmp_path, [f"{app_url}/login/oidc/laborijn/callback", f"{app_url}/api-client/callback"], {"anna": ANNA}
    )
    try:
        (tmp_path / "client-secret.txt").write_text(CLIENT_SECRET + "\n")
        providers_file = tmp_path / "oidc-providers.yaml"
        providers_file.write_text(
            PROVIDERS_YAML.format(
                issuer=provider.issuer, client_id=CLIENT_ID, audience=API_AUDIENCE, dead_port=_free_port()
            )
        )
        settings = replace(ctx.settings, oidc_providers_file=providers_file)
        oidc_ctx = ServiceContext(uow=ctx.uow, clock=ctx.clock, settings=settings)
        server = PortServer(oidc_ctx, clock, port)
    except BaseException:
        provider.stop()
        raise
    yield Oidc(server, provider, oidc_ctx)
    server.stop()
    provider.stop()


def start_cases(oidc: Oidc) -> dict[str, int]:
    cases = {}
    for user, municipality, bsn, name in (
        ("klantmanager-laborijn", "oude-ijsselstreek", "100000034", "Ilse Oosterhuis"),
        ("klantmanager", "roermond", "100000046", "Ruud Roermans"),
    ):
        response = oidc.server.request(
            "POST",
            "/api/cases",
            user=user,
            json={"municipality": municipality, "client": {"bsn": bsn, "name": name, "birth_date": "1980-01-01"}},
        )
        assert response.status_code == 201, response.text
        cases[municipality] = response.json()["id"]
    return cases
