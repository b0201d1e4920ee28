"""Deploy-time checks the engine itself does not make (or makes only when a case hits them)."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..domain.deadlines import check_due_rule
from ..domain.errors import ProcessProblem
from ..domain.roles import is_known_role
from .metadata import USER_TASK_TAGS, ProcessInfo
from .scripting import check_expression, check_script, evaluate_in_sandbox
from .xml import BPMN_NS

_B = f"{{{BPMN_NS}}}"
_ISO_LOOKING = re.compile(r"^\s*(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}[T0-9:.+\-Z]*)(/.*)?\s*$", re.I)
_LINE_IN_MESSAGE = re.compile(r"Line (\d+)")


def validate_process(
    info: ProcessInfo,
    processes: dict[str, ProcessInfo],
    decisions: dict[str, str],
    forms: dict[str, Any] | None,
) -> list[ProcessProblem]:
    problems: list[ProcessProblem] = []
    for element in info.elements.values():
        where = (info.filename, element.line, element.element_id)
        if element.kind in USER_TASK_TAGS:
            problems.extend(_check_user_task(element, where, forms))
    problems.extend(_check_elements(info, processes, decisions, info.filename))
    return problems


def _check_user_task(
    element: Any, where: tuple[str, int | None, str], forms: dict[str, Any] | None
) -> list[ProcessProblem]:
    problems = []
    if element.kind == "userTask" and not element.form:
        problems.append(ProcessProblem(*where, "user task names no form; any data will be accepted", "warning"))
    elif element.form and forms is not None:
        form = forms.get(element.form)
        if form is None:
            problems.append(ProcessProblem(*where, f"form '{element.form}' not found in forms/"))
        elif isinstance(form, str):
            problems.append(ProcessProblem(*where, f"form '{element.form}' is not a valid JSON Schema: {form}"))
    if not element.role:
        problems.append(ProcessProblem(*where, "task has no lane or candidate group", "warning"))
    elif not is_known_role(element.role):
        problems.append(ProcessProblem(*where, f"lane/candidate group '{element.role}' is not a known role", "warning"))
    for name in ("dueIn", "followUpIn"):
        rule = element.due_in if name == "dueIn" else element.properties.get(name)
        message = check_due_rule(rule) if rule else None
        if message:
            problems.append(ProcessProblem(*where, f"{name}: {message}"))
    for name in ("dueDate", "followUpDate"):
        expression = element.properties.get(name)
        message = check_expression(expression) if expression else None
        if message:
            problems.append(ProcessProblem(*where, f"{name} expression does not compile: {message}"))
    return problems


def _check_duration(value: str, where: tuple[str, int | None, str], what: str) -> list[ProcessProblem]:
    try:
        TimerEventDefinition.parse_iso_duration(value)
    except Exception:  # noqa: BLE001 - the library raises a bare Exception
        return [ProcessProblem(*where, f"{what} '{value}' is not an ISO 8601 duration such as P14D")]
    return []


def _check_elements(
    info: ProcessInfo, processes: dict[str, ProcessInfo], decisions: dict[str, str], file: str
) -> list[ProcessProblem]:
    problems: list[ProcessProblem] = []
    tree = info.node
    for node in tree.iter(f"{_B}*"):
        kind = etree.QName(node).localname
        owner = _owning_id(node)
        if kind in {"timeDuration", "timeDate", "timeCycle"}:
            problems.extend(_check_timer(node, kind, file, owner))
        elif kind == "conditionExpression" and (node.text or "").strip():
            message = check_expression(node.text or "")
            if message:
                problems.append(ProcessProblem(file, node.sourceline, owner, f"condition does not compile: {message}"))
        elif kind == "script" and (node.text or "").strip():
            message = check_script(node.text or "")
            if message:
                problems.append(ProcessProblem(file, _script_line(node, message), owner, f"script error: {message}"))
        elif kind == "callActivity":
            called = node.get("calledElement")
            if not called:
                problems.append(ProcessProblem(file, node.sourceline, node.get("id"), "call activity names no process"))
            elif called not in processes:
                problems.append(
                    ProcessProblem(file, node.sourceline, node.get("id"), f"calls unknown process '{called}'")
                )
    for element in info.elements.values():
        if element.kind == "businessRuleTask":
            ref = element.properties.get("calledDecisionId") or _camunda_decision(tree, element.element_id)
            if not ref:
                problems.append(
                    ProcessProblem(file, element.line, element.element_id, "business rule task names no decision")
                )
            elif ref not in decisions:
                problems.append(ProcessProblem(file, element.line, element.element_id, f"unknown decision '{ref}'"))
    return problems


def _camunda_decision(tree: etree._Element, element_id: str) -> str | None:
    for node in tree.iter(f"{_B}businessRuleTask"):
        if node.get("id") == element_id:
            return node.get("{http://camunda.org/schema/1.0/bpmn}decisionRef")
    return None


def _owning_id(node: etree._Element) -> str | None:
    current: etree._Element | None = node
    while current is not None:
        if current.get("id") and etree.QName(current).localname not in {"timerEventDefinition"}:
            return current.get("id")
        current = current.getparent()
    return None


def _script_line(node: etree._Element, message: str) -> int | None:
    match = _LINE_IN_MESSAGE.search(message)
    if not match or node.sourceline is None:
        return node.sourceline
    # The script's first line is the rest of the <script> line (empty when the text starts with a newline).
    return node.sourceline + int(match.group(1)) - 1


def _check_timer(node: etree._Element, kind: str, file: str, owner: str | None) -> list[ProcessProblem]:
    expression = (node.text or "").strip()
    line = node.sourceline
    if not expression:
        return [ProcessProblem(file, line, owner, f"timer has an empty {kind}")]
    if _ISO_LOOKING.match(expression):
        return [
            ProcessProblem(
                file,
                line,
                owner,
                f'timer expressions are Python expressions: write "{expression}" with quotes, not {expression}',
            )
        ]
    message = check_expression(expression)
    if message:
        return [ProcessProblem(file, line, owner, f"timer expression does not compile: {message}")]
    try:
        value = evaluate_in_sandbox(expression, {})
    except NameError:
        return []  # depends on case data; checked when the timer starts
    except Exception as err:  # noqa: BLE001 - report whatever the expression raised
        return [ProcessProblem(file, line, owner, f"timer expression fails: {err}")]
    if not isinstance(value, str):
        return [
            ProcessProblem(file, line, owner, f"timer expression gives {type(value).__name__}, not an ISO 8601 string")
        ]
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        else:
            TimerEventDefinition.get_datetime(value)
    except Exception:  # noqa: BLE001 - the library raises a bare Exception
        return [ProcessProblem(file, line, owner, f"'{value}' is not a valid ISO 8601 {kind}")]
    return []
