"""Validation of process files before deploy: every problem names its file, line and element."""

from __future__ import annotations

import pytest

from tests.unit.broken_bpmn import BROKEN, FORMS, VALID, Broken
from trajectflow.domain.errors import InvalidProcess
from trajectflow.engine.library import read_library, require_valid
from trajectflow.services.forms import read_form

LOADED_FORMS = {name: read_form(name, content) for name, content in FORMS.items()}


def test_the_unbroken_process_is_valid() -> None:
    library = read_library({"x.bpmn": VALID}, LOADED_FORMS)
    assert library.errors == []
    assert library.executable_ids() == ["kapot"]


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_broken_process_is_reported_with_file_line_and_element(broken: Broken) -> None:
    library = read_library({"x.bpmn": broken.xml}, LOADED_FORMS)
    assert library.errors, f"{broken.name} was accepted"
    problem = next((p for p in library.errors if broken.message in p.message), None)
    assert problem is not None, [str(p) for p in library.errors]
    assert (problem.file, problem.line, problem.element_id) == ("x.bpmn", broken.line, broken.element_id), str(problem)
    assert str(problem).startswith(f"x.bpmn:{broken.line}: {broken.element_id or '-'}: ")
    with pytest.raises(InvalidProcess) as raised:
        require_valid(library)
    assert raised.value.problems == library.errors


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "ISO-8859-1"])
def test_external_entities_are_refused_in_any_encoding(encoding: str) -> None:
    xml = (
        BROKEN[1]
        .xml.replace('name="&e;"', 'name="Kapot"')
        .replace(
            '<bpmn:startEvent id="begin" />',
            '<bpmn:startEvent id="begin"><bpmn:documentation>&e;</bpmn:documentation></bpmn:startEvent>',
        )
    )
    content = xml.replace('encoding="UTF-8"', f'encoding="{encoding}"').encode(encoding.lower())
    library = read_library({"x.bpmn": content}, LOADED_FORMS)
    assert [(p.file, p.line, p.element_id) for p in library.errors] == [
        ("x.bpmn", 1 if encoding == "UTF-16" else 2, None)
    ]
    assert "root:" not in str([p.message for p in library.problems])
    assert library.sources == {} and library.processes == {}


def test_a_problem_in_one_file_does_not_hide_problems_in_another() -> None:
    sources = {b.name + ".bpmn": b.xml.replace('id="kapot"', f'id="{b.name}"') for b in BROKEN[4:]}
    library = read_library(sources, LOADED_FORMS)
    assert {p.file for p in library.errors} == set(sources)


def test_duplicate_process_ids_across_files_are_reported() -> None:
    library = read_library({"a.bpmn": VALID, "b.bpmn": VALID}, LOADED_FORMS)
    assert [(p.file, p.element_id) for p in library.errors] == [("b.bpmn", "kapot")]
    assert "also defined in a.bpmn" in library.errors[0].message


def test_documents_that_are_not_bpmn_are_refused() -> None:
    library = read_library({"x.bpmn": "<html><body/></html>", "y.bpmn": b"\xff\xfe"}, LOADED_FORMS)
    assert {p.file for p in library.errors} == {"x.bpmn", "y.bpmn"}


def test_the_shipped_processes_are_valid() -> None:
    from pathlib import Path

    from trajectflow.services.deploy import read_directory
    from trajectflow.services.forms import load_forms

    root = Path(__file__).resolve().parents[2]
    library = read_library(read_directory(root / "processes"), load_forms(root / "forms"))
    assert library.errors == [], [str(p) for p in library.errors]
    assert "participatie_traject" in library.executable_ids()
