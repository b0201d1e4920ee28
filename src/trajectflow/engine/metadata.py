"""What trajectflow needs to know about each BPMN element beyond what the engine executes.

Read straight from the XML so files from different modelers work: SpiffWorkflow properties
(`formJsonSchemaFilename`, `phase`, `dueIn`, `candidateGroups`), Camunda 7 attributes
(`camunda:formKey`, `camunda:candidateGroups`, `camunda:assignee`, `camunda:dueDate`,
`camunda:followUpDate`, `camunda:property`) and Camunda 8
(`zeebe:formDefinition`, `zeebe:assignmentDefinition`). A user task's role is its candidate group,
else the name of the lane it sits in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from ..domain.roles import normalise_role
from .xml import BPMN_NS, CAMUNDA_NS, SPIFF_NS, ZEEBE_NS, local_name

_B = f"{{{BPMN_NS}}}"
USER_TASK_TAGS = {"userTask", "manualTask"}


@dataclass
class ElementInfo:
    element_id: str
    kind: str
    name: str
    line: int | None
    form: str | None = None
    role: str | None = None
    lane: str | None = None
    phase: str | None = None
    due_in: str | None = None
    properties: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}


@dataclass
class ProcessInfo:
    process_id: str
    name: str
    filename: str
    line: int | None
    executable: bool
    elements: dict[str, ElementInfo]
    called_processes: set[str]
    called_decisions: set[str]
    node: etree._Element


def _properties(element: etree._Element) -> dict[str, str]:
    props: dict[str, str] = {}
    ext = element.find(f"{_B}extensionElements")
    if ext is None:
        return props
    for prop in ext.iter(f"{{{SPIFF_NS}}}property", f"{{{CAMUNDA_NS}}}property", f"{{{ZEEBE_NS}}}property"):
        name, value = prop.get("name"), prop.get("value")
        if name and value is not None:
            props[name] = value
    for form_def in ext.iter(f"{{{ZEEBE_NS}}}formDefinition"):
        form = form_def.get("formKey") or form_def.get("formId")
        if form:
            props.setdefault("formKey", form)
    for assignment in ext.iter(f"{{{ZEEBE_NS}}}assignmentDefinition"):
        if assignment.get("candidateGroups"):
            props.setdefault("candidateGroups", assignment.get("candidateGroups", ""))
    for decision in ext.iter(f"{{{SPIFF_NS}}}calledDecisionId"):
        if decision.text:
            props.setdefault("calledDecisionId", decision.text.strip())
    for decision in ext.iter(f"{{{ZEEBE_NS}}}calledDecision"):
        if decision.get("decisionId"):
            props.setdefault("calledDecisionId", decision.get("decisionId", ""))
    return props


def _form_reference(element: etree._Element, props: dict[str, str]) -> str | None:
    form = props.get("formJsonSchemaFilename") or props.get("formKey") or element.get(f"{{{CAMUNDA_NS}}}formKey")
    if not form:
        return None
    for prefix in ("embedded:app:", "embedded:deployment:", "deployment:", "app:"):
        if form.startswith(prefix):
            form = form[len(prefix) :]
    form = form.rsplit("/", 1)[-1]
    return form if form.endswith(".json") else f"{form}.json"


def _lane_of(process: etree._Element) -> dict[str, str]:
    lanes: dict[str, str] = {}
    for lane in process.iter(f"{_B}lane"):
        lane_name = lane.get("name") or lane.get("id") or ""
        for ref in lane.findall(f"{_B}flowNodeRef"):
            if ref.text:
                lanes[ref.text.strip()] = lane_name
    return lanes


def read_process_info(process: etree._Element, filename: str) -> ProcessInfo:
    lanes = _lane_of(process)
    elements: dict[str, ElementInfo] = {}
    called_processes: set[str] = set()
    called_decisions: set[str] = set()
    for element in process.iter():
        if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_NS:
            continue
        element_id = element.get("id")
        kind = local_name(element)
        if not element_id or kind in {"extensionElements", "lane", "laneSet", "process"}:
            continue
        props = _properties(element)
        info = ElementInfo(
            element_id=element_id,
            kind=kind,
            name=(element.get("name") or element_id).strip(),
            line=element.sourceline,
            properties=props,
            phase=props.get("phase"),
            lane=lanes.get(element_id),
        )
        if kind in USER_TASK_TAGS:
            info.form = _form_reference(element, props)
            groups = props.get("candidateGroups") or element.get(f"{{{CAMUNDA_NS}}}candidateGroups")
            first_group = groups.split(",")[0] if groups else None
            info.role = normalise_role(first_group or info.lane)
            info.due_in = props.get("dueIn") or element.get(f"{{{CAMUNDA_NS}}}dueDate")
            # Camunda 7 attributes beside our own properties: a follow-up date is a due rule like dueDate.
            for attribute, name in (("followUpDate", "followUpIn"), ("assignee", "assignee")):
                value = element.get(f"{{{CAMUNDA_NS}}}{attribute}")
                if value and name not in props:
                    props[name] = value
        if kind == "callActivity" and element.get("calledElement"):
            called_processes.add(element.get("calledElement", ""))
        if kind == "businessRuleTask":
            decision = props.get("calledDecisionId") or element.get(f"{{{CAMUNDA_NS}}}decisionRef")
            if decision:
                called_decisions.add(decision)
        elements[element_id] = info
    return ProcessInfo(
        process_id=process.get("id", ""),
        name=process.get("name") or process.get("id", ""),
        filename=filename,
        line=process.sourceline,
        executable=process.get("isExecutable", "true").lower() != "false",
        elements=elements,
        called_processes=called_processes,
        called_decisions=called_decisions,
        node=process,
    )


def participant_names(root: etree._Element) -> dict[str, str]:
    """Process id → participant name, for processes that a modeler named only on the pool."""
    names: dict[str, str] = {}
    for participant in root.iter(f"{_B}participant"):
        ref, name = participant.get("processRef"), participant.get("name")
        if ref and name:
            names[ref] = name
    return names
