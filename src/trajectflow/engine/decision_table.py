"""DMN decision tables as plain data, for showing them (the engine evaluates DMN through SpiffWorkflow)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from .xml import parse_xml


def decision_tables(content: str, filename: str) -> list[dict[str, Any]]:
    """Every decision table of a DMN document: inputs, outputs and rules (entries as written)."""
    root = parse_xml(content, filename)
    tables = []
    for decision in _children(root, "decision"):
        for table in _children(decision, "decisionTable"):
            inputs = [
                {"label": node.get("label") or node.get("id", ""), "expression": _text(_first(node, "inputExpression"))}
                for node in _children(table, "input")
            ]
            outputs = [
                {"label": node.get("label") or node.get("name") or node.get("id", ""), "name": node.get("name", "")}
                for node in _children(table, "output")
            ]
            rules = [
                {
                    "id": rule.get("id", ""),
                    "inputs": [_text(entry) for entry in _children(rule, "inputEntry")],
                    "outputs": [_text(entry) for entry in _children(rule, "outputEntry")],
                    "description": (_text(_first(rule, "description")) or None),
                }
                for rule in _children(table, "rule")
            ]
            tables.append(
                {
                    "file": filename,
                    "decision_id": decision.get("id", ""),
                    "name": decision.get("name") or decision.get("id", ""),
                    "hit_policy": table.get("hitPolicy", "UNIQUE"),
                    "inputs": inputs,
                    "outputs": outputs,
                    "rules": rules,
                }
            )
    return tables


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _first(node: etree._Element | None, name: str) -> etree._Element | None:
    found = _children(node, name) if node is not None else []
    return found[0] if found else None


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    text = _first(node, "text")
    value = text.text if text is not None else node.text
    return (value or "").strip()
