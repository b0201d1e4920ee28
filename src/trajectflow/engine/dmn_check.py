"""Hit policy UNIQUE: find rules that overlap (an error) and input combinations no rule covers (a warning).

Each input entry becomes a predicate over the input value. Understood forms: `-` (anything), literals
(`"a"`, `3`, `True`), lists (`"a","b"`), `not("a")`, comparisons (`< 3`, `>= 4`), intervals (`[1..5]`,
`]1..5[`) and Python expressions over `?` built from comparisons, `in`, `and`, `or`, `not`. Anything
else is reported as a warning and left out of the analysis.

Per input the analysis samples the values where entries can change their answer: every literal, for
numbers also the values just beside them (and between them for non-integers). That is exact for the
understood forms. String inputs range over the literals used (or the input's `inputValues`).
"""

from __future__ import annotations

import ast
import itertools
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..domain.errors import ProcessProblem
from .xml import local_name

VALUE = "__value__"
MAX_COMBINATIONS = 100_000
_INTERVAL = re.compile(r"^([\[\](])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\])])$")
_COMPARISON_START = re.compile(r"^(<=|>=|<|>|!=|==|=)")
_COMPARE: dict[type, Any] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
_NUMERIC_TYPES = {"integer", "long", "number", "double", "decimal", "int", "float"}


class Unanalysable(ValueError):
    pass


@dataclass
class Entry:
    expression: ast.expr | None  # None: matches anything

    def matches(self, value: Any) -> bool:
        if self.expression is None:
            return True
        try:
            return bool(_evaluate(self.expression, value))
        except TypeError:
            return False

    def constants(self) -> list[Any]:
        if self.expression is None:
            return []
        return [n.value for n in ast.walk(self.expression) if isinstance(n, ast.Constant)]


def unique_hit_problems(root: etree._Element, filename: str) -> list[ProcessProblem]:
    """Problems of every decision table with hit policy UNIQUE (the DMN default) in a DMN document."""
    problems: list[ProcessProblem] = []
    for table in root.iter():
        if local_name(table) == "decisionTable" and (table.get("hitPolicy") or "UNIQUE").upper() == "UNIQUE":
            problems.extend(_check_table(table, filename))
    return problems


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if local_name(child) == name]


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    texts = _children(node, "text")
    return (texts[0].text or "").strip() if texts else ""


def _check_table(table: etree._Element, filename: str) -> Iterator[ProcessProblem]:
    inputs = _children(table, "input")
    names = [_text(_children(i, "inputExpression")[0]) if _children(i, "inputExpression") else "" for i in inputs]
    names = [n or (i.get("label") or i.get("id") or "?") for n, i in zip(names, inputs, strict=True)]
    rules: list[tuple[etree._Element, list[Entry]]] = []
    complete = True
    for rule in _children(table, "rule"):
        entries, broken = [], False
        for entry_node in _children(rule, "inputEntry"):
            try:
                entries.append(parse_entry(_text(entry_node)))
            except Unanalysable:
                broken = True
                yield ProcessProblem(
                    filename, entry_node.sourceline, entry_node.get("id") or rule.get("id"),
                    f"input entry '{_text(entry_node)}' cannot be analysed for hit policy UNIQUE; "
                    "check overlaps with this rule by hand", "warning",
                )  # fmt: skip
        if not broken and len(entries) == len(inputs):
            rules.append((rule, entries))
        complete = complete and not broken
    domains = [_domain(i, [r[1][n] for r in rules]) for n, i in enumerate(inputs)]
    masks = [[_mask(entry, domains[n]) for n, entry in enumerate(entries)] for _, entries in rules]
    yield from _overlaps(rules, masks, domains, names, filename)
    if complete:
        yield from _gaps(table, masks, domains, names, filename)


def _overlaps(
    rules: list[tuple[etree._Element, list[Entry]]],
    masks: list[list[int]],
    domains: list[list[Any]],
    names: list[str],
    filename: str,
) -> Iterator[ProcessProblem]:
    for (a, (_, _)), (b, (rule, _)) in itertools.combinations(enumerate(rules), 2):
        common = [masks[a][n] & masks[b][n] for n in range(len(domains))]
        if all(common):
            example = [domains[n][(m & -m).bit_length() - 1] for n, m in enumerate(common)]
            first = rules[a][0].get("id")
            yield ProcessProblem(
                filename, rule.sourceline, rule.get("id"),
                f"rules {first} and {rule.get('id')} overlap under hit policy UNIQUE: "
                f"both match {_show(names, example)}",
            )  # fmt: skip


