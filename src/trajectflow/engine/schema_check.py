"""XML Schema (XSD) validation of BPMN and DMN files, every violation with its line and element id.

SpiffWorkflow ships the OMG schemas (BPMN 2.0 with its own extension schema, DMN 1.1–1.3); its own
validator stops at the first error. Here the whole error log is reported, one problem per line.
"""

from __future__ import annotations

import re
from functools import cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import SPIFF_XSD

from ..domain.errors import ProcessProblem
from .xml import is_dmn

_NAMESPACE_IN_MESSAGE = re.compile(r"\{[^}]*\}")


@cache
def _bpmn_schema() -> etree.XMLSchema:
    return BpmnValidator(imports={"spiffworkflow": SPIFF_XSD}).validator


@cache
def _dmn_schema(namespace: str) -> etree.XMLSchema | None:
    path = DMN_SCHEMAS.get(namespace)
    return BpmnValidator(path).validator if path else None


def schema_problems(root: etree._Element, filename: str) -> list[ProcessProblem]:
    """Violations of the BPMN or DMN schema; an empty list when the file is valid (or has no known schema)."""
    if is_dmn(root):
        schema = _dmn_schema(etree.QName(root).namespace or "")
    else:
        schema = _bpmn_schema()
    if schema is None or schema.validate(root):
        return []
    by_line = _elements_by_line(root)
    problems = []
    for entry in schema.error_log:
        message = _NAMESPACE_IN_MESSAGE.sub("", entry.message).replace("Element '", "element '")
        line = entry.line or None
        problems.append(ProcessProblem(filename, line, by_line.get(line or 0), f"schema: {message}"))
    return problems


def _elements_by_line(root: etree._Element) -> dict[int, str | None]:
    """The id of the nearest element with an id for every line that opens an element."""
    found: dict[int, str | None] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or element.sourceline is None or element.sourceline in found:
            continue
        current: etree._Element | None = element
        while current is not None and not current.get("id"):
            current = current.getparent()
        found[element.sourceline] = current.get("id") if current is not None else None
    return found
