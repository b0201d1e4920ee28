"""Shared fixtures: databases (SQLite and PostgreSQL), service contexts, a live HTTP server."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, text
from werkzeug.serving import make_server

from trajectflow.app import create_app
from trajectflow.domain.clock import FixedClock
from trajectflow.domain.roles import ROLES
from trajectflow.services.context import ServiceContext
from trajectflow.services.tokens import issue_token
from trajectflow.services.users import ensure_user
from trajectflow.settings import Settings
from trajectflow.store import append_only
from trajectflow.store.db import make_engine
from trajectflow.store.migrate import upgrade
from trajectflow.store.models import Base
from trajectflow.store.uow import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_URL = os.environ.get("TRAJECTFLOW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]
# Test staff work here unless a test says otherwise: it serves Roermond, Maasgouw and Roerdalen and
# sells its services to Echt-Susteren and Leudal (domain/organisations.py).
STAFF_ORG = "werkbedrijf-roermond"


def ensure_staff(ctx: ServiceContext) -> None:
    """One ordinary (not demo) account per role, named after it, at STAFF_ORG and without a password."""
    for role, label in ROLES.items():
        ensure_user(ctx, role, [role], None, label, organisation=STAFF_ORG)


def _postgres_engine(schema: str) -> Engine:
    admin = make_engine(POSTGRES_URL, poolclass=None)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    except Exception as err:  # noqa: BLE001
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} is unreachable ({err}); the suite runs against PostgreSQL too. "
            "Start it or set TRAJECTFLOW_TEST_POSTGRES_URL.",
            pytrace=False,
        )
    finally:
        admin.dispose()
    return make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """A migrated database per backend for the whole session; tables are emptied between tests."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "trajectflow.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        yield url, engine
        engine.dispose()
        return
    schema = f"tf_test_{uuid.uuid4().hex[:10]}"
    engine = _postgres_engine(schema)
    upgrade(engine)
    url = engine.url.render_as_string(hide_password=False)
    yield url, engine
    engine.dispose()
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def empty_tables(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            append_only.remove(conn)  # the audit trail refuses DELETE; a test database starts empty
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            append_only.install(conn)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def backend(database: tuple[str, Engine]) -> str:
    return database[1].dialect.name


@pytest.fixture
def ctx(database: tuple[str, Engine], clock: FixedClock, tmp_path: Path) -> Iterator[ServiceContext]:
    url, engine = database
    empty_tables(engine)
    settings = Settings(
        database_url=url,
        processes_dir=ROOT / "processes",
        forms_dir=ROOT / "forms",
        demo_mode=True,  # many tests act as the demo accounts; tests of production behaviour switch it off
    )
    yield ServiceContext(uow=UnitOfWorkFactory(engine), clock=clock, settings=settings)


class LiveServer:
    """The real app on a real socket; `session` speaks HTTP to it."""

    def __init__(self, ctx: ServiceContext, clock: FixedClock) -> None:
        self.app = create_app(ctx.settings, clock=clock)
        self.app.extensions["trajectflow"] = ctx
        self.ctx = ctx
        self._tokens: dict[str, str] = {}
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def request(self, method: str, path: str, user: str | None = None, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        """An HTTP request, signed in as `user` with an API bearer token (made once per user)."""
        headers = kwargs.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {self.token_for(user)}"
        return requests.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def token_for(self, user: str) -> str:
        if user not in self._tokens:
            self._tokens[user] = issue_token(self.ctx, user, "test", None).token  # tests move the clock by months
        return self._tokens[user]

    def stop(self) -> None:
        self._server.shutdown()


@pytest.fixture
def server(ctx: ServiceContext, clock: FixedClock) -> Iterator[LiveServer]:
    live = LiveServer(ctx, clock)
    yield live
    live.stop()
