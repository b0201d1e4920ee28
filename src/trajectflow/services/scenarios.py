"""Run scenario files against the real services on a temporary SQLite database with a fixed clock.

Every scenario starts a case, then for each step completes the named user task, lets a timer fire,
moves the clock or checks the case; the first step whose outcome differs fails the scenario with
what was expected and what was found. Afterwards the report lists the BPMN elements of the tested
processes that no scenario reached.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..domain.bsn import is_valid_bsn
from ..domain.cases import Actor
from ..domain.clock import FixedClock
from ..domain.durations import add_iso_duration
from ..domain.errors import TrajectflowError
from ..engine.coverage import is_flow_node, reached_elements, recording_pruned
from ..settings import Settings
from ..store.db import make_engine
from ..store.migrate import upgrade
from ..store.models import Case, CaseEvent, ProcessVersion
from ..store.uow import UnitOfWorkFactory
from .cases import ClientInput, start_case
from .context import ServiceContext
from .deadline_policy import business_calendar
from .deploy import deploy_directory
from .loading import load_instance, version_elements
from .queries import case_detail
from .scenario_files import Scenario, Step, parse_advance
from .tasks import complete_task
from .timers import fire_due_timers

_REGISTRAR = Actor("scenario", frozenset({"klantmanager"}))


class StepFailed(Exception):
    pass


@dataclass
class ScenarioResult:
    scenario: Scenario
    steps_run: int
    failure: str | None = None  # "step 3 (task: diagnose): expected phase 'diagnose', got 'intake'"


@dataclass
class Coverage:
    process_id: str
    elements: list[str]
    unreached: list[str]


@dataclass
class ScenarioReport:
    results: list[ScenarioResult] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.failure is None for r in self.results)

    def lines(self) -> list[str]:
        out = []
        for r in self.results:
            head = f"{r.scenario.file} › {r.scenario.name}"
            out.append(f"PASS {head} ({r.steps_run} steps)" if r.failure is None else f"FAIL {head}: {r.failure}")
        out.append("coverage (BPMN elements reached by the scenarios):")
        for c in self.coverage:
            reached = len(c.elements) - len(c.unreached)
            missing = f"; not reached: {', '.join(c.unreached)}" if c.unreached else ""
            out.append(f"  {c.process_id}: {reached}/{len(c.elements)}{missing}")
        failed = sum(1 for r in self.results if r.failure)
        out.append(f"{len(self.results)} scenario(s), {failed} failed")
        return out


def run_scenarios(
    settings: Settings, processes_dir: Path, forms_dir: Path, scenarios: list[Scenario]
) -> ScenarioReport:
    """Deploy `processes_dir` into a fresh temporary database and run every scenario against it."""
    with tempfile.TemporaryDirectory(prefix="trajectflow-scenarios-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'scenarios.db'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            uow = UnitOfWorkFactory(engine)
            local = replace(settings, database_url=url)
            setup = ServiceContext(uow=uow, clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)), settings=local)
            deploy_directory(setup, processes_dir, forms_dir, "scenarios")
            report = ScenarioReport()
            reached: set[tuple[str, str]] = set()
            for number, scenario in enumerate(scenarios):
                clock = FixedClock(datetime.combine(scenario.start_date, time(9), UTC))
                ctx = ServiceContext(uow=uow, clock=clock, settings=local)
                with recording_pruned(reached):
                    report.results.append(_run(ctx, clock, scenario, _bsn(number), reached))
            # Every deployed process is listed, so one that no scenario starts shows as unreached.
            report.coverage = _coverage(setup, _deployed_process_ids(setup), reached)
            return report
        finally:
            engine.dispose()


def _bsn(number: int) -> str:
    candidate = 100_000_000 + number * 1_000
    while not is_valid_bsn(str(candidate)):
        candidate += 1
    return str(candidate)


def _run(ctx: ServiceContext, clock: FixedClock, scenario: Scenario, bsn: str, reached: set) -> ScenarioResult:
    try:
        client = ClientInput(bsn, f"Scenario {bsn[-3:]}", scenario.birth_date)
        case_id = start_case(
            ctx, _REGISTRAR, scenario.process_id, scenario.municipality, client, data=scenario.start_data
        )
    except TrajectflowError as err:
        return ScenarioResult(scenario, 0, f"start: {err.message}")
    for step in scenario.steps:
        try:
            _step(ctx, clock, scenario, case_id, step)
        except StepFailed as failed:
            return ScenarioResult(scenario, step.number - 1, f"{step.label}: {failed}")
        except TrajectflowError as err:
            return ScenarioResult(scenario, step.number - 1, f"{step.label}: {type(err).__name__}: {err.message}")
        finally:
            _collect(ctx, case_id, reached)
    differences = _differences(scenario.end, case_detail(ctx, case_id))
    if differences:
        return ScenarioResult(scenario, len(scenario.steps), f"end: {'; '.join(differences)}")
    return ScenarioResult(scenario, len(scenario.steps))


def _step(ctx: ServiceContext, clock: FixedClock, scenario: Scenario, case_id: int, step: Step) -> None:
    detail = case_detail(ctx, case_id)
    if step.kind == "task":
        _complete(ctx, detail, step)
    elif step.kind == "timer":
        _fire(ctx, clock, detail, case_id, step.target)
    elif step.kind == "advance":
        _advance(ctx, clock, scenario, case_id, step)
    else:
        differences = _differences(step.expect, detail)
        if differences:
            raise StepFailed("; ".join(differences))
    after = case_detail(ctx, case_id)
    if after["error"]:
        error = after["error"]
        raise StepFailed(f"the case stopped with an error at {error['element_id']}: {error['message']}")


def _complete(ctx: ServiceContext, detail: dict[str, Any], step: Step) -> None:
    matching = [t for t in detail["open_tasks"] if t["element_id"] == step.target]
    if not matching:
        open_ids = [t["element_id"] for t in detail["open_tasks"]]
        raise StepFailed(f"expected open task '{step.target}', open: {open_ids} (case {detail['status']})")
    task = matching[0]
    differences = _differences({k: v for k, v in step.expect.items() if k == "phase"}, detail)
    if "role" in step.expect and step.expect["role"] != task["candidate_group"]:
        differences.append(f"expected role '{step.expect['role']}', got '{task['candidate_group']}'")
    if differences:
        raise StepFailed("; ".join(differences))
    role = task["candidate_group"] or "klantmanager"
    complete_task(ctx, Actor(role, frozenset({role})), task["id"], _json_ready(step.data))


def _fire(ctx: ServiceContext, clock: FixedClock, detail: dict[str, Any], case_id: int, element_id: str) -> None:
    timers = [t for t in detail["waiting_timers"] if t["element_id"] == element_id]
    if not timers:
        waiting = [t["element_id"] for t in detail["waiting_timers"]]
        raise StepFailed(f"expected waiting timer '{element_id}', waiting: {waiting}")
    before = _fired_events(ctx, case_id)
    clock.set(max(timers[0]["due_at"], clock.now()) + timedelta(seconds=1))
    fire_due_timers(ctx)
    if _fired_events(ctx, case_id)[len(before) :].count(element_id) < 1:
        raise StepFailed(f"timer '{element_id}' did not fire at its due time")


def _advance(ctx: ServiceContext, clock: FixedClock, scenario: Scenario, case_id: int, step: Step) -> None:
    amount, unit = parse_advance(step.target)
    now = clock.now()
    if unit == "working_day":
        calendar = business_calendar(ctx.settings, scenario.municipality)
        target = datetime.combine(calendar.add_working_days(now.date(), amount), now.timetz())
    elif unit in {"day", "week"}:
        target = now + timedelta(days=amount * (7 if unit == "week" else 1))
    else:
        target = add_iso_duration(now, unit)
    before = len(_fired_events(ctx, case_id))
    clock.set(target)
    fire_due_timers(ctx)
    fired = _fired_events(ctx, case_id)[before:]
    if step.fired is not None and sorted(fired) != sorted(step.fired):
        raise StepFailed(f"expected timers fired {sorted(step.fired)}, fired {sorted(fired)}")


def _fired_events(ctx: ServiceContext, case_id: int) -> list[str]:
    with ctx.uow(write=False) as uow:
        query = select(CaseEvent.element_id).where(CaseEvent.case_id == case_id, CaseEvent.kind == "timer_fired")
        return [e or "" for e in uow.session.scalars(query.order_by(CaseEvent.id))]


def _differences(expect: dict[str, Any], detail: dict[str, Any]) -> list[str]:
    found = []
    for key in ("status", "phase", "route"):
        if key in expect and expect[key] != detail[key]:
            found.append(f"expected {key} '{expect[key]}', got '{detail[key]}'")
    for key, listed in (("open_tasks", detail["open_tasks"]), ("waiting_timers", detail["waiting_timers"])):
        if key in expect:
            actual = sorted(item["element_id"] for item in listed)
            if actual != sorted(expect[key]):
                found.append(f"expected {key} {sorted(expect[key])}, got {actual}")
    for name, value in (expect.get("data") or {}).items():
        actual = detail["data"].get(name)
        if _json_ready(value) != actual:
            found.append(f"expected data {name} = {_json_ready(value)!r}, got {actual!r}")
    return found


def _json_ready(value: Any) -> Any:
    """YAML reads 2026-03-20 as a date; forms and case data hold ISO strings."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def _collect(ctx: ServiceContext, case_id: int, reached: set[tuple[str, str]]) -> None:
    with ctx.uow(write=False) as uow:
        case = uow.session.get(Case, case_id)
        if case is not None and case.engine_state:
            reached |= reached_elements(load_instance(uow.session, case)[1])


def _deployed_process_ids(ctx: ServiceContext) -> set[str]:
    with ctx.uow(write=False) as uow:
        return set(uow.session.scalars(select(ProcessVersion.process_id).distinct()))


def _coverage(ctx: ServiceContext, process_ids: set[str], reached: set[tuple[str, str]]) -> list[Coverage]:
    result: dict[str, Coverage] = {}
    with ctx.uow(write=False) as uow:
        for process_id in sorted(process_ids):
            version = uow.session.scalar(
                select(ProcessVersion)
                .where(ProcessVersion.process_id == process_id)
                .order_by(ProcessVersion.version.desc())
                .limit(1)
            )
            if version is None:
                continue
            for pid, elements in version_elements(version).items():
                ids = sorted(eid for eid, info in elements.items() if is_flow_node(info.get("kind", "")))
                unreached = [eid for eid in ids if (pid, eid) not in reached]
                result.setdefault(pid, Coverage(pid, ids, unreached))
    return [result[pid] for pid in sorted(result)]
