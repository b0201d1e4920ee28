"""POST /api/processes/validate and `trajectflow validate --json` report the lint corpus as data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.unit.lint_corpus import CORPUS, FORMS

TRAJECTFLOW = Path(sys.executable).parent / "trajectflow"


def test_validate_endpoint_reports_problems_with_severity(server, deployed) -> None:  # type: ignore[no-untyped-def]
    shipped = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "processes").iterdir()) if p.is_file()}
    clean = server.request("POST", "/api/processes/validate", user="procesontwerper", json={"files": shipped})
    assert clean.status_code == 200, clean.text
    assert clean.json() == {"valid": True, "errors": 0, "warnings": 0, "problems": []}

    unreachable = next(c for c in CORPUS if c.name == "unreachable")
    unknown_role = next(c for c in CORPUS if c.name == "unknown_role")
    # The server checks against the shipped forms/: use one of those.
    broken = {
        "a.bpmn": unreachable.xml.replace("stap.json", "rappel.json"),
        "b.bpmn": unknown_role.xml.replace('id="kapot"', 'id="kapot_b"').replace("stap.json", "rappel.json"),
    }
    answer = server.request("POST", "/api/processes/validate", user="procesontwerper", json={"files": broken})
    assert answer.status_code == 200
    report = answer.json()
    assert (report["valid"], report["errors"], report["warnings"]) == (False, 1, 1)
    assert [(p["file"], p["line"], p["element_id"], p["severity"]) for p in report["problems"]] == [
        ("a.bpmn", 13, "vergeten", "error"),
        ("b.bpmn", 12, "stap", "warning"),
    ]


def test_validate_endpoint_refuses_bad_requests(server, deployed) -> None:  # type: ignore[no-untyped-def]
    assert server.request("POST", "/api/processes/validate", json={"files": {"x.bpmn": ""}}).status_code == 401
    bad_name = server.request("POST", "/api/processes/validate", user="procesontwerper", json={"files": {"../x": ""}})
    assert bad_name.status_code == 422


def test_cli_validate_json_lists_every_corpus_problem(tmp_path: Path) -> None:
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    processes.mkdir()
    forms.mkdir()
    for name, content in FORMS.items():
        (forms / name).write_bytes(content)
    for case in CORPUS:
        unique = case.xml.replace('id="kapot"', f'id="p_{case.name}"').replace('id="besluit"', f'id="d_{case.name}"')
        (processes / f"{case.name}.{case.filename.split('.')[-1]}").write_text(unique, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAJECTFLOW_")}
    env["TRAJECTFLOW_HOME"] = str(tmp_path)
    result = subprocess.run(
        [str(TRAJECTFLOW), "validate", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    problems = json.loads(result.stdout)
    printed = {f"{p['file']}:{p['line']}: {p['element_id'] or '-'}: {p['message']} [{p['severity']}]" for p in problems}
    for case in CORPUS:
        expected = case.expected.replace(case.filename, f"{case.name}.{case.filename.split('.')[-1]}", 1)
        assert expected in printed, (expected, sorted(printed))
    assert len(problems) == len(CORPUS)
