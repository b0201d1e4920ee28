"""What the audit trail costs per request: `.venv/bin/python -m bench.audit_cost [N]`.

N (default 200) `GET /api/tasks?assignee=me` requests through the Flask app (test client, no
network) on SQLite and on PostgreSQL, in alternating blocks of ten with the audit hook installed and
removed, so load from other processes hits both alike. Prints the median per request with and
without, and the median of the audit write alone. Works in a temp SQLite file and a throw-away
PostgreSQL schema (TRAJECTFLOW_BENCH_POSTGRES_URL, default the test database).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from trajectflow.app import create_app
from trajectflow.domain.clock import SystemClock
from trajectflow.ops import audit_hook
from trajectflow.services.audit import AuditEntry, write_entry
from trajectflow.services.context import ServiceContext
from trajectflow.services.tokens import issue_token
from trajectflow.services.users import ensure_user
from trajectflow.settings import Settings
from trajectflow.store.db import make_engine
from trajectflow.store.migrate import upgrade
from trajectflow.store.uow import UnitOfWorkFactory

POSTGRES_URL = os.environ.get("TRAJECTFLOW_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BLOCK = 10


def measure(url: str, engine: Engine, requests: int) -> str:
    upgrade(engine)
    settings = Settings(database_url=url)
    ctx = ServiceContext(uow=UnitOfWorkFactory(engine), clock=SystemClock(), settings=settings)
    ensure_user(ctx, "bench-km", ["klantmanager"], None, "bench", organisation="werkbedrijf-roermond")
    headers = {"Authorization": f"Bearer {issue_token(ctx, 'bench-km', 'bench', None).token}"}
    app = create_app(settings)
    app.extensions["trajectflow"] = ctx
    client = app.test_client()

    def one() -> float:
        started = time.perf_counter()
        assert client.get("/api/tasks?assignee=me", headers=headers).status_code == 200
        return (time.perf_counter() - started) * 1000

    for _ in range(30):
        one()  # warm-up
    with_audit: list[float] = []
    without: list[float] = []
    hooks = app.after_request_funcs[None]
    for _ in range(max(1, requests // BLOCK)):
        with_audit += [one() for _ in range(BLOCK)]
        hooks.remove(audit_hook._record)
        without += [one() for _ in range(BLOCK)]
        hooks.append(audit_hook._record)
    entry = AuditEntry("list", "bench-km", "task", None, None, "success", "127.0.0.1", "bench", {"status": 200})
    writes = _timed(lambda: write_entry(ctx, entry, durable=False), requests)
    on, off, write = statistics.median(with_audit), statistics.median(without), statistics.median(writes)
    return (
        f"{len(with_audit)} GETs each: median {on:.2f} ms with the audit record, {off:.2f} ms without "
        f"(+{on - off:.2f} ms, {100 * (on - off) / off:.0f} %); the audit write alone {write:.2f} ms"
    )


def _timed(action: Callable[[], object], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    logging.disable(logging.INFO)  # the request log line would be measured too
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'audit_cost.db'}"
        engine = make_engine(url)
        print("sqlite:", measure(url, engine, requests))
        engine.dispose()
    schema = f"bench_audit_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        print("postgresql:", measure(engine.url.render_as_string(hide_password=False), engine, requests))
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
