"""The deadlines of DOMAIN.md as BPMN timers, with a moved clock instead of waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import ROOT
from tests.e2e import answers as a
from tests.integration.flow import CaseFlow
from trajectflow.domain.durations import add_iso_duration
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.timers import fire_due_timers

ADULT = date(1980, 5, 17)


@pytest.fixture
def deployed(ctx):  # type: ignore[no-untyped-def]
    ensure_demo_users(ctx)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    return ctx


def _fires_exactly_at(flow: CaseFlow, clock, element_id: str, due: datetime) -> None:  # type: ignore[no-untyped-def]
    assert flow.timers()[element_id] == due
    clock.set(due - timedelta(seconds=1))
    assert fire_due_timers(flow.ctx) == 0
    assert flow.fired(element_id) == 0
    clock.set(due)
    assert fire_due_timers(flow.ctx) == 1
    assert flow.fired(element_id) == 1
    assert fire_due_timers(flow.ctx) == 0  # once


def test_zoekperiode_of_a_24_year_old_ends_after_four_weeks(deployed, clock):
    start = clock.now()
    flow = CaseFlow.start(deployed, "123456782", date(2002, 1, 10))
    assert [t.element_id for t in flow.open_tasks()] == []
    _fires_exactly_at(flow, clock, "zoekperiode", start + timedelta(weeks=4))
    assert [t.element_id for t in flow.open_tasks()] == ["aanvraag_beoordelen"]


def test_decision_term_of_eight_weeks_and_one_extension(deployed, clock):
    start = clock.now()
    flow = CaseFlow.start(deployed, "111222333", ADULT)
    _fires_exactly_at(flow, clock, "beslistermijn", start + timedelta(weeks=8))
    assert [t.element_id for t in flow.open_tasks()] == ["besluit_verdagen"]
    flow.complete("besluit_verdagen", a.VERDAGEN)
    assert flow.timers()["beslistermijn"] == clock.now() + timedelta(weeks=8)
    flow.complete("aanvraag_beoordelen", a.AANV_OK)
    assert "beslistermijn" not in flow.timers()


def test_beschut_werk_may_be_requested_again_after_twelve_months(deployed, clock):
    flow = CaseFlow.start(deployed, "100000034", ADULT)
    flow.complete("aanvraag_beoordelen", a.AANV_OK)
    flow.complete("brede_intake", a.intake(2))
    flow.complete("diagnose", a.diagnose("beperkt", "hoog", False))
    flow.complete("plan_van_aanpak", a.PVA)
    flow.complete("uwv_advies_aanvragen", a.UWV_AANV)
    flow.complete("uwv_advies_registreren", a.uwv("negatief"))
    decided = clock.now()
    flow.complete("negatief_advies_bespreken", a.negative("opnieuw_aanvragen"))
    _fires_exactly_at(flow, clock, "wachttijd_nieuwe_aanvraag", add_iso_duration(decided, "P12M"))
    assert [t.element_id for t in flow.open_tasks()] == ["uwv_advies_aanvragen"]


def _into_meedoen(flow: CaseFlow) -> None:
    flow.complete("aanvraag_beoordelen", a.AANV_OK)
    flow.complete("brede_intake", a.intake(1))
    flow.complete("diagnose", a.diagnose("geen", "hoog", False))
    flow.complete("plan_van_aanpak", a.PVA)
    flow.complete("participatieactiviteit_afspreken", a.ACTIV)


def test_plan_evaluation_every_six_months_is_a_cycle_timer(deployed, clock):
    flow = CaseFlow.start(deployed, "100000010", ADULT)
    _into_meedoen(flow)
    first = flow.timers()["meedoen_evaluatietermijn"]
    assert first == add_iso_duration(clock.now(), "P6M")
    for rounds in (1, 2, 3):
        due = flow.timers()["meedoen_evaluatietermijn"]
        clock.set(due)
        assert fire_due_timers(deployed) == 1
        assert flow.fired("meedoen_evaluatietermijn") == rounds
        assert flow.timers()["meedoen_evaluatietermijn"] > due  # the cycle waits for its next round
        flow.complete("meedoen_evalueren", {"ladder_trede": 2})
        assert [t.element_id for t in flow.open_tasks()] == ["meedoen_afronden"]
    assert flow.timers()["meedoen_evaluatietermijn"] - first >= timedelta(days=3 * 181)
    flow.complete("meedoen_afronden", {"vervolg": "uitstroom"})
    assert flow.timers() == {}
    assert [t.element_id for t in flow.open_tasks()] == ["uitstroom_registreren"]


def test_durable_outflow_is_checked_26_weeks_after_outflow(deployed, clock):
    flow = CaseFlow.start(deployed, "100000046", ADULT)
    _into_meedoen(flow)
    flow.complete("meedoen_afronden", {"vervolg": "uitstroom"})
    out = clock.now()
    flow.complete("uitstroom_registreren", a.outflow("werk"))
    _fires_exactly_at(flow, clock, "duurzaamheid_termijn", out + timedelta(weeks=26))
    assert [t.element_id for t in flow.open_tasks()] == ["duurzaamheid_controleren"]


def test_policy_deadlines_are_configurable_per_municipality(deployed, clock, tmp_path):
    policy = tmp_path / "beleid.yaml"
    policy.write_text("municipalities:\n  leudal:\n    termijnen: {plan_evaluatie: P3M, intake: 5WD}\n")
    deployed.settings = type(deployed.settings)(**{**deployed.settings.__dict__, "policy_file": policy})
    leudal = CaseFlow.start(deployed, "999999990", ADULT, municipality="leudal")
    roermond = CaseFlow.start(deployed, "100000058", ADULT, municipality="roermond")
    for flow in (leudal, roermond):
        _into_meedoen(flow)
    now = clock.now()
    assert leudal.timers()["meedoen_evaluatietermijn"] == add_iso_duration(now, "P3M")
    assert roermond.timers()["meedoen_evaluatietermijn"] == add_iso_duration(now, "P6M")


def test_missed_timers_fire_on_catch_up_in_due_order(deployed, clock):
    start = clock.now()
    young = CaseFlow.start(deployed, "123456782", date(2004, 2, 1))  # zoekperiode: 4 weeks
    clock.advance(timedelta(days=1))
    adult = CaseFlow.start(deployed, "111222333", ADULT)  # beslistermijn: 8 weeks
    clock.set(start + timedelta(days=400))  # the scheduler was down for more than a year
    assert fire_due_timers(deployed) == 2
    order = [(e["case_id"], e["element_id"]) for e in _fired_events(deployed)]
    assert order == [(young.case_id, "zoekperiode"), (adult.case_id, "beslistermijn")]
    # A timer that starts on catch-up runs from the moment it started, not from the missed due time.
    assert young.timers()["beslistermijn"] - (clock.now() + timedelta(weeks=8)) < timedelta(milliseconds=1)
    assert fire_due_timers(deployed) == 0


def _fired_events(ctx):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from trajectflow.store.models import CaseEvent

    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(CaseEvent).where(CaseEvent.kind == "timer_fired").order_by(CaseEvent.id))
        return [{"case_id": r.case_id, "element_id": r.element_id} for r in rows]


def test_timer_due_times_are_exact_to_the_second(deployed, clock):
    clock.set(datetime(2026, 3, 2, 9, 17, 23, 450000, tzinfo=UTC))
    flow = CaseFlow.start(deployed, "111222333", ADULT)
    assert flow.timers()["beslistermijn"] == datetime(2026, 4, 27, 9, 17, 23, 450000, tzinfo=UTC)
