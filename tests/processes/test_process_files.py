"""The shipped process files: valid for the engine, for the BPMN schema and for BPMN modelers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

from tests.conftest import ROOT
from trajectflow.domain.roles import is_known_role
from trajectflow.services.deploy import check_sources, read_directory

PROCESSES = ROOT / "processes"
BPMN_FILES = sorted(PROCESSES.glob("*.bpmn"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}


def test_processes_validate_without_problems():
    library = check_sources(read_directory(PROCESSES), ROOT / "forms")
    assert [str(p) for p in library.problems] == []
    assert "participatie_traject" in library.executable_ids()


def test_every_user_task_names_a_form_and_a_known_role():
    library = check_sources(read_directory(PROCESSES), ROOT / "forms")
    user_tasks = [e for info in library.processes.values() for e in info.elements.values() if e.kind == "userTask"]
    assert len(user_tasks) > 25
    for element in user_tasks:
        assert element.form and (ROOT / "forms" / element.form).is_file(), element.element_id
        assert is_known_role(element.role), (element.element_id, element.role)


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_file_is_valid_against_the_bpmn_schema(path: Path):
    BpmnValidator().validate(etree.parse(str(path)).getroot(), str(path))


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_element_has_diagram_interchange(path: Path):
    root = etree.parse(str(path)).getroot()
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    for process in root.iterfind("bpmn:process", NS):
        for node in process.iter():
            if not isinstance(node.tag, str):
                continue
            kind = etree.QName(node).localname
            if kind == "sequenceFlow":
                assert node.get("id") in edges, f"{path.name}: flow {node.get('id')} has no BPMNEdge"
            elif kind.endswith(("Task", "Event", "Gateway")) or kind in {"callActivity", "subProcess", "task"}:
                assert node.get("id") in shapes, f"{path.name}: {node.get('id')} has no BPMNShape"


def test_files_import_cleanly_in_bpmn_moddle():
    """bpmn-js and Camunda Modeler read BPMN through bpmn-moddle; it must import without warnings."""
    node = shutil.which("node")
    assert node, "Node.js is required (make test installs the npm assets)"
    result = subprocess.run(
        [node, str(Path(__file__).with_name("moddle_check.mjs")), *map(str, BPMN_FILES)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == len(BPMN_FILES)
    for report in reports:
        assert report["ok"], report
        assert report["warnings"] == [], report
        assert report["diagrams"] >= 1, report
