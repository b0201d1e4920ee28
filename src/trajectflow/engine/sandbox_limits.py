"""How much one sandboxed script or expression may do: time, memory, sizes, task data.

RestrictedPython decides what a script may *name*; these limits decide how much it may *do*. Every
run goes through `run_limited`. Its `RunBudget` is consulted at every loop step and function call
of the script (the policy compiles those calls in), and stops a run that passes its time limit or
during which the process's resident memory grows past the memory limit; it runs in the script's
own thread, so it works in any thread, unlike `signal.alarm`. Deep recursion ends in Python's own
RecursionError, which is reported like a limit. Decimal arithmetic runs in a context with bounded
exponents. The guards in `sandbox_guards` stop single operations that would build something huge
in one step: C code cannot be interrupted.

A limit stops the run by raising `SandboxStop`, a BaseException: scripts cannot name BaseException,
bare `except:` is rewritten to `except Exception:`, except clauses let a stop pass unevaluated and
`finally:` is refused at compile time, so no script code runs after a stop. At the boundary the
stop becomes `ScriptLimitExceeded`, an ordinary exception that SpiffWorkflow turns into an errored
task.

Two limits come from the environment, read once here (the engine layer does not import the app's
settings): `TRAJECTFLOW_SCRIPT_TIME_LIMIT` (seconds, default 2) and `TRAJECTFLOW_SCRIPT_DATA_LIMIT`
(bytes of JSON task data after a script, default 1 MiB). `set_limits` changes them for a process.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

TIME_LIMIT_ENV = "TRAJECTFLOW_SCRIPT_TIME_LIMIT"
DATA_LIMIT_ENV = "TRAJECTFLOW_SCRIPT_DATA_LIMIT"
MiB = 1024 * 1024
MEMORY_CHECK_INTERVAL = 0.001  # seconds

T = TypeVar("T")


@dataclass(frozen=True)
class SandboxLimits:
    time_seconds: float = 2.0
    data_bytes: int = MiB
    memory_bytes: int = 256 * MiB  # growth of the process's resident memory during one run
    size: int = 1_000_000  # items or characters of one sequence built by an operator, method or range()
    int_bits: int = 100_000  # an integer built by *, **, << or math.factorial & co.
    decimal_digits: int = 10_000  # digits and exponent of a Decimal
    format_width: int = 10_000  # widths and precisions in f-string and % format specs
    data_depth: int = 100  # nesting of lists and dicts in task data


class ScriptLimitExceeded(Exception):
    """A script or expression went past a sandbox limit or tried something the sandbox forbids."""


class SandboxStop(BaseException):
    """Raised inside a run to end it; a BaseException so that no `except Exception` in a script catches it."""


def limits_from_env(env: Mapping[str, str] | None = None) -> SandboxLimits:
    """The limits with `TRAJECTFLOW_SCRIPT_TIME_LIMIT` and `TRAJECTFLOW_SCRIPT_DATA_LIMIT` applied."""
    env = os.environ if env is None else env
    seconds = _positive(env, TIME_LIMIT_ENV, float, "a number of seconds", SandboxLimits.time_seconds)
    data = _positive(env, DATA_LIMIT_ENV, int, "a number of bytes", SandboxLimits.data_bytes)
    return SandboxLimits(time_seconds=seconds, data_bytes=data)


def _positive(env: Mapping[str, str], name: str, kind: Callable[[str], Any], what: str, default: Any) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not value > 0:
        raise ValueError(f"{name} must be {what} above 0, not {raw!r}")
    return value


_limits = limits_from_env()


def current_limits() -> SandboxLimits:
    return _limits


def set_limits(limits: SandboxLimits) -> SandboxLimits:
    """Replace the limits for every later run (the app or a test); returns the previous ones."""
    global _limits
    previous, _limits = _limits, limits
    return previous


def run_limited(run: Callable[[Any, dict[str, Any]], T], code: Any, scope: dict[str, Any], what: str) -> T:
    """`run(code, scope)` (the builtin eval or exec of sandboxed code) under the current limits.

    `what` ("script" or "expression") names the code in messages. Raises ScriptLimitExceeded when
    a limit stops the run, with the traceback of the stop so that the failing script line is known.
    """
    limits = _limits
    budget = RunBudget(limits, what)
    scope["_tick_"] = budget.tick
    scope["_getiter_"] = budget.iterate
    context = decimal.getcontext()
    decimal.setcontext(_decimal_context(limits))
    outer, _running.budget = _running.budget, budget
    try:
        return run(code, scope)
    except SandboxStop as stop:
        raise ScriptLimitExceeded(str(stop)).with_traceback(stop.__traceback__) from None
    except RecursionError as err:
        message = f"{what} recursion went too deep"
        raise ScriptLimitExceeded(message).with_traceback(err.__traceback__) from None
    except MemoryError as err:
        raise ScriptLimitExceeded(f"{what} ran out of memory").with_traceback(err.__traceback__) from None
    except decimal.Overflow as err:
        message = f"a Decimal result beyond the exponent limit of ±{limits.decimal_digits}"
        raise ScriptLimitExceeded(message).with_traceback(err.__traceback__) from None
    finally:
        _running.budget = outer
        decimal.setcontext(context)


def tick() -> None:
    """For loops in the guards over what a script passed in: check the running run's budget."""
    budget = _running.budget
    if budget is not None:
        budget.tick()


