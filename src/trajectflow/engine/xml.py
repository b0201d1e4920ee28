"""Safe XML reading: no external entities, no network, no DTD loading; errors with file and line."""

from __future__ import annotations

from lxml import etree

from ..domain.errors import InvalidProcess, ProcessProblem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(content: bytes | str, filename: str) -> etree._Element:
    """Parse XML without resolving entities; raise InvalidProcess with the line of the problem."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if b"<!ENTITY" in data:
        raise InvalidProcess(
            [ProcessProblem(filename, _line_of(data, b"<!ENTITY"), None, "XML entity declarations are not allowed")]
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as err:
        line = err.lineno if err.lineno else None
        raise InvalidProcess([ProcessProblem(filename, line, None, f"malformed XML: {err.msg}")]) from None
    return root


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def is_dmn(root: etree._Element) -> bool:
    return etree.QName(root).namespace in DMN_NAMESPACES


def is_bpmn(root: etree._Element) -> bool:
    return etree.QName(root).namespace == BPMN_NS and local_name(root) == "definitions"
