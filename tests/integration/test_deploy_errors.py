"""Broken process files are refused at deploy with file, line and element, and nothing is stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.unit.broken_bpmn import BROKEN, FORMS, VALID, Broken
from trajectflow.domain.errors import InvalidProcess
from trajectflow.services.deploy import deploy_sources
from trajectflow.store.models import ProcessVersion

TRAJECTFLOW = Path(sys.executable).parent / "trajectflow"


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "forms"
    directory.mkdir()
    for name, content in FORMS.items():
        (directory / name).write_bytes(content)
    return directory


def _versions(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(ProcessVersion)) or 0


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_broken_process_is_refused_and_nothing_is_stored(ctx, forms_dir: Path, broken: Broken) -> None:  # type: ignore[no-untyped-def]
    deploy_sources(ctx, {"ok.bpmn": VALID.replace('id="kapot"', 'id="heel"')}, forms_dir)
    assert _versions(ctx) == 1
    with pytest.raises(InvalidProcess) as raised:
        deploy_sources(ctx, {"ok.bpmn": VALID, "x.bpmn": broken.xml.replace('id="kapot"', 'id="kapot2"')}, forms_dir)
    where = [(p.file, p.line, p.element_id) for p in raised.value.problems if broken.message in p.message]
    assert where == [("x.bpmn", broken.line, broken.element_id)], [str(p) for p in raised.value.problems]
    assert all(p.severity == "error" for p in raised.value.problems)
    assert raised.value.details == [p.as_dict() for p in raised.value.problems]
    assert _versions(ctx) == 1, "a refused deploy must store nothing, not even the valid file beside it"


def test_redeploying_unchanged_sources_stores_no_new_version(ctx, forms_dir: Path) -> None:  # type: ignore[no-untyped-def]
    first = deploy_sources(ctx, {"x.bpmn": VALID}, forms_dir)
    again = deploy_sources(ctx, {"x.bpmn": VALID}, forms_dir)
    assert [(d.version, d.created) for d in first] == [(1, True)]
    assert [(d.version, d.created) for d in again] == [(1, False)]
    (forms_dir / "stap.json").write_text('{"type": "object", "properties": {"andere": {"type": "string"}}}')
    changed = deploy_sources(ctx, {"x.bpmn": VALID}, forms_dir)
    assert [(d.version, d.created) for d in changed] == [(2, True)]


def _cli(args: list[str], home: Path, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAJECTFLOW_")}
    env["TRAJECTFLOW_HOME"] = str(home)
    if database_url:
        env["TRAJECTFLOW_DATABASE_URL"] = database_url
    return subprocess.run([str(TRAJECTFLOW), *args], env=env, cwd=home, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path, forms_dir: Path) -> Path:
    """A TRAJECTFLOW_HOME with processes/ holding every broken file (each under its own process id)."""
    processes = tmp_path / "processes"
    processes.mkdir()
    for broken in BROKEN:
        content = broken.xml.replace('id="kapot"', f'id="{broken.name}"')
        (processes / f"{broken.name}.bpmn").write_text(content, encoding="utf-8")
    return tmp_path


def test_cli_validate_prints_file_line_element_and_fails(project: Path) -> None:
    result = _cli(["validate", str(project / "processes")], project)
    assert result.returncode != 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    for broken in BROKEN:
        expected = f"{broken.name}.bpmn:{broken.line}: {broken.element_id or '-'}: "
        lines = [line for line in output.splitlines() if line.startswith(expected) and broken.message in line]
        assert lines, f"no line starting {expected!r} mentioning {broken.message!r} in:\n{output}"


def test_cli_validate_accepts_a_valid_directory(tmp_path: Path, forms_dir: Path) -> None:
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "x.bpmn").write_text(VALID, encoding="utf-8")
    result = _cli(["validate"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_deploy_refuses_broken_files_and_stores_nothing(project: Path) -> None:
    url = f"sqlite:///{project / 'cli.db'}"
    upgraded = _cli(["db", "upgrade"], project, url)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    refused = _cli(["deploy", str(project / "processes")], project, url)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stdout + refused.stderr
    assert "start_id.bpmn:10: Start: " in refused.stderr and "unquoted_timer.bpmn:12: stap: " in refused.stderr
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM process_versions")).scalar() == 0
    for path in (project / "processes").iterdir():
        path.unlink()
    (project / "processes" / "x.bpmn").write_text(VALID, encoding="utf-8")
    deployed = _cli(["deploy"], project, url)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "kapot: v1" in deployed.stdout
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM process_versions")).scalar() == 1
    engine.dispose()
