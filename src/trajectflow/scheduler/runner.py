"""`trajectflow scheduler`: fire due BPMN timers every second.

Several scheduler processes may run: each case advances in its own transaction guarded by the
case's version counter, so a timer that two processes pick up fires once and the loser moves on.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler

from ..services.context import ServiceContext
from ..services.heartbeat import beat, scheduler_name
from ..services.timers import fire_due_timers

log = logging.getLogger(__name__)


def _tick(ctx: ServiceContext, name: str) -> None:
    try:
        beat(ctx, name)
        advanced = fire_due_timers(ctx)
    except Exception:  # noqa: BLE001 - keep the scheduler alive; the next tick retries
        log.exception("firing timers failed")
        return
    if advanced:
        log.info("timers fired in %d case(s)", advanced)


def run_scheduler(ctx: ServiceContext, interval_seconds: float = 1.0) -> None:
    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(
        _tick,
        "interval",
        args=[ctx, scheduler_name()],
        seconds=interval_seconds,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
        id="fire_due_timers",
    )

    def _stop(_signum: int, _frame: Any) -> None:
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, _stop)
    log.info("scheduler started (every %.1f s)", interval_seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
