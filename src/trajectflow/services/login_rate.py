"""Rate limit on sign-in attempts per client address (the `limits` library, moving window, in memory).

This stops one address from trying many accounts quickly; the per-account lock-out in
services/users.py stops many addresses trying one account. The window lives in each worker's memory,
so with N gunicorn workers an address gets at most N times the limit.
"""

from __future__ import annotations

import time
import uuid

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from ..domain.errors import TooManyAttempts
from .context import ServiceContext

_STORAGE = MemoryStorage()
_LIMITER = MovingWindowRateLimiter(_STORAGE)


def check_sign_in_rate(ctx: ServiceContext, origin: str | None) -> None:
    """Count one sign-in attempt from `origin`; refuse it when the address is over its limit."""
    per_minute = ctx.settings.login_rate_per_minute
    if per_minute <= 0:
        return
    item = RateLimitItemPerMinute(per_minute)
    key = f"sign-in:{_context_key(ctx)}:{origin or '-'}"
    if not _LIMITER.hit(item, key):
        reset_at, _remaining = _LIMITER.get_window_stats(item, key)
        seconds = max(1, int(reset_at - time.time()))
        raise TooManyAttempts("too many sign-in attempts from this address; wait a minute and try again", seconds)


def _context_key(ctx: ServiceContext) -> str:
    """One window per application context (tests run many apps in one process; ids get reused)."""
    key = getattr(ctx, "_sign_in_rate_key", None)
    if key is None:
        key = uuid.uuid4().hex
        setattr(ctx, "_sign_in_rate_key", key)  # noqa: B010 - not a field of the dataclass
    return str(key)