class RunBudget:
    """The time and memory one run may use, checked at every loop step and function call.

    `sandbox_policy` puts a `_tick_()` call at the top of every `while` body, function and lambda
    of a script, and every `for` and comprehension goes through `iterate` (RestrictedPython's
    `_getiter_`). So all script code that can run long passes here often, and a stop raised here is
    an ordinary raise in the script's own thread. A trace function (`sys.settrace`) would see more,
    but made plain scripts ten times slower; an exception sent in from a watchdog thread
    (PyThreadState_SetAsyncExc) can arrive just after the run, in the engine's code.
    """

    __slots__ = ("limits", "what", "deadline", "next_check", "memory_baseline")

    def __init__(self, limits: SandboxLimits, what: str) -> None:
        self.limits = limits
        self.what = what
        now = time.monotonic()
        self.deadline = deadline = now + limits.time_seconds
        # Reading /proc costs a few microseconds: not for runs that end within a millisecond.
        self.next_check = now + MEMORY_CHECK_INTERVAL if limits.time_seconds > MEMORY_CHECK_INTERVAL else deadline
        self.memory_baseline: int | None = None

    def tick(self) -> None:
        if time.monotonic() > self.next_check:
            self.check()

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        tick = self.tick
        for item in iterable:
            tick()
            yield item

    def check(self) -> None:
        now = time.monotonic()
        if now > self.deadline:
            raise SandboxStop(f"{self.what} exceeded the time limit of {self.limits.time_seconds:g} s")
        self.next_check = min(now + MEMORY_CHECK_INTERVAL, self.deadline)
        resident = _resident_bytes()
        if resident is None:
            self.next_check = self.deadline
        elif self.memory_baseline is None:
            self.memory_baseline = resident
        elif resident - self.memory_baseline > self.limits.memory_bytes:
            raise SandboxStop(f"{self.what} used more than {self.limits.memory_bytes // MiB} MiB of memory")


class _Running(threading.local):
    budget: RunBudget | None = None


_running = _Running()


class _DecimalContexts(threading.local):
    limit = 0
    context = decimal.Context()


_decimal_contexts = _DecimalContexts()


def _decimal_context(limits: SandboxLimits) -> decimal.Context:
    """The default context with exponents bounded, so Decimal arithmetic cannot make 1E+999999
    (whose int() takes half a minute of uninterruptible C). One per thread: runs set its flags."""
    cached = _decimal_contexts
    if cached.limit != limits.decimal_digits:
        cached.context = decimal.Context(Emax=limits.decimal_digits, Emin=-limits.decimal_digits)
        cached.limit = limits.decimal_digits
    return cached.context


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident_bytes() -> int | None:
    """Resident memory of this process (Linux); None where /proc is not there."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
    except OSError:
        return None
    try:
        fields = os.read(fd, 128).split()
    finally:
        os.close(fd)
    return int(fields[1]) * _PAGE_SIZE


# -- task data --------------------------------------------------------------------------------------

_FIXED_SIZES: dict[type, int] = {bool: 5, type(None): 4, float: 24}
_SCALARS_BY_STR = (float, complex, decimal.Decimal, _dt.date, _dt.time, _dt.timedelta)


def check_data_size(data: Mapping[str, Any], limits: SandboxLimits, what: str = "task data") -> None:
    """Raise SandboxStop when `data` as JSON would be larger than the data limit.

    Counts roughly the JSON size without building it, and stops counting as soon as the limit is
    passed; a list or dict met twice counts twice (as JSON would write it) but is walked once, so
    a structure of shared parts that would expand to exabytes is measured in microseconds.
    """
    _DataMeasure(limits, what).measure(data, 0)


class _DataMeasure:
    def __init__(self, limits: SandboxLimits, what: str) -> None:
        self.limits, self.what = limits, what
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()

    def measure(self, value: Any, depth: int) -> int:
        kind = type(value)
        if kind is str or kind is bytes:
            return len(value) + 2
        size = _FIXED_SIZES.get(kind)
        if size is not None:
            return size
        if kind is int:
            return value.bit_length() * 3 // 10 + 1
        if isinstance(value, dict | list | tuple | set | frozenset):
            return self.measure_container(value, depth)
        if isinstance(value, _SCALARS_BY_STR):
            return len(str(value)) + 2
        return 16  # not JSON data; storing it fails later with a clear message

    def measure_container(self, value: Any, depth: int) -> int:
        key = id(value)
        known = self.sizes.get(key)
        if known is not None:
            return known
        if key in self.open:
            raise SandboxStop(f"{self.what} contains itself (a circular structure)")
        if depth > self.limits.data_depth:
            raise SandboxStop(f"{self.what} is nested deeper than {self.limits.data_depth} levels")
        self.open.add(key)
        total = 2
        measure, limit, fixed = self.measure, self.limits.data_bytes, _FIXED_SIZES
        # Scalars are counted inline: this runs after every script, on all of its task data.
        if isinstance(value, dict):
            for name, item in value.items():
                total += len(name) + 4 if type(name) is str else measure(name, depth + 1) + 2
                kind = type(item)
                if kind is str:
                    total += len(item) + 2
                elif kind is int:
                    total += item.bit_length() * 3 // 10 + 1
                elif kind in fixed:
                    total += fixed[kind]
                else:
                    total += measure(item, depth + 1)
                if total > limit:
                    self.too_large()
        else:
            for item in value:
                kind = type(item)
                if kind is str:
                    total += len(item) + 3
                elif kind is int:
                    total += item.bit_length() * 3 // 10 + 2
                elif kind in fixed:
                    total += fixed[kind] + 1
                else:
                    total += measure(item, depth + 1) + 1
                if total > limit:
                    self.too_large()
        self.open.discard(key)
        self.sizes[key] = total
        return total

    def too_large(self) -> None:
        raise SandboxStop(f"{self.what} is larger than the limit of {self.limits.data_bytes} bytes")
