"""Throw-away databases for a run: a SQLite file in a temp dir, or a PostgreSQL schema of our own.

Each is migrated, has the shipped processes deployed and the demo users (one per role) created.
The PostgreSQL schema (`bench_<random>`) is dropped afterwards, so the `test` database's own
tables are never touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text

from trajectflow.domain.clock import FixedClock
from trajectflow.domain.roles import ROLES
from trajectflow.services.context import ServiceContext
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.tokens import issue_token
from trajectflow.services.users import ensure_user
from trajectflow.settings import Settings
from trajectflow.store.db import make_engine
from trajectflow.store.migrate import upgrade
from trajectflow.store.uow import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parent.parent
PROCESSES_DIR = ROOT / "processes"
FORMS_DIR = ROOT / "forms"
LOOP_DIR = ROOT / "tests" / "fixtures" / "loop"
POSTGRES_URL = os.environ.get("TRAJECTFLOW_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


class BenchDatabase:
    """A migrated, deployed database for one backend, with a service context on a FixedClock."""

    def __init__(self, backend: str, with_loop: bool = False) -> None:
        self.backend = backend
        self._tmp: Path | None = None
        self._schema: str | None = None
        if backend == "sqlite":
            self._tmp = Path(tempfile.mkdtemp(prefix="trajectflow-bench-"))
            self.url = f"sqlite:///{self._tmp / 'bench.db'}"
        elif backend == "postgresql":
            self._schema = f"bench_{uuid.uuid4().hex[:10]}"
            _run_admin(f'CREATE SCHEMA "{self._schema}"')
            self.url = f"{POSTGRES_URL}?options={quote(f'-csearch_path={self._schema}')}"
        else:
            raise ValueError(f"unknown backend {backend}")
        self.engine = make_engine(self.url)
        upgrade(self.engine)
        self.clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        settings = Settings(database_url=self.url, processes_dir=PROCESSES_DIR, forms_dir=FORMS_DIR)
        self.ctx = ServiceContext(uow=UnitOfWorkFactory(self.engine), clock=self.clock, settings=settings)
        for role, label in ROLES.items():  # ordinary accounts: the bench servers run without demo mode
            ensure_user(self.ctx, role, [role], None, label, organisation="werkbedrijf-roermond")
        self._tokens: dict[str, str] = {}
        deploy_directory(self.ctx, PROCESSES_DIR, FORMS_DIR, "bench")
        if with_loop:
            deploy_directory(self.ctx, LOOP_DIR, LOOP_DIR, "bench")

    def bearer(self, username: str) -> dict[str, str]:
        """An Authorization header for `username` (a token without expiry: the bench clock is fixed)."""
        if username not in self._tokens:
            self._tokens[username] = issue_token(self.ctx, username, "bench", None).token
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    def close(self) -> None:
        self.engine.dispose()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        if self._schema is not None:
            _run_admin(f'DROP SCHEMA IF EXISTS "{self._schema}" CASCADE')

    def __enter__(self) -> BenchDatabase:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _run_admin(statement: str) -> None:
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()
