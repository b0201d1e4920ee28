"""`trajectflow scheduler`: an APScheduler process that fires BPMN timers on time and sends alerts.

It wakes at the next due time of a timer it knows of, and at least every `poll` seconds to see
timers that other processes (the web server) created meanwhile. Each wake drains everything due.
Reminders and emails run as their own jobs so a slow mail server never delays a timer. Several
scheduler processes may run side by side: see services/timers.py for why each timer fires once.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from ..services.alerts import send_task_alerts
from ..services.context import ServiceContext
from ..services.heartbeat import beat, scheduler_name
from ..services.mail import deliver_emails
from ..services.retention import run_retention
from ..services.timers import fire_due_timers, next_due_at

log = logging.getLogger(__name__)
WAKE_JOB = "timers_wake"


class TimerWaker:
    """Drains due timers, then arranges to be woken when the next known timer is due."""

    def __init__(self, ctx: ServiceContext, scheduler: BaseScheduler, poll_seconds: float, name: str) -> None:
        self.ctx, self.scheduler, self.poll, self.name = ctx, scheduler, poll_seconds, name
        self._busy = threading.Lock()
        self._last_beat: datetime | None = None

    def stop(self) -> None:
        """Wait for a running drain to commit, and start no new one.

        Called before the scheduler shuts down: APScheduler's shutdown holds its job-store lock
        while it waits for running jobs, so a drain that schedules its next wake then would
        deadlock with it.
        """
        self._busy.acquire()

    def run(self) -> None:
        if not self._busy.acquire(blocking=False):
            return  # the running drain picks up whatever this wake was for, or we are stopping
        try:
            self._beat()
            fired = fire_due_timers(self.ctx)
            if fired:
                log.info("%d timer(s) fired", fired)
            self._schedule_wake(next_due_at(self.ctx))
        except Exception:  # noqa: BLE001 - keep the scheduler alive; the next poll retries
            log.exception("firing timers failed")
        finally:
            self._busy.release()

    def _beat(self) -> None:
        now = self.ctx.clock.now()
        if self._last_beat is None or now - self._last_beat >= timedelta(seconds=5):
            beat(self.ctx, self.name)
            self._last_beat = now

    def _schedule_wake(self, due: datetime | None) -> None:
        now = self.ctx.clock.now()
        if due is None or due - now >= timedelta(seconds=self.poll):
            return  # the regular poll comes first
        # The scheduler runs on the system clock; translate "due in x s" by our clock onto it.
        run_at = datetime.now(UTC) + max(due - now, timedelta(0))
        self.scheduler.add_job(
            self.run, "date", run_date=run_at, id=WAKE_JOB, replace_existing=True, misfire_grace_time=None
        )


def _guarded(what: str, job: Any, ctx: ServiceContext) -> Any:
    def run() -> None:
        try:
            done = job(ctx)
            if done:
                log.info("%s: %d", what, done)
        except Exception:  # noqa: BLE001 - never let one failure stop the scheduler
            log.exception("%s failed", what)

    return run


def build_scheduler(
    ctx: ServiceContext, poll_seconds: float = 1.0, alert_seconds: float = 5.0
) -> tuple[BlockingScheduler, TimerWaker]:
    scheduler = BlockingScheduler(timezone=UTC)
    waker = TimerWaker(ctx, scheduler, poll_seconds, scheduler_name())
    now = datetime.now(UTC)
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    scheduler.add_job(waker.run, "interval", seconds=poll_seconds, next_run_time=now, id="timers_poll", **common)
    scheduler.add_job(
        _guarded("task alerts sent", send_task_alerts, ctx), "interval", seconds=alert_seconds, id="alerts", **common
    )
    scheduler.add_job(
        _guarded("emails handled", deliver_emails, ctx), "interval", seconds=alert_seconds, id="emails", **common
    )
    # Daily, at night: closed cases past their retention term are anonymised or deleted (idempotent).
    scheduler.add_job(
        _guarded("retention: cases handled", lambda c: run_retention(c).cases, ctx),
        "cron", hour=2, minute=30, id="retention", **common,
    )  # fmt: skip
    return scheduler, waker


def run_scheduler(ctx: ServiceContext, interval_seconds: float = 1.0) -> None:
    scheduler, waker = build_scheduler(ctx, interval_seconds)

    def _stop(_signum: int, _frame: Any) -> None:
        waker.stop()
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, _stop)
    log.info("scheduler started (timers at their due time, polling every %.1f s)", interval_seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
