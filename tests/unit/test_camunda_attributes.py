"""Camunda Modeler's task attributes are read into the task model beside our own properties."""

from __future__ import annotations

from tests.unit.broken_bpmn import process
from trajectflow.engine.library import read_library

CAMUNDA_TASK = (
    '    <bpmn:userTask id="stap" name="Stap" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'camunda:formKey="embedded:app:forms/stap.json" camunda:candidateGroups="jobcoach,klantmanager" '
    'camunda:assignee="jansen" camunda:dueDate="P14D" camunda:followUpDate="10WD" />'
)


def test_camunda_task_attributes_are_read() -> None:
    library = read_library({"x.bpmn": process(CAMUNDA_TASK)}, {"stap.json": {"type": "object"}})
    assert [str(p) for p in library.problems] == []
    element = library.processes["kapot"].elements["stap"]
    assert (element.form, element.role, element.due_in) == ("stap.json", "jobcoach", "P14D")
    assert element.properties["followUpIn"] == "10WD" and element.properties["assignee"] == "jansen"


def test_a_bad_camunda_follow_up_date_is_reported() -> None:
    broken = process(CAMUNDA_TASK.replace('camunda:followUpDate="10WD"', 'camunda:followUpDate="soon"'))
    library = read_library({"x.bpmn": broken}, {"stap.json": {"type": "object"}})
    assert [(p.line, p.element_id) for p in library.errors] == [(12, "stap")]
    assert library.errors[0].message.startswith("followUpIn: ")