def _gaps(
    table: etree._Element, masks: list[list[int]], domains: list[list[Any]], names: list[str], filename: str
) -> Iterator[ProcessProblem]:
    size = 1
    for domain in domains:
        size *= len(domain)
    if size > MAX_COMBINATIONS:
        yield ProcessProblem(
            filename, table.sourceline, table.get("id"),
            f"too many input combinations ({size}) to check that every case has a rule", "warning",
        )  # fmt: skip
        return
    for point in itertools.product(*(range(len(d)) for d in domains)):
        if not any(all(rule[n] >> i & 1 for n, i in enumerate(point)) for rule in masks):
            example = [domains[n][i] for n, i in enumerate(point)]
            yield ProcessProblem(
                filename, table.sourceline, table.get("id"),
                f"hit policy UNIQUE: no rule matches {_show(names, example)}", "warning",
            )  # fmt: skip
            return


def _show(names: list[str], values: list[Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in zip(names, values, strict=True))


def _mask(entry: Entry, domain: list[Any]) -> int:
    return sum(1 << i for i, value in enumerate(domain) if entry.matches(value))


def _domain(input_node: etree._Element, entries: list[Entry]) -> list[Any]:
    type_ref = (_children(input_node, "inputExpression") or [input_node])[0].get("typeRef", "").lower()
    allowed = _text((_children(input_node, "inputValues") or [None])[0])
    constants = [c for entry in entries for c in entry.constants()]
    if allowed:
        return list(dict.fromkeys(parse_entry(allowed).constants()))
    if type_ref == "boolean" or (constants and all(isinstance(c, bool) for c in constants)):
        return [True, False]
    numbers = sorted({c for c in constants if isinstance(c, int | float) and not isinstance(c, bool)})
    if numbers and (type_ref in _NUMERIC_TYPES or len(numbers) == len(set(constants))):
        if type_ref in {"integer", "long", "int"} and all(float(n).is_integer() for n in numbers):
            return sorted({int(n) + d for n in numbers for d in (-1, 0, 1)})
        between = [(x + y) / 2 for x, y in itertools.pairwise(numbers)]
        return sorted({numbers[0] - 1, *numbers, *between, numbers[-1] + 1})
    values = list(dict.fromkeys(c for c in constants if not isinstance(c, bool | int | float)))
    return values or [None]


def parse_entry(text: str) -> Entry:
    """An input entry as a predicate over `__value__`; raises Unanalysable for forms not understood."""
    text = text.strip()
    if text in {"", "-"}:
        return Entry(None)
    return Entry(_parse_unary_tests(_question_marks(text)))


def _parse_unary_tests(text: str) -> ast.expr:
    if text.startswith("not(") and text.endswith(")"):
        return ast.UnaryOp(ast.Not(), _parse_unary_tests(text[4:-1]))
    interval = _INTERVAL.match(text)
    if interval and VALUE not in text:
        left, low, high, right = interval.groups()
        low_op = "<=" if left == "[" else "<"
        high_op = "<=" if right == "]" else "<"
        return _expression(f"{low} {low_op} {VALUE} {high_op} {high}")
    comparison = _COMPARISON_START.match(text)
    if comparison and VALUE not in text:
        op = "==" if comparison.group(1) == "=" else comparison.group(1)
        return _expression(f"{VALUE} {op} {text[len(comparison.group(1)) :]}")
    if VALUE in text:
        return _expression(text)
    literal = _expression(f"({text},)")
    if isinstance(literal, ast.Tuple) and all(isinstance(e, ast.Constant) for e in literal.elts):
        if len(literal.elts) == 1:
            return ast.Compare(ast.Name(VALUE, ast.Load()), [ast.Eq()], [literal.elts[0]])
        return ast.Compare(ast.Name(VALUE, ast.Load()), [ast.In()], [literal])
    raise Unanalysable(text)


def _question_marks(text: str) -> str:
    """Replace `?` (the input value) outside string literals."""
    parts = re.split(r"(\"[^\"]*\"|'[^']*')", text)
    return "".join(p if i % 2 else p.replace("?", VALUE) for i, p in enumerate(parts))


def _expression(text: str) -> ast.expr:
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise Unanalysable(text) from None
    for part in ast.walk(node):
        allowed = (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Load)
        if isinstance(part, ast.Name) and part.id == VALUE:
            continue
        if not isinstance(part, allowed + (ast.cmpop, ast.boolop, ast.unaryop)):
            raise Unanalysable(text)
        if isinstance(part, ast.UnaryOp) and not isinstance(part.op, ast.Not | ast.USub):
            raise Unanalysable(text)
    return node


def _evaluate(node: ast.expr, value: Any) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return value
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return tuple(_evaluate(e, value) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, value)
        return (not operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.BoolOp):
        results = (_evaluate(v, value) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, value)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, value)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise Unanalysable(ast.unparse(node))
