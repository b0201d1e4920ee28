"""Every validation rule, one broken document each: exactly the expected problem, line and element id."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.unit.lint_corpus import CLEAN, CORPUS, FORMS, Lint
from trajectflow.engine.library import read_library
from trajectflow.services.deploy import check_sources, read_directory
from trajectflow.services.forms import load_forms


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict:
    directory = tmp_path_factory.mktemp("forms")
    for name, content in FORMS.items():
        (directory / name).write_bytes(content)
    return load_forms(directory)


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.name)
def test_each_broken_document_yields_exactly_its_problem(case: Lint, forms: dict) -> None:
    library = read_library({case.filename: case.xml}, forms)
    assert [f"{p} [{p.severity}]" for p in library.problems] == [case.expected]


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_analysable_documents_without_problems_stay_clean(name: str, forms: dict) -> None:
    filename, xml = CLEAN[name]
    assert [str(p) for p in read_library({filename: xml}, forms).problems] == []


def test_every_shipped_process_validates_clean() -> None:
    library = check_sources(read_directory(ROOT / "processes"), ROOT / "forms")
    assert [str(p) for p in library.problems] == []


def test_the_shipped_route_table_would_be_flagged_under_unique(forms: dict) -> None:
    """The route table is FIRST on purpose: its last rule is a safety net that overlaps every other rule."""
    source = (ROOT / "processes" / "route_decision.dmn").read_text(encoding="utf-8")
    library = read_library({"route.dmn": source.replace('hitPolicy="FIRST"', 'hitPolicy="UNIQUE"')}, forms)
    overlaps = [p for p in library.problems if "overlap" in p.message]
    assert {p.element_id for p in overlaps} == {"rule_route_9"} and len(overlaps) == 8
    assert all(p.severity == "error" for p in overlaps)
