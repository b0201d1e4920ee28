"""An escape corpus for the script sandbox: every attempt is refused when the process is deployed,
or stopped with ScriptLimitExceeded within a second when it runs; afterwards scripts run normally.

Attempts cover imports, dunder and frame tricks, unavailable builtins, format-string attribute
access, endless loops (also ones that try to catch the stop), recursion, memory bombs in one step
and in a loop, and task data that is too large, circular or exponentially shared.
"""

from __future__ import annotations

import decimal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from trajectflow.engine.sandbox_limits import current_limits, limits_from_env, set_limits
from trajectflow.engine.scripting import (
    RestrictedEnvironment,
    ScriptLimitExceeded,
    check_expression,
    check_script,
)

ENV = RestrictedEnvironment()
TIME_LIMIT = 0.3
QUICKLY = 1.5  # seconds: the time limit plus room for a busy machine


@dataclass(frozen=True)
class Attempt:
    name: str
    source: str
    expression: bool = False  # a gateway condition or timer expression rather than a script task


CORPUS = [
    # imports
    Attempt("import", "import os"),
    Attempt("import submodule", "import os.path as p"),
    Attempt("from import", "from os import system"),
    Attempt("from subprocess", "from subprocess import run\nrun('ls')"),
    Attempt("importlib", "import importlib\nm = importlib.import_module('os')"),
    Attempt("__import__", "m = __import__('os')"),
    Attempt("__import__ expression", "__import__('os').system('ls')", expression=True),
    Attempt("relative import", "from . import scripting"),
    Attempt("module of an allowed module", "from datetime import sys"),
    Attempt("attribute of an allowed module", "import datetime\nm = datetime.sys"),
    Attempt("statistics internals", "import statistics\nr = statistics.random"),
    Attempt("decimal context", "import decimal\nc = decimal.getcontext()"),
    # dunders, introspection, unavailable builtins
    Attempt("__class__.__mro__", "x = ().__class__.__mro__"),
    Attempt("__subclasses__", "x = ''.__class__.__mro__[1].__subclasses__()"),
    Attempt("__globals__", "def f():\n    pass\ng = f.__globals__"),
    Attempt("__builtins__", "o = __builtins__['open']"),
    Attempt("mro()", "b = Exception.mro()[1]"),
    Attempt("getattr", "x = getattr((), '__class__')"),
    Attempt("getattr computed name", "n = '__cla' + 'ss__'\nx = getattr(1, n)"),
    Attempt("vars()", "x = vars()"),
    Attempt("globals()", "x = globals()"),
    Attempt("locals()", "x = locals()"),
    Attempt("dir()", "x = dir(math)"),
    Attempt("open", "x = open('/etc/passwd').read()"),
    Attempt("exec", "exec('import os')"),
    Attempt("eval", "x = eval('1 + 1')"),
    Attempt("compile", "x = compile('1', 'f', 'eval')"),
    Attempt("type()", "A = type('A', (), {})"),
    Attempt("format attribute access", "x = '{0.__class__}'.format(1)"),
    Attempt("format expression", "'{0.__class__.__mro__}'.format(1)", expression=True),
    Attempt("str.format unbound", "x = str.format('{0.__class__}', 1)"),
    Attempt("format_map", "x = '{a.__class__}'.format_map({'a': 1})"),
    Attempt("generator gi_frame", "def g():\n    yield 1\nf = g().gi_frame"),
    Attempt("frame f_back", "def g():\n    yield 1\nit = g()\nfor v in it:\n    f = it.gi_frame.f_back.f_globals"),
    Attempt("traceback frame", "try:\n    1 / 0\nexcept Exception as e:\n    t = e.__traceback__.tb_frame"),
    Attempt("iter(callable, sentinel)", "x = sum(iter(int, 1))"),
    Attempt("change data in an expression", "dossier.append(1) or True", expression=True),
    # endless loops and recursion
    Attempt("while True", "while True:\n    pass"),
    Attempt(
        "loop catching the stop",
        "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass",
    ),
    Attempt("bare except", "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass"),
    Attempt(
        "except BaseException name error",
        "while True:\n    try:\n        try:\n            while True:\n                pass\n"
        "        except BaseException:\n            pass\n    except Exception:\n        pass",
    ),
    Attempt("finally", "try:\n    while True:\n        pass\nfinally:\n    x = 1"),
    Attempt("endless comprehension", "max(x for x in range(10**6) for y in range(10**6))", expression=True),
    Attempt("deep recursion", "def f(n):\n    return f(n + 1)\nf(0)"),
    Attempt(
        "recursion catching RecursionError",
        "def f(n):\n    try:\n        return f(n + 1)\n    except Exception:\n        return f(n + 1)\nf(0)",
    ),
    Attempt("lambda recursion", "(lambda f: f(f))(lambda f: f(f))", expression=True),
    Attempt("exponential recursion", "def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nx = f(200)"),
    # memory bombs
    Attempt("str * n", "x = 'a' * 10**10"),
    Attempt("list * n", "x = [0] * 10**10"),
    Attempt("n * list expression", "len(10**10 * [0])", expression=True),
    Attempt("int power", "x = 10 ** 10**8"),
    Attempt("pow()", "x = pow(10, 10**8)"),
    Attempt("shift", "x = 1 << 10**10"),
    Attempt("doubling +=", "x = 'a'\nwhile True:\n    x += x"),
    Attempt("doubling +", "x = ['a']\nwhile True:\n    x = x + x"),
    Attempt("list(range(n))", "x = list(range(10**10))"),
    Attempt("sum(range(n))", "sum(range(10**12))", expression=True),
    Attempt("ljust", "x = 'x'.ljust(10**10)"),
    Attempt("str.zfill unbound", "x = str.zfill('1', 10**10)"),
    Attempt("expandtabs", "x = ('\\t' * 1000).expandtabs(10**8)"),
    Attempt("replace", "s = 'a' * 1000000\nx = s.replace('a', s)"),
    Attempt("join", "s = 'a' * 1000000\nx = s.join(['b'] * 1000000)"),
    Attempt("translate", "s = 'a' * 1000000\nx = s.translate({97: s})"),
    Attempt("bytearray", "x = bytearray(10**10)"),
    Attempt("bytes", "x = bytes(10**10)"),
    Attempt("f-string width", "x = f'{1:>10000000000}'"),
    Attempt("% width", "x = '%10000000000d' % 1"),
    Attempt("% star width", "x = '%*d' % (10**10, 1)"),
    Attempt("sum of lists", "b = [0] * 1000000\nx = sum([b] * 1000, [])"),
    Attempt("list grown from C", "a = [1]\nx = list(map(a.append, a))"),
    Attempt("Decimal arithmetic to int", "x = int(Decimal(10) ** 999998)"),
    Attempt("Decimal literal to int", "x = int(Decimal('1e999999'))"),
    Attempt("factorial", "x = math.factorial(10**6)"),
    Attempt("prod", "x = math.prod(range(1, 10**6))"),
    Attempt("memory in a loop", "x = [[0] * 1000000 for _ in range(100000)]"),
    # task data
    Attempt("huge task data", "x = ['a' * 1000] * 2000"),
    Attempt("exponentially shared data", "a = [1]\nfor i in range(80):\n    a = [a, a]\nx = a"),
    Attempt("circular data", "a = []\na.append(a)\nx = a"),
    Attempt("huge data changed in place", "dossier.extend(['a' * 900000] * 2)"),
]


