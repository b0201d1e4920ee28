"""Scheduler heartbeats: each scheduler process records when it last ran."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..store.models import SchedulerHeartbeat
from .context import ServiceContext


def scheduler_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(ctx: ServiceContext, name: str) -> None:
    with ctx.uow() as uow:
        row = uow.session.get(SchedulerHeartbeat, name)
        if row is None:
            uow.session.add(SchedulerHeartbeat(name=name, beat_at=ctx.clock.now()))
        else:
            row.beat_at = ctx.clock.now()
        uow.commit()


def latest_beat(ctx: ServiceContext) -> datetime | None:
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(func.max(SchedulerHeartbeat.beat_at)))


def scheduler_alive(ctx: ServiceContext, within: timedelta = timedelta(seconds=30)) -> bool:
    last = latest_beat(ctx)
    return last is not None and ctx.clock.now() - last <= within
