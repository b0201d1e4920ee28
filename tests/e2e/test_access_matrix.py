"""Acceptance: every API endpoint and page × every role × own/other municipality shows no access outside the rules.

The endpoints come from the live URL map, so a new endpoint without a rule in tests/e2e/access/rules_*.py
fails here ("no access rule for …"): nobody adds an endpoint without deciding who may use it.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest

from tests.conftest import LiveServer
from trajectflow.services.context import ServiceContext

from .access.matrix import AccessMatrix
from .access.rules import rules
from .access.world import World

# While working on some endpoints: ACCESS_MATRIX_ONLY=tasks.,task_page. runs only those (the full run is the test).
ONLY = tuple(name for name in os.environ.get("ACCESS_MATRIX_ONLY", "").split(",") if name)


def _listed(title: str, lines: list[str], limit: int = 60) -> str:
    more = f"\n  … and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{title} ({len(lines)}):\n  " + "\n  ".join(lines[:limit]) + more if lines else ""


def test_access_matrix(ctx, clock, backend, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    # Sign-in rate limit off: the matrix signs in every caller from one address; readiness without a scheduler.
    settings = replace(ctx.settings, login_rate_per_minute=0, ready_heartbeat_seconds=0)
    matrix_ctx = ServiceContext(uow=ctx.uow, clock=clock, settings=settings)
    started = time.perf_counter()
    world = World(matrix_ctx).build()
    server = LiveServer(matrix_ctx, clock)
    try:
        built = time.perf_counter()
        matrix = AccessMatrix(server.app, world, server.base_url, matrix_ctx.uow.engine)
        signed = time.perf_counter()
        report = matrix.run(rules(), ONLY)
    finally:
        server.stop()
    report.seconds.update(world=built - started, sign_in=signed - built, total=time.perf_counter() - started)
    with capsys.disabled():
        subset = f" (only {', '.join(ONLY)})" if ONLY else ""
        print(f"\n[{backend}] {report.summary()}{subset}\n[{backend}] {report.details()}")
        slowest = sorted(report.per_endpoint.items(), key=lambda item: -item[1])[:8]
        print("slowest: " + ", ".join(f"{e} {s:.1f}" for e, s in slowest))
    problems = [
        _listed("endpoints without an access rule", report.missing),
        _listed("LEAKS", report.leaks),
        _listed("refused although the rules allow it", report.over_restricted),
        _listed("errors (5xx, or a request the matrix got wrong)", report.errors),
        _listed("rules for endpoints that no longer exist", report.stale),
    ]
    assert not any(problems), report.summary() + "\n" + "\n".join(p for p in problems if p)
