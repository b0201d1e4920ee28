"""Running cases move from version 1 to a version 2 that adds, renames and removes tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from trajectflow.domain.cases import Actor, TaskStatus
from trajectflow.domain.errors import Forbidden
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.deploy import deploy_sources
from trajectflow.services.migration import migrate_cases
from trajectflow.services.tasks import complete_task
from trajectflow.store.models import Case, CaseEvent, Task

DESIGNER = Actor("procesontwerper", frozenset({"procesontwerper"}))
KM = Actor("klantmanager", frozenset({"klantmanager"}))
V1 = ["aanmelden", "intake", "beoordelen", "besluit"]
V2 = ["aanmelden", "intake_gesprek", "toets", "besluit"]  # intake renamed, beoordelen removed, toets added


def _process(tasks: list[str]) -> str:
    chain = ["begin", *tasks, "einde"]
    nodes = "".join(
        f'<bpmn:userTask id="{t}" name="{t}"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="formJsonSchemaFilename" value="stap.json" />'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>\n"
        for t in tasks
    )
    flows = "".join(f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}" />\n' for n, (a, b) in
                    enumerate(zip(chain, chain[1:], strict=False)))  # fmt: skip
    refs = "".join(f"<bpmn:flowNodeRef>{t}</bpmn:flowNodeRef>" for t in tasks)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://t">
<bpmn:process id="verhuizen" name="Verhuizen" isExecutable="true">
<bpmn:laneSet id="ls"><bpmn:lane id="l" name="Klantmanager">{refs}</bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="begin" />
{nodes}<bpmn:endEvent id="einde" />
{flows}</bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    (tmp_path / "stap.json").write_text('{"type": "object", "properties": {"notitie": {"type": "string"}}}')
    return tmp_path


def _park(ctx, at: str, number: int) -> int:  # type: ignore[no-untyped-def]
    client = ClientInput(["111222333", "123456782", "100000034", "999999990"][number], "Cliënt", _birth())
    case_id = start_case(ctx, KM, "verhuizen", "roermond", client, data={"kenmerk": f"zaak-{number}"})
    for element in V1[: V1.index(at)]:
        complete_task(ctx, KM, _open(ctx, case_id).id, {"notitie": f"{element} gedaan"})
    return case_id


def _birth():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(1980, 1, 1)


def _open(ctx, case_id: int) -> Task:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        return uow.session.scalars(select(Task).where(Task.case_id == case_id, Task.status == TaskStatus.OPEN)).one()


def _snapshot(ctx) -> dict:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        cases = {c.id: (c.process_version_id, c.status, dict(c.data)) for c in uow.session.scalars(select(Case))}
        tasks = {t.id: (t.case_id, t.element_id, t.status) for t in uow.session.scalars(select(Task))}
        return {"cases": cases, "tasks": tasks}


def test_migration_maps_what_exists_blocks_the_rest_and_loses_nothing(ctx, forms_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert deploy_sources(ctx, {"v.bpmn": _process(V1)}, forms_dir)[0].version == 1
    parked = {at: _park(ctx, at, n) for n, at in enumerate(V1)}
    assert deploy_sources(ctx, {"v.bpmn": _process(V2)}, forms_dir)[0].version == 2
    before = _snapshot(ctx)

    dry = migrate_cases(ctx, DESIGNER, "verhuizen", 1, 2, dry_run=True)
    assert _snapshot(ctx) == before, "a dry run changes nothing"
    real = migrate_cases(ctx, DESIGNER, "verhuizen", 1, 2)
    assert [r.as_dict() for r in dry] == [r.as_dict() for r in real]
    outcome = {r.case_id: (r.outcome, r.elements, r.reason) for r in real}
    assert outcome == {
        parked["aanmelden"]: ("mapped", ["aanmelden"], None),
        parked["intake"]: ("blocked", ["intake"], "not in the new version: verhuizen/intake"),
        parked["beoordelen"]: ("blocked", ["beoordelen"], "not in the new version: verhuizen/beoordelen"),
        parked["besluit"]: ("mapped", ["besluit"], None),
    }

    after = _snapshot(ctx)
    assert after["tasks"] == before["tasks"], "open and finished task rows stay as they were"
    for case_id, (version_id, status, data) in before["cases"].items():
        moved = outcome[case_id][0] == "mapped"
        assert after["cases"][case_id][1:] == (status, data)
        assert (after["cases"][case_id][0] != version_id) == moved
    with ctx.uow(write=False) as uow:
        events = {(e.case_id, e.kind) for e in uow.session.scalars(select(CaseEvent))}
    assert (parked["aanmelden"], "case_migrated") in events and (parked["besluit"], "case_migrated") in events
    assert (parked["intake"], "migration_blocked") in events

    # The moved cases follow version 2; the blocked ones carry on on version 1.
    result = complete_task(ctx, KM, _open(ctx, parked["aanmelden"]).id, {"notitie": "verder"})
    assert result["case_status"] == "active", result
    assert _open(ctx, parked["aanmelden"]).element_id == "intake_gesprek"
    complete_task(ctx, KM, _open(ctx, parked["besluit"]).id, {"notitie": "klaar"})
    complete_task(ctx, KM, _open(ctx, parked["beoordelen"]).id, {"notitie": "oud pad"})
    assert _open(ctx, parked["beoordelen"]).element_id == "besluit"
    with ctx.uow(write=False) as uow:
        done = uow.session.get(Case, parked["besluit"])
        assert done is not None and done.status == "completed" and done.data["kenmerk"] == "zaak-3"

    again = migrate_cases(ctx, DESIGNER, "verhuizen", 1, 2, case_ids=[parked["aanmelden"]], dry_run=True)
    assert [(r.outcome, r.reason) for r in again] == [("blocked", "not a running case on v1")]


def test_migration_needs_the_process_designer_role(ctx, forms_dir: Path) -> None:  # type: ignore[no-untyped-def]
    deploy_sources(ctx, {"v.bpmn": _process(V1)}, forms_dir)
    with pytest.raises(Forbidden):
        migrate_cases(ctx, KM, "verhuizen", 1, 1)


def test_cli_migrate_reports_per_case(tmp_path: Path, forms_dir: Path) -> None:
    import os
    import subprocess
    import sys

    from trajectflow.domain.clock import SystemClock
    from trajectflow.services.context import ServiceContext
    from trajectflow.settings import Settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAJECTFLOW_")}
    env |= {"TRAJECTFLOW_HOME": str(tmp_path), "TRAJECTFLOW_DATABASE_URL": url}
    cli = str(Path(sys.executable).parent / "trajectflow")
    assert subprocess.run([cli, "db", "upgrade"], env=env, capture_output=True, timeout=120).returncode == 0
    ctx = ServiceContext.create(Settings(database_url=url), SystemClock())
    deploy_sources(ctx, {"v.bpmn": _process(V1)}, forms_dir)
    case_id = _park(ctx, "intake", 0)
    deploy_sources(ctx, {"v.bpmn": _process(V2)}, forms_dir)
    args = [cli, "migrate", "--process", "verhuizen", "--from", "1", "--to", "2", "--dry-run"]
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"case {case_id} at intake: blocked: not in the new version: verhuizen/intake",
        "dry run: 0 of 1 case(s) moved to v2",
    ]
    unknown = subprocess.run([*args[:-2], "9"], env=env, capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 1 and "version 9 is not deployed" in unknown.stderr
