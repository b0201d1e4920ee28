"""What a diagram view needs from a version's BPMN sources: which file holds a process, and which call
activity calls which process (to show work inside a called process on the caller's diagram)."""

from __future__ import annotations

from lxml import etree

from ..domain.errors import InvalidProcess
from .xml import BPMN_NS, parse_xml

_B = f"{{{BPMN_NS}}}"


def _processes(sources: dict[str, str]) -> list[tuple[str, etree._Element]]:
    found: list[tuple[str, etree._Element]] = []
    for filename, text in sorted(sources.items()):
        if not filename.endswith(".bpmn"):
            continue
        try:
            root = parse_xml(text, filename)
        except InvalidProcess:
            continue
        found.extend((filename, process) for process in root.iter(f"{_B}process"))
    return found


def process_files(sources: dict[str, str]) -> dict[str, str]:
    """Process id → the file (key of `sources`) that defines it."""
    return {process.get("id", ""): filename for filename, process in _processes(sources)}


def call_links(sources: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Called process id → (calling process id, call activity id); the first caller wins."""
    links: dict[str, tuple[str, str]] = {}
    for _filename, process in _processes(sources):
        for call in process.iter(f"{_B}callActivity"):
            called = call.get("calledElement")
            if called and call.get("id"):
                links.setdefault(called, (process.get("id", ""), call.get("id", "")))
    return links
