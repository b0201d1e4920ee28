"""Make SpiffWorkflow's timers read trajectflow's injectable clock.

SpiffWorkflow's timer event definitions call `datetime.now(timezone.utc)` directly. We replace the
`datetime` name in that one module by a subclass whose `now()` asks the clock that the engine has
bound for the current step, so timers are computed and fired against the same clock as the rest
of the application (and tests can move time instead of sleeping).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from ..domain.clock import Clock, SystemClock

_SYSTEM_CLOCK = SystemClock()
_current_clock: ContextVar[Clock] = ContextVar("trajectflow_clock", default=_SYSTEM_CLOCK)  # noqa: B039 - stateless


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = _current_clock.get().now()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


_timer_module.datetime = _ClockedDatetime  # type: ignore[misc]


@contextlib.contextmanager
def bound_clock(clock: Clock) -> Iterator[None]:
    token = _current_clock.set(clock)
    try:
        yield
    finally:
        _current_clock.reset(token)
