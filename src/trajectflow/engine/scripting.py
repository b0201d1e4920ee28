"""Sandboxed script and expression evaluation for BPMN scripts, conditions, timers and DMN.

SpiffWorkflow's default environment runs designers' code with plain `exec`, so `import os` works.
Here every script is compiled by RestrictedPython with trajectflow's policy (`sandbox_policy`: no
imports outside datetime, decimal, math and statistics, no dunder or frame access, size guards on
operators), runs with the builtins and modules of `sandbox_modules` and the guards of
`sandbox_guards`, and under the time, memory and data limits of `sandbox_limits`. A violation
raises ScriptRejected (at compile time, so deploying the process fails) or ScriptLimitExceeded (at
run time, so the task errors).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from functools import lru_cache
from types import ModuleType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import sandbox_guards as guards
from . import sandbox_modules as modules
from .sandbox_limits import (
    SandboxStop,
    ScriptLimitExceeded,
    check_data_size,
    current_limits,
    run_limited,
)
from .sandbox_policy import SandboxPolicy

__all__ = [
    "RestrictedEnvironment",
    "ScriptLimitExceeded",
    "ScriptRejected",
    "check_expression",
    "check_script",
    "create_script_engine",
    "evaluate_in_sandbox",
]


def _sandbox_globals(getattr_guard: Any) -> dict[str, Any]:
    return {
        "__builtins__": modules.sandbox_builtins(),
        "_getattr_": getattr_guard,
        "_getitem_": default_guarded_getitem,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": guards.write_guard,
        "_inplacevar_": guards.guarded_inplace,
        "_add_": guards.guarded_add,
        "_mul_": guards.guarded_mul,
        "_pow_": guards.guarded_pow,
        "_lshift_": guards.guarded_lshift,
        "_mod_": guards.guarded_mod,
        "_format_value_": guards.format_value,
        "_catchable_": guards.catchable,
        "_apply_": guards.apply,
        "math": modules.MODULES["math"],
        "date": _dt.date,
        "datetime": _dt.datetime,
        "timedelta": _dt.timedelta,
        "Decimal": modules.Decimal,
    }


_SCRIPT_GLOBALS = _sandbox_globals(guards.guarded_getattr)
_EXPRESSION_GLOBALS = _sandbox_globals(guards.readonly_getattr)
_SANDBOX_NAMES = frozenset(_SCRIPT_GLOBALS)


class ScriptRejected(SyntaxError):
    """A script uses something the sandbox forbids (imports, private attributes…)."""


@lru_cache(maxsize=4096)
def _compile_eval(expression: str) -> Any:
    result = compile_restricted_eval(expression.strip(), policy=SandboxPolicy)
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=1024)
def _compile_exec(script: str) -> Any:
    result = compile_restricted_exec(script, policy=SandboxPolicy)
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


def evaluate_in_sandbox(expression: str, data: Mapping[str, Any]) -> Any:
    return _evaluate(expression, data, None)


def _evaluate(expression: str, data: Mapping[str, Any], external: Mapping[str, Any] | None) -> Any:
    code = _compile_eval(expression)
    scope = dict(_EXPRESSION_GLOBALS)
    if external:
        scope.update(external)
    scope.update(data)
    return run_limited(eval, code, scope, "expression")


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts on task data inside the RestrictedPython sandbox."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        return _evaluate(expression, context, external_context)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        code = _compile_exec(script)
        external = external_context or {}
        scope = dict(_SCRIPT_GLOBALS)
        scope.update(external)
        scope.update(context)
        before = dict(context)
        try:
            run_limited(exec, code, scope, "script")
        except BaseException:
            _undo_if_too_large(context, before)
            raise
        _store_results(scope, context, external)
        try:
            check_data_size(context, current_limits())
        except SandboxStop as stop:
            _undo_if_too_large(context, before)
            raise ScriptLimitExceeded(str(stop)) from None
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        raise NotImplementedError("service tasks are not supported")


def _store_results(scope: dict[str, Any], context: dict, external: Mapping[str, Any]) -> None:
    for key in list(context):
        if key not in scope:
            del context[key]
    for key, value in scope.items():
        builtin_name = key in _SANDBOX_NAMES and value is _SCRIPT_GLOBALS[key]
        if builtin_name or key in external or callable(value) or isinstance(value, ModuleType):
            continue
        context[key] = value


def _undo_if_too_large(context: dict, before: dict[str, Any]) -> None:
    """After a script that failed or made too much data: keep the task data storable.

    New names are only stored when a script succeeds, but a script can change lists and dicts of
    the task data in place. When the data is over the limit, go back to the names the task had;
    a value that was changed in place and is over the limit on its own is dropped.
    """
    limits = current_limits()
    try:
        check_data_size(context, limits)
        return
    except SandboxStop:
        pass
    context.clear()
    context.update(before)
    for key in list(context):
        try:
            check_data_size({key: context[key]}, limits)
        except SandboxStop:
            del context[key]


class SandboxScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's engine, but a failing expression says why, not only which expression failed."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            return super().evaluate(task, expression, external_context)
        except WorkflowTaskException as err:
            cause = err.__context__
            if isinstance(cause, ScriptLimitExceeded | ScriptRejected):
                err.add_note(str(cause))
            raise


def create_script_engine() -> PythonScriptEngine:
    return SandboxScriptEngine(environment=RestrictedEnvironment())
