"""Timer figures on PostgreSQL with real `trajectflow scheduler` processes (system clock, 1 s poll).

- timer_fire_latency_p50/p99_ms: from a timer's due time until its firing is committed (seen by a
  watcher polling the timers table every 20 ms, so the figures include up to 20 ms of watching).
- timer_drain_per_s: 10,000 timers due at once, two scheduler processes; timers fired per second
  from the moment they were committed as due until none is left.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from statistics import median, quantiles

from sqlalchemy import select
from tests.integration import mass_timers as mt

from trajectflow.store.models import Timer

from .database import BenchDatabase
from .report import Figure, at_least, at_most

DRAIN_TIMERS = 10_000


def _waiting_cases(db: BenchDatabase) -> set[int]:
    with db.ctx.uow(write=False) as uow:
        return set(uow.session.scalars(select(Timer.case_id)))


def _stop(processes: list) -> None:  # type: ignore[type-arg]
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(30)


def measure_latency(db: BenchDatabase, samples: int) -> list[float]:
    mt.deploy_timer_process(db.ctx)
    base = datetime.now(UTC) + timedelta(seconds=6 + samples * 0.05)
    due = {}
    for n in range(samples):
        moment = base + timedelta(seconds=n * 0.37)
        due[mt.start_timer_case(db.ctx, db.clock, moment)] = moment
    scheduler = mt.spawn_scheduler(db.url, poll=1.0)
    latencies: list[float] = []
    try:
        deadline = time.monotonic() + 60 + samples
        while due and time.monotonic() < deadline:
            waiting = _waiting_cases(db)
            seen = datetime.now(UTC)
            for case_id in [c for c in due if c not in waiting]:
                latencies.append((seen - due.pop(case_id)).total_seconds())
            time.sleep(0.02)
    finally:
        _stop([scheduler])
    return latencies


def measure_drain(db: BenchDatabase, count: int = DRAIN_TIMERS) -> float:
    mt.deploy_timer_process(db.ctx)
    schedulers = [mt.spawn_scheduler(db.url), mt.spawn_scheduler(db.url)]
    try:
        time.sleep(4)  # both are up and idle
        template = mt.start_timer_case(db.ctx, db.clock, datetime.now(UTC) - timedelta(hours=2), bsn="123456782")
        mt.copy_case(db.ctx, template, count - 1)
        started = time.monotonic()
        while mt.waiting_timers(db.ctx) > 0:
            if time.monotonic() - started > 900:
                raise RuntimeError("drain did not finish in 15 minutes")
            time.sleep(0.05)
        return count / (time.monotonic() - started)
    finally:
        _stop(schedulers)


def timer_figures(quick: bool) -> list[Figure]:
    with BenchDatabase("postgresql") as db:
        latencies = measure_latency(db, 20 if quick else 60)
    with BenchDatabase("postgresql") as db:
        drain = measure_drain(db, 2_000 if quick else DRAIN_TIMERS)
    p50 = median(latencies) if latencies else float("nan")
    p99 = quantiles(latencies, n=100)[98] if len(latencies) > 1 else float("nan")
    return [
        Figure("timer_fire_latency_p50_ms", p50 * 1000, "ms"),
        Figure("timer_fire_latency_p99_ms", p99 * 1000, "ms", at_most(2000)),
        Figure("timer_drain_per_s", drain, "timers/s", at_least(1000)),
    ]
