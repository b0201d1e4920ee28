"""Read side for teamleiders on SQLite and PostgreSQL: stuck cases, workload, heatmap, reports, exports."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest

from tests.conftest import FIXTURES, ROOT, STAFF_ORG
from tests.e2e import answers as a
from trajectflow.domain.cases import Actor
from trajectflow.domain.errors import Forbidden
from trajectflow.domain.roles import ROLES
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.queries import TaskFilter, case_detail, list_tasks
from trajectflow.services.report_export import to_csv, to_xlsx
from trajectflow.services.reports import ReportPeriod, all_reports, report
from trajectflow.services.supervision import reassign_task, suspend_case
from trajectflow.services.supervision_queries import StuckFilter, heatmap, stuck_cases, workload
from trajectflow.services.tasks import complete_task
from trajectflow.services.timers import fire_due_timers
from trajectflow.services.users import ensure_user

TL = Actor("teamleider", frozenset({"teamleider"}))
KM = Actor("klantmanager", frozenset({"klantmanager"}))


@pytest.fixture
def world(ctx):  # type: ignore[no-untyped-def]
    for role, label in ROLES.items():
        ensure_user(ctx, role, [role], None, label, organisation=STAFF_ORG)
    ensure_user(ctx, "km_twee", ["klantmanager"], None, "Tweede klantmanager", organisation=STAFF_ORG)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    deploy_directory(ctx, FIXTURES / "storing", FIXTURES / "storing", "test")
    return ctx


def start(ctx, process_id: str, bsn: str, municipality: str = "roermond") -> int:  # type: ignore[no-untyped-def]
    return start_case(ctx, KM, process_id, municipality, ClientInput(bsn, "Cliënt", date(1980, 5, 17)))


def step(ctx, case_id: int, element_id: str, data: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    (task,) = list_tasks(ctx, TaskFilter(case_id=case_id, status="open")).items
    assert task["element_id"] == element_id
    role = task["candidate_group"]
    complete_task(ctx, Actor(role, frozenset({role})), task["id"], data)


def wait(ctx, clock, case_id: int, element_id: str) -> None:  # type: ignore[no-untyped-def]
    (timer,) = [t for t in case_detail(ctx, case_id)["waiting_timers"] if t["element_id"] == element_id]
    clock.set(timer["due_at"] + timedelta(seconds=1))
    assert fire_due_timers(ctx) >= 1


def werk_route(ctx, clock, bsn: str, first_rung: int, last_rung: int, durable: bool) -> int:  # type: ignore[no-untyped-def]
    case_id = start(ctx, "participatie_traject", bsn)
    step(ctx, case_id, "aanvraag_beoordelen", a.AANV_OK)
    clock.advance(timedelta(days=10))
    step(ctx, case_id, "brede_intake", a.intake(first_rung))
    clock.advance(timedelta(days=4))
    step(ctx, case_id, "diagnose", a.diagnose("volledig", "laag", False))
    step(ctx, case_id, "plan_van_aanpak", a.PVA)
    step(ctx, case_id, "match_werkgever", a.MATCH)
    step(ctx, case_id, "trajectplan_werkgever", a.trajectplan(False, False, False))
    step(ctx, case_id, "plaatsing_starten", a.PLAATS)
    for months in ("1_maand", "3_maanden", "6_maanden"):
        wait(ctx, clock, case_id, f"nazorg_termijn_{months}")
        step(ctx, case_id, f"nazorg_{months}", a.NAZORG)
    step(ctx, case_id, "uitstroom_registreren", {**a.outflow("werk"), "ladder_trede": last_rung})
    wait(ctx, clock, case_id, "duurzaamheid_termijn")
    step(ctx, case_id, "duurzaamheid_controleren", {"nog_uit_uitkering": durable})
    assert case_detail(ctx, case_id)["status"] == "completed"
    return case_id


def test_stuck_cases_and_workload(world, clock):
    errored = start(world, "storing_proces", "111222333")
    step(world, errored, "invoer", {"mislukkingen": 3})
    idle = start(world, "storing_proces", "123456782")
    paused = start(world, "participatie_traject", "100000010")
    (idle_task,) = list_tasks(world, TaskFilter(case_id=idle, status="open")).items
    reassign_task(world, TL, idle_task["id"], "km_twee")
    suspend_case(world, TL, paused)

    clock.advance(timedelta(weeks=9))
    stuck = stuck_cases(world, TL, StuckFilter(idle_days=14))
    assert [c["id"] for c in stuck["idle"]] == [idle]
    assert stuck["idle"][0]["idle_days"] == 63 and stuck["idle"][0]["client"]["bsn"] == "******782"
    assert [(c["id"], c["error"]["element_id"]) for c in stuck["errored"]] == [(errored, "verwerken")]
    assert "division" in stuck["errored"][0]["error"]["message"]
    overdue = {(c["id"], c["task"]["element_id"]) for c in stuck["overdue_tasks"]}
    assert overdue == {(idle, "invoer"), (paused, "aanvraag_beoordelen")}
    assert all(c["days_overdue"] >= 0 and c["task"]["overdue"] for c in stuck["overdue_tasks"])
    assert [(c["id"], c["timer"]["element_id"]) for c in stuck["late_timers"]] == [(paused, "beslistermijn")]
    assert [c["id"] for c in stuck["suspended"]] == [paused]
    assert stuck_cases(world, TL, StuckFilter(idle_days=100))["idle"] == []
    assert stuck_cases(world, TL, StuckFilter(municipality="leudal"))["errored"] == []

    load = workload(world, TL)
    assert load["per_user"] == [{"assignee": "km_twee", "open": 1, "overdue": 1}]
    assert load["per_group"] == [{"role": "klantmanager", "open": 2, "overdue": 2, "unassigned": 1}]
    with pytest.raises(Forbidden):
        workload(world, KM)
    with pytest.raises(Forbidden):
        stuck_cases(world, KM, StuckFilter())


def test_heatmap_counts_cases_per_element_and_task_durations(world, clock):
    cases = [start(world, "storing_proces", bsn) for bsn in ("111222333", "123456782", "100000010")]
    clock.advance(timedelta(hours=10))
    step(world, cases[0], "invoer", {"mislukkingen": 0})
    clock.advance(timedelta(hours=20))
    step(world, cases[1], "invoer", {"mislukkingen": 0})
    clock.advance(timedelta(hours=6))
    step(world, cases[1], "controle", {})
    heat = heatmap(world, TL, "storing_proces")
    assert heat["version"] == 1 and "storing_proces" in heat["diagrams"]
    assert heat["diagrams"]["storing_proces"].lstrip().startswith("<?xml")
    elements = heat["elements"]["storing_proces"]
    assert elements["invoer"] == {
        "name": "Invoer",
        "active": 1,
        "completed": 2,
        "mean_hours": 20.0,
        "median_hours": 20.0,
    }
    assert elements["controle"]["active"] == 1 and elements["controle"]["completed"] == 1
    assert elements["controle"]["mean_hours"] == 6.0
    with pytest.raises(Forbidden):
        heatmap(world, KM, "storing_proces")


def test_reports_per_municipality_and_period_with_exports(world, clock):
    up = werk_route(world, clock, "111222333", first_rung=4, last_rung=6, durable=True)
    werk_route(world, clock, "123456782", first_rung=5, last_rung=5, durable=False)
    open_case = start(world, "participatie_traject", "100000010", municipality="leudal")
    assert up and open_case
    year = ReportPeriod(date(2026, 1, 1), clock.now().date())
    tables = {t.key: t for t in all_reports(world, TL, year)}
    assert sum(n for _m, n in tables["inflow"].rows) == 3
    assert tables["outflow"].rows == [["werk", 2]]
    assert dict(map(tuple, tables["durable"].rows)) == {  # type: ignore[arg-type]
        "outflow_to_work": 2,
        "checked_after_26_weeks": 2,
        "still_off_benefit": 1,
        "durable_percentage": 50.0,
    }
    assert tables["caseload"].rows == [["aanvraag", "-", 1]]
    assert dict(map(tuple, tables["ladder"].rows)) == {"up": 1, "same": 1, "down": 0, "mean_steps": 1.0}  # type: ignore[arg-type]
    throughput = {row[0]: row for row in tables["throughput"].rows}
    assert throughput["intake"][1:] == [2, 10.0, 10.0] and throughput["diagnose"][2] == 4.0
    assert throughput["aanvraag"][2] == 0.0

    leudal = ReportPeriod(year.start, year.end, "leudal")
    assert report(world, TL, "caseload", leudal).rows == [["aanvraag", "-", 1]]
    assert report(world, TL, "outflow", leudal).rows == []
    before = ReportPeriod(date(2025, 1, 1), date(2025, 12, 31))
    assert report(world, TL, "inflow", before).rows == []
    with pytest.raises(Forbidden):
        report(world, KM, "inflow", year)

    table = tables["throughput"]
    parsed = list(
        csv.reader(io.StringIO(to_csv(["fase", "aantal", "gem", "med"], table.rows).lstrip("\ufeff")), delimiter=";")
    )
    assert parsed[0] == ["fase", "aantal", "gem", "med"]
    assert parsed[1:] == [[str(v) for v in row] for row in table.rows]
    sheet = openpyxl.load_workbook(
        io.BytesIO(to_xlsx("doorlooptijd", ["fase", "aantal", "gem", "med"], table.rows))
    ).active
    assert sheet is not None
    assert [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)] == table.rows
    assert to_csv(["x"], [["=SUM(A1)"]]).splitlines()[1] == "'=SUM(A1)"
