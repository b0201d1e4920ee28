"""The RestrictedPython sandbox that runs designers' scripts, conditions and timer expressions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from trajectflow.engine.scripting import (
    RestrictedEnvironment,
    ScriptLimitExceeded,
    check_expression,
    check_script,
    evaluate_in_sandbox,
)

ENV = RestrictedEnvironment()


def run(script: str, data: dict[str, Any]) -> dict[str, Any]:
    context = dict(data)
    ENV.execute(script, context)
    return context


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "import os.path as p",
        "from os import system",
        "from subprocess import run\nrun('ls')",
        "x = ().__class__",
        "x = ''.__class__.__mro__[1].__subclasses__()",
        "x = {}.__dict__",
        "_secret = 1",
        "def f():\n    return __import__('os')\n",
    ],
)
def test_dangerous_scripts_are_rejected_before_they_run(script: str) -> None:
    message = check_script(script)
    assert message is not None, script
    with pytest.raises(SyntaxError):
        run(script, {})


def test_import_is_refused_with_a_clear_message() -> None:
    assert "import" in (check_script("import os") or "")
    assert "__class__" in (check_expression("x.__class__") or "")


@pytest.mark.parametrize(
    ("script", "error"),
    [
        ("f = open('/etc/passwd')", ScriptLimitExceeded),
        ("x = __import__('os')", SyntaxError),
        ("x = eval('1')", SyntaxError),
        ("x = getattr((), '__class__')", ScriptLimitExceeded),
        ("x = exec('y = 1')", SyntaxError),
        ("x = compile('1', 'f', 'eval')", ScriptLimitExceeded),
        ("x = globals()", ScriptLimitExceeded),
        ("x = vars()", ScriptLimitExceeded),
        ("x = type(date)", ScriptLimitExceeded),
    ],
)
def test_unsafe_builtins_are_unavailable(script: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        run(script, {"date": date})


def test_objects_other_than_dicts_and_lists_cannot_be_modified() -> None:
    class Thing:
        name = "a"

    with pytest.raises(TypeError):
        run("thing.name = 'b'", {"thing": Thing()})
    assert Thing.name == "a"


def test_arithmetic_and_data_changes_work() -> None:
    result = run(
        "total = sum(uren) * tarief\n"
        "teller += 1\n"
        "dossier['status'] = 'open'\n"
        "dossier['notities'].append('gesprek')\n"
        "lijst[0] = lijst[0] * 2\n"
        "del weg\n"
        "hoog = max(uren) if uren else 0\n"
        "paren = [(k, v) for k, v in sorted(dossier.items()) if k != 'notities']\n",
        {
            "uren": [4, 8],
            "tarief": Decimal("12.50"),
            "teller": 1,
            "dossier": {"notities": []},
            "lijst": [3],
            "weg": True,
        },
    )
    assert result["total"] == Decimal("150.00")
    assert result["teller"] == 2
    assert result["dossier"] == {"notities": ["gesprek"], "status": "open"}
    assert result["lijst"] == [6] and "weg" not in result and result["hoog"] == 8
    assert result["paren"] == [("status", "open")]


def test_helpers_for_dates_and_maths_are_available() -> None:
    result = run(
        "dag = melding + timedelta(days=14)\nwortel = math.sqrt(16)\nheel = int(Decimal('2.7'))",
        {"melding": date(2026, 3, 2)},
    )
    assert result["dag"] == date(2026, 3, 16) and result["wortel"] == 4 and result["heel"] == 2
    assert "math" not in result and "timedelta" not in result


def test_expressions_evaluate_against_data() -> None:
    assert evaluate_in_sandbox("ladder_trede >= 5 and not schulden", {"ladder_trede": 5, "schulden": False})
    assert ENV.evaluate("'P' + str(weken * 7) + 'D'", {"weken": 2}) == "P14D"
    assert check_expression("teller <") is not None
    with pytest.raises(NameError):
        evaluate_in_sandbox("onbekend + 1", {})


def test_a_failing_script_reports_its_error() -> None:
    with pytest.raises(ZeroDivisionError):
        run("x = 1 / nul", {"nul": 0})
