"""Sandboxed script and expression evaluation for BPMN scripts, conditions, timers and DMN.

SpiffWorkflow's default environment runs designers' code with plain `exec`, so `import os` works.
Here every script is compiled by RestrictedPython: no imports, no dunder/underscore attribute access,
only a small set of builtins.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
from functools import lru_cache
from types import ModuleType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

_EXTRA_BUILTINS = {
    name: getattr(__builtins__, name, None) if not isinstance(__builtins__, dict) else __builtins__[name]
    for name in (
        "all",
        "any",
        "dict",
        "enumerate",
        "filter",
        "list",
        "map",
        "max",
        "min",
        "reversed",
        "sum",
        "set",
        "frozenset",
        "sorted",
        "zip",
    )
}


def _inplace(op: str, x: Any, y: Any) -> Any:
    operations = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
        "**=": lambda a, b: a**b,
        "|=": lambda a, b: a | b,
        "&=": lambda a, b: a & b,
    }
    if op not in operations:
        raise SyntaxError(f"operator {op} is not allowed in scripts")
    return operations[op](x, y)


def _write_guard(obj: Any) -> Any:
    # Scripts may change task data (dicts and lists), nothing else.
    if isinstance(obj, dict | list):
        return obj
    raise TypeError(f"scripts may not modify objects of type {type(obj).__name__}")


def _sandbox_globals() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(_EXTRA_BUILTINS)
    return {
        "__builtins__": builtins,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": _write_guard,
        "_inplacevar_": _inplace,
        "math": math,
        "date": _dt.date,
        "datetime": _dt.datetime,
        "timedelta": _dt.timedelta,
        "Decimal": decimal.Decimal,
    }


_SANDBOX = _sandbox_globals()
_SANDBOX_NAMES = frozenset(_SANDBOX)


class ScriptRejected(SyntaxError):
    """A script uses something the sandbox forbids (imports, private attributes…)."""


class _NoImports(RestrictingNodeTransformer):
    """RestrictedPython compiles `import` and only fails it when the script runs; we refuse it at deploy."""

    def visit_Import(self, node: Any) -> Any:
        self.error(node, "imports are not allowed in scripts")
        return node

    visit_ImportFrom = visit_Import


@lru_cache(maxsize=4096)
def _compile_eval(expression: str) -> Any:
    result = compile_restricted_eval(expression.strip(), policy=_NoImports)
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=1024)
def _compile_exec(script: str) -> Any:
    result = compile_restricted_exec(script, policy=_NoImports)
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    return result.code


def check_expression(expression: str) -> str | None:
    """Return an error message when `expression` does not compile in the sandbox."""
    return _compile_error(_compile_eval, expression)


def check_script(script: str) -> str | None:
    """Return an error message when `script` does not compile in the sandbox."""
    return _compile_error(_compile_exec, script)


def _compile_error(compile_source: Any, source: str) -> str | None:
    try:
        compile_source(source)
    except SyntaxError as err:
        return str(err)
    return None


def evaluate_in_sandbox(expression: str, data: dict[str, Any]) -> Any:
    scope = dict(_SANDBOX)
    scope.update(data)
    return eval(_compile_eval(expression), scope)  # noqa: S307 - restricted bytecode


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts on task data inside the RestrictedPython sandbox."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        scope = dict(_SANDBOX)
        scope.update(external_context or {})
        scope.update(context)
        return eval(_compile_eval(expression), scope)  # noqa: S307 - restricted bytecode

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        scope = dict(_SANDBOX)
        scope.update(external_context or {})
        scope.update(context)
        exec(_compile_exec(script), scope)  # noqa: S102 - restricted bytecode
        external = external_context or {}
        for key in list(context):
            if key not in scope:
                del context[key]
        for key, value in scope.items():
            builtin_name = key in _SANDBOX_NAMES and scope[key] is _SANDBOX[key]
            if builtin_name or key in external or callable(value) or isinstance(value, ModuleType):
                continue
            context[key] = value
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        raise NotImplementedError("service tasks are not supported")


def create_script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment())