@pytest.fixture
def short_time_limit() -> Iterator[None]:
    previous = set_limits(replace(current_limits(), time_seconds=TIME_LIMIT))
    yield
    set_limits(previous)


def outcome(attempt: Attempt) -> tuple[str, str]:
    """("refused" | "stopped" | "escaped", detail) for one attempt."""
    refusal = check_expression(attempt.source) if attempt.expression else check_script(attempt.source)
    if refusal:
        return "refused", refusal
    data: dict[str, Any] = {"dossier": [], "melding": "2026-03-02"}
    started = time.monotonic()
    try:
        if attempt.expression:
            ENV.evaluate(attempt.source, data)
        else:
            ENV.execute(attempt.source, data)
    except ScriptLimitExceeded as err:
        took = time.monotonic() - started
        return ("stopped", str(err)) if took < QUICKLY else ("escaped", f"stopped only after {took:.1f} s: {err}")
    except Exception as err:  # noqa: BLE001 - anything else means the sandbox did not say no itself
        return "escaped", f"{type(err).__name__}: {err}"
    return "escaped", f"ran to the end; data {sorted(data)}"


@pytest.mark.parametrize("attempt", CORPUS, ids=[a.name for a in CORPUS])
def test_escape_attempt_is_blocked(attempt: Attempt, short_time_limit: None) -> None:
    result, detail = outcome(attempt)
    assert result in {"refused", "stopped"}, f"{attempt.name}: {detail}"


