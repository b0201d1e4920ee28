"""Helpers for the audit trail tests: the test database as a URL for a separate process, tampering."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Connection, select, text

from trajectflow.services.audit import TABLE
from trajectflow.services.context import ServiceContext
from trajectflow.store import append_only


def database_url(ctx: ServiceContext) -> str:
    """The test database as a URL a command in another process can use (PostgreSQL: with the test schema)."""
    engine = ctx.uow.engine
    if engine.dialect.name == "sqlite":
        return ctx.settings.database_url
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    return engine.url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@contextlib.contextmanager
def tampering(ctx: ServiceContext) -> Iterator[Connection]:
    """What someone with owner rights on the database does: drop the append-only triggers, then edit."""
    with ctx.uow.engine.begin() as conn:
        append_only.remove(conn)
        try:
            yield conn
        finally:
            append_only.install(conn)


def audit_rows(ctx: ServiceContext) -> list:  # type: ignore[type-arg]
    with ctx.uow.engine.connect() as conn:
        return list(conn.execute(select(TABLE).order_by(TABLE.c.seq)).all())
