"""Objection (bezwaar) deadlines of DOMAIN.md as BPMN timers, with a moved clock instead of waiting:
the 6-week objection period (Awb 6:7) and the decision term of 6 weeks, or 12 with an advisory
committee, extendable once by 6 weeks (Awb 7:10)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import ROOT
from tests.integration.flow import KM, CaseFlow
from trajectflow.domain.cases import CaseStatus
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.timers import fire_due_timers
from trajectflow.store.models import Case

REGISTRATION = {"bezwaar_ontvangen_op": "2026-03-16", "bezwaar_gronden": "Inkomen te laag vastgesteld"}
DECISION = {"bezwaar_uitkomst": "ongegrond", "bezwaar_beslisdatum": "2026-04-20"}
POSTPONEMENT = {"bezwaar_verdaging_reden": "Advies nog niet ontvangen", "bezwaarmaker_geinformeerd": True}
OVERDUE = {"afspraak": "Beslissing deze week", "instemming_uitstel": False, "ingebrekestelling_ontvangen": False}


@pytest.fixture
def deployed(ctx):  # type: ignore[no-untyped-def]
    ensure_demo_users(ctx)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    return ctx


def _start_objection_case(ctx) -> CaseFlow:  # type: ignore[no-untyped-def]
    client = ClientInput("111222333", "Test Cliënt", date(1980, 5, 17))
    return CaseFlow(ctx, start_case(ctx, KM, "bezwaar", "roermond", client))


def _fires_exactly_at(flow: CaseFlow, clock, element_id: str, due: datetime) -> None:  # type: ignore[no-untyped-def]
    assert flow.timers()[element_id] == due
    clock.set(due - timedelta(seconds=1))
    assert fire_due_timers(flow.ctx) == 0
    clock.set(due)
    assert fire_due_timers(flow.ctx) == 1
    assert flow.fired(element_id) == 1
    assert fire_due_timers(flow.ctx) == 0  # once


def _status(flow: CaseFlow) -> str:
    with flow.ctx.uow(write=False) as uow:
        return uow.session.scalar(select(Case.status).where(Case.id == flow.case_id)) or ""


def _open(flow: CaseFlow) -> list[str]:
    return [t.element_id for t in flow.open_tasks()]


def test_without_objection_in_six_weeks_the_decision_becomes_final(deployed, clock):
    sent = clock.now()
    flow = _start_objection_case(deployed)
    assert _open(flow) == ["bezwaar_registreren"]
    _fires_exactly_at(flow, clock, "bezwaartermijn", sent + timedelta(weeks=6))
    assert _open(flow) == [] and flow.timers() == {}
    assert _status(flow) == CaseStatus.COMPLETED


def test_objection_in_time_is_decided_within_six_weeks(deployed, clock):
    flow = _start_objection_case(deployed)
    clock.advance(timedelta(weeks=5, days=6))  # the last day of the objection period
    flow.complete("bezwaar_registreren", {**REGISTRATION, "adviescommissie": False})
    registered = clock.now()
    assert "bezwaartermijn" not in flow.timers() and flow.fired("bezwaartermijn") == 0
    assert flow.timers()["beslistermijn_bezwaar"] == registered + timedelta(weeks=6)
    assert flow.task("bezwaar_beslissen").due_at is not None
    clock.advance(timedelta(weeks=3))
    flow.complete("bezwaar_beslissen", DECISION)
    assert flow.timers() == {} and _status(flow) == CaseStatus.COMPLETED


def test_decision_term_of_six_weeks_is_extended_once_by_six_weeks(deployed, clock):
    flow = _start_objection_case(deployed)
    clock.advance(timedelta(weeks=1))
    flow.complete("bezwaar_registreren", {**REGISTRATION, "adviescommissie": False})
    _fires_exactly_at(flow, clock, "beslistermijn_bezwaar", clock.now() + timedelta(weeks=6))
    assert _open(flow) == ["bezwaar_verdagen"]
    flow.complete("bezwaar_verdagen", POSTPONEMENT)
    postponed = clock.now()
    assert _open(flow) == ["bezwaar_beslissen"]
    assert flow.timers()["beslistermijn_bezwaar"] == postponed + timedelta(weeks=6)
    clock.set(postponed + timedelta(weeks=6))
    assert fire_due_timers(deployed) == 1
    assert flow.fired("beslistermijn_bezwaar") == 2
    # No second postponement: the teamleider hears of the overrun (Awb 7:10(4), 4:17).
    assert _open(flow) == ["bezwaar_termijn_overschreden"]
    assert flow.task("bezwaar_termijn_overschreden").role == "teamleider"
    flow.complete("bezwaar_termijn_overschreden", OVERDUE)
    flow.complete("bezwaar_beslissen", DECISION)
    assert _status(flow) == CaseStatus.COMPLETED


def test_with_an_advisory_committee_the_decision_term_is_twelve_weeks(deployed, clock):
    flow = _start_objection_case(deployed)
    clock.advance(timedelta(weeks=2))
    flow.complete("bezwaar_registreren", {**REGISTRATION, "adviescommissie": True})
    registered = clock.now()
    _fires_exactly_at(flow, clock, "beslistermijn_bezwaar", registered + timedelta(weeks=12))
    flow.complete("bezwaar_verdagen", POSTPONEMENT)
    assert flow.timers()["beslistermijn_bezwaar"] == clock.now() + timedelta(weeks=6)  # +6, not another 12
