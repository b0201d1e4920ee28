"""The run-time guards of sandboxed code: operators, big methods, attribute access, except clauses.

The time limit is looked at between Python-level steps, so one C-level operation cannot be stopped
once it runs; everything that can build something huge in a single step checks the size of its
result first (see `SandboxLimits`):
- `a * b`, `a + b`, `a ** b`, `a << b`, `a % b` (rewritten into calls by `sandbox_policy`), the same
  in-place operators, `pow()`, `sum()` with a list or string start, `range()`;
- the str/bytes methods ljust, rjust, center, zfill, expandtabs, replace, join and translate;
- list.append/extend/insert, which also become Python calls, so `map(lst.append, lst)` is a
  Python loop that the limits see instead of a list growing forever inside C;
- f-string format specs and `%` formatting (widths and precisions);
- (in `sandbox_modules`) Decimal values and math.factorial/comb/perm/lcm/prod.
Not covered: one built-in operation that walks a structure of shared parts (`str()`, `==` or
`hash()` of a list that holds the same list many times over); the time limit is only looked at
again after it returns.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from RestrictedPython.Guards import safer_getattr

from .sandbox_limits import SandboxStop, current_limits, tick

DENIED_ATTRIBUTES = frozenset({"mro", "format", "format_map"})  # besides RestrictedPython's own list
_SEQUENCES = (str, bytes, bytearray, list, tuple)


# -- operators ------------------------------------------------------------------------------------


def check_size(count: int, what: str = "a sequence") -> None:
    limit = current_limits().size
    if count > limit:
        raise SandboxStop(f"{what} of {count} items is over the size limit of {limit}")


def check_bits(bits: float) -> None:
    limit = current_limits().int_bits
    if bits > limit:
        raise SandboxStop(f"an integer of about {int(bits)} bits is over the limit of {limit} bits")


def guarded_add(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        check_size(len(a) + len(b))
    return a + b


def guarded_mul(a: Any, b: Any) -> Any:
    if isinstance(a, int):
        if isinstance(b, int):
            bits = a.bit_length() + b.bit_length()
            if bits > 64:  # the common case, small numbers, without looking up the limit
                check_bits(bits)
        elif isinstance(b, _SEQUENCES):
            check_size(len(b) * a)
    elif isinstance(b, int) and isinstance(a, _SEQUENCES):
        check_size(len(a) * b)
    return a * b


def guarded_pow(a: Any, b: Any, mod: Any = None) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0:
        if mod is None:
            if abs(a) > 1:
                check_bits(b * math.log2(abs(a)))
        elif isinstance(mod, int):
            check_bits(b.bit_length() * max(mod.bit_length(), 1) / 64)
    return pow(a, b) if mod is None else pow(a, b, mod)


def guarded_lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and a and b > 0:
        check_bits(a.bit_length() + b)
    return a << b


# %-directives: flags, then a width and a precision that may be `*` (taken from the arguments).
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?")


def guarded_mod(a: Any, b: Any) -> Any:
    if isinstance(a, str | bytes):
        text = a if isinstance(a, str) else a.decode("latin-1")
        for width, precision in _PERCENT.findall(text):
            for number in (width, precision):
                if number == "*":
                    raise SandboxStop("'*' widths in % formatting are not allowed")
                if number:
                    _check_width(int(number))
    return a % b


def _check_width(number: int) -> None:
    limit = current_limits().format_width
    if number > limit:
        raise SandboxStop(f"a format width or precision of {number} is over the limit of {limit}")


def format_value(value: Any, conversion: int, spec: str) -> str:
    """An f-string field with a format spec: `f'{x!r:>10}'` is `format_value(x, ord('r'), '>10')`."""
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    for number in re.findall(r"\d+", spec):
        _check_width(int(number))
    return format(value, spec)


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": lambda a, b: guarded_add(a, b) if not isinstance(a, list) else _list_extend(a)(b),
    "-=": lambda a, b: a - b,
    "*=": lambda a, b: guarded_mul(a, b),
    "/=": lambda a, b: a / b,
    "//=": lambda a, b: a // b,
    "%=": lambda a, b: guarded_mod(a, b),
    "**=": lambda a, b: guarded_pow(a, b),
    "<<=": lambda a, b: guarded_lshift(a, b),
    "|=": lambda a, b: a | b,
    "&=": lambda a, b: a & b,
}


def guarded_inplace(op: str, a: Any, b: Any) -> Any:
    operation = _INPLACE.get(op)
    if operation is None:
        raise SyntaxError(f"operator {op} is not allowed in scripts")
    return operation(a, b)


# -- builtins -------------------------------------------------------------------------------------


def guarded_range(*args: Any) -> range:
    numbers = range(*args)
    try:
        count = len(numbers)
    except OverflowError:
        count = current_limits().size + 1
    check_size(count, "a range")
    return numbers


def guarded_sum(items: Iterable[Any], start: Any = 0) -> Any:
    if not isinstance(start, _SEQUENCES):
        return sum(items, start)
    total = start
    for item in items:
        tick()
        total = guarded_add(total, item)
    return total


def apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`_apply_`: RestrictedPython routes `f(*args, **kwargs)` through it."""
    return function(*args, **kwargs)


def catchable(types: Callable[[], Any]) -> Any:
    """An `except` clause's classes (`sandbox_policy` wraps them in a lambda).

    While a SandboxStop is on its way out, the clause catches nothing and its expression is not
    even evaluated: a name error there would replace the stop with an exception a script can catch.
    """
    if isinstance(sys.exc_info()[1], SandboxStop):
        return ()
    return types()


