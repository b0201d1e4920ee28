"""Checks on the shape of a process graph: unreachable elements, gateways that may find no way out."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from lxml import etree

from ..domain.errors import ProcessProblem
from .xml import BPMN_NS, local_name

_B = f"{{{BPMN_NS}}}"
_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
_NOT_FLOW_NODES = {
    "sequenceFlow", "laneSet", "lane", "extensionElements", "documentation", "textAnnotation", "association",
    "dataObject", "dataObjectReference", "dataStoreReference", "ioSpecification", "property", "dataInputAssociation",
    "dataOutputAssociation", "group", "category", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
}  # fmt: skip
_CONDITIONAL_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}


def flow_problems(process: etree._Element, filename: str) -> list[ProcessProblem]:
    """Unreachable flow nodes (errors) and gateways without default whose conditions may all be false (warnings)."""
    problems = list(_unreachable(process, filename))
    problems.extend(_gateways_without_default(process, filename))
    return problems


def _flow_nodes(container: etree._Element) -> list[etree._Element]:
    return [
        child
        for child in container
        if isinstance(child.tag, str)
        and etree.QName(child).namespace == BPMN_NS
        and local_name(child) not in _NOT_FLOW_NODES
        and child.get("id")
    ]


def _unreachable(container: etree._Element, filename: str) -> Iterator[ProcessProblem]:
    nodes = _flow_nodes(container)
    by_id = {node.get("id"): node for node in nodes}
    successors: dict[str, list[str]] = {}
    has_incoming: set[str] = set()
    for flow in container.findall(f"{_B}sequenceFlow"):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        successors.setdefault(source, []).append(target)
        has_incoming.add(target)
    attached: dict[str, list[str]] = {}
    for node in nodes:
        if local_name(node) == "boundaryEvent":
            attached.setdefault(node.get("attachedToRef", ""), []).append(node.get("id", ""))
    roots = [n.get("id", "") for n in nodes if _is_entry(n, container)]
    if not any(local_name(by_id[r]) == "startEvent" for r in roots):
        # Without a start event (allowed inside ad-hoc subprocesses) every node without incoming flow starts.
        roots += [i for i, n in by_id.items() if i not in has_incoming and local_name(n) != "boundaryEvent"]
    reached = _reach(roots, successors, attached, _link_targets(nodes))
    for node_id, node in by_id.items():
        if node_id in reached:
            if local_name(node) in _CONTAINERS:
                yield from _unreachable(node, filename)
            continue
        yield ProcessProblem(filename, node.sourceline, node_id, "unreachable: no path from a start event leads here")


def _is_entry(node: etree._Element, container: etree._Element) -> bool:
    kind = local_name(node)
    if kind == "startEvent":
        return True
    if local_name(container) == "adHocSubProcess" and kind != "boundaryEvent":
        return True
    return kind == "subProcess" and node.get("triggeredByEvent") == "true"


def _link_targets(nodes: list[etree._Element]) -> dict[str, list[str]]:
    """Link throw event id → the link catch events of the same name."""
    catches: dict[str, list[str]] = {}
    throws: dict[str, str] = {}
    for node in nodes:
        link = node.find(f"{_B}linkEventDefinition")
        if link is None:
            continue
        name = link.get("name") or node.get("name") or ""
        if local_name(node) == "intermediateCatchEvent":
            catches.setdefault(name, []).append(node.get("id", ""))
        else:
            throws[node.get("id", "")] = name
    return {throw_id: catches.get(name, []) for throw_id, name in throws.items()}


def _reach(
    roots: list[str], successors: dict[str, list[str]], attached: dict[str, list[str]], links: dict[str, list[str]]
) -> set[str]:
    reached: set[str] = set()
    todo = list(roots)
    while todo:
        node_id = todo.pop()
        if node_id in reached:
            continue
        reached.add(node_id)
        todo.extend(successors.get(node_id, []))
        todo.extend(attached.get(node_id, []))
        todo.extend(links.get(node_id, []))
    return reached


def _gateways_without_default(process: etree._Element, filename: str) -> Iterator[ProcessProblem]:
    flows = {flow.get("id"): flow for flow in process.iter(f"{_B}sequenceFlow")}
    for gateway in process.iter(*(f"{_B}{kind}" for kind in _CONDITIONAL_GATEWAYS)):
        outgoing = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2 or gateway.get("default"):
            continue
        conditions = [_condition(flow) for flow in outgoing]
        if None in conditions or _covers_everything([c for c in conditions if c is not None]):
            continue  # an unconditioned flow is taken anyway; the engine checks that itself
        yield ProcessProblem(
            filename,
            gateway.sourceline,
            gateway.get("id"),
            f"{local_name(gateway)} has no default flow and its conditions may all be false "
            "(the case would stop with an error); mark one outgoing flow as the default",
            "warning",
        )


def _condition(flow: etree._Element) -> str | None:
    node = flow.find(f"{_B}conditionExpression")
    text = (node.text or "").strip() if node is not None else ""
    return text or None


def _covers_everything(conditions: list[str]) -> bool:
    """True when one condition is literally true, or one is the negation of another (`x` / `not x`)."""
    parsed = [_parse(c) for c in conditions]
    normal = {ast.unparse(p) for p in parsed if p is not None}
    negated = {ast.unparse(p.operand) for p in parsed if isinstance(p, ast.UnaryOp) and isinstance(p.op, ast.Not)}
    return "True" in normal or bool(negated & normal)


def _parse(expression: str) -> ast.expr | None:
    try:
        return ast.parse(expression, mode="eval").body
    except SyntaxError:
        return None