def test_the_whole_corpus_is_blocked_and_the_sandbox_works_afterwards(
    short_time_limit: None, capsys: pytest.CaptureFixture[str]
) -> None:
    tracer, context, threads = sys.gettrace(), decimal.getcontext(), threading.active_count()
    results = {attempt.name: outcome(attempt) for attempt in CORPUS}
    escaped = {name: detail for name, (result, detail) in results.items() if result == "escaped"}
    with capsys.disabled():
        print(
            f"\nsandbox escape corpus: {len(CORPUS)} attempts, {len(CORPUS) - len(escaped)} blocked, "
            f"{len(escaped)} escaped"
        )
    assert not escaped
    assert len(CORPUS) >= 30
    # Nothing is left behind: no tracer, the thread's Decimal context, no extra threads.
    assert (sys.gettrace(), decimal.getcontext(), threading.active_count()) == (tracer, context, threads)
    data = {"uren": [4, 8], "tarief": decimal.Decimal("12.50")}
    ENV.execute("import math\nfrom decimal import Decimal\ntotaal = sum(uren) * tarief\nwortel = math.isqrt(81)", data)
    assert data["totaal"] == decimal.Decimal("150.00") and data["wortel"] == 9
    assert ENV.evaluate("totaal > 100 and len(uren) == 2", data) is True


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import os", "import of 'os' is not allowed; allowed: datetime, decimal, math, statistics"),
        ("from datetime import sys", "'sys' is not available from module 'datetime'"),
        ("try:\n    x = 1\nfinally:\n    x = 2", "try ... finally is not allowed in scripts"),
        ("x = Exception.mro()", "access to attribute 'mro' is not allowed in scripts"),
    ],
)
def test_refusals_say_what_is_not_allowed(source: str, message: str) -> None:
    assert message in (check_script(source) or "")


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("while True:\n    pass", f"script exceeded the time limit of {TIME_LIMIT:g} s"),
        ("x = 'a' * 10**10", "a sequence of 10000000000 items is over the size limit of 1000000"),
        ("x = 10 ** 10**8", "an integer of about 332192809 bits is over the limit of 100000 bits"),
        ("def f(n):\n    return f(n + 1)\nf(0)", "script recursion went too deep"),
        ("x = ['a' * 1000] * 2000", "task data is larger than the limit of 1048576 bytes"),
        ("x = open('/etc/passwd')", "'open' is not available in scripts"),
        ("x = [[0] * 1000000 for _ in range(100000)]", "script "),
    ],
)
def test_limits_say_which_limit_was_exceeded(script: str, message: str, short_time_limit: None) -> None:
    with pytest.raises(ScriptLimitExceeded, match="^" + message.replace("(", r"\(").replace("*", r"\*")):
        ENV.execute(script, {})