# -- attribute access -----------------------------------------------------------------------------


def _padding(method: Callable[..., Any]) -> Callable[..., Any]:
    def padded(width: Any, *rest: Any) -> Any:
        if isinstance(width, int):
            check_size(width, "a string")
        return method(width, *rest)

    return padded


def _expandtabs(text: Any) -> Callable[..., Any]:
    def expandtabs(tabsize: Any = 8) -> Any:
        if isinstance(tabsize, int):
            check_size(len(text) + text.count(b"\t" if isinstance(text, bytes) else "\t") * tabsize, "a string")
        return text.expandtabs(tabsize)

    return expandtabs


def _replace(text: Any) -> Callable[..., Any]:
    def replace(old: Any, new: Any, count: Any = -1) -> Any:
        if isinstance(old, str | bytes) and isinstance(new, str | bytes):
            found = text.count(old) if old else len(text) + 1
            if isinstance(count, int) and count >= 0:
                found = min(found, count)
            check_size(len(text) + found * (len(new) - len(old)), "a string")
        return text.replace(old, new, count)

    return replace


def _join(separator: Any) -> Callable[..., Any]:
    def join(parts: Iterable[Any]) -> Any:
        parts = list(parts)
        check_size(len(parts))
        size = len(separator) * max(len(parts) - 1, 0)
        size += sum(len(part) for part in parts if isinstance(part, str | bytes))
        check_size(size, "a string")
        return separator.join(parts)

    return join


def _translate(text: Any) -> Callable[..., Any]:
    def translate(table: Any) -> Any:
        if isinstance(table, dict):
            longest = max((len(v) for v in table.values() if isinstance(v, str | bytes)), default=1)
            check_size(len(text) * max(longest, 1), "a string")
        return text.translate(table)

    return translate


def _list_append(items: list[Any]) -> Callable[[Any], None]:
    def append(item: Any) -> None:
        check_size(len(items) + 1, "a list")
        items.append(item)

    return append


def _list_extend(items: list[Any]) -> Callable[[Iterable[Any]], list[Any]]:
    def extend(more: Iterable[Any]) -> list[Any]:
        # Materialise first: extending a list with an iterator over itself never ends.
        more = list(more)
        check_size(len(items) + len(more), "a list")
        items.extend(more)
        return items

    return extend


def _list_insert(items: list[Any]) -> Callable[[int, Any], None]:
    def insert(index: int, item: Any) -> None:
        check_size(len(items) + 1, "a list")
        items.insert(index, item)

    return insert


_STRING_METHODS: dict[str, Callable[[Any], Callable[..., Any]]] = {
    "ljust": lambda text: _padding(text.ljust),
    "rjust": lambda text: _padding(text.rjust),
    "center": lambda text: _padding(text.center),
    "zfill": lambda text: _padding(text.zfill),
    "expandtabs": _expandtabs,
    "replace": _replace,
    "join": _join,
    "translate": _translate,
}
_LIST_METHODS: dict[str, Callable[[Any], Callable[..., Any]]] = {
    "append": _list_append,
    "extend": _list_extend,
    "insert": _list_insert,
}
_MUTATORS = frozenset(
    {"append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault", "sort", "reverse"}
    | {"add", "discard", "difference_update", "intersection_update", "symmetric_difference_update"}
)
_MUTABLE = (list, dict, set, bytearray)


def _guard_method(obj: Any, name: str) -> Callable[..., Any] | None:
    if isinstance(obj, str | bytes):
        wrap = _STRING_METHODS.get(name)
        return wrap(obj) if wrap else None
    if isinstance(obj, list):
        wrap = _LIST_METHODS.get(name)
        return wrap(obj) if wrap else None
    guarded_name = name in _STRING_METHODS or name in _LIST_METHODS
    if guarded_name and isinstance(obj, type) and issubclass(obj, str | bytes | list):
        # the unbound form, str.ljust(text, n): guard it on the instance it is given
        return lambda instance, *args, **kwargs: guarded_getattr(instance, name)(*args, **kwargs)
    return None


def guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    """`_getattr_` for scripts: RestrictedPython's checks, the denied names, guarded big methods."""
    if name in DENIED_ATTRIBUTES:
        raise SandboxStop(f"access to attribute '{name}' is not allowed in scripts")
    if isinstance(obj, ModuleType) and (name.startswith("_") or name not in vars(obj)):
        raise SandboxStop(f"'{name}' is not available from module '{obj.__name__}'")
    guarded = _guard_method(obj, name)
    if guarded is not None:
        return guarded
    return safer_getattr(obj, name, default)


def readonly_getattr(obj: Any, name: str, default: Any = None) -> Any:
    """`_getattr_` for expressions (conditions, timers): they read data, they do not change it."""
    if name in _MUTATORS and (isinstance(obj, _MUTABLE) or (isinstance(obj, type) and issubclass(obj, _MUTABLE))):
        raise SandboxStop(f"expressions may not change data ('{name}')")
    return guarded_getattr(obj, name, default)


def write_guard(obj: Any) -> Any:
    # Scripts may change task data (dicts and lists), nothing else.
    if isinstance(obj, dict | list):
        return obj
    raise TypeError(f"scripts may not modify objects of type {type(obj).__name__}")
