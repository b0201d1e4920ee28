"""Schema upgrades that are safe on a live database (`trajectflow db upgrade`).

On PostgreSQL every migration step waits at most LOCK_TIMEOUT for a table lock: a step that needs an
exclusive lock behind a long transaction fails (and rolls back whole, DDL is transactional there)
instead of queueing every request behind itself. An advisory lock lets only one upgrade run at a
time when several containers start together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from ..settings import Settings
from ..store.db import make_engine, normalise_url
from ..store.migrate import current_revision, upgrade

LOCK_TIMEOUT = "10s"
_UPGRADE_LOCK = 7_240_510  # any constant shared by all trajectflow versions


@dataclass(frozen=True)
class SchemaUpgrade:
    before: str | None
    after: str | None


def upgrade_schema(settings: Settings, revision: str = "head") -> SchemaUpgrade:
    """Migrate the configured database to `revision` (the latest); a database already there is left alone."""
    url = settings.database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        try:
            return _upgrade(engine, revision)
        finally:
            engine.dispose()
    engine = _postgres_engine(url)
    try:
        with engine.connect() as lock_connection:
            lock_connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _UPGRADE_LOCK})
            try:
                return _upgrade(engine, revision)
            finally:
                lock_connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _UPGRADE_LOCK})
                lock_connection.commit()
    finally:
        engine.dispose()


def _upgrade(engine: Engine, revision: str) -> SchemaUpgrade:
    before = current_revision(engine)
    upgrade(engine, revision)
    return SchemaUpgrade(before, current_revision(engine))


def _postgres_engine(url: str) -> Engine:
    options = make_url(normalise_url(url)).query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    return make_engine(
        url, pool_size=2, max_overflow=0, connect_args={"options": f"{options} -c lock_timeout={LOCK_TIMEOUT}".strip()}
    )
