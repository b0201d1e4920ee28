"""A set of BPMN/DMN sources parsed together: validation and per-process bundles for execution."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from ..domain.errors import InvalidProcess, ProcessProblem
from .dmn_check import unique_hit_problems
from .flow_checks import flow_problems
from .metadata import ProcessInfo, participant_names, read_process_info
from .parser import TrajectflowParser
from .schema_check import schema_problems
from .validation import validate_process
from .xml import BPMN_NS, is_bpmn, is_dmn, parse_xml

RESERVED_IDS = {"Start", "End", "Root"}


def _not_executable_warning(filename: str, line: int | None, process_id: str) -> ProcessProblem:
    return ProcessProblem(
        filename,
        line,
        process_id,
        'isExecutable="false" on the only process(es) of this file (bpmn-js saves that by default): '
        'deployed anyway; set isExecutable="true" on the process to silence this',
        severity="warning",
    )


@dataclass
class ProcessDefinition:
    """One executable process with everything it needs: its sources, metadata and content hash."""

    process_id: str
    name: str
    sources: dict[str, str]
    elements: dict[str, dict[str, dict[str, Any]]]
    content_hash: str


@dataclass
class ProcessLibrary:
    sources: dict[str, str] = field(default_factory=dict)
    roots: dict[str, etree._Element] = field(default_factory=dict)
    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    problems: list[ProcessProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[ProcessProblem]:
        return [p for p in self.problems if p.severity == "error"]

    def closure(self, process_id: str) -> tuple[set[str], set[str]]:
        """The process ids and decision ids that `process_id` needs, itself included."""
        seen, decisions, todo = set(), set(), [process_id]
        while todo:
            pid = todo.pop()
            if pid in seen or pid not in self.processes:
                continue
            seen.add(pid)
            info = self.processes[pid]
            decisions |= info.called_decisions
            todo.extend(info.called_processes)
        return seen, decisions

    def definition(self, process_id: str) -> ProcessDefinition:
        pids, decisions = self.closure(process_id)
        files = {self.processes[pid].filename for pid in pids}
        files |= {self.decisions[d] for d in decisions if d in self.decisions}
        sources = {name: self.sources[name] for name in sorted(files)}
        digest = hashlib.sha256(json.dumps(sources, sort_keys=True).encode()).hexdigest()
        elements = {pid: {eid: info.as_dict() for eid, info in self.processes[pid].elements.items()} for pid in pids}
        info = self.processes[process_id]
        return ProcessDefinition(process_id, info.name, sources, elements, digest)

    def executable_ids(self) -> list[str]:
        return sorted(pid for pid, info in self.processes.items() if info.executable)


def read_library(sources: Mapping[str, str | bytes], forms: dict[str, Any] | None = None) -> ProcessLibrary:
    """Parse and check `sources` (file name → XML). Problems are collected, not raised."""
    library = ProcessLibrary()
    for filename in sorted(sources):
        content = sources[filename]
        try:
            text = content.decode("utf-8") if isinstance(content, bytes) else content
        except UnicodeDecodeError as err:
            # Sources are stored and re-parsed as text: anything but UTF-8 would be stored garbled.
            line = err.object[: err.start].count(b"\n") + 1
            library.problems.append(ProcessProblem(filename, line, None, "not UTF-8 encoded; save the file as UTF-8"))
            continue
        try:
            root = parse_xml(content, filename)
        except InvalidProcess as err:
            library.problems.extend(err.problems)
            continue
        if not (is_bpmn(root) or is_dmn(root)):
            library.problems.append(
                ProcessProblem(filename, root.sourceline, None, "not a BPMN 2.0 or DMN definitions document")
            )
            continue
        library.sources[filename] = text
        library.roots[filename] = root
        library.problems.extend(schema_problems(root, filename))
        if is_dmn(root):
            _index_decisions(library, filename, root)
            library.problems.extend(unique_hit_problems(root, filename))
        else:
            _index_processes(library, filename, root)
    for info in library.processes.values():
        library.problems.extend(validate_process(info, library.processes, library.decisions, forms))
        library.problems.extend(flow_problems(info.node, info.filename))
    if not library.errors:
        _check_with_engine(library)
    return library


def _index_decisions(library: ProcessLibrary, filename: str, root: etree._Element) -> None:
    for decision in root:
        if isinstance(decision.tag, str) and etree.QName(decision).localname == "decision":
            decision_id = decision.get("id", "")
            if decision_id in library.decisions:
                library.problems.append(
                    ProcessProblem(filename, decision.sourceline, decision_id, "duplicate decision id")
                )
            library.decisions[decision_id] = filename


def _index_processes(library: ProcessLibrary, filename: str, root: etree._Element) -> None:
    pool_names = participant_names(root)
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        element_id = element.get("id")
        if element_id in RESERVED_IDS:
            library.problems.append(
                ProcessProblem(
                    filename,
                    element.sourceline,
                    element_id,
                    f"element id '{element_id}' is reserved by the engine; "
                    f"rename it (e.g. '{element_id.lower()}_event')",
                )
            )
    processes = root.findall(f"{{{BPMN_NS}}}process")
    # bpmn-js saves isExecutable="false" by default: a file with no executable process at all means
    # its processes (not a collaboration's external pools beside an executable one) are meant to run.
    none_executable = all(p.get("isExecutable", "true").lower() == "false" for p in processes)
    for process in processes:
        info = read_process_info(process, filename)
        if none_executable:
            info.executable = True
            library.problems.append(_not_executable_warning(filename, process.sourceline, info.process_id))
        if info.name == info.process_id and info.process_id in pool_names:
            info.name = pool_names[info.process_id]
        if info.process_id in library.processes:
            other = library.processes[info.process_id].filename
            library.problems.append(
                ProcessProblem(filename, process.sourceline, info.process_id, f"process id also defined in {other}")
            )
            continue
        library.processes[info.process_id] = info


def build_parser(sources: dict[str, str], roots: dict[str, etree._Element] | None = None) -> TrajectflowParser:
    parser = TrajectflowParser()
    for filename, text in sources.items():
        root = roots[filename] if roots and filename in roots else parse_xml(text, filename)
        if is_dmn(root):
            parser.add_dmn_xml(root, filename=filename)
        else:
            parser.add_bpmn_xml(root, filename=filename)
    return parser


def _check_with_engine(library: ProcessLibrary) -> None:
    """Let SpiffWorkflow build every executable process; report its complaints with file and line."""
    try:
        parser = build_parser(library.sources, library.roots)
    except (ValidationException, SpiffWorkflowException, Exception) as err:  # noqa: BLE001
        library.problems.append(problem_from_exception(err, "?"))
        return
    for pid in library.executable_ids():
        try:
            parser.get_spec(pid)
            parser.get_subprocess_specs(pid)
        except Exception as err:  # noqa: BLE001 - any parser failure is a problem to report
            library.problems.append(problem_from_exception(err, library.processes[pid].filename))


def problem_from_exception(err: Exception, default_file: str) -> ProcessProblem:
    if isinstance(err, ValidationException):
        line = err.line_number if isinstance(err.line_number, int) else None
        message = str(err.args[0]) if err.args else str(err)
        return ProcessProblem(err.file_name or default_file, line, err.id or None, message)
    return ProcessProblem(default_file, None, None, f"{type(err).__name__}: {err}")


def require_valid(library: ProcessLibrary) -> None:
    if library.errors:
        raise InvalidProcess(library.errors)
