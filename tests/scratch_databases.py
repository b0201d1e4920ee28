"""Whole PostgreSQL databases of a test's own (`tf_ops_<random>`), for tests that run processes or
pg_dump/pg_restore against a database and must not touch anyone else's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.conftest import POSTGRES_URL
from trajectflow.store.db import normalise_url


def database_url(name: str) -> str:
    """A libpq URL (postgresql://…) for database `name` on the test server."""
    return make_url(POSTGRES_URL).set(drivername="postgresql", database=name).render_as_string(hide_password=False)


def _admin():  # type: ignore[no-untyped-def]
    return create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", poolclass=NullPool)


def create_database(name: str) -> None:
    with _admin().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))


def drop_database(name: str) -> None:
    with _admin().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def scratch_database(prefix: str = "tf_ops") -> Iterator[tuple[str, str]]:
    """Create an empty database; yield (name, url); drop it afterwards whatever happened."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    create_database(name)
    try:
        yield name, database_url(name)
    finally:
        drop_database(name)
