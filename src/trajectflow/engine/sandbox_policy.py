"""The compile-time half of the sandbox: RestrictedPython's policy with trajectflow's additions.

On top of RestrictedPython (no names or attributes starting with `_`, no frame/code/generator
internals, attribute access through `_getattr_`) this policy
- refuses imports outside the allow-list at compile time, so deploying such a process fails;
- refuses `mro` (a way to reach BaseException) and `str.format`;
- rewrites `*`, `+`, `**`, `<<` and `%` into calls of the size-checking guards, and f-string
  fields with a format spec into `_format_value_`, since Python offers no hook for them;
- calls `_tick_()` (the run's time and memory check) at the top of every `while` body, function
  and lambda; `for` loops and comprehensions are checked through RestrictedPython's `_getiter_`;
- refuses `try … finally`, turns a bare `except:` into `except Exception:` and has every except
  clause checked by `_catchable_`, so that no script code runs after a limit has stopped the
  script (see `sandbox_limits`).
"""

from __future__ import annotations

import ast
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from .sandbox_guards import DENIED_ATTRIBUTES
from .sandbox_modules import MODULES, import_refusal, module_exports

_GUARDED_OPERATORS = {
    ast.Add: "_add_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}


class SandboxPolicy(RestrictingNodeTransformer):
    def visit_Import(self, node: ast.Import) -> Any:
        for alias in node.names:
            if alias.name not in MODULES:
                self.error(node, import_refusal(alias.name))
        return super().visit_Import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        module = node.module or ""
        if node.level or module not in MODULES:
            self.error(node, import_refusal("." * node.level + module))
        else:
            for alias in node.names:
                if alias.name != "*" and alias.name not in module_exports(module):
                    self.error(node, f"'{alias.name}' is not available from module '{module}'")
        return super().visit_ImportFrom(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr in DENIED_ATTRIBUTES:
            self.error(node, f"access to attribute '{node.attr}' is not allowed in scripts")
        return super().visit_Attribute(node)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        guard = _GUARDED_OPERATORS.get(type(node.op))
        if guard is None or (guard == "_add_" and _constant(node.left, node.right)):
            return node  # adding a constant grows a value by a fixed amount at most
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = self.node_contents_visit(node)
        if node.format_spec is None:
            return node
        call = ast.Call(
            func=ast.Name("_format_value_", ast.Load()),
            args=[node.value, ast.Constant(node.conversion), node.format_spec],
            keywords=[],
        )
        copy_locations(call, node)
        replacement = ast.FormattedValue(value=call, conversion=-1, format_spec=None)
        copy_locations(replacement, node)
        return replacement

    def visit_While(self, node: ast.While) -> Any:
        visited = self.node_contents_visit(node)
        visited.body.insert(0, _tick(visited.body[0]))
        return visited

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        visited = super().visit_FunctionDef(node)
        assert isinstance(visited, ast.FunctionDef)
        # located at the first statement, so a failing line number points into the body
        visited.body.insert(0, _tick(visited.body[0]))
        return visited

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        visited = super().visit_Lambda(node)
        assert isinstance(visited, ast.Lambda)
        # `lambda: body` becomes `lambda: _tick_() or body`; _tick_() is None
        tick = _tick(visited).value
        visited.body = ast.BoolOp(op=ast.Or(), values=[tick, visited.body])
        copy_locations(visited.body, visited)
        return visited

    def visit_Try(self, node: ast.Try) -> Any:
        if node.finalbody:
            self.error(node, "try ... finally is not allowed in scripts")
        visited = super().visit_Try(node)
        assert isinstance(visited, ast.Try)
        for handler in visited.handlers:
            caught = handler.type or ast.Name("Exception", ast.Load())
            lazy = ast.Lambda(args=_no_arguments(), body=caught)
            handler.type = ast.Call(func=ast.Name("_catchable_", ast.Load()), args=[lazy], keywords=[])
            for new in (caught, lazy, handler.type):
                copy_locations(new, handler)
        return visited


def _constant(*nodes: ast.expr) -> bool:
    return any(isinstance(node, ast.Constant) for node in nodes)


def _no_arguments() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _tick(node: ast.stmt | ast.expr) -> ast.Expr:
    call = ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[])
    statement = ast.Expr(value=call)
    for new in (call.func, call, statement):
        copy_locations(new, node)
    return statement
