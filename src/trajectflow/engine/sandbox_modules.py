"""What sandboxed code can name: its builtins and the allow-listed modules.

`import datetime`, `import decimal`, `import math` and `import statistics` give a copy of the
module's public names only (so `from datetime import sys` finds nothing), with the functions that
could compute something huge in C replaced by checked ones, and without decimal contexts (a script
could otherwise raise the precision for the whole thread). Builtins that a script may not use stay
defined, but calling one stops the script with a message that says so.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import decimal
import math
import statistics
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from RestrictedPython import safe_builtins

from .sandbox_guards import check_bits, guarded_mul, guarded_pow, guarded_range, guarded_sum
from .sandbox_limits import SandboxStop, current_limits, tick

ALLOWED_MODULES = ("datetime", "decimal", "math", "statistics")


def import_refusal(module: str) -> str:
    return f"import of '{module}' is not allowed; allowed: {', '.join(ALLOWED_MODULES)}"


# -- builtins -------------------------------------------------------------------------------------


def _unavailable(name: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise SandboxStop(f"'{name}' is not available in scripts")

    return refuse


# Builtins a script may not use; calling one stops the script with a clear message (a task data
# field of the same name still wins, as globals come before builtins).
_UNAVAILABLE = (
    "open",
    "getattr",
    "hasattr",
    "globals",
    "locals",
    "vars",
    "dir",
    "compile",
    "eval",
    "exec",
    "type",
    "object",
    "super",
    "input",
    "help",
    "iter",
    "memoryview",
    "bytearray",
    "bytes",
    "breakpoint",
    "exit",
    "quit",
)
_EXTRA = (
    *("all", "any", "dict", "enumerate", "filter", "list", "map", "max", "min", "reversed", "set"),
    *("frozenset", "sorted", "zip", "tuple"),
)
# Catching these would catch the sandbox's own stop (or end a server thread).
_WITHHELD = ("BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit")


def sandbox_builtins() -> dict[str, Any]:
    names = {name: _unavailable(name) for name in _UNAVAILABLE}
    names.update(safe_builtins)
    names.update({name: getattr(builtins, name) for name in _EXTRA})
    for name in _WITHHELD:
        names.pop(name, None)
    names.update(range=guarded_range, pow=guarded_pow, sum=guarded_sum, __import__=guarded_import)
    return names


# -- modules --------------------------------------------------------------------------------------


class _DecimalType(type):
    """Makes the sandbox's `Decimal` check what it builds while `isinstance(x, Decimal)` keeps working."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, decimal.Decimal)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, decimal.Decimal)

    def __call__(cls, value: Any = "0", context: Any = None) -> decimal.Decimal:
        return checked_decimal(decimal.Decimal(value))


class Decimal(decimal.Decimal, metaclass=_DecimalType):
    """decimal.Decimal, limited to `decimal_digits` digits and exponent (int() of 1E+999999 takes half a minute)."""


def checked_decimal(number: decimal.Decimal) -> decimal.Decimal:
    if number.is_finite():
        limit = current_limits().decimal_digits
        sign, digits, exponent = number.as_tuple()
        if len(digits) > limit or abs(int(exponent)) > limit:
            raise SandboxStop(f"a Decimal with more than {limit} digits or an exponent beyond ±{limit} is not allowed")
    return number


def _bits_factorial(n: int) -> float:
    return math.lgamma(n + 1) / math.log(2) if n > 1 else 1


def _factorial(n: Any) -> Any:
    if isinstance(n, int):
        check_bits(_bits_factorial(n))
    return math.factorial(n)


def _comb(n: Any, k: Any) -> Any:
    if isinstance(n, int) and isinstance(k, int) and 0 <= k <= n:
        check_bits(_bits_factorial(n) - _bits_factorial(k) - _bits_factorial(n - k))
    return math.comb(n, k)


def _perm(n: Any, k: Any = None) -> Any:
    if isinstance(n, int) and (k is None or isinstance(k, int)):
        taken = n if k is None else k
        if 0 <= taken <= n:
            check_bits(_bits_factorial(n) - _bits_factorial(n - taken))
    return math.perm(n, k)


def _lcm(*numbers: Any) -> Any:
    result = 1
    for number in numbers:
        tick()
        result = math.lcm(result, number)
        check_bits(result.bit_length())
    return result


def _prod(items: Iterable[Any], *, start: Any = 1) -> Any:
    result = start
    for item in items:
        tick()
        result = guarded_mul(result, item)
    return result


def _module(name: str, values: dict[str, Any]) -> ModuleType:
    module = ModuleType(name)
    for key, value in values.items():
        setattr(module, key, value)
    return module


def _public(module: ModuleType, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(module, name) for name in names}


_DECIMAL_ERRORS = (
    *("Clamped", "ConversionSyntax", "DecimalException", "DivisionByZero", "DivisionImpossible"),
    *("DivisionUndefined", "FloatOperation", "Inexact", "InvalidContext", "InvalidOperation"),
    *("Overflow", "Rounded", "Subnormal", "Underflow"),
)

# What `import x` gives a script: the public names only, so `from datetime import sys` finds nothing,
# and no decimal contexts (a script could otherwise set a huge precision for the whole thread).
MODULES: dict[str, ModuleType] = {
    "datetime": _module(
        "datetime",
        _public(_dt, ("date", "datetime", "time", "timedelta", "timezone", "tzinfo", "UTC", "MINYEAR", "MAXYEAR")),
    ),
    "decimal": _module(
        "decimal",
        {
            "Decimal": Decimal,
            **_public(decimal, [n for n in dir(decimal) if n.startswith("ROUND_")]),
            **_public(decimal, _DECIMAL_ERRORS),
        },
    ),
    "math": _module(
        "math",
        {
            **_public(math, [n for n in dir(math) if not n.startswith("_")]),
            "factorial": _factorial,
            "comb": _comb,
            "perm": _perm,
            "lcm": _lcm,
            "prod": _prod,
        },
    ),
    "statistics": _module("statistics", _public(statistics, statistics.__all__)),
}


_EXPORTS = {name: frozenset(key for key in vars(module) if not key.startswith("_")) for name, module in MODULES.items()}


def module_exports(module: str) -> frozenset[str]:
    return _EXPORTS[module]


def guarded_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    if level != 0 or name not in MODULES:
        raise SandboxStop(import_refusal(name))
    module = MODULES[name]
    for wanted in fromlist or ():
        if wanted not in module_exports(name):
            raise SandboxStop(f"'{wanted}' is not available from module '{name}'")
    return module
