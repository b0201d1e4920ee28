"""Scenario files: the shipped ones pass and reach every element; a failing one names its step and difference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from trajectflow.domain.errors import ValidationFailed
from trajectflow.services.scenario_files import find_scenario_files, read_scenario_file
from trajectflow.services.scenarios import run_scenarios
from trajectflow.settings import Settings

TRAJECTFLOW = Path(sys.executable).parent / "trajectflow"
SETTINGS = Settings(processes_dir=ROOT / "processes", forms_dir=ROOT / "forms")

FAILING = """
process: participatie_traject
scenarios:
  - name: Goed begin
    steps:
      - task: aanvraag_beoordelen
        data: {besluit: afgewezen, besluit_datum: 2026-03-20}
    end: {status: completed}
  - name: Verkeerde fase
    steps:
      - task: aanvraag_beoordelen
        data: {besluit: toegekend, besluit_datum: 2026-03-20}
      - task: brede_intake
        phase: diagnose
        data: {ladder_trede: 5, schulden: false, kinderopvang: false}
  - name: Verkeerde route
    steps:
      - task: aanvraag_beoordelen
        data: {besluit: toegekend, besluit_datum: 2026-03-20}
      - task: brede_intake
        data: {ladder_trede: 5, schulden: false, kinderopvang: false}
      - task: diagnose
        data: {arbeidsvermogen: volledig, begeleidingsbehoefte: laag, wmo_indicatie: false}
      - expect: {route: ontwikkeling, data: {ladder_trede: 4}}
  - name: Taak die niet open staat
    steps:
      - task: diagnose
        data: {}
  - name: Timer die niet vuurt
    steps:
      - advance: 3 working days
        fired: [beslistermijn]
"""


def _run(files: list[Path]):  # type: ignore[no-untyped-def]
    scenarios = [s for f in files for s in read_scenario_file(f)]
    return run_scenarios(SETTINGS, ROOT / "processes", ROOT / "forms", scenarios)


def test_shipped_scenarios_pass_and_reach_every_element() -> None:
    files = find_scenario_files(ROOT / "processes")
    assert files
    report = _run(files)
    assert report.passed, "\n".join(report.lines())
    assert {c.process_id for c in report.coverage} == {
        "participatie_traject", "werk_plaatsing", "ontwikkeling", "meedoen", "beschut_werk", "dagbesteding",
        "bezwaar",
    }  # fmt: skip
    assert [(c.process_id, c.unreached) for c in report.coverage if c.unreached] == []
    routes = {r.scenario.name for r in report.results}
    assert len(routes) >= 6


def test_a_failing_scenario_names_the_step_and_the_difference(tmp_path: Path) -> None:
    path = tmp_path / "kapot.yaml"
    path.write_text(FAILING, encoding="utf-8")
    report = _run([path])
    assert not report.passed
    assert [line for line in report.lines() if line.startswith(("PASS", "FAIL"))] == [
        "PASS kapot.yaml › Goed begin (1 steps)",
        "FAIL kapot.yaml › Verkeerde fase: step 2 (task: brede_intake): expected phase 'diagnose', got 'intake'",
        "FAIL kapot.yaml › Verkeerde route: step 4 (expect): expected route 'ontwikkeling', got 'werk'; "
        "expected data ladder_trede = 4, got 5",
        "FAIL kapot.yaml › Taak die niet open staat: step 1 (task: diagnose): expected open task 'diagnose', "
        "open: ['aanvraag_beoordelen'] (case active)",
        "FAIL kapot.yaml › Timer die niet vuurt: step 1 (advance: 3 working days): expected timers fired "
        "['beslistermijn'], fired []",
    ]
    assert report.lines()[-1] == "5 scenario(s), 4 failed"
    uncovered = {c.process_id: c.unreached for c in report.coverage}
    assert "route_beschut_werk" in uncovered["participatie_traject"]
    # A deployed process that no scenario starts is listed with all its elements unreached.
    bezwaar = next(c for c in report.coverage if c.process_id == "bezwaar")
    assert bezwaar.unreached == bezwaar.elements and "bezwaar_registreren" in bezwaar.unreached


@pytest.mark.parametrize(
    "content, message",
    [
        ("scenarios: [{steps: [{jump: x}]}]\nprocess: p", "give exactly one of task, timer, advance, expect"),
        ("scenarios: [{steps: [{advance: soon}]}]\nprocess: p", "cannot read advance 'soon'"),
        ("scenarios: [{steps: [{expect: {colour: red}}]}]\nprocess: p", "expectations are a mapping"),
        ("[1, 2]", "expected a mapping with `process`"),
    ],
)
def test_scenario_files_with_mistakes_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationFailed) as raised:
        read_scenario_file(path)
    assert message in raised.value.message


def test_cli_test_prints_the_report_and_fails_on_a_failing_scenario(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "kapot.yaml").write_text(FAILING, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAJECTFLOW_")}
    env |= {"TRAJECTFLOW_HOME": str(ROOT), "TRAJECTFLOW_FORMS_DIR": str(ROOT / "forms")}
    failing = subprocess.run(
        [str(TRAJECTFLOW), "test", str(tmp_path / "scenarios" / "kapot.yaml")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert failing.returncode == 1, failing.stderr
    assert "FAIL kapot.yaml › Verkeerde fase: step 2 (task: brede_intake)" in failing.stdout
    assert "coverage (BPMN elements reached by the scenarios):" in failing.stdout