def test_a_memory_bomb_in_a_loop_is_stopped_by_the_memory_limit() -> None:
    previous = set_limits(replace(current_limits(), time_seconds=30, memory_bytes=64 * 1024 * 1024))
    try:
        started = time.monotonic()
        with pytest.raises(ScriptLimitExceeded, match="script used more than 64 MiB of memory"):
            ENV.execute("x = [[0] * 1000000 for _ in range(100000)]", {})
        assert time.monotonic() - started < 10
    finally:
        set_limits(previous)


def test_the_time_limit_works_in_any_thread(short_time_limit: None) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            ENV.execute("x = 0\nwhile True:\n    x += 1", {})
        except BaseException as err:  # noqa: BLE001 - handed to the test thread
            errors.append(err)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], ScriptLimitExceeded)
    assert "time limit" in str(errors[0])


def test_too_large_data_is_not_kept_in_the_task() -> None:
    data: dict[str, Any] = {"dossier": ["klein"], "teller": 1}
    with pytest.raises(ScriptLimitExceeded, match="task data is larger than"):
        ENV.execute("teller = 2\nnieuw = 'x' * 900000\ndossier.extend(['y' * 900000] * 2)", data)
    # New names are not stored; a value changed in place past the limit is dropped.
    assert data == {"teller": 1}
    data = {"dossier": [], "teller": 1}
    with pytest.raises(ZeroDivisionError):
        ENV.execute("a = [1]\nfor i in range(80):\n    a = [a, a]\ndossier.append(a)\n1 / 0", data)
    assert data == {"teller": 1}


def test_the_limits_come_from_the_environment() -> None:
    assert limits_from_env({}).time_seconds == 2 and limits_from_env({}).data_bytes == 1024 * 1024
    limits = limits_from_env({"TRAJECTFLOW_SCRIPT_TIME_LIMIT": "0.5", "TRAJECTFLOW_SCRIPT_DATA_LIMIT": "2048"})
    assert (limits.time_seconds, limits.data_bytes) == (0.5, 2048)
    with pytest.raises(ValueError, match="TRAJECTFLOW_SCRIPT_TIME_LIMIT must be a number of seconds above 0"):
        limits_from_env({"TRAJECTFLOW_SCRIPT_TIME_LIMIT": "twee"})
    with pytest.raises(ValueError, match="TRAJECTFLOW_SCRIPT_DATA_LIMIT"):
        limits_from_env({"TRAJECTFLOW_SCRIPT_DATA_LIMIT": "0"})


def test_allowed_modules_and_normal_scripts_work() -> None:
    data: dict[str, Any] = {"bedragen": [10, 20, 30], "tekst": "a,b"}
    ENV.execute(
        "import datetime\nimport statistics\nfrom decimal import Decimal, ROUND_HALF_UP\n"
        "from datetime import date, timedelta\n"
        "gemiddeld = statistics.mean(bedragen)\n"
        "dag = date(2026, 3, 2) + timedelta(days=14)\n"
        "nu = datetime.date(2026, 1, 1)\n"
        "bedrag = Decimal('2.675').quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)\n"
        "delen = tekst.split(',')\n"
        "regel = f'{gemiddeld:>8.2f}|' + 'ab'.ljust(4, '.') + '%05d' % 42\n"
        "try:\n    x = 1 / 0\nexcept:\n    x = 0\n"
        "hoogste = max(*bedragen)\n"
        "kwadraten = {n: n ** 2 for n in range(4)}\n"
        "samen = ' '.join(str(b) for b in bedragen)\n",
        data,
    )
    assert data["gemiddeld"] == 20 and data["x"] == 0 and data["hoogste"] == 30
    assert data["bedrag"] == decimal.Decimal("2.68") and data["regel"] == "   20.00|ab..00042"
    assert data["kwadraten"] == {0: 0, 1: 1, 2: 4, 3: 9} and data["samen"] == "10 20 30"
    assert isinstance(data["bedrag"], decimal.Decimal)
    assert "datetime" not in data and "statistics" not in data  # modules are not task data
    assert ENV.evaluate("isinstance(bedrag, Decimal) and dag.month == 3", data) is True
